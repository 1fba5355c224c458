import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyHistoryMark, History, HistoryWriter } from '../../../src/providers/sim/history.js';
import { linesBackward, linesOf } from '../../../src/providers/sim/jsonl.js';
import type { LogEntry } from '../../../src/providers/sim/state.js';
import { tempDir } from '../../helpers/cli.js';

const call = (at: number): LogEntry => ({ op: `vm-a#1/step-${at}`, kind: 'create_instance', at, outcome: 'executed' });
const calls = (from: number, count: number) => Array.from({ length: count }, (_, i) => call(from + i));
const times = (history: History) => [...history.calls()].map((c) => c.at);
const segments = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('calls-')).sort();

describe('the history of a simulated world', () => {
  it('is cut into segments and keeps the newest; it reads oldest first, or newest first', () => {
    const dir = tempDir('ferry-history-');
    const writer = new HistoryWriter(dir, emptyHistoryMark(), { segmentBytes: 1000, retainedSegments: 3 });
    let mark = emptyHistoryMark();
    for (let batch = 0; batch < 10; batch++) mark = writer.append([], calls(batch * 10, 10));
    expect(segments(dir)).toHaveLength(3);
    for (const name of segments(dir).slice(0, -1)) expect(statSync(join(dir, name)).size).toBeLessThan(1100);
    const history = new History(dir, mark);
    const kept = times(history);
    expect(kept.at(-1)).toBe(99);
    expect(kept[0]).toBeGreaterThan(0);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => kept[0]! + i));
    expect([...history.callsNewestFirst()].map((c) => c.at)).toEqual([...kept].reverse());
    expect(readdirSync(dir).filter((name) => name.startsWith('operations-'))).toEqual([]);
  });

  it('is read up to the mark its snapshot recorded, and a writer cuts what lies beyond it', () => {
    const dir = tempDir('ferry-history-');
    const writer = new HistoryWriter(dir, emptyHistoryMark(), { segmentBytes: 1000, retainedSegments: 10 });
    const kept = writer.append([], calls(0, 5));
    // A compaction that wrote its history, into a new segment too, and died before its snapshot.
    writer.append([], calls(5, 30));
    expect(segments(dir).length).toBeGreaterThan(1);
    expect(times(new History(dir, kept))).toEqual([0, 1, 2, 3, 4]);
    expect([...new History(dir, kept).callsNewestFirst()].map((c) => c.at)).toEqual([4, 3, 2, 1, 0]);

    const again = new HistoryWriter(dir, kept, { segmentBytes: 1000, retainedSegments: 10 });
    expect(segments(dir)).toHaveLength(1);
    const mark = again.append([], calls(100, 2));
    expect(times(new History(dir, mark))).toEqual([0, 1, 2, 3, 4, 100, 101]);
  });

  it('is empty before anything was written', () => {
    const history = new History(join(tempDir('ferry-history-'), 'none'), emptyHistoryMark());
    expect([...history.calls(), ...history.operations(), ...history.callsNewestFirst()]).toEqual([]);
  });
});

describe('lines of the world files', () => {
  it('are read whole however long, either way, and a torn last line is dropped unless asked for', () => {
    const path = join(tempDir('ferry-lines-'), 'file.jsonl');
    const long = 'x'.repeat(2.5 * 1024 * 1024);
    writeFileSync(path, `first\n\n${long}\ntorn`);
    const forward = [...linesOf(path)];
    expect(forward.map((l) => l.text.length)).toEqual([5, 0, long.length]);
    expect(forward.map((l) => l.number)).toEqual([1, 2, 3]);
    expect(forward.at(-1)!.end).toBe(statSync(path).size - 'torn'.length);
    expect([...linesOf(path, { unterminated: true })].map((l) => l.text.slice(0, 5))).toEqual(['first', '', 'xxxxx', 'torn']);
    expect([...linesBackward(path, forward.at(-1)!.end)].map((t) => t.slice(0, 5))).toEqual(['xxxxx', 'first']);
    expect([...linesOf(path, { limit: 6 })].map((l) => l.text)).toEqual(['first']);
  });
});
