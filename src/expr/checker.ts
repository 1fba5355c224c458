import type {
  BinaryNode, CallNode, ExprNode, IndexNode, LetNode, MemberNode, MethodNode, PointerNode, PredicateNode, SliceNode, UnaryNode,
} from './ast.js';
import { PREDICATE_NAMES } from './ast.js';
import { maybe } from './builtins-lists.js';
import { INSTANCE_TYPE, fieldType } from './env.js';
import { exprError, type ExprError, type ExprErrorCode, type Span } from './errors.js';
import { FUNCTIONS, PREDICATE_USAGE } from './functions.js';
import type { ExprLimits } from './limits.js';
import { compileRegex, patternSize, tooBigMessage } from './regex.js';
import { UNSUPPORTED_METHODS, methodOf, receiverOf } from './time-methods.js';
import { closest } from '../text/suggest.js';
import {
  ANY, ANY_MAP, BOOL, DURATION, FLOAT, INT, NIL, STRING, TIME, article, isAny, isNumber, isStringLike, listOf, mapOf, plain, sameType,
  typeName, type ExprType,
} from './types.js';

// The static check of an include expression, following expr-lang's checker (checker/checker.go,
// v1.17) on migration-manager's instance: unknown names, arity and type errors are compile
// errors; where a type is only known at run time (`any`), the check is left to the evaluator.
// Where migration-manager's own types are stricter than Ferry's (named strings, the time field
// read as text), Ferry accepts what it accepted before and mm-typing.ts warns.

/** ` (did you mean "x"?)` or nothing. */
function didYouMean(name: string, candidates: Iterable<string>): string {
  const hint = closest(name, candidates);
  return hint === undefined ? '' : ` (did you mean "${hint}"?)`;
}

export interface CheckResult {
  /** The type of the whole expression. */
  type: ExprType;
  /** The type of every node, for the compiler's specialised paths and the warnings. */
  types: ReadonlyMap<ExprNode, ExprType>;
  errors: ExprError[];
}

export function checkExpression(root: ExprNode, limits: ExprLimits): CheckResult {
  const checker = new Checker(limits);
  const type = checker.visit(root);
  if (!isAny(type) && type.kind !== 'bool' && type.kind !== 'nil') {
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
const isNil = (type: ExprType): boolean => type.kind === 'nil';
const orderable = (type: ExprType): boolean => isNumber(type) || isStringLike(type) || type.kind === 'time' || type.kind === 'duration';

/** Whether `==` may compare the two (expr-lang's isComparable), the time field counting as its text too. */
export function comparable(a: ExprType, b: ExprType): boolean {
  if (isAny(a) || isAny(b) || isNil(a) || isNil(b)) return true;
  if (isNumber(a) && isNumber(b)) return true;
  if (a.kind === 'list' && b.kind === 'list') return true;
  if (isStringLike(a) && isStringLike(b)) return true;
  return sameType(plain(a), plain(b));
}

/** What the variables of a predicate scope are: `#`, and `#index` (map, reduce) and `#acc` (reduce). */
interface PredicateScope {
  element: ExprType;
  index: boolean;
  acc: boolean;
}

class Checker {
  readonly errors: ExprError[] = [];
  readonly types = new Map<ExprNode, ExprType>();
  /** Each enclosing predicate's scope, by depth. */
  private readonly scopes: PredicateScope[] = [];
  /** The type of each `let` variable, by slot. */
  private readonly variables = new Map<number, ExprType>();

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
        // expr-lang: the elements' type when they are all of one kind, the last one's.
        const last = types[types.length - 1];
        return listOf(last !== undefined && types.every((type) => type.kind === last.kind && !isNil(type)) && sameType(plain(last), plain(types[0]!)) ? last : ANY);
      }
      case 'map':
        for (const entry of node.entries) {
          const key = this.visit(entry.key);
          if (!isStringLike(key) && !isAny(key)) this.report('expr-type', `a map key must be a string, got ${article(key)}`, entry.key);
          this.visit(entry.value);
        }
        return ANY_MAP;
      case 'field': {
        const type = fieldType(node.name);
        if (type) return type;
        if (FUNCTIONS.has(node.name) || PREDICATE_NAMES.has(node.name)) {
          return this.report('expr-unknown-field', `${node.name} is a function: call it like ${PREDICATE_USAGE[node.name] ?? FUNCTIONS.get(node.name)!.usage}`, node);
        }
        const hint = NAME_HINTS[node.name];
        return this.report('expr-unknown-field', `unknown field "${node.name}"${hint ? ` (${hint})` : didYouMean(node.name, Object.keys(INSTANCE_TYPE.fields))}`, node);
      }
      case 'env':
        return INSTANCE_TYPE;
      case 'variable':
        return this.variables.get(node.slot) ?? ANY;
      case 'pointer':
        return this.pointer(node);
      case 'member':
        return this.member(node);
      case 'index':
        return this.index(node);
      case 'slice':
        return this.slice(node);
      case 'chain': {
        const type = this.visit(node.expression);
        return maybe(type);
      }
      case 'unary':
        return this.unary(node);
      case 'binary':
        return this.binary(node);
      case 'logical': {
        let last: ExprType = BOOL;
        for (const operand of node.operands) {
          last = this.visit(operand);
          if (!accepts(last, 'bool')) this.report('expr-type', `"${node.operator}" needs bool operands, got ${article(last)}`, operand);
        }
        // Like expr-lang's jumps, the last operand is the result: a value of unknown type stays unknown (checked where a bool is needed).
        return last.kind === 'bool' ? BOOL : ANY;
      }
      case 'conditional': {
        const test = this.visit(node.test);
        if (!accepts(test, 'bool')) this.report('expr-type', `the condition before "?" must be a bool, got ${article(test)}`, node.test);
        const consequent = this.visit(node.consequent);
        const alternate = this.visit(node.alternate);
        // expr-lang takes the other branch's type when one is nil (it may then be nil too).
        if (isNil(consequent) && isNil(alternate)) return NIL;
        if (isNil(consequent)) return maybe(alternate);
        if (isNil(alternate)) return maybe(consequent);
        return sameType(consequent, alternate) ? consequent : sameType(plain(consequent), plain(alternate)) ? plain(consequent) : ANY;
      }
      case 'call':
        return this.call(node);
      case 'method':
        return this.method(node);
      case 'predicate':
        return this.predicate(node);
      case 'let':
        return this.let(node);
      case 'sequence': {
        let last: ExprType = ANY;
        for (const expression of node.expressions) last = this.visit(expression);
        return last;
      }
    }
  }

  private pointer(node: PointerNode): ExprType {
    const scope = this.scopes[node.depth];
    if (scope === undefined) return ANY;
    switch (node.name) {
      case '':
        return scope.element;
      case 'index':
        if (scope.index) return INT;
        break;
      case 'acc':
        if (scope.acc) return ANY;
        break;
    }
    const where = node.name === 'index' ? ' (#index is the position in map() and reduce())' : node.name === 'acc' ? ' (#acc is the accumulator of reduce())' : '';
    return this.report('expr-unknown-field', `unknown pointer #${node.name}${where}`, node);
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
        if (!isStringLike(object.key) && !isAny(object.key)) return this.report('expr-type', `cannot read field "${name}" of ${article(object)}`, at);
        return object.value;
      case 'nil':
        return this.report('expr-type', `nil has no field "${name}"`, at);
      default: {
        const receiver = receiverOf(object);
        if (receiver && methodOf(receiver, name)) return this.report('expr-type', `${name} is a method of ${typeName(object)}: call it like ${name}()`, at);
        return this.report('expr-type', `cannot read field "${name}" of ${article(object)}`, at);
      }
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
        if (!isAny(key) && !isAny(object.key) && !(isStringLike(key) && isStringLike(object.key)) && !sameType(plain(key), plain(object.key))) {
          return this.report('expr-type', `a ${typeName(object)} key must be ${article(object.key)}, got ${article(key)}`, node.index);
        }
        return object.value;
      case 'object':
        if (!isStringLike(key) && !isAny(key)) return this.report('expr-type', `a field name must be a string, got ${article(key)}`, node.index);
        if (node.index.kind === 'literal') return this.field(object, node.index.value as string, node.index);
        return ANY;
      case 'nil':
        return this.report('expr-type', 'nil cannot be indexed', node);
      default:
        return this.report('expr-type', `cannot index ${article(object)}${isStringLike(object) ? ' (use hasPrefix, contains or matches on strings)' : ''}`, node);
    }
  }

  private slice(node: SliceNode): ExprType {
    const object = this.visit(node.object);
    for (const bound of [node.to, node.from]) {
      if (!bound) continue;
      const type = this.visit(bound);
      if (!accepts(type, 'int')) this.report('expr-type', `a slice bound must be an int, got ${article(type)}`, bound);
    }
    if (object.kind === 'list' || isAny(object)) return object;
    // A slice of a named string (os_type[1:]) keeps its Go type.
    if (object.kind === 'string') return object.named ? { kind: 'string', named: object.named } : STRING;
    return this.report('expr-type', `cannot slice ${article(object)}`, node.object);
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
    /** expr-lang's `or(l, r, …)`: an unknown side and a side of one of these kinds (or two unknown ones). */
    const unknownWith = (...tests: ((type: ExprType) => boolean)[]) =>
      (isAny(left) && (isAny(right) || tests.some((test) => test(right)))) || (isAny(right) && tests.some((test) => test(left)));
    const isInt = (type: ExprType) => type.kind === 'int';
    const isTime = (type: ExprType) => type.kind === 'time';
    const isDuration = (type: ExprType) => type.kind === 'duration';
    switch (node.operator) {
      case '==':
      case '!=':
        return comparable(left, right) ? BOOL : mismatch(true);
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const ok = (isNumber(left) && isNumber(right)) || (isStringLike(left) && isStringLike(right)) || (isTime(left) && isTime(right))
          || (isDuration(left) && isDuration(right)) || unknownWith(orderable);
        return ok ? BOOL : mismatch(true);
      }
      case '+':
        if (isNumber(left) && isNumber(right)) return isInt(left) && isInt(right) ? INT : FLOAT;
        if (isStringLike(left) && isStringLike(right)) return STRING;
        if ((isTime(left) && isDuration(right)) || (isDuration(left) && isTime(right))) return TIME;
        if (isDuration(left) && isDuration(right)) return DURATION;
        return unknownWith(isNumber, isStringLike, isTime, isDuration) ? ANY : mismatch();
      case '-':
        if (isNumber(left) && isNumber(right)) return isInt(left) && isInt(right) ? INT : FLOAT;
        if (isTime(left) && isTime(right)) return DURATION;
        if (isTime(left) && isDuration(right)) return TIME;
        if (isDuration(left) && isDuration(right)) return DURATION;
        return unknownWith(isNumber, isTime, isDuration) ? ANY : mismatch();
      case '*':
        if (isNumber(left) && isNumber(right)) return isInt(left) && isInt(right) ? INT : FLOAT;
        // A duration times an int is a duration; times a float, Go's helper gives a float.
        if ((isInt(left) && isDuration(right)) || (isDuration(left) && (isInt(right) || isDuration(right)))) return DURATION;
        if ((isNumber(left) && isDuration(right)) || (isDuration(left) && isNumber(right))) return ANY;
        return unknownWith(isNumber, isDuration) ? ANY : mismatch();
      case '/':
      case '**':
        return (isNumber(left) && isNumber(right)) || unknownWith(isNumber) ? FLOAT : mismatch();
      case '%':
        return (isInt(left) && isInt(right)) || unknownWith(isInt) ? INT : mismatch();
      case 'in':
        return this.membership(node, left, right);
      case 'matches':
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if (node.operator === 'matches' && node.right.kind === 'literal' && node.right.literalType === 'string') this.pattern(node.right.value as string, node.right);
        return (isStringLike(left) && isStringLike(right)) || unknownWith(isStringLike) ? BOOL : mismatch();
      case '..':
        return (isInt(left) && isInt(right)) || unknownWith(isInt) ? listOf(INT) : mismatch();
      case '??':
        if (isNil(left)) return isNil(right) ? NIL : maybe(right);
        if (isNil(right)) return left;
        if (eitherAny) return ANY;
        return sameType(plain(left), plain(right)) || (isNumber(left) && isNumber(right) && left.kind === right.kind) ? { ...left, nullable: right.nullable } as ExprType : ANY;
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
        if (isAny(left) || isAny(right.key) || (isStringLike(left) && isStringLike(right.key)) || sameType(plain(left), plain(right.key))) return BOOL;
        return this.report('expr-type', `the left of "in" must be ${article(right.key)} key here, got ${article(left)}`, node.left);
      case 'object':
        if (isStringLike(left) || isAny(left)) return BOOL;
        return this.report('expr-type', `the left of "in" must be a field name here, got ${article(left)}`, node.left);
      default:
        if (isAny(left) && isStringLike(right)) return BOOL;
        return this.report('expr-type', `"in" needs a list or a map on its right, got ${article(right)}${isStringLike(right) ? ' (use contains to look for text in a string)' : ''}`, node.right);
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
    if ('argument' in result) return this.report('expr-type', result.message, result.argument < 0 ? node : node.args[result.argument]!);
    return result;
  }

  private method(node: MethodNode): ExprType {
    const object = this.visit(node.object);
    const args = node.args.map((arg) => this.visit(arg));
    if (isAny(object)) return ANY;
    const receiver = receiverOf(object);
    const definition = receiver && methodOf(receiver, node.name);
    if (!definition) {
      const unsupported = receiver === 'time' ? UNSUPPORTED_METHODS[node.name] : undefined;
      if (unsupported) return this.report('expr-unknown-field', `${node.name}() cannot be called in an include expression: ${unsupported}`, node.nameSpan);
      if (object.kind === 'nil') return this.report('expr-type', `${node.name} is called on nil`, node.nameSpan);
      return this.report('expr-unknown-field', `${typeName(object)} has no method ${node.name}${receiver ? '' : ` (only times, durations, months, weekdays, locations and a NIC's uuid have methods)`}`, node.nameSpan);
    }
    if (args.length !== definition.params.length) {
      return this.report('expr-arity', `${node.name} takes ${arity(definition.params.length, definition.params.length)}, got ${args.length}`, node);
    }
    definition.params.forEach((param, i) => {
      const arg = args[i]!;
      const fits = isAny(arg) || (param === 'location' ? arg.kind === 'location' || arg.kind === 'nil' : param === 'string' ? isStringLike(arg) : arg.kind === param);
      if (!fits) this.report('expr-type', `${node.name} needs ${param === 'int' ? 'an int' : `a ${param}`} here, got ${article(arg)}`, node.args[i]!);
    });
    return definition.result;
  }

  private predicate(node: PredicateNode): ExprType {
    const collection = node.collection && this.visit(node.collection);
    const [min, max] = node.name === 'count' || node.name === 'sum' ? [1, 2] : node.name === 'sortBy' || node.name === 'reduce' ? [2, 3] : [2, 2];
    const given = (node.collection ? 1 : 0) + (node.body ? 1 : 0) + node.extra.length;
    for (const extra of node.extra) this.visit(extra);
    if (!collection || given < min || given > max) {
      if (node.body) this.visitBody(node, { element: ANY, index: true, acc: true });
      return this.report('expr-arity', `${node.name} takes ${arity(min, max)}, got ${given}: ${PREDICATE_USAGE[node.name]}`, node);
    }
    let element: ExprType = ANY;
    if (collection.kind === 'list') element = collection.element;
    else if (!isAny(collection)) this.report('expr-type', `${node.name} needs a list, got ${article(collection)}`, node.collection!);
    const body = node.body
      ? this.visitBody(node, { element, index: node.name === 'map' || node.name === 'reduce', acc: node.name === 'reduce' })
      : element;
    const needsBool = !['map', 'sum', 'groupBy', 'sortBy', 'reduce'].includes(node.name);
    // count(list) takes any list when compiled (expr-lang's checker does): a non-bool element fails when run.
    if (needsBool && node.body && !accepts(body, 'bool')) {
      this.report('expr-type', `the predicate of ${node.name} must be a bool, got ${article(body)}`, node.body);
    }
    switch (node.name) {
      case 'filter':
        return listOf(element);
      case 'map':
        return listOf(body);
      case 'count':
        return INT;
      case 'sum':
        return isNumber(body) ? body : ANY;
      case 'find':
      case 'findLast':
        return maybe(element);
      case 'findIndex':
      case 'findLastIndex':
        return maybe(INT);
      case 'groupBy':
        return mapOf(ANY, listOf(element));
      case 'sortBy':
        return collection;
      case 'reduce':
        return ANY;
      default:
        return BOOL;
    }
  }

  private visitBody(node: PredicateNode, scope: PredicateScope): ExprType {
    this.scopes[node.depth] = scope;
    const type = this.visit(node.body!);
    this.scopes.length = node.depth;
    return type;
  }

  private let(node: LetNode): ExprType {
    const taken = fieldType(node.name) !== undefined ? 'a field'
      : FUNCTIONS.has(node.name) || PREDICATE_NAMES.has(node.name) ? 'a function'
        : [...this.variables.keys()].some((slot) => slot !== node.slot && this.names.get(slot) === node.name) ? 'a variable' : undefined;
    if (taken) this.report('expr-syntax', `cannot redeclare ${node.name}: it is ${taken}`, node.nameSpan);
    const value = this.visit(node.value);
    this.variables.set(node.slot, value);
    this.names.set(node.slot, node.name);
    const body = this.visit(node.body);
    this.variables.delete(node.slot);
    this.names.delete(node.slot);
    return body;
  }

  private readonly names = new Map<number, string>();
}

function arity(min: number, max: number): string {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (max === Infinity) return `at least ${plural(min)}`;
  return min === max ? plural(min) : `${min} or ${plural(max)}`;
}
