package goclient

import (
	"context"
	"io"
	"io/ioutil"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	pb "github.com/newscorpus/newscorpus/gen/go/newscorpus/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// fold lowercases for the case-insensitive comparisons below.
func fold(s string) string { return strings.ToLower(s) }

func TestListArticlesStreamsTheSeeds(t *testing.T) {
	if len(articles) != 5 {
		t.Fatalf("%d articles, want the 5 seeds", len(articles))
	}
	entries, err := ioutil.ReadDir(filepath.Join(root, "seeds"))
	if err != nil {
		t.Fatal(err)
	}
	var files, sources []string
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, e.Name())
		}
	}
	seen := map[string]bool{}
	for _, a := range articles {
		sources = append(sources, a.Source)
		seen[a.Id] = true
		if a.Id == "" || a.Cursor == "" {
			t.Errorf("article without id or cursor: %q", a.Source)
		}
		if strings.Join(a.Paragraphs, "\n\n") != a.Body {
			t.Errorf("%s: paragraphs do not join into the body", a.Id)
		}
	}
	if !equalStrings(sortedCopy(sources), sortedCopy(files)) {
		t.Errorf("sources %v, seed files %v", sources, files)
	}
	if len(seen) != 5 {
		t.Errorf("ids not distinct: %v", ids(articles))
	}
}

func TestListArticlesResumesFromACursor(t *testing.T) {
	firstTwo := must[[]*pb.Article](t)(collectArticles(ctx(t), &pb.ListArticlesRequest{Limit: 2, View: pb.ArticleView_ARTICLE_VIEW_BASIC}))
	if !equalStrings(ids(firstTwo), ids(articles[:2])) {
		t.Fatalf("limit 2: %v, want %v", ids(firstTwo), ids(articles[:2]))
	}
	for _, a := range firstTwo {
		if a.Body != "" || len(a.Paragraphs) != 0 {
			t.Errorf("BASIC view carries a body: %s", a.Id)
		}
	}
	rest := must[[]*pb.Article](t)(collectArticles(ctx(t), &pb.ListArticlesRequest{Cursor: firstTwo[1].Cursor}))
	if !equalStrings(ids(rest), ids(articles[2:])) {
		t.Fatalf("resumed: %v, want %v (no overlap, nothing missing)", ids(rest), ids(articles[2:]))
	}
}

func TestGetArticleMatchesList(t *testing.T) {
	listed := articles[0]
	got := must[*pb.Article](t)(client.GetArticle(ctx(t), &pb.GetArticleRequest{Id: listed.Id}))
	if got.Cursor != "" {
		t.Errorf("unary answer has a cursor: %q", got.Cursor)
	}
	want := proto.Clone(listed).(*pb.Article)
	want.Cursor = ""
	if !proto.Equal(got, want) {
		t.Errorf("GetArticle differs from ListArticles:\n got %v\nwant %v", got, want)
	}
}

func TestSearchArticlesRanksAndHighlights(t *testing.T) {
	hits := must[[]*pb.SearchHit](t)(drain[*pb.SearchHit](client.SearchArticles(ctx(t), &pb.SearchArticlesRequest{Query: "nuclear", OffsetEncoding: pb.OffsetEncoding_OFFSET_ENCODING_UTF8})))
	if len(hits) == 0 {
		t.Fatal("no hits for 'nuclear'")
	}
	snippets := 0
	for i, hit := range hits {
		if hit.Score <= 0 || (i > 0 && hit.Score > hits[i-1].Score) {
			t.Errorf("hit %d: score %v not positive and descending", i, hit.Score)
		}
		for _, snippet := range hit.Snippets {
			snippets++
			for _, span := range snippet.Highlights {
				word := must[string](t)(sliceBytes(snippet.Text, span))
				if !strings.HasPrefix(fold(word), "nuclear") {
					t.Errorf("highlight %q in %q", word, snippet.Text)
				}
			}
		}
	}
	if snippets == 0 {
		t.Error("no hit has a snippet")
	}
	rest := must[[]*pb.SearchHit](t)(drain[*pb.SearchHit](client.SearchArticles(ctx(t), &pb.SearchArticlesRequest{Query: "nuclear", Cursor: hits[0].Cursor})))
	if len(rest) != len(hits)-1 {
		t.Errorf("resumed search: %d hits, want %d", len(rest), len(hits)-1)
	}
}

func TestEntities(t *testing.T) {
	entities := must[[]*pb.Entity](t)(drain[*pb.Entity](client.ListEntities(ctx(t), &pb.ListEntitiesRequest{})))
	if len(entities) == 0 {
		t.Fatal("no entities")
	}
	var people []string
	for i, e := range entities {
		if i > 0 && e.MentionCount > entities[i-1].MentionCount {
			t.Errorf("not ordered by mention count at %d", i)
		}
		if e.Type == pb.EntityType_ENTITY_TYPE_UNSPECIFIED || int(e.ArticleCount) != len(e.ArticleIds) {
			t.Errorf("entity %s: type %v, %d articles, %d ids", e.Id, e.Type, e.ArticleCount, len(e.ArticleIds))
		}
		if e.Type == pb.EntityType_ENTITY_TYPE_PERSON {
			people = append(people, e.Id)
		}
	}
	top := entities[0]
	// oneof selector { id; name }: a wrapper type per member.
	byID := must[*pb.Entity](t)(client.GetEntity(ctx(t), &pb.GetEntityRequest{Selector: &pb.GetEntityRequest_Id{Id: top.Id}}))
	want := proto.Clone(top).(*pb.Entity)
	want.Cursor = ""
	if !proto.Equal(byID, want) {
		t.Errorf("GetEntity(id) = %v, want the listed entity without cursor %v", byID, want)
	}
	byName := must[*pb.Entity](t)(client.GetEntity(ctx(t), &pb.GetEntityRequest{Selector: &pb.GetEntityRequest_Name{Name: strings.ToUpper(top.Name)}}))
	if byName.Id != top.Id {
		t.Errorf("GetEntity(name) = %s, want %s", byName.Id, top.Id)
	}
	listed := must[[]*pb.Entity](t)(drain[*pb.Entity](client.ListEntities(ctx(t), &pb.ListEntitiesRequest{Type: pb.EntityType_ENTITY_TYPE_PERSON})))
	var got []string
	for _, e := range listed {
		got = append(got, e.Id)
	}
	if !equalStrings(got, people) {
		t.Errorf("PERSON filter: %v, want %v", got, people)
	}
}

func TestMentionSpansSliceTheBody(t *testing.T) {
	total := 0
	for _, a := range articles {
		mentions := must[[]*pb.Mention](t)(drain[*pb.Mention](client.ListMentions(ctx(t), &pb.ListMentionsRequest{ArticleId: a.Id, OffsetEncoding: pb.OffsetEncoding_OFFSET_ENCODING_UTF8})))
		if len(mentions) != int(a.MentionCount) {
			t.Errorf("%s: %d mentions, article says %d", a.Id, len(mentions), a.MentionCount)
		}
		for _, m := range mentions {
			if text := must[string](t)(sliceBytes(a.Body, m.Span)); text != m.Text {
				t.Errorf("%s: span %v is %q, mention says %q", a.Id, m.Span, text, m.Text)
			}
		}
		// Without offset_encoding: code points (runes), and the answer says so.
		body := []rune(a.Body)
		for _, m := range must[[]*pb.Mention](t)(drain[*pb.Mention](client.ListMentions(ctx(t), &pb.ListMentionsRequest{ArticleId: a.Id}))) {
			if text := must[string](t)(sliceRunes(body, m.Span)); text != m.Text {
				t.Errorf("%s: code-point span %v is %q, mention says %q", a.Id, m.Span, text, m.Text)
			}
		}
		total += len(mentions)
	}
	if total == 0 {
		t.Error("no mentions")
	}
}

func TestQuotes(t *testing.T) {
	quotes := must[[]*pb.Quote](t)(drain[*pb.Quote](client.ListQuotes(ctx(t), &pb.ListQuotesRequest{OffsetEncoding: pb.OffsetEncoding_OFFSET_ENCODING_UTF8})))
	if len(quotes) == 0 {
		t.Fatal("no quotes")
	}
	bodies := map[string]string{}
	for _, a := range articles {
		bodies[a.Id] = a.Body
	}
	var speaker *pb.Quote
	for _, q := range quotes {
		if int(q.CorroboratingArticleCount) < len(q.CorroboratingArticleIds) {
			t.Errorf("%s: corroborating_article_count %d < %d ids", q.Id, q.CorroboratingArticleCount, len(q.CorroboratingArticleIds))
		}
		if text := must[string](t)(sliceBytes(bodies[q.ArticleId], q.Span)); text != q.Text {
			t.Errorf("%s: span is %q, quote says %q", q.Id, text, q.Text)
		}
		if q.Kind == pb.QuoteKind_QUOTE_KIND_UNSPECIFIED {
			t.Errorf("%s: kind unspecified", q.Id)
		}
		if speaker == nil && q.SpeakerEntityId != "" && q.SpeakerName != "" {
			speaker = q
		}
	}
	if speaker == nil {
		t.Fatal("no quote has an entity as speaker")
	}
	var want []string
	for _, q := range quotes {
		if q.SpeakerEntityId == speaker.SpeakerEntityId {
			want = append(want, q.Id)
		}
	}
	byName := must[[]*pb.Quote](t)(drain[*pb.Quote](client.ListQuotes(ctx(t), &pb.ListQuotesRequest{Speaker: strings.ToUpper(speaker.SpeakerName)})))
	var got []string
	for _, q := range byName {
		got = append(got, q.Id)
	}
	if !equalStrings(got, want) {
		t.Errorf("speaker %q: %v, want %v", speaker.SpeakerName, got, want)
	}
}

func TestGetQuote(t *testing.T) {
	for _, encoding := range []pb.OffsetEncoding{pb.OffsetEncoding_OFFSET_ENCODING_UNSPECIFIED, pb.OffsetEncoding_OFFSET_ENCODING_UTF8} {
		quotes := must[[]*pb.Quote](t)(drain[*pb.Quote](client.ListQuotes(ctx(t), &pb.ListQuotesRequest{OffsetEncoding: encoding})))
		if len(quotes) == 0 {
			t.Fatal("no quotes")
		}
		for _, listed := range quotes {
			// Every field, the cursor included.
			got := must[*pb.Quote](t)(client.GetQuote(ctx(t), &pb.GetQuoteRequest{Id: listed.Id, OffsetEncoding: encoding}))
			if !proto.Equal(got, listed) {
				t.Errorf("GetQuote(%s, %v):\n got %v\nwant %v", listed.Id, encoding, got, listed)
			}
		}
	}

	_, err := client.GetQuote(ctx(t), &pb.GetQuoteRequest{Id: "not a quote id"})
	d := errorDetails(t, err)
	if status.Code(err) != codes.InvalidArgument || d.reason != "INVALID_FIELD" || !equalStrings(d.fields, []string{"id"}) {
		t.Errorf("GetQuote(malformed id) = %v (reason %q, fields %v)", err, d.reason, d.fields)
	}
	unknown := articles[0].Id + "/q9999"
	_, err = client.GetQuote(ctx(t), &pb.GetQuoteRequest{Id: unknown})
	d = errorDetails(t, err)
	if status.Code(err) != codes.NotFound || d.reason != "QUOTE_NOT_FOUND" || d.resource == nil || d.resource.ResourceName != unknown {
		t.Errorf("GetQuote(unknown id) = %v (reason %q, resource %v)", err, d.reason, d.resource)
	}
}

func TestCorpusStatsEqualStreamedCounts(t *testing.T) {
	stats := must[*pb.GetCorpusStatsResponse](t)(client.GetCorpusStats(ctx(t), &pb.GetCorpusStatsRequest{}))
	entities := must[[]*pb.Entity](t)(drain[*pb.Entity](client.ListEntities(ctx(t), &pb.ListEntitiesRequest{})))
	mentions := must[[]*pb.Mention](t)(drain[*pb.Mention](client.ListMentions(ctx(t), &pb.ListMentionsRequest{})))
	quotes := must[[]*pb.Quote](t)(drain[*pb.Quote](client.ListQuotes(ctx(t), &pb.ListQuotesRequest{})))
	var byType uint64
	for _, c := range stats.EntitiesByType {
		byType += c.Count
	}
	for _, check := range []struct {
		name      string
		got, want uint64
	}{
		{"article_count", stats.ArticleCount, uint64(len(articles))},
		{"article_count (seeds)", stats.ArticleCount, 5},
		{"files_loaded", stats.FilesLoaded, 5},
		{"files_skipped", stats.FilesSkipped, 0},
		{"entity_count", stats.EntityCount, uint64(len(entities))},
		{"mention_count", stats.MentionCount, uint64(len(mentions))},
		{"quote_count", stats.QuoteCount, uint64(len(quotes))},
		{"entities_by_type", byType, stats.EntityCount},
	} {
		if check.got != check.want {
			t.Errorf("%s = %d, want %d", check.name, check.got, check.want)
		}
	}
}

func TestStories(t *testing.T) {
	storyID := articles[0].StoryId
	for _, a := range articles {
		if a.StoryId != storyID {
			t.Fatalf("the seeds are one story: %s vs %s", a.StoryId, storyID)
		}
	}
	story := must[*pb.Story](t)(client.GetStory(ctx(t), &pb.GetStoryRequest{Id: storyID}))
	if story.ArticleCount != 5 || !equalStrings(sortedCopy(story.ArticleIds), sortedCopy(ids(articles))) {
		t.Errorf("story: %d articles %v", story.ArticleCount, story.ArticleIds)
	}
	listed := must[[]*pb.Story](t)(drain[*pb.Story](client.ListStories(ctx(t), &pb.ListStoriesRequest{MinArticles: 2})))
	if len(listed) != 1 || listed[0].Id != storyID {
		t.Errorf("ListStories(min 2) = %v", listed)
	}
}

func TestRelatedEntities(t *testing.T) {
	people := must[[]*pb.Entity](t)(drain[*pb.Entity](client.ListEntities(ctx(t), &pb.ListEntitiesRequest{Type: pb.EntityType_ENTITY_TYPE_PERSON, Limit: 1})))
	if len(people) != 1 {
		t.Fatalf("limit 1 gave %d entities", len(people))
	}
	related := must[[]*pb.EntityRelation](t)(drain[*pb.EntityRelation](client.ListRelatedEntities(ctx(t), &pb.ListRelatedEntitiesRequest{Entity: people[0].Name})))
	if len(related) == 0 {
		t.Fatal("no related entities")
	}
	for i, r := range related {
		if r.SourceEntityId != people[0].Id || r.Score < -1 || r.Score > 1 || (i > 0 && r.Score > related[i-1].Score) {
			t.Errorf("relation %d: %v", i, r)
		}
	}
	edges := must[[]*pb.EntityRelation](t)(drain[*pb.EntityRelation](client.ListRelatedEntities(ctx(t), &pb.ListRelatedEntitiesRequest{MinArticles: 3})))
	if len(edges) == 0 {
		t.Fatal("no edges")
	}
	for _, e := range edges {
		if e.ArticleCount < 3 {
			t.Errorf("edge %s-%s in %d articles", e.SourceEntityId, e.EntityId, e.ArticleCount)
		}
	}
}

func TestAggregateArticles(t *testing.T) {
	answer := must[*pb.AggregateArticlesResponse](t)(client.AggregateArticles(ctx(t), &pb.AggregateArticlesRequest{
		Facets: []*pb.Facet{
			{Kind: pb.FacetKind_FACET_KIND_DATE_HISTOGRAM, Interval: pb.DateInterval_DATE_INTERVAL_DAY},
			{Kind: pb.FacetKind_FACET_KIND_ENTITY, Size: 3, EntityType: pb.EntityType_ENTITY_TYPE_PERSON},
		},
	}))
	if answer.ArticleCount != 5 || len(answer.Results) != 2 {
		t.Fatalf("article_count %d, %d results", answer.ArticleCount, len(answer.Results))
	}
	want := map[string]uint64{}
	var undated uint64
	for _, a := range articles {
		if a.Published == "" {
			undated++
		} else {
			want[a.Published]++
		}
	}
	days := answer.Results[0]
	got := map[string]uint64{}
	for _, b := range days.Buckets {
		got[b.Key] = b.Count
	}
	if len(got) != len(want) || days.UndatedCount != undated {
		t.Errorf("histogram %v (undated %d), want %v (undated %d)", got, days.UndatedCount, want, undated)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("day %s: %d, want %d", k, got[k], v)
		}
	}
	for _, b := range answer.Results[1].Buckets {
		var n uint64
		for _, a := range articles {
			for _, id := range a.EntityIds {
				if id == b.Key {
					n++
				}
			}
		}
		if b.Count != n {
			t.Errorf("entity %s: %d articles, want %d", b.Key, b.Count, n)
		}
	}
}

func TestDeadlineExceeded(t *testing.T) {
	// A watch with nothing new to deliver stays open until its deadline.
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := drain[*pb.Article](client.WatchArticles(c, &pb.WatchArticlesRequest{}))
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("got %v, want DEADLINE_EXCEEDED", err)
	}
}

func TestCancelAStreamMidWay(t *testing.T) {
	// A watch from the start replays the corpus and then stays open, so only
	// the cancellation can end it.
	c, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	watch, err := client.WatchArticles(c, &pb.WatchArticlesRequest{FromStart: true})
	if err != nil {
		t.Fatal(err)
	}
	var taken []*pb.Article
	for len(taken) < 2 {
		taken = append(taken, must[*pb.Article](t)(watch.Recv()))
	}
	cancel()
	for {
		_, err := watch.Recv()
		if err != nil {
			if status.Code(err) != codes.Canceled {
				t.Fatalf("after cancel: %v, want CANCELED", err)
			}
			break
		}
	}
	rest := must[[]*pb.Article](t)(collectArticles(ctx(t), &pb.ListArticlesRequest{Cursor: taken[1].Cursor}))
	if got := append(ids(taken), ids(rest)...); !equalStrings(got, ids(articles)) {
		t.Errorf("taken + resumed = %v, want %v", got, ids(articles))
	}
}

func TestGzip(t *testing.T) {
	conn, err := grpc.Dial(shared.addr, grpc.WithInsecure(), grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	gz := pb.NewCorpusServiceClient(conn)
	listed := must[[]*pb.Article](t)(drain[*pb.Article](gz.ListArticles(ctx(t), &pb.ListArticlesRequest{})))
	if len(listed) != len(articles) {
		t.Fatalf("%d articles over gzip", len(listed))
	}
	for i := range listed {
		if !proto.Equal(listed[i], articles[i]) {
			t.Errorf("article %d differs over gzip", i)
		}
	}
	stats := must[*pb.GetCorpusStatsResponse](t)(gz.GetCorpusStats(ctx(t), &pb.GetCorpusStatsRequest{}, grpc.UseCompressor(gzip.Name)))
	if stats.ArticleCount != 5 {
		t.Errorf("article_count %d over gzip", stats.ArticleCount)
	}
}

// details is what grpc-status-details-bin (a google.rpc.Status) carries.
type details struct {
	fields   []string // google.rpc.BadRequest violations
	reason   string   // google.rpc.ErrorInfo.Reason
	domain   string   // google.rpc.ErrorInfo.Domain
	resource *errdetails.ResourceInfo
	retry    *errdetails.RetryInfo
}

// errorDetails decodes the rich details of a gRPC error; errdetails (imported
// above) registers the types, so Details() returns them decoded.
func errorDetails(t *testing.T, err error) details {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || err == nil {
		t.Fatalf("not a gRPC error: %v", err)
	}
	var d details
	for _, detail := range st.Details() {
		switch x := detail.(type) {
		case *errdetails.BadRequest:
			for _, v := range x.GetFieldViolations() {
				if v.GetDescription() == "" {
					t.Errorf("violation of %s without a description", v.GetField())
				}
				d.fields = append(d.fields, v.GetField())
			}
		case *errdetails.ErrorInfo:
			if d.reason != "" {
				t.Errorf("two ErrorInfo details: %s and %s", d.reason, x.Reason)
			}
			d.reason, d.domain = x.Reason, x.Domain
		case *errdetails.ResourceInfo:
			d.resource = x
		case *errdetails.RetryInfo:
			d.retry = x
		case error:
			t.Errorf("undecodable detail: %v", x)
		}
	}
	if d.domain != "newscorpus" {
		t.Errorf("%v: ErrorInfo domain %q (reason %q), want newscorpus", err, d.domain, d.reason)
	}
	return d
}

// badRequestFields returns the fields of the google.rpc.BadRequest violations of an error.
func badRequestFields(t *testing.T, err error) []string {
	t.Helper()
	return errorDetails(t, err).fields
}

func TestInvalidArgumentDetails(t *testing.T) {
	cases := []struct {
		name  string
		call  func() error
		field string
	}{
		{"bad cursor", func() error {
			_, err := collectArticles(ctx(t), &pb.ListArticlesRequest{Cursor: "not a cursor!"})
			return err
		}, "cursor"},
		{"negative limit", func() error {
			_, err := collectArticles(ctx(t), &pb.ListArticlesRequest{Limit: -1})
			return err
		}, "limit"},
		{"empty query", func() error {
			_, err := drain[*pb.SearchHit](client.SearchArticles(ctx(t), &pb.SearchArticlesRequest{Query: " "}))
			return err
		}, "query"},
		{"unknown kind", func() error {
			_, err := drain[*pb.Quote](client.ListQuotes(ctx(t), &pb.ListQuotesRequest{Kind: 42}))
			return err
		}, "kind"},
		{"bad date", func() error {
			_, err := collectArticles(ctx(t), &pb.ListArticlesRequest{Filter: &pb.ArticleFilter{PublishedFrom: "yesterday"}})
			return err
		}, "filter.published_from"},
		{"no facets", func() error {
			_, err := client.AggregateArticles(ctx(t), &pb.AggregateArticlesRequest{})
			return err
		}, "facets"},
	}
	for _, c := range cases {
		err := c.call()
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want INVALID_ARGUMENT", c.name, err)
			continue
		}
		fields := badRequestFields(t, err)
		found := false
		for _, f := range fields {
			found = found || f == c.field
		}
		if !found {
			t.Errorf("%s: violations %v, want one on %q", c.name, fields, c.field)
		}
	}
}

func TestNotFound(t *testing.T) {
	cases := []struct {
		name, id, reason string
		call             func() error
	}{
		{"GetArticle", "no-such-article", "ARTICLE_NOT_FOUND", func() error {
			_, err := client.GetArticle(ctx(t), &pb.GetArticleRequest{Id: "no-such-article"})
			return err
		}},
		{"GetEntity", "person/nobody-atall-xyzzy", "ENTITY_NOT_FOUND", func() error {
			_, err := client.GetEntity(ctx(t), &pb.GetEntityRequest{Selector: &pb.GetEntityRequest_Id{Id: "person/nobody-atall-xyzzy"}})
			return err
		}},
		{"GetStory", "story/0000000000000000", "STORY_NOT_FOUND", func() error {
			_, err := client.GetStory(ctx(t), &pb.GetStoryRequest{Id: "story/0000000000000000"})
			return err
		}},
	}
	for _, c := range cases {
		err := c.call()
		if st, _ := status.FromError(err); st.Code() != codes.NotFound || !strings.Contains(st.Message(), "not found") {
			t.Errorf("%s(unknown) = %v, want NOT_FOUND", c.name, err)
			continue
		}
		d := errorDetails(t, err)
		if d.reason != c.reason || d.resource == nil || d.resource.ResourceName != c.id {
			t.Errorf("%s: reason %q, ResourceInfo %v; want %s naming %q", c.name, d.reason, d.resource, c.reason, c.id)
		}
	}
}

func TestErrorInfo(t *testing.T) {
	mentions := must[[]*pb.Mention](t)(drain[*pb.Mention](client.ListMentions(ctx(t), &pb.ListMentionsRequest{Limit: 1})))
	if len(mentions) != 1 || mentions[0].Cursor == "" {
		t.Fatalf("ListMentions(limit 1): %v", mentions)
	}
	cases := []struct {
		name          string
		call          func() error
		code          codes.Code
		field, reason string
	}{
		{"limit -1", func() error {
			_, err := collectArticles(ctx(t), &pb.ListArticlesRequest{Limit: -1})
			return err
		}, codes.InvalidArgument, "limit", "LIMIT_INVALID"},
		{"garbage cursor", func() error {
			_, err := collectArticles(ctx(t), &pb.ListArticlesRequest{Cursor: "not a cursor!"})
			return err
		}, codes.InvalidArgument, "cursor", "CURSOR_INVALID"},
		{"ListMentions cursor to ListQuotes", func() error { // a real cursor, of another listing
			_, err := drain[*pb.Quote](client.ListQuotes(ctx(t), &pb.ListQuotesRequest{Cursor: mentions[0].Cursor}))
			return err
		}, codes.InvalidArgument, "cursor", "CURSOR_WRONG_LISTING"},
		{"offset_encoding 9", func() error {
			_, err := drain[*pb.Mention](client.ListMentions(ctx(t), &pb.ListMentionsRequest{OffsetEncoding: 9}))
			return err
		}, codes.InvalidArgument, "offset_encoding", "ENUM_VALUE_UNKNOWN"},
		{"search offset_encoding 9", func() error {
			_, err := drain[*pb.SearchHit](client.SearchArticles(ctx(t), &pb.SearchArticlesRequest{Query: "nuclear", OffsetEncoding: 9}))
			return err
		}, codes.InvalidArgument, "offset_encoding", "ENUM_VALUE_UNKNOWN"},
		{"bad date", func() error {
			_, err := collectArticles(ctx(t), &pb.ListArticlesRequest{Filter: &pb.ArticleFilter{PublishedTo: "2024-13-01"}})
			return err
		}, codes.InvalidArgument, "filter.published_to", "DATE_INVALID"},
		{"GetEntity without selector", func() error {
			_, err := client.GetEntity(ctx(t), &pb.GetEntityRequest{})
			return err
		}, codes.InvalidArgument, "selector", "FIELD_REQUIRED"},
		{"GetEntity with an empty id", func() error {
			_, err := client.GetEntity(ctx(t), &pb.GetEntityRequest{Selector: &pb.GetEntityRequest_Id{}})
			return err
		}, codes.InvalidArgument, "id", "FIELD_REQUIRED"},
		{"unknown article", func() error {
			_, err := client.GetArticle(ctx(t), &pb.GetArticleRequest{Id: "no-such-article"})
			return err
		}, codes.NotFound, "", "ARTICLE_NOT_FOUND"},
	}
	for _, c := range cases {
		err := c.call()
		if status.Code(err) != c.code {
			t.Errorf("%s: %v, want %v", c.name, err, c.code)
			continue
		}
		d := errorDetails(t, err)
		if d.reason != c.reason {
			t.Errorf("%s: reason %q, want %q", c.name, d.reason, c.reason)
		}
		if c.field != "" && !equalStrings(d.fields, []string{c.field}) {
			t.Errorf("%s: violations %v, want one on %q", c.name, d.fields, c.field)
		}
		if c.field == "" && (d.resource == nil || d.resource.ResourceName != "no-such-article") {
			t.Errorf("%s: ResourceInfo %v", c.name, d.resource)
		}
		if d.retry != nil {
			t.Errorf("%s: RetryInfo %v on an error that retrying will not fix", c.name, d.retry)
		}
	}
}

const newArticle = "Harbour council approves new tidal energy plant\n\n" +
	"The Port Elsworth harbour council on Tuesday approved a tidal energy plant " +
	"that will power 40,000 homes.\n\n" +
	"\"This is the biggest decision the council has taken in a generation,\" said " +
	"council chair Margaret Okonkwo-Hale.\n\n" +
	"Engineers from Tidewell Energy said construction would start next spring.\n"

// ingest sends items on one IngestArticles stream, each after the previous answer.
func ingest(t *testing.T, c pb.CorpusServiceClient, items ...*pb.IngestArticlesRequest) []*pb.IngestArticlesResponse {
	t.Helper()
	stream, err := c.IngestArticles(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var answers []*pb.IngestArticlesResponse
	for _, item := range items {
		if err := stream.Send(item); err != nil {
			t.Fatal(err)
		}
		answers = append(answers, must[*pb.IngestArticlesResponse](t)(stream.Recv()))
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Fatalf("after the last answer: %v, want EOF", err)
	}
	return answers
}

func TestIngestAndWatch(t *testing.T) {
	private, err := launch("empty", "--data-dir", filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer private.stop()
	c := pb.NewCorpusServiceClient(private.conn)

	answers := ingest(t, c,
		&pb.IngestArticlesRequest{Text: newArticle, Outlet: "Elsworth Gazette", Published: "2024-05-14", ClientRef: "good"},
		&pb.IngestArticlesRequest{Text: "", ClientRef: "bad"},
		&pb.IngestArticlesRequest{Text: newArticle, Outlet: "Elsworth Gazette", ClientRef: "again"},
	)
	good, bad, again := answers[0], answers[1], answers[2]
	for i, a := range answers {
		if a.Index != uint64(i) || a.ClientRef != []string{"good", "bad", "again"}[i] {
			t.Errorf("answer %d: index %d, client_ref %q", i, a.Index, a.ClientRef)
		}
	}
	if good.Status != pb.IngestStatus_INGEST_STATUS_CREATED || good.ArticleId == "" || good.Cursor == "" || good.Error != nil {
		t.Errorf("good item: %v", good)
	}
	if bad.Status != pb.IngestStatus_INGEST_STATUS_FAILED || bad.GetError().GetCode() != int32(codes.InvalidArgument) ||
		bad.GetError().GetField() != "text" || bad.ArticleId != "" || bad.Cursor != "" {
		t.Errorf("bad item: %v", bad)
	}
	if again.Status != pb.IngestStatus_INGEST_STATUS_DUPLICATE || again.ArticleId != good.ArticleId {
		t.Errorf("duplicate item: %v", again)
	}
	stats := must[*pb.GetCorpusStatsResponse](t)(c.GetCorpusStats(ctx(t), &pb.GetCorpusStatsRequest{}))
	if stats.ArticleCount != 1 || stats.DuplicatesIgnored != 1 {
		t.Errorf("stats after ingest: %v", stats)
	}

	// Watch from the start: the stored article is replayed (the subscription
	// is live), then an article ingested by another client (its own
	// connection) arrives.
	wctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	watch, err := c.WatchArticles(wctx, &pb.WatchArticlesRequest{FromStart: true})
	if err != nil {
		t.Fatal(err)
	}
	if first := must[*pb.Article](t)(watch.Recv()); first.Id != good.ArticleId {
		t.Fatalf("replayed %s, want %s", first.Id, good.ArticleId)
	}
	otherConn, err := grpc.Dial(private.addr, grpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	defer otherConn.Close()
	// An emoji before the entities: spans count code points (runes), so byte
	// offsets into the body would be off from there on.
	second := strings.NewReplacer("Tuesday", "Wednesday", "40,000", "45,000",
		"The Port Elsworth", "\U0001F30A The Port Elsworth").Replace(newArticle)
	created := ingest(t, pb.NewCorpusServiceClient(otherConn), &pb.IngestArticlesRequest{Text: second, ClientRef: "live"})[0]
	if created.Status != pb.IngestStatus_INGEST_STATUS_CREATED {
		t.Fatalf("second ingest: %v", created)
	}
	live := must[*pb.Article](t)(watch.Recv())
	if live.Id != created.ArticleId || !strings.Contains(live.Body, "45,000") {
		t.Errorf("watch got %s, want %s", live.Id, created.ArticleId)
	}
	cancel()
	if _, err := watch.Recv(); status.Code(err) != codes.Canceled {
		t.Errorf("after cancel: %v", err)
	}

	// Default spans count code points (runes).
	body := []rune(live.Body)
	mentions := must[[]*pb.Mention](t)(drain[*pb.Mention](c.ListMentions(ctx(t), &pb.ListMentionsRequest{ArticleId: live.Id})))
	if len(mentions) == 0 {
		t.Fatal("no mentions in the new article")
	}
	byteOffsetsDiffer := false
	for _, m := range mentions {
		if text := must[string](t)(sliceRunes(body, m.Span)); text != m.Text {
			t.Errorf("span %v is %q, mention says %q", m.Span, text, m.Text)
		}
		if int(m.Span.End) > len(live.Body) || live.Body[m.Span.Start:m.Span.End] != m.Text {
			byteOffsetsDiffer = true
		}
	}
	if !byteOffsetsDiffer {
		t.Error("default spans look like byte offsets; the Span doc says code points")
	}

	if err := private.stop(); err != nil {
		t.Errorf("private server did not exit 0 on SIGTERM: %v", err)
	}
}

// TestUTF8Offsets ingests an article with emoji and astral letters before and
// inside its mentions, quote and searched words, asks for UTF-8 offsets, and
// slices Go strings natively; UTF-16 offsets are checked too, and default
// (code point) offsets are shown to be wrong for byte slicing.
func TestUTF8Offsets(t *testing.T) {
	private, err := launch("empty")
	if err != nil {
		t.Fatal(err)
	}
	defer private.stop()
	c := pb.NewCorpusServiceClient(private.conn)
	created := ingest(t, c, &pb.IngestArticlesRequest{Text: unicodeArticle, ClientRef: "astral"})[0]
	if created.Status != pb.IngestStatus_INGEST_STATUS_CREATED {
		t.Fatalf("ingest: %v", created)
	}
	id := created.ArticleId
	body := must[*pb.Article](t)(c.GetArticle(ctx(t), &pb.GetArticleRequest{Id: id})).Body
	astral := func(s string) bool {
		for _, r := range s {
			if r > 0xFFFF {
				return true
			}
		}
		return false
	}
	if !astral(body) {
		t.Fatalf("no astral characters left in the body %q", body)
	}

	mentions := must[[]*pb.Mention](t)(drain[*pb.Mention](c.ListMentions(ctx(t), &pb.ListMentionsRequest{ArticleId: id, OffsetEncoding: pb.OffsetEncoding_OFFSET_ENCODING_UTF8})))
	found, after := false, false
	for _, m := range mentions {
		if text := must[string](t)(sliceBytes(body, m.Span)); text != m.Text {
			t.Errorf("UTF-8 span %v is %q, mention says %q", m.Span, text, m.Text)
		}
		found = found || m.Text == "Marta Souza"
		after = after || astral(body[:m.Span.Start])
	}
	if !found || !after {
		t.Errorf("want a mention of Marta Souza, and one after an astral character: %v", mentions)
	}

	quotes := must[[]*pb.Quote](t)(drain[*pb.Quote](c.ListQuotes(ctx(t), &pb.ListQuotesRequest{ArticleId: id, OffsetEncoding: pb.OffsetEncoding_OFFSET_ENCODING_UTF8})))
	var quote *pb.Quote
	for _, q := range quotes {
		if text := must[string](t)(sliceBytes(body, q.Span)); text != q.Text {
			t.Errorf("UTF-8 quote span %v is %q, quote says %q", q.Span, text, q.Text)
		}
		if strings.Contains(q.Text, "years for this") {
			quote = q
		}
	}
	if quote == nil || !astral(quote.Text) {
		t.Fatalf("no quote with astral characters: %v", quotes)
	}
	got := must[*pb.Quote](t)(c.GetQuote(ctx(t), &pb.GetQuoteRequest{Id: quote.Id, OffsetEncoding: pb.OffsetEncoding_OFFSET_ENCODING_UTF8}))
	if !proto.Equal(got, quote) {
		t.Errorf("GetQuote in UTF-8:\n got %v\nwant %v", got, quote)
	}

	// UTF-16 offsets index the string's UTF-16 encoding.
	units := utf16.Encode([]rune(body))
	for _, m := range must[[]*pb.Mention](t)(drain[*pb.Mention](c.ListMentions(ctx(t), &pb.ListMentionsRequest{ArticleId: id, OffsetEncoding: pb.OffsetEncoding_OFFSET_ENCODING_UTF16}))) {
		if m.Span.Encoding != pb.OffsetEncoding_OFFSET_ENCODING_UTF16 || int(m.Span.End) > len(units) ||
			string(utf16.Decode(units[m.Span.Start:m.Span.End])) != m.Text {
			t.Errorf("UTF-16 span %v for %q", m.Span, m.Text)
		}
	}

	// Search highlights index Snippet.text; searchable within ~0.5 s of the ingest.
	var hit *pb.SearchHit
	for until := time.Now().Add(10 * time.Second); hit == nil; {
		hits := must[[]*pb.SearchHit](t)(drain[*pb.SearchHit](c.SearchArticles(ctx(t), &pb.SearchArticlesRequest{Query: "harbour", MaxSnippets: 3, OffsetEncoding: pb.OffsetEncoding_OFFSET_ENCODING_UTF8})))
		for _, h := range hits {
			if h.ArticleId == id {
				hit = h
			}
		}
		if hit == nil {
			if time.Now().After(until) {
				t.Fatal("the ingested article is not searchable after 10 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	highlights, emojiBefore := 0, false
	for _, snippet := range hit.Snippets {
		for _, span := range snippet.Highlights {
			highlights++
			if word := must[string](t)(sliceBytes(snippet.Text, span)); fold(word) != "harbour" {
				t.Errorf("highlight %q in %q", word, snippet.Text)
			}
			emojiBefore = emojiBefore || astral(snippet.Text[:span.Start])
		}
	}
	if highlights == 0 || !emojiBefore {
		t.Errorf("want highlights, one after an emoji: %v", hit.Snippets)
	}

	// Without offset_encoding: code points, right for []rune, wrong for bytes.
	runes := []rune(body)
	wrong := false
	for _, m := range must[[]*pb.Mention](t)(drain[*pb.Mention](c.ListMentions(ctx(t), &pb.ListMentionsRequest{ArticleId: id}))) {
		if text := must[string](t)(sliceRunes(runes, m.Span)); text != m.Text {
			t.Errorf("code-point span %v is %q, mention says %q", m.Span, text, m.Text)
		}
		wrong = wrong || int(m.Span.End) > len(body) || body[m.Span.Start:m.Span.End] != m.Text
	}
	if !wrong {
		t.Error("code-point spans sliced every mention right as bytes: the astral characters did not matter")
	}
}
