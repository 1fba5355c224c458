// The differential fuzzer against the reference implementation (see fuzz.ts). It runs from a
// fixed seed for a time budget: FERRY_STARLARK_FUZZ_SECONDS (default 120) raises it,
// FERRY_STARLARK_FUZZ_SEED starts elsewhere, FERRY_STARLARK_FUZZ_PROGRAMS caps the count.
// Disagreements are kept in test/peers/.cache/starlark-fuzz/disagreements/.

import { join } from 'node:path';
import { expect, test } from 'vitest';
import { fuzz, summary } from './fuzz.js';
import { PEER_CACHE, starlarkPeer } from './peer-env.js';

const SECONDS = Number(process.env.FERRY_STARLARK_FUZZ_SECONDS ?? 120);
const SEED = Number(process.env.FERRY_STARLARK_FUZZ_SEED ?? 1);
const PROGRAMS = process.env.FERRY_STARLARK_FUZZ_PROGRAMS === undefined ? undefined : Number(process.env.FERRY_STARLARK_FUZZ_PROGRAMS);

test(`random programs behave as under the reference implementation (${SECONDS} s from seed ${SEED})`, async () => {
  const report = await fuzz({
    cli: starlarkPeer().cli,
    workDir: join(PEER_CACHE, 'starlark-fuzz'),
    seed: SEED,
    budgetMs: SECONDS * 1000,
    maxPrograms: PROGRAMS,
    now: () => performance.now(),
  });
  console.log(`starlark fuzz\n${summary(report)}`);
  const shown = report.disagreements.slice(0, 3).map((d) => `seed ${d.seed}: see ${d.file}.txt`);
  expect(shown).toEqual([]);
  // The generator is meant to exercise both paths.
  expect(report.programs).toBeGreaterThan(0);
  expect(report.referenceFailures).toBeGreaterThan(report.programs / 10);
  expect(report.referenceFailures).toBeLessThan(report.programs * 0.9);
}, (SECONDS + 600) * 1000);
