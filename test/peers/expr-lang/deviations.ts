// Ferry's deliberate deviations from migration-manager's expression evaluation, as documented in
// docs/expressions.md ("Deviations from migration-manager"): each names the disagreements it
// explains, recognised from the two outcomes. A disagreement that none of them explains fails
// the suite.

import type { Disagreement } from './compare.js';

export interface Deviation {
  /** The id in docs/expressions.md's table. */
  id: string;
  explains(disagreement: Disagreement): boolean;
}

const referenceError = (d: Disagreement): string => (d.reference.ok ? '' : d.reference.error);
const warned = (d: Disagreement, ...codes: string[]): boolean => d.warnings.some((warning) => codes.includes(warning.code));

export const DEVIATIONS: readonly Deviation[] = [
  {
    // os_type, distribution, a NIC's uuid and last_update_from_source read as text, with a warning.
    id: 'typed-fields',
    explains: (d) => d.ferry.verdict !== 'error' && warned(d, 'expr-mm-rejects', 'expr-mm-differs'),
  },
  {
    // Named time zones ("Europe/Paris") are refused.
    id: 'time-zones',
    explains: (d) => d.ferry.verdict === 'error' && /unknown time zone/.test(d.ferry.message ?? ''),
  },
  {
    // Time methods that return bytes (MarshalText, AppendFormat, …) are refused.
    id: 'byte-methods',
    explains: (d) => d.ferry.phase === 'compile' && /cannot be called in an include expression/.test(d.ferry.message ?? ''),
  },
  {
    // now() is refused: a selection does not depend on the time it is made at.
    id: 'now',
    explains: (d) => d.ferry.verdict === 'error' && /now\(\) is not supported/.test(d.ferry.message ?? ''),
  },
  {
    // Ferry's evaluation budgets are not expr-lang's memory budget.
    id: 'budgets',
    explains: (d) =>
      d.ferry.code === 'expr-budget' || d.ferry.code === 'expr-regex-too-big' || /memory budget exceeded/.test(referenceError(d)),
  },
  {
    // expr-lang v1.17.2 bug: findLast (and last(filter(…)), which its optimizer turns into findLast)
    // leaves a bool behind on its stack, which the other operand of a binary operator then reads.
    id: 'findlast-stack',
    explains: (d) => /findLast|\blast\(\s*filter\(|\bfilter\(.*\)\s*\[\s*-1\s*\]/.test(d.source),
  },
  {
    // Ferry's ints are Go's int64; expr-lang also has Go's int, and an operation compiled for one
    // fails on the other (min(9007199254740993, cpus) == 8 gives the int64 cpus to an int comparison).
    id: 'int-kinds',
    explains: (d) => /is int64, not int\b|is int, not int64/.test(referenceError(d)),
  },
  {
    // expr-lang's checker stops at its first error, so its UUID patcher, which needs the types the
    // checker found, leaves a later uuid unpatched: hasPrefix(uuid, uuid) is refused.
    id: 'uuid-patcher-order',
    explains: (d) => !d.reference.ok && d.reference.phase === 'compile' && /cannot use uuid\.UUID/.test(referenceError(d)) && (d.source.match(/\buuid\b/g) ?? []).length > 1,
  },
  {
    // expr-lang v1.17.2 bug: its optimizer fuses filter(filter(…)) and panics on some chains
    // ("interface conversion: ast.Node is *ast.BinaryNode, not *ast.PredicateNode").
    id: 'optimizer-panic',
    explains: (d) => /^panic: interface conversion: ast\.Node/.test(referenceError(d)),
  },
  {
    // expr-lang evaluates reduce's initial value inside reduce's own scope, where # is the first
    // element of the list reduced (and an empty list fails); Ferry, in the scope around reduce.
    id: 'reduce-initial-scope',
    explains: (d) => /\breduce\(/.test(d.source) && /^reflect: /.test(referenceError(d)),
  },
  {
    // Go's strings.SplitN with a count of 0 gives a nil []string, which toJSON writes as null; Ferry gives an empty list.
    id: 'nil-slice',
    explains: (d) => /\bsplit(After)?\([^()]*,\s*0\s*\)/.test(d.source),
  },
  {
    // keys() and values() list a Go map in Go's random order; Ferry lists them in the map's order.
    id: 'map-order',
    explains: (d) => /\b(keys|values|toPairs)\(/.test(d.source),
  },
];

/** The deviation that explains a disagreement, if one does. */
export function explain(disagreement: Disagreement): Deviation | undefined {
  return DEVIATIONS.find((deviation) => deviation.explains(disagreement));
}
