/**
 * The generated sweep's run settings, shared by each of its property files (generated-sweep.test.ts; the snapshot
 * folders of retention and check are to be one more such file): a fixed seed in `npm test`, SWEEP_SEED and
 * SWEEP_RUNS to explore (`SWEEP_SEED=7 SWEEP_RUNS=5000 npx vitest run test/faults/generated-sweep.test.ts`).
 * fast-check prints the seed, the path and the shrunk case of a failure; each case prints as a table (toString).
 */
export const SWEEP_SEED = Number(process.env.SWEEP_SEED ?? 27);
export const SWEEP_RUNS = Number(process.env.SWEEP_RUNS ?? 2000);

/** A ceiling for a loaded machine, not a measure: 2,000 cases take about 20 s with both cores busy. */
export const SWEEP_CEILING_MS = 240_000;

/** fast-check's parameters for a property of `share` of the sweep's runs. */
export const sweepParams = (share = 1) => ({
  seed: SWEEP_SEED,
  numRuns: Math.ceil(SWEEP_RUNS * share),
  endOnFailure: false,
});
