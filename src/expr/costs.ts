import { children, type ExprNode, type PredicateNode } from './ast.js';
import type { Budget } from './budget.js';
import type { Span } from './errors.js';
import { rangeSize } from './operations.js';
import type { Value } from './values.js';

// What each part of an evaluation costs, in work units and allocation (elements and characters
// created); docs/expressions.md ("Budgets") states the same rules. Both evaluators charge through
// these functions, at the same points, so they agree on where a budget runs out.
//
// Operators cost one unit each, charged ahead for a whole region — the expression once per
// evaluation, a predicate's body once per element — whether or not `and`, `or` and `?:` skip some
// of them; array literals likewise allocate their elements once per region. What depends on the
// data (string lengths, list lengths) is charged as it happens, before the work it pays for
// whenever its size is known beforehand.

export interface RegionCost {
  readonly work: number;
  readonly allocation: number;
}

const regions = new WeakMap<ExprNode, RegionCost>();

/** The operators of a region and the elements of its array literals; predicate bodies are regions of their own. */
export function regionCost(node: ExprNode): RegionCost {
  let cost = regions.get(node);
  if (cost === undefined) {
    let work = 1;
    let allocation = node.kind === 'array' ? node.elements.length : node.kind === 'map' ? node.entries.length : 0;
    for (const child of regionChildren(node)) {
      const inner = regionCost(child);
      work += inner.work;
      allocation += inner.allocation;
    }
    cost = { work, allocation };
    regions.set(node, cost);
  }
  return cost;
}

/** One iteration of a predicate: one unit, and its body's region. */
export function iterationCost(node: PredicateNode): RegionCost {
  if (!node.body) return { work: 1, allocation: 0 };
  const body = regionCost(node.body);
  return { work: 1 + body.work, allocation: body.allocation };
}

function regionChildren(node: ExprNode): readonly ExprNode[] {
  // A predicate's body runs once per element: it is a region of its own (iterationCost).
  if (node.kind === 'predicate') return node.collection ? [node.collection, ...node.extra] : node.extra;
  return children(node);
}

/** Characters of strings and keys, one per other value, list element, map entry and struct. */
export function sizeOf(value: Value): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object' || (!Array.isArray(value) && !(value instanceof Map) && Object.getPrototypeOf(value) !== Object.prototype)) return 1;
  let size = 1;
  if (Array.isArray(value)) {
    for (const element of value as readonly Value[]) size += sizeOf(element);
  } else if (value instanceof Map) {
    for (const [key, entry] of value as ReadonlyMap<string, Value>) size += key.length + sizeOf(entry);
  } else {
    for (const [key, field] of Object.entries(value)) size += key.length + sizeOf(field as Value);
  }
  return size;
}

/** `==`, `!=`: strings by the shorter length, lists, maps and structs by the smaller size; other values cost nothing more. */
export function equalityCost(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') return Math.min(a.length, b.length);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return 0;
  return Math.min(sizeOf(a), sizeOf(b));
}

/** `<`, `<=`, `>`, `>=`: strings by the shorter length. */
export function orderCost(a: Value, b: Value): number {
  return typeof a === 'string' && typeof b === 'string' ? Math.min(a.length, b.length) : 0;
}

/** `x in list`: every element, each compared at the size of `x`. Maps and structs answer by hashing. */
export function membershipCost(needle: Value, haystack: Value): number {
  return Array.isArray(haystack) ? haystack.length * (1 + sizeOf(needle)) : 0;
}

/** `a + b` on strings reads and writes the result. */
export function concatenate(budget: Budget, a: Value, b: Value, at: Span): void {
  if (typeof a === 'string' && typeof b === 'string') produced(budget, a.length + b.length, at);
}

/** `a..b` builds its ints: charged before it builds them. */
export function rangeCost(budget: Budget, from: Value, to: Value, at: Span): void {
  produced(budget, rangeSize(from, to), at);
}

/** A string or list of `size` built by a function: written once, allocated once. */
export function produced(budget: Budget, size: number, at: Span): void {
  budget.charge(size, at);
  budget.allocate(size, at);
}

/**
 * `text matches pattern`: every character (and both ends) against every instruction of the
 * program, plus reading the pattern. Charged before re2js runs, since it cannot be interrupted.
 */
export function regexCost(text: string, pattern: string, programSize: number): number {
  return (text.length + 2) * programSize + pattern.length;
}

/**
 * `split` reads its text and separator, and writes and allocates as many parts and characters as
 * it can make at most (one part per character of the text, or per separator's length, plus one),
 * charged before it makes them.
 */
export function chargeSplit(budget: Budget, text: string, separator: string, count: number, at: Span): void {
  let allocation = 0;
  if (count !== 0) {
    const parts = separator === '' ? text.length : Math.floor(text.length / separator.length) + 1;
    allocation = (count < 0 ? parts : Math.min(parts, count)) + text.length;
  }
  budget.charge(text.length + separator.length + allocation, at);
  budget.allocate(allocation, at);
}
