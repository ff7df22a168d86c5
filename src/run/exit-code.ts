/** The run's result -> the process exit code (docs/CONTRACT.md); only main() applies it. */
import { EXIT, type ExitCode } from "../errors.js";
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
