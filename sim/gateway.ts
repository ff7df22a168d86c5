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
}

function describeFetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code) return cause.code;
  if ((error as Error).name === "TimeoutError") return "timeout";
  return (error as Error).message;
}

export async function callGateway<T>(
  endpoint: string,
  path: string,
  body: unknown = {},
  options: CallOptions = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/v3/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
    });
  } catch (error) {
    throw new UnreachableError(endpoint, describeFetchFailure(error));
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new UnreachableError(endpoint, describeFetchFailure(error));
  }
  const parsed = (text === "" ? {} : JSON.parse(text)) as T & {
    error?: string;
    message?: string;
    code?: number;
  };
  if (!response.ok) {
    throw new GatewayError(parsed.code ?? 2, parsed.message ?? parsed.error ?? `HTTP ${response.status}`);
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
