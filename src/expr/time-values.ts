import { MAX_INT64, MIN_INT64, fromBig, type Int } from './int64.js';

// Go's time.Time, time.Duration, time.Month, time.Weekday and *time.Location as expression
// values, for `last_update_from_source` and expr-lang's date(), duration() and time methods.
// Instants are Unix seconds (exact in a double for every year Go represents here) plus
// nanoseconds; the local time zone is UTC, as on a server running in UTC.

export const NANOS_PER_SECOND = 1_000_000_000;
const SECONDS_PER_DAY = 86_400;
/** Unix seconds of Go's zero time, January 1, year 1, 00:00:00 UTC. */
export const ZERO_TIME_SECONDS = -62_135_596_800;

/** A time zone: UTC, Local (which is UTC here), or a fixed offset from a parsed time. */
export class TimeLocation {
  constructor(
    /** What Location().String() says: "UTC", "Local" or the fixed zone's name (often ""). */
    readonly name: string,
    /** Seconds east of UTC. */
    readonly offset: number,
    /** The zone's abbreviation in formatted times ("UTC", or "" for a fixed offset, printed as +hhmm). */
    readonly abbreviation: string,
  ) {}
}

export const UTC = new TimeLocation('UTC', 0, 'UTC');
/** time.Local on a server running in UTC: time.Local = time.UTC. */
export const LOCAL = UTC;

export function fixedZone(name: string, offset: number): TimeLocation {
  return new TimeLocation(name, offset, name);
}

export class TimeValue {
  constructor(
    readonly seconds: number,
    readonly nanos: number,
    readonly location: TimeLocation,
    /**
     * For the instance's `last_update_from_source`: the text it was read from. Ferry read that
     * field as a string before it read it as a time, so a comparison with a string still
     * compares this text (with a warning: migration-manager refuses it).
     */
    readonly text?: string,
  ) {}
}

/** time.Duration: nanoseconds, an int64. */
export class DurationValue {
  constructor(readonly nanos: bigint) {}
}

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** time.Month: 1 to 12 (String() is its English name). */
export class MonthValue {
  constructor(readonly number: number) {}
}

/** time.Weekday: 0 (Sunday) to 6. */
export class WeekdayValue {
  constructor(readonly number: number) {}
}

export const ZERO_TIME = new TimeValue(ZERO_TIME_SECONDS, 0, UTC);

export function isZeroTime(time: TimeValue): boolean {
  return time.seconds === ZERO_TIME_SECONDS && time.nanos === 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12; day may overflow its month). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shifted = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * shifted + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
  /** 1 to 366. */
  yearDay: number;
}

/** The wall-clock fields of an instant in a zone (`offset` seconds east of UTC). */
export function civil(seconds: number, offset: number): CivilTime {
  const local = seconds + offset;
  const days = Math.floor(local / SECONDS_PER_DAY);
  const secondOfDay = local - days * SECONDS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor((secondOfDay % 3600) / 60),
    second: secondOfDay % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** The instant of a wall-clock date in a zone, normalizing overflowing fields as Go's time.Date does. */
export function fromCivil(year: number, month: number, day: number, hour: number, minute: number, second: number, nanos: number, location: TimeLocation): TimeValue {
  let carrySeconds = Math.floor(nanos / NANOS_PER_SECOND);
  const nanosecond = nanos - carrySeconds * NANOS_PER_SECOND;
  const monthIndex = month - 1;
  const yearCarry = Math.floor(monthIndex / 12);
  const normalizedMonth = monthIndex - yearCarry * 12 + 1;
  carrySeconds += second + minute * 60 + hour * 3600;
  const days = daysFromCivil(year + yearCarry, normalizedMonth, 1) + day - 1;
  return new TimeValue(days * SECONDS_PER_DAY + carrySeconds - location.offset, nanosecond, location);
}

export function compareTimes(a: TimeValue, b: TimeValue): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return a.nanos === b.nanos ? 0 : a.nanos < b.nanos ? -1 : 1;
}

function instantNanos(time: TimeValue): bigint {
  return BigInt(time.seconds) * 1_000_000_000n + BigInt(time.nanos);
}

/** t.Sub(u): saturated at the int64 range, as Go does. */
export function subtractTimes(a: TimeValue, b: TimeValue): DurationValue {
  const difference = instantNanos(a) - instantNanos(b);
  if (difference > MAX_INT64) return new DurationValue(MAX_INT64);
  if (difference < MIN_INT64) return new DurationValue(MIN_INT64);
  return new DurationValue(difference);
}

/** t.Add(d), in t's zone. */
export function addDuration(time: TimeValue, duration: bigint): TimeValue {
  const total = BigInt(time.nanos) + duration;
  const carry = total >= 0n ? total / 1_000_000_000n : (total - 999_999_999n) / 1_000_000_000n;
  return new TimeValue(time.seconds + Number(carry), Number(total - carry * 1_000_000_000n), time.location);
}

export function inLocation(time: TimeValue, location: TimeLocation): TimeValue {
  return new TimeValue(time.seconds, time.nanos, location);
}

/** Wraps an int64 nanosecond count (a Duration's arithmetic overflows like any int64). */
export function duration(nanos: bigint): DurationValue {
  return new DurationValue(BigInt.asIntN(64, nanos));
}

export function durationNanos(value: DurationValue): Int {
  return fromBig(value.nanos);
}

/**
 * Reads an RFC 3339 time (Go's time.RFC3339Nano layout, as encoding/json reads a time.Time): a
 * "Z" time is in UTC, a "+00:00" one in Local (UTC here), any other offset in an unnamed fixed
 * zone. The empty string is the zero time; anything else that is not RFC 3339 is undefined.
 */
export function parseRfc3339(text: string): TimeValue | undefined {
  if (text === '') return ZERO_TIME;
  const match = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  const numbers = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = numbers;
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || s > 59) return undefined;
  const nanos = fraction === undefined ? 0 : Number(fraction.padEnd(9, '0'));
  let location = UTC;
  if (!zulu) {
    const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60);
    if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
    location = offset === LOCAL.offset ? LOCAL : fixedZone('', offset);
  }
  const time = fromCivil(y, mo, d, h, mi, s, nanos, location);
  return new TimeValue(time.seconds, time.nanos, location, text);
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}
