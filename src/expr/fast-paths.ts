import type { BinaryNode, CallNode, ExprNode, PredicateNode } from './ast.js';
import { countingLoop, predicateItems, predicateStep, predicateTest } from './compile-predicate.js';
import type { Compiler, Fn } from './compiler.js';
import { pathBaseEquals, pathDirEquals } from './paths.js';
import { hasTag } from './tags.js';
import { text, type Value } from './values.js';
import type { ExpressionView } from './view.js';

// Closures for shapes that include expressions use all the time, computed without building the
// intermediate lists and strings the general path would: `len(filter(list, p))`,
// `any(split(s, ','), # == 'x')`, `path_base(location) == 'x'`, `path_dir(location) == '/x'`,
// `has_tag('c', 't')`. Each gives exactly what the general path gives, errors and step counts
// included.

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
  return countingLoop(predicateItems(filter, compiler), predicateTest(filter, compiler), predicateStep(filter, compiler), compiler.frame.elements, filter.depth);
}

/** `has_tag('category', 'tag')` and `matches_tag(…)` with literal arguments. */
function tagLookup(node: CallNode, compiler: Compiler): Fn | undefined {
  if (node.name !== 'has_tag' && node.name !== 'matches_tag') return undefined;
  const [categoryNode, tagNode] = node.args;
  const category = categoryNode && compiler.constant(categoryNode)?.value;
  const tag = tagNode && compiler.constant(tagNode)?.value;
  if (typeof category !== 'string' || typeof tag !== 'string') return undefined;
  const substring = node.name === 'matches_tag';
  return (view) => hasTag(view.config, category, tag, substring);
}

/** `any(split(s, ','), # == 'x')` and `none(…)` scan the string instead of splitting it. */
function splitSearch(node: PredicateNode, compiler: Compiler): Fn | undefined {
  if (node.name !== 'any' && node.name !== 'none') return undefined;
  const split = node.collection;
  const body = node.body;
  if (split?.kind !== 'call' || split.name !== 'split' || split.args.length !== 2 || body?.kind !== 'binary' || body.operator !== '==') return undefined;
  const separator = compiler.constant(split.args[1]!)?.value;
  const isElement = (side: ExprNode) => side.kind === 'pointer' && side.depth === node.depth;
  const wanted = isElement(body.left) ? compiler.constant(body.right)?.value : isElement(body.right) ? compiler.constant(body.left)?.value : undefined;
  if (typeof separator !== 'string' || separator === '' || typeof wanted !== 'string') return undefined;
  const source = stringArgument(split, 0, compiler);
  const step = predicateStep(node, compiler);
  const found = node.name === 'any';
  return (view) => {
    const value = source(view);
    let start = 0;
    for (;;) {
      step();
      const end = value.indexOf(separator, start);
      const stop = end < 0 ? value.length : end;
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
  const expected = other && compiler.constant(other)?.value;
  if (!call || typeof expected !== 'string') return undefined;
  const path = stringArgument(call, 0, compiler);
  const equals = call.name === 'path_base' ? pathBaseEquals : pathDirEquals;
  return node.operator === '==' ? (view) => equals(path(view), expected) : (view) => !equals(path(view), expected);
}

/** A string argument of a built-in function, checked as the function itself checks it. */
function stringArgument(call: CallNode, position: number, compiler: Compiler): (view: ExpressionView) => string {
  const argument = call.args[position]!;
  const fn = compiler.compile(argument);
  if (compiler.typeOf(argument).kind === 'string') return fn as (view: ExpressionView) => string;
  return (view) => text(fn(view) as Value, call.name, argument);
}
