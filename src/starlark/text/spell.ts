// "Did you mean" suggestions, ported from starlark-go's internal/spell so hints match.

import { bytesOfRunes, runesOf } from './utf8.js';
import { simpleLower } from './unicode.js';

function fold(s: string): string {
  if (/^[a-z0-9]*$/.test(s)) return s;
  return bytesOfRunes(runesOf(s).filter((r) => r !== 95).map(simpleLower));
}

function levenshtein(x: string, y: string, max: number): number {
  if (x.length > y.length) [x, y] = [y, x];
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      x = x.slice(i);
      y = y.slice(i);
      break;
    }
  }
  if (x === '') return y.length;
  const diff = Math.abs(x.length - y.length);
  if (diff > max) return diff;
  const row: number[] = [];
  for (let i = 0; i <= y.length; i++) row.push(i);
  for (let i = 1; i <= x.length; i++) {
    row[0] = i;
    let best = i;
    let prev = i - 1;
    for (let j = 1; j <= y.length; j++) {
      const a = prev + (x[i - 1] !== y[j - 1] ? 1 : 0);
      const b = 1 + row[j - 1];
      const c = 1 + row[j];
      const k = Math.min(a, b, c);
      prev = row[j];
      row[j] = k;
      best = Math.min(best, k);
    }
    if (best > max) return best;
  }
  return row[y.length];
}

/**
 * Names longer than this, in bytes, are neither given a hint nor offered as one (starlark-go has no
 * such bound): a name can be a string built at run time (`getattr(x, "a" * 1000000)`), and the
 * distance costs the product of the lengths. Ferry's other hints (src/text/suggest.ts) follow the
 * same bound; the interpreter imports nothing from Ferry, and keeps starlark-go's distance so that
 * its hints match.
 */
const LONGEST_HINTED = 64;

/** The candidate nearest to `x`, allowing up to 50% typos, or "" if none is close. */
export function nearest(x: string, candidates: Iterable<string>): string {
  if (x.length > LONGEST_HINTED) return '';
  x = fold(x);
  let best = '';
  let bestD = Math.floor((x.length + 1) / 2);
  for (const c of candidates) {
    if (c.length > LONGEST_HINTED) continue;
    const d = levenshtein(x, fold(c), bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}
