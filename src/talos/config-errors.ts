/**
 * talosctl errors that mean "your configuration is wrong", not "the cluster is unwell": they exit 2 with the
 * next step, and no run treats them as a node that did not answer.
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
