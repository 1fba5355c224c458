import type { BinaryNode } from './ast.js';
import type { Compiler, Fn, Test } from './compiler.js';
import { concatenate, equalityCost, membershipCost, orderCost, rangeCost, regexCost } from './costs.js';
import { ExprFault } from './errors.js';
import { equalityMode, inStringLiterals, nilInDirectEquality, stringLookupNeedle } from './fold.js';
import * as int64 from './int64.js';
import { makeRange, stringTest } from './operations.js';
import { compileRegex, matchText, patternSize, tooBigMessage, type Matcher } from './regex.js';
import type { ExprType } from './types.js';
import { arithmetic, compare, compareStrings, contains, equal, modulo, text, type Value } from './values.js';
import type { ExpressionView } from './view.js';

type IntFn = (view: ExpressionView) => int64.Int;

// Binary operators, specialised by the operand types the checker proved; otherwise the checked
// operations of values.ts, exactly as the interpreter applies them (both operands first), with
// the same charges (costs.ts) at the same points.

export function compileBinary(node: BinaryNode, compiler: Compiler): Fn {
  if (node.operator === '??') {
    const left = compiler.compile(node.left);
    const right = compiler.compile(node.right);
    return (view) => {
      const value = left(view);
      return value !== null ? value : right(view);
    };
  }
  const left = compiler.compile(node.left);
  const leftType = compiler.typeOf(node.left);
  const rightType = compiler.typeOf(node.right);
  const at = node.operatorSpan;
  const operator = node.operator;
  const budget = compiler.frame.budget;
  const constantRight = compiler.freeConstant(node.right);
  switch (operator) {
    case '==':
    case '!=': {
      const mode = equalityMode(node);
      if (mode) {
        const right = compiler.compile(node.right);
        const negated = operator === '!=';
        return (view) => {
          const a = left(view);
          const b = right(view);
          if (a === null || b === null) throw nilInDirectEquality(mode, at);
          budget.charge(equalityCost(a, b), node);
          return equal(a, b) !== negated;
        };
      }
      // Ints have one representation per value and floats are boxed: `===` is `==` for ints, strings and bools.
      const primitive = (type: ExprType) => type.kind === 'int' || type.kind === 'string' || type.kind === 'bool';
      const strict = primitive(leftType) && primitive(rightType);
      const negated = operator === '!=';
      if (strict && leftType.kind === 'string' && rightType.kind === 'string') {
        if (typeof constantRight === 'string') {
          const length = constantRight.length;
          return (view) => {
            const value = left(view) as string;
            budget.charge(value.length < length ? value.length : length, node);
            return (value === constantRight) !== negated;
          };
        }
        const right = compiler.compile(node.right) as (view: ExpressionView) => string;
        return (view) => {
          const a = left(view) as string;
          const b = right(view);
          budget.charge(Math.min(a.length, b.length), node);
          return (a === b) !== negated;
        };
      }
      // Numbers and bools cost nothing beyond the operator.
      if (strict && constantRight !== undefined) return negated ? (view) => left(view) !== constantRight : (view) => left(view) === constantRight;
      const right = compiler.compile(node.right);
      if (strict) return negated ? (view) => left(view) !== right(view) : (view) => left(view) === right(view);
      return (view) => {
        const a = left(view);
        const b = right(view);
        budget.charge(equalityCost(a, b), node);
        return equal(a, b) !== negated;
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const right = compiler.compile(node.right);
      if (leftType.kind === 'int' && rightType.kind === 'int') {
        if (typeof constantRight === 'number' || typeof constantRight === 'bigint') return numericComparison(operator, left as IntFn, constantRight);
        return numericComparison(operator, left as IntFn, right as IntFn);
      }
      if (leftType.kind === 'string' && rightType.kind === 'string') {
        const sign = { '<': (order: number) => order < 0, '<=': (order: number) => order <= 0, '>': (order: number) => order > 0, '>=': (order: number) => order >= 0 }[operator];
        return (view) => {
          const a = left(view) as string;
          const b = right(view) as string;
          budget.charge(Math.min(a.length, b.length), node);
          return sign(compareStrings(a, b));
        };
      }
      return (view) => {
        const a = left(view);
        const b = right(view);
        budget.charge(orderCost(a, b), node);
        return compare(operator, a, b, at);
      };
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '**': {
      const right = compiler.compile(node.right);
      if (leftType.kind === 'int' && rightType.kind === 'int') {
        const l = left as IntFn;
        const r = right as IntFn;
        switch (operator) {
          case '+': return (view) => int64.add(l(view), r(view));
          case '-': return (view) => int64.subtract(l(view), r(view));
          case '*': return (view) => int64.multiply(l(view), r(view));
          case '%': return (view) => modulo(l(view), r(view), at);
          default: break;
        }
      }
      if (operator === '+' && leftType.kind === 'string' && rightType.kind === 'string') {
        return (view) => {
          const a = left(view) as string;
          const b = right(view) as string;
          budget.charge(a.length + b.length, node);
          budget.allocate(a.length + b.length, node);
          return a + b;
        };
      }
      if (operator === '+') {
        return (view) => {
          const a = left(view);
          const b = right(view);
          concatenate(budget, a, b, node);
          return arithmetic(operator, a, b, at);
        };
      }
      return (view) => arithmetic(operator, left(view), right(view), at);
    }
    case '..': {
      const right = compiler.compile(node.right);
      return (view) => {
        const from = left(view);
        const to = right(view);
        rangeCost(budget, from, to, node);
        return makeRange(from, to, node);
      };
    }
    case 'in': {
      if (inStringLiterals(node)) {
        const right = compiler.compile(node.right);
        return (view) => {
          const needle = stringLookupNeedle(left(view), at);
          const haystack = right(view);
          budget.charge(membershipCost(needle, haystack), node);
          return contains(needle, haystack, at);
        };
      }
      const set = Array.isArray(constantRight) ? primitiveSet(constantRight) : undefined;
      if (set) {
        const items = constantRight as readonly Value[];
        if (leftType.kind === 'string') {
          const count = items.length;
          return (view) => {
            const needle = left(view) as string;
            budget.charge(count * (1 + needle.length), node);
            return set.has(needle);
          };
        }
        return (view) => {
          const needle = left(view);
          budget.charge(membershipCost(needle, items), node);
          // A float or a time compares by value, not by identity.
          return typeof needle === 'object' && needle !== null ? contains(needle, items, at) : set.has(needle);
        };
      }
      const right = compiler.compile(node.right);
      if (rightType.kind === 'map' && leftType.kind === 'string') {
        return (view) => (right(view) as ReadonlyMap<string, Value>).has(left(view) as string);
      }
      return (view) => {
        const needle = left(view);
        const haystack = right(view);
        budget.charge(membershipCost(needle, haystack), node);
        return contains(needle, haystack, at);
      };
    }
    case 'matches':
      return compileMatches(node, compiler, left, leftType);
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      const right = compiler.compile(node.right);
      if (leftType.kind === 'string' && rightType.kind === 'string') {
        const l = left as (view: ExpressionView) => string;
        const r = right as (view: ExpressionView) => string;
        if (operator === 'contains') {
          return (view) => {
            const a = l(view);
            const b = r(view);
            budget.charge(a.length + b.length, node);
            return a.includes(b);
          };
        }
        if (operator === 'startsWith') {
          return (view) => {
            const a = l(view);
            const b = r(view);
            budget.charge(Math.min(a.length, b.length), node);
            return a.startsWith(b);
          };
        }
        return (view) => {
          const a = l(view);
          const b = r(view);
          budget.charge(Math.min(a.length, b.length), node);
          return a.endsWith(b);
        };
      }
      return (view) => stringTest(operator, left(view), right(view), budget, node);
    }
  }
}

/**
 * `text matches pattern`. A constant pattern is sized and compiled here, once: too big is a
 * compile error; otherwise the closure only charges and matches. Other patterns go through
 * `matchText` as in the interpreter.
 */
function compileMatches(node: BinaryNode, compiler: Compiler, left: Fn, leftType: ExprType): Fn {
  const budget = compiler.frame.budget;
  const constant = compiler.constant(node.right)?.value;
  if (typeof constant === 'string') {
    const size = patternSize(constant);
    const limit = compiler.limits.maxRegexProgram;
    if (size > limit) throw new ExprFault('expr-regex-too-big', tooBigMessage(size, limit), node.right);
  }
  const pattern = compiler.freeConstant(node.right);
  if (typeof pattern === 'string') {
    const regex = compileRegex(pattern);
    if (regex.ok) {
      const matcher: Matcher = regex.matcher;
      const size = patternSize(pattern);
      const length = pattern.length;
      if (leftType.kind === 'string') {
        return (view) => {
          const subject = left(view) as string;
          budget.charge((subject.length + 2) * size + length, node);
          return matcher(subject);
        };
      }
      return (view) => {
        const value = left(view);
        // expr-lang: nil does not match.
        if (value === null) return false;
        const subject = text(value, '"matches"', node.left);
        budget.charge(regexCost(subject, pattern, size), node);
        return matcher(subject);
      };
    }
  }
  const right = compiler.compile(node.right);
  return (view) => {
    // Both operands are evaluated before either is checked, as in the interpreter.
    const subject = left(view);
    const source = right(view);
    if (subject === null || source === null) return false;
    return matchText(text(subject, '"matches"', node.left), text(source, '"matches"', node.right), budget, node, node.right);
  };
}

/** `<` and friends on ints: JavaScript compares numbers and bigints by value. */
function numericComparison(operator: '<' | '<=' | '>' | '>=', left: IntFn, right: int64.Int | IntFn): Test {
  if (typeof right !== 'function') {
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
    // Ints and strings have one representation per value; a float (boxed) is equal to ints, so it is not.
    const primitive = value === null || typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';
    if (!primitive) return undefined;
  }
  return new Set(values);
}
