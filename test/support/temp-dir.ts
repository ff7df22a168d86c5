/** Per-test temporary directories for tests that run the CLI in-process. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";

/**
 * A fresh directory for each test, removed afterwards. It is also TALOS_ETCD_DEFRAG_LOCK_DIR, where the run lock lives,
 * so no test ever meets the lock of another test or of a real run on this machine.
 */
export function useTempDir(prefix: string): () => string {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    vi.stubEnv("TALOS_ETCD_DEFRAG_LOCK_DIR", dir);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}
