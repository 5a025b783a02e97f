// newscorpus from Node with @grpc/grpc-js + @grpc/proto-loader: no generated code.
//   NEWSCORPUS_ROOT=/path/to/newscorpus node example.mjs localhost:50051
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import protobuf from "protobufjs";

const repo = process.env.NEWSCORPUS_ROOT ?? "."; // a checkout of the newscorpus repository
const address = process.argv[2] ?? "localhost:50051";

const definition = protoLoader.loadSync("newscorpus/v1/corpus_service.proto", {
  includeDirs: [join(repo, "proto")], // holds newscorpus/v1/*.proto and google/api/field_behavior.proto
  longs: String, // uint64 counts as decimal strings, not Long objects
  enums: String, // "ENTITY_TYPE_PERSON", not 1
  defaults: true, // "" / 0 / [] instead of undefined for unset fields
  oneofs: true,
});
const { newscorpus } = grpc.loadPackageDefinition(definition);
const client = new newscorpus.v1.CorpusService(address, grpc.credentials.createInsecure(), {
  "grpc.default_compression_algorithm": 2, // gzip
});
const deadline = () => ({ deadline: Date.now() + 10_000 });
const call = (method, request) =>
  new Promise((resolve, reject) =>
    client[method](request, deadline(), (err, answer) => (err ? reject(err) : resolve(answer))),
  );
const list = async (method, request) => {
  const items = [];
  for await (const item of client[method](request, deadline())) items.push(item);
  return items;
};

const stats = await call("GetCorpusStats", {});
console.log("articles:", stats.articleCount); // "5": a string (longs: String)

// GetEntity's request is `oneof selector { string id; string name; }`: set one member.
const [top] = await list("ListEntities", { limit: 1 });
const entity = await call("GetEntity", { name: top.name }); // or { id: top.id }
console.log("entity:", entity.id, entity.type);

// Ask for spans in UTF-16 units: then they index JS strings directly.
const [article] = await list("ListArticles", { limit: 1 });
const mentions = await list("ListMentions", { articleId: article.id, offsetEncoding: "OFFSET_ENCODING_UTF16", limit: 3 });
for (const { text, span } of mentions) {
  console.log("mention:", article.body.slice(span.start, span.end) === text ? "ok" : "WRONG", text, span.encoding);
}

// A quote by the id ListQuotes gives (`<article id>/q<n>`).
const [listed] = await list("ListQuotes", { limit: 1 });
const quote = await call("GetQuote", { id: listed.id, offsetEncoding: "OFFSET_ENCODING_UTF16" });
console.log("quote:", quote.id, JSON.stringify(quote.speakerName));

// Errors: a google.rpc.Status in the grpc-status-details-bin trailer; newscorpus
// always puts a google.rpc.ErrorInfo (domain "newscorpus", a stable `reason`) in it.
const rpc = protobuf.loadSync(
  ["status.proto", "error_details.proto"].map((file) => join(repo, "tests/clients/node/proto/google/rpc", file)),
);
try {
  await call("GetArticle", { id: "no-such-article" });
} catch (err) {
  const [raw] = err.metadata.get("grpc-status-details-bin");
  for (const any of rpc.lookupType("google.rpc.Status").decode(raw).details) {
    // protobufjs's built-in google.protobuf.Any keeps the snake_case name.
    const name = any.type_url.slice(any.type_url.lastIndexOf("/") + 1); // "google.rpc.ErrorInfo"
    const type = rpc.lookup(name);
    if (type) console.log("error:", grpc.status[err.code], name, JSON.stringify(type.toObject(type.decode(any.value))));
  }
}
client.close();
