import type { ExprNode, MethodNode, PredicateNode } from './ast.js';
import { Budget, type Charge } from './budget.js';
import { concatenate, equalityCost, iterationCost, membershipCost, orderCost, rangeCost, regionCost } from './costs.js';
import { ExprFault } from './errors.js';
import { equalityMode, inStringLiterals, nilInDirectEquality, stringLookupNeedle } from './fold.js';
import { FUNCTIONS } from './functions.js';
import { resolveLimits, type ExprLimits } from './limits.js';
import { ChainBreak, checkOrder, groupInto, makeRange, sortByKeys, stringTest, sumValues } from './operations.js';
import { matchText } from './regex.js';
import { MATCHED, NOT_MATCHED, evaluationFailed, notBool, type EvalResult } from './result.js';
import { callMethod } from './time-methods.js';
import {
  AnyMap, arithmetic, compare, contains, equal, index, list, member, negate, slice, text, truth, valueTypeName,
  type StructValue, type Value,
} from './values.js';
import type { ExpressionView } from './view.js';

// The reference evaluator: a plain walk over the tree that checks every value's type as it goes.
// The compiler must give the same answer, error for error and charge for charge; the property
// test holds it to that.

export interface InterpretOptions {
  /** Overrides of `DEFAULT_LIMITS` (the budgets of the evaluation, and the host's clock `now`). */
  limits?: Partial<ExprLimits>;
}

/** Evaluates a checked tree (a `CompiledExpression`'s `ast`) for one instance. Never throws. */
export function interpret(ast: ExprNode, view: ExpressionView, options: InterpretOptions = {}): EvalResult {
  const limits = resolveLimits(options.limits);
  const budget = new Budget(limits);
  try {
    const root = regionCost(ast);
    budget.begin(root.work, root.allocation, ast);
    const value = new Walker(view, budget).evaluate(ast);
    if (typeof value !== 'boolean') return notBool(valueTypeName(value), ast);
    return value ? MATCHED : NOT_MATCHED;
  } catch (error) {
    return evaluationFailed(error, ast, limits);
  }
}

/**
 * The value of a tree that reads nothing from the instance (for constant folding), and the
 * charges evaluating it made, in order; throws `ExprFault`, `expr-budget` included.
 */
export function evaluateConstant(node: ExprNode, view: ExpressionView, limits: ExprLimits): { value: Value; charges: readonly Charge[] } {
  const charges: Charge[] = [];
  const value = new Walker(view, new Budget(limits, charges)).evaluate(node);
  return { value, charges };
}

/** A predicate scope: the element, its position and reduce's accumulator. */
interface Scope {
  element: Value;
  index: number;
  acc: Value;
}

class Walker {
  private readonly scopes: Scope[] = [];
  private readonly variables: Value[] = [];

  constructor(
    private readonly view: ExpressionView,
    private readonly budget: Budget,
  ) {}

  evaluate(node: ExprNode): Value {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'array':
        return node.elements.map((element) => this.evaluate(element));
      case 'map': {
        const map = new AnyMap();
        map.stringKeys = true;
        for (const entry of node.entries) {
          const key = this.evaluate(entry.key);
          map.set(text(key, 'a map key', entry.key), this.evaluate(entry.value));
        }
        return map;
      }
      case 'field': {
        const view = this.view as unknown as StructValue;
        if (!Object.hasOwn(view, node.name)) throw new ExprFault('expr-unknown-field', `unknown field "${node.name}"`, node);
        return view[node.name]!;
      }
      case 'env':
        return this.view as unknown as StructValue;
      case 'variable':
        return this.variables[node.slot]!;
      case 'pointer': {
        const scope = this.scopes[node.depth]!;
        return node.name === 'index' ? scope.index : node.name === 'acc' ? scope.acc : scope.element;
      }
      case 'member': {
        const object = this.evaluate(node.object);
        if (node.optional && object === null) throw ChainBreak;
        return member(object, node.name, node.nameSpan);
      }
      case 'index': {
        const object = this.evaluate(node.object);
        if (node.optional && object === null) throw ChainBreak;
        return index(object, this.evaluate(node.index), node);
      }
      case 'slice': {
        const object = this.evaluate(node.object);
        const to = node.to ? this.evaluate(node.to) : undefined;
        const from = node.from ? this.evaluate(node.from) : undefined;
        return slice(object, from, to, node);
      }
      case 'chain':
        try {
          return this.evaluate(node.expression);
        } catch (error) {
          if (error === ChainBreak) return null;
          throw error;
        }
      case 'unary': {
        const operand = this.evaluate(node.operand);
        return node.operator === 'not' ? !truth(operand, '"not"', node.operand) : negate(node.operator, operand, node.operand);
      }
      case 'binary':
        return this.binary(node);
      case 'logical': {
        // Like expr-lang's jumps, every operand but the last must be a bool; the last is the result.
        const stopAt = node.operator === 'or';
        const last = node.operands.length - 1;
        for (let i = 0; i < last; i++) {
          const operand = node.operands[i]!;
          if (truth(this.evaluate(operand), `"${node.operator}"`, operand) === stopAt) return stopAt;
        }
        return this.evaluate(node.operands[last]!);
      }
      case 'conditional':
        return truth(this.evaluate(node.test), 'the condition before "?"', node.test)
          ? this.evaluate(node.consequent)
          : this.evaluate(node.alternate);
      case 'call':
        return FUNCTIONS.get(node.name)!.call(node.args.map((arg) => this.evaluate(arg)), this.view, node.args, this.budget, node);
      case 'method':
        return this.method(node);
      case 'predicate':
        return this.predicate(node);
      case 'let':
        this.variables[node.slot] = this.evaluate(node.value);
        return this.evaluate(node.body);
      case 'sequence': {
        let last: Value = null;
        for (const expression of node.expressions) last = this.evaluate(expression);
        return last;
      }
    }
  }

  private binary(node: Extract<ExprNode, { kind: 'binary' }>): Value {
    const budget = this.budget;
    if (node.operator === '??') {
      const left = this.evaluate(node.left);
      return left !== null ? left : this.evaluate(node.right);
    }
    const left = this.evaluate(node.left);
    const right = this.evaluate(node.right);
    const at = node.operatorSpan;
    switch (node.operator) {
      case '==':
      case '!=': {
        const mode = equalityMode(node);
        if (mode && (left === null || right === null)) throw nilInDirectEquality(mode, at);
        budget.charge(equalityCost(left, right), node);
        return equal(left, right) !== (node.operator === '!=');
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        budget.charge(orderCost(left, right), node);
        return compare(node.operator, left, right, at);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '**':
        if (node.operator === '+') concatenate(budget, left, right, node);
        return arithmetic(node.operator, left, right, at);
      case 'in': {
        const needle = inStringLiterals(node) ? stringLookupNeedle(left, at) : left;
        budget.charge(membershipCost(needle, right), node);
        return contains(needle, right, at);
      }
      case '..':
        rangeCost(budget, left, right, node);
        return makeRange(left, right, node);
      case 'matches':
        // expr-lang: nil on either side does not match.
        if (left === null || right === null) return false;
        return matchText(text(left, '"matches"', node.left), text(right, '"matches"', node.right), budget, node, node.right);
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        return stringTest(node.operator, left, right, budget, node);
    }
  }

  private method(node: MethodNode): Value {
    const object = this.evaluate(node.object);
    const args = node.args.map((arg) => this.evaluate(arg));
    return callMethod(object, node.name, args, node.args, this.budget, node, node.nameSpan);
  }

  private predicate(node: PredicateNode): Value {
    const items = list(this.evaluate(node.collection!), node.name, node.collection!);
    const extra = node.extra.map((argument) => this.evaluate(argument));
    const iteration = iterationCost(node);
    const budget = this.budget;
    const name = node.name;
    if (name === 'filter' || name === 'map' || name === 'sortBy') budget.allocate(items.length, node);
    const scope: Scope = { element: null, index: 0, acc: null };
    this.scopes[node.depth] = scope;
    const backwards = name === 'findLast' || name === 'findLastIndex';
    const results: Value[] = [];
    const keys: Value[] = [];
    let count = 0;
    let start = 0;
    if (name === 'reduce') {
      if (extra.length > 0) scope.acc = extra[0]!;
      else if (items.length > 0) {
        scope.acc = items[0]!;
        start = 1;
      } else {
        throw new ExprFault('expr-index', 'reduce of an empty list needs an initial value', node);
      }
    }
    const groups = name === 'groupBy' ? new AnyMap() : undefined;
    const descending = name === 'sortBy' ? checkOrder(extra[0], node.extra[0] ?? node) : false;
    for (let step = start; step < items.length; step++) {
      const position = backwards ? items.length - 1 - step : step;
      const item = items[position]!;
      budget.charge(iteration.work, node);
      budget.allocate(iteration.allocation, node);
      scope.element = item;
      scope.index = position;
      switch (name) {
        case 'map':
          results.push(this.evaluate(node.body!));
          continue;
        case 'sum':
          scope.acc = sumValues(node.body ? this.evaluate(node.body) : item, scope.acc ?? 0, node);
          continue;
        case 'groupBy':
          groupInto(groups!, this.evaluate(node.body!), item, budget, node);
          continue;
        case 'sortBy':
          keys.push(this.evaluate(node.body!));
          results.push(item);
          continue;
        case 'reduce':
          scope.acc = this.evaluate(node.body!);
          continue;
        default:
          break;
      }
      const holds = node.body ? truth(this.evaluate(node.body), `the predicate of ${name}`, node.body) : truth(item, `${name}(list)`, node.collection!);
      if (holds) {
        switch (name) {
          case 'any':
            return true;
          case 'none':
            return false;
          case 'find':
          case 'findLast':
            return item;
          case 'findIndex':
          case 'findLastIndex':
            return position;
          case 'filter':
            results.push(item);
            break;
        }
        count++;
      } else if (name === 'all') {
        return false;
      }
    }
    switch (name) {
      case 'all':
      case 'none':
        return true;
      case 'any':
        return false;
      case 'one':
        return count === 1;
      case 'count':
        return count;
      case 'find':
      case 'findLast':
      case 'findIndex':
      case 'findLastIndex':
        return null;
      case 'sum':
        return scope.acc ?? 0;
      case 'reduce':
        return scope.acc;
      case 'groupBy':
        return groups!;
      case 'sortBy':
        return sortByKeys(results, keys, descending, node);
      default:
        return results;
    }
  }
}

