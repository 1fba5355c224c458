import { define, overloads, strings } from './builtin-support.js';
import { produced, sizeOf } from './costs.js';
import { ExprFault, type Span } from './errors.js';
import { Float64, float } from './float.js';
import type { FunctionDef } from './functions.js';
import { formatValue, renderedSize, toJson } from './go-text.js';
import { DurationValue, MonthValue, TimeLocation, TimeValue, WeekdayValue } from './time-values.js';
import { ANY, STRING } from './types.js';
import { AnyMap, isMap, structName, utf8, type Value } from './values.js';

// string(), type() and the encodings: toJSON and fromJSON (Go's encoding/json), toBase64 and
// fromBase64 (standard base64 with padding).

const API = 'github.com/FuturFusion/migration-manager/shared/api';
const STRUCT_TYPES: Readonly<Record<string, string>> = {
  disk: `${API}.InstancePropertiesDisk`,
  nic: `${API}.InstancePropertiesNIC`,
  snapshot: `${API}.InstancePropertiesSnapshot`,
  // The instance ($env) is a pointer, which expr-lang's type() does not name.
  instance: 'unknown',
};

/** expr-lang's type(): Go's kind names, and the package-qualified name of a named type. */
function typeOf(value: Value): string {
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
  if (value instanceof TimeValue) return 'time.Time';
  if (value instanceof DurationValue) return 'time.Duration';
  if (value instanceof MonthValue) return 'time.Month';
  if (value instanceof WeekdayValue) return 'time.Weekday';
  if (value instanceof TimeLocation) return 'unknown';
  if (Array.isArray(value)) return 'array';
  if (isMap(value)) return 'map';
  if (value instanceof Float64) return 'float';
  return STRUCT_TYPES[structName(value as Record<string, Value>)]!;
}

/** A JSON document as Go decodes it into `any`: numbers are float64, objects map[string]any. */
function fromJson(source: unknown, at: Span): Value {
  if (source === null || typeof source === 'boolean' || typeof source === 'string') return source;
  if (typeof source === 'number') {
    if (!Number.isFinite(source)) throw new ExprFault('expr-type', 'json: cannot unmarshal a number out of range of float64', at);
    return float(source);
  }
  if (Array.isArray(source)) return source.map((item) => fromJson(item, at));
  const map = new AnyMap();
  map.stringKeys = true;
  for (const [key, item] of Object.entries(source as Record<string, unknown>)) map.set(key, fromJson(item, at));
  return map;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const ENCODING_FUNCTIONS: readonly FunctionDef[] = [
  define({
    name: 'string',
    minArgs: 1,
    maxArgs: 1,
    usage: 'string(value)',
    check: () => STRING,
    call: ([arg], _view, _spans, budget, at) => {
      // Read every element before writing, so a huge value runs out of budget before it is written.
      budget.charge(sizeOf(arg!), at);
      const result = formatValue(arg!);
      produced(budget, result.length, at);
      return result;
    },
  }),
  define({
    name: 'type',
    minArgs: 1,
    maxArgs: 1,
    usage: 'type(value)',
    check: () => STRING,
    call: ([arg], _view, _spans, budget, at) => {
      const result = typeOf(arg!);
      produced(budget, result.length, at);
      return result;
    },
  }),
  define({
    name: 'toJSON',
    minArgs: 1,
    maxArgs: 1,
    usage: 'toJSON(value)',
    check: () => STRING,
    call: ([arg], _view, _spans, budget, at) => {
      budget.charge(renderedSize(arg!), at);
      const result = toJson(arg!, at);
      produced(budget, result.length, at);
      return result;
    },
  }),
  define({
    name: 'fromJSON',
    minArgs: 1,
    maxArgs: 1,
    usage: 'fromJSON(text)',
    check: overloads('fromJSON', [['string'], ANY]),
    call: (args, _view, spans, budget, at) => {
      const [source] = strings(args, 'fromJSON', spans);
      produced(budget, source!.length, at);
      let parsed: unknown;
      try {
        parsed = JSON.parse(source!);
      } catch (error) {
        throw new ExprFault('expr-type', `invalid JSON: ${error instanceof Error ? error.message : String(error)}`, at);
      }
      return fromJson(parsed, at);
    },
  }),
  define({
    name: 'toBase64',
    minArgs: 1,
    maxArgs: 1,
    usage: 'toBase64(text)',
    check: overloads('toBase64', [['string'], STRING]),
    call: (args, _view, spans, budget, at) => {
      const [source] = strings(args, 'toBase64', spans);
      const bytes = utf8(source!);
      produced(budget, Math.ceil(bytes.length / 3) * 4 + source!.length, at);
      return Buffer.from(bytes).toString('base64');
    },
  }),
  define({
    name: 'fromBase64',
    minArgs: 1,
    maxArgs: 1,
    usage: 'fromBase64(text)',
    check: overloads('fromBase64', [['string'], STRING]),
    call: (args, _view, spans, budget, at) => {
      const [source] = strings(args, 'fromBase64', spans);
      // Go's decoder skips line breaks and refuses anything else that is not base64 with padding.
      const encoded = source!.replace(/[\r\n]/g, '');
      produced(budget, source!.length, at);
      if (!BASE64.test(encoded)) throw new ExprFault('expr-type', 'illegal base64 data', at);
      return Buffer.from(encoded, 'base64').toString('utf8');
    },
  }),
];

