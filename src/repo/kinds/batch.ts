import type { Batch, Constraint, MigrationNetwork, MigrationWindow } from '../../model/desired.js';
import { parseDuration } from '../../model/duration.js';
import type { BatchDocument } from '../../model/generated/documents.js';
import { parseTimestamp } from '../../model/timestamp.js';
import { quoted } from '../../text/excerpt.js';
import type { DocumentContext } from '../document-context.js';

export const DEFAULT_SYNC_INTERVAL = '10m';
export const DEFAULT_FINAL_SYNC_LIMIT = '10m';

/**
 * Reads a Batch into the model and checks the rules that concern the batch alone
 * (migration-manager's Batch.Validate and Window.Validate, minus its bugs).
 * The target is resolved later, when all Targets are known.
 */
export function readBatch(ctx: DocumentContext, raw: BatchDocument): Batch {
  const spec = raw.spec;
  const config = spec.config ?? {};
  const defaults = spec.defaults ?? {};
  const placement = defaults.placement ?? {};

  const interval = readDuration(ctx, ['spec', 'config', 'background_sync_interval'], config.background_sync_interval ?? DEFAULT_SYNC_INTERVAL);
  const finalLimit = readDuration(ctx, ['spec', 'config', 'final_background_sync_limit'], config.final_background_sync_limit ?? DEFAULT_FINAL_SYNC_LIMIT);
  if (interval !== null && finalLimit !== null && finalLimit > interval) {
    ctx.report(
      ['spec', 'config', config.final_background_sync_limit !== undefined ? 'final_background_sync_limit' : 'background_sync_interval'],
      'sync-limit-exceeds-interval',
      `final_background_sync_limit (${config.final_background_sync_limit ?? DEFAULT_FINAL_SYNC_LIMIT}) must not be longer than background_sync_interval (${config.background_sync_interval ?? DEFAULT_SYNC_INTERVAL})`,
    );
  }

  const windows = (spec.migration_windows ?? []).map((window, i) => readWindow(ctx, window, i));
  checkWindows(ctx, windows);
  const constraints = (spec.constraints ?? []).map((constraint, i) => readConstraint(ctx, constraint, i));
  checkConstraints(ctx, constraints);

  const batch: Batch = {
    meta: ctx.meta(raw.metadata),
    state: spec.state ?? 'defined',
    include_expression: ctx.sourceText(['spec', 'include_expression'], spec.include_expression),
    migration_windows: windows,
    constraints,
    defaults: {
      placement: {
        target: placement.target ?? '',
        target_project: placement.target_project ?? 'default',
        storage_pool: placement.storage_pool ?? 'default',
      },
      migration_network: [],
      force_conflict_resolution: defaults.force_conflict_resolution ?? false,
    },
    config: {
      rerun_scriptlets: config.rerun_scriptlets ?? false,
      placement_scriptlet: config.placement_scriptlet !== undefined
        ? ctx.sourceText(['spec', 'config', 'placement_scriptlet'], config.placement_scriptlet)
        : null,
      placement_scriptlet_file: config.placement_scriptlet_file ?? null,
      post_migration_retries: config.post_migration_retries ?? 0,
      background_sync_interval_ms: interval ?? 0,
      final_background_sync_limit_ms: finalLimit ?? 0,
      instance_restriction_overrides: {
        allow_unknown_os: config.instance_restriction_overrides?.allow_unknown_os ?? false,
        allow_no_ipv4: config.instance_restriction_overrides?.allow_no_ipv4 ?? false,
        allow_no_background_import: config.instance_restriction_overrides?.allow_no_background_import ?? false,
      },
    },
  };
  if (config.placement_scriptlet !== undefined && config.placement_scriptlet_file !== undefined) {
    ctx.report(
      ['spec', 'config', 'placement_scriptlet_file'],
      'scriptlet-both',
      'give the placement scriptlet either inline (placement_scriptlet) or as a file (placement_scriptlet_file), not both',
      { prefer: 'key' },
    );
  }
  batch.defaults.migration_network = readMigrationNetworks(ctx, defaults.migration_network ?? []);
  ctx.noteReference(batch.meta, ['spec', 'defaults', 'placement', 'target']);
  batch.defaults.migration_network.forEach((_, i) => ctx.noteReference(batch.meta, ['spec', 'defaults', 'migration_network', i, 'target']));
  ctx.checkExpression(['spec', 'include_expression'], spec.include_expression);
  constraints.forEach((constraint, i) => ctx.checkExpression(['spec', 'constraints', i, 'include_expression'], constraint.include_expression.text));
  if (config.placement_scriptlet !== undefined) ctx.checkInlineScriptlet(['spec', 'config', 'placement_scriptlet'], config.placement_scriptlet);
  return batch;
}

function readDuration(ctx: DocumentContext, path: (string | number)[], text: string): number | null {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.report(path, 'invalid-duration', `${quoted(text)} is not a duration: write it like 10m, 1h30m or 90s`);
    return null;
  }
  if (ms <= 0) {
    ctx.report(path, 'invalid-duration', `${String(path[path.length - 1])} must be longer than 0`);
    return null;
  }
  return ms;
}

function readTime(ctx: DocumentContext, path: (string | number)[], text: string | undefined): number | null {
  if (text === undefined) return null;
  const parsed = parseTimestamp(text);
  if (!parsed.ok) {
    ctx.report(path, 'invalid-timestamp', `${quoted(text)} is not a valid time: ${parsed.reason}`);
    return null;
  }
  return parsed.ms;
}

function readWindow(ctx: DocumentContext, raw: NonNullable<BatchDocument['spec']['migration_windows']>[number], index: number): MigrationWindow {
  const base = ['spec', 'migration_windows', index];
  return {
    name: raw.name,
    start: readTime(ctx, [...base, 'start'], raw.start),
    end: readTime(ctx, [...base, 'end'], raw.end),
    lockout: readTime(ctx, [...base, 'lockout'], raw.lockout),
    capacity: raw.config?.capacity ?? 0,
    origin: ctx.origin(base),
  };
}

function checkWindows(ctx: DocumentContext, windows: MigrationWindow[]): void {
  const byName = new Map<string, number>();
  windows.forEach((window, i) => {
    const base = ['spec', 'migration_windows', i];
    const earlier = byName.get(window.name);
    if (earlier !== undefined) {
      ctx.report([...base, 'name'], 'duplicate-window', `window "${window.name}" is defined twice in this batch (first at line ${windows[earlier]!.origin.line})`);
    } else {
      byName.set(window.name, i);
    }
    if (window.start !== null && window.end !== null && window.end < window.start) {
      ctx.report([...base, 'end'], 'window-ends-before-start', `window "${window.name}" ends before it starts`);
    }
    if (window.lockout !== null) {
      if (window.start !== null && window.lockout < window.start) {
        ctx.report([...base, 'lockout'], 'lockout-before-start', `the lockout of window "${window.name}" is before its start; it must be between start and end`);
      }
      if (window.end !== null && window.lockout > window.end) {
        ctx.report([...base, 'lockout'], 'lockout-after-end', `the lockout of window "${window.name}" is after its end; it must be between start and end`);
      }
    }
  });
  // Overlapping windows are legal (migration-manager's tutorial uses them) but usually a slip. In
  // order of start, each window is compared with the one reaching furthest before it, so a batch
  // of many windows is checked in n log n and warned about once per window, not once per pair.
  const start = (i: number) => windows[i]!.start ?? -Infinity;
  const end = (i: number) => windows[i]!.end ?? Infinity;
  let reach: number | undefined;
  for (const i of windows.map((_, index) => index).sort((x, y) => start(x) - start(y) || x - y)) {
    if (reach !== undefined && start(i) < end(reach) && start(reach) < end(i)) {
      const [a, b] = reach < i ? [reach, i] : [i, reach];
      ctx.report(['spec', 'migration_windows', b], 'windows-overlap', `window "${windows[b]!.name}" overlaps window "${windows[a]!.name}" (line ${windows[a]!.origin.line}); an entry may be cut over in either`, { severity: 'warning' });
    }
    if (reach === undefined || end(i) > end(reach)) reach = i;
  }
}

function readConstraint(ctx: DocumentContext, raw: NonNullable<BatchDocument['spec']['constraints']>[number], index: number): Constraint {
  const base = ['spec', 'constraints', index];
  return {
    name: raw.name,
    description: raw.description ?? '',
    include_expression: ctx.sourceText([...base, 'include_expression'], raw.include_expression),
    max_concurrent_instances: raw.max_concurrent_instances ?? 0,
    min_instance_boot_time_ms:
      raw.min_instance_boot_time === undefined ? null : readDuration(ctx, [...base, 'min_instance_boot_time'], raw.min_instance_boot_time),
    origin: ctx.origin(base),
  };
}

function checkConstraints(ctx: DocumentContext, constraints: Constraint[]): void {
  const names = new Map<string, Constraint>();
  const expressions = new Map<string, Constraint>();
  constraints.forEach((constraint, i) => {
    const base = ['spec', 'constraints', i];
    const sameName = names.get(constraint.name);
    if (sameName) {
      ctx.report([...base, 'name'], 'duplicate-constraint-name', `constraint ${quoted(constraint.name)} is defined twice (first at line ${sameName.origin.line})`);
    } else {
      names.set(constraint.name, constraint);
    }
    const expression = constraint.include_expression.text.trim();
    const sameExpression = expressions.get(expression);
    if (sameExpression) {
      ctx.report(
        [...base, 'include_expression'],
        'duplicate-constraint-expression',
        `constraint ${quoted(constraint.name)} has the same include_expression as constraint ${quoted(sameExpression.name)} (line ${sameExpression.origin.line}); only the last one would ever apply`,
      );
    } else {
      expressions.set(expression, constraint);
    }
  });
}

function readMigrationNetworks(
  ctx: DocumentContext,
  raws: NonNullable<NonNullable<BatchDocument['spec']['defaults']>['migration_network']>,
): MigrationNetwork[] {
  return raws.map((raw, i) => {
    const base = ['spec', 'defaults', 'migration_network', i];
    const vlan = raw.vlan_id === undefined ? '' : String(raw.vlan_id);
    if (vlan !== '' && raw.nictype === 'managed') {
      ctx.report([...base, 'vlan_id'], 'vlan-needs-bridged-or-physical', 'a VLAN can only be set on a bridged or physical NIC, not a managed one');
    }
    // Empty target and project mean the batch's default placement; resolved with the targets.
    return { target: raw.target ?? '', target_project: raw.target_project ?? '', network: raw.network, nictype: raw.nictype, vlan_id: vlan };
  });
}
