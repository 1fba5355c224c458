import type { ExprNode, PredicateNode } from './ast.js';
import { Budget, type Charge } from './budget.js';
import { concatenate, equalityCost, iterationCost, membershipCost, orderCost, regionCost } from './costs.js';
import { ExprFault } from './errors.js';
import { FUNCTIONS } from './functions.js';
import { resolveLimits, type ExprLimits } from './limits.js';
import { matchText } from './regex.js';
import { MATCHED, NOT_MATCHED, evaluationFailed, notBool, type EvalResult } from './result.js';
import {
  arithmetic, compare, contains, equal, index, list, member, negate, text, truth, valueTypeName, type StructValue, type Value,
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

class Walker {
  private readonly elements: Value[] = [];

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
      case 'field': {
        const view = this.view as unknown as StructValue;
        if (!Object.hasOwn(view, node.name)) throw new ExprFault('expr-unknown-field', `unknown field "${node.name}"`, node);
        return view[node.name]!;
      }
      case 'pointer':
        return this.elements[node.depth]!;
      case 'member':
        return member(this.evaluate(node.object), node.name, node.nameSpan);
      case 'index':
        return index(this.evaluate(node.object), this.evaluate(node.index), node);
      case 'unary': {
        const operand = this.evaluate(node.operand);
        return node.operator === 'not' ? !truth(operand, '"not"', node.operand) : negate(node.operator, operand, node.operand);
      }
      case 'binary': {
        const left = this.evaluate(node.left);
        const right = this.evaluate(node.right);
        const at = node.operatorSpan;
        const budget = this.budget;
        switch (node.operator) {
          case '==':
            budget.charge(equalityCost(left, right), node);
            return equal(left, right);
          case '!=':
            budget.charge(equalityCost(left, right), node);
            return !equal(left, right);
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
            if (node.operator === '+') concatenate(budget, left, right, node);
            return arithmetic(node.operator, left, right, at);
          case 'in':
            budget.charge(membershipCost(left, right), node);
            return contains(left, right, at);
          case 'matches':
            return matchText(text(left, '"matches"', node.left), text(right, '"matches"', node.right), budget, node, node.right);
          case 'contains': {
            const [a, b] = [text(left, '"contains"', node.left), text(right, '"contains"', node.right)];
            budget.charge(a.length + b.length, node);
            return a.includes(b);
          }
          case 'startsWith': {
            const [a, b] = [text(left, '"startsWith"', node.left), text(right, '"startsWith"', node.right)];
            budget.charge(Math.min(a.length, b.length), node);
            return a.startsWith(b);
          }
          case 'endsWith': {
            const [a, b] = [text(left, '"endsWith"', node.left), text(right, '"endsWith"', node.right)];
            budget.charge(Math.min(a.length, b.length), node);
            return a.endsWith(b);
          }
        }
        break;
      }
      case 'logical': {
        const stopAt = node.operator === 'or';
        for (const operand of node.operands) {
          if (truth(this.evaluate(operand), `"${node.operator}"`, operand) === stopAt) return stopAt;
        }
        return !stopAt;
      }
      case 'conditional':
        return truth(this.evaluate(node.test), 'the condition before "?"', node.test)
          ? this.evaluate(node.consequent)
          : this.evaluate(node.alternate);
      case 'call':
        return FUNCTIONS.get(node.name)!.call(node.args.map((arg) => this.evaluate(arg)), this.view, node.args, this.budget, node);
      case 'predicate':
        return this.predicate(node);
    }
  }

  private predicate(node: PredicateNode): Value {
    const items = list(this.evaluate(node.collection!), node.name, node.collection!);
    const iteration = iterationCost(node);
    const budget = this.budget;
    if (node.name === 'filter' || node.name === 'map') budget.allocate(items.length, node);
    const results: Value[] = [];
    let count = 0;
    for (const item of items) {
      budget.charge(iteration.work, node);
      budget.allocate(iteration.allocation, node);
      this.elements[node.depth] = item;
      if (node.name === 'map') {
        results.push(this.evaluate(node.body!));
        continue;
      }
      const holds = node.body ? truth(this.evaluate(node.body), `the predicate of ${node.name}`, node.body) : truth(item, 'count(list)', node.collection!);
      if (holds) {
        if (node.name === 'any') return true;
        if (node.name === 'none') return false;
        if (node.name === 'filter') results.push(item);
        count++;
      } else if (node.name === 'all') {
        return false;
      }
    }
    switch (node.name) {
      case 'all':
      case 'none':
        return true;
      case 'any':
        return false;
      case 'one':
        return count === 1;
      case 'count':
        return count;
      default:
        return results;
    }
  }
}
