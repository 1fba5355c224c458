// Reader for starlark-go's "chunked" test files (internal/chunkedfile): chunks separated by
// "---" lines, each an independent program, padded with newlines so line numbers match the
// file; a line containing ### "regexp" expects an error on that line.

import type { DialectOptions } from '../../../src/starlark/index.js';
import { goUnquote } from './go-unquote.js';

export interface Chunk {
  /** 1-based chunk number within the file. */
  index: number;
  /** File line where the chunk starts. */
  startLine: number;
  /** Source, padded with newlines so that its line numbers are the file's. */
  source: string;
  /** Expected error pattern by line. */
  wantErrors: Map<number, RegExp>;
  /** Problems found while reading the expectations. */
  readProblems: string[];
}

/** Dialect options a chunk enables with "option:NAME" (starlark-go's eval_test.go getOptions). */
export function chunkOptions(source: string): DialectOptions {
  const has = (name: string) => source.includes(`option:${name}`);
  return {
    set: has('set'),
    while: has('while'),
    topLevelControl: has('toplevelcontrol'),
    globalReassign: has('globalreassign'),
    recursion: has('recursion'),
    loadBindsGlobally: has('loadbindsglobally'),
  };
}

/** RE2 patterns of these files are plain enough for JS RegExp (with or without unicode mode). */
export function compileRe2(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return new RegExp(pattern);
  }
}

export function readChunks(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let linenum = 1;
  text.split('\n---\n').forEach((body, i) => {
    const startLine = linenum;
    const source = '\n'.repeat(linenum - 1) + body;
    const wantErrors = new Map<number, RegExp>();
    const readProblems: string[] = [];
    for (const line of body.split('\n')) {
      const hashes = line.indexOf('###');
      if (hashes >= 0) {
        const rest = line.slice(hashes + 3).trim();
        try {
          wantErrors.set(linenum, compileRe2(goUnquote(rest)));
        } catch (e) {
          readProblems.push(`line ${linenum}: not a quoted regexp: ${rest} (${(e as Error).message})`);
        }
      }
      linenum++;
    }
    linenum++;
    chunks.push({ index: i + 1, startLine, source, wantErrors, readProblems });
  });
  return chunks;
}

/** Tracks the expected errors of a chunk as actual errors are reported (chunkedfile.GotError/Done). */
export class Expectations {
  readonly problems: string[] = [];
  private readonly pending: Map<number, RegExp>;

  constructor(chunk: Chunk) {
    this.pending = new Map(chunk.wantErrors);
    this.problems.push(...chunk.readProblems);
  }

  gotError(line: number, message: string): void {
    const rx = this.pending.get(line);
    if (rx === undefined) {
      this.problems.push(`line ${line}: unexpected error: ${message}`);
      return;
    }
    this.pending.delete(line);
    if (!rx.test(message)) this.problems.push(`line ${line}: error ${JSON.stringify(message)} does not match pattern ${rx}`);
  }

  done(): string[] {
    for (const [line, rx] of this.pending) this.problems.push(`line ${line}: expected error matching ${rx}`);
    this.pending.clear();
    return this.problems;
  }
}
