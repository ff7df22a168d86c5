/**
 * takeSnapshot tells the elapsed time and the bytes written so far while talosctl streams (issue 27 item 17):
 * the CLI shows it as a live line on a terminal. The fake talosctl below finishes only once it has been told
 * twice, so nothing here depends on the machine's speed.
 */
import { createHash } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { takeSnapshot } from "../../src/run/snapshot.js";
import type { Talosctl } from "../../src/talos/talosctl.js";
import { member, view } from "../plan/views.js";
import { useTempDir } from "../support/temp-dir.js";

const tempDir = useTempDir("ted-progress-");

describe("a snapshot that streams says how long it has been running", () => {
  it("tells progress the elapsed time and the bytes of talosctl's .part file, and stops once done", async () => {
    const told: { elapsedMs: number; bytes: number | null }[] = [];
    let release: () => void = () => {};
    const toldTwice = new Promise<void>((resolve) => {
      release = resolve;
    });
    const body = Buffer.alloc(4 * 512, 5);
    const bytes = Buffer.concat([body, createHash("sha256").update(body).digest()]);
    const talosctl = {
      snapshot: async (_node: string, path: string) => {
        await writeFile(`${path}.part`, bytes.subarray(0, 1024));
        await toldTwice;
        await writeFile(`${path}.part`, bytes);
        await rename(`${path}.part`, path);
        return { path, bytes: bytes.length, revision: 7, totalKeys: 1 };
      },
    } as unknown as Talosctl;
    let clock = 1_000_000;
    const v = view([member("10.0.0.1", { isLeader: true }), member("10.0.0.2")]);
    const result = await takeSnapshot(
      talosctl,
      v,
      {
        dir: tempDir(),
        keep: 1,
        progressEveryMs: 1,
        progress: (p) => {
          told.push(p);
          if (told.filter((t) => t.bytes === 1024).length === 2) release();
        },
      },
      () => (clock += 1000),
    );
    expect(result.sha256Verified).toBe(true);
    expect(told.length).toBeGreaterThanOrEqual(2);
    // At least the two reports that let the stream finish; a tick may come between the release and the end of the
    // stream on a busy machine, so the count above two is not asserted.
    expect(told.filter((t) => t.bytes === 1024).length).toBeGreaterThanOrEqual(2);
    expect(told.every((t) => t.elapsedMs > 0)).toBe(true);
  });
});
