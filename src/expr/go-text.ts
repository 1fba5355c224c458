import { ExprFault, type Span } from './errors.js';
import { Float64, formatFloat, jsonFloat } from './float.js';
import { isInt } from './int64.js';
import { durationString, formatTime, timeString } from './time-format.js';
import { DurationValue, MONTH_NAMES, MonthValue, TimeLocation, TimeValue, WEEKDAY_NAMES, WeekdayValue } from './time-values.js';
import { AnyMap, compareStrings, isMap, isStruct, structName, type MapKey, type StructValue, type Value } from './values.js';

// Values as Go writes them: fmt's %v (expr-lang's string()) and encoding/json's MarshalIndent
// (toJSON), for the values include expressions have.

/** The Go struct fields of each struct, in declaration order, with their JSON names. */
const STRUCT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  disk: ['capacity', 'name', 'shared', 'supported', 'background_import_verified'],
  nic: ['uuid', 'source_specific_id', 'hardware_address', 'location', 'ipv4_address', 'ipv6_address'],
  snapshot: ['name'],
};

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** How a uuid.UUID prints: its canonical form, or the nil UUID when the text is not one. */
export function uuidString(text: string): string {
  const hex = text.replace(/^(urn:uuid:|\{)/i, '').replace(/\}$/, '');
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(hex) || /^[0-9a-f]{32}$/i.test(hex)) {
    const digits = hex.replace(/-/g, '').toLowerCase();
    return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
  }
  return NIL_UUID;
}

/** fmt's sort of map keys: numbers by value, strings by bytes, false before true. */
function compareKeys(a: MapKey, b: MapKey): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const rank = (key: MapKey) => (key === null ? 0 : typeof key === 'boolean' ? 1 : isInt(key) || key instanceof Float64 ? 2 : 3);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const number = (key: MapKey) => (key instanceof Float64 ? key.value : Number(key));
  return number(a) - number(b);
}

/** fmt.Sprintf("%v", value). */
export function formatValue(value: Value): string {
  if (value === null) return '<nil>';
  switch (typeof value) {
    case 'boolean':
      return String(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'string':
      return value;
  }
  if (value instanceof Float64) return formatFloat(value.value);
  if (value instanceof TimeValue) return timeString(value);
  if (value instanceof DurationValue) return durationString(value.nanos);
  if (value instanceof MonthValue) return MONTH_NAMES[value.number - 1] ?? `%!Month(${value.number})`;
  if (value instanceof WeekdayValue) return WEEKDAY_NAMES[value.number] ?? `%!Weekday(${value.number})`;
  if (value instanceof TimeLocation) return value.name;
  if (Array.isArray(value)) return `[${(value as readonly Value[]).map(formatValue).join(' ')}]`;
  if (isMap(value)) {
    const entries = [...value].sort(([a], [b]) => compareKeys(a, b));
    return `map[${entries.map(([key, item]) => `${formatValue(key)}:${formatValue(item)}`).join(' ')}]`;
  }
  const struct = value as StructValue;
  const name = structName(struct);
  const fields = STRUCT_FIELDS[name];
  if (fields === undefined) return `&{${Object.values(struct).map(formatValue).join(' ')}}`;
  return `{${fields.map((field) => (name === 'nic' && field === 'uuid' ? uuidString(struct[field] as string) : formatValue(struct[field]!))).join(' ')}}`;
}

/** Go's JSON string: HTML characters, line separators and control characters escaped. */
export function jsonString(text: string): string {
  let out = '"';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    switch (character) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
    }
    if (code < 0x20 || character === '<' || character === '>' || character === '&' || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += '\\ufffd';
    } else {
      out += character;
    }
  }
  return `${out}"`;
}

/** json.MarshalIndent(value, "", "  "); throws for what encoding/json refuses. */
export function toJson(value: Value, at: Span, indent = ''): string {
  const inner = `${indent}  `;
  const refuse = (why: string): never => {
    throw new ExprFault('expr-type', `json: ${why}`, at);
  };
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'bigint':
      return String(value);
    case 'string':
      return jsonString(value);
  }
  if (value instanceof Float64) {
    if (!Number.isFinite(value.value)) refuse(`unsupported value: ${formatFloat(value.value)}`);
    return jsonFloat(value.value);
  }
  if (value instanceof TimeValue) {
    const year = Number(formatTime(value, '2006'));
    if (year < 0 || year > 9999) refuse('error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]');
    return `"${formatTime(value, '2006-01-02T15:04:05.999999999Z07:00')}"`;
  }
  if (value instanceof DurationValue) return String(value.nanos);
  if (value instanceof MonthValue || value instanceof WeekdayValue) return String(value.number);
  if (value instanceof TimeLocation) return '{}';
  if (Array.isArray(value)) {
    const items = value as readonly Value[];
    if (items.length === 0) return '[]';
    return `[\n${items.map((item) => `${inner}${toJson(item, at, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (isMap(value)) {
    if (value instanceof AnyMap && !value.stringKeys) refuse('unsupported type: map[interface {}]interface {}');
    if (value.size === 0) return '{}';
    const entries = [...value].sort(([a], [b]) => compareStrings(String(a), String(b)));
    return `{\n${entries.map(([key, item]) => `${inner}${jsonString(String(key))}: ${toJson(item, at, inner)}`).join(',\n')}\n${indent}}`;
  }
  if (!isStruct(value)) refuse('unsupported value');
  const struct = value as StructValue;
  const name = structName(struct);
  const fields = STRUCT_FIELDS[name] ?? Object.keys(struct);
  return `{\n${fields.map((field) => {
    const item = name === 'nic' && field === 'uuid' ? jsonString(uuidString(struct[field] as string)) : toJson(struct[field]!, at, inner);
    return `${inner}${jsonString(field)}: ${item}`;
  }).join(',\n')}\n${indent}}`;
}

/** The size of what toJSON or string() writes, at most: characters of the value and a few per element. */
export function renderedSize(value: Value): number {
  if (typeof value === 'string') return value.length * 6 + 2;
  if (value === null || typeof value !== 'object') return 24;
  if (Array.isArray(value)) return (value as readonly Value[]).reduce((sum: number, item) => sum + renderedSize(item) + 8, 2);
  if (isMap(value)) return [...value].reduce((sum, [key, item]) => sum + renderedSize(key) + renderedSize(item) + 8, 2);
  if (isStruct(value)) return Object.entries(value).reduce((sum, [key, item]) => sum + key.length * 6 + renderedSize(item) + 8, 2);
  return 80;
}
