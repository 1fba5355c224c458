import type { BinaryNode, CallNode, ExprNode, IndexNode, LogicalNode, MemberNode, PredicateNode } from './ast.js';
import { ExprFault } from './errors.js';
import { specialize } from './fast-paths.js';
import { FUNCTIONS } from './functions.js';
import { evaluateConstant } from './interpreter.js';
import { structReader, viewReader } from './accessors.js';
import { compileRegex, type Matcher } from './regex.js';
import { MATCHED, NOT_MATCHED, budgetFault, evaluationFailed, notBool, type EvalResult } from './result.js';
import { ANY, isNumber, type ExprType } from './types.js';
import {
  arithmetic, compare, compareStrings, contains, element, equal, index, list, member, modulo, negate, runeCount, text, truth,
  valueTypeName, type StructValue, type Value,
} from './values.js';
import type { ExpressionView } from './view.js';

// Compiles a checked tree into nested closures, once per expression. Where the checker proved a
// type, the closure skips the run-time check (a `cpus >= 4` is `view.cpus >= 4`); where a type is
// only known at run time it uses the same checked operations as the interpreter. Evaluation order,
// short-circuiting, errors and step counting match the interpreter exactly.

export type Fn = (view: ExpressionView) => Value;
export type Test = (view: ExpressionView) => boolean;

/** Per-expression mutable state, allocated once: predicate elements by depth and the step count. */
export interface Frame {
  readonly elements: Value[];
  steps: number;
  readonly maxSteps: number;
}

export type Evaluator = (view: ExpressionView) => EvalResult;

export function compileTree(root: ExprNode, types: ReadonlyMap<ExprNode, ExprType>, maxSteps: number): Evaluator {
  const compiler = new Compiler(types, maxSteps);
  const frame = compiler.frame;
  if (compiler.typeOf(root).kind === 'bool') {
    const test = compiler.compile(root) as Test;
    return (view) => {
      frame.steps = 0;
      try {
        return test(view) ? MATCHED : NOT_MATCHED;
      } catch (error) {
        return evaluationFailed(error, root);
      }
    };
  }
  const evaluate = compiler.compile(root);
  return (view) => {
    frame.steps = 0;
    try {
      const value = evaluate(view);
      if (typeof value !== 'boolean') return notBool(valueTypeName(value), root);
      return value ? MATCHED : NOT_MATCHED;
    } catch (error) {
      return evaluationFailed(error, root);
    }
  };
}

const NO_VIEW = Object.freeze({}) as ExpressionView;

export class Compiler {
  readonly frame: Frame;
  private readonly constants = new Map<ExprNode, boolean>();

  constructor(
    private readonly types: ReadonlyMap<ExprNode, ExprType>,
    maxSteps: number,
  ) {
    this.frame = { elements: [], steps: 0, maxSteps };
  }

  typeOf(node: ExprNode): ExprType {
    return this.types.get(node) ?? ANY;
  }

  compile(node: ExprNode): Fn {
    const folded = this.constant(node);
    if (folded !== undefined) {
      const value = folded.value;
      return () => value;
    }
    return specialize(node, this) ?? this.generic(node);
  }

  /** A boolean closure for a node that must be a bool (checked at run time when its type is not known). */
  condition(node: ExprNode, what: string): Test {
    const fn = this.compile(node);
    if (this.typeOf(node).kind === 'bool') return fn as Test;
    return (view) => truth(fn(view), what, node);
  }

  /** The value of a subtree that depends on nothing but literals, computed once; undefined otherwise. */
  constant(node: ExprNode): { value: Value } | undefined {
    if (!this.isConstant(node)) return undefined;
    try {
      const value = evaluateConstant(node, NO_VIEW);
      return { value: Array.isArray(value) ? Object.freeze(value) : value };
    } catch (error) {
      // It fails at run time too, with this same error, in both evaluators.
      if (error instanceof ExprFault) return undefined;
      throw error;
    }
  }

  private isConstant(node: ExprNode): boolean {
    let known = this.constants.get(node);
    if (known === undefined) {
      known = this.computeConstant(node);
      this.constants.set(node, known);
    }
    return known;
  }

  private computeConstant(node: ExprNode): boolean {
    switch (node.kind) {
      case 'literal':
        return true;
      case 'array':
        return node.elements.every((element) => this.isConstant(element));
      case 'unary':
        return this.isConstant(node.operand);
      case 'binary':
        return this.isConstant(node.left) && this.isConstant(node.right);
      case 'logical':
        return node.operands.every((operand) => this.isConstant(operand));
      case 'conditional':
        return this.isConstant(node.test) && this.isConstant(node.consequent) && this.isConstant(node.alternate);
      case 'call':
        return FUNCTIONS.get(node.name)!.reads.length === 0 && node.args.every((arg) => this.isConstant(arg));
      case 'member':
        return this.isConstant(node.object);
      case 'index':
        return this.isConstant(node.object) && this.isConstant(node.index);
      default:
        return false;
    }
  }

  private generic(node: ExprNode): Fn {
    switch (node.kind) {
      case 'literal': {
        const value = node.value;
        return () => value;
      }
      case 'array': {
        const elements = node.elements.map((child) => this.compile(child));
        return (view) => elements.map((fn) => fn(view));
      }
      case 'field':
        return viewReader(node.name);
      case 'pointer': {
        const { elements } = this.frame;
        const depth = node.depth;
        return () => elements[depth]!;
      }
      case 'member':
        return this.member(node);
      case 'index':
        return this.index(node);
      case 'unary': {
        if (node.operator === 'not') {
          const operand = this.condition(node.operand, '"not"');
          return (view) => !operand(view);
        }
        const operand = this.compile(node.operand);
        if (isNumber(this.typeOf(node.operand))) return node.operator === '-' ? (view) => -(operand(view) as number) : operand;
        const operator = node.operator;
        return (view) => negate(operator, operand(view), node.operand);
      }
      case 'binary':
        return this.binary(node);
      case 'logical':
        return this.logical(node);
      case 'conditional': {
        const test = this.condition(node.test, 'the condition before "?"');
        const consequent = this.compile(node.consequent);
        const alternate = this.compile(node.alternate);
        return (view) => (test(view) ? consequent(view) : alternate(view));
      }
      case 'call':
        return this.call(node);
      case 'predicate':
        return this.predicate(node);
    }
  }

  private member(node: MemberNode): Fn {
    const object = this.compile(node.object);
    const name = node.name;
    const objectType = this.typeOf(node.object);
    switch (objectType.kind) {
      case 'object': {
        const read = structReader(objectType.name, name);
        if (read) return (view) => read(object(view) as StructValue);
        return (view) => (object(view) as StructValue)[name]!;
      }
      case 'map':
        return (view) => (object(view) as ReadonlyMap<string, Value>).get(name) ?? '';
      default:
        return (view) => member(object(view), name, node.nameSpan);
    }
  }

  private index(node: IndexNode): Fn {
    const object = this.compile(node.object);
    const objectType = this.typeOf(node.object).kind;
    const key = this.constant(node.index)?.value;
    if (objectType === 'list' && typeof key === 'number' && Number.isInteger(key)) {
      return (view) => {
        const items = object(view) as readonly Value[];
        const position = key < 0 ? key + items.length : key;
        return position >= 0 && position < items.length ? items[position]! : element(items, key, node);
      };
    }
    if (objectType === 'map' && typeof key === 'string') return (view) => (object(view) as ReadonlyMap<string, Value>).get(key) ?? '';
    if (objectType === 'object' && typeof key === 'string') return (view) => member(object(view), key, node);
    const indexFn = this.compile(node.index);
    if (objectType === 'list' && this.typeOf(node.index).kind === 'int') {
      return (view) => element(object(view) as readonly Value[], indexFn(view) as number, node);
    }
    return (view) => index(object(view), indexFn(view), node);
  }

  private binary(node: BinaryNode): Fn {
    const left = this.compile(node.left);
    const leftType = this.typeOf(node.left);
    const rightType = this.typeOf(node.right);
    const at = node.operatorSpan;
    const operator = node.operator;
    const constantRight = this.constant(node.right)?.value;
    switch (operator) {
      case '==':
      case '!=': {
        const primitive = (type: ExprType) => isNumber(type) || type.kind === 'string' || type.kind === 'bool';
        const strict = primitive(leftType) && primitive(rightType);
        const negated = operator === '!=';
        if (strict && constantRight !== undefined) return negated ? (view) => left(view) !== constantRight : (view) => left(view) === constantRight;
        const right = this.compile(node.right);
        if (strict) return negated ? (view) => left(view) !== right(view) : (view) => left(view) === right(view);
        return negated ? (view) => !equal(left(view), right(view)) : (view) => equal(left(view), right(view));
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const right = this.compile(node.right);
        if (isNumber(leftType) && isNumber(rightType)) {
          if (typeof constantRight === 'number') return numericComparison(operator, left as (view: ExpressionView) => number, constantRight);
          return numericComparison(operator, left as (view: ExpressionView) => number, right as (view: ExpressionView) => number);
        }
        if (leftType.kind === 'string' && rightType.kind === 'string') {
          const sign = { '<': (order: number) => order < 0, '<=': (order: number) => order <= 0, '>': (order: number) => order > 0, '>=': (order: number) => order >= 0 }[operator];
          return (view) => sign(compareStrings(left(view) as string, right(view) as string));
        }
        return (view) => compare(operator, left(view), right(view), at);
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        const right = this.compile(node.right);
        if (isNumber(leftType) && isNumber(rightType)) {
          const l = left as (view: ExpressionView) => number;
          const r = right as (view: ExpressionView) => number;
          switch (operator) {
            case '+': return (view) => l(view) + r(view);
            case '-': return (view) => l(view) - r(view);
            case '*': return (view) => l(view) * r(view);
            case '/': return (view) => l(view) / r(view);
            case '%': return (view) => modulo(l(view), r(view), at);
          }
        }
        if (operator === '+' && leftType.kind === 'string' && rightType.kind === 'string') {
          return (view) => (left(view) as string) + (right(view) as string);
        }
        return (view) => arithmetic(operator, left(view), right(view), at);
      }
      case 'in': {
        const set = Array.isArray(constantRight) ? primitiveSet(constantRight) : undefined;
        if (set) return (view) => set.has(left(view));
        const right = this.compile(node.right);
        if (rightType.kind === 'map' && leftType.kind === 'string') {
          return (view) => (right(view) as ReadonlyMap<string, Value>).has(left(view) as string);
        }
        return (view) => contains(left(view), right(view), at);
      }
      case 'matches': {
        if (typeof constantRight === 'string') {
          const regex = compileRegex(constantRight);
          if (regex.ok) {
            const matcher: Matcher = regex.matcher;
            if (leftType.kind === 'string') return (view) => matcher(left(view) as string);
            return (view) => matcher(text(left(view), '"matches"', node.left));
          }
        }
        const right = this.compile(node.right);
        return (view) => {
          // Both operands are evaluated before either is checked, as in the interpreter.
          const subject = left(view);
          const pattern = right(view);
          const value = text(subject, '"matches"', node.left);
          const regex = compileRegex(text(pattern, '"matches"', node.right));
          if (!regex.ok) throw new ExprFault('expr-regex', regex.message, node.right);
          return regex.matcher(value);
        };
      }
      case 'contains':
      case 'startsWith':
      case 'endsWith': {
        const right = this.compile(node.right);
        const test = operator === 'contains'
          ? (a: string, b: string) => a.includes(b)
          : operator === 'startsWith' ? (a: string, b: string) => a.startsWith(b) : (a: string, b: string) => a.endsWith(b);
        if (leftType.kind === 'string' && rightType.kind === 'string') {
          const l = left as (view: ExpressionView) => string;
          const r = right as (view: ExpressionView) => string;
          if (operator === 'contains') return (view) => l(view).includes(r(view));
          if (operator === 'startsWith') return (view) => l(view).startsWith(r(view));
          return (view) => l(view).endsWith(r(view));
        }
        const what = `"${operator}"`;
        return (view) => {
          const a = left(view);
          const b = right(view);
          return test(text(a, what, node.left), text(b, what, node.right));
        };
      }
    }
  }

  private logical(node: LogicalNode): Fn {
    const operands = node.operands.map((operand) => this.condition(operand, `"${node.operator}"`));
    if (node.operator === 'and') {
      if (operands.length === 2) {
        const [a, b] = operands as [Test, Test];
        return (view) => a(view) && b(view);
      }
      if (operands.length === 3) {
        const [a, b, c] = operands as [Test, Test, Test];
        return (view) => a(view) && b(view) && c(view);
      }
      return (view) => {
        for (let i = 0; i < operands.length; i++) if (!operands[i]!(view)) return false;
        return true;
      };
    }
    if (operands.length === 2) {
      const [a, b] = operands as [Test, Test];
      return (view) => a(view) || b(view);
    }
    if (operands.length === 3) {
      const [a, b, c] = operands as [Test, Test, Test];
      return (view) => a(view) || b(view) || c(view);
    }
    return (view) => {
      for (let i = 0; i < operands.length; i++) if (operands[i]!(view)) return true;
      return false;
    };
  }

  private call(node: CallNode): Fn {
    const definition = FUNCTIONS.get(node.name)!;
    const args = node.args.map((arg) => this.compile(arg));
    const argTypes = node.args.map((arg) => this.typeOf(arg).kind);
    const [first, second] = args;
    switch (node.name) {
      case 'len':
        if (argTypes[0] === 'list') return (view) => (first!(view) as readonly Value[]).length;
        if (argTypes[0] === 'string') return (view) => runeCount(first!(view) as string);
        break;
      case 'hasPrefix':
        if (argTypes[0] === 'string' && argTypes[1] === 'string') return (view) => (first!(view) as string).startsWith(second!(view) as string);
        break;
      case 'hasSuffix':
        if (argTypes[0] === 'string' && argTypes[1] === 'string') return (view) => (first!(view) as string).endsWith(second!(view) as string);
        break;
    }
    if (args.length === 1) {
      return (view) => definition.call([first!(view)], view, node.args);
    }
    return (view) => definition.call(args.map((fn) => fn(view)), view, node.args);
  }

  /** Counts one step per element against the budget. */
  stepper(node: PredicateNode): () => void {
    const frame = this.frame;
    const maxSteps = frame.maxSteps;
    return () => {
      if (++frame.steps > maxSteps) throw budgetFault(maxSteps, node);
    };
  }

  /** The collection of a predicate as a list (checked at run time when its type is not known). */
  items(node: PredicateNode): (view: ExpressionView) => readonly Value[] {
    const collection = this.compile(node.collection!);
    if (this.typeOf(node.collection!).kind === 'list') return collection as (view: ExpressionView) => readonly Value[];
    return (view) => list(collection(view), node.name, node.collection!);
  }

  /** Whether the current element satisfies the predicate (or, for `count(list)`, is true). */
  elementTest(node: PredicateNode): Test {
    if (node.body) return this.condition(node.body, `the predicate of ${node.name}`);
    const { elements } = this.frame;
    const depth = node.depth;
    return () => truth(elements[depth]!, 'count(list)', node.collection!);
  }

  private predicate(node: PredicateNode): Fn {
    const items = this.items(node);
    const step = this.stepper(node);
    const { elements } = this.frame;
    const depth = node.depth;
    if (node.name === 'map') {
      const body = this.compile(node.body!);
      return (view) => {
        const list = items(view);
        const results: Value[] = [];
        for (let i = 0; i < list.length; i++) {
          step();
          elements[depth] = list[i]!;
          results.push(body(view));
        }
        return results;
      };
    }
    const test = this.elementTest(node);
    switch (node.name) {
      case 'all':
      case 'any':
      case 'none': {
        // all stops at the first false, any and none at the first true.
        const stopOn = node.name !== 'all';
        const stoppedResult = node.name === 'any';
        return (view) => {
          const list = items(view);
          for (let i = 0; i < list.length; i++) {
            step();
            elements[depth] = list[i]!;
            if (test(view) === stopOn) return stoppedResult;
          }
          return !stoppedResult;
        };
      }
      case 'filter':
        return (view) => {
          const list = items(view);
          const kept: Value[] = [];
          for (let i = 0; i < list.length; i++) {
            step();
            const item = list[i]!;
            elements[depth] = item;
            if (test(view)) kept.push(item);
          }
          return kept;
        };
      default: {
        const counted = countingLoop(items, test, step, elements, depth);
        return node.name === 'one' ? (view) => counted(view) === 1 : counted;
      }
    }
  }
}

export function countingLoop(
  items: (view: ExpressionView) => readonly Value[],
  test: Test,
  step: () => void,
  elements: Value[],
  depth: number,
): (view: ExpressionView) => number {
  return (view) => {
    const list = items(view);
    let count = 0;
    for (let i = 0; i < list.length; i++) {
      step();
      elements[depth] = list[i]!;
      if (test(view)) count++;
    }
    return count;
  };
}

function numericComparison(
  operator: '<' | '<=' | '>' | '>=',
  left: (view: ExpressionView) => number,
  right: number | ((view: ExpressionView) => number),
): Test {
  if (typeof right === 'number') {
    switch (operator) {
      case '<': return (view) => left(view) < right;
      case '<=': return (view) => left(view) <= right;
      case '>': return (view) => left(view) > right;
      case '>=': return (view) => left(view) >= right;
    }
  }
  switch (operator) {
    case '<': return (view) => left(view) < right(view);
    case '<=': return (view) => left(view) <= right(view);
    case '>': return (view) => left(view) > right(view);
    case '>=': return (view) => left(view) >= right(view);
  }
}

/**
 * A Set with the same answers as `in` over this constant list: only when every element is nil, a
 * bool, a string or a number other than NaN, where Set's SameValueZero is expr-lang's `==`.
 */
function primitiveSet(values: readonly Value[]): Set<Value> | undefined {
  for (const value of values) {
    const primitive = value === null || typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && !Number.isNaN(value));
    if (!primitive) return undefined;
  }
  return new Set(values);
}
