// The explorer's only way to the data: the public API over gRPC-Web, through
// stubs generated from proto/ (protoc-gen-es) and @connectrpc/connect-web's
// gRPC-Web transport, on the origin that served the page (no CORS needed).

import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { CorpusService } from "./gen/newscorpus/v1/corpus_service_pb.js";
import { EntityType } from "./gen/newscorpus/v1/types_pb.js";

export * from "./gen/newscorpus/v1/corpus_service_pb.js";
export * from "./gen/newscorpus/v1/types_pb.js";

const TOKEN_KEY = "newscorpus.token";

/** The bearer token the user gave (servers run with --auth-token-file), if any. */
export function token(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

export function setToken(value: string): void {
  if (value.trim()) sessionStorage.setItem(TOKEN_KEY, value.trim());
  else sessionStorage.removeItem(TOKEN_KEY);
}

const bearer: Interceptor = (next) => async (request) => {
  const value = token();
  if (value) request.header.set("authorization", `Bearer ${value}`);
  return next(request);
};

export const api: Client<typeof CorpusService> = createClient(
  CorpusService,
  createGrpcWebTransport({
    baseUrl: window.location.origin,
    interceptors: [bearer],
    // A stuck call ends as DEADLINE_EXCEEDED on the page instead of a spinner
    // that never stops.
    defaultTimeoutMs: 30_000,
  }),
);

/** Up to `limit` items of a server stream (the rest is cancelled). */
export async function take<T>(stream: AsyncIterable<T>, limit = Infinity): Promise<T[]> {
  const items: T[] = [];
  if (limit <= 0) return items;
  for await (const item of stream) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}

/** An error as the page shows it: the gRPC status name and the API's message. */
export function describe(error: unknown): { code: string; message: string; unauthenticated: boolean } {
  if (error instanceof ConnectError) {
    const code = Code[error.code] ?? String(error.code);
    return {
      code: code.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase(),
      message: error.rawMessage || "(no message)",
      unauthenticated: error.code === Code.Unauthenticated || error.code === Code.PermissionDenied,
    };
  }
  return { code: "CLIENT", message: error instanceof Error ? error.message : String(error), unauthenticated: false };
}

/** True for the error a cancelled (navigated-away) call ends with. */
export function cancelled(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Canceled;
}

const TYPE_NAMES: Record<number, string> = {
  [EntityType.PERSON]: "person",
  [EntityType.ORG]: "organisation",
  [EntityType.GPE]: "place",
  [EntityType.LOC]: "location",
  [EntityType.NORP]: "nationality or group",
  [EntityType.EVENT]: "event",
  [EntityType.LAW]: "law",
  [EntityType.WORK_OF_ART]: "work",
  [EntityType.OTHER]: "other",
};

/** An entity type as a word ("person") and as a CSS class suffix ("person"). */
export function typeName(type: EntityType): string {
  return TYPE_NAMES[type] ?? "unknown";
}

export function typeClass(type: EntityType): string {
  return (EntityType[type] ?? "UNSPECIFIED").toLowerCase().replace(/_/g, "-");
}
