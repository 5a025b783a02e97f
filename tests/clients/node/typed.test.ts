// Route (b): the typed TypeScript client. Messages and the service descriptor
// are generated from proto/ by protoc-gen-es v2 (`buf generate`, see
// buf.gen.yaml here); @connectrpc/connect-node speaks gRPC over HTTP/2.
//
// Every RPC of newscorpus.v1.CorpusService is called against a real server on
// a loopback port, plus deadlines, cancellation, gzip and rich error details.
// Gotchas shown here: uint64 fields are `bigint` (JSON.stringify needs a
// replacer, or use @bufbuild/protobuf's toJson), and the generated code is
// ESM, so package.json has "type": "module".

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { create, equals, toJson as protoToJson } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { compressionGzip, createGrpcTransport } from "@connectrpc/connect-node";
import {
  CorpusService,
  DateInterval,
  FacetKind,
  GetCorpusStatsResponseSchema,
  IngestArticlesRequestSchema,
  IngestStatus,
  StoryOrder,
  type IngestArticlesRequest,
  type IngestArticlesResponse,
} from "./gen/newscorpus/v1/corpus_service_pb.js";
import {
  ArticleSchema,
  ArticleView,
  EntitySchema,
  EntityType,
  OffsetEncoding,
  QuoteKind,
  QuoteSchema,
  type Article,
} from "./gen/newscorpus/v1/types_pb.js";
import { BadRequestSchema, ErrorInfoSchema, ResourceInfoSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import {
  CALL_TIMEOUT_MS,
  NEW_ARTICLE,
  SECOND_ARTICLE,
  Server,
  UNICODE_ARTICLE,
  countByDay,
  fold,
  launch,
  seedFiles,
  sliceCodePoints,
  sliceUtf16,
  toJson,
} from "./harness.js";

type Corpus = Client<typeof CorpusService>;

/**
 * gRPC (not Connect or gRPC-web) over HTTP/2 without TLS, as the server speaks.
 * connect-node v2's gRPC transport is always HTTP/2: it has no `httpVersion`
 * option (v1 needed `httpVersion: "2"`; createConnectTransport still takes one).
 */
function transport(address: string, gzip = false): Transport {
  return createGrpcTransport({
    baseUrl: `http://${address}`,
    defaultTimeoutMs: CALL_TIMEOUT_MS,
    ...(gzip ? { sendCompression: compressionGzip, acceptCompression: [compressionGzip] } : {}),
  });
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** Client-streaming requests are an AsyncIterable. */
async function* stream<T>(...items: T[]): AsyncIterable<T> {
  yield* items;
}

/** The ConnectError a call fails with (the test fails if it succeeds). */
async function failure(run: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await run();
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new assert.AssertionError({ message: "the call succeeded but should have failed" });
}

/** Field names of the google.rpc.BadRequest violations (decoded from grpc-status-details-bin). */
function badRequestFields(error: ConnectError): string[] {
  return error.findDetails(BadRequestSchema).flatMap((bad) =>
    bad.fieldViolations.map((violation) => {
      assert.ok(violation.description, "a violation says what is wrong");
      return violation.field;
    }),
  );
}

/** The google.rpc.ErrorInfo reason of an error (exactly one ErrorInfo, domain "newscorpus"). */
function reason(error: ConnectError): string {
  const infos = error.findDetails(ErrorInfoSchema);
  assert.equal(infos.length, 1, `one ErrorInfo on ${error.message}`);
  assert.equal(infos[0]!.domain, "newscorpus");
  return infos[0]!.reason;
}

/** Polls SearchArticles until `articleId` is a hit (ingested articles become searchable within ~0.5 s). */
async function searchUntilFound(client: Corpus, query: string, articleId: string, offsetEncoding?: OffsetEncoding) {
  const until = Date.now() + 10_000;
  for (;;) {
    const hits = await collect(client.searchArticles({ query, maxSnippets: 3, offsetEncoding }));
    const hit = hits.find((h) => h.articleId === articleId);
    if (hit) return hit;
    assert.ok(Date.now() < until, `${articleId} not searchable after 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("typed client (protoc-gen-es + @connectrpc/connect-node)", () => {
  let server: Server;
  let client: Corpus;
  let articles: Article[];

  before(async () => {
    server = await launch();
    client = createClient(CorpusService, transport(server.address));
    articles = await collect(client.listArticles({}));
  });

  after(async () => {
    const code = await server?.stop();
    assert.equal(code, 0, "the server exits 0 on SIGTERM");
  });

  it("ListArticles streams the 5 seed articles", () => {
    assert.equal(articles.length, 5);
    assert.deepEqual(articles.map((a) => a.source).sort(), seedFiles());
    assert.equal(new Set(articles.map((a) => a.id)).size, 5);
    for (const article of articles) {
      assert.ok(article.id && article.cursor);
      assert.equal(article.paragraphs.join("\n\n"), article.body);
    }
  });

  it("ListArticles resumes from a cursor without overlap", async () => {
    const firstTwo = await collect(client.listArticles({ limit: 2, view: ArticleView.BASIC }));
    assert.deepEqual(firstTwo.map((a) => a.id), articles.slice(0, 2).map((a) => a.id));
    assert.ok(firstTwo.every((a) => a.body === "" && a.paragraphs.length === 0), "BASIC view has no body");
    const rest = await collect(client.listArticles({ cursor: firstTwo[1]!.cursor }));
    assert.deepEqual(rest.map((a) => a.id), articles.slice(2).map((a) => a.id));
    assert.equal(new Set([...firstTwo, ...rest].map((a) => a.id)).size, 5, "no overlap");
  });

  it("GetArticle returns the listed article (without a cursor)", async () => {
    const listed = articles[0]!;
    const got = await client.getArticle({ id: listed.id });
    assert.equal(got.cursor, "");
    assert.ok(equals(ArticleSchema, got, create(ArticleSchema, { ...listed, cursor: "" })));
  });

  it("SearchArticles ranks hits; highlights in UTF-16 units slice the snippet", async () => {
    const hits = await collect(client.searchArticles({ query: "nuclear", maxSnippets: 2, offsetEncoding: OffsetEncoding.UTF16 }));
    assert.ok(hits.length > 0);
    const scores = hits.map((h) => h.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    const snippets = hits.flatMap((h) => h.snippets);
    assert.ok(snippets.length > 0);
    assert.ok(hits.every((h) => h.snippets.length <= 2));
    for (const snippet of snippets) {
      for (const span of snippet.highlights) {
        assert.equal(span.encoding, OffsetEncoding.UTF16);
        assert.ok(fold(sliceUtf16(snippet.text, span)).startsWith("nuclear"));
      }
    }
    // Resume a search after its first hit.
    const rest = await collect(client.searchArticles({ query: "nuclear", cursor: hits[0]!.cursor }));
    assert.deepEqual(rest.map((h) => h.articleId), hits.slice(1).map((h) => h.articleId));
  });

  it("GetEntity and ListEntities agree; ordered by mention count", async () => {
    const entities = await collect(client.listEntities({}));
    assert.ok(entities.length > 0);
    const counts = entities.map((e) => e.mentionCount);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    assert.ok(entities.every((e) => e.type !== EntityType.UNSPECIFIED && e.aliases.includes(e.name)));
    const top = entities[0]!;
    // `oneof selector { id; name }`: protoc-gen-es v2 makes it { case, value }.
    const byId = await client.getEntity({ selector: { case: "id", value: top.id } });
    assert.ok(equals(EntitySchema, byId, create(EntitySchema, { ...top, cursor: "" })), "GetEntity answers the listed entity");
    const byName = await client.getEntity({ selector: { case: "name", value: top.name.toUpperCase() } });
    assert.equal(byName.id, top.id);
    const people = await collect(client.listEntities({ type: EntityType.PERSON }));
    assert.deepEqual(
      people.map((e) => e.id),
      entities.filter((e) => e.type === EntityType.PERSON).map((e) => e.id),
    );
    const popular = await collect(client.listEntities({ minMentions: 2 }));
    assert.deepEqual(popular.map((e) => e.id), entities.filter((e) => e.mentionCount >= 2).map((e) => e.id));
  });

  it("ListMentions spans slice the article body (UTF-16 natively; code points by default)", async () => {
    let total = 0;
    for (const article of articles) {
      const mentions = await collect(client.listMentions({ articleId: article.id, offsetEncoding: OffsetEncoding.UTF16 }));
      assert.equal(mentions.length, article.mentionCount);
      for (const mention of mentions) {
        assert.equal(mention.span?.encoding, OffsetEncoding.UTF16);
        assert.equal(sliceUtf16(article.body, mention.span), mention.text);
        assert.ok(article.entityIds.includes(mention.entityId));
      }
      const points = Array.from(article.body);
      for (const mention of await collect(client.listMentions({ articleId: article.id }))) {
        assert.equal(mention.span?.encoding, OffsetEncoding.CODE_POINTS, "unspecified means code points");
        assert.equal(sliceCodePoints(points, mention.span), mention.text);
      }
      total += mentions.length;
    }
    assert.ok(total > 0);
  });

  it("ListQuotes spans slice the body; kind and speaker filters", async () => {
    const quotes = await collect(client.listQuotes({ offsetEncoding: OffsetEncoding.UTF16 }));
    assert.ok(quotes.length > 0);
    const bodies = new Map(articles.map((a) => [a.id, a.body]));
    for (const quote of quotes) {
      assert.equal(quote.span?.encoding, OffsetEncoding.UTF16);
      assert.equal(sliceUtf16(bodies.get(quote.articleId)!, quote.span), quote.text, quote.id);
      assert.notEqual(quote.kind, QuoteKind.UNSPECIFIED);
    }
    const direct = await collect(client.listQuotes({ kind: QuoteKind.DIRECT }));
    assert.deepEqual(direct.map((q) => q.id), quotes.filter((q) => q.kind === QuoteKind.DIRECT).map((q) => q.id));
    const attributed = quotes.find((q) => q.speakerEntityId);
    assert.ok(attributed);
    const bySpeaker = await collect(client.listQuotes({ speaker: attributed.speakerEntityId }));
    assert.deepEqual(
      bySpeaker.map((q) => q.id),
      quotes.filter((q) => q.speakerEntityId === attributed.speakerEntityId).map((q) => q.id),
    );
  });

  it("GetQuote returns the listed quote; bad and unknown ids", async () => {
    for (const encoding of [OffsetEncoding.UNSPECIFIED, OffsetEncoding.UTF16]) {
      const quotes = await collect(client.listQuotes({ offsetEncoding: encoding }));
      assert.ok(quotes.length > 0);
      for (const listed of quotes) {
        // Every field, the cursor included.
        const got = await client.getQuote({ id: listed.id, offsetEncoding: encoding });
        assert.ok(equals(QuoteSchema, got, listed), `${listed.id}: ${toJson(got)} vs ${toJson(listed)}`);
      }
    }
    const [first] = await collect(client.listQuotes({ limit: 1 }));
    const malformed = await failure(() => client.getQuote({ id: "not a quote id" }));
    assert.equal(malformed.code, Code.InvalidArgument, malformed.message);
    assert.deepEqual(badRequestFields(malformed), ["id"]);
    assert.equal(reason(malformed), "INVALID_FIELD");
    const unknownId = `${first!.articleId}/q9999`;
    const unknown = await failure(() => client.getQuote({ id: unknownId }));
    assert.equal(unknown.code, Code.NotFound, unknown.message);
    assert.equal(reason(unknown), "QUOTE_NOT_FOUND");
    assert.deepEqual(unknown.findDetails(ResourceInfoSchema).map((r) => r.resourceName), [unknownId]);
  });

  it("GetCorpusStats counts equal the streamed counts (uint64 as bigint)", async () => {
    const stats = await client.getCorpusStats({});
    assert.equal(typeof stats.articleCount, "bigint");
    const [entities, mentions, quotes] = await Promise.all([
      collect(client.listEntities({})),
      collect(client.listMentions({})),
      collect(client.listQuotes({})),
    ]);
    assert.equal(stats.articleCount, BigInt(articles.length));
    assert.equal(stats.articleCount, 5n);
    assert.equal(stats.filesLoaded, 5n);
    assert.equal(stats.filesSkipped, 0n);
    assert.equal(stats.entityCount, BigInt(entities.length));
    assert.equal(stats.mentionCount, BigInt(mentions.length));
    assert.equal(stats.quoteCount, BigInt(quotes.length));
    assert.equal(stats.entitiesByType.reduce((sum, c) => sum + c.count, 0n), stats.entityCount);
    // The bigint gotcha: plain JSON.stringify throws; use a replacer or protobuf's toJson.
    assert.throws(() => JSON.stringify(stats), TypeError);
    assert.equal(JSON.parse(toJson(stats)).articleCount, "5");
    const json = protoToJson(GetCorpusStatsResponseSchema, stats) as { articleCount?: string };
    assert.equal(json.articleCount, "5", "proto3 JSON writes uint64 as a string");
  });

  it("GetStory and ListStories: the seeds are one story", async () => {
    const storyIds = [...new Set(articles.map((a) => a.storyId))];
    assert.equal(storyIds.length, 1);
    const story = await client.getStory({ id: storyIds[0]! });
    assert.equal(story.articleCount, 5);
    assert.deepEqual([...story.articleIds].sort(), articles.map((a) => a.id).sort());
    const listed = await collect(client.listStories({ minArticles: 2, order: StoryOrder.RECENT }));
    assert.deepEqual(listed.map((s) => s.id), storyIds);
    const inStory = await collect(client.listArticles({ filter: { storyId: storyIds[0]! } }));
    assert.equal(inStory.length, 5);
  });

  it("ListRelatedEntities: one entity's relations and the edge list", async () => {
    const [top] = await collect(client.listEntities({ type: EntityType.PERSON, limit: 1 }));
    assert.ok(top);
    const related = await collect(client.listRelatedEntities({ entity: top.id }));
    assert.ok(related.length > 0 && related.every((r) => r.sourceEntityId === top.id));
    const scores = related.map((r) => r.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    const edges = await collect(client.listRelatedEntities({ minArticles: 3 }));
    assert.ok(edges.length > 0 && edges.every((e) => e.articleCount >= 3));
  });

  it("AggregateArticles: histogram and entity facet match the articles", async () => {
    const answer = await client.aggregateArticles({
      facets: [
        { kind: FacetKind.DATE_HISTOGRAM, interval: DateInterval.DAY },
        { kind: FacetKind.ENTITY, size: 3, entityType: EntityType.PERSON },
        { kind: FacetKind.OUTLET },
      ],
    });
    assert.equal(answer.articleCount, 5n);
    const [days, people, outlets] = answer.results;
    assert.equal(days!.facet?.kind, FacetKind.DATE_HISTOGRAM, "the facet as asked");
    assert.deepEqual(new Map(days!.buckets.map((b) => [b.key, Number(b.count)])), countByDay(articles));
    assert.equal(days!.undatedCount, BigInt(articles.filter((a) => !a.published).length));
    for (const bucket of people!.buckets) {
      assert.equal(bucket.count, BigInt(articles.filter((a) => a.entityIds.includes(bucket.key)).length));
    }
    const outletTotal = outlets!.buckets.reduce((sum, b) => sum + b.count, 0n) + outlets!.otherCount;
    assert.equal(outletTotal, BigInt(articles.filter((a) => a.outlet).length));
  });

  it("a deadline that expires gives DEADLINE_EXCEEDED", async () => {
    // A watch with nothing new to deliver stays open until its deadline.
    const error = await failure(() => collect(client.watchArticles({}, { timeoutMs: 300 })));
    assert.equal(error.code, Code.DeadlineExceeded, error.message);
  });

  it("cancelling a stream mid-way, then resuming from the last cursor", async () => {
    // A watch from the start replays the corpus and then stays open, so only
    // the cancellation can end it.
    const abort = new AbortController();
    const taken: Article[] = [];
    const error = await failure(async () => {
      for await (const article of client.watchArticles({ fromStart: true }, { signal: abort.signal })) {
        taken.push(article);
        if (taken.length === 2) abort.abort();
      }
    });
    assert.equal(error.code, Code.Canceled, error.message);
    // Messages already received may still be yielded after abort(); never more than the replay.
    assert.ok(taken.length >= 2 && taken.length <= 5, `${taken.length} articles`);
    const rest = await collect(client.listArticles({ cursor: taken[1]!.cursor }));
    assert.deepEqual([...taken.slice(0, 2), ...rest].map((a) => a.id), articles.map((a) => a.id));
    assert.equal((await client.getCorpusStats({})).articleCount, 5n, "the server carries on");
  });

  it("gzip-compressed calls", async () => {
    const gzip = createClient(CorpusService, transport(server.address, true));
    const encodings: (string | null)[] = [];
    const listed = await collect(gzip.listArticles({}, { onHeader: (h) => encodings.push(h.get("grpc-encoding")) }));
    assert.ok(listed.every((a, i) => equals(ArticleSchema, a, articles[i]!)));
    const stats = await gzip.getCorpusStats({}, { onHeader: (h) => encodings.push(h.get("grpc-encoding")) });
    assert.equal(stats.articleCount, 5n);
    assert.deepEqual(encodings, ["gzip", "gzip"], "the server answers gzip-compressed");
  });

  it("INVALID_ARGUMENT carries google.rpc.BadRequest field violations", async () => {
    const cases: [string, () => Promise<unknown>, string][] = [
      ["bad cursor", () => collect(client.listArticles({ cursor: "not a cursor!" })), "cursor"],
      ["negative limit", () => collect(client.listArticles({ limit: -1 })), "limit"],
      ["empty query", () => collect(client.searchArticles({ query: "" })), "query"],
      ["unknown enum", () => collect(client.listEntities({ type: 99 as EntityType })), "type"],
      ["bad date", () => collect(client.listArticles({ filter: { publishedFrom: "yesterday" } })), "filter.published_from"],
      ["bad related cursor", () => collect(client.listRelatedEntities({ cursor: "zzz" })), "cursor"],
    ];
    for (const [name, run, field] of cases) {
      const error = await failure(run);
      assert.equal(error.code, Code.InvalidArgument, `${name}: ${error.message}`);
      const fields = badRequestFields(error);
      assert.ok(fields.includes(field), `${name}: violations ${fields}`);
    }
  });

  it("google.rpc.ErrorInfo: stable reasons in domain newscorpus", async () => {
    const [mention] = await collect(client.listMentions({ limit: 1 }));
    assert.ok(mention?.cursor);
    const cases: [string, () => Promise<unknown>, Code, string, string][] = [
      ["limit -1", () => collect(client.listArticles({ limit: -1 })), Code.InvalidArgument, "limit", "LIMIT_INVALID"],
      ["garbage cursor", () => collect(client.listArticles({ cursor: "zzz" })), Code.InvalidArgument, "cursor", "CURSOR_INVALID"],
      // A real cursor, but of another listing.
      ["ListMentions cursor to ListQuotes", () => collect(client.listQuotes({ cursor: mention.cursor })), Code.InvalidArgument, "cursor", "CURSOR_WRONG_LISTING"],
      ["offset_encoding 9", () => collect(client.listQuotes({ offsetEncoding: 9 as OffsetEncoding })), Code.InvalidArgument, "offset_encoding", "ENUM_VALUE_UNKNOWN"],
      ["GetQuote offset_encoding 9", () => client.getQuote({ id: "x/q0", offsetEncoding: 9 as OffsetEncoding }), Code.InvalidArgument, "offset_encoding", "ENUM_VALUE_UNKNOWN"],
      ["empty query", () => collect(client.searchArticles({ query: "" })), Code.InvalidArgument, "query", "FIELD_REQUIRED"],
      // Neither member of `oneof selector` set.
      ["GetEntity without selector", () => client.getEntity({}), Code.InvalidArgument, "selector", "FIELD_REQUIRED"],
      ["unknown article", () => client.getArticle({ id: "no-such-article" }), Code.NotFound, "", "ARTICLE_NOT_FOUND"],
      ["unknown entity id", () => client.getEntity({ selector: { case: "id", value: "person/nobody-xyzzy" } }), Code.NotFound, "", "ENTITY_NOT_FOUND"],
    ];
    for (const [name, run, code, field, expected] of cases) {
      const error = await failure(run);
      assert.equal(error.code, code, `${name}: ${error.message}`);
      assert.equal(reason(error), expected, name);
      if (field) assert.deepEqual(badRequestFields(error), [field], name);
      assert.deepEqual(error.findDetails(RetryInfoSchema), [], `${name}: no RetryInfo`);
    }
  });

  it("NOT_FOUND for unknown ids", async () => {
    const error = await failure(() => client.getArticle({ id: "no-such-article" }));
    assert.equal(error.code, Code.NotFound);
    assert.match(error.rawMessage, /not found/i);
    assert.equal(reason(error), "ARTICLE_NOT_FOUND");
    assert.deepEqual(error.findDetails(ResourceInfoSchema).map((r) => r.resourceName), ["no-such-article"]);
    const story = await failure(() => client.getStory({ id: "story/0000000000000000" }));
    assert.equal(story.code, Code.NotFound);
    assert.equal(reason(story), "STORY_NOT_FOUND");
    assert.deepEqual(story.findDetails(ResourceInfoSchema).map((r) => r.resourceName), ["story/0000000000000000"]);
  });
});

describe("typed client: IngestArticles and WatchArticles (private server)", () => {
  let server: Server;
  let client: Corpus;

  before(async () => {
    server = await launch({ corpus: "empty" });
    client = createClient(CorpusService, transport(server.address));
  });

  after(async () => {
    await server?.stop();
  });

  it("per-item results: created, failed, duplicate; a watch sees another client's ingest", async () => {
    const items: IngestArticlesRequest[] = [
      create(IngestArticlesRequestSchema, { text: NEW_ARTICLE, authors: ["Ana Pérez"], clientRef: "good" }),
      create(IngestArticlesRequestSchema, { text: NEW_ARTICLE, published: "14 May 2024", clientRef: "bad" }),
      create(IngestArticlesRequestSchema, { text: NEW_ARTICLE, clientRef: "again" }),
    ];
    // Send one item, wait for its answer, then send the next (a bidi stream).
    const answers: IngestArticlesResponse[] = [];
    let answered: () => void = () => {};
    async function* requests() {
      for (const item of items) {
        const next = new Promise<void>((resolve) => (answered = resolve));
        yield item;
        await next;
      }
    }
    for await (const response of client.ingestArticles(requests())) {
      answers.push(response);
      answered();
    }
    assert.deepEqual(answers.map((r) => r.index), [0n, 1n, 2n], "index is a uint64 (bigint)");
    assert.deepEqual(answers.map((r) => r.clientRef), ["good", "bad", "again"]);
    const [good, bad, again] = answers as [IngestArticlesResponse, IngestArticlesResponse, IngestArticlesResponse];
    assert.equal(good.status, IngestStatus.CREATED);
    assert.ok(good.articleId && good.cursor && good.error === undefined);
    assert.equal(bad.status, IngestStatus.FAILED);
    assert.equal(bad.error?.code, Code.InvalidArgument);
    assert.equal(bad.error?.field, "published");
    assert.equal(bad.articleId, "");
    assert.equal(again.status, IngestStatus.DUPLICATE);
    assert.equal(again.articleId, good.articleId);
    const stored = await client.getArticle({ id: good.articleId });
    assert.deepEqual(stored.authors, ["Ana Pérez"]);
    assert.equal(stored.quoteCount, good.quoteCount);
    const stats = await client.getCorpusStats({});
    assert.equal(stats.articleCount, 1n);
    assert.equal(stats.duplicatesIgnored, 1n);

    // Watch from the start: the stored article is replayed first, which
    // proves the subscription is live; then an article ingested by another
    // client (its own transport, so its own HTTP/2 connection) arrives.
    const abort = new AbortController();
    const watch = client.watchArticles({ fromStart: true, view: ArticleView.BASIC }, { signal: abort.signal, timeoutMs: 20_000 })[
      Symbol.asyncIterator
    ]();
    const replayed = await watch.next();
    assert.equal((replayed.value as Article).id, good.articleId);
    assert.equal((replayed.value as Article).body, "", "BASIC view");
    const other = createClient(CorpusService, transport(server.address));
    const [created] = await collect(other.ingestArticles(stream({ text: SECOND_ARTICLE, clientRef: "live" })));
    assert.equal(created?.status, IngestStatus.CREATED);
    const live = await watch.next();
    assert.equal((live.value as Article).id, created!.articleId);
    assert.equal((live.value as Article).cursor, created!.cursor, "the watch cursor is the ingest cursor");
    abort.abort();
    await assert.rejects(watch.next(), (e: unknown) => ConnectError.from(e).code === Code.Canceled);

    // Default spans count code points: with an emoji before the entities,
    // UTF-16 string indexes (body.slice) would be off by one.
    const { body } = await client.getArticle({ id: created!.articleId });
    const mentions = await collect(client.listMentions({ articleId: created!.articleId }));
    const quotes = await collect(client.listQuotes({ articleId: created!.articleId }));
    assert.ok(mentions.length > 0 && quotes.length > 0);
    const points = Array.from(body);
    for (const item of [...mentions, ...quotes]) assert.equal(sliceCodePoints(points, item.span), item.text);
    assert.ok(
      mentions.some((m) => body.slice(m.span!.start, m.span!.end) !== m.text),
      "default spans are code points, not UTF-16 units",
    );
  });

  it("with OffsetEncoding.UTF16, mentions, quotes and highlights slice JS strings natively", async () => {
    const ASTRAL = /[\u{10000}-\u{10FFFF}]/u;
    const [created] = await collect(client.ingestArticles(stream({ text: UNICODE_ARTICLE, clientRef: "astral" })));
    assert.equal(created?.status, IngestStatus.CREATED);
    const id = created!.articleId;
    const { body } = await client.getArticle({ id });
    assert.ok(ASTRAL.test(body));

    const mentions = await collect(client.listMentions({ articleId: id, offsetEncoding: OffsetEncoding.UTF16 }));
    assert.ok(mentions.some((m) => m.text === "Porto Velho"), `mentions: ${mentions.map((m) => m.text)}`);
    for (const m of mentions) {
      assert.equal(m.span?.encoding, OffsetEncoding.UTF16);
      assert.equal(body.slice(m.span!.start, m.span!.end), m.text);
    }
    assert.ok(mentions.some((m) => ASTRAL.test(body.slice(0, m.span!.start))));

    const quotes = await collect(client.listQuotes({ articleId: id, offsetEncoding: OffsetEncoding.UTF16 }));
    const quote = quotes.find((q) => q.text.includes("years for this"));
    assert.ok(quote && ASTRAL.test(quote.text), `quotes: ${quotes.map((q) => q.text)}`);
    for (const q of quotes) {
      assert.equal(q.span?.encoding, OffsetEncoding.UTF16);
      assert.equal(body.slice(q.span!.start, q.span!.end), q.text);
    }
    const got = await client.getQuote({ id: quote.id, offsetEncoding: OffsetEncoding.UTF16 });
    assert.ok(equals(QuoteSchema, got, quote), "GetQuote in UTF-16 equals the listed quote");

    const hit = await searchUntilFound(client, "harbour", id, OffsetEncoding.UTF16);
    const highlights = hit.snippets.flatMap((s) => s.highlights.map((span) => ({ text: s.text, span })));
    assert.ok(highlights.length > 0);
    for (const { text, span } of highlights) {
      assert.equal(span.encoding, OffsetEncoding.UTF16);
      assert.equal(fold(text.slice(span.start, span.end)), "harbour");
    }
    assert.ok(highlights.some(({ text, span }) => ASTRAL.test(text.slice(0, span.start))), "an emoji before a highlight");

    // Unspecified: code points, which native slicing gets wrong after an emoji.
    const byDefault = await collect(client.listMentions({ articleId: id }));
    assert.ok(byDefault.every((m) => m.span?.encoding === OffsetEncoding.CODE_POINTS));
    assert.ok(byDefault.some((m) => body.slice(m.span!.start, m.span!.end) !== m.text));
  });
});
