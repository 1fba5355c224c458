// float(string) accepts what Go's strconv.ParseFloat accepts: decimal and hexadecimal
// (0x1.8p3) forms, and underscores between digits; Inf/NaN spellings are handled by the caller.

/** strconv's underscoreOK: underscores only between digits (or right after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1].toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1].toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i].toLowerCase();
    if ((c >= '0' && c <= '9') || (hex && c >= 'a' && c <= 'f')) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/;

function parseHex(m: RegExpExecArray): number | undefined {
  const [, sign, whole, frac = '', expText] = m;
  if (whole === '' && frac === '') return undefined;
  const mantissa = BigInt(`0x${whole + frac || '0'}`);
  const exp = Number(expText) - 4 * frac.length;
  let value: number;
  if (mantissa === 0n) {
    value = 0;
  } else {
    // Scale in two steps so neither the mantissa nor the power of two overflows early.
    const bits = mantissa.toString(2).length;
    const shift = bits > 60 ? bits - 60 : 0;
    value = Number(mantissa >> BigInt(shift)) * 2 ** Math.min(Math.max(exp + shift, -1100), 1100);
    if (exp + shift > 1100) value = Infinity;
  }
  return sign === '-' ? -value : value;
}

/**
 * The float a string denotes; undefined if it is not a float literal; ±Infinity if it is out
 * of range (the caller reports "floating-point number too large").
 */
export function parseGoFloat(s: string): number | undefined {
  if (s.includes('_')) {
    if (!underscoreOK(s)) return undefined;
    s = s.replace(/_/g, '');
  }
  if (DECIMAL.test(s)) return Number(s);
  const hex = HEX.exec(s);
  return hex === null ? undefined : parseHex(hex);
}
