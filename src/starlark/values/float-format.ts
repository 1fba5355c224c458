// Float formatting with Go's strconv rules, which starlark-go uses: str() and %g print the
// shortest round-tripping digits (exponent form when the exponent is < -4 or >= 6, with a ".0"
// added to integral values); %e and %f print 6 digits, rounded half-to-even on the exact
// binary value.

import { chargeRunes } from '../eval/limits.js';

interface Digits {
  /** Decimal digits without leading zeros; "" for zero. */
  d: string;
  /** Position of the decimal point relative to the start of d. */
  dp: number;
}

function shortestDigits(f: number): Digits {
  if (f === 0) return { d: '', dp: 0 };
  const s = f.toExponential();
  const e = s.indexOf('e');
  const d = s.slice(0, e).replace('.', '');
  return { d, dp: Number(s.slice(e + 1)) + 1 };
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(f: number): Digits {
  if (f === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  // Up to about 770 digits (for 5e-324): a few microseconds, charged like decoding that many bytes.
  chargeRunes(digits.length);
  const trimmed = digits.replace(/^0+/, '');
  dp -= digits.length - trimmed.length;
  return { d: trimmed.replace(/0+$/, ''), dp };
}

/** Rounds to `nd` significant digits, half to even (Go's decimal.Round). */
function round(digits: Digits, nd: number): Digits {
  const { d } = digits;
  if (nd < 0 || nd >= d.length) return digits;
  let up: boolean;
  if (d[nd] === '5' && nd + 1 === d.length) {
    up = nd > 0 && (d.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = d[nd] >= '5';
  }
  if (!up) {
    const kept = d.slice(0, nd).replace(/0+$/, '');
    return { d: kept, dp: kept === '' ? 0 : digits.dp };
  }
  let i = nd - 1;
  while (i >= 0 && d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: digits.dp + 1 };
  return { d: d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1), dp: digits.dp };
}

function fmtE(neg: boolean, digs: Digits, prec: number, e: string): string {
  let out = neg ? '-' : '';
  out += digs.d.length > 0 ? digs.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const more = digs.d.slice(1, prec + 1);
    out += more + '0'.repeat(prec - more.length);
  }
  let exp = digs.d.length === 0 ? 0 : digs.dp - 1;
  out += e;
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else {
    out += '+';
  }
  return out + (exp < 10 ? `0${exp}` : String(exp));
}

function fmtF(neg: boolean, digs: Digits, prec: number): string {
  let out = neg ? '-' : '';
  if (digs.dp > 0) {
    const m = Math.min(digs.d.length, digs.dp);
    out += digs.d.slice(0, m) + '0'.repeat(digs.dp - m);
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = digs.dp + i;
      out += j >= 0 && j < digs.d.length ? digs.d[j] : '0';
    }
  }
  return out;
}

function nonFinite(f: number): string | undefined {
  if (f === Infinity) return '+inf';
  if (f === -Infinity) return '-inf';
  if (Number.isNaN(f)) return 'nan';
  return undefined;
}

function isNegative(f: number): boolean {
  return f < 0 || Object.is(f, -0);
}

/** Go's FormatFloat(f, 'g' or 'G', -1, 64). */
function formatShortest(f: number, upper: boolean): string {
  const digs = shortestDigits(Math.abs(f));
  const neg = isNegative(f);
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= 6) return fmtE(neg, digs, digs.d.length - 1, upper ? 'E' : 'e');
  return fmtF(neg, digs, Math.max(digs.d.length - digs.dp, 0));
}

/** str(float) and '%g': shortest digits, always with a '.' or an exponent. */
export function formatFloatG(f: number, upper = false): string {
  const special = nonFinite(f);
  if (special !== undefined) return special;
  const s = formatShortest(f, upper);
  return s.includes(upper ? 'E' : 'e') || s.includes('.') ? s : `${s}.0`;
}

/** '%e' / '%E' with 6 digits after the point. */
export function formatFloatE(f: number, upper = false): string {
  const special = nonFinite(f);
  if (special !== undefined) return special;
  const digs = round(exactDigits(Math.abs(f)), 7);
  return fmtE(isNegative(f), digs, 6, upper ? 'E' : 'e');
}

/** '%f' / '%F' with 6 digits after the point. */
export function formatFloatF(f: number): string {
  const special = nonFinite(f);
  if (special !== undefined) return special;
  const exact = exactDigits(Math.abs(f));
  return fmtF(isNegative(f), round(exact, exact.dp + 6), 6);
}

/** Go's %g (used by json.encode): shortest, no ".0" added. */
export function formatFloatGoG(f: number): string {
  return formatShortest(f, false);
}
