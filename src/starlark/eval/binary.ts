// Binary operators (starlark-go's Binary): arithmetic on ints and floats, sequence
// concatenation and repetition, string % formatting, membership, set algebra, and the
// fallback to values that define their own operators.

import { StarBytes } from '../values/bytes.js';
import { equals } from '../values/compare.js';
import { StarDict } from '../values/dict.js';
import {
  asInt32,
  floatToInt,
  intAdd,
  intAnd,
  intFloorDiv,
  intLsh,
  intMod,
  intMul,
  intOr,
  intRsh,
  intSub,
  intToFloat,
  intXor,
} from '../values/int.js';
import { StarList } from '../values/list.js';
import { RangeValue } from '../values/range.js';
import { StarSet } from '../values/set.js';
import { Float, StarObject, typeName, type Int, type Value } from '../values/value.js';
import { fail, rethrowBudget } from './errors.js';
import { interpolate } from './interpolate.js';
import { ABSORBED_FAILURE, chargeContainer, chargeScan, chargeString, chargeWork, checkElements, checkStringLength } from './limits.js';

function isIntValue(v: Value): v is Int {
  return typeof v === 'number' || typeof v === 'bigint';
}

function unknown(op: string, x: Value, y: Value): never {
  fail(`unknown binary op: ${typeName(x)} ${op} ${typeName(y)}`);
}

/** Tries the operand types' own operators (HasBinary), then fails. */
function custom(op: string, x: Value, y: Value): Value {
  if (x instanceof StarObject && x.binary !== undefined) {
    const z = x.binary(op, y, false);
    if (z !== undefined) return z;
  }
  if (y instanceof StarObject && y.binary !== undefined) {
    const z = y.binary(op, x, true);
    if (z !== undefined) return z;
  }
  return unknown(op, x, y);
}

/** A float operand as a number; ints convert (failing if too large); otherwise undefined. */
function asFloatOperand(v: Value): number | undefined {
  if (v instanceof Float) return v.v;
  if (isIntValue(v)) return intToFloat(v);
  return undefined;
}

function mixed(x: Value, y: Value): boolean {
  return (x instanceof Float && (isIntValue(y) || y instanceof Float)) || (isIntValue(x) && y instanceof Float);
}

export function add(x: Value, y: Value): Value {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x + y;
    if (z <= Number.MAX_SAFE_INTEGER && z >= -Number.MAX_SAFE_INTEGER) return z;
  }
  if (typeof x === 'string') {
    if (typeof y === 'string') {
      checkStringLength(x.length + y.length);
      chargeString(x.length + y.length);
      return x + y;
    }
    return custom('+', x, y);
  }
  if (isIntValue(x) && isIntValue(y)) return intAdd(x, y);
  if (mixed(x, y)) return new Float((asFloatOperand(x) as number) + (asFloatOperand(y) as number));
  if (x instanceof StarList && y instanceof StarList) {
    checkElements(x.elems.length + y.elems.length);
    chargeContainer(x.elems.length + y.elems.length);
    return new StarList(x.elems.concat(y.elems));
  }
  if (Array.isArray(x) && Array.isArray(y)) {
    checkElements(x.length + y.length);
    chargeContainer(x.length + y.length);
    return x.concat(y);
  }
  return custom('+', x, y);
}

export function sub(x: Value, y: Value): Value {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x - y;
    if (z <= Number.MAX_SAFE_INTEGER && z >= -Number.MAX_SAFE_INTEGER) return z;
  }
  if (isIntValue(x) && isIntValue(y)) return intSub(x, y);
  if (mixed(x, y)) return new Float((asFloatOperand(x) as number) - (asFloatOperand(y) as number));
  if (x instanceof StarSet && y instanceof StarSet) return x.difference(y.elems());
  return custom('-', x, y);
}

const MAX_ALLOC = 1 << 30;

function repeatCount(n: Int): number {
  const i = asInt32(n);
  if (i === undefined) fail(`repeat count ${n} too large`);
  return i;
}

function repeatElems(elems: readonly Value[], n: Int): Value[] {
  if (elems.length === 0) return [];
  const i = repeatCount(n);
  if (i < 1) return [];
  const size = elems.length * i;
  if (size >= MAX_ALLOC) fail(`excessive repeat (${elems.length} * ${i} elements)`);
  checkElements(size);
  chargeContainer(size);
  const out: Value[] = new Array(size);
  for (let k = 0; k < size; k++) out[k] = elems[k % elems.length];
  return out;
}

function repeatString(s: string, n: Int): string {
  if (s === '') return '';
  const i = repeatCount(n);
  if (i < 1) return '';
  const size = s.length * i;
  if (size >= MAX_ALLOC) fail(`excessive repeat (${s.length} * ${i} elements)`);
  checkStringLength(size);
  chargeString(size);
  return s.repeat(i);
}

export function mul(x: Value, y: Value): Value {
  if (typeof x === 'number' && typeof y === 'number') {
    const z = x * y;
    if (z <= Number.MAX_SAFE_INTEGER && z >= -Number.MAX_SAFE_INTEGER) return z === 0 ? 0 : z;
  }
  if (isIntValue(x)) {
    if (isIntValue(y)) return intMul(x, y);
    if (y instanceof Float) return new Float(intToFloat(x) * y.v);
    if (typeof y === 'string') return repeatString(y, x);
    if (y instanceof StarList) return new StarList(repeatElems(y.elems, x));
    if (Array.isArray(y)) return repeatElems(y, x);
    if (y instanceof StarBytes) return new StarBytes(repeatString(y.bytes, x));
  } else if (x instanceof Float) {
    if (y instanceof Float || isIntValue(y)) return new Float(x.v * (asFloatOperand(y) as number));
  } else if (typeof x === 'string') {
    if (isIntValue(y)) return repeatString(x, y);
  } else if (x instanceof StarList) {
    if (isIntValue(y)) return new StarList(repeatElems(x.elems, y));
  } else if (Array.isArray(x)) {
    if (isIntValue(y)) return repeatElems(x, y);
  } else if (x instanceof StarBytes) {
    if (isIntValue(y)) return new StarBytes(repeatString(x.bytes, y));
  }
  return custom('*', x, y);
}

export function div(x: Value, y: Value): Value {
  if ((isIntValue(x) || x instanceof Float) && (isIntValue(y) || y instanceof Float)) {
    const xf = asFloatOperand(x) as number;
    const yf = asFloatOperand(y) as number;
    if (yf === 0) fail('floating-point division by zero');
    return new Float(xf / yf);
  }
  return custom('/', x, y);
}

export function floorDiv(x: Value, y: Value): Value {
  if (isIntValue(x) && isIntValue(y)) {
    if (y === 0) fail('floored division by zero');
    return intFloorDiv(x, y);
  }
  if (mixed(x, y)) {
    const xf = asFloatOperand(x) as number;
    const yf = asFloatOperand(y) as number;
    if (yf === 0) fail('floored division by zero');
    return new Float(Math.floor(xf / yf));
  }
  return custom('//', x, y);
}

/** Python's float modulo: the result has the sign of the divisor. */
export function floatMod(x: number, y: number): number {
  let z = x % y;
  if (x < 0 !== y < 0 && z !== 0) z += y;
  return z;
}

export function mod(x: Value, y: Value): Value {
  if (typeof x === 'string') return interpolate(x, y);
  if (isIntValue(x) && isIntValue(y)) {
    if (y === 0) fail('integer modulo by zero');
    return intMod(x, y);
  }
  if (mixed(x, y)) {
    if (y === 0 || (y instanceof Float && y.v === 0)) fail('floating-point modulo by zero');
    return new Float(floatMod(asFloatOperand(x) as number, asFloatOperand(y) as number));
  }
  return custom('%', x, y);
}

export function bitAnd(x: Value, y: Value): Value {
  if (isIntValue(x) && isIntValue(y)) return intAnd(x, y);
  if (x instanceof StarSet && y instanceof StarSet) return x.intersection(y.elems());
  return custom('&', x, y);
}

export function bitOr(x: Value, y: Value): Value {
  if (isIntValue(x) && isIntValue(y)) return intOr(x, y);
  if (x instanceof StarSet && y instanceof StarSet) return x.union([y.elems()]);
  if (x instanceof StarDict && y instanceof StarDict) return x.union(y);
  return custom('|', x, y);
}

export function bitXor(x: Value, y: Value): Value {
  if (isIntValue(x) && isIntValue(y)) return intXor(x, y);
  if (x instanceof StarSet && y instanceof StarSet) return x.symmetricDifference(y.elems());
  return custom('^', x, y);
}

function shiftCount(y: Value): number {
  if (!isIntValue(y)) fail(`got ${typeName(y)}, want int`);
  const n = asInt32(y);
  if (n === undefined) fail(`${y} out of range`);
  if (n < 0) fail(`negative shift count: ${n}`);
  return n;
}

export function shiftLeft(x: Value, y: Value): Value {
  if (!isIntValue(x)) return custom('<<', x, y);
  const n = shiftCount(y);
  if (n >= 512) fail(`shift count too large: ${n}`);
  return intLsh(x, n);
}

export function shiftRight(x: Value, y: Value): Value {
  if (!isIntValue(x)) return custom('>>', x, y);
  return intRsh(x, shiftCount(y));
}

/** `x in y`. */
export function contains(y: Value, x: Value): boolean {
  if (typeof y === 'string') {
    if (typeof x !== 'string') fail(`'in <string>' requires string as left operand, not ${typeName(x)}`);
    chargeScan(y.length);
    return y.includes(x);
  }
  if (y instanceof StarList || Array.isArray(y)) {
    const elems = y instanceof StarList ? y.elems : (y as readonly Value[]);
    for (let i = 0; i < elems.length; i++) {
      if (equals(elems[i], x)) {
        chargeWork(i + 1);
        return true;
      }
    }
    chargeWork(elems.length);
    return false;
  }
  if (y instanceof StarDict) {
    try {
      return y.get(x) !== undefined;
    } catch (e) {
      rethrowBudget(e);
      chargeWork(ABSORBED_FAILURE);
      return false;
    }
  }
  if (y instanceof StarSet) return y.has(x);
  if (y instanceof StarBytes) return y.has(x);
  if (y instanceof RangeValue) {
    if (isIntValue(x)) return typeof x === 'number' && y.contains(x);
    if (x instanceof Float && Number.isFinite(x.v)) {
      const i = floatToInt(x.v);
      return typeof i === 'number' && y.contains(i);
    }
    fail(`'in <range>' requires integer as left operand, not ${typeName(x)}`);
  }
  if (y instanceof StarObject && y.get !== undefined) {
    try {
      return y.get(x) !== undefined;
    } catch (e) {
      rethrowBudget(e);
      chargeWork(ABSORBED_FAILURE);
      return false;
    }
  }
  const z = custom('in', x, y);
  return typeof z === 'boolean' ? z : Boolean(z);
}

/** Applies a binary operator by its token text (used by augmented assignment). */
export function binaryOp(op: string, x: Value, y: Value): Value {
  switch (op) {
    case '+':
      return add(x, y);
    case '-':
      return sub(x, y);
    case '*':
      return mul(x, y);
    case '/':
      return div(x, y);
    case '//':
      return floorDiv(x, y);
    case '%':
      return mod(x, y);
    case '&':
      return bitAnd(x, y);
    case '|':
      return bitOr(x, y);
    case '^':
      return bitXor(x, y);
    case '<<':
      return shiftLeft(x, y);
    case '>>':
      return shiftRight(x, y);
    case 'in':
      return contains(y, x);
    case 'not in':
      return !contains(y, x);
  }
  return fail(`unknown binary op: ${op}`);
}
