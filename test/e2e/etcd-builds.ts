/**
 * Suites over one pinned etcd build (scripts/etcd-build, go-builds/etcd/VERSIONS) instead of the etcd on PATH:
 * the upgrade checks judge the versions Talos ships (3.5.21, 3.6.4, 3.7.1), so they run on those. The build is
 * found (or built, minutes on a cold cache) by running scripts/etcd-build in beforeAll, which reuses its cache.
 * Without a build (no Go, no module proxy) the suite's tests skip loudly; with REQUIRE_ETCD=1 (CI) they fail.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, type TestContext } from "vitest";
import { type ClusterOptions, type SimCluster, startCluster } from "../../sim/cluster.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The folder scripts/etcd-build prints for `version`, or its error. */
export async function etcdBuild(version: string): Promise<{ bin: string } | { error: string }> {
  const result = await execa("bash", [join(ROOT, "scripts", "etcd-build"), version], {
    reject: false,
    stdin: "ignore",
    // A cold build of etcd, etcdctl and etcdutl from the module proxy on 2 cores.
    timeout: 30 * 60_000,
  });
  const bin = String(result.stdout).trim();
  if (result.exitCode === 0 && bin !== "") return { bin };
  const tail = String(result.stderr).trim().split("\n").slice(-3).join("\n");
  return { error: `scripts/etcd-build ${version} failed (exit ${result.exitCode}): ${tail}` };
}

/**
 * describe() for a suite on a 3-member cluster of etcd `version`: one cluster for the file's suite, always
 * stopped. `get(ctx)` returns the cluster, or skips the test (loudly, once) when the build is missing and
 * REQUIRE_ETCD is not 1.
 */
export function describeOnEtcdBuild(
  name: string,
  version: string,
  options: ClusterOptions,
  body: (get: (ctx: TestContext) => SimCluster) => void,
): void {
  describe(name, { timeout: 120_000 }, () => {
    let cluster: SimCluster | undefined;
    let missing: string | undefined;
    beforeAll(async () => {
      const build = await etcdBuild(version);
      if ("error" in build) {
        if (process.env.REQUIRE_ETCD === "1") throw new Error(`REQUIRE_ETCD=1: ${build.error}`);
        missing = build.error;
        const bar = "!".repeat(78);
        console.warn(`\n${bar}\n!! SKIPPING ${name}: no etcd ${version} build.\n!! ${build.error}\n${bar}\n`);
        return;
      }
      cluster = await startCluster({ ...options, etcdBin: build.bin });
    }, 35 * 60_000);
    afterAll(async () => {
      await cluster?.stop();
    }, 60_000);
    body((ctx) => {
      if (missing !== undefined) ctx.skip(missing);
      if (cluster === undefined) throw new Error("cluster did not start");
      return cluster;
    });
  });
}
