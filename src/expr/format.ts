import type { ExprError } from './errors.js';

/**
 * The source line an error is on, a caret line under the offending characters, and the code and
 * message:
 *
 *     location matchs 'x'
 *              ^~~~~~
 *     expr-syntax: unknown operator "matchs" (did you mean "matches"?)
 *
 * A warning (`ExprWarning`) has the same shape and prints the same way.
 */
export function formatExprError(source: string, error: Pick<ExprError, 'offset' | 'length' | 'message'> & { code: string }, indent = ''): string {
  const lineStart = source.lastIndexOf('\n', error.offset - 1) + 1;
  const newline = source.indexOf('\n', lineStart);
  const lineEnd = newline < 0 ? source.length : newline;
  const line = source.slice(lineStart, lineEnd).replaceAll('\t', ' ');
  const column = error.offset - lineStart;
  const width = Math.max(1, Math.min(error.length, lineEnd - error.offset));
  const marker = `${' '.repeat(column)}^${'~'.repeat(width - 1)}`;
  return `${indent}${line}\n${indent}${marker}\n${indent}${error.code}: ${error.message}`;
}
