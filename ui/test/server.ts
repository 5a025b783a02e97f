// Starts newscorpus servers for the browser tests: the binary is
// $NEWSCORPUS_BIN, each server on a free loopback port with its own log, on
// seeds/ unless told otherwise; ready once GetCorpusStats answers.

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CorpusService } from "../src/gen/newscorpus/v1/corpus_service_pb.js";

export const ROOT = resolve(process.env.NEWSCORPUS_ROOT ?? process.cwd());
export const BIN = process.env.NEWSCORPUS_BIN ?? join(ROOT, "target", "debug", "newscorpus");
export type Corpus = Client<typeof CorpusService>;

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

export class Server {
  constructor(
    readonly child: ChildProcess,
    readonly address: string,
    readonly logPath: string,
    private readonly work: string,
    /** Serving TLS (`--tls-cert`): https URLs, any certificate accepted. */
    readonly tls = false,
  ) {}

  get url(): string {
    return `${this.tls ? "https" : "http"}://${this.address}`;
  }

  /** A gRPC (HTTP/2) client: what a backend, not a browser, would use. */
  grpc(token?: string): Corpus {
    return createClient(
      CorpusService,
      createGrpcTransport({
        baseUrl: this.url,
        defaultTimeoutMs: 10_000,
        // The tests' certificates are self-signed.
        nodeOptions: this.tls ? { rejectUnauthorized: false } : undefined,
        interceptors: token
          ? [(next) => async (request) => {
              request.header.set("authorization", `Bearer ${token}`);
              return next(request);
            }]
          : [],
      }),
    );
  }

  log(): string {
    try {
      return readFileSync(this.logPath, "utf8");
    } catch {
      return "";
    }
  }

  async stop(): Promise<number | null> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.work, { recursive: true, force: true });
    return child.exitCode;
  }
}

export async function launch(args: string[] = [], token?: string): Promise<Server> {
  const work = mkdtempSync(join(tmpdir(), "newscorpus-browser-"));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const logPath = join(work, "server.log");
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("NEWSCORPUS_")) env[key] = value;
  const log = openSync(logPath, "w");
  const child = spawn(BIN, ["serve", "--corpus", join(ROOT, "seeds"), "--addr", address, ...args], {
    stdio: ["ignore", log, log],
    env,
  });
  closeSync(log);
  running.add(child);
  child.once("exit", () => running.delete(child));
  const server = new Server(child, address, logPath, work, args.includes("--tls-cert"));
  const client = server.grpc(token);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited with ${child.exitCode ?? child.signalCode}:\n${server.log()}`);
    }
    try {
      await client.getCorpusStats({}, { timeoutMs: 2_000 });
      return server;
    } catch {
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`server not ready within 60 s:\n${server.log()}`);
      }
      await new Promise((done) => setTimeout(done, 200));
    }
  }
}

/** Writes `text` to a fresh file and returns its path (an auth token file, say). */
export function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "newscorpus-browser-file-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
