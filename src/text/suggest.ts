// "Did you mean" hints, shared by every place that reports an unknown name. A hint must stay cheap
// whatever it is given: the word may be a value megabytes long (a YAML string, an argument) and the
// candidates thousands (instance names). So a word longer than a name gets no hint; a candidate is
// compared only when its length is within the allowed distance of the word's (tested on its length
// before its text is read); and the distance is computed in a band that wide, given up as soon as
// it exceeds the best found so far. The work is counted — candidates read, cells of the distance
// table computed — and the tests bound it (test/text/suggest.test.ts).

/** The longest word, in code points, that is given a hint: longer than any name Ferry knows. */
export const LONGEST_HINTED = 64;

/** A hint, and the work done to find it. */
export interface Suggestion {
  hint: string | undefined;
  /** Candidates whose text was read. */
  compared: number;
  /** Cells of the distance tables computed. */
  cells: number;
}

/**
 * The candidate closest to `word` (case-insensitive) if it is close enough to be a typo of it: at
 * most a third of the word's length away (one edit for short words), where swapping two
 * neighbouring characters counts as one edit, like any other typo. On ties, the first candidate.
 */
export function suggestion(word: string, candidates: Iterable<string>): Suggestion {
  // A code point is one or two code units: the first test spares reading a long word.
  if (word.length > 2 * LONGEST_HINTED || codePoints(word).length > LONGEST_HINTED) return { hint: undefined, compared: 0, cells: 0 };
  const lowered = codePoints(word.toLowerCase());
  let best: string | undefined;
  let limit = Math.max(1, Math.floor(lowered.length / 3));
  let compared = 0;
  let cells = 0;
  for (const candidate of candidates) {
    // A code point is one or two code units, and lower case may double a letter (İ → i̇): a
    // candidate whose code units are this far off cannot be within `limit` of the word.
    if (2 * candidate.length < lowered.length - limit || candidate.length > 2 * (lowered.length + limit)) continue;
    compared++;
    const other = codePoints(candidate.toLowerCase());
    const measured = boundedDistance(lowered, other, limit);
    cells += measured.cells;
    if (measured.distance <= limit) {
      best = candidate;
      if (measured.distance === 0) break;
      // Only a strictly closer candidate replaces it.
      limit = measured.distance - 1;
    }
  }
  return { hint: best, compared, cells };
}

/** The hint alone (see `suggestion`). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return suggestion(word, candidates).hint;
}

/** `; did you mean "x"?` or nothing, to end a sentence about an unknown name. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hint = closest(word, candidates);
  return hint ? `; did you mean "${hint}"?` : '';
}

function codePoints(text: string): number[] {
  return Array.from(text, (character) => character.codePointAt(0)!);
}

/**
 * The edit distance of `a` and `b` (insertions, deletions, substitutions and transpositions of
 * neighbours, each one edit) when it is at most `limit`, else `limit + 1`. Only the cells within
 * `limit` of the diagonal are computed, and the computation stops at a row whose every cell
 * exceeds `limit` (a transposition skips a row, but never a cheaper path than the substitution
 * next to it in the skipped row).
 */
export function boundedDistance(a: readonly number[], b: readonly number[], limit: number): { distance: number; cells: number } {
  const over = limit + 1;
  if (Math.abs(a.length - b.length) > limit) return { distance: over, cells: 0 };
  let cells = 0;
  let twoAbove: number[] = [];
  let above = Array.from({ length: b.length + 1 }, (_, j) => (j <= limit ? j : over));
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(over);
    row[0] = i <= limit ? i : over;
    let least = row[0];
    for (let j = Math.max(1, i - limit); j <= Math.min(b.length, i + limit); j++) {
      cells++;
      let distance = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, twoAbove[j - 2]! + 1);
      row[j] = Math.min(distance, over);
      least = Math.min(least, row[j]!);
    }
    if (least > limit) return { distance: over, cells };
    twoAbove = above;
    above = row;
  }
  return { distance: above[b.length]!, cells };
}
