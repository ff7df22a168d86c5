import { request as httpRequest } from "node:http";

/**
 * A minimal client for etcd's gRPC gateway (JSON over HTTP, etcd 3.4: /v3/...). 64-bit integers
 * arrive as decimal strings and bytes as base64; callers convert. Faster than spawning etcdctl.
 */

/** The gateway answered with a gRPC error (HTTP status != 200). */
export class GatewayError extends Error {
  constructor(
    readonly grpcCode: number,
    readonly grpcMessage: string,
  ) {
    super(`etcd gateway: ${grpcMessage} (grpc code ${grpcCode})`);
    this.name = "GatewayError";
  }
}

/** etcd could not be reached at all (connection refused, reset, timeout). */
export class UnreachableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`etcd at ${endpoint} unreachable: ${reason}`);
    this.name = "UnreachableError";
  }
}

export interface CallOptions {
  /** Undefined: no timeout (defragment of a large database can take minutes). */
  timeoutMs?: number;
  /**
   * "http" (default): node:http, which a short-lived process loads in a few ms and leaves at once. "fetch":
   * undici, which costs a simulated talosctl about 40 ms to load and 70 ms to exit (BENCHMARKS.md, issue 21 §3);
   * the bench's load clients keep it so that the load they make stays the load measured before.
   */
  client?: "http" | "fetch";
}

/** One POST to the gateway: the HTTP status and the body as text. */
type Post = (
  url: string,
  body: string,
  timeoutMs: number | undefined,
) => Promise<{ status: number; text: string }>;

function describeFetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code) return cause.code;
  if ((error as Error).name === "TimeoutError") return "timeout";
  return (error as Error).message;
}

const postWithFetch: Post = async (url, body, timeoutMs) => {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    throw new UnreachableError(new URL(url).origin, describeFetchFailure(error));
  }
};

const postWithHttp: Post = (url, body, timeoutMs) =>
  new Promise((resolve, reject) => {
    const origin = new URL(url).origin;
    const fail = (reason: string) => reject(new UnreachableError(origin, reason));
    const request = httpRequest(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
    });
    request.once("error", (error: NodeJS.ErrnoException) => {
      if (error.name === "AbortError") fail("timeout");
      else fail(error.code === "ECONNREFUSED" ? "connection refused" : (error.code ?? error.message));
    });
    request.once("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.once("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
      response.once("end", () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    request.end(body);
  });

export async function callGateway<T>(
  endpoint: string,
  path: string,
  body: unknown = {},
  options: CallOptions = {},
): Promise<T> {
  const post = options.client === "fetch" ? postWithFetch : postWithHttp;
  const { status, text } = await post(`${endpoint}/v3/${path}`, JSON.stringify(body), options.timeoutMs);
  const parsed = (text === "" ? {} : JSON.parse(text)) as T & {
    error?: string;
    message?: string;
    code?: number;
  };
  if (status !== 200) {
    throw new GatewayError(parsed.code ?? 2, parsed.message ?? parsed.error ?? `HTTP ${status}`);
  }
  return parsed;
}

export function encodeKey(key: string): string {
  return Buffer.from(key, "utf8").toString("base64");
}

export function decodeBytes(base64: string | undefined): Buffer {
  return Buffer.from(base64 ?? "", "base64");
}

/** base64 of the key just after every key with this prefix (range_end for a prefix scan). */
export function encodePrefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, "utf8");
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i] ?? 0;
    if (byte < 0xff) {
      const end = bytes.subarray(0, i + 1);
      end[i] = byte + 1;
      return end.toString("base64");
    }
  }
  return Buffer.from([0]).toString("base64");
}

/**
 * The first bytes of a server-streaming call (e.g. maintenance/snapshot), then the stream is dropped:
 * enough to see whether etcd streams data or answers with an error object. "" when unreachable.
 */
export async function readStreamStart(endpoint: string, path: string, timeoutMs = 10_000): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(`${endpoint}/v3/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    const first = reader === undefined ? undefined : await reader.read();
    return first?.value === undefined ? "" : Buffer.from(first.value).toString("utf8", 0, 512);
  } catch {
    return "";
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
