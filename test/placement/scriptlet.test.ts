// compilePlacementScriptlet: every problem is reported with a position and a stable code.

import { describe, expect, test } from 'vitest';
import { compilePlacementScriptlet } from '../../src/placement/index.js';

describe('compilePlacementScriptlet', () => {
  test('accepts a scriptlet that defines placement(instance, batch)', () => {
    const result = compilePlacementScriptlet('POOLS = {"a": "b"}\ndef placement(instance, batch):\n    pass\n', 'ok.star');
    expect(result.ok).toBe(true);
  });

  test('accepts the set built-in, as migration-manager does (Incus compiles scriptlets with Set on)', () => {
    const result = compilePlacementScriptlet('def placement(instance, batch):\n    seen = set(["a"])\n    seen.add(instance.name)\n', 'set.star');
    expect(result.ok).toBe(true);
  });

  test.each([
    [
      'while loops, which migration-manager does not allow either',
      'def placement(instance, batch):\n    while True:\n        pass\n',
      [{ line: 2, column: 5, code: 'scriptlet-resolve', message: 'this Starlark dialect does not support while loops' }],
    ],
    ['syntax errors', 'def placement(instance, batch)\n    pass\n', [{ line: 2, column: 1, code: 'scriptlet-syntax', message: "got newline, want ':'" }]],
    [
      'static errors, all of them',
      'def placement(instance, batch):\n    set_targt("x")\n    return undefined_y\n',
      [
        { line: 2, column: 5, code: 'scriptlet-resolve', message: 'undefined: set_targt' },
        { line: 3, column: 12, code: 'scriptlet-resolve', message: 'undefined: undefined_y' },
      ],
    ],
    ['a missing placement function', 'def place(instance, batch):\n    pass\n', [{ line: 1, column: 1, code: 'scriptlet-no-placement', message: 'the scriptlet must define placement(instance, batch)' }]],
    [
      'wrong parameter names',
      '\ndef placement(vm, batch):\n    pass\n',
      [{ line: 2, column: 1, code: 'scriptlet-signature', message: 'placement must take exactly the parameters (instance, batch), not placement(vm, batch)' }],
    ],
    [
      'parameters in the wrong order',
      'def placement(batch, instance):\n    pass\n',
      [{ line: 1, column: 1, code: 'scriptlet-signature', message: 'placement must take exactly the parameters (instance, batch), not placement(batch, instance)' }],
    ],
    [
      'extra parameters',
      'def placement(instance, batch, extra = 1):\n    pass\n',
      [{ line: 1, column: 1, code: 'scriptlet-signature', message: 'placement must take exactly the parameters (instance, batch), not placement(instance, batch, extra)' }],
    ],
    [
      'a placement that is not a function',
      'placement = 42\n',
      [{ line: 1, column: 1, code: 'scriptlet-signature', message: 'placement must be a function: def placement(instance, batch)' }],
    ],
    [
      'a failing top level',
      'LIMIT = 1 // 0\ndef placement(instance, batch):\n    pass\n',
      [{ line: 1, column: 11, code: 'scriptlet-init', message: "the scriptlet's top level failed: floored division by zero" }],
    ],
    [
      'set_* at the top level',
      'set_target("x")\ndef placement(instance, batch):\n    pass\n',
      [{ line: 1, column: 11, code: 'scriptlet-init', message: "the scriptlet's top level failed: set_target can only be called while placement() runs" }],
    ],
  ])('reports %s', (_what, source, problems) => {
    expect(compilePlacementScriptlet(source, 'bad.star')).toEqual({ ok: false, problems });
  });

  test('a lambda with the right parameters is a placement function too', () => {
    expect(compilePlacementScriptlet('placement = lambda instance, batch: None\n', 'l.star').ok).toBe(true);
  });
});
