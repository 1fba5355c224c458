import { define, isNumeric, overloads, wrongType } from './builtin-support.js';
import { produced } from './costs.js';
import type { Span } from './errors.js';
import { Float64, float } from './float.js';
import type { ArgumentProblem, FunctionDef } from './functions.js';
import * as int64 from './int64.js';
import { isInt, parseDecimal, type Int } from './int64.js';
import { DurationValue, MonthValue, WeekdayValue } from './time-values.js';
import { ANY, FLOAT, INT, article, isAny, sameType, type ExprType } from './types.js';
import { integer, isNumeric as isNumericValue, order, toFloat, typeFault, valueTypeName, type Value } from './values.js';

// expr-lang's numeric functions (builtin/lib.go): abs, ceil, floor, round, int, float, max,
// min, mean, median and the bit operations, on Go's int and float64.

/** Go's math.Round: half away from zero. */
function roundHalfAway(value: number): number {
  if (!Number.isFinite(value)) return value;
  const truncated = Math.trunc(value);
  return Math.abs(value - truncated) >= 0.5 ? truncated + Math.sign(value) : truncated === 0 ? value * 0 : truncated;
}

const ROUNDINGS: Readonly<Record<'ceil' | 'floor' | 'round', (value: number) => number>> = { ceil: Math.ceil, floor: Math.floor, round: roundHalfAway };

/** strconv.ParseFloat: decimal and Go's spellings of the infinities and NaN; anything else, and overflow, is undefined. */
function parseFloat64(textValue: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(textValue);
  if (special) return special[2]!.toLowerCase() === 'nan' ? Number.NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(textValue)) return undefined;
  const value = Number(textValue);
  return Number.isFinite(value) ? value : undefined;
}

function toInt(value: Value, at: Span): Int {
  if (isInt(value)) return value;
  if (value instanceof Float64) return int64.fromFloat(value.value);
  if (typeof value === 'string') {
    const parsed = parseDecimal(value);
    if (parsed === undefined) throw typeFault(`invalid operation: int(${value})`, at);
    return parsed;
  }
  // reflect's Convert, for Go's other integer types.
  if (value instanceof DurationValue) return int64.fromBig(value.nanos);
  if (value instanceof MonthValue || value instanceof WeekdayValue) return value.number;
  throw typeFault(`invalid operation: int(${valueTypeName(value)})`, at);
}

function toFloat64(value: Value, at: Span): number {
  if (isInt(value) || value instanceof Float64) return toFloat(value);
  if (typeof value === 'string') {
    const parsed = parseFloat64(value);
    if (parsed === undefined) throw typeFault(`invalid operation: float(${value})`, at);
    return parsed;
  }
  throw typeFault(`invalid operation: float(${valueTypeName(value)})`, at);
}

/** Every number of the arguments, lists flattened, each charged as one element read. */
function numbers(name: string, args: readonly Value[], spans: readonly Span[], at: Span, charge: (units: number) => void): (Int | Float64)[] {
  const found: (Int | Float64)[] = [];
  const visit = (value: Value, span: Span): void => {
    charge(1);
    if (Array.isArray(value)) {
      for (const item of value as readonly Value[]) {
        if (!Array.isArray(item) && !isNumericValue(item)) throw typeFault(`invalid argument for ${name} (type ${valueTypeName(item)})`, span);
        visit(item, span);
      }
      return;
    }
    if (!isNumericValue(value)) throw typeFault(`invalid argument for ${name} (type ${valueTypeName(value)})`, span);
    found.push(value);
  };
  args.forEach((arg, i) => visit(arg, spans[i] ?? at));
  return found;
}

/** validateAggregateFunc: numbers and lists; the result has the type of the arguments when they share one. */
function checkAggregate(name: string, result?: ExprType) {
  return (args: readonly ExprType[]): ExprType | ArgumentProblem => {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      // A list gives any, even for mean and median: expr-lang's checker learns nothing from it.
      if (arg.kind === 'list' || isAny(arg)) return ANY;
      if (!isNumeric(arg)) return { argument: i, message: `${name} needs numbers or lists of numbers, got ${article(arg)}` };
    }
    if (result) return result;
    return args.every((arg) => sameType(arg, args[0]!)) ? args[0]! : ANY;
  };
}

const bitFunctions: readonly [string, (x: Int, y: Int, at: Span) => Int][] = [
  ['bitand', (x, y) => int64.bitwise('and', x, y)],
  ['bitor', (x, y) => int64.bitwise('or', x, y)],
  ['bitxor', (x, y) => int64.bitwise('xor', x, y)],
  ['bitnand', (x, y) => int64.bitwise('andNot', x, y)],
  ['bitshl', (x, y, at) => int64.shift('left', x, nonNegative(y, at))],
  ['bitshr', (x, y, at) => int64.shift('right', x, nonNegative(y, at))],
  ['bitushr', (x, y, at) => int64.shift('unsignedRight', x, nonNegative(y, at))],
];

function nonNegative(count: Int, at: Span): Int {
  if (count < 0) throw typeFault(`invalid operation: negative shift count ${count} (type int)`, at);
  return count;
}

export const NUMBER_FUNCTIONS: readonly FunctionDef[] = [
  define({
    name: 'abs',
    minArgs: 1,
    maxArgs: 1,
    usage: 'abs(number)',
    check: ([arg]) => (isNumeric(arg!) ? arg! : { argument: 0, message: `abs needs a number, got ${article(arg!)}` }),
    call: ([arg], _view, [span]) => {
      if (isInt(arg!)) return arg < 0 ? int64.negate(arg) : arg;
      // `if x < 0 { return -x }`: -0 and NaN are returned as they are.
      if (arg instanceof Float64) return arg.value < 0 ? float(-arg.value) : arg;
      return wrongType('abs', arg!, span!);
    },
  }),
  ...(['ceil', 'floor', 'round'] as const).map((name) => define({
    name,
    minArgs: 1,
    maxArgs: 1,
    usage: `${name}(number)`,
    check: ([arg]) => (isNumeric(arg!) ? FLOAT : { argument: 0, message: `${name} needs a number, got ${article(arg!)}` }),
    call: ([arg], _view, [span]) => {
      if (isInt(arg!)) return float(int64.toFloat(arg));
      if (arg instanceof Float64) return float(ROUNDINGS[name](arg.value));
      return wrongType(name, arg!, span!);
    },
  })),
  define({
    name: 'int',
    minArgs: 1,
    maxArgs: 1,
    usage: 'int(value)',
    check: ([arg]) => {
      const kind = arg!.kind;
      return kind === 'int' || kind === 'float' || kind === 'string' || kind === 'any' || kind === 'duration' || kind === 'month' || kind === 'weekday'
        ? INT
        : { argument: 0, message: `int needs a number or a string, got ${article(arg!)}` };
    },
    call: ([arg], _view, [span], budget, at) => {
      if (typeof arg === 'string') budget.charge(arg.length, at);
      return toInt(arg!, span!);
    },
  }),
  define({
    name: 'float',
    minArgs: 1,
    maxArgs: 1,
    usage: 'float(value)',
    check: ([arg]) => {
      const kind = arg!.kind;
      return kind === 'int' || kind === 'float' || kind === 'string' || kind === 'any' || kind === 'duration' || kind === 'month' || kind === 'weekday'
        ? FLOAT
        : { argument: 0, message: `float needs a number or a string, got ${article(arg!)}` };
    },
    call: ([arg], _view, [span], budget, at) => {
      if (typeof arg === 'string') budget.charge(arg.length, at);
      return float(toFloat64(arg!, span!));
    },
  }),
  ...(['max', 'min'] as const).map((name) => define({
    name,
    minArgs: 1,
    maxArgs: Infinity,
    usage: `${name}(number | list, …)`,
    check: checkAggregate(name),
    call: (args, _view, spans, budget, at) => {
      // A single argument that is neither a number nor a list is given back, as expr-lang does.
      if (args.length === 1 && !Array.isArray(args[0]) && !isNumericValue(args[0]!)) return args[0]!;
      let best: Int | Float64 | null = null;
      for (const value of numbers(name, args, spans, at, (units) => budget.charge(units, at))) {
        if (best === null || (name === 'max' ? order(best, value, name, at) < 0 : order(best, value, name, at) > 0)) best = value;
      }
      return best;
    },
  })),
  define({
    name: 'mean',
    minArgs: 1,
    maxArgs: Infinity,
    usage: 'mean(number | list, …)',
    check: checkAggregate('mean', FLOAT),
    call: (args, _view, spans, budget, at) => {
      const values = numbers('mean', args, spans, at, (units) => budget.charge(units, at));
      if (values.length === 0) return float(0);
      return float(values.reduce<number>((sum, value) => sum + toFloat(value), 0) / values.length);
    },
  }),
  define({
    name: 'median',
    minArgs: 1,
    maxArgs: Infinity,
    usage: 'median(number | list, …)',
    check: checkAggregate('median', FLOAT),
    call: (args, _view, spans, budget, at) => {
      const values = numbers('median', args, spans, at, (units) => budget.charge(units, at)).map(toFloat);
      produced(budget, values.length, at);
      if (values.length === 0) return float(0);
      // sort.Float64s orders NaN first.
      values.sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
      const middle = values.length >> 1;
      return float(values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2);
    },
  }),
  ...bitFunctions.map(([name, operation]) => define({
    name,
    minArgs: 2,
    maxArgs: 2,
    usage: `${name}(int, int)`,
    check: overloads(name, [['int', 'int'], INT]),
    call: ([x, y], _view, spans, _budget, at) => operation(integer(x!, name, spans[0]!), integer(y!, name, spans[1]!), at),
  })),
  define({
    name: 'bitnot',
    minArgs: 1,
    maxArgs: 1,
    usage: 'bitnot(int)',
    check: overloads('bitnot', [['int'], INT]),
    call: ([x], _view, [span]) => int64.fromBig(~BigInt(integer(x!, 'bitnot', span!))),
  }),
];
