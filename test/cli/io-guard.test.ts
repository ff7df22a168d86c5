/** guardWrites: a writer that throws (a closed pipe) loses its text, never the command that writes. */
import { describe, expect, it } from "vitest";
import { guardWrites } from "../../src/cli/io.js";
import { recordIO } from "./fixture-exec.js";

const epipe = () => Object.assign(new Error("write EPIPE"), { code: "EPIPE" });

describe("guardWrites", () => {
  it("a stdout that throws: no throw, said once on stderr, later stdout writes dropped", () => {
    let attempts = 0;
    const rec = recordIO(
      () => async () => ({ stdout: "", stderr: "", exitCode: 0, timedOut: false, durationMs: 0 }),
      {
        stdout: () => {
          attempts++;
          throw epipe();
        },
      },
    );
    const io = guardWrites(rec.io);
    expect(() => io.stdout("a")).not.toThrow();
    io.stdout("b");
    io.stderr("still here\n");
    expect(attempts).toBe(1);
    expect(rec.stderr()).toBe(
      "warning: stdout is closed (EPIPE): the rest of the output is dropped; the exit code still tells how the run went\nstill here\n",
    );
  });

  it("a stderr that throws: no throw, stdout unaffected", () => {
    const rec = recordIO(
      () => async () => ({ stdout: "", stderr: "", exitCode: 0, timedOut: false, durationMs: 0 }),
      {
        stderr: () => {
          throw epipe();
        },
      },
    );
    const io = guardWrites(rec.io);
    expect(() => io.stderr("progress\n")).not.toThrow();
    io.stdout("{}\n");
    expect(rec.stdout()).toBe("{}\n");
  });

  it("an error event reported later (how Node reports EPIPE on a pipe) stops the writes too", () => {
    const seen: string[] = [];
    const rec = recordIO(
      () => async () => ({ stdout: "", stderr: "", exitCode: 0, timedOut: false, durationMs: 0 }),
      {
        stdout: (t) => seen.push(t),
      },
    );
    const io = guardWrites(rec.io);
    io.stdout("first");
    io.broke.stdout(epipe());
    io.stdout("second");
    expect(seen).toEqual(["first"]);
    expect(rec.stderr()).toMatch(/^warning: stdout is closed \(EPIPE\)/);
  });
});
