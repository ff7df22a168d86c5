/**
 * What kind of talosctl failure this is. Configuration errors ("your setup is wrong", not "the cluster is
 * unwell") exit 2 with the next step; PermissionDenied means the Talos API refused before etcd saw the call.
 */
import { CommandError } from "../errors.js";

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

/** The next step for a configuration error, or undefined when the error is something else. */
export function configErrorHint(error: unknown): string | undefined {
  if (!(error instanceof CommandError)) return undefined;
  return CONFIG_ERRORS.find((e) => e.pattern.test(error.stderr))?.hint;
}

/** Talos answers an RBAC denial with gRPC PermissionDenied (forfeit-leadership needs os:admin, defrag os:operator). */
export function isPermissionDenied(error: unknown): boolean {
  return error instanceof CommandError && error.stderr.includes("PermissionDenied");
}
