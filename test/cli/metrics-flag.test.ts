import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "./fixture-exec.js";
import { createStatefulCluster, runCli } from "./stateful-exec.js";

const NODES = "172.20.0.2,172.20.0.3,172.20.0.4";

describe("--metrics-file", () => {
  it("status writes member gauges and its run result, all labelled command=status, and no last success", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ted-metrics-"));
    const path = join(dir, "talos_etcd_defrag.prom");
    writeFileSync(path, "talos_etcd_defrag_last_success_timestamp_seconds 1795000000\n");
    const rec = recordIO((calls) => fixtureExec("v1.14", "fragmented", calls));
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "-n", NODES, "status", "--metrics-file", path],
      rec.io,
    );
    expect(code).toBe(0);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(
      /^talos_etcd_defrag_member_db_size_bytes\{node="172\.20\.0\.2",member_id="a49c021e76e707db",command="status"\} 1900000000$/m,
    );
    expect(text).toMatch(/^talos_etcd_defrag_member_defrag_recommended\{node="172\.20\.0\.4",.*\} 0$/m);
    expect(text).toMatch(/^talos_etcd_defrag_run_result\{command="status",result="ok"\} 1$/m);
    // Only defrag writes the last success: a copy here would be a second, frozen writer of that series.
    expect(text).not.toContain("talos_etcd_defrag_last_success_timestamp_seconds");
  });

  it("a refused defrag carries the last success over from its own file, now labelled command=defrag", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ted-metrics-"));
    vi.stubEnv("TALOS_ETCD_DEFRAG_LOCK_DIR", dir);
    const path = join(dir, "talos_etcd_defrag_defrag.prom");
    // The line as earlier versions wrote it, without labels: read back all the same.
    writeFileSync(path, "talos_etcd_defrag_last_success_timestamp_seconds 1795000000\n");
    const cluster = createStatefulCluster();
    cluster.knobs.unreachable.add("172.20.0.4");
    const run = await runCli(cluster, ["-n", NODES, "-o", "json", "defrag", "--yes", "--metrics-file", path]);
    vi.unstubAllEnvs();
    expect(run.code, run.stderr).toBe(3);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^talos_etcd_defrag_run_result\{command="defrag",result="refused"\} 1$/m);
    expect(text).toMatch(
      /^talos_etcd_defrag_last_success_timestamp_seconds\{command="defrag"\} 1795000000$/m,
    );
  });

  it("refuses a path node-exporter would not read, before any talosctl call (exit 2)", async () => {
    const rec = recordIO((calls) => fixtureExec("v1.14", "fragmented", calls));
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "-n", NODES, "check", "--metrics-file", "/tmp/metrics.txt"],
      rec.io,
    );
    expect(code).toBe(2);
    expect(rec.stderr()).toContain("*.prom");
    expect(rec.calls).toEqual([]);
  });
});
