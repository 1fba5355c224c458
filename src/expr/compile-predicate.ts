import type { PredicateNode } from './ast.js';
import type { Compiler, Fn, Test } from './compiler.js';
import { iterationCost } from './costs.js';
import { ExprFault } from './errors.js';
import { checkOrder, groupInto, sortByKeys, sumValues } from './operations.js';
import { AnyMap, list, truth, type Value } from './values.js';
import type { ExpressionView } from './view.js';

// Predicates as loops over the list, with the element (and, for map and reduce, its position and
// the accumulator) in the compiler's frame for `#`, charging each iteration (and the lists
// filter, map and sortBy build) as the interpreter does.

/** Charges one iteration: one unit and the body's region. */
export function predicateStep(node: PredicateNode, compiler: Compiler): () => void {
  const budget = compiler.frame.budget;
  const { work, allocation } = iterationCost(node);
  if (allocation === 0) return () => budget.charge(work, node);
  return () => {
    budget.charge(work, node);
    budget.allocate(allocation, node);
  };
}

/** Charges the list that filter and map build, one element per element of their collection, before they build it. */
export function resultAllocation(node: PredicateNode, compiler: Compiler): (items: readonly Value[]) => void {
  const budget = compiler.frame.budget;
  return (items) => budget.allocate(items.length, node);
}

/** The collection of a predicate as a list (checked at run time when its type is not known). */
export function predicateItems(node: PredicateNode, compiler: Compiler): (view: ExpressionView) => readonly Value[] {
  const collection = compiler.compile(node.collection!);
  if (compiler.typeOf(node.collection!).kind === 'list') return collection as (view: ExpressionView) => readonly Value[];
  return (view) => list(collection(view), node.name, node.collection!);
}

/** Whether the current element satisfies the predicate (or, for `count(list)`, is true). */
export function predicateTest(node: PredicateNode, compiler: Compiler): Test {
  if (node.body) return compiler.condition(node.body, `the predicate of ${node.name}`);
  const { elements } = compiler.frame;
  const depth = node.depth;
  return () => truth(elements[depth]!, `${node.name}(list)`, node.collection!);
}

export function compilePredicate(node: PredicateNode, compiler: Compiler): Fn {
  const items = predicateItems(node, compiler);
  const step = predicateStep(node, compiler);
  const { elements, indexes } = compiler.frame;
  const depth = node.depth;
  if (node.extra.length > 0 || ['sum', 'find', 'findIndex', 'findLast', 'findLastIndex', 'groupBy', 'sortBy', 'reduce'].includes(node.name)) {
    return compileBuilding(node, compiler, items, step);
  }
  if (node.name === 'map') {
    const body = compiler.compile(node.body!);
    const allocate = resultAllocation(node, compiler);
    return (view) => {
      const values = items(view);
      allocate(values);
      const results: Value[] = [];
      for (let i = 0; i < values.length; i++) {
        step();
        elements[depth] = values[i]!;
        indexes[depth] = i;
        results.push(body(view));
      }
      return results;
    };
  }
  const test = predicateTest(node, compiler);
  switch (node.name) {
    case 'all':
    case 'any':
    case 'none': {
      // all stops at the first false, any and none at the first true.
      const stopOn = node.name !== 'all';
      const stoppedResult = node.name === 'any';
      return (view) => {
        const values = items(view);
        for (let i = 0; i < values.length; i++) {
          step();
          elements[depth] = values[i]!;
          if (test(view) === stopOn) return stoppedResult;
        }
        return !stoppedResult;
      };
    }
    case 'filter': {
      const allocate = resultAllocation(node, compiler);
      return (view) => {
        const values = items(view);
        allocate(values);
        const kept: Value[] = [];
        for (let i = 0; i < values.length; i++) {
          step();
          const item = values[i]!;
          elements[depth] = item;
          if (test(view)) kept.push(item);
        }
        return kept;
      };
    }
    default: {
      const counted = countingLoop(items, test, step, elements, depth);
      return node.name === 'one' ? (view) => counted(view) === 1 : counted;
    }
  }
}

export function countingLoop(
  items: (view: ExpressionView) => readonly Value[],
  test: Test,
  step: () => void,
  elements: Value[],
  depth: number,
  before?: (items: readonly Value[]) => void,
): (view: ExpressionView) => number {
  return (view) => {
    const values = items(view);
    before?.(values);
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      step();
      elements[depth] = values[i]!;
      if (test(view)) count++;
    }
    return count;
  };
}

/** sum, find, findIndex, findLast, findLastIndex, groupBy, sortBy and reduce, as the interpreter runs them. */
function compileBuilding(node: PredicateNode, compiler: Compiler, items: (view: ExpressionView) => readonly Value[], step: () => void): Fn {
  const { elements, indexes, accumulators, budget } = compiler.frame;
  const depth = node.depth;
  const extra = node.extra.map((argument) => compiler.compile(argument));
  const body = node.body ? compiler.compile(node.body) : undefined;
  const test = ['find', 'findIndex', 'findLast', 'findLastIndex'].includes(node.name) ? predicateTest(node, compiler) : undefined;
  const backwards = node.name === 'findLast' || node.name === 'findLastIndex';
  return (view) => {
    const values = items(view);
    const arguments_ = extra.map((argument) => argument(view));
    if (node.name === 'sortBy') budget.allocate(values.length, node);
    switch (node.name) {
      case 'sum': {
        let total: Value = 0;
        for (let i = 0; i < values.length; i++) {
          step();
          elements[depth] = values[i]!;
          total = sumValues(body ? body(view) : values[i]!, total, node);
        }
        return total;
      }
      case 'find':
      case 'findIndex':
      case 'findLast':
      case 'findLastIndex':
        for (let n = 0; n < values.length; n++) {
          const i = backwards ? values.length - 1 - n : n;
          step();
          elements[depth] = values[i]!;
          if (test!(view)) return node.name === 'find' || node.name === 'findLast' ? values[i]! : i;
        }
        return null;
      case 'groupBy': {
        const groups = new AnyMap();
        for (let i = 0; i < values.length; i++) {
          step();
          elements[depth] = values[i]!;
          groupInto(groups, body!(view), values[i]!, budget, node);
        }
        return groups;
      }
      case 'sortBy': {
        const descending = checkOrder(arguments_[0], node.extra[0] ?? node);
        const keys: Value[] = [];
        for (let i = 0; i < values.length; i++) {
          step();
          elements[depth] = values[i]!;
          keys.push(body!(view));
        }
        return sortByKeys(values, keys, descending, node);
      }
      case 'reduce': {
        let start = 0;
        if (arguments_.length > 0) accumulators[depth] = arguments_[0]!;
        else if (values.length > 0) {
          accumulators[depth] = values[0]!;
          start = 1;
        } else {
          throw new ExprFault('expr-index', 'reduce of an empty list needs an initial value', node);
        }
        for (let i = start; i < values.length; i++) {
          step();
          elements[depth] = values[i]!;
          indexes[depth] = i;
          accumulators[depth] = body!(view);
        }
        return accumulators[depth]!;
      }
      default:
        throw new Error(`${node.name} is not a building predicate`);
    }
  };
}
