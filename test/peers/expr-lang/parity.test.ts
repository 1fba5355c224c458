import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceDocument } from '../../../src/model/instance.js';
import { SAMPLE_DOCUMENTS } from '../../expr/sample-instances.js';
import { describe as describeDisagreement, disagreements, evaluateWithFerry, type Disagreement } from './compare.js';
import { explain } from './deviations.js';
import { documentationExamples, unitTestExamples, type Example } from './examples.js';
import { generateExpression } from './expressions.js';
import { generateInstances } from './instances.js';
import { ExprLangPeer, PEER_CACHE } from './peer-env.js';

// Ferry's evaluation (what `ferry query` runs) against expr-lang built as migration-manager
// builds it (peer/main.go): the examples of the documentation and the unit tests, then a
// differential fuzzer. Every disagreement fails unless a documented deviation explains it.

const PINNED = 'v1.17.2';
const FUZZ_SEED = Number(process.env.FERRY_EXPR_FUZZ_SEED ?? 20251207);
const FUZZ_EXPRESSIONS = Number(process.env.FERRY_EXPR_FUZZ_COUNT ?? 30000);
/** A safety net for slow machines: the fuzzer stops early (and says so) rather than run on. */
const FUZZ_SECONDS = Number(process.env.FERRY_EXPR_FUZZ_SECONDS ?? 150);

interface Tally {
  expressions: number;
  evaluations: number;
  agreeing: number;
  /** Evaluations where both gave an error (compile or run). */
  bothFailed: number;
  explained: Map<string, number>;
  unexplained: Disagreement[];
}

function newTally(): Tally {
  return { expressions: 0, evaluations: 0, agreeing: 0, bothFailed: 0, explained: new Map(), unexplained: [] };
}

async function compare(peer: ExprLangPeer, source: string, instances: readonly InstanceDocument[], tally: Tally): Promise<boolean> {
  const ferry = evaluateWithFerry(source, instances);
  const reference = await peer.evaluateAll(source);
  tally.expressions++;
  tally.evaluations += instances.length;
  const found = disagreements(ferry, reference, instances);
  tally.agreeing += instances.length - found.length;
  tally.bothFailed += ferry.outcomes.filter((outcome, i) => outcome.verdict === 'error' && !reference[i]!.ok).length;
  for (const disagreement of found) {
    const deviation = explain(disagreement);
    if (deviation) tally.explained.set(deviation.id, (tally.explained.get(deviation.id) ?? 0) + 1);
    else tally.unexplained.push(disagreement);
  }
  return ferry.outcomes.some((outcome) => outcome.phase !== 'compile') || reference.some((result) => result.ok || result.phase !== 'compile');
}

function report(name: string, tally: Tally, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const percent = (n: number) => Math.round((10000 * n) / Math.max(tally.evaluations, 1)) / 100;
  const figures = {
    name,
    expressions: tally.expressions,
    evaluations: tally.evaluations,
    agreeing: tally.agreeing,
    agreementPercent: percent(tally.agreeing),
    bothFailed: tally.bothFailed,
    explainedByDeviation: Object.fromEntries(tally.explained),
    explainedPercent: percent([...tally.explained.values()].reduce((a, b) => a + b, 0)),
    unexplained: tally.unexplained.length,
    ...extra,
  };
  mkdirSync(PEER_CACHE, { recursive: true });
  writeFileSync(join(PEER_CACHE, `expr-lang-${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`expr-lang parity, ${name}: ${JSON.stringify(figures)}`);
  return figures;
}

function unexplainedMessage(tally: Tally): string {
  const shown = new Set<string>();
  const lines: string[] = [];
  for (const disagreement of tally.unexplained) {
    if (shown.has(disagreement.source) || shown.size >= 25) continue;
    shown.add(disagreement.source);
    lines.push(describeDisagreement(disagreement));
  }
  return `${tally.unexplained.length} disagreements no documented deviation explains, in ${new Set(tally.unexplained.map((d) => d.source)).size} expressions:\n  ${lines.join('\n  ')}`;
}

describe("Ferry's include expressions agree with expr-lang in migration-manager's environment", () => {
  let peer: ExprLangPeer;

  beforeAll(() => {
    peer = new ExprLangPeer();
  });

  afterAll(() => peer?.close());

  it(`the peer runs expr-lang ${PINNED}, the version migration-manager pins`, async () => {
    expect((await peer.version()).expr).toBe(process.env.EXPR_LANG_VERSION ?? PINNED);
  });

  it('agrees on every example of docs/expressions.md and of the unit tests', async () => {
    const instances = [...(SAMPLE_DOCUMENTS as InstanceDocument[]), ...generateInstances(1, 24)];
    await peer.load(instances);
    const tally = newTally();
    const candidates: Example[] = [...documentationExamples(), ...unitTestExamples()];
    let compared = 0;
    for (const example of candidates) {
      const scratch = newTally();
      if (!(await compare(peer, example.source, instances, scratch))) continue;
      compared++;
      tally.expressions++;
      tally.evaluations += scratch.evaluations;
      tally.agreeing += scratch.agreeing;
      tally.bothFailed += scratch.bothFailed;
      for (const [id, n] of scratch.explained) tally.explained.set(id, (tally.explained.get(id) ?? 0) + n);
      tally.unexplained.push(...scratch.unexplained);
    }
    report('examples', tally, { candidates: candidates.length, instances: instances.length });
    expect(compared).toBeGreaterThan(300);
    expect(tally.unexplained, unexplainedMessage(tally)).toHaveLength(0);
  });

  it(`agrees on ${FUZZ_EXPRESSIONS} random expressions over random instances (seed ${FUZZ_SEED})`, async () => {
    const instances = generateInstances(FUZZ_SEED, 16);
    await peer.load(instances);
    const tally = newTally();
    const started = Date.now();
    let stoppedEarly = false;
    for (let i = 0; i < FUZZ_EXPRESSIONS; i++) {
      if (Date.now() - started > FUZZ_SECONDS * 1000) {
        stoppedEarly = true;
        break;
      }
      await compare(peer, generateExpression(FUZZ_SEED + i), instances, tally);
    }
    report('fuzzer', tally, { seed: FUZZ_SEED, instances: instances.length, seconds: (Date.now() - started) / 1000, stoppedEarly });
    expect(tally.expressions).toBeGreaterThan(1000);
    expect(tally.unexplained, unexplainedMessage(tally)).toHaveLength(0);
  });
});
