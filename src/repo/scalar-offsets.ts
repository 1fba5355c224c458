import { Scalar } from 'yaml';

/**
 * Maps an offset inside a scalar's value to an offset in the file, so a compiler's column inside
 * an expression or scriptlet becomes a file line and column. Handles plain, single- and
 * double-quoted scalars (escapes and line folding) and literal/folded block scalars.
 * Returns undefined when the offset is beyond the value.
 */
export function scalarContentOffset(text: string, node: Scalar, offset: number): number | undefined {
  const [start, valueEnd] = node.range!;
  switch (node.type) {
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      return blockOffset(text, start, valueEnd, offset);
    case Scalar.QUOTE_DOUBLE:
      return flowOffset(text, start + 1, offset, 'double');
    case Scalar.QUOTE_SINGLE:
      return flowOffset(text, start + 1, offset, 'single');
    default:
      return flowOffset(text, start, offset, 'plain');
  }
}

/** Walks the raw text the way the scalar's value was built, counting value characters. */
function flowOffset(text: string, rawStart: number, offset: number, style: 'plain' | 'single' | 'double'): number | undefined {
  let value = 0;
  let i = rawStart;
  while (i < text.length) {
    if (value === offset) return i;
    const ch = text[i]!;
    if (style === 'single' && ch === "'") {
      if (text[i + 1] === "'") {
        i += 2;
        value++;
        continue;
      }
      return value === offset ? i : undefined;
    }
    if (style === 'double' && ch === '"') return value === offset ? i : undefined;
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
    if (style === 'plain' && (ch === '#' || (ch === ':' && /[\s]/.test(text[i + 1] ?? ' ')))) {
      return value === offset ? i : undefined;
    }
    i++;
    value++;
  }
  return value === offset ? i : undefined;
}

function skipIndent(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

function blockOffset(text: string, start: number, end: number, offset: number): number | undefined {
  // The header line (`|`, `|-`, `>2`…) ends at the first line break; content lines follow.
  let i = text.indexOf('\n', start);
  if (i < 0) return undefined;
  i++;
  let indent = -1;
  let value = 0;
  while (i < Math.max(end, i + 1) && i < text.length) {
    const lineEnd = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    const line = text.slice(i, lineEnd);
    if (indent < 0 && line.trim() !== '') indent = line.length - line.trimStart().length;
    const contentStart = i + Math.min(Math.max(indent, 0), line.length);
    const contentLength = Math.max(0, lineEnd - contentStart);
    if (offset <= value + contentLength) return contentStart + (offset - value);
    value += contentLength + 1;
    i = lineEnd + 1;
  }
  return undefined;
}
