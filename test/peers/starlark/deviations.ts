// Ferry's deliberate deviations from the reference, as the differential fuzzer recognises them.
// Every other difference between the two outcomes of a program is a failure. Each entry is
// documented in docs/starlark.md ("Known differences from starlark-go").

import type { Outcome } from './run-both.js';

export interface Deviation {
  id: string;
  /** Why Ferry differs, in a sentence. */
  reason: string;
  /** Whether this deviation explains the difference between the two outcomes of one program. */
  explains(reference: Outcome, ferry: Outcome): boolean;
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1];
}

export const DEVIATIONS: readonly Deviation[] = [
  {
    id: 'runaway-recursion',
    reason:
      "starlark-go stops runaway recursion at 100,000 frames; Ferry at its call depth limit (1,000 by default), because Node's stack is fixed; both say \"Starlark stack overflow\", with backtraces of different lengths",
    explains: (reference, ferry) =>
      reference.status === 1 &&
      ferry.status === 1 &&
      reference.stdout === ferry.stdout &&
      lastLine(reference.stderr) === 'Error: Starlark stack overflow' &&
      /^Error: Starlark stack overflow: call depth limit of \d+ exceeded$/.test(lastLine(ferry.stderr)),
  },
  {
    id: 'reference-crash',
    reason:
      'starlark-go crashes (a nil dereference) when set.difference, intersection, issubset, issuperset or symmetric_difference is called without its argument; Ferry fails the call: "<method>: got 0 arguments, want at least 1"',
    explains: (reference, ferry) =>
      reference.status === 2 &&
      reference.stderr.startsWith('panic: runtime error: invalid memory address or nil pointer dereference') &&
      ferry.status === 1 &&
      /: got 0 arguments, want at least 1$/.test(lastLine(ferry.stderr)),
  },
];

/** The deviation that explains a difference, if any. */
export function deviationOf(reference: Outcome, ferry: Outcome): Deviation | undefined {
  return DEVIATIONS.find((d) => d.explains(reference, ferry));
}
