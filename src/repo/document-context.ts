import { isScalar, type Node, type Scalar } from 'yaml';
import type { DocumentMeta, Origin, SourceText } from '../model/desired.js';
import type { Problem, Severity } from '../model/problem.js';
import { locateNode, originAt, originOf, type DataPath } from './locate.js';
import type { ParsedDocument } from './yaml-file.js';
import { scalarContentOffset, scalarContentOffsets } from './scalar-offsets.js';
import type { CompileHooks } from './hooks.js';

/** The offset of a 1-based line and column of `text`, given where its lines start. */
function offsetOfLineColumn(text: string, lineStarts: readonly number[], line: number, column: number): number {
  const start = lineStarts[Math.max(1, line) - 1];
  if (start === undefined) return text.length;
  return Math.min(text.length, start + Math.max(0, column - 1));
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** What a kind reader needs while it turns one validated document into the model. */
export class DocumentContext {
  readonly problems: Problem[] = [];
  /**
   * Scalars asked about more than one offset (an expression or scriptlet with several problems),
   * with every offset mapped at once: mapping each problem alone would read the scalar each time.
   */
  private readonly scalarOffsets = new Map<Scalar, ((offset: number) => number | undefined) | null>();

  constructor(
    readonly parsed: ParsedDocument,
    readonly apiVersion: string,
    private readonly hooks: CompileHooks = {},
  ) {}

  /** Compiles an include expression and reports its problems at their file line and column. */
  checkExpression(path: DataPath, text: string): void {
    for (const problem of this.hooks.expression?.(text) ?? []) {
      this.problems.push({ ...this.textOrigin(path, problem.offset), code: problem.code, severity: problem.severity ?? 'error', message: problem.message });
    }
  }

  /** Compiles an inline placement scriptlet and reports its problems inside the YAML block. */
  checkInlineScriptlet(path: DataPath, text: string): void {
    const problems = this.hooks.scriptlet?.(text, `${this.file} (${path.join('.')})`) ?? [];
    const lineStarts = problems.length > 0 ? lineStartsOf(text) : [];
    for (const problem of problems) {
      const offset = offsetOfLineColumn(text, lineStarts, problem.line, problem.column);
      this.problems.push({ ...this.textOrigin(path, offset), code: problem.code, severity: 'error', message: problem.message });
    }
  }

  get file(): string {
    return this.parsed.file;
  }

  origin(path: DataPath, prefer: 'key' | 'value' = 'value'): Origin {
    return originOf(this.parsed, path, prefer);
  }

  report(path: DataPath, code: string, message: string, options: { severity?: Severity; prefer?: 'key' | 'value' } = {}): void {
    this.problems.push({ ...this.origin(path, options.prefer), code, severity: options.severity ?? 'error', message });
  }

  /** A string value with the position of its first character, for compilers that report offsets. */
  sourceText(path: DataPath, text: string): SourceText {
    return { text, origin: this.textOrigin(path, 0) };
  }

  /** The file position of character `offset` inside the string at `path`. */
  textOrigin(path: DataPath, offset: number): Origin {
    const { node } = locateNode(this.parsed, path);
    if (node && isScalar(node) && node.range) {
      const fileOffset = this.scalarOffset(node as Scalar, offset);
      if (fileOffset !== undefined) return originAt(this.parsed, fileOffset);
    }
    return this.origin(path);
  }

  private scalarOffset(node: Scalar, offset: number): number | undefined {
    const known = this.scalarOffsets.get(node);
    if (known === undefined) {
      this.scalarOffsets.set(node, null);
      return scalarContentOffset(this.parsed.text, node, offset);
    }
    if (known) return known(offset);
    const lookup = scalarContentOffsets(this.parsed.text, node);
    this.scalarOffsets.set(node, lookup);
    return lookup(offset);
  }

  meta(raw: { name: string; description?: string; labels?: Record<string, string>; annotations?: Record<string, string> }): DocumentMeta {
    const meta: DocumentMeta = { name: raw.name, origin: this.origin(['kind'], 'key'), apiVersion: this.apiVersion, at: {} };
    if (raw.description !== undefined) meta.description = raw.description;
    if (raw.labels !== undefined) meta.labels = { ...raw.labels };
    if (raw.annotations !== undefined) meta.annotations = { ...raw.annotations };
    return meta;
  }

  /** Remembers where a reference field is, so a cross-document check can point at it. */
  noteReference(meta: DocumentMeta, path: DataPath): void {
    meta.at[path.join('.')] = this.origin(path);
  }

  node(path: DataPath): Node | null {
    return locateNode(this.parsed, path).node;
  }
}
