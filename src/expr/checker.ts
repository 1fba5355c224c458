import type {
  BinaryNode, CallNode, ExprNode, IndexNode, MemberNode, PredicateNode, UnaryNode,
} from './ast.js';
import { PREDICATE_NAMES } from './ast.js';
import { INSTANCE_TYPE, fieldType } from './env.js';
import { exprError, type ExprError, type ExprErrorCode, type Span } from './errors.js';
import { FUNCTIONS, PREDICATE_USAGE } from './functions.js';
import type { ExprLimits } from './limits.js';
import { compileRegex, patternSize, tooBigMessage } from './regex.js';
import { closest } from '../text/suggest.js';

/** ` (did you mean "x"?)` or nothing. */
function didYouMean(name: string, candidates: Iterable<string>): string {
  const hint = closest(name, candidates);
  return hint === undefined ? '' : ` (did you mean "${hint}"?)`;
}
import {
  ANY, BOOL, FLOAT, INT, NIL, STRING, article, isAny, isNumber, listOf, sameType, typeName, type ExprType,
} from './types.js';

// The static check of an include expression against the instance's types, following expr-lang's
// checker (checker/checker.go): unknown names, arity and type errors are compile errors; where a
// type is only known at run time (`any`), the check is left to the evaluator.

export interface CheckResult {
  /** The type of the whole expression. */
  type: ExprType;
  /** The type of every node, for the compiler's specialised paths. */
  types: ReadonlyMap<ExprNode, ExprType>;
  errors: ExprError[];
}

export function checkExpression(root: ExprNode, limits: ExprLimits): CheckResult {
  const checker = new Checker(limits);
  const type = checker.visit(root);
  if (!isAny(type) && type.kind !== 'bool') {
    checker.report('expr-not-bool', `an include expression must be true or false, but this one gives ${article(type)}`, root);
  }
  return { type, types: checker.types, errors: checker.errors };
}

const OPERATOR_FUNCTIONS = new Set(['matches', 'contains', 'startsWith', 'endsWith']);
const NAME_HINTS: Readonly<Record<string, string>> = {
  null: 'the null value is written nil',
  size: 'the length of a list or string is len(x)',
  exists: 'use any(list, predicate)',
};

const accepts = (type: ExprType, kind: ExprType['kind']): boolean => type.kind === kind || isAny(type);

/** Whether `==` may compare the two (expr-lang's Nature.ComparableTo). */
function comparable(a: ExprType, b: ExprType): boolean {
  return isAny(a) || isAny(b) || a.kind === 'nil' || b.kind === 'nil'
    || (isNumber(a) && isNumber(b)) || (a.kind === 'list' && b.kind === 'list') || sameType(a, b);
}

class Checker {
  readonly errors: ExprError[] = [];
  readonly types = new Map<ExprNode, ExprType>();
  /** Element type of each enclosing predicate, by depth. */
  private readonly elements: ExprType[] = [];

  constructor(private readonly limits: ExprLimits) {}

  report(code: ExprErrorCode, message: string, at: Span): typeof ANY {
    this.errors.push(exprError(code, message, at));
    return ANY;
  }

  visit(node: ExprNode): ExprType {
    const type = this.typeOf(node);
    this.types.set(node, type);
    return type;
  }

  private typeOf(node: ExprNode): ExprType {
    switch (node.kind) {
      case 'literal':
        switch (node.literalType) {
          case 'nil': return NIL;
          case 'bool': return BOOL;
          case 'int': return INT;
          case 'float': return FLOAT;
          case 'string': return STRING;
        }
        break;
      case 'array': {
        const types = node.elements.map((element) => this.visit(element));
        const first = types[0];
        return listOf(first !== undefined && types.every((type) => sameType(type, first)) ? first : ANY);
      }
      case 'field': {
        const type = fieldType(node.name);
        if (type) return type;
        if (FUNCTIONS.has(node.name) || PREDICATE_NAMES.has(node.name)) {
          return this.report('expr-unknown-field', `${node.name} is a function: call it like ${PREDICATE_USAGE[node.name] ?? FUNCTIONS.get(node.name)!.usage}`, node);
        }
        const hint = NAME_HINTS[node.name];
        return this.report('expr-unknown-field', `unknown field "${node.name}"${hint ? ` (${hint})` : didYouMean(node.name, Object.keys(INSTANCE_TYPE.fields))}`, node);
      }
      case 'pointer':
        return this.elements[node.depth] ?? ANY;
      case 'member':
        return this.member(node);
      case 'index':
        return this.index(node);
      case 'unary':
        return this.unary(node);
      case 'binary':
        return this.binary(node);
      case 'logical':
        for (const operand of node.operands) {
          const type = this.visit(operand);
          if (!accepts(type, 'bool')) this.report('expr-type', `"${node.operator}" needs bool operands, got ${article(type)}`, operand);
        }
        return BOOL;
      case 'conditional': {
        const test = this.visit(node.test);
        if (!accepts(test, 'bool')) this.report('expr-type', `the condition before "?" must be a bool, got ${article(test)}`, node.test);
        const consequent = this.visit(node.consequent);
        const alternate = this.visit(node.alternate);
        // A nil branch makes the type unknown (expr-lang would take the other branch's type), so
        // that no closure compiled for a known type ever meets nil.
        return sameType(consequent, alternate) ? consequent : ANY;
      }
      case 'call':
        return this.call(node);
      case 'predicate':
        return this.predicate(node);
    }
  }

  private member(node: MemberNode): ExprType {
    const object = this.visit(node.object);
    return this.field(object, node.name, node.nameSpan);
  }

  private field(object: ExprType, name: string, at: Span): ExprType {
    switch (object.kind) {
      case 'any':
        return ANY;
      case 'object':
        if (Object.hasOwn(object.fields, name)) return object.fields[name]!;
        return this.report('expr-unknown-field', `${object.name === 'instance' ? 'unknown field' : `${object.name} has no field`} "${name}"${didYouMean(name, Object.keys(object.fields))}`, at);
      case 'map':
        return object.value;
      default:
        return this.report('expr-type', `cannot read field "${name}" of ${article(object)}`, at);
    }
  }

  private index(node: IndexNode): ExprType {
    const object = this.visit(node.object);
    const key = this.visit(node.index);
    switch (object.kind) {
      case 'any':
        return ANY;
      case 'list':
        if (!accepts(key, 'int')) return this.report('expr-type', `a list index must be an int, got ${article(key)}`, node.index);
        return object.element;
      case 'map':
        if (!accepts(key, 'string')) return this.report('expr-type', `a ${typeName(object)} key must be a string, got ${article(key)}`, node.index);
        return object.value;
      case 'object':
        if (!accepts(key, 'string')) return this.report('expr-type', `a field name must be a string, got ${article(key)}`, node.index);
        if (node.index.kind === 'literal') return this.field(object, node.index.value as string, node.index);
        return ANY;
      default:
        return this.report('expr-type', `cannot index ${article(object)}${object.kind === 'string' ? ' (use hasPrefix, contains or matches on strings)' : ''}`, node);
    }
  }

  private unary(node: UnaryNode): ExprType {
    const operand = this.visit(node.operand);
    if (node.operator === 'not') {
      if (!accepts(operand, 'bool')) this.report('expr-type', `"not" needs a bool, got ${article(operand)}`, node.operand);
      return BOOL;
    }
    if (isNumber(operand) || isAny(operand)) return operand;
    return this.report('expr-type', `unary "${node.operator}" needs a number, got ${article(operand)}`, node.operand);
  }

  private binary(node: BinaryNode): ExprType {
    const left = this.visit(node.left);
    const right = this.visit(node.right);
    const mismatch = (comparison = false) =>
      this.report('expr-type', comparison
        ? `cannot compare ${article(left)} with ${article(right)} using "${node.operator}"`
        : `cannot use "${node.operator}" on ${article(left)} and ${article(right)}`, node.operatorSpan);
    const eitherAny = isAny(left) || isAny(right);
    switch (node.operator) {
      case '==':
      case '!=':
        return comparable(left, right) ? BOOL : mismatch(true);
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const orderable = (type: ExprType) => isNumber(type) || type.kind === 'string' || isAny(type);
        const ok = (isNumber(left) && isNumber(right)) || (left.kind === 'string' && right.kind === 'string')
          || (eitherAny && orderable(left) && orderable(right));
        return ok ? BOOL : mismatch(true);
      }
      case '+':
      case '-':
      case '*': {
        if (node.operator === '+' && left.kind === 'string' && right.kind === 'string') return STRING;
        if (isNumber(left) && isNumber(right)) return left.kind === 'int' && right.kind === 'int' ? INT : FLOAT;
        const operand = (type: ExprType) => isNumber(type) || isAny(type) || (node.operator === '+' && type.kind === 'string');
        return eitherAny && operand(left) && operand(right) ? ANY : mismatch();
      }
      case '/':
        return (isNumber(left) || isAny(left)) && (isNumber(right) || isAny(right)) ? FLOAT : mismatch();
      case '%':
        return accepts(left, 'int') && accepts(right, 'int') ? INT : mismatch();
      case 'in':
        return this.membership(node, left, right);
      case 'matches':
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if (node.operator === 'matches' && node.right.kind === 'literal' && node.right.literalType === 'string') this.pattern(node.right.value as string, node.right);
        return accepts(left, 'string') && accepts(right, 'string') ? BOOL : mismatch();
    }
  }

  /** A literal pattern is refused here when it is too big (before compiling it) or not valid RE2. */
  private pattern(pattern: string, at: Span): void {
    const size = patternSize(pattern);
    if (size > this.limits.maxRegexProgram) {
      this.report('expr-regex-too-big', tooBigMessage(size, this.limits.maxRegexProgram), at);
      return;
    }
    const regex = compileRegex(pattern);
    if (!regex.ok) this.report('expr-regex', regex.message, at);
  }

  private membership(node: BinaryNode, left: ExprType, right: ExprType): ExprType {
    switch (right.kind) {
      case 'any':
        return BOOL;
      case 'list':
        if (comparable(left, right.element)) return BOOL;
        return this.report('expr-type', `cannot look for ${article(left)} in ${article(right)}`, node.operatorSpan);
      case 'map':
      case 'object':
        if (accepts(left, 'string')) return BOOL;
        return this.report('expr-type', `the left of "in" must be a string key here, got ${article(left)}`, node.left);
      default:
        return this.report('expr-type', `"in" needs a list or a map on its right, got ${article(right)}${right.kind === 'string' ? ' (use contains to look for text in a string)' : ''}`, node.right);
    }
  }

  private call(node: CallNode): ExprType {
    const definition = FUNCTIONS.get(node.name);
    const args = node.args.map((arg) => this.visit(arg));
    if (!definition) {
      const hint = OPERATOR_FUNCTIONS.has(node.name)
        ? ` ("${node.name}" is an operator: write a ${node.name} b)`
        : didYouMean(node.name, [...FUNCTIONS.keys(), ...PREDICATE_NAMES]);
      return this.report('expr-unknown-function', `unknown function "${node.name}"${hint}`, node.nameSpan);
    }
    if (args.length < definition.minArgs || args.length > definition.maxArgs) {
      return this.report('expr-arity', `${node.name} takes ${arity(definition.minArgs, definition.maxArgs)}, got ${args.length}: ${definition.usage}`, node);
    }
    const result = definition.check(args);
    if ('argument' in result) return this.report('expr-type', result.message, node.args[result.argument]!);
    return result;
  }

  private predicate(node: PredicateNode): ExprType {
    const collection = node.collection && this.visit(node.collection);
    const wanted = node.name === 'count' ? [1, 2] : [2, 2];
    const given = (node.collection ? 1 : 0) + (node.body ? 1 : 0) + node.extra.length;
    for (const extra of node.extra) this.visit(extra);
    if (!collection || given < wanted[0]! || given > wanted[1]!) {
      if (node.body) this.visitBody(node, ANY);
      return this.report('expr-arity', `${node.name} takes ${arity(wanted[0]!, wanted[1]!)}, got ${given}: ${PREDICATE_USAGE[node.name]}`, node);
    }
    let element: ExprType = ANY;
    if (collection.kind === 'list') element = collection.element;
    else if (!isAny(collection)) this.report('expr-type', `${node.name} needs a list, got ${article(collection)}`, node.collection!);
    const body = node.body ? this.visitBody(node, element) : element;
    if (node.name !== 'map' && !accepts(body, 'bool')) {
      const what = node.body ? `the predicate of ${node.name} must be a bool` : 'count(list) counts true elements, so the list must hold bools';
      this.report('expr-type', `${what}, got ${article(body)}`, node.body ?? node.collection!);
    }
    switch (node.name) {
      case 'filter':
        return listOf(element);
      case 'map':
        return listOf(body);
      case 'count':
        return INT;
      default:
        return BOOL;
    }
  }

  private visitBody(node: PredicateNode, element: ExprType): ExprType {
    this.elements[node.depth] = element;
    const type = this.visit(node.body!);
    this.elements.length = node.depth;
    return type;
  }
}

function arity(min: number, max: number): string {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  return min === max ? plural(min) : `${min} or ${plural(max)}`;
}
