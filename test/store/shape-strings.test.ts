import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { checkAndFreeze, PAUSE } from '../../src/store/shape.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapUsed(): number {
  // Twice: a first full collection can leave what only a second one finds free.
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe('records read from the status branch', () => {
  it('keep their values, frozen', () => {
    const pause = JSON.parse('{"by":"alice","at":1803931200000,"reason":"change freeze"}');
    checkAndFreeze(PAUSE, pause);
    expect(pause).toEqual({ by: 'alice', at: 1803931200000, reason: 'change freeze' });
    expect(Object.isFrozen(pause)).toBe(true);
  });

  it('share one copy of a string many of them repeat', () => {
    // JSON.parse makes a new string per value: 20,000 copies of a 100-character reason are about
    // 2.4 MB; shared, what is left is the records themselves (0.2 MB).
    const reason = 'the storage team asked for a freeze of every migration until the array firmware upgrade is done';
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ by: `operator-${i % 7}`, at: 1803931200000 + i, reason }));
    const before = heapUsed();
    const pauses = lines.map((line) => JSON.parse(line) as object);
    for (const pause of pauses) checkAndFreeze(PAUSE, pause);
    const grown = heapUsed() - before;
    // Both still in use here, so that neither is freed while measuring.
    expect([lines.length, pauses.length]).toEqual([20_000, 20_000]);
    expect(grown).toBeLessThan(1_200_000);
  });
});
