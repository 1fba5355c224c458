import { structReader, viewReader } from './accessors.js';
import type { CallNode, ExprNode, IndexNode, LogicalNode, MemberNode } from './ast.js';
import { Budget, type Charge } from './budget.js';
import { compileBinary } from './compile-binary.js';
import { compilePredicate } from './compile-predicate.js';
import { regionCost } from './costs.js';
import { ExprFault } from './errors.js';
import { specialize } from './fast-paths.js';
import { FUNCTIONS } from './functions.js';
import { evaluateConstant } from './interpreter.js';
import type { ExprLimits } from './limits.js';
import { MATCHED, NOT_MATCHED, evaluationFailed, notBool, type EvalResult } from './result.js';
import { ANY, isNumber, type ExprType } from './types.js';
import { element, index, member, negate, runeCount, truth, valueTypeName, type StructValue, type Value } from './values.js';
import type { ExpressionView } from './view.js';

// Compiles a checked tree into nested closures, once per expression. Where the checker proved a
// type, the closure skips the run-time check (a `cpus >= 4` is `view.cpus >= 4`); where a type is
// only known at run time it uses the same checked operations as the interpreter. Evaluation order,
// short-circuiting, errors and every charge to the budget match the interpreter exactly: a closure
// that skips building a value (a fast path, a folded constant) still charges what building it costs.

export type Fn = (view: ExpressionView) => Value;
export type Test = (view: ExpressionView) => boolean;

/** Per-expression mutable state, allocated once: predicate elements by depth and the budget. */
export interface Frame {
  readonly elements: Value[];
  readonly budget: Budget;
}

/** A subtree's value computed at compile time, and the charges computing it made (replayed at run time). */
export interface Constant {
  readonly value: Value;
  readonly charges: readonly Charge[];
}

export type Evaluator = (view: ExpressionView) => EvalResult;

export function compileTree(root: ExprNode, types: ReadonlyMap<ExprNode, ExprType>, limits: ExprLimits): Evaluator {
  const compiler = new Compiler(types, limits);
  const budget = compiler.frame.budget;
  const { work, allocation } = regionCost(root);
  if (compiler.typeOf(root).kind === 'bool') {
    const test = compiler.compile(root) as Test;
    return (view) => {
      try {
        budget.begin(work, allocation, root);
        return test(view) ? MATCHED : NOT_MATCHED;
      } catch (error) {
        return evaluationFailed(error, root, limits);
      }
    };
  }
  const evaluate = compiler.compile(root);
  return (view) => {
    try {
      budget.begin(work, allocation, root);
      const value = evaluate(view);
      if (typeof value !== 'boolean') return notBool(valueTypeName(value), root);
      return value ? MATCHED : NOT_MATCHED;
    } catch (error) {
      return evaluationFailed(error, root, limits);
    }
  };
}

const NO_VIEW = Object.freeze({}) as ExpressionView;

export class Compiler {
  readonly frame: Frame;
  private readonly constants = new Map<ExprNode, boolean>();

  constructor(
    private readonly types: ReadonlyMap<ExprNode, ExprType>,
    readonly limits: ExprLimits,
  ) {
    this.frame = { elements: [], budget: new Budget(limits) };
  }

  typeOf(node: ExprNode): ExprType {
    return this.types.get(node) ?? ANY;
  }

  compile(node: ExprNode): Fn {
    const folded = this.constant(node);
    if (folded !== undefined) {
      const { value, charges } = folded;
      if (charges.length === 0) return () => value;
      const budget = this.frame.budget;
      return () => {
        budget.replay(charges);
        return value;
      };
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
  constant(node: ExprNode): Constant | undefined {
    if (!this.isConstant(node)) return undefined;
    try {
      return evaluateConstant(node, NO_VIEW, this.limits);
    } catch (error) {
      // It fails at run time too, with this same error (or budget), in both evaluators.
      if (error instanceof ExprFault) return undefined;
      throw error;
    }
  }

  /**
   * The value of a constant that costs nothing at run time beyond its region's operators: a
   * closure specialised on it may skip evaluating it. Undefined otherwise.
   */
  freeConstant(node: ExprNode): Value | undefined {
    const folded = this.constant(node);
    return folded && folded.charges.length === 0 ? folded.value : undefined;
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
        return compileBinary(node, this);
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
        return compilePredicate(node, this);
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
    const key = this.freeConstant(node.index);
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
    const budget = this.frame.budget;
    switch (node.name) {
      case 'len':
        if (argTypes[0] === 'list') return (view) => (first!(view) as readonly Value[]).length;
        if (argTypes[0] === 'string') {
          return (view) => {
            const text = first!(view) as string;
            budget.charge(text.length, node);
            return runeCount(text);
          };
        }
        break;
      case 'hasPrefix':
        if (argTypes[0] === 'string' && argTypes[1] === 'string') {
          return (view) => {
            const text = first!(view) as string;
            const prefix = second!(view) as string;
            budget.charge(Math.min(text.length, prefix.length), node);
            return text.startsWith(prefix);
          };
        }
        break;
      case 'hasSuffix':
        if (argTypes[0] === 'string' && argTypes[1] === 'string') {
          return (view) => {
            const text = first!(view) as string;
            const suffix = second!(view) as string;
            budget.charge(Math.min(text.length, suffix.length), node);
            return text.endsWith(suffix);
          };
        }
        break;
    }
    if (args.length === 1) {
      return (view) => definition.call([first!(view)], view, node.args, budget, node);
    }
    return (view) => definition.call(args.map((fn) => fn(view)), view, node.args, budget, node);
  }
}
