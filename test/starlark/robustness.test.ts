// The host API never throws for a bad script: generated programs (many of which fail) and
// randomly damaged copies of them always come back as ok / error results.

import fc from 'fast-check';
import { expect, test } from 'vitest';
import { compileModule, execModule, JSON_MODULE, STRUCT_BUILTIN } from '../../src/starlark/index.js';
import { generateProgram } from '../peers/starlark/program-generator.js';

function runSafely(source: string, flags: { set?: boolean; recursion?: boolean }): 'compile-error' | 'ok' | 'runtime-error' {
  const compiled = compileModule(source, 'fuzz.star', { dialect: flags, predeclared: ['json', 'struct'] });
  if (!compiled.ok) return 'compile-error';
  const result = execModule(compiled.module, {
    predeclared: { json: JSON_MODULE, struct: STRUCT_BUILTIN },
    limits: { maxSteps: 200_000, maxStringBytes: 1 << 20, maxElements: 100_000 },
  });
  return result.ok ? 'ok' : 'runtime-error';
}

test('generated programs run to a result', () => {
  const outcomes = new Set<string>();
  for (let seed = 1; seed <= 300; seed++) {
    const program = generateProgram(seed);
    outcomes.add(runSafely(program.source, program.flags));
  }
  // The generator also writes static and syntax errors on purpose.
  expect(outcomes).toEqual(new Set(['ok', 'runtime-error', 'compile-error']));
});

test('damaged programs never make the interpreter throw', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100_000 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom('(', ')', '[', ':', ',', ' ', '\n', '    ', '"', '#', 'x', '0', '.', '*', 'lambda ', 'for ', 'def ')), { maxLength: 6 }),
      (seed, edits) => {
        const program = generateProgram(seed);
        let source = program.source;
        for (const [at, kind, text] of edits) {
          const i = at % (source.length + 1);
          if (kind === 0) source = source.slice(0, i) + source.slice(i + 1);
          else if (kind === 1) source = source.slice(0, i) + text + source.slice(i);
          else source = source.slice(0, i) + source.slice(i).replace(/\n/, '');
        }
        runSafely(source, program.flags);
      },
    ),
    { numRuns: 300 },
  );
});
