// Which systems a command may contact (docs/security.md). A Source's or Target's connection
// settings — its type, endpoint, certificate pins and secret references — are honoured only from
// the trusted revision: a real system is contacted only when the revision being planned or applied
// names it with exactly the trusted settings, and then with the trusted document. Anything else is
// planned from the status branch, and the change is reported for review. The simulator is data in
// the repository (no endpoint, no secret), so it is always run.

import type { DesiredState, SecretReference, Source, Target } from '../model/desired.js';

export type ConnectionKind = 'Source' | 'Target';

/** A connection setting the planned revision changes against the trusted one. */
export interface ConnectionChange {
  kind: ConnectionKind;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** The settings that differ (`spec.endpoint`, `spec.password_from`…); empty for added or removed. */
  fields: string[];
}

export interface ConnectionPlan {
  /** Real sources and targets to contact, each with the trusted document to contact it with. */
  sources: ReadonlyMap<string, Source>;
  targets: ReadonlyMap<string, Target>;
  /** Real sources and targets of the planned revision that are not contacted. */
  offline: { sources: ReadonlySet<string>; targets: ReadonlySet<string> };
  changes: ConnectionChange[];
}

const SOURCE_SETTINGS = ['type', 'endpoint', 'username', 'password_from', 'trusted_server_certificate_fingerprint', 'trusted_server_certificate_from'] as const;
// mover_image and virtio_win_image are files of the reconciler's machine that Ferry reads and uploads: like a secret reference, only the trusted revision's.
const TARGET_SETTINGS = [
  'type',
  'endpoint',
  'trusted_server_certificate_fingerprint',
  'trusted_server_certificate_from',
  'tls_client_cert_from',
  'tls_client_key_from',
  'trust_token_from',
  'mover_image',
  'virtio_win_image',
] as const;

function same(a: string | SecretReference | undefined, b: string | SecretReference | undefined): boolean {
  if (a === undefined || b === undefined || typeof a === 'string' || typeof b === 'string') return a === b;
  return a.env === b.env && a.file === b.file;
}

/** The connection settings of a document that differ from the trusted one's. */
export function changedSettings<D extends Source | Target>(planned: D, trusted: D, settings: readonly string[]): string[] {
  const fields: string[] = [];
  for (const key of settings) {
    const a = (planned as unknown as Record<string, string | SecretReference | undefined>)[key];
    const b = (trusted as unknown as Record<string, string | SecretReference | undefined>)[key];
    if (!same(a, b)) fields.push(`spec.${key}`);
  }
  return fields;
}

/**
 * What may be contacted while planning or applying `planned`. `trusted` null: no trusted revision
 * is known, so no real system is contacted. `contact: false`: an offline plan, which contacts
 * nothing real either way but still reports the changes.
 */
export function planConnections(planned: DesiredState, trusted: DesiredState | null, contact: boolean): ConnectionPlan {
  const plan = { sources: new Map<string, Source>(), targets: new Map<string, Target>(), offline: { sources: new Set<string>(), targets: new Set<string>() }, changes: [] as ConnectionChange[] };
  const sides = [
    { kind: 'Source' as const, planned: planned.sources, trusted: trusted?.sources ?? [], settings: SOURCE_SETTINGS, grant: plan.sources as Map<string, Source | Target>, offline: plan.offline.sources },
    { kind: 'Target' as const, planned: planned.targets, trusted: trusted?.targets ?? [], settings: TARGET_SETTINGS, grant: plan.targets as Map<string, Source | Target>, offline: plan.offline.targets },
  ];
  for (const side of sides) {
    const trustedByName = new Map<string, Source | Target>(side.trusted.map((doc) => [doc.meta.name, doc]));
    for (const doc of side.planned as (Source | Target)[]) {
      const name = doc.meta.name;
      const reference = trustedByName.get(name);
      if (trusted !== null && reference === undefined) plan.changes.push({ kind: side.kind, name, change: 'added', fields: [] });
      else if (reference !== undefined) {
        const fields = changedSettings(doc, reference, side.settings);
        if (fields.length > 0) plan.changes.push({ kind: side.kind, name, change: 'changed', fields });
      }
      if (doc.type === 'sim') continue;
      const unchanged = reference !== undefined && changedSettings(doc, reference, side.settings).length === 0;
      if (contact && unchanged) side.grant.set(name, reference);
      else side.offline.add(name);
    }
    const plannedNames = new Set((side.planned as (Source | Target)[]).map((doc) => doc.meta.name));
    for (const name of trustedByName.keys()) if (!plannedNames.has(name)) plan.changes.push({ kind: side.kind, name, change: 'removed', fields: [] });
  }
  return plan;
}

/** One sentence per change, for plans and pull-request comments. */
export function describeConnectionChange(change: ConnectionChange): string {
  switch (change.change) {
    case 'added':
      return `adds ${change.kind} ${change.name}`;
    case 'removed':
      return `removes ${change.kind} ${change.name}`;
    case 'changed':
      return `changes ${change.fields.join(', ')} of ${change.kind} ${change.name}`;
  }
}

/** Every real system of a revision the caller knows to be trusted, with its own documents. */
export function contactAll(state: DesiredState): ConnectionPlan {
  return planConnections(state, state, true);
}
