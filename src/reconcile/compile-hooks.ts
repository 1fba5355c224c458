// The compilers the loader runs over the texts it finds (src/repo/hooks.ts): include expressions
// and placement scriptlets, within the limits of the desired state being evaluated — the trusted
// revision's budgets — so that a scriptlet's top level, which compiling runs, is bounded too.

import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from '../engine/compiled.js';
import { compileExpression } from '../expr/index.js';
import { compilePlacementScriptlet } from '../placement/index.js';
import type { CompileHooks } from '../repo/hooks.js';

export function compileHooks(limits: EvaluationLimits = DEFAULT_EVALUATION_LIMITS): CompileHooks {
  return {
    expression(text) {
      const result = compileExpression(text, { limits: limits.expression });
      // Where migration-manager would refuse it or read it otherwise: a warning at its position, so a campaign moves either way knowingly.
      if (result.ok) return result.warnings.map((warning) => ({ offset: warning.offset, code: warning.code, message: warning.message, severity: 'warning' as const }));
      return result.errors.map((error) => ({ offset: error.offset, code: error.code, message: error.message }));
    },
    scriptlet(text, filename) {
      const result = compilePlacementScriptlet(text, filename, limits.scriptlet);
      if (result.ok) return [];
      return result.problems.map(({ line, column, code, message, budget }) => ({
        line,
        column,
        // Its top level ran out of budget: the same code as a placement() run that does.
        code: budget !== undefined ? 'scriptlet-budget' : code,
        message: budget !== undefined ? `${message} (spec.budgets.scriptlet)` : message,
      }));
    },
  };
}
