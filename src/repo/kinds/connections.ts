import { BUDGET_BOUNDS, DEFAULT_BUDGETS, type Budgets } from '../../model/budgets.js';
import { parseByteSize, formatByteSize } from '../../model/bytes.js';
import { parseDuration } from '../../model/duration.js';
import type { Project, SecretReference, Source, Target } from '../../model/desired.js';
import { DEFAULT_PROJECT } from '../../model/desired.js';
import type { Budgets as BudgetSettings, ProjectDocument, SecretRef, SourceDocument, TargetDocument } from '../../model/generated/documents.js';
import { quoted } from '../../text/excerpt.js';
import type { DocumentContext } from '../document-context.js';

function ms(text: string): number {
  return parseDuration(text) ?? 0;
}

function secret(ref: SecretRef | undefined): SecretReference | undefined {
  if (!ref) return undefined;
  return ref.env !== undefined ? { env: ref.env } : { file: ref.file! };
}

function durationChecked(ctx: DocumentContext, path: (string | number)[], text: string | undefined, fallback: string): number {
  const value = parseDuration(text ?? fallback);
  if (value === undefined || value <= 0) {
    ctx.report(path, 'invalid-duration', `${String(path[path.length - 1])} must be a duration longer than 0, like 10m or 90s`);
    return ms(fallback);
  }
  return value;
}

export function readProject(ctx: DocumentContext, raw: ProjectDocument): Project {
  const spec = raw.spec ?? {};
  return {
    meta: ctx.meta(raw.metadata),
    status: {
      branch: spec.status?.branch ?? DEFAULT_PROJECT.status.branch,
      remote: spec.status?.remote ?? DEFAULT_PROJECT.status.remote,
      local: spec.status?.local ?? DEFAULT_PROJECT.status.local,
    },
    trust: { branch: spec.trust?.branch ?? DEFAULT_PROJECT.trust.branch },
    budgets: readBudgets(ctx, spec.budgets),
    reconcile: {
      interval_ms: durationChecked(ctx, ['spec', 'reconcile', 'interval'], spec.reconcile?.interval, '1m'),
      sync_interval_ms: durationChecked(ctx, ['spec', 'reconcile', 'sync_interval'], spec.reconcile?.sync_interval, '10m'),
    },
    github: {
      conflict_branch_prefix: spec.github?.conflict_branch_prefix ?? DEFAULT_PROJECT.github.conflict_branch_prefix,
      status_context: spec.github?.status_context ?? DEFAULT_PROJECT.github.status_context,
    },
  };
}

/** A duration setting of a budget within its bounds (the schema checked its form). */
function boundedDuration(ctx: DocumentContext, path: (string | number)[], text: string | undefined, fallback: number, bounds: { min: number; max: number }): number {
  if (text === undefined) return fallback;
  const value = parseDuration(text);
  if (value === undefined) return fallback;
  if (value < bounds.min || value > bounds.max) {
    ctx.report(path, 'out-of-range', `${path.join('.')} must be between ${bounds.min / 1000}s and ${bounds.max / 1000}s, not ${text}`);
    return Math.min(Math.max(value, bounds.min), bounds.max);
  }
  return value;
}

function readBudgets(ctx: DocumentContext, raw: BudgetSettings | undefined): Budgets {
  const d = DEFAULT_BUDGETS;
  const at = (...path: string[]) => ['spec', 'budgets', ...path];
  let memory = d.pull_request_plan.memory_bytes;
  const memoryText = raw?.pull_request_plan?.memory;
  if (memoryText !== undefined) {
    const bytes = parseByteSize(memoryText);
    const { min, max } = BUDGET_BOUNDS.planMemoryBytes;
    if (bytes !== undefined && (bytes < min || bytes > max)) {
      ctx.report(at('pull_request_plan', 'memory'), 'out-of-range', `spec.budgets.pull_request_plan.memory must be between ${formatByteSize(min)} and ${formatByteSize(max)}, not ${String(memoryText)}`);
    } else if (bytes !== undefined) memory = bytes;
  }
  return {
    expression: {
      work: raw?.expression?.work ?? d.expression.work,
      allocation: raw?.expression?.allocation ?? d.expression.allocation,
      time_ms: boundedDuration(ctx, at('expression', 'time'), raw?.expression?.time, d.expression.time_ms, BUDGET_BOUNDS.expressionTimeMs),
    },
    scriptlet: {
      work: raw?.scriptlet?.work ?? d.scriptlet.work,
      allocation: raw?.scriptlet?.allocation ?? d.scriptlet.allocation,
      call_depth: raw?.scriptlet?.call_depth ?? d.scriptlet.call_depth,
      time_ms: boundedDuration(ctx, at('scriptlet', 'time'), raw?.scriptlet?.time, d.scriptlet.time_ms, BUDGET_BOUNDS.scriptletTimeMs),
    },
    pull_request_plan: {
      time_ms: boundedDuration(ctx, at('pull_request_plan', 'time'), raw?.pull_request_plan?.time, d.pull_request_plan.time_ms, BUDGET_BOUNDS.planTimeMs),
      memory_bytes: memory,
    },
  };
}

export function readSource(ctx: DocumentContext, raw: SourceDocument): Source {
  const spec = raw.spec;
  if (spec.type === 'vmware') {
    for (const field of ['endpoint', 'username', 'password_from'] as const) {
      if (spec[field] === undefined) ctx.report(['spec'], 'missing-field', `a vmware source needs spec.${field}`, { prefer: 'key' });
    }
    if (spec.endpoint !== undefined && !/^https:\/\//.test(spec.endpoint)) {
      ctx.report(['spec', 'endpoint'], 'invalid-endpoint', `a vmware endpoint must be an https:// URL, not ${quoted(spec.endpoint)}`);
    }
  }
  if (spec.inventory_file !== undefined && spec.type !== 'sim') {
    ctx.report(['spec', 'inventory_file'], 'inventory-needs-sim', 'inventory_file describes a simulated source; a vmware source reads its inventory from vCenter', { prefer: 'key' });
  }
  const meta = ctx.meta(raw.metadata);
  ctx.noteReference(meta, ['spec', 'inventory_file']);
  const source: Source = {
    meta,
    type: spec.type,
    inventory_file: spec.inventory_file ?? null,
    import_limit: spec.import_limit ?? 0,
    connection_timeout_ms: durationChecked(ctx, ['spec', 'connection_timeout'], spec.connection_timeout, '10m'),
    sync_timeout_ms: durationChecked(ctx, ['spec', 'sync_timeout'], spec.sync_timeout, '10s'),
    sync_limit: spec.sync_limit ?? 1,
    datacenters: spec.datacenters ?? ['/...'],
  };
  if (spec.endpoint !== undefined) source.endpoint = spec.endpoint;
  if (spec.username !== undefined) source.username = spec.username;
  const password = secret(spec.password_from);
  if (password) source.password_from = password;
  if (spec.trusted_server_certificate_fingerprint !== undefined) source.trusted_server_certificate_fingerprint = spec.trusted_server_certificate_fingerprint;
  const certificate = secret(spec.trusted_server_certificate_from);
  if (certificate) source.trusted_server_certificate_from = certificate;
  return source;
}

export function readTarget(ctx: DocumentContext, raw: TargetDocument): Target {
  const spec = raw.spec;
  if (spec.type === 'incus') {
    if (spec.endpoint === undefined) {
      ctx.report(['spec'], 'missing-field', 'an incus target needs spec.endpoint (https://host:8443 or unix:///path/to/unix.socket)', { prefer: 'key' });
    } else if (/^https:\/\//.test(spec.endpoint)) {
      for (const field of ['tls_client_cert_from', 'tls_client_key_from'] as const) {
        if (spec[field] === undefined) ctx.report(['spec'], 'missing-field', `an incus target reached over HTTPS needs spec.${field}`, { prefer: 'key' });
      }
    } else if (!/^unix:\/\/\//.test(spec.endpoint)) {
      ctx.report(['spec', 'endpoint'], 'invalid-endpoint', `an incus endpoint must be https://… or unix:///…, not ${quoted(spec.endpoint)}`);
    }
  }
  if (spec.container_image !== undefined && spec.instance_type !== 'container') {
    ctx.report(['spec', 'container_image'], 'image-needs-container', 'container_image is the image containers are created from; it needs instance_type: container', { prefer: 'key' });
  }
  if (spec.mover_image !== undefined && spec.transfer !== 'mover') {
    ctx.report(['spec', 'mover_image'], 'mover-image-needs-mover', 'mover_image is the image movers boot from; it needs transfer: mover', { prefer: 'key' });
  }
  if (spec.virtio_win_image !== undefined && (spec.transfer !== 'mover' || spec.type !== 'incus')) {
    ctx.report(['spec', 'virtio_win_image'], 'virtio-win-image-needs-mover', 'virtio_win_image is the virtio-win ISO attached to the mover VMs of an incus target; it needs type: incus and transfer: mover', { prefer: 'key' });
  }
  if (spec.transfer === 'mover' && spec.type === 'incus') {
    if (spec.mover_image === undefined) {
      ctx.report(['spec'], 'missing-field', 'an incus target with transfer: mover needs spec.mover_image (the image scripts/build-mover-image.sh builds)', { prefer: 'key' });
    }
    if (spec.instance_type === 'container') {
      ctx.report(['spec', 'transfer'], 'mover-needs-vm', 'transfer: mover boots a mover inside each new virtual machine; it cannot work with instance_type: container', { prefer: 'key' });
    }
  }
  const target: Target = {
    meta: ctx.meta(raw.metadata),
    type: spec.type,
    transfer: spec.transfer ?? 'stream',
    import_limit: spec.import_limit ?? 50,
    create_limit: spec.create_limit ?? 10,
    connection_timeout_ms: durationChecked(ctx, ['spec', 'connection_timeout'], spec.connection_timeout, '5m'),
  };
  if (spec.endpoint !== undefined) target.endpoint = spec.endpoint;
  if (spec.instance_type !== undefined) target.instance_type = spec.instance_type;
  if (spec.container_image !== undefined) target.container_image = spec.container_image;
  if (spec.mover_image !== undefined) target.mover_image = spec.mover_image;
  if (spec.virtio_win_image !== undefined) target.virtio_win_image = spec.virtio_win_image;
  if (spec.trusted_server_certificate_fingerprint !== undefined) target.trusted_server_certificate_fingerprint = spec.trusted_server_certificate_fingerprint;
  for (const field of ['trusted_server_certificate_from', 'tls_client_cert_from', 'tls_client_key_from', 'trust_token_from'] as const) {
    const ref = secret(spec[field]);
    if (ref) target[field] = ref;
  }
  return target;
}

/** Keys that would hold a secret's value: never accepted in a document, whatever its kind. */
export const LITERAL_SECRET_KEYS: Record<string, string> = {
  password: 'password_from',
  token: 'a *_from reference',
  secret: 'a *_from reference',
  api_key: 'a *_from reference',
  private_key: 'tls_client_key_from',
  tls_client_key: 'tls_client_key_from',
  tls_client_cert: 'tls_client_cert_from',
  oidc_tokens: 'a *_from reference',
};
