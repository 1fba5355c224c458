import type { Budget } from './budget.js';
import { produced } from './costs.js';
import { ExprFault, type Span } from './errors.js';
import { float } from './float.js';
import { uuidString } from './go-text.js';
import { MAX_INT64, MIN_INT64, fromBig, wrap, type Int } from './int64.js';
import { durationString, formatTime, timeString } from './time-format.js';
import {
  DurationValue, LOCAL, MONTH_NAMES, MonthValue, NANOS_PER_SECOND, TimeLocation, TimeValue, UTC, WEEKDAY_NAMES, WeekdayValue, ZERO_TIME,
  ZERO_TIME_SECONDS, addDuration, civil, compareTimes, fromCivil, inLocation, isZeroTime, subtractTimes,
} from './time-values.js';
import { BOOL, DURATION, FLOAT, INT, LOCATION, MONTH, STRING, TIME, WEEKDAY, type ExprType } from './types.js';
import { integer, typeFault, valueTypeName, type Value } from './values.js';

// The methods an expression can call on a time.Time (`last_update_from_source.Year()`), a
// time.Duration, a time.Month, a time.Weekday, a *time.Location and a NIC's uuid.UUID: Go's
// methods on those values that return a value (and, for two results, expr-lang keeps the first).

export type Receiver = 'time' | 'duration' | 'month' | 'weekday' | 'location' | 'uuid';
type MethodParam = 'int' | 'string' | 'time' | 'duration' | 'location';

export interface MethodDef {
  readonly receiver: Receiver;
  readonly name: string;
  readonly params: readonly MethodParam[];
  readonly result: ExprType;
  call(receiver: Value, args: readonly Value[], spans: readonly Span[], budget: Budget, at: Span): Value;
}

/** Methods Go has that an include expression cannot use here, and why. */
export const UNSUPPORTED_METHODS: Readonly<Record<string, string>> = {
  Clock: 'it returns three values; use Hour(), Minute() and Second()',
  Date: 'it returns three values; use Year(), Month() and Day()',
  AppendFormat: 'Ferry has no byte slices; use Format(layout)',
  AppendBinary: 'Ferry has no byte slices',
  AppendText: 'Ferry has no byte slices',
  MarshalBinary: 'Ferry has no byte slices',
  MarshalJSON: 'Ferry has no byte slices; use toJSON(…)',
  MarshalText: 'Ferry has no byte slices; use String() or Format(layout)',
  GobEncode: 'Ferry has no byte slices',
};

const time = (value: Value): TimeValue => value as TimeValue;
const nanos = (value: Value): bigint => (value as DurationValue).nanos;

function clock(value: Value) {
  const t = time(value);
  return civil(t.seconds, t.location.offset);
}

/** Nanoseconds since Go's zero time, the reference of Round and Truncate. */
function sinceZero(t: TimeValue): bigint {
  return BigInt(t.seconds - ZERO_TIME_SECONDS) * 1_000_000_000n + BigInt(t.nanos);
}

function roundTime(t: TimeValue, step: bigint, round: boolean): TimeValue {
  if (step <= 0n) return t;
  // Go's div: the remainder of a time before the zero time counts from the multiple below it.
  const signed = sinceZero(t) % step;
  const remainder = signed < 0n ? signed + step : signed;
  if (round && remainder + remainder >= step) return addDuration(t, step - remainder);
  return addDuration(t, -remainder);
}

function unix(t: TimeValue, perSecond: bigint): Int {
  return wrap(BigInt(t.seconds) * perSecond + BigInt(t.nanos) / (1_000_000_000n / perSecond));
}

/** Duration.Round: halfway values away from zero, saturating at the int64 range. */
function roundDuration(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    const rounded = d - m + r;
    return rounded < d ? rounded : MIN_INT64;
  }
  if (r + r < m) return d - r;
  const rounded = d + m - r;
  return rounded > d && rounded <= MAX_INT64 ? rounded : MAX_INT64;
}

/** Duration.Hours() and friends: whole units plus the fraction, as Go computes them. */
function durationIn(d: bigint, unit: bigint): number {
  return Number(d / unit) + Number(d % unit) / Number(unit);
}

function goString(t: TimeValue): string {
  const c = civil(t.seconds, t.location.offset);
  const zone = t.location === UTC || t.location === LOCAL ? 'time.UTC' : `time.Location(${JSON.stringify(t.location.name)})`;
  return `time.Date(${c.year}, time.${MONTH_NAMES[c.month - 1]}, ${c.day}, ${c.hour}, ${c.minute}, ${c.second}, ${t.nanos}, ${zone})`;
}

function text(budget: Budget, at: Span, result: string): string {
  produced(budget, result.length, at);
  return result;
}

const method = (receiver: Receiver, name: string, params: readonly MethodParam[], result: ExprType, call: MethodDef['call']): MethodDef => ({ receiver, name, params, result, call });

const METHODS: readonly MethodDef[] = [
  method('time', 'Year', [], INT, (t) => clock(t).year),
  method('time', 'Month', [], MONTH, (t) => new MonthValue(clock(t).month)),
  method('time', 'Day', [], INT, (t) => clock(t).day),
  method('time', 'Hour', [], INT, (t) => clock(t).hour),
  method('time', 'Minute', [], INT, (t) => clock(t).minute),
  method('time', 'Second', [], INT, (t) => clock(t).second),
  method('time', 'Nanosecond', [], INT, (t) => time(t).nanos),
  method('time', 'YearDay', [], INT, (t) => clock(t).yearDay),
  method('time', 'Weekday', [], WEEKDAY, (t) => new WeekdayValue(clock(t).weekday)),
  method('time', 'ISOWeek', [], INT, (t) => {
    // The year of the ISO week: the year of the week's Thursday.
    const c = clock(t);
    const thursday = fromCivil(c.year, c.month, c.day - ((c.weekday + 6) % 7) + 3, 0, 0, 0, 0, UTC);
    return civil(thursday.seconds, 0).year;
  }),
  method('time', 'Unix', [], INT, (t) => time(t).seconds),
  method('time', 'UnixMilli', [], INT, (t) => unix(time(t), 1000n)),
  method('time', 'UnixMicro', [], INT, (t) => unix(time(t), 1_000_000n)),
  method('time', 'UnixNano', [], INT, (t) => unix(time(t), 1_000_000_000n)),
  method('time', 'IsZero', [], BOOL, (t) => isZeroTime(time(t))),
  method('time', 'IsDST', [], BOOL, () => false),
  method('time', 'String', [], STRING, (t, _args, _spans, budget, at) => text(budget, at, timeString(time(t)))),
  method('time', 'GoString', [], STRING, (t, _args, _spans, budget, at) => text(budget, at, goString(time(t)))),
  method('time', 'Format', ['string'], STRING, (t, [layout], _spans, budget, at) => {
    budget.charge((layout as string).length, at);
    return text(budget, at, formatTime(time(t), layout as string));
  }),
  method('time', 'UTC', [], TIME, (t) => inLocation(time(t), UTC)),
  method('time', 'Local', [], TIME, (t) => inLocation(time(t), LOCAL)),
  method('time', 'In', ['location'], TIME, (t, [location], spans) => {
    if (!(location instanceof TimeLocation)) throw typeFault('time: missing Location in call to Time.In', spans[0]!);
    return inLocation(time(t), location);
  }),
  method('time', 'Location', [], LOCATION, (t) => time(t).location),
  method('time', 'Zone', [], STRING, (t) => time(t).location.abbreviation),
  method('time', 'ZoneBounds', [], TIME, () => ZERO_TIME),
  method('time', 'Add', ['duration'], TIME, (t, [d]) => addDuration(time(t), nanos(d!))),
  method('time', 'Sub', ['time'], DURATION, (t, [u]) => subtractTimes(time(t), time(u!))),
  method('time', 'AddDate', ['int', 'int', 'int'], TIME, (t, [years, months, days], spans) => {
    const c = clock(t);
    const [y, m, d] = [years, months, days].map((value, i) => Number(integer(value!, 'AddDate', spans[i]!)));
    const moved = fromCivil(c.year + y!, c.month + m!, c.day + d!, c.hour, c.minute, c.second, time(t).nanos, time(t).location);
    return moved;
  }),
  method('time', 'After', ['time'], BOOL, (t, [u]) => compareTimes(time(t), time(u!)) > 0),
  method('time', 'Before', ['time'], BOOL, (t, [u]) => compareTimes(time(t), time(u!)) < 0),
  method('time', 'Equal', ['time'], BOOL, (t, [u]) => compareTimes(time(t), time(u!)) === 0),
  method('time', 'Compare', ['time'], INT, (t, [u]) => compareTimes(time(t), time(u!))),
  method('time', 'Round', ['duration'], TIME, (t, [d]) => roundTime(time(t), nanos(d!), true)),
  method('time', 'Truncate', ['duration'], TIME, (t, [d]) => roundTime(time(t), nanos(d!), false)),
  method('duration', 'Hours', [], FLOAT, (d) => float(durationIn(nanos(d), 3_600_000_000_000n))),
  method('duration', 'Minutes', [], FLOAT, (d) => float(durationIn(nanos(d), 60_000_000_000n))),
  method('duration', 'Seconds', [], FLOAT, (d) => float(durationIn(nanos(d), BigInt(NANOS_PER_SECOND)))),
  method('duration', 'Milliseconds', [], INT, (d) => fromBig(nanos(d) / 1_000_000n)),
  method('duration', 'Microseconds', [], INT, (d) => fromBig(nanos(d) / 1000n)),
  method('duration', 'Nanoseconds', [], INT, (d) => fromBig(nanos(d))),
  method('duration', 'String', [], STRING, (d, _args, _spans, budget, at) => text(budget, at, durationString(nanos(d)))),
  method('duration', 'Abs', [], DURATION, (d) => new DurationValue(nanos(d) >= 0n ? nanos(d) : nanos(d) === MIN_INT64 ? MAX_INT64 : -nanos(d))),
  method('duration', 'Round', ['duration'], DURATION, (d, [m]) => new DurationValue(roundDuration(nanos(d), nanos(m!)))),
  method('duration', 'Truncate', ['duration'], DURATION, (d, [m]) => new DurationValue(nanos(m!) <= 0n ? nanos(d) : nanos(d) - (nanos(d) % nanos(m!)))),
  method('month', 'String', [], STRING, (m) => MONTH_NAMES[(m as MonthValue).number - 1] ?? `%!Month(${(m as MonthValue).number})`),
  method('weekday', 'String', [], STRING, (w) => WEEKDAY_NAMES[(w as WeekdayValue).number] ?? `%!Weekday(${(w as WeekdayValue).number})`),
  method('location', 'String', [], STRING, (l) => (l as TimeLocation).name),
  method('uuid', 'String', [], STRING, (u) => uuidString(u as string)),
  method('uuid', 'URN', [], STRING, (u) => `urn:uuid:${uuidString(u as string)}`),
];

const BY_RECEIVER = new Map<Receiver, ReadonlyMap<string, MethodDef>>();
for (const definition of METHODS) {
  const methods = (BY_RECEIVER.get(definition.receiver) ?? new Map<string, MethodDef>()) as Map<string, MethodDef>;
  methods.set(definition.name, definition);
  BY_RECEIVER.set(definition.receiver, methods);
}

/** The receiver kind of a static type, when it has methods. */
export function receiverOf(type: ExprType): Receiver | undefined {
  switch (type.kind) {
    case 'time':
    case 'duration':
    case 'month':
    case 'weekday':
    case 'location':
      return type.kind;
    case 'string':
      return type.named === 'uuid.UUID' ? 'uuid' : undefined;
    default:
      return undefined;
  }
}

/** The receiver kind of a run-time value (a NIC's uuid is a string there, and has no methods then). */
export function receiverOfValue(value: Value): Receiver | undefined {
  if (value instanceof TimeValue) return 'time';
  if (value instanceof DurationValue) return 'duration';
  if (value instanceof MonthValue) return 'month';
  if (value instanceof WeekdayValue) return 'weekday';
  if (value instanceof TimeLocation) return 'location';
  return undefined;
}

export function methodOf(receiver: Receiver, name: string): MethodDef | undefined {
  return BY_RECEIVER.get(receiver)?.get(name);
}

/** Whether an argument fits a method's parameter, at run time. */
export function checkMethodArgument(definition: MethodDef, value: Value, position: number, at: Span): void {
  const param = definition.params[position]!;
  const fits = param === 'int' ? typeof value === 'number' || typeof value === 'bigint'
    : param === 'string' ? typeof value === 'string'
      : param === 'time' ? value instanceof TimeValue
        : param === 'duration' ? value instanceof DurationValue
          : value instanceof TimeLocation || value === null;
  if (!fits) throw typeFault(`cannot use ${valueTypeName(value)} as argument (type ${param}) to call ${definition.name}`, at);
}

/** A method called on a value whose type is only known at run time. */
export function callMethod(object: Value, name: string, args: readonly Value[], spans: readonly Span[], budget: Budget, at: Span, nameAt: Span): Value {
  const receiver = receiverOfValue(object);
  const definition = receiver === undefined ? undefined : methodOf(receiver, name);
  if (definition === undefined) throw new ExprFault('expr-unknown-field', `${valueTypeName(object)} has no method ${name}`, nameAt);
  if (args.length !== definition.params.length) throw typeFault(`${name} takes ${definition.params.length} argument${definition.params.length === 1 ? '' : 's'}, got ${args.length}`, at);
  args.forEach((arg, i) => checkMethodArgument(definition, arg, i, spans[i]!));
  return definition.call(object, args, spans, budget, at);
}
