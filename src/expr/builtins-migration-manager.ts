import { define, rewritten, strings } from './builtin-support.js';
import { ExprFault } from './errors.js';
import type { FunctionDef } from './functions.js';
import { pathBase, pathDir } from './paths.js';
import { hasTag } from './tags.js';
import { ANY, BOOL } from './types.js';

// migration-manager's own functions (internal/migration/filter.go and instance_model.go):
// path_base and path_dir, the tag functions as its code behaves (see tags.ts), and the one
// method of its instance type, SupportsBackgroundImport(), which compiles there but fails on
// every instance (expr-lang looks the method up by its index in the value's method set and calls
// it on a pointer, whose method set also has Apply).
//
// The four functions are untyped there (expr.Function with func(params ...any) (any, error)):
// expr-lang's checker takes any arguments and gives an unknown type, and a non-string argument
// fails when the function runs. Ferry types them the same way, so that what compiles there
// compiles here (`has_tag(…) startsWith x`, `path_base(cpus)` in a branch never taken).

export const MIGRATION_MANAGER_FUNCTIONS: readonly FunctionDef[] = [
  define({
    name: 'SupportsBackgroundImport',
    minArgs: 0,
    maxArgs: 0,
    usage: 'SupportsBackgroundImport()',
    check: () => BOOL,
    call: (_args, _view, _spans, _budget, at) => {
      throw new ExprFault('expr-type', 'SupportsBackgroundImport() fails on every instance in migration-manager, so Ferry refuses to evaluate it; write background_import and all(disks, !.supported or .background_import_verified)', at);
    },
  }),
  define({
    name: 'path_base',
    minArgs: 1,
    maxArgs: 1,
    usage: 'path_base(path)',
    check: () => ANY,
    call: (args, _view, spans, budget, at) => rewritten(strings(args, 'path_base', spans)[0]!, pathBase, budget, at),
  }),
  define({
    name: 'path_dir',
    minArgs: 1,
    maxArgs: 1,
    usage: 'path_dir(path)',
    check: () => ANY,
    call: (args, _view, spans, budget, at) => rewritten(strings(args, 'path_dir', spans)[0]!, pathDir, budget, at),
  }),
  define({
    name: 'has_tag',
    minArgs: 2,
    maxArgs: 2,
    usage: 'has_tag(category, text)',
    reads: ['config'],
    check: () => ANY,
    call: (args, view, spans, budget, at) => {
      const [category, tag] = strings(args, 'has_tag', spans);
      return hasTag(view.config, category!, tag!, true, budget, at);
    },
  }),
  define({
    name: 'matches_tag',
    minArgs: 2,
    maxArgs: 2,
    usage: 'matches_tag(category, tag)',
    reads: ['config'],
    check: () => ANY,
    call: (args, view, spans, budget, at) => {
      const [category, tag] = strings(args, 'matches_tag', spans);
      return hasTag(view.config, category!, tag!, false, budget, at);
    },
  }),
];
