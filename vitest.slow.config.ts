import { defineConfig } from 'vitest/config';

/**
 * The suites `npm test` leaves to `npm run test:slow` (docs/testing.md): each takes tens of seconds
 * to minutes of CPU — the reconciler killed at every side-effect point, the compiled binary, the
 * GitHub end-to-end runs, the hostile-content corpora. `.ci/run` runs them after `npm test`.
 */
export const SLOW_SUITES = [
  'test/reconcile/crash.test.ts',
  'test/reconcile/concurrency.test.ts',
  'test/reconcile/outage.test.ts',
  'test/cli/bin.test.ts',
  'test/cli/interrupt.test.ts',
  'test/cli/conflict-round-trip.test.ts',
  'test/cli/fidelity.test.ts',
  'test/cli/repair-round-trip.test.ts',
  'test/cli/full-disk.test.ts',
  'test/cli/watch-failures.test.ts',
  'test/github/e2e.test.ts',
  'test/github-fake/fake.test.ts',
  'test/github/render-hostile.test.ts',
  'test/store/report-hostile.test.ts',
  'test/budgets/hostile.test.ts',
  'test/repo/yaml-limits.test.ts',
  'test/repo/fuzz.test.ts',
];

export default defineConfig({
  test: {
    include: SLOW_SUITES,
    // A loaded machine (CI runners, a shared workstation) stretches every step: the bounds are for
    // hangs, not for speed.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
    pool: 'forks',
  },
});
