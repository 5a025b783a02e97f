// Shared helpers for the Node client tests: start and stop newscorpus servers,
// wait for them to be SERVING, slice bodies by spans, and test articles.
//
// Like tests/clients/python/conftest.py: the binary is $NEWSCORPUS_BIN (default
// ${CARGO_TARGET_DIR:-<repo>/target}/debug/newscorpus); each server gets a free
// loopback port, its own log file, and the seeds/ corpus unless told otherwise.
// The repository root comes from $NEWSCORPUS_ROOT (scripts/clients/node.sh sets
// it: the tests are compiled outside the work tree).

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync, openSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";

export const ROOT = resolve(process.env.NEWSCORPUS_ROOT ?? process.cwd());
export const PROTO_DIR = join(ROOT, "proto");
/** google/rpc/status.proto and error_details.proto (minimal copies). */
export const RPC_PROTO_DIR = join(ROOT, "tests", "clients", "node", "proto");
export const SEEDS = join(ROOT, "seeds");
export const BIN =
  process.env.NEWSCORPUS_BIN ??
  join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "newscorpus");
/** Deadline of every RPC in these tests, so a stuck server fails a test instead of hanging it. */
export const CALL_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;

export const SERVICE = "newscorpus.v1.CorpusService";

/** File names in seeds/ (each is one article; ListArticles reports them as `source`). */
export function seedFiles(): string[] {
  return readdirSync(SEEDS, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
}

type SpanLike = { start: number; end: number } | undefined;

/**
 * The text a span counted in UTF-16 code units refers to: JS strings index
 * UTF-16 units, so with `offset_encoding: OFFSET_ENCODING_UTF16` in the
 * request a span slices the string natively, `body.slice(start, end)`. This
 * only adds the checks (span present, in bounds).
 */
export function sliceUtf16(body: string, span: SpanLike): string {
  if (!span) throw new Error("span is missing");
  if (span.end < span.start || span.end > body.length) {
    throw new Error(`span [${span.start}, ${span.end}) out of a text of ${body.length} UTF-16 units`);
  }
  return body.slice(span.start, span.end);
}

/**
 * The text a span counted in Unicode code points refers to: what the server
 * sends when the request leaves `offset_encoding` unset (or asks
 * OFFSET_ENCODING_CODE_POINTS). `Array.from` splits a string by code point;
 * pass the same array for every span of one text to avoid splitting it again.
 */
export function sliceCodePoints(body: string | string[], span: SpanLike): string {
  if (!span) throw new Error("span is missing");
  const points = typeof body === "string" ? Array.from(body) : body;
  if (span.end < span.start || span.end > points.length) {
    throw new Error(`span [${span.start}, ${span.end}) out of a text of ${points.length} code points`);
  }
  return points.slice(span.start, span.end).join("");
}

/** Case- and accent-insensitive form, as the API compares names. */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** JSON.stringify that copes with the bigint (uint64) fields of generated messages. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** grpc.health.v1.Health/Check without generated stubs; resolves to the status number (1 = SERVING). */
export function healthStatus(address: string, service = SERVICE, timeoutMs = 2_000): Promise<number> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const name = Buffer.from(service, "utf8");
  // HealthCheckRequest{service = 1 (string)}
  const request = Buffer.concat([Buffer.from([0x0a, name.length]), name]);
  return new Promise<number>((resolveStatus, reject) => {
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      (raw: Buffer) => raw,
      (raw: Buffer) => raw,
      request,
      { deadline: Date.now() + timeoutMs },
      (error, response) => {
        client.close();
        if (error) return reject(error);
        // HealthCheckResponse{status = 1 (enum)}; absent means 0 (UNKNOWN).
        resolveStatus(response && response.length >= 2 && response[0] === 0x08 ? response[1]! : 0);
      },
    );
  });
}

// Servers still running when this process exits (a crash, an uncaught
// error) are killed rather than left behind.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A running newscorpus process. */
export class Server {
  constructor(
    readonly process: ChildProcess,
    readonly address: string,
    readonly logPath: string,
    private readonly cleanup: string[],
  ) {}

  log(): string {
    try {
      return readFileSync(this.logPath, "utf8");
    } catch {
      return "";
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves to the exit code (null if killed by a signal). */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    const child = this.process;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    for (const dir of this.cleanup) rmSync(dir, { recursive: true, force: true });
    return child.exitCode;
  }
}

export interface LaunchOptions {
  /** Corpus folder; default seeds/. `"empty"` starts from an empty temporary folder. */
  corpus?: string;
  /** Extra `serve` arguments, e.g. ["--data-dir", dir]. */
  args?: string[];
}

/**
 * Starts `newscorpus serve --corpus DIR --addr 127.0.0.1:PORT` and resolves
 * once CorpusService reports SERVING on the health service.
 */
export async function launch(options: LaunchOptions = {}): Promise<Server> {
  if (!existsSync(BIN)) {
    throw new Error(`server binary not found: ${BIN} (run cargo build, or set NEWSCORPUS_BIN)`);
  }
  const work = mkdtempSync(join(tmpdir(), "newscorpus-node-"));
  const cleanup = [work];
  let corpus = options.corpus ?? SEEDS;
  if (corpus === "empty") {
    corpus = mkdtempSync(join(work, "corpus-"));
  }
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const logPath = join(work, `server-${port}.log`);
  // The server reads NEWSCORPUS_* settings from the environment: keep the
  // caller's (an auth token file, say) out of the test servers.
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("NEWSCORPUS_")) env[key] = value;
  }
  const log = openSync(logPath, "w");
  const child = spawn(BIN, ["serve", "--corpus", corpus, "--addr", address, ...(options.args ?? [])], {
    stdio: ["ignore", log, log],
    env,
  });
  closeSync(log);
  running.add(child);
  child.once("exit", () => running.delete(child));
  const server = new Server(child, address, logPath, cleanup);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited with ${child.exitCode ?? child.signalCode}:\n${server.log()}`);
    }
    try {
      if ((await healthStatus(address)) === 1) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop(1_000);
      throw new Error(`server not SERVING within ${START_TIMEOUT_MS} ms:\n${server.log()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A made-up article for ingest tests (the Python suite ingests the same one). */
export const NEW_ARTICLE = [
  "Harbour council approves new tidal energy plant",
  "",
  "The Port Elsworth harbour council on Tuesday approved a tidal energy plant " +
    "that will power 40,000 homes.",
  "",
  '"This is the biggest decision the council has taken in a generation," said ' +
    "council chair Margaret Okonkwo-Hale.",
  "",
  "Engineers from Tidewell Energy said construction would start next spring.",
  "",
].join("\n");

/**
 * NEW_ARTICLE again with other details and an emoji (outside the BMP: two
 * UTF-16 units, one code point) before every entity, so that spans counted in
 * code points and string indexes counted in UTF-16 units differ.
 */
export const SECOND_ARTICLE = NEW_ARTICLE.replace("Tuesday", "Wednesday")
  .replace("40,000", "45,000")
  .replace("The Port Elsworth", "\u{1F30A} The Port Elsworth");

/** Date histogram by day, computed from listed articles: published -> count. */
export function countByDay(articles: { published: string }[]): Map<string, number> {
  const days = new Map<string, number>();
  for (const article of articles) {
    if (article.published) days.set(article.published, (days.get(article.published) ?? 0) + 1);
  }
  return days;
}

/**
 * An article with astral characters (emoji, mathematical Fraktur letters:
 * one code point, two UTF-16 units, four UTF-8 bytes each) before its
 * mentions, inside and before its quote, and before the searched words, so
 * that code points, UTF-16 units and UTF-8 bytes all give different offsets.
 * The Go suite ingests the same text.
 */
export const UNICODE_ARTICLE =
  "\u{1F6A2}\u{1F6A2} Harbour news from \u{1D50A}\u{1D52C}\u{1D531}\u{1D525}\u{1D51E}\u{1D52A} \u{1F30A}\n\n" +
  "\u{1F6A2} The harbour board of Porto Velho met on Monday. \u{1F44B} Marta Souza chaired it.\n\n" +
  "\u201cWe have waited \u{1D531}\u{1D522}\u{1D52B} years for this \u{1F389},\u201d said Marta Souza, the board's chair.\n";
