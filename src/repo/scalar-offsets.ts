import { Scalar } from 'yaml';

/**
 * Maps an offset inside a scalar's value to an offset in the file, so a compiler's column inside
 * an expression or scriptlet becomes a file line and column. Handles plain, single- and
 * double-quoted scalars (escapes and line folding) and literal/folded block scalars.
 * Returns undefined when the offset is beyond the value.
 */
export function scalarContentOffset(text: string, node: Scalar, offset: number): number | undefined {
  let found: number | undefined;
  walkScalar(text, node, (value, at) => {
    if (value !== offset) return false;
    found = at;
    return true;
  });
  return found;
}

/**
 * Every value offset of the scalar mapped to its file offset, built in one pass: for a scalar
 * asked about many offsets (an expression with many problems), where `scalarContentOffset` per
 * offset would read the scalar again each time.
 */
export function scalarContentOffsets(text: string, node: Scalar): (offset: number) => number | undefined {
  const table: number[] = [];
  const record = (value: number, at: number): boolean => {
    if (table[value] === undefined) table[value] = at;
    return false;
  };
  walkScalar(text, node, record);
  return (offset) => table[offset];
}

/**
 * Walks the scalar's raw text the way its value was built, telling `visit` each value offset and
 * the file offset it comes from (the first one when several do), until `visit` returns true.
 */
function walkScalar(text: string, node: Scalar, visit: (value: number, at: number) => boolean): void {
  const [start, valueEnd] = node.range!;
  switch (node.type) {
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      blockWalk(text, start, valueEnd, visit);
      return;
    case Scalar.QUOTE_DOUBLE:
      flowWalk(text, start + 1, 'double', visit);
      return;
    case Scalar.QUOTE_SINGLE:
      flowWalk(text, start + 1, 'single', visit);
      return;
    default:
      flowWalk(text, start, 'plain', visit);
  }
}

/** Walks the raw text the way the scalar's value was built, counting value characters. */
function flowWalk(text: string, rawStart: number, style: 'plain' | 'single' | 'double', visit: (value: number, at: number) => boolean): void {
  let value = 0;
  let i = rawStart;
  while (i < text.length) {
    if (visit(value, i)) return;
    const ch = text[i]!;
    if (style === 'single' && ch === "'") {
      if (text[i + 1] === "'") {
        i += 2;
        value++;
        continue;
      }
      return;
    }
    if (style === 'double' && ch === '"') return;
    if (style === 'double' && ch === '\\') {
      const next = text[i + 1];
      const width = next === 'x' ? 4 : next === 'u' ? 6 : next === 'U' ? 10 : 2;
      i += next === '\n' ? skipIndent(text, i + 2) - i : width;
      if (next !== '\n') value++;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      // Line folding: a line break plus the next line's indentation reads as one space
      // (or as line breaks when there are empty lines).
      let j = i;
      let breaks = 0;
      while (j < text.length && (text[j] === '\n' || text[j] === '\r' || text[j] === ' ' || text[j] === '\t')) {
        if (text[j] === '\n') breaks++;
        j++;
      }
      value += breaks > 1 ? breaks - 1 : 1;
      i = j;
      continue;
    }
    if (style === 'plain' && (ch === '#' || (ch === ':' && /[\s]/.test(text[i + 1] ?? ' ')))) return;
    i++;
    value++;
  }
  visit(value, i);
}

function skipIndent(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

function blockWalk(text: string, start: number, end: number, visit: (value: number, at: number) => boolean): void {
  // The header line (`|`, `|-`, `>2`…) ends at the first line break; content lines follow.
  let i = text.indexOf('\n', start);
  if (i < 0) return;
  i++;
  let indent = -1;
  let value = 0;
  while (i < Math.max(end, i + 1) && i < text.length) {
    const newline = text.indexOf('\n', i);
    const lineEnd = newline < 0 ? text.length : newline;
    if (indent < 0) {
      const firstContent = firstNonSpace(text, i, lineEnd);
      if (firstContent < lineEnd) indent = firstContent - i;
    }
    const contentStart = i + Math.min(Math.max(indent, 0), lineEnd - i);
    const contentLength = Math.max(0, lineEnd - contentStart);
    for (let k = 0; k <= contentLength; k++) if (visit(value + k, contentStart + k)) return;
    value += contentLength + 1;
    i = lineEnd + 1;
  }
}

/** The first character of `text[from, to)` that is not white space (as String.trim sees it), or `to`. */
function firstNonSpace(text: string, from: number, to: number): number {
  const line = text.slice(from, to);
  const trimmed = line.trimStart();
  return trimmed === '' ? to : to - trimmed.length;
}
