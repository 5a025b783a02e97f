package goclient

import (
	"fmt"
	"io/ioutil"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/newscorpus/newscorpus/gen/go/newscorpus/v1"
)

// TestReadmeExample builds example/main.go (the program README.md shows),
// runs it against the shared server, checks its output, and checks that the
// README quotes it verbatim.
func TestReadmeExample(t *testing.T) {
	dir := filepath.Join(root, "tests", "clients", "go")
	source, err := ioutil.ReadFile(filepath.Join(dir, "example", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := ioutil.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```go\n"+string(source)+"```\n") {
		t.Error("README.md's example differs from example/main.go")
	}

	// Same environment as this test (GOPATH mode, GOCACHE...).
	program := filepath.Join(t.TempDir(), "example")
	build := exec.Command("go", "build", "-o", program, ".")
	build.Dir = filepath.Join(dir, "example")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build example: %v\n%s", err, out)
	}
	out, err := exec.Command(program, shared.addr).CombinedOutput()
	if err != nil {
		t.Fatalf("example: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	first := articles[0]
	mentions := must[[]*pb.Mention](t)(drain[*pb.Mention](client.ListMentions(ctx(t), &pb.ListMentionsRequest{ArticleId: first.Id, Limit: 3})))
	quotes := must[[]*pb.Quote](t)(drain[*pb.Quote](client.ListQuotes(ctx(t), &pb.ListQuotesRequest{Limit: 1})))
	last := must[*pb.Entity](t)(client.GetEntity(ctx(t), &pb.GetEntityRequest{Selector: &pb.GetEntityRequest_Id{Id: mentions[len(mentions)-1].EntityId}}))
	want := []string{"articles: 5"}
	for _, m := range mentions {
		want = append(want, "mention: true "+m.Text+" OFFSET_ENCODING_UTF8")
	}
	want = append(want,
		"entity: "+last.Id+" "+last.Name,
		fmt.Sprintf("quote: %s %q", quotes[0].Id, quotes[0].SpeakerName),
		"error: NotFound newscorpus ARTICLE_NOT_FOUND",
		"resource: no-such-article",
	)
	if !equalStrings(lines, want) {
		t.Errorf("example printed:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
