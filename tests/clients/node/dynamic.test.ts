// Route (a): the dynamic Node client. @grpc/proto-loader reads proto/ at run
// time and @grpc/grpc-js builds a client from it; nothing is generated.
//
// Every RPC of newscorpus.v1.CorpusService is called against a real server on
// a loopback port, plus deadlines, cancellation, gzip and rich error details.
// Names and ids are taken from earlier responses, never hard-coded.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import protobuf from "protobufjs";
import {
  CALL_TIMEOUT_MS,
  NEW_ARTICLE,
  PROTO_DIR,
  ROOT,
  SECOND_ARTICLE,
  RPC_PROTO_DIR,
  Server,
  UNICODE_ARTICLE,
  countByDay,
  fold,
  launch,
  seedFiles,
  sliceCodePoints,
  sliceUtf16,
} from "./harness.js";

// --- loading the protos -------------------------------------------------------------------
//
// The options newscorpus clients want, and why:
// - includeDirs: corpus_service.proto imports "newscorpus/v1/types.proto"
//   and "google/api/field_behavior.proto" (vendored in proto/); without
//   proto/ as an include dir those imports are resolved relative to the
//   current directory and loading fails (ENOENT).
// - longs: String: uint64 counts (GetCorpusStats, IngestArticlesResponse.index,
//   facet counts) arrive as decimal strings. The default is a Long object
//   (from long.js) that `===` and JSON do not treat as a number; Number would
//   silently lose precision above 2^53.
// - enums: String: enums arrive as their names ("ENTITY_TYPE_PERSON") instead
//   of numbers. Requests accept either form.
// - defaults: true: proto3 leaves zero values off the wire; without this an
//   empty title, a zero quote count or an empty list is `undefined` instead of
//   "", 0 or [] (and `cursor` is missing from unary answers rather than "").
// - oneofs: true: sets the virtual oneof property naming the member that is
//   set (in answers). Requests set a oneof member as a plain field:
//   GetEntity({ id }) or GetEntity({ name }) for `oneof selector`.
// Field names are lowerCamelCase (`articleCount`), as in the generated
// TypeScript route; pass keepCase: true to get the proto's snake_case names.
const LOADER_OPTIONS: protoLoader.Options = {
  includeDirs: [PROTO_DIR],
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

const definition = protoLoader.loadSync("newscorpus/v1/corpus_service.proto", LOADER_OPTIONS);
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  newscorpus: { v1: { CorpusService: grpc.ServiceClientConstructor } };
};
const CorpusServiceClient = loaded.newscorpus.v1.CorpusService;

// google.rpc.Status and details, to decode the grpc-status-details-bin trailer.
const rpcRoot = protobuf.loadSync([
  join(RPC_PROTO_DIR, "google/rpc/status.proto"),
  join(RPC_PROTO_DIR, "google/rpc/error_details.proto"),
]);
const StatusType = rpcRoot.lookupType("google.rpc.Status");
const BadRequestType = rpcRoot.lookupType("google.rpc.BadRequest");
const ErrorInfoType = rpcRoot.lookupType("google.rpc.ErrorInfo");
const ResourceInfoType = rpcRoot.lookupType("google.rpc.ResourceInfo");
const RetryInfoType = rpcRoot.lookupType("google.rpc.RetryInfo");

// --- what the loader returns with these options (only the fields used here) ---------------

interface Span {
  start: number;
  end: number;
  /** "OFFSET_ENCODING_CODE_POINTS", "OFFSET_ENCODING_UTF16" or "OFFSET_ENCODING_UTF8". */
  encoding: string;
}
interface Article {
  id: string;
  source: string;
  title: string;
  published: string;
  body: string;
  paragraphs: string[];
  entityIds: string[];
  quoteCount: number;
  mentionCount: number;
  url: string;
  outlet: string;
  cursor: string;
  storyId: string;
  duplicateOf: string;
}
interface SearchHit {
  articleId: string;
  score: number;
  source: string;
  cursor: string;
  snippets: { text: string; html: string; highlights: Span[] }[];
}
interface Entity {
  id: string;
  name: string;
  type: string;
  aliases: string[];
  mentionCount: number;
  articleCount: number;
  articleIds: string[];
  cursor: string;
}
interface Mention {
  entityId: string;
  articleId: string;
  text: string;
  span: Span;
  entityType: string;
}
interface Quote {
  id: string;
  articleId: string;
  text: string;
  speakerEntityId: string;
  speakerName: string;
  kind: string;
  span: Span;
  cursor: string;
  corroboratingArticleIds: string[];
  corroboratingArticleCount: number;
}
interface CorpusStats {
  articleCount: string;
  entityCount: string;
  entitiesByType: { type: string; count: string }[];
  mentionCount: string;
  quoteCount: string;
  filesLoaded: string;
  filesSkipped: string;
  duplicatesIgnored: string;
  corroboratedQuoteCount: string;
}
interface IngestResponse {
  index: string;
  clientRef: string;
  status: string;
  articleId: string;
  cursor: string;
  mentionCount: number;
  quoteCount: number;
  error: { code: number; message: string; field: string } | null;
}
interface Story {
  id: string;
  title: string;
  articleCount: number;
  articleIds: string[];
  cursor: string;
}
interface Relation {
  entityId: string;
  sourceEntityId: string;
  score: number;
  articleCount: number;
}
interface AggregateResponse {
  articleCount: string;
  results: { buckets: { key: string; label: string; count: string }[]; undatedCount: string; otherCount: string }[];
}

// --- call helpers -------------------------------------------------------------------------

type Client = grpc.Client & Record<string, Function>;

function connect(address: string, options: grpc.ChannelOptions = {}): Client {
  return new CorpusServiceClient(address, grpc.credentials.createInsecure(), options) as Client;
}

function deadline(ms = CALL_TIMEOUT_MS): grpc.CallOptions {
  return { deadline: Date.now() + ms };
}

function unary<T>(client: Client, method: string, request: object, options = deadline()): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method]!(request, options, (error: grpc.ServiceError | null, response: T) =>
      error ? reject(error) : resolve(response),
    );
  });
}

function serverStream<T>(client: Client, method: string, request: object, options = deadline()): grpc.ClientReadableStream<T> {
  return client[method]!(request, options) as grpc.ClientReadableStream<T>;
}

async function collect<T>(client: Client, method: string, request: object, options = deadline()): Promise<T[]> {
  const items: T[] = [];
  for await (const item of serverStream<T>(client, method, request, options)) items.push(item as T);
  return items;
}

/** The error a call fails with (the test fails if it succeeds). */
async function failure(run: () => Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await run();
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new assert.AssertionError({ message: "the call succeeded but should have failed" });
}

/** google.rpc.Status from the grpc-status-details-bin trailer, or undefined when there is none. */
function statusDetails(error: grpc.ServiceError): { code: number; message: string; details: { typeUrl: string; value: Uint8Array }[] } | undefined {
  const [raw] = error.metadata?.get("grpc-status-details-bin") ?? [];
  if (raw === undefined) return undefined;
  const status = StatusType.toObject(StatusType.decode(raw as Buffer), { defaults: true }) as {
    code: number;
    message: string;
    details: { typeUrl?: string; type_url?: string; value: Uint8Array }[];
  };
  return {
    code: status.code,
    message: status.message,
    details: status.details.map((any) => ({ typeUrl: any.typeUrl ?? any.type_url ?? "", value: any.value })),
  };
}

interface Details {
  /** BadRequest field violations (INVALID_ARGUMENT). */
  violations: { field: string; description: string; reason: string }[];
  /** google.rpc.ErrorInfo: newscorpus attaches one to every error it raises. */
  errorInfo?: { reason: string; domain: string; metadata: Record<string, string> };
  /** google.rpc.ResourceInfo (NOT_FOUND). */
  resourceInfo?: { resourceType: string; resourceName: string };
  /** google.rpc.RetryInfo (UNAVAILABLE, RESOURCE_EXHAUSTED). */
  retryInfo?: { retryDelay?: { seconds: string; nanos: number } };
}

/** The google.rpc details of an error, decoded from grpc-status-details-bin (which must be there). */
function details(error: grpc.ServiceError): Details {
  const status = statusDetails(error);
  assert.ok(status, `no grpc-status-details-bin on ${error.code} ${error.details}`);
  assert.equal(status.code, error.code, "google.rpc.Status.code is the call's status code");
  const out: Details = { violations: [] };
  const decode = (type: protobuf.Type, value: Uint8Array) =>
    type.toObject(type.decode(value), { defaults: true, longs: String }) as never;
  for (const detail of status.details) {
    switch (detail.typeUrl) {
      case "type.googleapis.com/google.rpc.BadRequest": {
        const bad = decode(BadRequestType, detail.value) as { fieldViolations: Details["violations"] };
        out.violations.push(...bad.fieldViolations);
        break;
      }
      case "type.googleapis.com/google.rpc.ErrorInfo":
        out.errorInfo = decode(ErrorInfoType, detail.value);
        break;
      case "type.googleapis.com/google.rpc.ResourceInfo":
        out.resourceInfo = decode(ResourceInfoType, detail.value);
        break;
      case "type.googleapis.com/google.rpc.RetryInfo":
        out.retryInfo = decode(RetryInfoType, detail.value);
        break;
    }
  }
  return out;
}

/** Field names of the google.rpc.BadRequest violations attached to an error. */
function badRequestFields(error: grpc.ServiceError): string[] {
  return details(error).violations.map((violation) => {
    assert.ok(violation.description, "a violation says what is wrong");
    return violation.field;
  });
}

/** The ErrorInfo reason of an error (its domain must be "newscorpus"). */
function reason(error: grpc.ServiceError): string {
  const info = details(error).errorInfo;
  assert.ok(info, `no google.rpc.ErrorInfo on ${error.code} ${error.details}`);
  assert.equal(info.domain, "newscorpus");
  return info.reason;
}

/** Polls SearchArticles until `articleId` is a hit (ingested articles become searchable within ~0.5 s). */
async function searchUntilFound(client: Client, request: object, articleId: string): Promise<SearchHit> {
  const until = Date.now() + 10_000;
  for (;;) {
    const hits = await collect<SearchHit>(client, "SearchArticles", request);
    const hit = hits.find((h) => h.articleId === articleId);
    if (hit) return hit;
    assert.ok(Date.now() < until, `${articleId} not searchable after 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// --- the tests ----------------------------------------------------------------------------

describe("dynamic client (@grpc/grpc-js + @grpc/proto-loader)", () => {
  let server: Server;
  let client: Client;
  let articles: Article[];

  before(async () => {
    server = await launch();
    client = connect(server.address);
    articles = await collect<Article>(client, "ListArticles", {});
  });

  after(async () => {
    client?.close();
    const code = await server?.stop();
    assert.equal(code, 0, "the server exits 0 on SIGTERM");
  });

  it("ListArticles streams the 5 seed articles", () => {
    assert.equal(articles.length, 5);
    assert.deepEqual(articles.map((a) => a.source).sort(), seedFiles());
    assert.equal(new Set(articles.map((a) => a.id)).size, 5);
    for (const article of articles) {
      assert.ok(article.id && article.cursor, "every streamed article has an id and a cursor");
      assert.equal(article.paragraphs.join("\n\n"), article.body);
      assert.equal(typeof article.quoteCount, "number", "uint32 is a number");
      assert.equal(article.duplicateOf, "", "defaults: true fills empty strings");
    }
  });

  it("ListArticles resumes from a cursor without overlap", async () => {
    const firstTwo = await collect<Article>(client, "ListArticles", { limit: 2, view: "ARTICLE_VIEW_BASIC" });
    assert.deepEqual(firstTwo.map((a) => a.id), articles.slice(0, 2).map((a) => a.id));
    assert.ok(firstTwo.every((a) => a.body === "" && a.paragraphs.length === 0), "BASIC view has no body");
    const rest = await collect<Article>(client, "ListArticles", { cursor: firstTwo[1]!.cursor });
    assert.deepEqual(rest.map((a) => a.id), articles.slice(2).map((a) => a.id));
    assert.equal(new Set([...firstTwo, ...rest].map((a) => a.id)).size, 5, "no overlap");
  });

  it("GetArticle returns the listed article (without a cursor)", async () => {
    const listed = articles[0]!;
    const got = await unary<Article>(client, "GetArticle", { id: listed.id });
    assert.equal(got.cursor, "", "cursors only on streamed items");
    assert.deepEqual({ ...got, cursor: listed.cursor }, listed);
  });

  it("SearchArticles ranks hits; highlights in UTF-16 units slice the snippet", async () => {
    const hits = await collect<SearchHit>(client, "SearchArticles", { query: "nuclear", offsetEncoding: "OFFSET_ENCODING_UTF16" });
    assert.ok(hits.length > 0, "hits for 'nuclear'");
    const scores = hits.map((h) => h.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "best first");
    assert.ok(scores.every((s) => s > 0));
    const ids = new Set(articles.map((a) => a.id));
    assert.ok(hits.every((h) => ids.has(h.articleId) && h.source && h.cursor));
    const snippets = hits.flatMap((h) => h.snippets);
    assert.ok(snippets.length > 0, "some hit has a snippet");
    for (const snippet of snippets) {
      assert.ok(snippet.highlights.length > 0 && snippet.html.includes("<b>"));
      for (const span of snippet.highlights) {
        assert.equal(span.encoding, "OFFSET_ENCODING_UTF16");
        assert.ok(fold(sliceUtf16(snippet.text, span)).startsWith("nuclear"));
      }
    }
  });

  it("GetEntity and ListEntities agree; ordered by mention count", async () => {
    const entities = await collect<Entity>(client, "ListEntities", {});
    assert.ok(entities.length > 0);
    const counts = entities.map((e) => e.mentionCount);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    for (const entity of entities) {
      assert.notEqual(entity.type, "ENTITY_TYPE_UNSPECIFIED");
      assert.ok(entity.aliases.includes(entity.name));
      assert.equal(entity.articleCount, entity.articleIds.length);
    }
    const top = entities[0]!;
    // `oneof selector { id; name }`: proto-loader takes the member as a plain field.
    const byId = await unary<Entity>(client, "GetEntity", { id: top.id });
    assert.equal(byId.id, top.id);
    assert.equal(byId.cursor, "");
    assert.deepEqual({ ...byId, cursor: top.cursor }, top, "GetEntity answers the listed entity");
    const byName = await unary<Entity>(client, "GetEntity", { name: top.name.toUpperCase() });
    assert.equal(byName.id, top.id);
    // The virtual oneof property works in requests too.
    const bySelector = await unary<Entity>(client, "GetEntity", { selector: "name", name: top.name });
    assert.equal(bySelector.id, top.id);
    // Enum filters take names too.
    const people = await collect<Entity>(client, "ListEntities", { type: "ENTITY_TYPE_PERSON" });
    assert.ok(people.length > 0 && people.every((e) => e.type === "ENTITY_TYPE_PERSON"));
    assert.deepEqual(
      people.map((e) => e.id),
      entities.filter((e) => e.type === "ENTITY_TYPE_PERSON").map((e) => e.id),
    );
  });

  it("ListMentions spans slice the article body (UTF-16 natively; code points by default)", async () => {
    let total = 0;
    for (const article of articles) {
      const mentions = await collect<Mention>(client, "ListMentions", {
        articleId: article.id,
        offsetEncoding: "OFFSET_ENCODING_UTF16",
      });
      assert.equal(mentions.length, article.mentionCount);
      for (const mention of mentions) {
        assert.equal(mention.articleId, article.id);
        assert.ok(article.entityIds.includes(mention.entityId));
        assert.equal(mention.span.encoding, "OFFSET_ENCODING_UTF16");
        assert.equal(sliceUtf16(article.body, mention.span), mention.text, `mention ${mention.text}`);
      }
      // Without offset_encoding: code points, and the answer says so.
      const byDefault = await collect<Mention>(client, "ListMentions", { articleId: article.id });
      const points = Array.from(article.body);
      assert.equal(byDefault.length, mentions.length);
      for (const mention of byDefault) {
        assert.equal(mention.span.encoding, "OFFSET_ENCODING_CODE_POINTS");
        assert.equal(sliceCodePoints(points, mention.span), mention.text);
      }
      total += mentions.length;
    }
    assert.ok(total > 0, "mentions in the corpus");
  });

  it("ListQuotes spans slice the body; speaker filter", async () => {
    const quotes = await collect<Quote>(client, "ListQuotes", { offsetEncoding: "OFFSET_ENCODING_UTF16" });
    assert.ok(quotes.length > 0);
    const bodies = new Map(articles.map((a) => [a.id, a.body]));
    for (const quote of quotes) {
      assert.ok(quote.id.startsWith(`${quote.articleId}/q`));
      assert.notEqual(quote.kind, "QUOTE_KIND_UNSPECIFIED");
      assert.equal(quote.span.encoding, "OFFSET_ENCODING_UTF16");
      assert.equal(sliceUtf16(bodies.get(quote.articleId)!, quote.span), quote.text, quote.id);
      assert.ok(quote.corroboratingArticleCount >= quote.corroboratingArticleIds.length);
    }
    const attributed = quotes.find((q) => q.speakerEntityId && q.speakerName);
    assert.ok(attributed, "some quote has an entity as speaker");
    const bySpeaker = await collect<Quote>(client, "ListQuotes", { speaker: attributed.speakerName.toUpperCase() });
    assert.deepEqual(
      bySpeaker.map((q) => q.id),
      quotes.filter((q) => q.speakerEntityId === attributed.speakerEntityId).map((q) => q.id),
    );
  });

  it("GetQuote returns the listed quote; bad and unknown ids", async () => {
    const quotes = await collect<Quote>(client, "ListQuotes", {});
    assert.ok(quotes.length > 0);
    for (const listed of quotes) {
      // Every field, the cursor included, as ListQuotes streamed it.
      const got = await unary<Quote>(client, "GetQuote", { id: listed.id });
      assert.deepEqual(got, listed, listed.id);
    }
    const [first] = quotes;
    const utf16 = await unary<Quote>(client, "GetQuote", { id: first!.id, offsetEncoding: "OFFSET_ENCODING_UTF16" });
    assert.equal(utf16.span.encoding, "OFFSET_ENCODING_UTF16");
    const body = articles.find((a) => a.id === first!.articleId)!.body;
    assert.equal(sliceUtf16(body, utf16.span), first!.text);

    const malformed = await failure(() => unary(client, "GetQuote", { id: "not a quote id" }));
    assert.equal(malformed.code, grpc.status.INVALID_ARGUMENT, malformed.message);
    assert.deepEqual(badRequestFields(malformed), ["id"]);
    assert.equal(reason(malformed), "INVALID_FIELD");
    const unknownId = `${first!.articleId}/q9999`;
    const unknown = await failure(() => unary(client, "GetQuote", { id: unknownId }));
    assert.equal(unknown.code, grpc.status.NOT_FOUND, unknown.message);
    assert.equal(reason(unknown), "QUOTE_NOT_FOUND");
    assert.equal(details(unknown).resourceInfo?.resourceName, unknownId);
  });

  it("GetCorpusStats counts equal the streamed counts (uint64 as strings)", async () => {
    const stats = await unary<CorpusStats>(client, "GetCorpusStats", {});
    assert.equal(typeof stats.articleCount, "string", "longs: String");
    const [entities, mentions, quotes] = await Promise.all([
      collect<Entity>(client, "ListEntities", {}),
      collect<Mention>(client, "ListMentions", {}),
      collect<Quote>(client, "ListQuotes", {}),
    ]);
    assert.equal(stats.articleCount, String(articles.length));
    assert.equal(stats.articleCount, "5");
    assert.equal(stats.filesLoaded, "5");
    assert.equal(stats.filesSkipped, "0");
    assert.equal(stats.entityCount, String(entities.length));
    assert.equal(stats.mentionCount, String(mentions.length));
    assert.equal(stats.quoteCount, String(quotes.length));
    assert.equal(
      stats.entitiesByType.reduce((sum, c) => sum + BigInt(c.count), 0n),
      BigInt(stats.entityCount),
    );
    assert.equal(
      stats.mentionCount,
      String(articles.reduce((sum, a) => sum + a.mentionCount, 0)),
      "mention_count is the sum of the articles' counts",
    );
  });

  it("GetStory and ListStories: the seeds are one story", async () => {
    const storyIds = new Set(articles.map((a) => a.storyId));
    assert.equal(storyIds.size, 1);
    const [storyId] = storyIds;
    const story = await unary<Story>(client, "GetStory", { id: storyId });
    assert.equal(story.id, storyId);
    assert.equal(story.articleCount, 5);
    assert.deepEqual([...story.articleIds].sort(), articles.map((a) => a.id).sort());
    const listed = await collect<Story>(client, "ListStories", { minArticles: 2, order: "STORY_ORDER_SIZE" });
    assert.deepEqual(listed.map((s) => s.id), [storyId]);
    assert.ok(listed[0]!.cursor);
  });

  it("ListRelatedEntities: one entity's relations and the edge list", async () => {
    const [top] = await collect<Entity>(client, "ListEntities", { type: "ENTITY_TYPE_PERSON", limit: 1 });
    assert.ok(top);
    const related = await collect<Relation>(client, "ListRelatedEntities", { entity: top.name });
    assert.ok(related.length > 0);
    assert.ok(related.every((r) => r.sourceEntityId === top.id && r.entityId !== top.id));
    assert.ok(related.every((r) => r.score >= -1 && r.score <= 1 && r.articleCount >= 1));
    const scores = related.map((r) => r.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    const edges = await collect<Relation>(client, "ListRelatedEntities", { minArticles: 3 });
    assert.ok(edges.length > 0 && edges.every((e) => e.articleCount >= 3));
    assert.equal(new Set(edges.map((e) => `${e.sourceEntityId} ${e.entityId}`)).size, edges.length);
  });

  it("AggregateArticles: histogram and entity facet match the articles", async () => {
    const answer = await unary<AggregateResponse>(client, "AggregateArticles", {
      facets: [
        { kind: "FACET_KIND_DATE_HISTOGRAM", interval: "DATE_INTERVAL_DAY" },
        { kind: "FACET_KIND_ENTITY", size: 3, entityType: "ENTITY_TYPE_PERSON" },
      ],
    });
    assert.equal(answer.articleCount, "5");
    const [days, people] = answer.results;
    assert.deepEqual(new Map(days!.buckets.map((b) => [b.key, Number(b.count)])), countByDay(articles));
    assert.equal(Number(days!.undatedCount), articles.filter((a) => !a.published).length);
    assert.equal(people!.buckets.length, 3);
    for (const bucket of people!.buckets) {
      assert.ok(bucket.key.startsWith("person/"));
      assert.equal(Number(bucket.count), articles.filter((a) => a.entityIds.includes(bucket.key)).length);
    }
  });

  it("a deadline that expires gives DEADLINE_EXCEEDED", async () => {
    // A watch with nothing new to deliver stays open until its deadline.
    const error = await failure(() => collect<Article>(client, "WatchArticles", {}, deadline(300)));
    assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED, error.message);
  });

  it("cancelling a stream mid-way, then resuming from the last cursor", async () => {
    // A watch from the start replays the corpus and then stays open, so only
    // the cancellation can end it.
    const call = serverStream<Article>(client, "WatchArticles", { fromStart: true });
    const status = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
    call.on("error", () => {}); // the CANCELLED error; reported through `status` below
    const taken: Article[] = [];
    for await (const article of call) {
      taken.push(article as Article);
      if (taken.length === 2) {
        call.cancel();
        break;
      }
    }
    assert.equal((await status).code, grpc.status.CANCELLED);
    const rest = await collect<Article>(client, "ListArticles", { cursor: taken[1]!.cursor });
    assert.deepEqual([...taken, ...rest].map((a) => a.id), articles.map((a) => a.id));
    const stats = await unary<CorpusStats>(client, "GetCorpusStats", {});
    assert.equal(stats.articleCount, "5", "the server carries on");
  });

  it("gzip-compressed calls", async () => {
    // 2 = gzip in grpc-js's numbering (0 identity, 1 deflate). Requests are
    // then sent gzip-compressed (a server without gzip would answer
    // UNIMPLEMENTED), and grpc-js advertises gzip so the server compresses
    // its answers too; grpc-js strips grpc-encoding from the response
    // metadata, so that half is not visible here (the typed suite checks it).
    const gzipClient = connect(server.address, { "grpc.default_compression_algorithm": 2 });
    try {
      const listed = await collect<Article>(gzipClient, "ListArticles", {});
      assert.deepEqual(listed, articles);
      const got = await unary<Article>(gzipClient, "GetArticle", { id: articles[4]!.id });
      assert.equal(got.body, articles[4]!.body);
      const hits = await collect<SearchHit>(gzipClient, "SearchArticles", { query: "nuclear", limit: 1 });
      assert.equal(hits.length, 1);
    } finally {
      gzipClient.close();
    }
  });

  it("the README example (example.mjs) runs against the server", async () => {
    // scripts/clients/node.sh copies example.mjs next to dist/, where
    // node_modules (one level up) resolves its imports.
    const script = new URL("../example.mjs", import.meta.url).pathname;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [script, server.address],
        { env: { ...process.env, NEWSCORPUS_ROOT: ROOT }, timeout: 30_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${out}\n${err}`)) : resolve(out)),
      ),
    );
    const lines = stdout.trim().split("\n");
    const [top] = await collect<Entity>(client, "ListEntities", { limit: 1 });
    const [quote] = await collect<Quote>(client, "ListQuotes", { limit: 1 });
    assert.equal(lines[0], "articles: 5");
    assert.equal(lines[1], `entity: ${top!.id} ${top!.type}`);
    const mentionLines = lines.filter((l) => l.startsWith("mention: "));
    assert.equal(mentionLines.length, 3);
    assert.ok(mentionLines.every((l) => l.startsWith("mention: ok ") && l.endsWith(" OFFSET_ENCODING_UTF16")), stdout);
    assert.ok(lines.includes(`quote: ${quote!.id} ${JSON.stringify(quote!.speakerName)}`), stdout);
    const errorLine = lines.find((l) => l.startsWith("error: NOT_FOUND google.rpc.ErrorInfo "));
    assert.ok(errorLine, stdout);
    const info = JSON.parse(errorLine.slice("error: NOT_FOUND google.rpc.ErrorInfo ".length)) as { reason: string; domain: string };
    assert.equal(info.reason, "ARTICLE_NOT_FOUND");
    assert.equal(info.domain, "newscorpus");
    assert.ok(lines.some((l) => l.startsWith('error: NOT_FOUND google.rpc.ResourceInfo {"resourceType"')), stdout);
  });

  it("README.md shows example.mjs verbatim", () => {
    const dir = join(ROOT, "tests", "clients", "node");
    const source = readFileSync(join(dir, "example.mjs"), "utf8");
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    assert.ok(readme.includes("```js\n" + source + "```\n"), "README.md's dynamic-route example differs from example.mjs");
    const copy = readFileSync(new URL("../example.mjs", import.meta.url), "utf8");
    assert.equal(copy, source, "the example run is the one in the repository");
  });

  it("INVALID_ARGUMENT carries google.rpc.BadRequest field violations", async () => {
    const cases: [string, object, string][] = [
      ["ListArticles", { cursor: "not a cursor!" }, "cursor"],
      ["ListArticles", { limit: -1 }, "limit"],
      ["ListArticles", { limit: 2 ** 31 - 1 }, "limit"],
      ["SearchArticles", { query: "  " }, "query"],
      ["ListArticles", { filter: { publishedFrom: "yesterday" } }, "filter.published_from"],
    ];
    for (const [method, request, field] of cases) {
      const error = await failure(() => collect(client, method, request));
      assert.equal(error.code, grpc.status.INVALID_ARGUMENT, `${method} ${JSON.stringify(request)}: ${error.message}`);
      const fields = badRequestFields(error);
      assert.ok(fields.includes(field), `${method} ${JSON.stringify(request)}: violations ${fields}`);
    }
    const aggregate = await failure(() => unary(client, "AggregateArticles", {}));
    assert.equal(aggregate.code, grpc.status.INVALID_ARGUMENT);
    assert.ok(badRequestFields(aggregate).length > 0);
  });

  it("NOT_FOUND for unknown ids: ErrorInfo reason and ResourceInfo naming the id", async () => {
    for (const [method, request, name, expected] of [
      ["GetArticle", { id: "no-such-article" }, "no-such-article", "ARTICLE_NOT_FOUND"],
      ["GetEntity", { name: "Nobody Atall Xyzzy" }, "Nobody Atall Xyzzy", "ENTITY_NOT_FOUND"],
      ["GetStory", { id: "story/0000000000000000" }, "story/0000000000000000", "STORY_NOT_FOUND"],
    ] as const) {
      const error = await failure(() => unary(client, method, request));
      assert.equal(error.code, grpc.status.NOT_FOUND, `${method}: ${error.message}`);
      assert.match(error.details, /not found/i);
      assert.equal(reason(error), expected, method);
      assert.equal(details(error).resourceInfo?.resourceName, name, method);
    }
  });

  it("google.rpc.ErrorInfo: stable reasons in domain newscorpus", async () => {
    const [mention] = await collect<Mention & { cursor: string }>(client, "ListMentions", { limit: 1 });
    assert.ok(mention?.cursor);
    const cases: [string, () => Promise<unknown>, number, string, string][] = [
      ["limit -1", () => collect(client, "ListArticles", { limit: -1 }), grpc.status.INVALID_ARGUMENT, "limit", "LIMIT_INVALID"],
      ["garbage cursor", () => collect(client, "ListArticles", { cursor: "not a cursor!" }), grpc.status.INVALID_ARGUMENT, "cursor", "CURSOR_INVALID"],
      // A real cursor, but of another listing.
      ["ListMentions cursor to ListQuotes", () => collect(client, "ListQuotes", { cursor: mention.cursor }), grpc.status.INVALID_ARGUMENT, "cursor", "CURSOR_WRONG_LISTING"],
      // Enum fields take numbers too; 9 is no OffsetEncoding value.
      ["offset_encoding 9", () => collect(client, "ListMentions", { offsetEncoding: 9 }), grpc.status.INVALID_ARGUMENT, "offset_encoding", "ENUM_VALUE_UNKNOWN"],
      ["search offset_encoding 9", () => collect(client, "SearchArticles", { query: "nuclear", offsetEncoding: 9 }), grpc.status.INVALID_ARGUMENT, "offset_encoding", "ENUM_VALUE_UNKNOWN"],
      ["bad date", () => collect(client, "ListArticles", { filter: { publishedFrom: "yesterday" } }), grpc.status.INVALID_ARGUMENT, "filter.published_from", "DATE_INVALID"],
      // Neither member of `oneof selector` set.
      ["GetEntity without selector", () => unary(client, "GetEntity", {}), grpc.status.INVALID_ARGUMENT, "selector", "FIELD_REQUIRED"],
      ["GetArticle without id", () => unary(client, "GetArticle", {}), grpc.status.INVALID_ARGUMENT, "id", "FIELD_REQUIRED"],
      ["unknown article", () => unary(client, "GetArticle", { id: "no-such-article" }), grpc.status.NOT_FOUND, "", "ARTICLE_NOT_FOUND"],
    ];
    for (const [name, run, code, field, expected] of cases) {
      const error = await failure(run);
      assert.equal(error.code, code, `${name}: ${error.message}`);
      const got = details(error);
      assert.equal(got.errorInfo?.domain, "newscorpus", name);
      assert.equal(got.errorInfo?.reason, expected, name);
      if (field) assert.deepEqual(got.violations.map((v) => v.field), [field], name);
      else assert.equal(got.resourceInfo?.resourceName, "no-such-article", name);
      assert.equal(got.retryInfo, undefined, `${name}: retrying will not help`);
    }
  });
});

describe("dynamic client: IngestArticles and WatchArticles (private server)", () => {
  let server: Server;
  let client: Client;

  before(async () => {
    server = await launch({ corpus: "empty" });
    client = connect(server.address);
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  it("per-item results: created, failed, duplicate; a watch sees another client's ingest", async () => {
    const call = client.IngestArticles!(deadline()) as grpc.ClientDuplexStream<object, IngestResponse>;
    const responses: IngestResponse[] = [];
    const done = (async () => {
      for await (const response of call) responses.push(response as IngestResponse);
    })();
    call.write({ text: NEW_ARTICLE, outlet: "Elsworth Gazette", published: "2024-05-14", url: "https://example.org/tidal", clientRef: "good" });
    call.write({ text: "", clientRef: "bad" });
    call.write({ text: NEW_ARTICLE, outlet: "Elsworth Gazette", url: "https://example.org/tidal", clientRef: "again" });
    call.end();
    await done;

    assert.deepEqual(responses.map((r) => r.index), ["0", "1", "2"], "one response per item, in order");
    assert.deepEqual(responses.map((r) => r.clientRef), ["good", "bad", "again"]);
    const [good, bad, again] = responses as [IngestResponse, IngestResponse, IngestResponse];
    assert.equal(good.status, "INGEST_STATUS_CREATED");
    assert.ok(good.articleId && good.cursor);
    assert.equal(good.error, null, "no error on success");
    assert.equal(bad.status, "INGEST_STATUS_FAILED");
    assert.equal(bad.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(bad.error?.field, "text");
    assert.equal(bad.articleId, "");
    assert.equal(bad.cursor, "");
    assert.equal(again.status, "INGEST_STATUS_DUPLICATE");
    assert.equal(again.articleId, good.articleId);

    const stored = await unary<Article>(client, "GetArticle", { id: good.articleId });
    assert.equal(stored.title, "Harbour council approves new tidal energy plant");
    assert.equal(stored.outlet, "Elsworth Gazette");
    assert.equal(stored.url, "https://example.org/tidal");
    assert.equal(stored.mentionCount, good.mentionCount);
    const stats = await unary<CorpusStats>(client, "GetCorpusStats", {});
    assert.equal(stats.articleCount, "1");
    assert.equal(stats.duplicatesIgnored, "1");

    // Watch from the start: the stored article is replayed (so the
    // subscription is live), then another client's ingest arrives.
    const watch = serverStream<Article>(client, "WatchArticles", { fromStart: true }, deadline(20_000));
    watch.on("error", () => {});
    const status = new Promise<grpc.StatusObject>((resolve) => watch.on("status", resolve));
    const seen = watch[Symbol.asyncIterator]();
    const replayed = await seen.next();
    assert.equal((replayed.value as Article).id, good.articleId);

    // Its own channel (no shared subchannel): really another client.
    const other = connect(server.address, { "grpc.use_local_subchannel_pool": 1 });
    try {
      const ingest = other.IngestArticles!(deadline()) as grpc.ClientDuplexStream<object, IngestResponse>;
      const created: IngestResponse[] = [];
      const ingested = (async () => {
        for await (const r of ingest) created.push(r as IngestResponse);
      })();
      ingest.write({ text: SECOND_ARTICLE, clientRef: "live" });
      ingest.end();
      const live = await seen.next();
      await ingested;
      assert.equal(created[0]?.status, "INGEST_STATUS_CREATED");
      assert.equal((live.value as Article).id, created[0]!.articleId);
      const liveArticle = live.value as Article;
      assert.ok(liveArticle.body.includes("45,000"));
      // Default spans count code points: with an emoji before the entities,
      // UTF-16 string indexes (body.slice) would be off by one.
      const mentions = await collect<Mention>(client, "ListMentions", { articleId: liveArticle.id });
      assert.ok(mentions.length > 0, "entities in the new article");
      const points = Array.from(liveArticle.body);
      for (const mention of mentions) assert.equal(sliceCodePoints(points, mention.span), mention.text);
      assert.ok(
        mentions.some((m) => liveArticle.body.slice(m.span.start, m.span.end) !== m.text),
        "default spans are code points, not UTF-16 units",
      );
      // Watch with the first article's cursor: only the second comes back.
      const resumed = serverStream<Article>(client, "WatchArticles", { cursor: good.cursor }, deadline(20_000));
      resumed.on("error", () => {});
      const first = await resumed[Symbol.asyncIterator]().next();
      assert.equal((first.value as Article).id, created[0]!.articleId);
      resumed.cancel();
    } finally {
      other.close();
    }
    watch.cancel();
    assert.equal((await status).code, grpc.status.CANCELLED);
  });
});

describe("dynamic client: spans over astral characters (private server)", () => {
  let server: Server;
  let client: Client;
  const ASTRAL = /[\u{10000}-\u{10FFFF}]/u;

  before(async () => {
    server = await launch({ corpus: "empty" });
    client = connect(server.address);
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  it("with OFFSET_ENCODING_UTF16, mentions, quotes and highlights slice JS strings natively", async () => {
    const call = client.IngestArticles!(deadline()) as grpc.ClientDuplexStream<object, IngestResponse>;
    const answers: IngestResponse[] = [];
    const done = (async () => {
      for await (const response of call) answers.push(response as IngestResponse);
    })();
    call.write({ text: UNICODE_ARTICLE, clientRef: "astral" });
    call.end();
    await done;
    assert.equal(answers[0]?.status, "INGEST_STATUS_CREATED", JSON.stringify(answers));
    const id = answers[0]!.articleId;
    const { body } = await unary<Article>(client, "GetArticle", { id });
    assert.ok(ASTRAL.test(body), "the body keeps the emoji and Fraktur letters");

    const utf16 = { offsetEncoding: "OFFSET_ENCODING_UTF16" };
    const mentions = await collect<Mention>(client, "ListMentions", { articleId: id, ...utf16 });
    assert.ok(mentions.some((m) => m.text === "Marta Souza"), `mentions: ${mentions.map((m) => m.text)}`);
    for (const mention of mentions) {
      assert.equal(mention.span.encoding, "OFFSET_ENCODING_UTF16");
      assert.equal(body.slice(mention.span.start, mention.span.end), mention.text);
    }
    assert.ok(mentions.some((m) => ASTRAL.test(body.slice(0, m.span.start))), "astral characters before a mention");

    const quotes = await collect<Quote>(client, "ListQuotes", { articleId: id, ...utf16 });
    const quote = quotes.find((q) => q.text.includes("years for this"));
    assert.ok(quote, `quotes: ${quotes.map((q) => q.text)}`);
    assert.ok(ASTRAL.test(quote.text), "astral characters inside the quote");
    for (const q of quotes) {
      assert.equal(q.span.encoding, "OFFSET_ENCODING_UTF16");
      assert.equal(body.slice(q.span.start, q.span.end), q.text);
    }
    assert.deepEqual(await unary<Quote>(client, "GetQuote", { id: quote.id, ...utf16 }), quote, "GetQuote in UTF-16 too");

    const hit = await searchUntilFound(client, { query: "harbour", maxSnippets: 3, ...utf16 }, id);
    const highlights = hit.snippets.flatMap((snippet) => snippet.highlights.map((span) => ({ text: snippet.text, span })));
    assert.ok(highlights.length > 0, "highlights for 'harbour'");
    for (const { text, span } of highlights) {
      assert.equal(span.encoding, "OFFSET_ENCODING_UTF16");
      assert.equal(fold(text.slice(span.start, span.end)), "harbour");
    }
    assert.ok(highlights.some(({ text, span }) => ASTRAL.test(text.slice(0, span.start))), "an emoji before a highlight");

    // Without offset_encoding the spans count code points: right for
    // Array.from, wrong for native slicing (this is what the test above
    // would catch if the server ignored the request's encoding).
    const byDefault = await collect<Mention>(client, "ListMentions", { articleId: id });
    const points = Array.from(body);
    for (const mention of byDefault) {
      assert.equal(mention.span.encoding, "OFFSET_ENCODING_CODE_POINTS");
      assert.equal(sliceCodePoints(points, mention.span), mention.text);
    }
    assert.ok(
      byDefault.some((m) => body.slice(m.span.start, m.span.end) !== m.text),
      "code-point spans do not slice a JS string after an emoji",
    );
    const defaultHit = await searchUntilFound(client, { query: "harbour" }, id);
    for (const snippet of defaultHit.snippets) {
      for (const span of snippet.highlights) {
        assert.equal(span.encoding, "OFFSET_ENCODING_CODE_POINTS");
        assert.equal(fold(sliceCodePoints(snippet.text, span)), "harbour");
      }
    }
  });
});
