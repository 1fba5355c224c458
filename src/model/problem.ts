export type Severity = 'error' | 'warning';

/**
 * One thing wrong (or worth a warning) in the desired state, at a place an operator can open:
 * `file:line:column` (1-based), a stable `code` documented in docs/errors.md, and a sentence.
 */
export interface Problem {
  file: string;
  line: number;
  column: number;
  code: string;
  severity: Severity;
  message: string;
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.severity} ${problem.code}: ${problem.message}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((problem) => problem.severity === 'error');
}

/** Sorts by file, then position, so output is stable and reads top to bottom. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}
