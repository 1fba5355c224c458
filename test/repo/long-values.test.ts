// A value of hundreds of KiB where a name or a word belongs costs what any problem costs: its
// message quotes the start of it and says how long it is, and "did you mean" does not compare it
// (test/text/suggest.test.ts counts that work). Before, a 2 MiB kind took a minute and 1.7 GB.

import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/model/problem.js';
import { memoryFiles } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';

const LONG = 'x'.repeat(256 * 1024);
/** The length a message gives for LONG after a word of four letters. */
const LENGTH = '(262,148 characters)';

const BATCH = `apiVersion: ferry.dev/v1alpha1
kind: Batch
metadata: {name: wave-1}
spec:
  include_expression: "true"
  defaults: {placement: {target: east}}
`;
const TARGET = 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: east}\nspec: {type: sim}\n';

async function problemsOf(files: Record<string, string>): Promise<Problem[]> {
  return (await loadRepository(memoryFiles({ 'targets/east.yaml': TARGET, ...files }))).problems;
}

describe('a long value in a document', () => {
  it.each([
    ['a kind', 'batches/b.yaml', BATCH.replace('kind: Batch', `kind: Batc${LONG}`), 'unknown-kind', 2, 7],
    ['an enum value (a batch state)', 'batches/b.yaml', `${BATCH}  state: runn${LONG}\n`, 'invalid-value', 7, 10],
    ['an enum value (a resolution action)', 'resolutions/r.yaml', `apiVersion: ferry.dev/v1alpha1\nkind: Resolution\nmetadata: {name: r}\nspec: {batch: wave-0, instance: vm, action: retr${LONG}}\n`, 'invalid-value', 4, 45],
    ['a field name', 'batches/b.yaml', `${BATCH}  ? stat${LONG}\n  : running\n`, 'unknown-field', 7, 5],
    ['a value with a pattern (a duration)', 'batches/b.yaml', `${BATCH}  config: {background_sync_interval: 10mx${LONG}}\n`, 'invalid-duration', 7, 38],
  ])('is quoted in part, with its length: %s', async (_, file, text, code, line, column) => {
    const problems = await problemsOf({ 'batches/w0.yaml': BATCH.replace('wave-1', 'wave-0'), [file]: text });
    const problem = problems.find((p) => p.code === code);
    expect(problem, JSON.stringify(problems.map((p) => ({ ...p, message: p.message.slice(0, 200) })))).toMatchObject({ file, line, column });
    expect(problem!.message).toContain(`…" ${LENGTH}`);
    expect(problem!.message.length).toBeLessThan(250);
    for (const other of problems) expect(other.message.length).toBeLessThan(250);
  });
});
