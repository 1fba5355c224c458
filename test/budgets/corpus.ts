// The hostile corpus: repository content written to exhaust CPU or memory, generated into a copy
// of the example campaign (nothing large is kept on disk). Each class says where its error is
// positioned and with which code, and whether it is found while loading (a scriptlet's top level,
// a regular expression, YAML) or only when a batch runs (placement(), an include expression).
// Used by test/budgets/hostile.test.ts and bench/hostile.bench.ts.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editFile as edit } from '../helpers/cli.js';

export interface HostileClass {
  name: string;
  /** The file the error is positioned in, relative to the repository. */
  file: string;
  code: string;
  when: 'load' | 'run';
  /** An expression for `ferry query` of the same class. */
  expression?: string;
  /** Also planned as a pull request through the GitHub integration. */
  inPullRequest?: boolean;
  write(dir: string): void;
}

const SCRIPTLET = 'batches/wave-1-web.star';
const BATCH = 'batches/wave-1-web.yaml';

const startWeb = (dir: string) => edit(dir, BATCH, /^ {2}state: defined$/m, '  state: running');

/** A scriptlet whose top level (run when it is compiled: validate, every load) does `body`. */
function topLevel(name: string, body: string, pr = false): HostileClass {
  return {
    name,
    file: SCRIPTLET,
    code: 'scriptlet-budget',
    when: 'load',
    ...(pr ? { inPullRequest: true } : {}),
    write: (dir) => writeFileSync(join(dir, SCRIPTLET), `${body}\n\ndef placement(instance, batch):\n    pass\n`),
  };
}

/** A running batch whose placement() does `body` for every instance. */
function placement(name: string, body: string, pr = false): HostileClass {
  return {
    name,
    file: SCRIPTLET,
    code: 'scriptlet-budget',
    when: 'run',
    ...(pr ? { inPullRequest: true } : {}),
    write: (dir) => {
      writeFileSync(join(dir, SCRIPTLET), `def placement(instance, batch):\n${body.split('\n').map((l) => `    ${l}`).join('\n')}\n`);
      startWeb(dir);
    },
  };
}

/** Lists of lists from a location of twenty-odd characters: five levels make millions of elements. */
const NESTED_MAPS = "len(map(split(location, ''), map(split(location, ''), map(split(location, ''), map(split(location, ''), map(split(location, ''), #)))))) > 0";
/** Nested counted repetitions: a program far larger than any sane pattern. */
const NESTED_REPETITIONS = "any(split(location, ''), # matches '((a{1,100}){1,100}){1,100}')";

export const HOSTILE_CLASSES: HostileClass[] = [
  topLevel('a top level of 100,000 lists of 100,000 elements', 'x = [[0] * 100000 for i in range(100000)]', true),
  topLevel('hashing a tuple of shared tuples 64 deep', 'def f():\n    t = ()\n    for i in range(64):\n        t = (t, t)\n    return {t: 1}\n\nx = f()'),
  topLevel('str() of a list of shared lists 40 deep', 'def f():\n    l = [1]\n    for i in range(40):\n        l = [l, l]\n    return str(l)\n\nx = f()'),
  topLevel('squaring an integer 40 times', 'def f():\n    x = 7\n    for i in range(40):\n        x = x * x\n    return x\n\nx = f()'),
  topLevel('int() of a million-digit string', 'x = int("9" * 1000000)'),
  topLevel('sorting with expensive keys', 'x = sorted(range(100000), key = lambda n: str(n) * 500)'),
  topLevel('a dict grown without end', 'def f():\n    d = {}\n    for i in range(100000000):\n        d[i] = str(i)\n    return d\n\nx = f()'),
  placement('placement() building lists of lists for every instance', 'x = [[0] * 100000 for i in range(100000)]', true),
  {
    name: 'an include expression building lists of lists',
    file: BATCH,
    code: 'expr-budget',
    when: 'run',
    expression: NESTED_MAPS,
    inPullRequest: true,
    write: (dir) => {
      edit(dir, BATCH, /^ {2}include_expression: >-\n(?: {4}.*\n)+/m, `  include_expression: "${NESTED_MAPS}"\n`);
      startWeb(dir);
    },
  },
  {
    name: 'a regular expression of nested counted repetitions',
    file: BATCH,
    code: 'expr-regex-too-big',
    when: 'load',
    expression: NESTED_REPETITIONS,
    write: (dir) => edit(dir, BATCH, /^ {2}include_expression: >-\n(?: {4}.*\n)+/m, `  include_expression: "${NESTED_REPETITIONS}"\n`),
  },
  {
    name: 'a mapping of 25,000 keys',
    file: 'overrides/huge.yaml',
    code: 'yaml-too-many-keys',
    when: 'load',
    write: (dir) => {
      const keys = Array.from({ length: 25_000 }, (_, i) => `    k${i}: v`).join('\n');
      writeFileSync(join(dir, 'overrides/huge.yaml'), `apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: huge}\nspec:\n  match: {location: /DC1/vm/x}\n  config:\n${keys}\n`);
    },
  },
  {
    name: 'nesting 100,000 levels deep',
    file: 'overrides/deep.yaml',
    code: 'yaml-too-deep',
    when: 'load',
    write: (dir) => writeFileSync(join(dir, 'overrides/deep.yaml'), `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`),
  },
];
