// Route (c): gRPC-Web, the protocol browsers speak. The same generated stubs
// (protoc-gen-es) and @connectrpc/connect-node's gRPC-Web transport, over
// HTTP/1.1 as a browser without HTTP/2 would use it, against the server's own
// port: no proxy. @connectrpc/connect-web's transport in a browser speaks the
// same protocol through fetch().
//
// Also the CORS rules a browser enforces: no CORS headers unless the server
// runs with --cors-origin, and then only for the origins it names.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { CorpusService } from "./gen/newscorpus/v1/corpus_service_pb.js";
import { ErrorInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import { CALL_TIMEOUT_MS, Server, launch } from "./harness.js";

type Corpus = Client<typeof CorpusService>;

const ALLOWED = "https://explorer.example.org";

function client(address: string, httpVersion: "1.1" | "2"): Corpus {
  return createClient(
    CorpusService,
    createGrpcWebTransport({ baseUrl: `http://${address}`, httpVersion, defaultTimeoutMs: CALL_TIMEOUT_MS }),
  );
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** A browser's CORS preflight for a gRPC-Web POST from `origin`. */
async function preflight(address: string, origin: string): Promise<Response> {
  return fetch(`http://${address}/newscorpus.v1.CorpusService/GetCorpusStats`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,x-grpc-web,x-user-agent,grpc-timeout",
    },
  });
}

describe("gRPC-Web (connect-node gRPC-Web transport, the protocol of browsers)", () => {
  let server: Server;
  let withCors: Server;

  before(async () => {
    [server, withCors] = await Promise.all([launch(), launch({ args: ["--cors-origin", ALLOWED] })]);
  });

  after(async () => {
    assert.equal(await server?.stop(), 0);
    assert.equal(await withCors?.stop(), 0);
  });

  for (const httpVersion of ["1.1", "2"] as const) {
    it(`unary and server-streaming calls over HTTP/${httpVersion}`, async () => {
      const corpus = client(server.address, httpVersion);
      const stats = await corpus.getCorpusStats({});
      assert.equal(stats.articleCount, 5n);
      const articles = await collect(corpus.listArticles({}));
      assert.equal(articles.length, 5);
      // A stream resumed from a cursor, as a paging UI does.
      const rest = await collect(corpus.listArticles({ cursor: articles[1]!.cursor }));
      assert.deepEqual(rest.map((a) => a.id), articles.slice(2).map((a) => a.id));
      const word = articles[0]!.body.match(/\p{L}{5,}/u)?.[0];
      assert.ok(word, "a word in the first article");
      const hits = await collect(corpus.searchArticles({ query: word, limit: 3 }));
      assert.ok(hits.length > 0, "search answers over gRPC-Web");
      const article = await corpus.getArticle({ id: articles[0]!.id });
      assert.equal(article.body, articles[0]!.body);
    });
  }

  it("errors arrive with their code, message and details", async () => {
    const corpus = client(server.address, "1.1");
    let error: ConnectError | undefined;
    try {
      await corpus.getArticle({ id: "no-such-article" });
    } catch (e) {
      error = ConnectError.from(e);
    }
    assert.ok(error, "GetArticle of an unknown id fails");
    assert.equal(error.code, Code.NotFound);
    assert.match(error.rawMessage, /no-such-article/);
    const infos = error.findDetails(ErrorInfoSchema);
    assert.equal(infos.length, 1);
    assert.equal(infos[0]!.domain, "newscorpus");
    // A stream that fails on its request.
    let streamError: ConnectError | undefined;
    try {
      await collect(corpus.listArticles({ limit: -1 }));
    } catch (e) {
      streamError = ConnectError.from(e);
    }
    assert.equal(streamError?.code, Code.InvalidArgument);
  });

  it("CORS is off unless --cors-origin names the page's origin", async () => {
    const closed = await preflight(server.address, ALLOWED);
    assert.equal(closed.headers.get("access-control-allow-origin"), null);
    const open = await preflight(withCors.address, ALLOWED);
    assert.ok(open.status < 300, `preflight answered ${open.status}`);
    assert.equal(open.headers.get("access-control-allow-origin"), ALLOWED);
    const methods = open.headers.get("access-control-allow-methods") ?? "";
    assert.match(methods, /POST/);
    const headers = (open.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const header of ["content-type", "x-grpc-web", "grpc-timeout"]) assert.ok(headers.includes(header), headers);
    const other = await preflight(withCors.address, "https://elsewhere.example.net");
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    // The actual call's answer lets the page read the status headers.
    const call = await fetch(`http://${withCors.address}/newscorpus.v1.CorpusService/GetCorpusStats`, {
      method: "POST",
      headers: { origin: ALLOWED, "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: new Uint8Array([0, 0, 0, 0, 0]),
    });
    assert.equal(call.status, 200);
    assert.equal(call.headers.get("access-control-allow-origin"), ALLOWED);
    assert.match(call.headers.get("access-control-expose-headers") ?? "", /grpc-status/);
    assert.match(call.headers.get("content-type") ?? "", /^application\/grpc-web/);
  });
});
