import { isAlias, isCollection, isMap, isPair, isScalar, LineCounter, parseAllDocuments, type Document, type Node, type YAMLError } from 'yaml';
import type { Problem } from '../model/problem.js';

/** One YAML document of a repository file, with what is needed to point back into the file. */
export interface ParsedDocument {
  file: string;
  /** 0-based index of the document inside its file. */
  index: number;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The file's whole text (documents of one file share it). */
  text: string;
  /** The document as plain data (aliases expanded, bounded). */
  data: unknown;
  /** The YAML had errors: the data is a best effort, good only for naming the document. */
  broken: boolean;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  problems: Problem[];
}

/** The most aliases a file may expand; beyond it a file is treated as an alias bomb. */
export const MAX_ALIAS_COUNT = 100;

/** The deepest nesting a document may have; Ferry's own formats need fewer than ten levels. */
export const MAX_DEPTH = 64;

/**
 * Finds what no Ferry document contains and what would make reading it expensive: nesting deeper
 * than MAX_DEPTH, and mapping keys that are not plain scalars. Iterative, so depth cannot overflow.
 */
function structuralProblem(contents: Node | null): { offset: number; code: string; message: string } | undefined {
  const stack: [Node, number][] = contents ? [[contents, 1]] : [];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) {
      return { offset: node.range?.[0] ?? 0, code: 'yaml-too-deep', message: `the document nests deeper than ${MAX_DEPTH} levels` };
    }
    if (!isCollection(node)) continue;
    for (const item of node.items) {
      if (isPair(item)) {
        const key = item.key as Node | null;
        if (key && !isScalar(key) && !isAlias(key)) {
          return { offset: key.range?.[0] ?? 0, code: 'yaml-complex-key', message: 'a mapping key must be a plain value, not a list or mapping' };
        }
        if (item.value) stack.push([item.value as Node, depth + 1]);
      } else if (item) {
        stack.push([item as Node, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Parses every document of a YAML file the strict way: YAML 1.2 core schema (no custom tags, no
 * implicit timestamps), duplicate keys are errors, and alias expansion is bounded.
 */
export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const problems: Problem[] = [];
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, column: col };
  };
  const report = (error: YAMLError, severity: 'error' | 'warning') => {
    const code = yamlErrorCode(error);
    problems.push({
      file,
      ...position(error.pos[0]),
      code,
      severity: code === 'yaml-warning' ? severity : 'error',
      message: yamlErrorMessage(error),
    });
  };
  const parsed = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    schema: 'core',
    merge: false,
    keepSourceTokens: false,
  });
  const list = Array.isArray(parsed) ? parsed : [];
  const documents: ParsedDocument[] = [];
  list.forEach((document, index) => {
    for (const error of document.errors) report(error, 'error');
    for (const warning of document.warnings) report(warning, 'warning');
    if (document.contents === null || (isScalar(document.contents) && document.contents.value === null)) return;
    const structure = structuralProblem(document.contents as Node | null);
    if (structure) {
      problems.push({ file, ...position(structure.offset), code: structure.code, severity: 'error', message: structure.message });
      return;
    }
    let data: unknown;
    try {
      // Expands aliases once, bounded, so an alias bomb is refused before anything else reads it.
      data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      if (document.errors.length > 0) return;
      const offset = document.contents?.range?.[0] ?? 0;
      problems.push({
        file,
        ...position(offset),
        code: 'yaml-alias-bomb',
        severity: 'error',
        message: `the document expands too many aliases (more than ${MAX_ALIAS_COUNT}); write the values out instead`,
      });
      return;
    }
    documents.push({ file, index, document, lineCounter, text, data, broken: document.errors.length > 0 });
  });
  return { documents, problems };
}

function yamlErrorCode(error: YAMLError): string {
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return 'yaml-duplicate-key';
    case 'TAG_RESOLVE_FAILED':
      return 'yaml-tag';
    case 'BAD_ALIAS':
    case 'ALIAS_PROPS':
      return 'yaml-alias';
    default:
      return error.name === 'YAMLWarning' ? 'yaml-warning' : 'yaml-syntax';
  }
}

function yamlErrorMessage(error: YAMLError): string {
  const first = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
  if (error.code === 'DUPLICATE_KEY') return 'this key appears twice in the same mapping; keep one';
  if (error.code === 'TAG_RESOLVE_FAILED') {
    return `${first}; Ferry reads plain YAML only (no custom tags)`;
  }
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** The top-level mapping of a document, or undefined when the document is not a mapping. */
export function topMapping(document: Document.Parsed) {
  return isMap(document.contents) ? document.contents : undefined;
}
