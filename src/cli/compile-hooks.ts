import { compileExpression } from '../expr/index.js';
import { compilePlacementScriptlet } from '../placement/index.js';
import type { CompileHooks } from '../repo/hooks.js';

/** The compilers the loader runs: include expressions and placement scriptlets. */
export function compileHooks(): CompileHooks {
  return {
    expression(text) {
      const result = compileExpression(text);
      return result.ok ? [] : result.errors.map((error) => ({ offset: error.offset, code: error.code, message: error.message }));
    },
    scriptlet(text, filename) {
      const result = compilePlacementScriptlet(text, filename);
      return result.ok ? [] : result.problems.map(({ line, column, code, message }) => ({ line, column, code, message }));
    },
  };
}
