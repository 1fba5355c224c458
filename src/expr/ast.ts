import type { Span } from './errors.js';
import type { Value } from './values.js';

/**
 * Ferry's syntax tree of an include expression, produced by `parser.ts` from jsep's tree. It is
 * already desugared: `&&`/`and` and `||`/`or` chains are n-ary `logical` nodes, `!` is `not`,
 * `a not in b` is `not (a in b)`, `1 < x < 3` is `1 < x and x < 3`, `.name` inside a predicate is
 * `#.name`, `x | f(y)` is `f(x, y)`, `a ?: b` is `a ? a : b` and `if a { b } else { c }` is
 * `a ? b : c`. Every node carries its span in the source.
 */
export type ExprNode =
  | LiteralNode
  | ArrayNode
  | MapNode
  | FieldNode
  | EnvNode
  | PointerNode
  | VariableNode
  | MemberNode
  | IndexNode
  | SliceNode
  | ChainNode
  | UnaryNode
  | BinaryNode
  | LogicalNode
  | ConditionalNode
  | CallNode
  | MethodNode
  | PredicateNode
  | LetNode
  | SequenceNode;

export interface LiteralNode extends Span {
  readonly kind: 'literal';
  readonly literalType: 'nil' | 'bool' | 'int' | 'float' | 'string';
  /** The run-time value: an int is a number or a bigint, a float a Float64. */
  readonly value: Value;
}

export interface ArrayNode extends Span {
  readonly kind: 'array';
  readonly elements: readonly ExprNode[];
}

/** `{name: value, 'key': value, (expression): value}`: a map[string]any. */
export interface MapNode extends Span {
  readonly kind: 'map';
  readonly entries: readonly { readonly key: ExprNode; readonly value: ExprNode }[];
}

/** A top-level name: a field of the instance. */
export interface FieldNode extends Span {
  readonly kind: 'field';
  readonly name: string;
}

/** `$env`: the instance itself. */
export interface EnvNode extends Span {
  readonly kind: 'env';
}

/** `#` (the current element), `#index` or `#acc` of the innermost enclosing predicate. */
export interface PointerNode extends Span {
  readonly kind: 'pointer';
  /** 0 for the outermost predicate, 1 for a predicate inside it, … */
  readonly depth: number;
  readonly name: '' | 'index' | 'acc' | string;
}

/** A name bound by `let`. */
export interface VariableNode extends Span {
  readonly kind: 'variable';
  readonly name: string;
  /** Where its value is kept during an evaluation. */
  readonly slot: number;
}

/** `object.name`, or `object?.name`. */
export interface MemberNode extends Span {
  readonly kind: 'member';
  readonly object: ExprNode;
  readonly name: string;
  readonly nameSpan: Span;
  /** `?.`: a nil object makes the whole chain nil instead of an error. */
  readonly optional: boolean;
}

/** `object[index]`, or `object?.[index]`. */
export interface IndexNode extends Span {
  readonly kind: 'index';
  readonly object: ExprNode;
  readonly index: ExprNode;
  readonly optional: boolean;
}

/** `object[from:to]`, either bound optional. */
export interface SliceNode extends Span {
  readonly kind: 'slice';
  readonly object: ExprNode;
  readonly from: ExprNode | undefined;
  readonly to: ExprNode | undefined;
}

/** A chain of accesses with a `?.` in it: nil as soon as a `?.` meets nil. */
export interface ChainNode extends Span {
  readonly kind: 'chain';
  readonly expression: ExprNode;
}

export type UnaryOperator = 'not' | '-' | '+';

export interface UnaryNode extends Span {
  readonly kind: 'unary';
  readonly operator: UnaryOperator;
  readonly operand: ExprNode;
  readonly operatorSpan: Span;
}

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%' | '**';
export type StringOperator = 'matches' | 'contains' | 'startsWith' | 'endsWith';
/** `??` gives its left side unless that is nil; `..` is the list of ints from its left to its right. */
export type BinaryOperator = ComparisonOperator | ArithmeticOperator | StringOperator | 'in' | '??' | '..';

export interface BinaryNode extends Span {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: ExprNode;
  readonly right: ExprNode;
  readonly operatorSpan: Span;
}

export interface LogicalNode extends Span {
  readonly kind: 'logical';
  readonly operator: 'and' | 'or';
  /** Two or more; evaluated left to right, stopping at the first that decides the result. */
  readonly operands: readonly ExprNode[];
}

export interface ConditionalNode extends Span {
  readonly kind: 'conditional';
  readonly test: ExprNode;
  readonly consequent: ExprNode;
  readonly alternate: ExprNode;
}

/** A call of a built-in function (expr-lang's and migration-manager's). */
export interface CallNode extends Span {
  readonly kind: 'call';
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly ExprNode[];
}

/** `object.name(args)`: a method of a time, a duration, a month, a weekday, a location or a NIC's UUID. */
export interface MethodNode extends Span {
  readonly kind: 'method';
  readonly object: ExprNode;
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly ExprNode[];
}

export type PredicateName =
  | 'all' | 'any' | 'none' | 'one' | 'filter' | 'map' | 'count' | 'sum'
  | 'find' | 'findIndex' | 'findLast' | 'findLastIndex' | 'groupBy' | 'sortBy' | 'reduce';

export const PREDICATE_NAMES: ReadonlySet<string> = new Set<PredicateName>([
  'all', 'any', 'none', 'one', 'filter', 'map', 'count', 'sum', 'find', 'findIndex', 'findLast', 'findLastIndex', 'groupBy', 'sortBy', 'reduce',
]);

/** `name(collection, body[, argument])`: `body` runs once per element with `#` bound to it. */
export interface PredicateNode extends Span {
  readonly kind: 'predicate';
  readonly name: PredicateName;
  readonly nameSpan: Span;
  readonly collection: ExprNode | undefined;
  /** Absent for `count(list)` and `sum(list)`; other arities are reported by the checker. */
  readonly body: ExprNode | undefined;
  /** Arguments after the body: sortBy's order, reduce's initial value, or too many. */
  readonly extra: readonly ExprNode[];
  /** The nesting depth `#` refers to inside `body`. */
  readonly depth: number;
}

/** `let name = value; body`. */
export interface LetNode extends Span {
  readonly kind: 'let';
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: ExprNode;
  readonly body: ExprNode;
  readonly slot: number;
}

/** `a; b; c`: each in turn, giving the last. */
export interface SequenceNode extends Span {
  readonly kind: 'sequence';
  readonly expressions: readonly ExprNode[];
}

/** The direct children of a node, in evaluation order. */
export function children(node: ExprNode): readonly ExprNode[] {
  switch (node.kind) {
    case 'array':
      return node.elements;
    case 'map':
      return node.entries.flatMap((entry) => [entry.key, entry.value]);
    case 'member':
      return [node.object];
    case 'index':
      return [node.object, node.index];
    case 'slice':
      return [node.object, ...(node.from ? [node.from] : []), ...(node.to ? [node.to] : [])];
    case 'chain':
      return [node.expression];
    case 'unary':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'logical':
      return node.operands;
    case 'conditional':
      return [node.test, node.consequent, node.alternate];
    case 'call':
      return node.args;
    case 'method':
      return [node.object, ...node.args];
    case 'predicate':
      return [...(node.collection ? [node.collection] : []), ...(node.body ? [node.body] : []), ...node.extra];
    case 'let':
      return [node.value, node.body];
    case 'sequence':
      return node.expressions;
    default:
      return [];
  }
}
