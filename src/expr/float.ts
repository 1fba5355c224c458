// Go's float64 as an expression value. Ints are JavaScript numbers (or bigints), so a float is
// boxed: `7 / 2` is a Float64 and `3` is not, at run time as in the checker, which is what keeps
// `%`, `type()`, `string()` and the int/float rules of expr-lang exact. Floats are rare in include
// expressions; the ints they compare are not boxed.

export class Float64 {
  constructor(readonly value: number) {}
}

export function float(value: number): Float64 {
  return new Float64(value);
}

/** strconv.FormatFloat(f, 'g', -1, 64), which fmt's %v uses: shortest digits, e-form outside 1e-4 ≤ |f| < 1e6. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 6) {
    const digits = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : String(Math.abs(exponent));
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return `${sign}${Math.abs(value).toString()}`;
}

/** encoding/json's float64: shortest digits, e-form only below 1e-6 or from 1e21. */
export function jsonFloat(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // strconv's 'e' form, then json's clean-up of "e-09" to "e-9".
    const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
    const exponent = Number(exponentText);
    return exponent < 0 ? `${mantissa}e${exponent}` : `${mantissa}e+${String(exponent).padStart(2, '0')}`;
  }
  return Object.is(value, -0) ? '-0' : String(value);
}
