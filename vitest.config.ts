import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The chaos set runs on its own (vitest.chaos.config.ts, `npm run test:chaos`): minutes of real faults.
    exclude: ["test/chaos/**", "**/node_modules/**"],
    // Rebuilds dist/ and dist-tools/ when older than their sources: no test runs a stale CLI or simulator.
    globalSetup: ["test/support/build-before-tests.ts"],
    testTimeout: 20_000,
    hookTimeout: 120_000,
    // End-to-end suites start real etcd clusters on fixed loopback addresses: one file at a time.
    fileParallelism: false,
  },
});
