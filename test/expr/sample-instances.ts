import { readFileSync } from 'node:fs';
import type { InstanceDocument } from '../../src/model/instance.js';
import { normalizeInstance } from '../../src/model/instance.js';
import { expressionView, type ExpressionView } from '../../src/expr/index.js';

/** test/fixtures/instances.json: migration-manager instance JSON, as `ferry query --instances` reads it. */
export const SAMPLE_DOCUMENTS = JSON.parse(
  readFileSync(new URL('../fixtures/instances.json', import.meta.url), 'utf8'),
) as InstanceDocument[];

/** The sample instances as expressions see them, keyed by their (overridden) name. */
export const SAMPLE_VIEWS: ReadonlyMap<string, ExpressionView> = new Map(
  SAMPLE_DOCUMENTS.map((document) => {
    const view = expressionView(normalizeInstance(document));
    return [view.name, view];
  }),
);

export const SAMPLE_NAMES = [...SAMPLE_VIEWS.keys()];
