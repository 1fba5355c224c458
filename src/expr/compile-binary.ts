import type { BinaryNode } from './ast.js';
import type { Compiler, Fn, Test } from './compiler.js';
import { ExprFault } from './errors.js';
import { compileRegex, type Matcher } from './regex.js';
import { isNumber, type ExprType } from './types.js';
import { arithmetic, compare, compareStrings, contains, equal, modulo, text, type Value } from './values.js';
import type { ExpressionView } from './view.js';

// Binary operators, specialised by the operand types the checker proved; otherwise the checked
// operations of values.ts, exactly as the interpreter applies them (both operands first).

export function compileBinary(node: BinaryNode, compiler: Compiler): Fn {
  const left = compiler.compile(node.left);
  const leftType = compiler.typeOf(node.left);
  const rightType = compiler.typeOf(node.right);
  const at = node.operatorSpan;
  const operator = node.operator;
  const constantRight = compiler.constant(node.right)?.value;
  switch (operator) {
    case '==':
    case '!=': {
      const primitive = (type: ExprType) => isNumber(type) || type.kind === 'string' || type.kind === 'bool';
      const strict = primitive(leftType) && primitive(rightType);
      const negated = operator === '!=';
      if (strict && constantRight !== undefined) return negated ? (view) => left(view) !== constantRight : (view) => left(view) === constantRight;
      const right = compiler.compile(node.right);
      if (strict) return negated ? (view) => left(view) !== right(view) : (view) => left(view) === right(view);
      return negated ? (view) => !equal(left(view), right(view)) : (view) => equal(left(view), right(view));
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const right = compiler.compile(node.right);
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
      const right = compiler.compile(node.right);
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
      const right = compiler.compile(node.right);
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
      const right = compiler.compile(node.right);
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
      const right = compiler.compile(node.right);
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
