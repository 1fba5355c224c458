import { createHash } from 'node:crypto';
import type { Resolution } from '../../model/desired.js';
import type { ResolutionDocument } from '../../model/generated/documents.js';
import type { DocumentContext } from '../document-context.js';

export function readResolution(ctx: DocumentContext, raw: ResolutionDocument): Resolution {
  const spec = raw.spec;
  if (spec.action === 'reset' && spec.instance !== undefined) {
    ctx.report(['spec', 'instance'], 'unexpected-instance', 'a reset applies to the whole batch; remove spec.instance', { prefer: 'key' });
  }
  if (spec.action !== 'reset' && spec.instance === undefined) {
    ctx.report(['spec'], 'missing-field', `a ${spec.action} resolution needs spec.instance (the instance's name, location or UUID)`, { prefer: 'key' });
  }
  if (spec.cleanup && spec.action !== 'cancel') {
    ctx.report(['spec', 'cleanup'], 'cleanup-needs-cancel', 'cleanup only applies to the cancel action', { prefer: 'key' });
  }
  if (spec.force && spec.action !== 'reset') {
    ctx.report(['spec', 'force'], 'force-needs-reset', 'force only applies to the reset action', { prefer: 'key' });
  }
  const meta = ctx.meta(raw.metadata);
  ctx.noteReference(meta, ['spec', 'batch']);
  return {
    meta,
    id: `${ctx.file}#${raw.metadata.name}`,
    hash: contentHash(raw),
    batch: spec.batch,
    instance: spec.instance ?? null,
    action: spec.action,
    cleanup: spec.cleanup ?? false,
    force: spec.force ?? false,
    comment: spec.comment ?? '',
  };
}

/** SHA-256 of the document's data with keys sorted: comments and key order do not count. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
