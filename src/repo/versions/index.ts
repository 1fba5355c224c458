import type { Document } from 'yaml';
import { migrationManagerBatch } from './migration-manager.js';

/** The newest document format, the one `ferry convert` writes and the model is read from. */
export const CURRENT_API_VERSION = 'ferry.dev/v1alpha1';

/**
 * A document format older than the current one. Each knows how to recognise its documents and how
 * to rewrite one into the next newer format on the YAML tree itself — so comments, key order and
 * the positions of moved values survive. Adding a version is adding one of these.
 */
export interface LegacyFormat {
  id: string;
  /** The format `upgrade` produces. */
  upgradesTo: string;
  recognizes(data: Record<string, unknown>): boolean;
  /** Rewrites the document in place; returns notes for the operator (what was dropped and why). */
  upgrade(document: Document.Parsed): string[];
}

export const LEGACY_FORMATS: LegacyFormat[] = [migrationManagerBatch];

export type FormatDetection =
  | { kind: 'current' }
  | { kind: 'legacy'; chain: LegacyFormat[] }
  | { kind: 'unsupported'; apiVersion: string }
  | { kind: 'unknown' };

export function detectFormat(data: Record<string, unknown>): FormatDetection {
  const apiVersion = data.apiVersion;
  if (apiVersion === CURRENT_API_VERSION) return { kind: 'current' };
  if (typeof apiVersion === 'string') {
    const legacy = LEGACY_FORMATS.find((format) => format.id === apiVersion);
    if (legacy) return { kind: 'legacy', chain: upgradeChain(legacy) };
    return { kind: 'unsupported', apiVersion };
  }
  const legacy = LEGACY_FORMATS.find((format) => format.recognizes(data));
  return legacy ? { kind: 'legacy', chain: upgradeChain(legacy) } : { kind: 'unknown' };
}

function upgradeChain(first: LegacyFormat): LegacyFormat[] {
  const chain = [first];
  let next = first.upgradesTo;
  while (next !== CURRENT_API_VERSION) {
    const step = LEGACY_FORMATS.find((format) => format.id === next);
    if (!step) throw new Error(`no upgrade path from ${first.id} to ${CURRENT_API_VERSION}`);
    chain.push(step);
    next = step.upgradesTo;
  }
  return chain;
}

/** Upgrades a document of an older format to the current one, in place. */
export function upgradeDocument(document: Document.Parsed, chain: LegacyFormat[]): string[] {
  return chain.flatMap((format) => format.upgrade(document));
}
