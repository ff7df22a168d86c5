/** The run's result -> the process exit code (DESIGN.md); only main() applies it. */
import { CommandError, EXIT, type ExitCode } from "../errors.js";
import type { RunResult } from "./types.js";

export function exitCodeForResult(result: RunResult): ExitCode {
  switch (result) {
    case "ok":
    case "nothing-to-do":
      return EXIT.ok;
    case "failed":
      return EXIT.failed;
    case "refused":
      return EXIT.refused;
    case "interrupted":
      return EXIT.interrupted;
  }
}

/** Talos answers an RBAC denial with gRPC PermissionDenied (forfeit-leadership needs os:admin). */
export function isPermissionDenied(err: unknown): boolean {
  return err instanceof CommandError && err.stderr.includes("PermissionDenied");
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
