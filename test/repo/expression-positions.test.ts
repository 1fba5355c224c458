import { describe, expect, it } from 'vitest';
import { compileHooks } from '../../src/reconcile/compile-hooks.js';
import { memoryFiles } from '../../src/repo/files.js';
import { loadRepository } from '../../src/repo/load.js';

const TARGET = 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: t}\nspec: {type: sim}\n';

async function expressionProblem(expressionYaml: string) {
  const batch = `apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: b}\nspec:\n  include_expression: ${expressionYaml}\n`;
  const { problems } = await loadRepository(memoryFiles({ 't.yaml': TARGET, 'b.yaml': batch }), { hooks: compileHooks() });
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('expression errors point into the YAML file', () => {
  it.each([
    ['a plain scalar', "cpus >= 4 and cpuz < 2", 5, 37],
    ['a single-quoted scalar with an escaped quote', "'name == ''x'' and cpuz < 2'", 5, 42],
    ['a double-quoted scalar with escapes', '"name == \\"x\\" and cpuz < 2"', 5, 42],
    ['a folded block', ">-\n    cpus >= 4\n    and cpuz < 2", 7, 9],
    ['a literal block', "|\n    cpus >= 4 and\n      cpuz < 2", 7, 7],
    ['a multi-line plain scalar', "cpus >= 4\n    and cpuz < 2", 6, 9],
  ])('in %s', async (_what, yaml, line, column) => {
    const problem = await expressionProblem(yaml);
    expect(problem).toMatchObject({ file: 'b.yaml', code: 'expr-unknown-field', line, column });
    expect(problem.message).toContain('did you mean "cpus"');
  });

  it('in a constraint expression too', async () => {
    const batch = `apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: b}\nspec:\n  include_expression: "true"\n  constraints:\n    - name: c\n      include_expression: len(cpus) > 1\n`;
    const { problems } = await loadRepository(memoryFiles({ 't.yaml': TARGET, 'b.yaml': batch }), { hooks: compileHooks() });
    expect(problems).toEqual([expect.objectContaining({ code: 'expr-type', line: 8, column: 31 })]);
  });
});
