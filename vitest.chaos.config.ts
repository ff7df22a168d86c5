import { defineConfig } from "vitest/config";

/**
 * `npm run test:chaos`: the fixed-seed chaos set over real etcd (a few minutes of real faults), apart from
 * `npm test` to keep the default suite short; CI runs both. Same set-up as vitest.config.ts otherwise.
 */
export default defineConfig({
  test: {
    include: ["test/chaos/**/*.test.ts"],
    globalSetup: ["test/support/build-before-tests.ts"],
    testTimeout: 20_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
