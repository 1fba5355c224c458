import type { BinaryNode, ExprNode, LiteralNode, LogicalNode } from './ast.js';
import { children } from './ast.js';
import { ExprFault, type Span } from './errors.js';
import * as int64 from './int64.js';
import type { ExprType } from './types.js';
import { valueTypeName, type Value } from './values.js';

// The rewrites of expr-lang's optimizer (optimizer/*.go) that change what an expression gives,
// applied to the checked tree before either evaluator sees it:
//
// - `x and false` is false and `x or true` is true without evaluating x — expr-lang folds `and`
//   and `or` with a constant operand, so an error in x never happens there either;
// - `1 % 0` is refused when compiling (its constant folding divides);
// - `sum([a, b, c])` is `a + (b + c)`, so it adds strings too;
// - `n in 1..10` (an int against literal bounds) is `n >= 1 and n <= 10`, without building the list;
// - `==` and `!=` between two Go ints (not int64) or two Go strings (not a named string type)
//   compile to expr-lang's OpEqualInt/OpEqualString, which fail on a nil operand (findIndex that
//   finds nothing, get of a missing key) where the generic `==` would give false;
// - `x in ['a', 'b']` looks x up in a map of the strings (see inStringLiterals).
//
// "Constant" means what expr-lang folds: literals, unary operators on literals, + - * % on int
// literals, + on string literals, == on two int, string or bool literals, and and/or of those.

/** How expr-lang compares an `==`/`!=` where it is not the generic way: two ints or two strings directly, failing on nil. */
export type EqualityMode = 'int' | 'string';

const EQUALITY_MODE = new WeakMap<BinaryNode, EqualityMode>();

export function equalityMode(node: BinaryNode): EqualityMode | undefined {
  return EQUALITY_MODE.get(node);
}

export function nilInDirectEquality(kind: EqualityMode, at: Span): ExprFault {
  return new ExprFault('expr-type', `nil where ${kind === 'int' ? 'an int' : 'a string'} is compared: expr-lang compares two ${kind}s directly and fails on nil (compare with nil first, or use ??)`, at);
}

/**
 * expr-lang's optimizer turns `x in ['a', 'b']` (a list literal of strings only) into a lookup in
 * a map[string]struct{}: nil looks up the zero key '' and anything but a string fails.
 */
export function inStringLiterals(node: BinaryNode): boolean {
  return node.operator === 'in' && node.right.kind === 'array' && node.right.elements.length > 0
    && node.right.elements.every((element) => element.kind === 'literal' && element.literalType === 'string');
}

/** The needle of `x in ['a', …]` as that lookup reads it. */
export function stringLookupNeedle(needle: Value, at: Span): string {
  if (needle === null) return '';
  if (typeof needle !== 'string') throw new ExprFault('expr-type', `cannot look ${valueTypeName(needle)} up in a list of strings`, at);
  return needle;
}

function directKind(type: ExprType | undefined): 'int' | 'string' | undefined {
  if (type?.kind === 'int' && !type.int64) return 'int';
  if (type?.kind === 'string' && type.named === undefined) return 'string';
  return undefined;
}

export function foldLikeExprLang(root: ExprNode, types: ReadonlyMap<ExprNode, ExprType>): ExprNode {
  return new Folder(types).fold(root);
}

type Constant = { kind: 'int'; value: int64.Int } | { kind: 'string'; value: string } | { kind: 'bool'; value: boolean } | { kind: 'other' };
const OTHER: Constant = { kind: 'other' };

class Folder {
  constructor(private readonly types: ReadonlyMap<ExprNode, ExprType>) {}

  fold(node: ExprNode): ExprNode {
    const rebuilt = this.rebuild(node);
    switch (rebuilt.kind) {
      case 'logical':
        return this.logical(rebuilt);
      case 'binary':
        if (rebuilt.operator === '%') this.constant(rebuilt);
        if ((rebuilt.operator === '==' || rebuilt.operator === '!=') && node.kind === 'binary') {
          const left = this.types.get(node.left);
          const right = this.types.get(node.right);
          const kind = directKind(left);
          if (kind && kind === directKind(right) && (left!.nullable || right!.nullable)) EQUALITY_MODE.set(rebuilt, kind);
        }
        if (rebuilt.operator === 'in' && rebuilt.right.kind === 'binary' && rebuilt.right.operator === '..') {
          const { left: from, right: to } = rebuilt.right;
          const leftType = this.types.get(node.kind === 'binary' ? node.left : node);
          if (leftType?.kind === 'int' && !leftType.nullable && isIntLiteral(from) && isIntLiteral(to)) {
            const bound = (operator: '>=' | '<=', limit: ExprNode): ExprNode => ({
              kind: 'binary', operator, left: rebuilt.left, right: limit, operatorSpan: rebuilt.operatorSpan, start: rebuilt.start, end: rebuilt.end,
            });
            return { kind: 'logical', operator: 'and', operands: [bound('>=', from), bound('<=', to)], start: rebuilt.start, end: rebuilt.end };
          }
        }
        return rebuilt;
      case 'predicate':
        if (rebuilt.name === 'sum' && !rebuilt.body && rebuilt.collection?.kind === 'array' && rebuilt.collection.elements.length >= 2) {
          const elements = rebuilt.collection.elements;
          const add = (from: number): ExprNode => (from === elements.length - 1
            ? elements[from]!
            : { kind: 'binary', operator: '+', left: elements[from]!, right: add(from + 1), operatorSpan: rebuilt.nameSpan, start: rebuilt.start, end: rebuilt.end });
          return add(0);
        }
        return rebuilt;
      default:
        return rebuilt;
    }
  }

  /** The node with its children folded (the same object when none changed). */
  private rebuild(node: ExprNode): ExprNode {
    const before = children(node);
    if (before.length === 0) return node;
    const after = before.map((child) => this.fold(child));
    if (after.every((child, i) => child === before[i])) return node;
    const replace = new Map(before.map((child, i) => [child, after[i]!]));
    const swap = (child: ExprNode): ExprNode => replace.get(child) ?? child;
    const swapOptional = (child: ExprNode | undefined) => (child === undefined ? undefined : swap(child));
    switch (node.kind) {
      case 'array': return { ...node, elements: node.elements.map(swap) };
      case 'map': return { ...node, entries: node.entries.map((entry) => ({ key: swap(entry.key), value: swap(entry.value) })) };
      case 'member': return { ...node, object: swap(node.object) };
      case 'index': return { ...node, object: swap(node.object), index: swap(node.index) };
      case 'slice': return { ...node, object: swap(node.object), from: swapOptional(node.from), to: swapOptional(node.to) };
      case 'chain': return { ...node, expression: swap(node.expression) };
      case 'unary': return { ...node, operand: swap(node.operand) };
      case 'binary': return { ...node, left: swap(node.left), right: swap(node.right) };
      case 'logical': return { ...node, operands: node.operands.map(swap) };
      case 'conditional': return { ...node, test: swap(node.test), consequent: swap(node.consequent), alternate: swap(node.alternate) };
      case 'call': return { ...node, args: node.args.map(swap) };
      case 'method': return { ...node, object: swap(node.object), args: node.args.map(swap) };
      case 'predicate': return { ...node, collection: swapOptional(node.collection), body: swapOptional(node.body), extra: node.extra.map(swap) };
      case 'let': return { ...node, value: swap(node.value), body: swap(node.body) };
      case 'sequence': return { ...node, expressions: node.expressions.map(swap) };
      default: return node;
    }
  }

  /**
   * expr-lang folds `a and b` pairwise from the left: a constant false (true for `or`) anywhere
   * decides the whole chain; constant trues (falses for `or`) drop out.
   */
  private logical(node: LogicalNode): ExprNode {
    const decisive = node.operator === 'or';
    const kept: ExprNode[] = [];
    for (const operand of node.operands) {
      const constant = this.constant(operand);
      if (constant.kind === 'bool') {
        if (constant.value === decisive) return literalBool(decisive, node);
        continue;
      }
      kept.push(operand);
    }
    if (kept.length === node.operands.length) return node;
    if (kept.length === 0) return literalBool(!decisive, node);
    if (kept.length === 1) return kept[0]!;
    return { ...node, operands: kept };
  }

  /** The value expr-lang's folding gives a node, if it folds to a literal. */
  private constant(node: ExprNode): Constant {
    switch (node.kind) {
      case 'literal':
        if (node.literalType === 'int') return { kind: 'int', value: node.value as int64.Int };
        if (node.literalType === 'string') return { kind: 'string', value: node.value as string };
        if (node.literalType === 'bool') return { kind: 'bool', value: node.value as boolean };
        return OTHER;
      case 'unary': {
        const operand = this.constant(node.operand);
        if (node.operator === 'not' && operand.kind === 'bool') return { kind: 'bool', value: !operand.value };
        if (node.operator === '-' && operand.kind === 'int') return { kind: 'int', value: int64.negate(operand.value) };
        if (node.operator === '+' && operand.kind === 'int') return operand;
        return OTHER;
      }
      case 'binary': {
        const left = this.constant(node.left);
        const right = this.constant(node.right);
        if (left.kind === 'int' && right.kind === 'int') {
          switch (node.operator) {
            case '+': return { kind: 'int', value: int64.add(left.value, right.value) };
            case '-': return { kind: 'int', value: int64.subtract(left.value, right.value) };
            case '*': return { kind: 'int', value: int64.multiply(left.value, right.value) };
            case '%':
              if (int64.isZero(right.value)) throw new ExprFault('expr-arithmetic', 'integer divide by zero', node.operatorSpan);
              return { kind: 'int', value: int64.remainder(left.value, right.value) };
            case '==': return { kind: 'bool', value: left.value === right.value };
            default: return OTHER;
          }
        }
        if (left.kind === 'string' && right.kind === 'string') {
          if (node.operator === '+') return { kind: 'string', value: left.value + right.value };
          if (node.operator === '==') return { kind: 'bool', value: left.value === right.value };
        }
        if (left.kind === 'bool' && right.kind === 'bool' && node.operator === '==') return { kind: 'bool', value: left.value === right.value };
        return OTHER;
      }
      case 'logical': {
        const folded = this.logical(node);
        return folded.kind === 'literal' && folded.literalType === 'bool' ? { kind: 'bool', value: folded.value as boolean } : OTHER;
      }
      default:
        return OTHER;
    }
  }
}

const isIntLiteral = (node: ExprNode): boolean =>
  (node.kind === 'literal' && node.literalType === 'int') || (node.kind === 'unary' && node.operator === '-' && isIntLiteral(node.operand));

function literalBool(value: boolean, at: ExprNode): LiteralNode {
  return { kind: 'literal', literalType: 'bool', value, start: at.start, end: at.end };
}
