// The examples the parity suite compares: every code span and unlabelled code block line of
// docs/expressions.md, and every string literal of the expression unit tests (test/expr). Many
// are not expressions (test names, fragments); the suite keeps those that at least one of the
// two implementations compiles, so that the list needs no upkeep when a test or the page changes.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Example {
  source: string;
  /** Where it was found: the page or test file. */
  origin: string;
}

export function documentationExamples(): Example[] {
  const origin = 'docs/expressions.md';
  const page = readFileSync(join(root, origin), 'utf8');
  const found: string[] = [];
  let fence: string | undefined;
  for (const line of page.split('\n')) {
    const opening = /^```(\S*)\s*$/.exec(line);
    if (opening) {
      fence = fence === undefined ? opening[1]! : undefined;
      continue;
    }
    if (fence !== undefined) {
      if (fence === '' || fence === 'expr') found.push(line.trim());
      continue;
    }
    for (const span of line.matchAll(/(`+)(.+?)\1/g)) found.push(span[2]!.trim().replace(/\\\|/g, '|'));
  }
  return unique(found).map((source) => ({ source, origin }));
}

export function unitTestExamples(): Example[] {
  const folder = join(root, 'test', 'expr');
  const examples: Example[] = [];
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts')).sort()) {
    const origin = `test/expr/${file}`;
    const tree = ts.createSourceFile(file, readFileSync(join(folder, file), 'utf8'), ts.ScriptTarget.ES2022, false);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
      ts.forEachChild(node, visit);
    };
    visit(tree);
    examples.push(...unique(found).map((source) => ({ source, origin })));
  }
  return examples;
}

function unique(sources: readonly string[]): string[] {
  return [...new Set(sources.filter((source) => source.length > 0 && source.length < 2000))];
}
