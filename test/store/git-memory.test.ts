import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { readBlobs } from '../../src/store/git.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const dir = mkdtempSync(join(tmpdir(), 'ferry-git-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function blob(text: string): string {
  return execFileSync('git', ['-C', dir, 'hash-object', '-w', '--stdin'], { input: text, encoding: 'utf8' }).trim();
}

execFileSync('git', ['init', '-q', dir]);

describe('reading blobs through git cat-file', () => {
  it('reads every blob asked for, a large one whole', async () => {
    const large = 'x'.repeat(3 * 65536 + 7);
    const ids = [blob('one\n'), blob(large), blob('')];
    const texts = await readBlobs(dir, ids);
    expect(ids.map((id) => texts.get(id))).toEqual(['one\n', large, '']);
  });

  it('holds nothing of what it read once the caller lets go, even in the turn the child process ended', async () => {
    // The caller parses the texts and goes on (observe, decide) in the same turn: were the finished
    // child process's callbacks still holding the texts, a whole status would stay in memory.
    const ids = [blob('{"a":1}\n'), blob('{"b":2}\n')];
    let collected = false;
    const registry = new FinalizationRegistry(() => (collected = true));
    await readBlobs(dir, ids).then((texts) => {
      registry.register(texts, 'texts');
    });
    collectGarbage();
    for (let waited = 0; !collected && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(collected).toBe(true);
  });
});
