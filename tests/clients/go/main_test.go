// Go client tests for newscorpus: stubs generated from proto/ by protoc-gen-go
// and protoc-gen-go-grpc (scripts/clients/go.sh puts them in a GOPATH under
// .tools/), google.golang.org/grpc as the client.
//
// TestMain starts one server on the seeds/ corpus for the read-only tests;
// tests that ingest start private servers. Like tests/clients/python: the
// binary is $NEWSCORPUS_BIN (default ${CARGO_TARGET_DIR:-<repo>/target}/debug/newscorpus),
// each server listens on a free loopback port (`serve --addr`), and is used
// once CorpusService reports SERVING on grpc.health.v1.
package goclient

import (
	"context"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	pb "github.com/newscorpus/newscorpus/gen/go/newscorpus/v1"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const (
	callTimeout  = 10 * time.Second // deadline of every RPC, so a stuck server fails a test
	startTimeout = 30 * time.Second
	serviceName  = "newscorpus.v1.CorpusService"
)

var (
	root     string // repository root
	bin      string // server binary
	shared   *server
	client   pb.CorpusServiceClient
	articles []*pb.Article // ListArticles on the shared server, in corpus order
)

// server is a running newscorpus process.
type server struct {
	cmd     *exec.Cmd
	addr    string
	work    string
	logPath string
	conn    *grpc.ClientConn
	exited  chan struct{}
	exitErr error
}

func (s *server) log() string {
	data, _ := ioutil.ReadFile(s.logPath)
	return string(data)
}

// stop sends SIGTERM (SIGKILL after 15 s) and returns the exit error (nil for exit 0).
func (s *server) stop() error {
	if s.conn != nil {
		s.conn.Close()
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.work)
	return s.exitErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// launch starts `newscorpus serve --corpus CORPUS --addr 127.0.0.1:PORT ARGS...`
// and waits until it is SERVING. corpus "" means seeds/, "empty" an empty folder.
func launch(corpus string, args ...string) (*server, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("server binary not found: %s (run cargo build, or set NEWSCORPUS_BIN)", bin)
	}
	work, err := ioutil.TempDir("", "newscorpus-go-")
	if err != nil {
		return nil, err
	}
	switch corpus {
	case "":
		corpus = filepath.Join(root, "seeds")
	case "empty":
		corpus = filepath.Join(work, "corpus")
		if err := os.Mkdir(corpus, 0o755); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{addr: fmt.Sprintf("127.0.0.1:%d", port), work: work, exited: make(chan struct{})}
	s.logPath = filepath.Join(work, "server.log")
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	s.cmd = exec.Command(bin, append([]string{"serve", "--corpus", corpus, "--addr", s.addr}, args...)...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// Keep the caller's NEWSCORPUS_* settings (an auth token file, say) out of test servers.
	s.cmd.Env = []string{"NO_COLOR=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEWSCORPUS_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	// If this test process dies (a panic, a kill), the kernel kills the server too.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.exitErr = s.cmd.Wait(); close(s.exited) }()

	s.conn, err = grpc.Dial(s.addr, grpc.WithInsecure())
	if err != nil {
		s.stop()
		return nil, err
	}
	health := healthpb.NewHealthClient(s.conn)
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("server exited (%v):\n%s", s.exitErr, s.log())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		answer, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: serviceName})
		cancel()
		if err == nil && answer.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return s, nil
		}
		if time.Now().After(deadline) {
			log := s.log()
			s.stop()
			return nil, fmt.Errorf("server not SERVING within %v:\n%s", startTimeout, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestMain(m *testing.M) {
	root = os.Getenv("NEWSCORPUS_ROOT")
	if root == "" {
		wd, _ := os.Getwd() // go test runs in tests/clients/go
		root = filepath.Clean(filepath.Join(wd, "..", "..", ".."))
	}
	bin = os.Getenv("NEWSCORPUS_BIN")
	if bin == "" {
		target := os.Getenv("CARGO_TARGET_DIR")
		if target == "" {
			target = filepath.Join(root, "target")
		}
		bin = filepath.Join(target, "debug", "newscorpus")
	}
	var err error
	shared, err = launch("")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	client = pb.NewCorpusServiceClient(shared.conn)
	articles, err = collectArticles(context.Background(), &pb.ListArticlesRequest{})
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "ListArticles:", err)
	} else {
		code = m.Run()
	}
	if err := shared.stop(); err != nil {
		fmt.Fprintf(os.Stderr, "shared server did not exit 0 on SIGTERM: %v\n%s", err, shared.log())
		code = 1
	}
	os.Exit(code)
}

// --- helpers ------------------------------------------------------------------------------

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return c
}

// receiver is any server-streaming client of the generated code.
type receiver[T any] interface{ Recv() (T, error) }

// drain reads a stream to its end.
func drain[T any](stream receiver[T], err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	var items []T
	for {
		item, err := stream.Recv()
		if err == io.EOF {
			return items, nil
		}
		if err != nil {
			return items, err
		}
		items = append(items, item)
	}
}

func collectArticles(c context.Context, req *pb.ListArticlesRequest) ([]*pb.Article, error) {
	return drain[*pb.Article](client.ListArticles(c, req))
}

// must fails the test on an error and returns the value.
func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// sliceBytes returns the text a span counted in UTF-8 bytes refers to: Go
// strings index bytes, so with OffsetEncoding_OFFSET_ENCODING_UTF8 in the
// request a span slices the string natively, body[span.Start:span.End]. This
// only adds the checks (span present, in UTF-8 units, in bounds).
func sliceBytes(body string, span *pb.Span) (string, error) {
	if span == nil {
		return "", fmt.Errorf("span is missing")
	}
	if span.Encoding != pb.OffsetEncoding_OFFSET_ENCODING_UTF8 {
		return "", fmt.Errorf("span %v counts %v, not UTF-8 bytes", span, span.Encoding)
	}
	if span.End < span.Start || int(span.End) > len(body) {
		return "", fmt.Errorf("span [%d, %d) out of a text of %d bytes", span.Start, span.End, len(body))
	}
	return body[span.Start:span.End], nil
}

// sliceRunes returns the text a span counted in Unicode code points refers
// to: what the server sends when the request leaves offset_encoding unset.
// Index the runes, not the bytes: body[start:end] is wrong as soon as a
// non-ASCII character precedes the span.
func sliceRunes(body []rune, span *pb.Span) (string, error) {
	if span == nil {
		return "", fmt.Errorf("span is missing")
	}
	if span.Encoding != pb.OffsetEncoding_OFFSET_ENCODING_CODE_POINTS {
		return "", fmt.Errorf("span %v counts %v, not code points", span, span.Encoding)
	}
	if span.End < span.Start || int(span.End) > len(body) {
		return "", fmt.Errorf("span [%d, %d) out of a text of %d code points", span.Start, span.End, len(body))
	}
	return string(body[span.Start:span.End]), nil
}

// unicodeArticle has astral characters (emoji, mathematical Fraktur letters:
// one code point, two UTF-16 units, four UTF-8 bytes each) before its
// mentions, inside and before its quote, and before the searched words, so
// that every offset encoding gives different numbers. The Node suite ingests
// the same text (UNICODE_ARTICLE in tests/clients/node/harness.ts).
const unicodeArticle = "\U0001F6A2\U0001F6A2 Harbour news from \U0001D50A\U0001D52C\U0001D531\U0001D525\U0001D51E\U0001D52A \U0001F30A\n\n" +
	"\U0001F6A2 The harbour board of Porto Velho met on Monday. \U0001F44B Marta Souza chaired it.\n\n" +
	"\u201cWe have waited \U0001D531\U0001D522\U0001D52B years for this \U0001F389,\u201d said Marta Souza, the board's chair.\n"

func ids(items []*pb.Article) []string {
	out := make([]string, len(items))
	for i, a := range items {
		out[i] = a.Id
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}
