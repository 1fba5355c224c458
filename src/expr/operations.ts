import type { Budget } from './budget.js';
import type { Span } from './errors.js';
import { ExprFault } from './errors.js';
import { MAX_INT64, fromBig, isInt } from './int64.js';
import { AnyMap, arithmetic, mapKey, order, text, typeFault, valueTypeName, type Value } from './values.js';

// Operations both evaluators share beyond values.ts: ranges, the string tests with expr-lang's
// nil rule, optional chaining, and the predicates that build (sum, groupBy, sortBy).

/** Thrown by a `?.` that meets nil, caught by the chain around it, which then gives nil. */
export const ChainBreak = Symbol('optional chain met nil');

/** `a..b`: the ints from a to b, or none when b < a (the caller has charged for them). */
export function makeRange(from: Value, to: Value, at: Span): Value[] {
  if (!isInt(from) || !isInt(to)) throw typeFault(`".." needs two ints, got ${valueTypeName(from)} and ${valueTypeName(to)}`, at);
  const size = rangeSize(from, to);
  const result: Value[] = new Array(size);
  if (typeof from === 'number' && typeof to === 'number') {
    for (let i = 0; i < size; i++) result[i] = from + i;
  } else {
    for (let i = 0; i < size; i++) result[i] = fromBig(BigInt(from) + BigInt(i));
  }
  return result;
}

/** The number of ints in a..b, capped far beyond any budget. */
export function rangeSize(from: Value, to: Value): number {
  if (!isInt(from) || !isInt(to)) return 0;
  const size = BigInt(to) - BigInt(from) + 1n;
  return size <= 0n ? 0 : size > MAX_INT64 ? Number.MAX_SAFE_INTEGER : Math.min(Number(size), Number.MAX_SAFE_INTEGER);
}

/** `contains`, `startsWith`, `endsWith`: false when either side is nil, as expr-lang's VM does. */
export function stringTest(operator: 'contains' | 'startsWith' | 'endsWith', left: Value, right: Value, budget: Budget, at: Span & { readonly left: Span; readonly right: Span }): boolean {
  if (left === null || right === null) return false;
  const what = `"${operator}"`;
  const a = text(left, what, at.left);
  const b = text(right, what, at.right);
  if (operator === 'contains') {
    budget.charge(a.length + b.length, at);
    return a.includes(b);
  }
  budget.charge(Math.min(a.length, b.length), at);
  return operator === 'startsWith' ? a.startsWith(b) : a.endsWith(b);
}

/** One step of sum(): the element added to the total so far (in that order, as expr-lang adds). */
export function sumValues(value: Value, total: Value, at: Span): Value {
  return arithmetic('+', value, total, at);
}

/** One step of groupBy(): the element appended to its key's group. */
export function groupInto(groups: AnyMap, key: Value, item: Value, budget: Budget, at: Span): void {
  const mapped = mapKey(groups, key, at);
  const group = groups.get(mapped) as Value[] | undefined;
  budget.allocate(group === undefined ? 2 : 1, at);
  if (group === undefined) groups.set(mapped, [item]);
  else group.push(item);
}

/** sortBy's third argument: "asc" (the default) or "desc", read before the list is walked. */
export function checkOrder(direction: Value | undefined, at: Span): boolean {
  if (direction === undefined || direction === 'asc') return false;
  if (direction === 'desc') return true;
  throw new ExprFault('expr-type', `unknown order ${typeof direction === 'string' ? JSON.stringify(direction) : valueTypeName(direction)}, use "asc" or "desc"`, at);
}

/** sortBy(): the elements in the order of their keys; equal keys keep their order. */
export function sortByKeys(items: readonly Value[], keys: readonly Value[], descending: boolean, at: Span): Value[] {
  const positions = items.map((_, i) => i);
  positions.sort((a, b) => (descending ? order(keys[b]!, keys[a]!, 'sortBy', at) : order(keys[a]!, keys[b]!, 'sortBy', at)));
  return positions.map((i) => items[i]!);
}
