/**
 * How an error from etcd reaches talosctl through Talos. machined talks to etcd with clientv3, which
 * turns etcd's own server errors ("etcdserver: ...") into plain Go errors; machined wraps them with
 * its own words per API and returns them, so talosctl sees gRPC code Unknown, Talos's words first.
 */
import { RpcError, unavailableError } from "./backend.js";
import { GatewayError, UnreachableError } from "./gateway.js";

const GRPC_CODES = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
];

/** An error etcd's server raised, as its text: "etcdserver: rpc not supported for learner", ... */
export class EtcdServerError extends Error {
  constructor(readonly etcdMessage: string) {
    super(etcdMessage);
    this.name = "EtcdServerError";
  }
}

/** What machined puts before etcd's text, per API (Talos v1.10–v1.14 machined handlers). */
export const TALOS_WRAPPING = {
  status: "failed to query etcd status: ",
  members: "",
  alarms: "failed to list etcd alarms: ",
  disarm: "failed to disarm etcd alarm: ",
  defrag: "failed to defragment etcd: ",
  forfeit: "failed to forfeit leadership: ",
} as const;

export function isLearnerRefusal(error: unknown): boolean {
  return error instanceof EtcdServerError && /rpc not supported for learner/.test(error.etcdMessage);
}

/** A gateway call's failure as the simulator sees it: unreachable node, etcd server error, or other gRPC error. */
export function translateGatewayFailure(node: string, error: unknown): unknown {
  if (error instanceof UnreachableError) return unavailableError(node);
  if (error instanceof GatewayError) {
    if (error.grpcMessage.startsWith("etcdserver: ")) return new EtcdServerError(error.grpcMessage);
    return new RpcError(GRPC_CODES[error.grpcCode] ?? "Unknown", error.grpcMessage);
  }
  return error;
}

/** Runs one machined API: an etcd server error comes out as Talos returns it (code Unknown, wrapped). */
export async function asTalosApi<T>(wrapping: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EtcdServerError) throw new RpcError("Unknown", `${wrapping}${error.etcdMessage}`);
    throw error;
  }
}
