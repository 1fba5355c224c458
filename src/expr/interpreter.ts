import type { ExprNode, PredicateNode } from './ast.js';
import { ExprFault } from './errors.js';
import { FUNCTIONS } from './functions.js';
import { DEFAULT_LIMITS } from './limits.js';
import { compileRegex } from './regex.js';
import { MATCHED, NOT_MATCHED, budgetFault, evaluationFailed, notBool, type EvalResult } from './result.js';
import {
  arithmetic, compare, contains, equal, index, list, member, negate, text, truth, valueTypeName, type StructValue, type Value,
} from './values.js';
import type { ExpressionView } from './view.js';

// The reference evaluator: a plain walk over the tree that checks every value's type as it goes.
// The compiler must give the same answer, error for error; the property test holds it to that.

export interface InterpretOptions {
  /** Predicate iterations allowed (default `DEFAULT_LIMITS.maxSteps`). */
  maxSteps?: number;
}

/** Evaluates a checked tree (a `CompiledExpression`'s `ast`) for one instance. Never throws. */
export function interpret(ast: ExprNode, view: ExpressionView, options: InterpretOptions = {}): EvalResult {
  const walker = new Walker(view, options.maxSteps ?? DEFAULT_LIMITS.maxSteps);
  try {
    const value = walker.evaluate(ast);
    if (typeof value !== 'boolean') return notBool(valueTypeName(value), ast);
    return value ? MATCHED : NOT_MATCHED;
  } catch (error) {
    return evaluationFailed(error, ast);
  }
}

/** The value of a tree that reads nothing from the instance (for constant folding); throws `ExprFault`. */
export function evaluateConstant(node: ExprNode, view: ExpressionView): Value {
  return new Walker(view, DEFAULT_LIMITS.maxSteps).evaluate(node);
}

class Walker {
  private readonly elements: Value[] = [];
  private steps = 0;

  constructor(
    private readonly view: ExpressionView,
    private readonly maxSteps: number,
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
        switch (node.operator) {
          case '==':
            return equal(left, right);
          case '!=':
            return !equal(left, right);
          case '<':
          case '<=':
          case '>':
          case '>=':
            return compare(node.operator, left, right, at);
          case '+':
          case '-':
          case '*':
          case '/':
          case '%':
            return arithmetic(node.operator, left, right, at);
          case 'in':
            return contains(left, right, at);
          case 'matches': {
            const subject = text(left, '"matches"', node.left);
            const regex = compileRegex(text(right, '"matches"', node.right));
            if (!regex.ok) throw new ExprFault('expr-regex', regex.message, node.right);
            return regex.matcher(subject);
          }
          case 'contains':
            return text(left, '"contains"', node.left).includes(text(right, '"contains"', node.right));
          case 'startsWith':
            return text(left, '"startsWith"', node.left).startsWith(text(right, '"startsWith"', node.right));
          case 'endsWith':
            return text(left, '"endsWith"', node.left).endsWith(text(right, '"endsWith"', node.right));
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
        return FUNCTIONS.get(node.name)!.call(node.args.map((arg) => this.evaluate(arg)), this.view, node.args);
      case 'predicate':
        return this.predicate(node);
    }
  }

  private predicate(node: PredicateNode): Value {
    const items = list(this.evaluate(node.collection!), node.name, node.collection!);
    const results: Value[] = [];
    let count = 0;
    for (const item of items) {
      if (++this.steps > this.maxSteps) throw budgetFault(this.maxSteps, node);
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
