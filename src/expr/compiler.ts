import { structReader, viewReader } from './accessors.js';
import type { CallNode, ExprNode, IndexNode, LogicalNode, MemberNode, MethodNode } from './ast.js';
import { Budget, type Charge } from './budget.js';
import { compileBinary } from './compile-binary.js';
import { compilePredicate } from './compile-predicate.js';
import { regionCost } from './costs.js';
import { ExprFault } from './errors.js';
import { specialize } from './fast-paths.js';
import { FUNCTIONS } from './functions.js';
import * as int64 from './int64.js';
import { evaluateConstant } from './interpreter.js';
import type { ExprLimits } from './limits.js';
import { ChainBreak } from './operations.js';
import { MATCHED, NOT_MATCHED, evaluationFailed, notBool, outOfStackResult, type EvalResult } from './result.js';
import { callMethod, checkMethodArgument, methodOf, receiverOf } from './time-methods.js';
import { ANY, type ExprType } from './types.js';
import {
  AnyMap, element, index, member, negate, runeCount, slice, text, truth, valueTypeName, type StructValue, type Value,
} from './values.js';
import type { ExpressionView } from './view.js';

// Compiles a checked tree into nested closures, once per expression. Where the checker proved a
// type, the closure skips the run-time check (a `cpus >= 4` is `view.cpus >= 4`); where a type is
// only known at run time it uses the same checked operations as the interpreter. Evaluation order,
// short-circuiting, errors and every charge to the budget match the interpreter exactly: a closure
// that skips building a value (a fast path, a folded constant) still charges what building it costs.

export type Fn = (view: ExpressionView) => Value;
export type Test = (view: ExpressionView) => boolean;

/**
 * Per-expression mutable state, allocated once: by predicate depth, the current element, its
 * position (`#index`) and reduce's accumulator (`#acc`); `let` variables by slot; the budget.
 */
export interface Frame {
  readonly elements: Value[];
  readonly indexes: number[];
  readonly accumulators: Value[];
  readonly variables: Value[];
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
  const outOfStack = outOfStackResult(root, limits);
  if (compiler.typeOf(root).kind === 'bool') {
    const test = compiler.compile(root) as Test;
    return (view) => {
      try {
        budget.begin(work, allocation, root);
        return test(view) ? MATCHED : NOT_MATCHED;
      } catch (error) {
        return evaluationFailed(error, root, limits, outOfStack);
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
      return evaluationFailed(error, root, limits, outOfStack);
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
    this.frame = { elements: [], indexes: [], accumulators: [], variables: [], budget: new Budget(limits) };
  }

  /** The type the closures may rely on: a type that may also be nil at run time is not one. */
  typeOf(node: ExprNode): ExprType {
    const type: ExprType = this.types.get(node) ?? ANY;
    return type.nullable ? ANY : type;
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
      case 'map':
        return node.entries.every((entry) => this.isConstant(entry.key) && this.isConstant(entry.value));
      case 'call':
        return FUNCTIONS.get(node.name)!.reads.length === 0 && node.args.every((arg) => this.isConstant(arg));
      case 'method':
        return this.isConstant(node.object) && node.args.every((arg) => this.isConstant(arg));
      case 'member':
      case 'chain':
        return this.isConstant(node.kind === 'member' ? node.object : node.expression);
      case 'index':
        return this.isConstant(node.object) && this.isConstant(node.index);
      case 'slice':
        return [node.object, node.from, node.to].every((part) => part === undefined || this.isConstant(part));
      case 'sequence':
        return node.expressions.every((expression) => this.isConstant(expression));
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
      case 'map': {
        const entries = node.entries.map((entry) => ({ key: this.compile(entry.key), value: this.compile(entry.value), at: entry.key }));
        return (view) => {
          const map = new AnyMap();
          map.stringKeys = true;
          for (const entry of entries) {
            const key = text(entry.key(view), 'a map key', entry.at);
            map.set(key, entry.value(view));
          }
          return map;
        };
      }
      case 'field':
        return viewReader(node.name);
      case 'env':
        return (view) => view as unknown as StructValue;
      case 'variable': {
        const { variables } = this.frame;
        const slot = node.slot;
        return () => variables[slot]!;
      }
      case 'pointer': {
        const { elements, indexes, accumulators } = this.frame;
        const depth = node.depth;
        if (node.name === 'index') return () => indexes[depth]!;
        if (node.name === 'acc') return () => accumulators[depth]!;
        return () => elements[depth]!;
      }
      case 'member':
        return this.member(node);
      case 'index':
        return this.index(node);
      case 'slice': {
        const object = this.compile(node.object);
        const to = node.to && this.compile(node.to);
        const from = node.from && this.compile(node.from);
        return (view) => {
          const value = object(view);
          const end = to?.(view);
          return slice(value, from?.(view), end, node);
        };
      }
      case 'chain': {
        const expression = this.compile(node.expression);
        return (view) => {
          try {
            return expression(view);
          } catch (error) {
            if (error === ChainBreak) return null;
            throw error;
          }
        };
      }
      case 'unary': {
        if (node.operator === 'not') {
          const operand = this.condition(node.operand, '"not"');
          return (view) => !operand(view);
        }
        const operand = this.compile(node.operand);
        if (this.typeOf(node.operand).kind === 'int') return node.operator === '-' ? (view) => int64.negate(operand(view) as int64.Int) : operand;
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
      case 'method':
        return this.method(node);
      case 'predicate':
        return compilePredicate(node, this);
      case 'let': {
        const value = this.compile(node.value);
        const body = this.compile(node.body);
        const { variables } = this.frame;
        const slot = node.slot;
        return (view) => {
          variables[slot] = value(view);
          return body(view);
        };
      }
      case 'sequence': {
        const expressions = node.expressions.map((expression) => this.compile(expression));
        return (view) => {
          let last: Value = null;
          for (const expression of expressions) last = expression(view);
          return last;
        };
      }
    }
  }

  private method(node: MethodNode): Fn {
    const object = this.compile(node.object);
    const args = node.args.map((arg) => this.compile(arg));
    const budget = this.frame.budget;
    const receiver = receiverOf(this.typeOf(node.object));
    const definition = receiver && methodOf(receiver, node.name);
    if (definition) {
      return (view) => {
        const target = object(view);
        const values = args.map((arg) => arg(view));
        values.forEach((value, i) => checkMethodArgument(definition, value, i, node.args[i]!));
        return definition.call(target, values, node.args, budget, node);
      };
    }
    return (view) => {
      const target = object(view);
      return callMethod(target, node.name, args.map((arg) => arg(view)), node.args, budget, node, node.nameSpan);
    };
  }

  private member(node: MemberNode): Fn {
    const object = this.compile(node.object);
    const name = node.name;
    if (node.optional) {
      return (view) => {
        const value = object(view);
        if (value === null) throw ChainBreak;
        return member(value, name, node.nameSpan);
      };
    }
    const objectType = this.typeOf(node.object);
    switch (objectType.kind) {
      case 'object': {
        const read = structReader(objectType.name, name);
        if (read) return (view) => read(object(view) as StructValue);
        return (view) => (object(view) as StructValue)[name]!;
      }
      case 'map': {
        const missing: Value = objectType.value.kind === 'string' ? '' : null;
        return (view) => (object(view) as ReadonlyMap<string, Value>).get(name) ?? missing;
      }
      default:
        return (view) => member(object(view), name, node.nameSpan);
    }
  }

  private index(node: IndexNode): Fn {
    const object = this.compile(node.object);
    if (node.optional) {
      const key = this.compile(node.index);
      return (view) => {
        const value = object(view);
        if (value === null) throw ChainBreak;
        return index(value, key(view), node);
      };
    }
    const objectType = this.typeOf(node.object).kind;
    const key = this.freeConstant(node.index);
    if (objectType === 'list' && typeof key === 'number') {
      return (view) => {
        const items = object(view) as readonly Value[];
        const position = key < 0 ? key + items.length : key;
        return position >= 0 && position < items.length ? items[position]! : element(items, key, node);
      };
    }
    const staticType = this.typeOf(node.object);
    if (staticType.kind === 'map' && typeof key === 'string') {
      // A missing key reads as the map's zero value: '' in config (map[string]string), nil in the others.
      const missing: Value = staticType.value.kind === 'string' ? '' : null;
      return (view) => (object(view) as ReadonlyMap<string, Value>).get(key) ?? missing;
    }
    if (objectType === 'object' && typeof key === 'string') return (view) => member(object(view), key, node);
    const indexFn = this.compile(node.index);
    if (objectType === 'list' && this.typeOf(node.index).kind === 'int') {
      return (view) => element(object(view) as readonly Value[], Number(indexFn(view) as int64.Int), node);
    }
    return (view) => index(object(view), indexFn(view), node);
  }

  private logical(node: LogicalNode): Fn {
    const last = node.operands[node.operands.length - 1]!;
    if (this.typeOf(last).kind !== 'bool') {
      // Like expr-lang's jumps: every operand but the last must be a bool; the last is the result.
      const leading = node.operands.slice(0, -1).map((operand) => this.condition(operand, `"${node.operator}"`));
      const final = this.compile(last);
      const stopAt = node.operator === 'or';
      return (view) => {
        for (let i = 0; i < leading.length; i++) if (leading[i]!(view) === stopAt) return stopAt;
        return final(view);
      };
    }
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
        if (argTypes[0] === 'map') return (view) => (first!(view) as ReadonlyMap<string, Value>).size;
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
