import {
  LOCAL, MONTH_NAMES, NANOS_PER_SECOND, UTC, WEEKDAY_NAMES, civil, daysIn, fixedZone, fromCivil, type TimeLocation, type TimeValue,
} from './time-values.js';

// Go's reference-time layouts ("2006-01-02 15:04:05 -0700 MST"): Time.Format and time.Parse as
// the time package documents them, element by element.

type Chunk =
  | { kind: 'text'; text: string }
  | { kind: 'longMonth' | 'month' | 'numMonth' | 'zeroMonth' | 'longWeekDay' | 'weekDay' | 'day' | 'underDay' | 'zeroDay' }
  | { kind: 'underYearDay' | 'zeroYearDay' | 'hour' | 'hour12' | 'zeroHour12' | 'minute' | 'zeroMinute' | 'second' | 'zeroSecond' }
  | { kind: 'longYear' | 'year' | 'PM' | 'pm' | 'TZ' }
  | { kind: 'zone'; iso: boolean; colons: boolean; seconds: boolean; minutes: boolean }
  | { kind: 'fraction'; digits: number; trim: boolean; separator: string };

const isDigit = (text: string, i: number): boolean => i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57;

const ZONES: ReadonlyArray<readonly [string, { iso: boolean; colons: boolean; seconds: boolean; minutes: boolean }]> = [
  ['Z070000', { iso: true, colons: false, seconds: true, minutes: true }],
  ['Z07:00:00', { iso: true, colons: true, seconds: true, minutes: true }],
  ['Z0700', { iso: true, colons: false, seconds: false, minutes: true }],
  ['Z07:00', { iso: true, colons: true, seconds: false, minutes: true }],
  ['Z07', { iso: true, colons: false, seconds: false, minutes: false }],
  ['-070000', { iso: false, colons: false, seconds: true, minutes: true }],
  ['-07:00:00', { iso: false, colons: true, seconds: true, minutes: true }],
  ['-0700', { iso: false, colons: false, seconds: false, minutes: true }],
  ['-07:00', { iso: false, colons: true, seconds: false, minutes: true }],
  ['-07', { iso: false, colons: false, seconds: false, minutes: false }],
];

/** The layout cut into literal text and elements, as Go's nextStdChunk reads it. */
function chunks(layout: string): Chunk[] {
  const result: Chunk[] = [];
  let text = '';
  const element = (chunk: Chunk, length: number, at: number): number => {
    if (text !== '') result.push({ kind: 'text', text });
    text = '';
    result.push(chunk);
    return at + length;
  };
  let i = 0;
  while (i < layout.length) {
    const rest = layout.slice(i);
    const c = layout[i]!;
    let next = -1;
    switch (c) {
      case 'J':
        if (rest.startsWith('January')) next = element({ kind: 'longMonth' }, 7, i);
        else if (rest.startsWith('Jan')) next = element({ kind: 'month' }, 3, i);
        break;
      case 'M':
        if (rest.startsWith('Monday')) next = element({ kind: 'longWeekDay' }, 6, i);
        else if (rest.startsWith('Mon')) next = element({ kind: 'weekDay' }, 3, i);
        else if (rest.startsWith('MST')) next = element({ kind: 'TZ' }, 3, i);
        break;
      case '0':
        if (layout[i + 1] !== undefined && layout[i + 1]! >= '1' && layout[i + 1]! <= '6') {
          const kinds = ['zeroMonth', 'zeroDay', 'zeroHour12', 'zeroMinute', 'zeroSecond', 'year'] as const;
          next = element({ kind: kinds[Number(layout[i + 1]) - 1]! }, 2, i);
        } else if (rest.startsWith('002')) {
          next = element({ kind: 'zeroYearDay' }, 3, i);
        }
        break;
      case '1':
        next = layout[i + 1] === '5' ? element({ kind: 'hour' }, 2, i) : element({ kind: 'numMonth' }, 1, i);
        break;
      case '2':
        next = rest.startsWith('2006') ? element({ kind: 'longYear' }, 4, i) : element({ kind: 'day' }, 1, i);
        break;
      case '_':
        if (layout[i + 1] === '2') {
          // "_2006" is a literal "_" followed by the year.
          if (rest.startsWith('_2006')) {
            text += '_';
            next = element({ kind: 'longYear' }, 4, i + 1);
          } else {
            next = element({ kind: 'underDay' }, 2, i);
          }
        } else if (rest.startsWith('__2')) {
          next = element({ kind: 'underYearDay' }, 3, i);
        }
        break;
      case '3':
        next = element({ kind: 'hour12' }, 1, i);
        break;
      case '4':
        next = element({ kind: 'minute' }, 1, i);
        break;
      case '5':
        next = element({ kind: 'second' }, 1, i);
        break;
      case 'P':
        if (layout[i + 1] === 'M') next = element({ kind: 'PM' }, 2, i);
        break;
      case 'p':
        if (layout[i + 1] === 'm') next = element({ kind: 'pm' }, 2, i);
        break;
      case '-':
      case 'Z':
        for (const [name, zone] of ZONES) {
          if (zone.iso === (c === 'Z') && rest.startsWith(name)) {
            next = element({ kind: 'zone', ...zone }, name.length, i);
            break;
          }
        }
        break;
      case '.':
      case ',':
        if (layout[i + 1] === '0' || layout[i + 1] === '9') {
          const digit = layout[i + 1]!;
          let j = i + 1;
          while (j < layout.length && layout[j] === digit) j++;
          if (!isDigit(layout, j)) next = element({ kind: 'fraction', digits: j - i - 1, trim: digit === '9', separator: c }, j - i, i);
        }
        break;
    }
    if (next < 0) {
      text += c;
      i++;
    } else {
      i = next;
    }
  }
  if (text !== '') result.push({ kind: 'text', text });
  return result;
}

const pad = (value: number, width: number): string => {
  const digits = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${digits}` : digits;
};

/** Time.Format(layout). */
export function formatTime(time: TimeValue, layout: string): string {
  const offset = time.location.offset;
  const c = civil(time.seconds, offset);
  let out = '';
  for (const chunk of chunks(layout)) {
    switch (chunk.kind) {
      case 'text': out += chunk.text; break;
      case 'year': out += pad(((c.year % 100) + 100) % 100, 2); break;
      case 'longYear': out += pad(c.year, 4); break;
      case 'month': out += MONTH_NAMES[c.month - 1]!.slice(0, 3); break;
      case 'longMonth': out += MONTH_NAMES[c.month - 1]; break;
      case 'numMonth': out += String(c.month); break;
      case 'zeroMonth': out += pad(c.month, 2); break;
      case 'weekDay': out += WEEKDAY_NAMES[c.weekday]!.slice(0, 3); break;
      case 'longWeekDay': out += WEEKDAY_NAMES[c.weekday]; break;
      case 'day': out += String(c.day); break;
      case 'underDay': out += c.day < 10 ? ` ${c.day}` : String(c.day); break;
      case 'zeroDay': out += pad(c.day, 2); break;
      case 'underYearDay': out += String(c.yearDay).padStart(3, ' '); break;
      case 'zeroYearDay': out += pad(c.yearDay, 3); break;
      case 'hour': out += pad(c.hour, 2); break;
      case 'hour12': out += String(c.hour % 12 === 0 ? 12 : c.hour % 12); break;
      case 'zeroHour12': out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2); break;
      case 'minute': out += String(c.minute); break;
      case 'zeroMinute': out += pad(c.minute, 2); break;
      case 'second': out += String(c.second); break;
      case 'zeroSecond': out += pad(c.second, 2); break;
      case 'PM': out += c.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += c.hour >= 12 ? 'pm' : 'am'; break;
      case 'TZ': out += time.location.abbreviation !== '' ? time.location.abbreviation : numericZone(offset, false, false, true); break;
      case 'zone':
        out += chunk.iso && offset === 0 ? 'Z' : numericZone(offset, chunk.colons, chunk.seconds, chunk.minutes);
        break;
      case 'fraction': out += fraction(time.nanos, chunk.digits, chunk.trim, chunk.separator); break;
    }
  }
  return out;
}

function numericZone(offset: number, colons: boolean, seconds: boolean, minutes: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const total = Math.abs(offset);
  const separator = colons ? ':' : '';
  let out = `${sign}${pad(Math.floor(total / 3600), 2)}`;
  if (minutes) out += `${separator}${pad(Math.floor((total % 3600) / 60), 2)}`;
  if (seconds) out += `${separator}${pad(total % 60, 2)}`;
  return out;
}

function fraction(nanos: number, digits: number, trim: boolean, separator: string): string {
  let text = String(nanos).padStart(9, '0').slice(0, Math.min(digits, 9));
  if (trim) {
    text = String(nanos).padStart(9, '0').replace(/0+$/, '');
    if (digits < 9) text = text.slice(0, digits);
    if (text === '') return '';
  }
  return `${separator}${text}`;
}

/** Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST". */
export function timeString(time: TimeValue): string {
  return formatTime(time, '2006-01-02 15:04:05.999999999 -0700 MST');
}

export class TimeParseError extends Error {}

/**
 * time.Parse(layout, value), or time.ParseInLocation with a zone: elements as Format writes them,
 * a fractional second accepted after the seconds even when the layout has none, and dates
 * checked (no February 30). Times without a zone are in `location`.
 */
export function parseTime(layout: string, value: string, location: TimeLocation = UTC): TimeValue {
  const quote = (text: string) => JSON.stringify(text);
  const fail = (why = ''): never => {
    throw new TimeParseError(`parsing time ${quote(value)} as ${quote(layout)}: cannot parse${why}`);
  };
  // Go: elements the layout omits are zero, or one where zero is impossible (so the year is 0).
  let year = 0;
  let month = -1;
  let day = -1;
  let yearDay = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm = false;
  let pmSet = false;
  let zoneOffset: number | undefined;
  let zoneName: string | undefined;
  let rest = value;
  const number = (width: 'fixed2' | 'one-or-two' | 'fixed3' | 'upTo3', spaced = false): number => {
    if (spaced && rest.startsWith(' ')) rest = rest.slice(1);
    const match = { fixed2: /^\d\d/, 'one-or-two': /^\d\d?/, fixed3: /^\d\d\d/, upTo3: /^\d{1,3}/ }[width].exec(rest);
    if (!match) fail(` ${quote(rest)} as a number`);
    rest = rest.slice(match![0].length);
    return Number(match![0]);
  };
  const name = (names: readonly string[], short: boolean): number => {
    for (let i = 0; i < names.length; i++) {
      const candidate = short ? names[i]!.slice(0, 3) : names[i]!;
      if (rest.slice(0, candidate.length).toLowerCase() === candidate.toLowerCase()) {
        rest = rest.slice(candidate.length);
        return i;
      }
    }
    return fail(` ${quote(rest)} as a name`);
  };
  const list = chunks(layout);
  for (let index = 0; index < list.length; index++) {
    const chunk = list[index]!;
    switch (chunk.kind) {
      case 'text': {
        const expected = chunk.text.replace(/^\s+/, '');
        rest = /^\s/.test(chunk.text) ? rest.replace(/^\s+/, '') : rest;
        if (!rest.startsWith(expected)) fail(` ${quote(rest)} as ${quote(chunk.text)}`);
        rest = rest.slice(expected.length);
        break;
      }
      case 'year': {
        year = number('fixed2');
        year += year >= 69 ? 1900 : 2000;
        break;
      }
      case 'longYear': {
        const match = /^\d{4}/.exec(rest);
        if (!match) fail(` ${quote(rest)} as "2006"`);
        year = Number(match![0]);
        rest = rest.slice(4);
        break;
      }
      case 'month': month = name(MONTH_NAMES, true) + 1; break;
      case 'longMonth': month = name(MONTH_NAMES, false) + 1; break;
      case 'numMonth': month = number('one-or-two'); break;
      case 'zeroMonth': month = number('fixed2'); break;
      case 'weekDay': name(WEEKDAY_NAMES, true); break;
      case 'longWeekDay': name(WEEKDAY_NAMES, false); break;
      case 'day': day = number('one-or-two'); break;
      case 'underDay': day = number('one-or-two', true); break;
      case 'zeroDay': day = number('fixed2'); break;
      case 'underYearDay': yearDay = number('upTo3', true); break;
      case 'zeroYearDay': yearDay = number('fixed3'); break;
      case 'hour': hour = number('one-or-two'); if (hour > 23) fail(': hour out of range'); break;
      case 'hour12': hour = number('one-or-two'); if (hour > 12) fail(': hour out of range'); break;
      case 'zeroHour12': hour = number('fixed2'); if (hour > 12) fail(': hour out of range'); break;
      case 'minute': minute = number('one-or-two'); if (minute > 59) fail(': minute out of range'); break;
      case 'zeroMinute': minute = number('fixed2'); if (minute > 59) fail(': minute out of range'); break;
      case 'second':
      case 'zeroSecond': {
        second = number(chunk.kind === 'second' ? 'one-or-two' : 'fixed2');
        if (second > 59) fail(': second out of range');
        // A fractional second may follow even when the layout has none.
        const following = list[index + 1];
        const match = /^[.,](\d+)/.exec(rest);
        if (match && (following === undefined || following.kind !== 'fraction')) {
          nanos = Number(match[1]!.slice(0, 9).padEnd(9, '0'));
          rest = rest.slice(match[0].length);
        }
        break;
      }
      case 'PM':
      case 'pm': {
        const marker = rest.slice(0, 2).toUpperCase();
        if (marker !== 'AM' && marker !== 'PM') fail(` ${quote(rest)} as "PM"`);
        pm = marker === 'PM';
        pmSet = true;
        rest = rest.slice(2);
        break;
      }
      case 'TZ': {
        if (rest.startsWith('UTC')) {
          zoneName = 'UTC';
          zoneOffset = 0;
          rest = rest.slice(3);
          break;
        }
        const match = /^[A-Z]{3,5}|^[+-]\d\d(?:\d\d)?/.exec(rest);
        if (!match) fail(` ${quote(rest)} as "MST"`);
        zoneName = match![0];
        rest = rest.slice(match![0].length);
        break;
      }
      case 'zone': {
        if (chunk.iso && (rest.startsWith('Z'))) {
          rest = rest.slice(1);
          zoneOffset = 0;
          zoneName = 'UTC';
          break;
        }
        const sep = chunk.colons ? ':' : '';
        const pattern = new RegExp(`^([+-])(\\d\\d)${chunk.minutes ? `${sep}(\\d\\d)` : ''}${chunk.seconds ? `${sep}(\\d\\d)` : ''}`);
        const match = pattern.exec(rest);
        if (!match) fail(` ${quote(rest)} as a zone`);
        const [, sign, hours, minutes, seconds] = match!;
        zoneOffset = (sign === '-' ? -1 : 1) * (Number(hours) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0));
        rest = rest.slice(match![0].length);
        break;
      }
      case 'fraction': {
        const match = new RegExp(`^[.,](\\d${chunk.trim ? '+' : `{${chunk.digits}}`})`).exec(rest);
        if (!match) {
          if (chunk.trim) break;
          fail(` ${quote(rest)} as a fraction`);
        }
        nanos = Number(match![1]!.slice(0, 9).padEnd(9, '0'));
        rest = rest.slice(match![0].length);
        break;
      }
    }
  }
  if (rest !== '') fail(`: extra text: ${quote(rest)}`);
  if (pmSet) {
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  if (yearDay >= 0) {
    if (yearDay < 1 || yearDay > (daysIn(2, year) === 29 ? 366 : 365)) fail(': day-of-year out of range');
    if (month < 0) {
      let remaining = yearDay;
      month = 1;
      while (remaining > daysIn(month, year)) remaining -= daysIn(month++, year);
      day = remaining;
    }
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (month < 1 || month > 12) fail(': month out of range');
  if (day < 1 || day > daysIn(month, year)) fail(': day out of range');
  let zone = location;
  if (zoneOffset !== undefined) {
    zone = zoneOffset === 0 && (zoneName === 'UTC' || zoneName === undefined) ? UTC : zoneOffset === LOCAL.offset && location === LOCAL ? LOCAL : fixedZone('', zoneOffset);
  } else if (zoneName !== undefined) {
    // An abbreviation the local zone does not know: a fabricated zone of that name and offset 0.
    zone = zoneName === LOCAL.abbreviation ? LOCAL : fixedZone(zoneName, 0);
  }
  return fromCivil(year, month, day, hour, minute, second, nanos, zone);
}

/** The part of a second as Go writes a Duration: "1h2m3.5s". */
export function durationString(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const negative = nanos < 0n;
  let u = negative ? -nanos : nanos;
  let out: string;
  if (u < BigInt(NANOS_PER_SECOND)) {
    const units: ReadonlyArray<readonly [bigint, string, number]> = [[1n, 'ns', 0], [1000n, 'µs', 3], [1_000_000n, 'ms', 6]];
    const [scale, unit, digits] = u < 1000n ? units[0]! : u < 1_000_000n ? units[1]! : units[2]!;
    out = `${decimal(u, scale, digits)}${unit}`;
  } else {
    const seconds = decimal(u % 60_000_000_000n, 1_000_000_000n, 9);
    u /= 60_000_000_000n;
    out = `${seconds}s`;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

function decimal(value: bigint, scale: bigint, digits: number): string {
  const whole = value / scale;
  const part = value % scale;
  if (part === 0n || digits === 0) return String(whole);
  return `${whole}.${String(part).padStart(digits, '0').replace(/0+$/, '')}`;
}

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** time.ParseDuration: "300ms", "-1.5h", "2h45m"; undefined when it is not one. */
export function parseDuration(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const match = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!match || (match[1] === '' && (match[2] === undefined || match[2] === ''))) return undefined;
    const unit = UNITS[match[3]!]!;
    const whole = BigInt(match[1] || '0');
    let value = whole * unit;
    if (match[2]) {
      const digits = match[2];
      value += (BigInt(digits) * unit) / 10n ** BigInt(digits.length);
    }
    total += value;
    if (total > 2n ** 63n - (negative ? 0n : 1n)) return undefined;
    rest = rest.slice(match[0].length);
  }
  return negative ? -total : total;
}
