// Unary + - ~ (not is handled by the compiler: it cannot be overridden).

import { intNeg, intNot } from '../values/int.js';
import { Float, StarObject, typeName, type Value } from '../values/value.js';
import { fail } from './errors.js';

export function unary(op: '+' | '-' | '~', x: Value): Value {
  if (typeof x === 'number' || typeof x === 'bigint') {
    if (op === '-') return intNeg(x);
    if (op === '+') return x;
    return intNot(x);
  }
  if (x instanceof Float) {
    if (op === '-') return new Float(-x.v);
    if (op === '+') return x;
  }
  if (x instanceof StarObject && x.unary !== undefined) {
    const y = x.unary(op);
    if (y !== undefined) return y;
  }
  return fail(`unknown unary op: ${op} ${typeName(x)}`);
}
