import type {
  BinaryOperator, ExprNode, LiteralNode, PredicateName, UnaryOperator,
} from './ast.js';
import { PREDICATE_NAMES } from './ast.js';
import { ExprFault, type Span } from './errors.js';
import { float } from './float.js';
import { outerSpan, parseWithJsep, type JsepNode, type OperatorToken } from './jsep-dialect.js';
import type { ExprLimits } from './limits.js';

const RELATIONAL = new Set(['<', '<=', '>', '>=']);
const BINARY_OPERATORS: Readonly<Record<string, BinaryOperator>> = {
  '==': '==', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '**': '**', '^': '**', '??': '??', '..': '..',
  in: 'in', matches: 'matches', contains: 'contains', startsWith: 'startsWith', endsWith: 'endsWith',
};
const LOGICAL_OPERATORS: Readonly<Record<string, 'and' | 'or'>> = { and: 'and', '&&': 'and', or: 'or', '||': 'or' };
const UNARY_OPERATORS: Readonly<Record<string, UnaryOperator>> = { '!': 'not', not: 'not', '-': '-', '+': '+' };

/**
 * Parses an include expression into Ferry's syntax tree. Throws `ExprFault` with `expr-too-long`,
 * `expr-too-deep` or `expr-syntax` and the exact position.
 */
export function parseExpression(source: string, limits: ExprLimits): ExprNode {
  if (source.length > limits.maxLength) {
    throw new ExprFault('expr-too-long', `the expression is ${source.length} characters long; the limit is ${limits.maxLength}`, {
      start: limits.maxLength,
      end: source.length,
    });
  }
  checkBracketNesting(source, limits.maxDepth);
  let parsed;
  try {
    parsed = parseWithJsep(source);
  } catch (error) {
    // Long chains of unary operators recurse in jsep; the stack is the limit there.
    if (error instanceof RangeError) throw tooDeep({ start: 0, end: source.length }, limits.maxDepth);
    throw error;
  }
  return new TreeBuilder(parsed.operators, limits.maxDepth).build(parsed.root, 0);
}

function tooDeep(at: Span, maxDepth: number): ExprFault {
  return new ExprFault('expr-too-deep', `the expression nests deeper than ${maxDepth} levels`, at);
}

/** Rejects deep bracket nesting before jsep recurses into it. */
function checkBracketNesting(source: string, maxDepth: number): void {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '"' || ch === "'") {
      while (++i < source.length && source[i] !== ch) if (source[i] === '\\') i++;
    } else if (ch === '`') {
      while (++i < source.length && source[i] !== '`');
    } else if (ch === '(' || ch === '[' || ch === '{') {
      if (++depth > maxDepth) throw tooDeep({ start: i, end: i + 1 }, maxDepth);
    } else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
    }
  }
}

interface Scope {
  predicateDepth: number;
  /** The `let` names visible here, innermost last, with their slots. */
  variables: readonly { name: string; slot: number }[];
}

class TreeBuilder {
  private slots = 0;

  constructor(
    private readonly operators: readonly OperatorToken[],
    private readonly maxDepth: number,
  ) {}

  build(node: JsepNode, depth: number, scope: Scope = { predicateDepth: 0, variables: [] }): ExprNode {
    if (depth > this.maxDepth) throw tooDeep(node, this.maxDepth);
    const next = (child: JsepNode, inner: Scope = scope): ExprNode => this.build(child, depth + 1, inner);
    const span = { start: node.start, end: node.end };
    switch (node.type) {
      case 'Literal':
        return literal(node);
      case 'Identifier': {
        const name = node.name as string;
        const variable = [...scope.variables].reverse().find((candidate) => candidate.name === name);
        if (variable) return { kind: 'variable', name, slot: variable.slot, ...span };
        if (name === '$env') return { kind: 'env', ...span };
        return { kind: 'field', name, ...span };
      }
      case 'Pointer': {
        if (scope.predicateDepth === 0) {
          const what = node.implicit ? '".field"' : `"#${node.name as string}"`;
          throw new ExprFault('expr-syntax', `${what} can only be used inside a predicate such as filter(list, …) or any(list, …)`, node.implicit ? { start: node.start, end: node.start + 1 } : span);
        }
        return { kind: 'pointer', depth: scope.predicateDepth - 1, name: node.name as string, ...span };
      }
      case 'ArrayExpression':
        return { kind: 'array', elements: (node.elements as JsepNode[]).map((element) => next(element)), ...span };
      case 'MapLiteral':
        return {
          kind: 'map',
          entries: (node.entries as { key: JsepNode; value: JsepNode }[]).map((entry) => ({ key: next(entry.key), value: next(entry.value) })),
          ...span,
        };
      case 'MemberExpression': {
        const member = this.member(node, depth, scope);
        return node.chain ? { kind: 'chain', expression: member, ...span } : member;
      }
      case 'Slice': {
        const sliced: ExprNode = {
          kind: 'slice',
          object: next(node.object as JsepNode),
          from: node.from ? next(node.from as JsepNode) : undefined,
          to: node.to ? next(node.to as JsepNode) : undefined,
          ...span,
        };
        return node.chain ? { kind: 'chain', expression: sliced, ...span } : sliced;
      }
      case 'UnaryExpression': {
        const operator = UNARY_OPERATORS[node.operator as string]!;
        const symbol = node.operator as string;
        return { kind: 'unary', operator, operand: next(node.argument as JsepNode), operatorSpan: { start: node.start, end: node.start + symbol.length }, ...span };
      }
      case 'BinaryExpression':
        return this.binary(node, depth, scope);
      case 'ConditionalExpression':
        return {
          kind: 'conditional',
          test: next(node.test as JsepNode),
          consequent: next(node.consequent as JsepNode),
          alternate: next(node.alternate as JsepNode),
          ...span,
        };
      case 'CallExpression': {
        const call = this.call(node, depth, scope);
        return node.chain ? { kind: 'chain', expression: call, ...span } : call;
      }
      case 'Let': {
        const nameNode = node.name as JsepNode;
        const name = nameNode.name as string;
        const slot = this.slots++;
        const value = next(node.value as JsepNode);
        const body = next(node.body as JsepNode, { ...scope, variables: [...scope.variables, { name, slot }] });
        return { kind: 'let', name, nameSpan: { start: nameNode.start, end: nameNode.end }, value, body, slot, ...span };
      }
      case 'Sequence':
        return { kind: 'sequence', expressions: (node.expressions as JsepNode[]).map((expression) => next(expression)), ...span };
      default:
        throw new ExprFault('expr-syntax', `this kind of expression (${node.type}) is not supported`, span);
    }
  }

  private member(node: JsepNode, depth: number, scope: Scope): ExprNode {
    const span = { start: node.start, end: node.end };
    const object = this.build(node.object as JsepNode, depth + 1, scope);
    const property = node.property as JsepNode;
    const optional = node.optional === true;
    if (node.computed) return { kind: 'index', object, index: this.build(property, depth + 1, scope), optional, ...span };
    return { kind: 'member', object, name: property.name as string, nameSpan: { start: property.start, end: property.end }, optional, ...span };
  }

  private binary(node: JsepNode, depth: number, scope: Scope): ExprNode {
    const operatorText = node.operator as string;
    const left = node.left as JsepNode;
    const right = node.right as JsepNode;
    const span = { start: outerSpan(left).start, end: outerSpan(right).end };
    const logical = LOGICAL_OPERATORS[operatorText];
    if (logical !== undefined) {
      // Flatten `a and b and c` (any spelling, any grouping) into one n-ary node.
      const operands: JsepNode[] = [];
      const collect = (operand: JsepNode): void => {
        if (operand.type === 'BinaryExpression' && LOGICAL_OPERATORS[operand.operator as string] === logical) {
          collect(operand.left as JsepNode);
          collect(operand.right as JsepNode);
        } else {
          operands.push(operand);
        }
      };
      collect(node);
      return { kind: 'logical', operator: logical, operands: operands.map((operand) => this.build(operand, depth + 1, scope)), ...span };
    }
    const operatorSpan = this.operatorBetween(outerSpan(left).end, outerSpan(right).start);
    if (RELATIONAL.has(operatorText) && left.type === 'BinaryExpression' && RELATIONAL.has(left.operator as string) && left.outer === undefined) {
      // expr-lang reads `1 < x < 3` as `1 < x and x < 3`.
      const first = this.build(left, depth + 1, scope);
      const previous = first.kind === 'logical' ? first.operands[first.operands.length - 1]! : first;
      if (previous.kind !== 'binary') throw new Error('a chained comparison must end in a comparison');
      const comparison: ExprNode = {
        kind: 'binary', operator: BINARY_OPERATORS[operatorText]!, left: previous.right, right: this.build(right, depth + 1, scope), operatorSpan,
        start: previous.right.start, end: span.end,
      };
      const operands = first.kind === 'logical' ? [...first.operands, comparison] : [first, comparison];
      return { kind: 'logical', operator: 'and', operands, ...span };
    }
    const negated = operatorText.startsWith('not ');
    const operator = BINARY_OPERATORS[negated ? operatorText.slice(4) : operatorText]!;
    const binary: ExprNode = {
      kind: 'binary', operator, left: this.build(left, depth + 1, scope), right: this.build(right, depth + 1, scope), operatorSpan, ...span,
    };
    if (!negated) return binary;
    return { kind: 'unary', operator: 'not', operand: binary, operatorSpan: { start: operatorSpan.start, end: operatorSpan.start + 3 }, ...span };
  }

  /** The operator token read between two operands (only blanks, comments and parentheses surround it). */
  private operatorBetween(from: number, to: number): Span {
    let low = 0;
    let high = this.operators.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.operators[middle]!.start < from) low = middle + 1;
      else high = middle;
    }
    const token = this.operators[low];
    if (token === undefined || token.end > to) throw new Error(`no operator token between ${from} and ${to}`);
    return { start: token.start, end: token.end };
  }

  private call(node: JsepNode, depth: number, scope: Scope): ExprNode {
    const callee = node.callee as JsepNode;
    const args = node.arguments as JsepNode[];
    const span = { start: node.start, end: node.end };
    if (callee.type === 'MemberExpression' && !callee.computed) {
      const property = callee.property as JsepNode;
      return {
        kind: 'method',
        object: this.build(callee.object as JsepNode, depth + 1, scope),
        name: property.name as string,
        nameSpan: { start: property.start, end: property.end },
        args: args.map((arg) => this.build(arg, depth + 1, scope)),
        ...span,
      };
    }
    if (callee.type !== 'Identifier' || callee.outer !== undefined) {
      throw new ExprFault('expr-syntax', 'only functions and methods can be called', { start: callee.start, end: callee.end });
    }
    const name = callee.name as string;
    const nameSpan = { start: callee.start, end: callee.end };
    if (PREDICATE_NAMES.has(name)) {
      const [collection, body, ...extra] = args;
      const inner = { ...scope, predicateDepth: scope.predicateDepth + 1 };
      return {
        kind: 'predicate',
        name: name as PredicateName,
        nameSpan,
        collection: collection && this.build(collection, depth + 1, scope),
        body: body && this.build(body, depth + 1, inner),
        extra: extra.map((arg) => this.build(arg, depth + 1, scope)),
        depth: scope.predicateDepth,
        ...span,
      };
    }
    return { kind: 'call', name, nameSpan, args: args.map((arg) => this.build(arg, depth + 1, scope)), ...span };
  }
}

function literal(node: JsepNode): LiteralNode {
  const span = { start: node.start, end: node.end };
  const value = node.value;
  if (value === null) return { kind: 'literal', literalType: 'nil', value: null, ...span };
  if (typeof value === 'boolean') return { kind: 'literal', literalType: 'bool', value, ...span };
  if (typeof value === 'string') return { kind: 'literal', literalType: 'string', value, ...span };
  if (node.numberType === 'float') return { kind: 'literal', literalType: 'float', value: float(value as number), ...span };
  if (typeof value === 'number' || typeof value === 'bigint') return { kind: 'literal', literalType: 'int', value, ...span };
  throw new Error(`unexpected literal ${String(value)}`);
}
