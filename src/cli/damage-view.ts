// The commits of a damaged status branch as `ferry doctor` and `ferry repair` print them: one line
// per commit (id, date, author, subject), cut to the terminal's width, and under it the problem
// found in it, wrapped. Subjects and authors come from commit messages anyone with push access wrote:
// they arrive bounded, on one line, controls escaped (store/commits.ts).

import { describeProblem, type CommitProblem, type SkippedCommit, type StatusCommit } from '../store/index.js';
import { displayWidth } from '../text/width.js';
import type { OptionSpec } from './command.js';
import { isoTime, truncate } from './format.js';

/** `--wide` (read by `terminalWidth`): lines neither cut nor wrapped. */
export const WHOLE_LINES: Record<string, OptionSpec> = {
  wide: { type: 'boolean', description: 'print every line whole instead of fitting it to the terminal width' },
};

/** How many commits a listing shows before it says how many more there are. */
const SHOWN = 20;

/** `7279879abcd1  2026-12-01 22:04:00Z  Ferry <ferry@localhost>  ferry: 6 changes, …` */
export function commitLine(commit: StatusCommit): string {
  return `${commit.id.slice(0, 12)}  ${isoTime(commit.date)}  ${commit.author}  ${commit.subject}`;
}

/**
 * The commits, newest first: each on one line cut to the width (the subject gives way), and under
 * it the problem found in it, wrapped rather than cut — it is what the operator came for.
 */
export function damageLines(skipped: readonly SkippedCommit[], width: number): string[] {
  const lines: string[] = [];
  for (const { commit, problem } of skipped.slice(0, SHOWN)) {
    lines.push(truncate(`  ${commitLine(commit)}`, width));
    lines.push(...wrapped(problem === null ? 'gone over by --from' : describeProblem(problem), width, '    '));
  }
  if (skipped.length > SHOWN) lines.push(`  … and ${skipped.length - SHOWN} more (--json lists them all)`);
  return lines;
}

/** How many lines a wrapped sentence takes at most; the last one is cut. */
const WRAPPED_LINES = 6;

/** A sentence filled into lines of `width` columns, each starting with `indent`; a word longer than a line stays whole. */
export function wrapped(text: string, width: number, indent = ''): string[] {
  const room = Math.max(width - displayWidth(indent), 20);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter(Boolean)) {
    if (line !== '' && displayWidth(line) + 1 + displayWidth(word) > room) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  const kept = lines.slice(0, WRAPPED_LINES);
  if (lines.length > WRAPPED_LINES) kept[WRAPPED_LINES - 1] = truncate(lines.slice(WRAPPED_LINES - 1).join(' '), room);
  return kept.map((l) => `${indent}${l}`);
}

export function commitJson(commit: StatusCommit): Record<string, unknown> {
  return {
    id: commit.id,
    parents: commit.parents,
    author: commit.author,
    date: new Date(commit.date).toISOString(),
    subject: commit.subject,
    ferry_version: commit.writtenBy?.version ?? null,
    status_format: commit.writtenBy?.format ?? null,
    written_by_ferry: commit.writtenBy !== null,
  };
}

export function skippedJson({ commit, problem }: SkippedCommit): Record<string, unknown> {
  return { ...commitJson(commit), problem: problem === null ? null : problemJson(problem) };
}

function problemJson(problem: CommitProblem): Record<string, unknown> {
  return { code: problem.code, file: problem.file, line: problem.line, message: problem.message };
}
