import type { Span } from './errors.js';

/**
 * Ferry's syntax tree of an include expression, produced by `parser.ts` from jsep's tree. It is
 * already desugared: `&&`/`and` and `||`/`or` chains are n-ary `logical` nodes, `!` is `not`,
 * `a not in b` is `not (a in b)`, `1 < x < 3` is `1 < x and x < 3`, and `.name` inside a predicate
 * is `#.name`. Every node carries its span in the source.
 */
export type ExprNode =
  | LiteralNode
  | ArrayNode
  | FieldNode
  | PointerNode
  | MemberNode
  | IndexNode
  | UnaryNode
  | BinaryNode
  | LogicalNode
  | ConditionalNode
  | CallNode
  | PredicateNode;

export type LiteralValue = null | boolean | number | string;

export interface LiteralNode extends Span {
  readonly kind: 'literal';
  /** `int` and `float` are both JavaScript numbers; the difference matters to the checker (`%`, `/`). */
  readonly literalType: 'nil' | 'bool' | 'int' | 'float' | 'string';
  readonly value: LiteralValue;
}

export interface ArrayNode extends Span {
  readonly kind: 'array';
  readonly elements: readonly ExprNode[];
}

/** A top-level name: a field of the instance. */
export interface FieldNode extends Span {
  readonly kind: 'field';
  readonly name: string;
}

/** `#`: the current element of the innermost enclosing predicate. */
export interface PointerNode extends Span {
  readonly kind: 'pointer';
  /** 0 for the outermost predicate, 1 for a predicate inside it, … */
  readonly depth: number;
}

/** `object.name` */
export interface MemberNode extends Span {
  readonly kind: 'member';
  readonly object: ExprNode;
  readonly name: string;
  readonly nameSpan: Span;
}

/** `object[index]` */
export interface IndexNode extends Span {
  readonly kind: 'index';
  readonly object: ExprNode;
  readonly index: ExprNode;
}

export type UnaryOperator = 'not' | '-' | '+';

export interface UnaryNode extends Span {
  readonly kind: 'unary';
  readonly operator: UnaryOperator;
  readonly operand: ExprNode;
  readonly operatorSpan: Span;
}

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
export type StringOperator = 'matches' | 'contains' | 'startsWith' | 'endsWith';
export type BinaryOperator = ComparisonOperator | ArithmeticOperator | StringOperator | 'in';

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

export interface CallNode extends Span {
  readonly kind: 'call';
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly ExprNode[];
}

export type PredicateName = 'all' | 'any' | 'none' | 'one' | 'filter' | 'map' | 'count';

export const PREDICATE_NAMES: ReadonlySet<string> = new Set<PredicateName>([
  'all', 'any', 'none', 'one', 'filter', 'map', 'count',
]);

/** `name(collection, body)`: `body` runs once per element with `#` bound to it. */
export interface PredicateNode extends Span {
  readonly kind: 'predicate';
  readonly name: PredicateName;
  readonly nameSpan: Span;
  readonly collection: ExprNode | undefined;
  /** Absent only for `count(list)`, which counts the `true` elements; other arities are reported by the checker. */
  readonly body: ExprNode | undefined;
  /** Arguments beyond the second, kept so the checker can report the arity. */
  readonly extra: readonly ExprNode[];
  /** The nesting depth `#` refers to inside `body`. */
  readonly depth: number;
}
