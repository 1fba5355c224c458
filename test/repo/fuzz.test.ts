import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileHooks } from '../../src/reconcile/compile-hooks.js';
import { memoryFiles } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';
import { EXAMPLE_REPO } from '../helpers/cli.js';
import { seededRandom } from '../../scripts/random.js';

function exampleFiles(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(EXAMPLE_REPO, full), readFileSync(full, 'utf8'));
    }
  };
  walk(EXAMPLE_REPO);
  return out;
}

const REPLACEMENTS = ['[]', '{}', '~', 'null', '-1', '1e309', '"x"', '[1, [2, [3]]]', '{a: {b: {c: 1}}}', '!!binary AAAA', '&a x', '*a', '|\n  block', "''", 'true', '0x1F', '.nan', '"\\u0000"', '2026-99-99 99:99:99', '10 minutes'];

function mutate(text: string, random: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const at = Math.floor(random() * (text.length + 1));
  switch (Math.floor(random() * 8)) {
    case 0: // truncation
      return text.slice(0, at);
    case 1: // random bytes
      return text.slice(0, at) + String.fromCharCode(...Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256))) + text.slice(at + 1);
    case 2: { // a value of the wrong type
      const lines = text.split('\n');
      const candidates = lines.map((line, i) => [line, i] as const).filter(([line]) => /:\s*\S/.test(line));
      if (candidates.length === 0) return text;
      const [line, i] = pick(candidates);
      lines[i] = line.replace(/:\s*.*$/, `: ${pick(REPLACEMENTS)}`);
      return lines.join('\n');
    }
    case 3: { // deep nesting
      const depth = 1 + Math.floor(random() * 2000);
      return text.slice(0, at) + '['.repeat(depth) + ']'.repeat(random() < 0.5 ? depth : 0) + text.slice(at);
    }
    case 4: { // a line duplicated (duplicate keys) or removed (missing fields)
      const lines = text.split('\n');
      const i = Math.floor(random() * lines.length);
      if (random() < 0.5) lines.splice(i, 0, lines[i]!);
      else lines.splice(i, 1);
      return lines.join('\n');
    }
    case 5: // indentation broken
      return text.replace(/\n {2}/g, () => (random() < 0.2 ? '\n ' : '\n  '));
    case 6: // an unknown key
      return text.replace(/\n(\s*)([a-z_]+):/, (_m, indent: string, key: string) => `\n${indent}${key}x: 1\n${indent}${key}:`);
    default: // a document separator in a random place
      return text.slice(0, at) + '\n---\n' + text.slice(at);
  }
}

describe('the loader never throws on damaged repositories', () => {
  const base = exampleFiles();
  const paths = [...base.keys()].filter((p) => p.endsWith('.yaml') || p.endsWith('.star'));

  it('answers 3,000 mutated repositories with positioned problems', async () => {
    const random = seededRandom(20261121);
    const hooks = compileHooks();
    let withProblems = 0;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    for (let i = 0; i < 3000; i++) {
      const files = new Map(base);
      const rounds = 1 + Math.floor(random() * 3);
      for (let r = 0; r < rounds; r++) {
        const path = paths[Math.floor(random() * paths.length)]!;
        files.set(path, mutate(files.get(path)!, random));
      }
      const result = await loadRepository(memoryFiles(files), { hooks }).catch((error: Error) => {
        throw new Error(`case ${i} threw: ${error.stack}`);
      });
      for (const problem of result.problems) {
        expect(problem.line).toBeGreaterThanOrEqual(1);
        expect(problem.column).toBeGreaterThanOrEqual(1);
        expect(problem.code).toMatch(/^[a-z][a-z0-9-]+$/);
        expect(problem.message).not.toMatch(/\n\s+at /);
        expect(files.has(problem.file), `problem points at ${problem.file}`).toBe(true);
      }
      if (result.problems.length > 0) withProblems++;
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    process.off('warning', onWarning);
    expect(warnings, 'the loader printed process warnings').toEqual([]);
    // Most mutations break something; a fuzzer that finds nothing is not fuzzing.
    expect(withProblems).toBeGreaterThan(1500);
  });
});
