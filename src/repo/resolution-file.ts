// A Resolution document as a file: written by `ferry resolve` and by the conflict pull requests
// Ferry opens (src/github/report.ts). One place decides what such a file looks like.

import { Document } from 'yaml';
import type { ResolutionAction } from '../model/desired.js';

export interface ResolutionSpecText {
  batch: string;
  instance?: string;
  action: ResolutionAction;
  cleanup?: boolean;
  force?: boolean;
  comment?: string;
}

/** The YAML text of a Resolution; `note` lines go into the header comment. */
export function resolutionYaml(name: string, spec: ResolutionSpecText, note: string[] = []): string {
  const doc = new Document({
    apiVersion: 'ferry.dev/v1alpha1',
    kind: 'Resolution',
    metadata: { name },
    spec: {
      batch: spec.batch,
      ...(spec.instance !== undefined ? { instance: spec.instance } : {}),
      action: spec.action,
      ...(spec.cleanup === true ? { cleanup: true } : {}),
      ...(spec.force === true ? { force: true } : {}),
      ...(spec.comment !== undefined ? { comment: spec.comment } : {}),
    },
  });
  const header = [' yaml-language-server: $schema=../.ferry/ferry.schema.json', ' One-shot: applied once by the reconciler after this file is merged.', ...note.map((line) => ` ${line.replace(/[\r\n]+/g, ' ')}`)];
  doc.commentBefore = header.join('\n');
  return doc.toString();
}

/** A document-name-safe slug of an instance or batch name (its last path segment). */
export function resolutionSlug(text: string): string {
  const base = text.includes('/') ? text.slice(text.lastIndexOf('/') + 1) : text;
  const slug = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug === '' ? 'entry' : slug;
}
