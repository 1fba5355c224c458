import { isMap, LineCounter } from 'yaml';
import type { Problem } from '../model/problem.js';
import { detectFormat, upgradeDocument } from './versions/index.js';
import { composeYaml, duplicateKeys, MAX_ALIAS_COUNT } from './yaml-file.js';

export interface FileConversion {
  /** The file needs rewriting: at least one document is in an older format. */
  changed: boolean;
  /** The new text (equal to the input when nothing changed). */
  text: string;
  /** What the upgrade dropped or decided, per document, for the operator. */
  notes: string[];
  /** Problems that stop the file from being converted; the file is then left as it is. */
  problems: Problem[];
}

/**
 * Rewrites every document of a file that is in an older format into the current one, on the YAML
 * tree: comments, key order and the formatting of untouched values stay as they were.
 */
export function convertFile(file: string, text: string): FileConversion {
  const lineCounter = new LineCounter();
  const { documents: list, refusal } = composeYaml(text, lineCounter);
  const problems: Problem[] = [];
  const problem = (offset: number, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    problems.push({ file, line, column: col, code: 'yaml-syntax', severity: 'error', message: `${message}; fix the YAML before converting` });
  };
  if (refusal) problem(refusal.offset, refusal.message);
  for (const document of list) {
    for (const error of document.errors) problem(error.pos[0], error.message.split('\n')[0]!);
    for (const offset of duplicateKeys(document)) problem(offset, 'Map keys must be unique');
  }
  if (problems.length > 0) return { changed: false, text, notes: [], problems };
  const notes: string[] = [];
  let changed = false;
  list.forEach((document, index) => {
    if (!isMap(document.contents)) return;
    const data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>;
    const format = detectFormat(data);
    if (format.kind !== 'legacy') return;
    changed = true;
    const name = typeof data.name === 'string' ? data.name : `#${index + 1}`;
    for (const note of upgradeDocument(document, format.chain)) notes.push(`${file}: ${name}: ${note}`);
  });
  if (!changed) return { changed, text, notes, problems };
  return { changed, text: list.map((document) => document.toString({ lineWidth: 0 })).join(''), notes, problems };
}
