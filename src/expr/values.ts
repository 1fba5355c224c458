import { ExprFault, type Span } from './errors.js';

// Run-time values and the operations on them, with expr-lang's semantics (vm/runtime): one
// implementation shared by the interpreter and by the generic paths of the compiler.

/** A run-time value: nil, bool, number (int or float), string, list, map (config) or struct. */
export type Value = null | boolean | number | string | readonly Value[] | ReadonlyMap<string, Value> | StructValue;

/** A struct such as a disk or a NIC: a frozen object whose own properties are its fields. */
export interface StructValue {
  readonly [field: string]: Value;
}

export function isMap(value: Value): value is ReadonlyMap<string, Value> {
  return value instanceof Map;
}

export function isStruct(value: Value): value is StructValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);
}

export function valueTypeName(value: Value): string {
  if (value === null) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'string':
      return 'string';
  }
  if (Array.isArray(value)) return 'list';
  return isMap(value) ? 'map' : 'struct';
}

export function typeFault(message: string, at: Span): ExprFault {
  return new ExprFault('expr-type', message, at);
}

/** `==`: values of different types are never equal; 1 == 1.0; lists, maps and structs compare deeply. */
export function equal(a: Value, b: Value): boolean {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i] as Value, b[i] as Value)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b) || a.size !== b.size) return false;
    for (const [key, value] of a) if (!b.has(key) || !equal(value, b.get(key)!)) return false;
    return true;
  }
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && equal((a as StructValue)[key]!, (b as StructValue)[key]!));
}

/** Orders strings by code point, as Go orders UTF-8 bytes (JavaScript's `<` orders UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (D800–DFFF) starts a code point above FFFF, which sorts after E000–FFFF.
    const xHigh = x >= 0xd800 && x <= 0xdfff;
    const yHigh = y >= 0xd800 && y <= 0xdfff;
    if (xHigh !== yHigh && (x >= 0xe000 || y >= 0xe000)) return xHigh ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export type RelationalOperator = '<' | '<=' | '>' | '>=';

export function compare(operator: RelationalOperator, a: Value, b: Value, at: Span): boolean {
  let order: number;
  if (typeof a === 'number' && typeof b === 'number') {
    switch (operator) {
      case '<': return a < b;
      case '<=': return a <= b;
      case '>': return a > b;
      case '>=': return a >= b;
    }
  }
  if (typeof a === 'string' && typeof b === 'string') {
    order = compareStrings(a, b);
  } else {
    throw typeFault(`cannot compare ${valueTypeName(a)} with ${valueTypeName(b)} using "${operator}"`, at);
  }
  switch (operator) {
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
  }
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/** `/` always divides as floats; `%` needs ints; `+` also joins strings. */
export function arithmetic(operator: ArithmeticOperator, a: Value, b: Value, at: Span): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (operator) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': return a / b;
      case '%': return modulo(a, b, at);
    }
  }
  if (operator === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  throw typeFault(`cannot use "${operator}" on ${valueTypeName(a)} and ${valueTypeName(b)}`, at);
}

export function modulo(a: number, b: number, at: Span): number {
  if (!Number.isInteger(a) || !Number.isInteger(b)) throw typeFault(`"%" needs two ints, got ${valueTypeName(a)} and ${valueTypeName(b)}`, at);
  if (b === 0) throw new ExprFault('expr-arithmetic', 'integer divide by zero', at);
  return a % b;
}

export function negate(operator: '-' | '+', value: Value, at: Span): number {
  if (typeof value !== 'number') throw typeFault(`cannot use unary "${operator}" on ${valueTypeName(value)}`, at);
  return operator === '-' ? -value : value;
}

export function truth(value: Value, what: string, at: Span): boolean {
  if (typeof value !== 'boolean') throw typeFault(`${what} needs a bool, got ${valueTypeName(value)}`, at);
  return value;
}

export function text(value: Value, what: string, at: Span): string {
  if (typeof value !== 'string') throw typeFault(`${what} needs a string, got ${valueTypeName(value)}`, at);
  return value;
}

export function list(value: Value, what: string, at: Span): readonly Value[] {
  if (!Array.isArray(value)) throw typeFault(`${what} needs a list, got ${valueTypeName(value)}`, at);
  return value;
}

/** `needle in haystack`: element of a list, key of a map, field of a struct; `in nil` is false. */
export function contains(needle: Value, haystack: Value, at: Span): boolean {
  if (haystack === null) return false;
  if (Array.isArray(haystack)) {
    for (const element of haystack) if (equal(element, needle)) return true;
    return false;
  }
  if (isMap(haystack)) return haystack.has(text(needle, 'a map key', at));
  if (isStruct(haystack)) return Object.hasOwn(haystack, text(needle, 'a field name', at));
  throw typeFault(`"in" needs a list or a map on its right, got ${valueTypeName(haystack)}`, at);
}

/**
 * `object.name`: a struct's own field, or a map's key. A missing key reads as the empty string,
 * the zero value of Go's map[string]string, as expr-lang's runtime.Fetch returns.
 */
export function member(object: Value, name: string, at: Span): Value {
  if (isMap(object)) return object.get(name) ?? '';
  if (isStruct(object)) {
    if (Object.hasOwn(object, name)) return object[name]!;
    throw new ExprFault('expr-unknown-field', `${valueTypeName(object)} has no field "${name}"`, at);
  }
  throw typeFault(`cannot read field "${name}" of ${valueTypeName(object)}`, at);
}

/** `object[index]`: list elements (negative counts from the end), map keys, struct fields. */
export function index(object: Value, key: Value, at: Span): Value {
  if (Array.isArray(object)) {
    if (typeof key !== 'number') throw typeFault(`a list index must be an int, got ${valueTypeName(key)}`, at);
    return element(object, key, at);
  }
  if (typeof key === 'string' && (isMap(object) || isStruct(object))) return member(object, key, at);
  if (isMap(object) || isStruct(object)) throw typeFault(`a key must be a string, got ${valueTypeName(key)}`, at);
  throw typeFault(`cannot index ${valueTypeName(object)}`, at);
}

export function element(items: readonly Value[], position: number, at: Span): Value {
  let i = Math.trunc(position);
  if (i < 0) i += items.length;
  if (i < 0 || i >= items.length) {
    throw new ExprFault('expr-index', `index ${position} is out of range: the list has ${items.length} element${items.length === 1 ? '' : 's'}`, at);
  }
  return items[i]!;
}

/** String length in code points, as expr-lang's len counts runes. */
export function runeCount(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}
