import { defineConfig } from 'vitest/config';
import { SLOW_SUITES } from './vitest.slow.config.js';

// `npm test`: every suite that needs nothing installed, but the slow ones (`npm run test:slow`,
// vitest.slow.config.ts) and the real peers (`npm run test:peers`, vitest.peers.config.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: ['test/peers/**', 'node_modules/**', ...SLOW_SUITES],
    // Bounds for hangs, not for speed: on a busy 2-core machine an end-to-end test that takes 20 s
    // alone can take minutes, and a hook that makes Git repositories or starts the GitHub fake far
    // longer than vitest's 10 s default. Tests do not set shorter bounds of their own.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
    pool: 'forks',
    // One module graph per worker, not per file: importing Ferry's sources again for each of the
    // 110 files was a third of the suite's CPU. Tests leave no global state behind (no process.env
    // or process.cwd() changes, no module-level caches that outlive a test), which keeps this safe.
    isolate: false,
  },
});
