import {
  Composer, isAlias, isCollection, isMap, isPair, isScalar, Lexer, LineCounter, Parser,
  type Document, type Node, type Pair, type YAMLError,
} from 'yaml';
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

// Limits on what one file may hold: Ferry's documents need a fraction of each, and every one keeps
// reading a file linear in its size (docs/repository-format.md lists them). The file's size itself
// is bounded by MAX_FILE_BYTES (files.ts).

/** The most aliases a document may use; beyond it a document is treated as an alias bomb. */
export const MAX_ALIAS_COUNT = 100;

/** The deepest nesting a document may have; Ferry's own formats need fewer than ten levels. */
export const MAX_DEPTH = 64;

/** The most keys one mapping may have; the largest of Ferry's maps (labels, config) hold tens. */
export const MAX_MAPPING_KEYS = 10_000;

/** The most documents one file may hold; a file of overrides or resolutions holds thousands at most. */
export const MAX_DOCUMENTS = 20_000;

/**
 * How deep the text may nest, counted from its tokens (indentation, `-` `?` `:` on one line, open
 * brackets), before the yaml package's parser sees it: that parser recurses, and a few kilobytes
 * of `- - - …` or `[[[…` can crash the process rather than throw. Real documents, and anything
 * within MAX_DEPTH, stay far below it; MAX_DEPTH itself is checked exactly once parsed.
 */
const MAX_LEXICAL_DEPTH = 1_000;

const COMPOSE_OPTIONS = {
  // Duplicate keys are found below, in linear time: the package's check is quadratic per mapping.
  uniqueKeys: false,
  prettyErrors: false,
  strict: true,
  schema: 'core',
  merge: false,
  keepSourceTokens: false,
} as const;

export interface Finding {
  offset: number;
  code: string;
  message: string;
}

/**
 * Parses every document of a YAML file the strict way: YAML 1.2 core schema (no custom tags, no
 * implicit timestamps), duplicate keys are errors, and nesting, mapping sizes, aliases and the
 * number of documents are bounded — in time linear in the file.
 */
export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const problems: Problem[] = [];
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, column: col };
  };
  const found = (finding: Finding) => problems.push({ file, ...position(finding.offset), code: finding.code, severity: 'error', message: finding.message });
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
  const composed = composeYaml(text, lineCounter);
  const documents: ParsedDocument[] = [];
  composed.documents.forEach((document, index) => {
    const parsed = readDocument(file, index, document, lineCounter, text, report, found);
    if (parsed) documents.push(parsed);
  });
  if (composed.refusal) found(composed.refusal);
  return { documents, problems };
}

/**
 * The documents of a YAML text, composed the strict way (duplicate keys are left to
 * `duplicateKeys`), without ever handing the yaml package's parser more than MAX_LEXICAL_DEPTH
 * of nesting or composing more than MAX_DOCUMENTS documents; `refusal` says why the rest of the
 * text was not read. Linear in the text.
 */
export function composeYaml(text: string, lineCounter: LineCounter): { documents: Document.Parsed[]; refusal?: Finding } {
  const documents: Document.Parsed[] = [];
  try {
    for (const document of new Composer(COMPOSE_OPTIONS).compose(guardedTokens(text, lineCounter))) {
      if (documents.length === MAX_DOCUMENTS) {
        return { documents, refusal: { offset: document.range[0], code: 'yaml-too-many-documents', message: `the file holds more than ${count(MAX_DOCUMENTS)} documents; split it` } };
      }
      documents.push(document);
    }
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    // The parser never saw the rest: nothing of this file is read.
    const message = `the file nests or indents deeper than ${count(MAX_LEXICAL_DEPTH)} levels; no Ferry document needs that, the file is damaged`;
    return { documents: [], refusal: { offset: error.offset, code: 'yaml-too-deep', message } };
  }
  return { documents };
}

/** Where the keys are that repeat an earlier key of their mapping, as the yaml package's `uniqueKeys` finds them, in linear time. */
export function duplicateKeys(document: Document.Parsed): number[] {
  if (document.contents === null) return [];
  return inspect(document.contents as Node).duplicates.map((duplicate) => duplicate.offset);
}

function readDocument(
  file: string,
  index: number,
  document: Document.Parsed,
  lineCounter: LineCounter,
  text: string,
  report: (error: YAMLError, severity: 'error' | 'warning') => void,
  found: (finding: Finding) => void,
): ParsedDocument | undefined {
  for (const error of document.errors) report(error, 'error');
  for (const warning of document.warnings) report(warning, 'warning');
  if (document.contents === null || (isScalar(document.contents) && document.contents.value === null)) return undefined;
  const { duplicates, refusal } = inspect(document.contents as Node);
  for (const duplicate of duplicates) found(duplicate);
  if (refusal) {
    found(refusal);
    return undefined;
  }
  let data: unknown;
  try {
    // Expands aliases once, bounded, so an alias bomb is refused before anything else reads it
    // (the package counts an anchor as one of its own uses, hence the one more).
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT + 1 });
  } catch {
    if (document.errors.length > 0) return undefined;
    found({ offset: document.contents?.range?.[0] ?? 0, code: 'yaml-alias-bomb', message: aliasBombMessage() });
    return undefined;
  }
  const broken = document.errors.length > 0 || duplicates.length > 0;
  return { file, index, document, lineCounter, text, data, broken };
}

const aliasBombMessage = () => `the document expands too many aliases (more than ${MAX_ALIAS_COUNT}); write the values out instead`;

/**
 * One pass over a document's nodes (iterative, so depth cannot overflow): the duplicate keys of
 * every mapping (a Set each, so linear), and the first thing that refuses the document — nesting
 * deeper than MAX_DEPTH, a key that is a list or mapping, a mapping with more than
 * MAX_MAPPING_KEYS keys, more than MAX_ALIAS_COUNT aliases.
 */
function inspect(contents: Node): { duplicates: Finding[]; refusal?: Finding } {
  const duplicates: Finding[] = [];
  // Pre-order, in document order: a mapping's entries are visited one by one, key then value.
  const stack: Visit[] = [{ node: contents, depth: 1 }];
  let aliases = 0;
  const alias = (node: Node): Finding | undefined => {
    if (++aliases <= MAX_ALIAS_COUNT) return undefined;
    return { offset: node.range?.[0] ?? 0, code: 'yaml-alias-bomb', message: aliasBombMessage() };
  };
  while (stack.length > 0) {
    const visit = stack.pop()!;
    if ('pair' in visit) {
      const key = visit.pair.key as Node | null;
      if (key && isAlias(key)) {
        const refusal = alias(key);
        if (refusal) return { duplicates, refusal };
      } else if (key && !isScalar(key)) {
        return { duplicates, refusal: { offset: key.range?.[0] ?? 0, code: 'yaml-complex-key', message: 'a mapping key must be a plain value, not a list or mapping' } };
      } else if (key && visit.keys && !Number.isNaN(key.value)) {
        // Scalars are the same key when their values are (`1` and `0x1`, `true` and `True`), as the yaml package compares them.
        if (visit.keys.has(key.value)) duplicates.push({ offset: key.range?.[0] ?? 0, code: 'yaml-duplicate-key', message: DUPLICATE_KEY_MESSAGE });
        else visit.keys.add(key.value);
      }
      const value = visit.pair.value as Node | null;
      // A plain value needs no visit of its own (most values are): only its depth counts.
      if (value && isScalar(value) && visit.depth <= MAX_DEPTH) continue;
      if (value) stack.push({ node: value, depth: visit.depth });
      continue;
    }
    const { node, depth } = visit;
    if (depth > MAX_DEPTH) {
      return { duplicates, refusal: { offset: node.range?.[0] ?? 0, code: 'yaml-too-deep', message: `the document nests deeper than ${MAX_DEPTH} levels` } };
    }
    if (isAlias(node)) {
      const refusal = alias(node);
      if (refusal) return { duplicates, refusal };
      continue;
    }
    if (!isCollection(node)) continue;
    if (isMap(node) && node.items.length > MAX_MAPPING_KEYS) {
      const first = node.items[MAX_MAPPING_KEYS]!.key as Node | null;
      return { duplicates, refusal: { offset: first?.range?.[0] ?? node.range?.[0] ?? 0, code: 'yaml-too-many-keys', message: `the mapping has more than ${count(MAX_MAPPING_KEYS)} keys; no Ferry document needs that many` } };
    }
    const keys = isMap(node) ? new Set<unknown>() : undefined;
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item = node.items[i];
      if (isPair(item)) stack.push({ pair: item, keys, depth: depth + 1 });
      else if (item && !(isScalar(item) && depth < MAX_DEPTH)) stack.push({ node: item as Node, depth: depth + 1 });
    }
  }
  return { duplicates };
}

/** A node to inspect at its depth, or a mapping entry with the keys of its mapping seen so far. */
type Visit = { node: Node; depth: number } | { pair: Pair; keys: Set<unknown> | undefined; depth: number };

const DUPLICATE_KEY_MESSAGE = 'this key appears twice in the same mapping; keep one';

/** Thrown out of the token stream when the text nests deeper than MAX_LEXICAL_DEPTH. */
class TooDeep {
  constructor(readonly offset: number) {}
}

/**
 * The yaml package's parse (Parser.parse), token by token, refusing to hand the parser a text
 * that nests deeper than MAX_LEXICAL_DEPTH: a bound from the tokens of each line — its
 * indentation, its block indicators and the brackets open — that no real nesting exceeds.
 */
function* guardedTokens(text: string, lineCounter: LineCounter) {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  let offset = 0;
  let brackets = 0;
  let indent = 0;
  let indicators = 0;
  let lineStart = true;
  let scalarNext = false;
  for (const lexeme of new Lexer().lex(text)) {
    if (scalarNext) {
      scalarNext = false;
      // A block scalar's text runs to the end of its last line.
      lineStart = lexeme.endsWith('\n');
      if (lineStart) indent = indicators = 0;
    } else if (lexeme === SCALAR) {
      scalarNext = true;
    } else if (lexeme === '\n' || lexeme === '\r\n' || lexeme === '') {
      lineStart = true;
      indent = indicators = 0;
    } else if (lexeme[0] === ' ' || lexeme[0] === '\t') {
      if (lineStart) indent += lexeme.length;
    } else if (lexeme !== DOC_MODE && lexeme !== FLOW_END) {
      lineStart = false;
      if (lexeme === '-' || lexeme === '?' || lexeme === ':') indicators++;
      else if (lexeme === '[' || lexeme === '{') brackets++;
      else if ((lexeme === ']' || lexeme === '}') && brackets > 0) brackets--;
      if (indent + indicators + brackets > MAX_LEXICAL_DEPTH) throw new TooDeep(offset);
    }
    yield* parser.next(lexeme);
    if (lexeme !== SCALAR && lexeme !== DOC_MODE && lexeme !== FLOW_END) offset += lexeme.length;
  }
  yield* parser.end();
}

/** The lexer's marks that are not text (yaml's CST): before a scalar's source, document mode, the end of a broken flow collection. */
const SCALAR = '\x1f';
const DOC_MODE = '\x02';
const FLOW_END = '\x18';

const count = (n: number): string => n.toLocaleString('en-US');

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
  if (error.code === 'DUPLICATE_KEY') return DUPLICATE_KEY_MESSAGE;
  if (error.code === 'TAG_RESOLVE_FAILED') {
    return `${first}; Ferry reads plain YAML only (no custom tags)`;
  }
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** The top-level mapping of a document, or undefined when the document is not a mapping. */
export function topMapping(document: Document.Parsed) {
  return isMap(document.contents) ? document.contents : undefined;
}
