/**
 * What the real talosctl does with a SIGINT or SIGTERM (pkg/cli/context.go, both eras; confirmed against the real
 * binary, fixtures/captured/<tag>/snapshot-interrupted): the first one cancels the call's context, it prints
 * SIGNALLED on stderr and stops listening, so a second signal kills it. The cancelled call fails with gRPC's
 * Canceled, wrapped as each command wraps its errors (cmd/talosctl/cmd/talos/etcd.go), and talosctl exits 1.
 */
import type { SimCommand, SimConfig } from "./config.js";
import type { Rendered } from "./render.js";

export const SIGNALLED = "Signal received, aborting, press Ctrl+C once again to abort immediately...";
export const CANCELED = "rpc error: code = Canceled desc = context canceled";

/** How each command wraps its call's error; the others return it as it is. */
const WRAPPED: Partial<Record<SimCommand, string>> = {
  status: "error getting status",
  members: "error getting members",
  "alarm list": "error getting alarms",
  "alarm disarm": "error disarming alarms",
};

/**
 * The output of a call cancelled by a signal. A snapshot's stream ends differently per era: up to v1.13 the
 * cancelled stream reads as an empty file ("sha256 checksum not found (size 0)"), v1.14 reports the read error.
 * v1.14's status and members (one call per node) drop a cancelled node's error and exit 0, after the rows of the
 * nodes that had answered (fixtures/captured/v1.14.1/member-stopped); the simulator renders a table only at the
 * end, so it prints the notice alone there.
 */
export function cancelledOutput(command: string, release: SimConfig["release"]): Rendered {
  if (release === "v1.14" && (command === "status" || command === "members"))
    return { stdout: "", stderr: `${SIGNALLED}\n`, exitCode: 0 };
  const wrapping = WRAPPED[command as SimCommand];
  const error =
    command === "snapshot"
      ? release === "v1.14"
        ? `error reading: ${CANCELED}`
        : "sha256 checksum not found (size 0)"
      : wrapping === undefined
        ? CANCELED
        : `${wrapping}: ${CANCELED}`;
  return { stdout: "", stderr: `${SIGNALLED}\n${error}\n`, exitCode: 1 };
}

// What a call leaves behind that a cancel must remove first (talosctl's deferred removal of its temporary file).
const cleanups = new Set<() => void>();

/** Registers a synchronous clean-up for a cancel; returns its removal, for when the call ends by itself. */
export function onCancel(cleanUp: () => void): () => void {
  cleanups.add(cleanUp);
  return () => cleanups.delete(cleanUp);
}

export function runCancelCleanups(): void {
  for (const cleanUp of cleanups) cleanUp();
  cleanups.clear();
}
