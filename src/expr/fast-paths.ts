import type { BinaryNode, CallNode, ExprNode, PredicateNode } from './ast.js';
import { countingLoop, predicateItems, predicateStep, predicateTest, resultAllocation } from './compile-predicate.js';
import type { Compiler, Fn } from './compiler.js';
import { chargeSplit, produced } from './costs.js';
import { comparePathBase, comparePathDir, type PathComparison } from './paths.js';
import { hasTag } from './tags.js';
import { text, type Value } from './values.js';
import type { ExpressionView } from './view.js';

// Closures for shapes that include expressions use all the time, computed without building the
// intermediate lists and strings the general path would: `len(filter(list, p))`,
// `any(split(s, ','), # == 'x')`, `path_base(location) == 'x'`, `path_dir(location) == '/x'`,
// `has_tag('c', 't')`. Each gives exactly what the general path gives, errors and charges
// included: the lists and strings it does not build are charged as if it had built them.

export function specialize(node: ExprNode, compiler: Compiler): Fn | undefined {
  switch (node.kind) {
    case 'call':
      return countFiltered(node, compiler) ?? tagLookup(node, compiler);
    case 'predicate':
      return splitSearch(node, compiler);
    case 'binary':
      return pathComparison(node, compiler);
    default:
      return undefined;
  }
}

/** `len(filter(list, p))` counts instead of building the filtered list. */
function countFiltered(node: CallNode, compiler: Compiler): Fn | undefined {
  const filter = node.args[0];
  if (node.name !== 'len' || node.args.length !== 1 || filter?.kind !== 'predicate' || filter.name !== 'filter' || !filter.body) return undefined;
  return countingLoop(
    predicateItems(filter, compiler), predicateTest(filter, compiler), predicateStep(filter, compiler),
    compiler.frame.elements, filter.depth, resultAllocation(filter, compiler),
  );
}

/** `has_tag('category', 'tag')` and `matches_tag(…)` with literal arguments. */
function tagLookup(node: CallNode, compiler: Compiler): Fn | undefined {
  if (node.name !== 'has_tag' && node.name !== 'matches_tag') return undefined;
  const [categoryNode, tagNode] = node.args;
  const category = categoryNode && compiler.freeConstant(categoryNode);
  const tag = tagNode && compiler.freeConstant(tagNode);
  if (typeof category !== 'string' || typeof tag !== 'string') return undefined;
  const substring = node.name === 'has_tag';
  const budget = compiler.frame.budget;
  return (view) => hasTag(view.config, category, tag, substring, budget, node);
}

/** `any(split(s, ','), # == 'x')` and `none(…)` scan the string instead of splitting it. */
function splitSearch(node: PredicateNode, compiler: Compiler): Fn | undefined {
  if (node.name !== 'any' && node.name !== 'none') return undefined;
  const split = node.collection;
  const body = node.body;
  if (split?.kind !== 'call' || split.name !== 'split' || split.args.length !== 2 || body?.kind !== 'binary' || body.operator !== '==') return undefined;
  const separator = compiler.freeConstant(split.args[1]!);
  const isElement = (side: ExprNode) => side.kind === 'pointer' && side.depth === node.depth;
  const wanted = isElement(body.left) ? compiler.freeConstant(body.right) : isElement(body.right) ? compiler.freeConstant(body.left) : undefined;
  if (typeof separator !== 'string' || separator === '' || typeof wanted !== 'string') return undefined;
  const source = stringArgument(split, 0, compiler);
  const step = predicateStep(node, compiler);
  const found = node.name === 'any';
  const budget = compiler.frame.budget;
  return (view) => {
    const value = source(view);
    chargeSplit(budget, value, separator, -1, split);
    let start = 0;
    for (;;) {
      step();
      const end = value.indexOf(separator, start);
      const stop = end < 0 ? value.length : end;
      budget.charge(Math.min(stop - start, wanted.length), body);
      if (stop - start === wanted.length && value.startsWith(wanted, start)) return found;
      if (end < 0) return !found;
      start = end + separator.length;
    }
  };
}

/** `path_base(x) == 'name'`, `path_dir(x) == '/a/b'` (or `!=`, either side) compare in place. */
function pathComparison(node: BinaryNode, compiler: Compiler): Fn | undefined {
  if (node.operator !== '==' && node.operator !== '!=') return undefined;
  const isPathCall = (side: ExprNode): side is CallNode => side.kind === 'call' && (side.name === 'path_base' || side.name === 'path_dir') && side.args.length === 1;
  const [call, other] = isPathCall(node.left) ? [node.left, node.right] : isPathCall(node.right) ? [node.right, node.left] : [];
  const expected = other && compiler.freeConstant(other);
  if (!call || typeof expected !== 'string') return undefined;
  const path = stringArgument(call, 0, compiler);
  const compare = call.name === 'path_base' ? comparePathBase : comparePathDir;
  const budget = compiler.frame.budget;
  const result: PathComparison = { length: 0, equal: false };
  const negated = node.operator === '!=';
  return (view) => {
    const value = path(view);
    // As path_base(…) then ==: read the path, write the result, compare it.
    budget.charge(value.length, call);
    compare(value, expected, result);
    produced(budget, result.length, call);
    budget.charge(Math.min(result.length, expected.length), node);
    return result.equal !== negated;
  };
}

/** A string argument of a built-in function, checked as the function itself checks it. */
function stringArgument(call: CallNode, position: number, compiler: Compiler): (view: ExpressionView) => string {
  const argument = call.args[position]!;
  const fn = compiler.compile(argument);
  if (compiler.typeOf(argument).kind === 'string') return fn as (view: ExpressionView) => string;
  return (view) => text(fn(view) as Value, call.name, argument);
}
