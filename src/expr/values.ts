import { ExprFault, type Span } from './errors.js';
import { Float64, float } from './float.js';
import * as int64 from './int64.js';
import { isInt, type Int } from './int64.js';
import {
  DurationValue, MonthValue, TimeLocation, TimeValue, WeekdayValue, addDuration, compareTimes, duration, subtractTimes,
} from './time-values.js';

// Run-time values and the operations on them, with expr-lang's semantics (vm/runtime): one
// implementation shared by the interpreter and by the generic paths of the compiler.

/** A map key: Go's comparable values that expressions build maps with. */
export type MapKey = null | boolean | number | bigint | string | Float64;

/**
 * A run-time value: nil, bool, int (number or bigint, see int64.ts), float (boxed), string, list,
 * map, struct (a disk, a NIC, a snapshot, the instance), and the time package's values.
 */
export type Value =
  | null
  | boolean
  | Int
  | string
  | Float64
  | TimeValue
  | DurationValue
  | MonthValue
  | WeekdayValue
  | TimeLocation
  | readonly Value[]
  | ReadonlyMap<MapKey, Value>
  | StructValue;

/** A struct such as a disk or a NIC: a plain object whose own properties are its fields. */
export interface StructValue {
  readonly [field: string]: Value;
}

/**
 * A map an expression built: a literal (Go's map[string]any), groupBy or fromPairs (map[any]…),
 * whose missing keys read as nil. The instance's `config` is a plain Map (map[string]string),
 * whose missing keys read as ''.
 */
export class AnyMap extends Map<MapKey, Value> {
  /** Whether Go declares its keys as strings (a literal), which toJSON needs. */
  stringKeys = false;
}

export function isMap(value: Value): value is ReadonlyMap<MapKey, Value> {
  return value instanceof Map;
}

export function isList(value: Value): value is readonly Value[] {
  return Array.isArray(value);
}

export function isStruct(value: Value): value is StructValue {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

export function isNumeric(value: Value): value is Int | Float64 {
  return isInt(value) || value instanceof Float64;
}

/** A number as float64, for mixed int and float arithmetic. */
export function toFloat(value: Int | Float64): number {
  return value instanceof Float64 ? value.value : int64.toFloat(value);
}

/** The type of a value in messages: Go's names (`int`, `float64`, `[]any`, `time.Time`). */
export function valueTypeName(value: Value): string {
  if (value === null) return 'nil';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
  }
  if (value instanceof Float64) return 'float64';
  if (value instanceof TimeValue) return 'time.Time';
  if (value instanceof DurationValue) return 'time.Duration';
  if (value instanceof MonthValue) return 'time.Month';
  if (value instanceof WeekdayValue) return 'time.Weekday';
  if (value instanceof TimeLocation) return '*time.Location';
  if (Array.isArray(value)) return '[]any';
  if (value instanceof Map) return value instanceof AnyMap ? 'map[any]any' : 'map[string]string';
  return structName(value as StructValue);
}

/** The Go struct type of a struct value, told apart by its fields. */
export function structName(value: StructValue): string {
  if (Object.hasOwn(value, 'capacity')) return 'disk';
  if (Object.hasOwn(value, 'hardware_address')) return 'nic';
  if (Object.hasOwn(value, 'cpus')) return 'instance';
  return 'snapshot';
}

export function typeFault(message: string, at: Span): ExprFault {
  return new ExprFault('expr-type', message, at);
}

/**
 * `==` (runtime.Equal): numbers by value whatever their type (1 == 1.0), lists element by
 * element, times as instants, maps and structs deeply; values of other different types are never
 * equal. The one exception to Go: `last_update_from_source` compared with a string compares the
 * text it was read from, as Ferry did before it read the field as a time.
 */
/**
 * The instance's lists of structs ([]Disk, []NIC, []Snapshot in Go), and the slices taken from
 * them: runtime.Equal compares []any, []string and the like element by element but leaves other
 * slices to reflect.DeepEqual, for which two slices of different Go types always differ.
 */
const STRUCT_LISTS = new WeakMap<readonly Value[], string>();

export function markStructList<T extends readonly Value[]>(list: T, goType: string): T {
  STRUCT_LISTS.set(list, goType);
  return list;
}

/** A part of a list, of the list's Go type. */
export function sameGoType(part: readonly Value[], of: readonly Value[]): readonly Value[] {
  const goType = STRUCT_LISTS.get(of);
  return goType === undefined ? part : markStructList(part, goType);
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return !(a instanceof Float64 && Number.isNaN(a.value));
  if (isInt(a)) {
    if (isInt(b)) return false;
    return b instanceof Float64 && int64.toFloat(a) === b.value;
  }
  if (a instanceof Float64) return (isInt(b) || b instanceof Float64) && a.value === toFloat(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    if (typeof a === 'string' && b instanceof TimeValue) return b.text !== undefined && b.text === a;
    if (typeof b === 'string' && a instanceof TimeValue) return a.text !== undefined && a.text === b;
    return false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || STRUCT_LISTS.get(a) !== STRUCT_LISTS.get(b)) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i] as Value, b[i] as Value)) return false;
    return true;
  }
  if (a instanceof TimeValue) return b instanceof TimeValue && compareTimes(a, b) === 0;
  if (a instanceof DurationValue) return b instanceof DurationValue && a.nanos === b.nanos;
  if (a instanceof MonthValue) return b instanceof MonthValue && a.number === b.number;
  if (a instanceof WeekdayValue) return b instanceof WeekdayValue && a.number === b.number;
  if (a instanceof TimeLocation) return b instanceof TimeLocation && a.name === b.name && a.offset === b.offset;
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size || (a instanceof AnyMap) !== (b instanceof AnyMap)) return false;
    for (const [key, value] of a) if (!b.has(key) || !deepEqual(value, b.get(key)!)) return false;
    return true;
  }
  if (Array.isArray(b) || !isStruct(a) || !isStruct(b) || structName(a) !== structName(b)) return false;
  const keys = Object.keys(a);
  return keys.every((key) => deepEqual(a[key]!, b[key]!));
}

/** reflect.DeepEqual, which Equal falls back to inside maps and structs: no int/float mixing there. */
function deepEqual(a: Value, b: Value): boolean {
  if (isInt(a) || isInt(b)) return a === b;
  if (a instanceof Float64 || b instanceof Float64) return a instanceof Float64 && b instanceof Float64 && a.value === b.value;
  if (a instanceof TimeValue || b instanceof TimeValue) {
    return a instanceof TimeValue && b instanceof TimeValue && a.seconds === b.seconds && a.nanos === b.nanos && a.location === b.location;
  }
  return equal(a, b);
}

/** Compares strings by code point, as Go compares UTF-8 bytes (JavaScript's `<` compares UTF-16 units). */
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

/** The order of two values for `<` and friends, `sort` and `max`: numbers, strings, times, durations. */
export function order(a: Value, b: Value, what: string, at: Span): number {
  if (isInt(a) && isInt(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (isNumeric(a) && isNumeric(b)) {
    const x = toFloat(a);
    const y = toFloat(b);
    // NaN is neither smaller nor larger: every comparison with it is false.
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a instanceof TimeValue && b instanceof TimeValue) return compareTimes(a, b);
  if (a instanceof DurationValue && b instanceof DurationValue) return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
  if (typeof a === 'string' && b instanceof TimeValue && b.text !== undefined) return compareStrings(a, b.text);
  if (typeof b === 'string' && a instanceof TimeValue && a.text !== undefined) return compareStrings(a.text, b);
  throw typeFault(`cannot compare ${valueTypeName(a)} with ${valueTypeName(b)} using "${what}"`, at);
}

export function compare(operator: RelationalOperator, a: Value, b: Value, at: Span): boolean {
  const result = order(a, b, operator, at);
  switch (operator) {
    case '<': return result < 0;
    case '<=': return result <= 0;
    case '>': return result > 0;
    case '>=': return result >= 0;
  }
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%' | '**';

/**
 * Arithmetic as expr-lang's runtime does it: ints wrap at 64 bits, an int and a float give a
 * float, `/` and `**` always give a float, `%` needs two ints, `+` joins strings, and times and
 * durations add and subtract.
 */
export function arithmetic(operator: ArithmeticOperator, a: Value, b: Value, at: Span): Value {
  if (isInt(a) && isInt(b)) {
    switch (operator) {
      case '+': return int64.add(a, b);
      case '-': return int64.subtract(a, b);
      case '*': return int64.multiply(a, b);
      case '/': return float(int64.toFloat(a) / int64.toFloat(b));
      case '%': return modulo(a, b, at);
      case '**': return float(power(int64.toFloat(a), int64.toFloat(b)));
    }
  }
  if (isNumeric(a) && isNumeric(b)) {
    const x = toFloat(a);
    const y = toFloat(b);
    switch (operator) {
      case '+': return float(x + y);
      case '-': return float(x - y);
      case '*': return float(x * y);
      case '/': return float(x / y);
      case '**': return float(power(x, y));
      case '%': break;
    }
  }
  if (operator === '+') {
    const x = asText(a);
    const y = asText(b);
    if (x !== undefined && y !== undefined) return x + y;
  }
  const timed = timeArithmetic(operator, a, b);
  if (timed !== undefined) return timed;
  throw typeFault(`cannot use "${operator === '**' ? '**' : operator}" on ${valueTypeName(a)} and ${valueTypeName(b)}`, at);
}

function timeArithmetic(operator: ArithmeticOperator, a: Value, b: Value): Value | undefined {
  if (a instanceof TimeValue) {
    if (operator === '+' && b instanceof DurationValue) return addDuration(a, b.nanos);
    // t.Add(-d), with -d wrapping as Go's int64 does (the most negative duration stays itself).
    if (operator === '-' && b instanceof DurationValue) return addDuration(a, BigInt.asIntN(64, -b.nanos));
    if (operator === '-' && b instanceof TimeValue) return subtractTimes(a, b);
    return undefined;
  }
  if (a instanceof DurationValue) {
    if (operator === '+' && b instanceof TimeValue) return addDuration(b, a.nanos);
    if (operator === '+' && b instanceof DurationValue) return duration(a.nanos + b.nanos);
    if (operator === '-' && b instanceof DurationValue) return duration(a.nanos - b.nanos);
    if (operator === '*' && (b instanceof DurationValue || isInt(b))) return duration(a.nanos * (b instanceof DurationValue ? b.nanos : BigInt(b)));
    if (operator === '*' && b instanceof Float64) return float(Number(a.nanos) * b.value);
    return undefined;
  }
  if (operator === '*' && b instanceof DurationValue) {
    if (isInt(a)) return duration(BigInt(a) * b.nanos);
    if (a instanceof Float64) return float(a.value * Number(b.nanos));
  }
  return undefined;
}

/** math.Pow, whose special cases differ from JavaScript's for 1 and -1 to NaN and infinite powers. */
export function power(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

export function modulo(a: Value, b: Value, at: Span): Int {
  if (!isInt(a) || !isInt(b)) throw typeFault(`"%" needs two ints, got ${valueTypeName(a)} and ${valueTypeName(b)}`, at);
  if (int64.isZero(b)) throw new ExprFault('expr-arithmetic', 'integer divide by zero', at);
  return int64.remainder(a, b);
}

export function negate(operator: '-' | '+', value: Value, at: Span): Value {
  if (isInt(value)) return operator === '-' ? int64.negate(value) : value;
  if (value instanceof Float64) return operator === '-' ? float(-value.value) : value;
  if (value instanceof DurationValue && operator === '-') return duration(-value.nanos);
  throw typeFault(`cannot use unary "${operator}" on ${valueTypeName(value)}`, at);
}

export function truth(value: Value, what: string, at: Span): boolean {
  if (typeof value !== 'boolean') throw typeFault(`${what} needs a bool, got ${valueTypeName(value)}`, at);
  return value;
}

/** A string, or the text `last_update_from_source` was read from (see `equal`); undefined for anything else. */
export function asText(value: Value): string | undefined {
  if (typeof value === 'string') return value;
  return value instanceof TimeValue ? value.text : undefined;
}

/** A string argument; `last_update_from_source` gives the text it was read from (see `equal`). */
export function text(value: Value, what: string, at: Span): string {
  if (typeof value === 'string') return value;
  if (value instanceof TimeValue && value.text !== undefined) return value.text;
  throw typeFault(`${what} needs a string, got ${valueTypeName(value)}`, at);
}

export function list(value: Value, what: string, at: Span): readonly Value[] {
  if (!Array.isArray(value)) throw typeFault(`${what} needs a list, got ${valueTypeName(value)}`, at);
  return value;
}

export function integer(value: Value, what: string, at: Span): Int {
  if (!isInt(value)) throw typeFault(`${what} needs an int, got ${valueTypeName(value)}`, at);
  return value;
}

/**
 * `needle in haystack` (runtime.In): an element of a list, a key of a map (of the map's key type),
 * a field of a struct by its Go name; `in nil` is false.
 */
export function contains(needle: Value, haystack: Value, at: Span): boolean {
  if (haystack === null) return false;
  if (Array.isArray(haystack)) {
    for (const element of haystack) if (equal(element, needle)) return true;
    return false;
  }
  if (haystack instanceof Map) return haystack.has(mapKey(haystack, needle, at));
  if (isStruct(haystack)) {
    if (typeof needle !== 'string') throw typeFault(`cannot use ${valueTypeName(needle)} as a field name of ${structName(haystack)}`, at);
    return goFieldNames(haystack).has(needle);
  }
  throw typeFault(`"in" needs a list, a map or a struct on its right, got ${valueTypeName(haystack)}`, at);
}

/** A key to look up in a map: a string for `config`; nil looks up the zero key, as Go does. */
export function mapKey(map: ReadonlyMap<MapKey, Value>, key: Value, at: Span): MapKey {
  if (!(map instanceof AnyMap)) {
    if (key === null) return '';
    const textKey = asText(key);
    if (textKey !== undefined) return textKey;
    throw typeFault(`a map[string]string key must be a string, got ${valueTypeName(key)}`, at);
  }
  if (key === null || typeof key === 'boolean' || typeof key === 'string' || isInt(key) || key instanceof Float64) return key;
  throw typeFault(`cannot use ${valueTypeName(key)} as a map key`, at);
}

const GO_FIELD_NAMES: Readonly<Record<string, ReadonlySet<string>>> = {
  disk: new Set(['Capacity', 'Name', 'Shared', 'Supported', 'BackgroundImportVerified']),
  nic: new Set(['UUID', 'SourceSpecificID', 'HardwareAddress', 'Location', 'IPv4Address', 'IPv6Address']),
  snapshot: new Set(['Name']),
  instance: new Set([
    'InstanceProperties', 'InstancePropertiesConfigurable', 'Name', 'CPUs', 'Memory', 'Config', 'Architecture', 'UUID', 'SourceSpecificID',
    'Location', 'Description', 'OS', 'OSDescription', 'OSTemplate', 'SecureBoot', 'LegacyBoot', 'TPM', 'Running', 'BackgroundImport',
    'NICs', 'Disks', 'Snapshots', 'OSType', 'Distribution', 'DistributionVersion', 'Source', 'SourceType', 'LastUpdateFromSource',
  ]),
};

/** What `'Name' in disk` tests: migration-manager's struct fields by their Go names, not their expression names. */
export function goFieldNames(struct: StructValue): ReadonlySet<string> {
  return GO_FIELD_NAMES[structName(struct)]!;
}

/** The value a map gives for a missing key: '' for config (map[string]string), nil for the others. */
export function missingValue(map: ReadonlyMap<MapKey, Value>): Value {
  return map instanceof AnyMap ? null : '';
}

/** `object.name`: a struct's field, or a map's key (a missing key gives the map's zero value). */
export function member(object: Value, name: string, at: Span): Value {
  if (object instanceof Map) return object.get(name) ?? missingValue(object);
  if (isStruct(object)) {
    if (Object.hasOwn(object, name)) return object[name]!;
    throw new ExprFault('expr-unknown-field', `${structName(object)} has no field "${name}"`, at);
  }
  throw typeFault(`cannot read field "${name}" of ${valueTypeName(object)}`, at);
}

/** `object[index]` (runtime.Fetch): list elements (negative from the end), a string's bytes, map keys, struct fields. */
export function index(object: Value, key: Value, at: Span): Value {
  if (Array.isArray(object)) return element(object, position(key, at), at);
  if (typeof object === 'string') {
    const bytes = utf8(object);
    return element(Array.from(bytes), position(key, at), at);
  }
  if (object instanceof Map) {
    const found = object.get(mapKey(object, key, at));
    return found === undefined ? missingValue(object) : found;
  }
  if (isStruct(object)) {
    if (typeof key !== 'string') throw typeFault(`a field name must be a string, got ${valueTypeName(key)}`, at);
    return member(object, key, at);
  }
  throw typeFault(`cannot index ${valueTypeName(object)}`, at);
}

/** An index as Go's runtime.ToInt reads it: ints, and floats truncated. */
function position(key: Value, at: Span): number {
  if (typeof key === 'number') return key;
  if (typeof key === 'bigint') return Number(key);
  if (key instanceof Float64) return Math.trunc(key.value);
  throw typeFault(`an index must be an int, got ${valueTypeName(key)}`, at);
}

export function element(items: readonly Value[], at: number, span: Span): Value {
  const i = at < 0 ? at + items.length : at;
  if (i < 0 || i >= items.length) {
    throw new ExprFault('expr-index', `index ${at} is out of range: the list has ${items.length} element${items.length === 1 ? '' : 's'}`, span);
  }
  return items[i]!;
}

/** `list[from:to]` and `text[from:to]` (bytes): bounds clamped as runtime.Slice does. */
export function slice(object: Value, from: Value | undefined, to: Value | undefined, at: Span): Value {
  const items: readonly Value[] | Uint8Array = typeof object === 'string' ? utf8(object) : Array.isArray(object) ? object : [];
  if (typeof object !== 'string' && !Array.isArray(object)) throw typeFault(`cannot slice ${valueTypeName(object)}`, at);
  const length = items.length;
  let a = from === undefined ? 0 : position(from, at);
  let b = to === undefined ? length : position(to, at);
  if (a < 0) a = Math.max(length + a, 0);
  if (b < 0) b = Math.max(length + b, 0);
  if (b > length) b = length;
  if (a > b) a = b;
  if (typeof object === 'string') return new TextDecoder().decode((items as Uint8Array).subarray(a, b));
  return sameGoType((items as readonly Value[]).slice(a, b), items as readonly Value[]);
}

const encoder = new TextEncoder();

export function utf8(value: string): Uint8Array {
  return encoder.encode(value);
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

/** The length of a string in UTF-8 bytes, as Go's len and byte offsets count it. */
export function byteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
