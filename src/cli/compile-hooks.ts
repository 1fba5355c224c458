import type { CompileHooks } from '../repo/hooks.js';

/** The compilers the loader runs: include expressions and placement scriptlets. */
export function compileHooks(): CompileHooks {
  return {};
}
