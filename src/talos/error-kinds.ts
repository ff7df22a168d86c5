/**
 * What kind of talosctl failure this is, read from talosctl's text here and nowhere else. Configuration errors
 * ("your setup is wrong", not "the cluster is unwell") exit 2 with the next step; the per-node kinds tell a node
 * that did not answer from one that refused a call it does not serve (a learner) or that we may not make (RBAC).
 */
import { CommandError } from "../errors.js";
import type { FailureKind } from "./types.js";

const CONFIG_ERRORS: readonly { pattern: RegExp; hint: string }[] = [
  {
    // talosctl's own wording when it cannot open the talosconfig, whatever the file is called.
    pattern: /failed to open config file|talosconfig/i,
    hint: "check --talosconfig / $TALOSCONFIG points at a readable talosconfig (talosctl's default: ~/.talos/config)",
  },
  {
    pattern: /nodes are not set/,
    hint: "pass the control plane nodes with -n, or set nodes in the talosconfig context",
  },
  {
    pattern: /context ["']?[^"'\s]*["']? (is )?not (found|defined)/i,
    hint: "check --context names a context of the talosconfig (talosctl config contexts)",
  },
];

/** First match wins: a learner's refusal says "Unknown", an RBAC denial names PermissionDenied. */
const KINDS: readonly { kind: FailureKind; pattern: RegExp }[] = [
  // etcd refuses most RPCs on a learner, and refuses to hand leadership to one ("bad leader transferee").
  { kind: "learner-refused", pattern: /rpc not supported for learner|bad leader transferee/ },
  { kind: "permission-denied", pattern: /PermissionDenied|not authorized/ },
  { kind: "not-control-plane", pattern: /only available on control plane nodes/ },
  { kind: "timed-out", pattern: /DeadlineExceeded|context deadline exceeded/ },
  {
    kind: "unreachable",
    pattern:
      /code = Unavailable|connection refused|connection error|no route to host|i\/o timeout|no such host/,
  },
];

export function classifyFailure(text: string, timedOut = false): FailureKind {
  if (timedOut) return "timed-out";
  return KINDS.find((k) => k.pattern.test(text))?.kind ?? "other";
}

/** The kind of a thrown talosctl failure; "other" for anything that is not one. */
export function failureKindOf(error: unknown): FailureKind {
  if (!(error instanceof CommandError)) return "other";
  return error.kind ?? classifyFailure(error.stderr, error.timedOut);
}

/** The next step for a configuration error, or undefined when the error is something else. */
export function configErrorHint(error: unknown): string | undefined {
  if (!(error instanceof CommandError)) return undefined;
  return CONFIG_ERRORS.find((e) => e.pattern.test(error.stderr))?.hint;
}

/** What the operator can do about a failure of this kind, as a clause to append to a message ("" when nothing). */
export function nextStepFor(kind: FailureKind): string {
  switch (kind) {
    case "permission-denied":
      return " (the talosconfig's role may not do this: etcd reads need os:reader or higher, defrag os:operator, forfeit-leadership os:admin)";
    case "not-control-plane":
      return " (a worker node: give only control plane nodes with -n)";
    case "learner-refused":
      return " (an etcd learner serves only status until Talos promotes it)";
    case "timed-out":
      return " (talosctl did not answer in time; check the endpoints, or raise --timeout)";
    default:
      return "";
  }
}
