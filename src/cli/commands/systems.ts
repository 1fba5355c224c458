// `ferry sources` and `ferry targets`: the systems a campaign moves VMs between — whether they
// answer, when the status branch last synced or recorded them, their limits and the transfers
// holding those limits now. Contacted as "ferry plan" contacts them (read-only, the trusted
// revision's systems only, none with --offline); what was not contacted is said, not guessed.

import { compileDesired } from '../../engine/index.js';
import { Occupancy } from '../../engine/occupancy.js';
import type { SourceObservation, TargetObservation } from '../../engine/observations.js';
import { desiredErrors } from '../../reconcile/desired.js';
import { planOnce, type PlanResult } from '../../reconcile/reconciler.js';
import type { Command, CommandContext } from '../command.js';
import { fitTable, isoTime, terminalWidth, WIDE_OPTION } from '../format.js';
import { printJson } from '../io.js';
import { paint, type Palette } from '../paint.js';
import { OFFLINE_OPTION, openForPlan, TRUSTED_REF_OPTION } from '../trust.js';
import { loadDesired, reportInvalid } from './plan.js';

type Reach = { state: 'reachable' | 'unreachable' | 'not-contacted'; message: string };

function reach(observed: SourceObservation | TargetObservation | undefined): Reach {
  if (observed === undefined || ('recorded_at' in observed && observed.recorded_at !== undefined)) return { state: 'not-contacted', message: 'not contacted: planned from the status branch' };
  return observed.reachable ? { state: 'reachable', message: '' } : { state: 'unreachable', message: observed.message };
}

function reachCell(r: Reach): string {
  return r.state === 'reachable' ? 'yes' : r.state === 'unreachable' ? `NO: ${r.message}` : 'not contacted';
}

function paintReach(color: Palette, text: string): string {
  return text.startsWith('NO') ? color.red(text) : text === 'not contacted' ? color.yellow(text) : color.green(text);
}

/** `n/limit`, or `n` when the limit is 0 (unlimited). */
function used(n: number, limit: number): string {
  return limit > 0 ? `${n}/${limit}` : `${n}`;
}

async function observeSystems(context: CommandContext): Promise<{ plan: PlanResult; desired: Awaited<ReturnType<typeof loadDesired>> } | number> {
  const desired = await loadDesired(context, undefined);
  const errors = desiredErrors(desired);
  if (errors.length > 0) return reportInvalid(context, errors);
  const { opened, run } = await openForPlan(context, desired);
  try {
    const plan = await planOnce(opened.setup, run.desired, compileDesired(run.desired.state), undefined, { recordedTargets: true });
    plan.notes.unshift(...run.notes);
    return { plan, desired: run.desired };
  } finally {
    await opened.close();
  }
}

function footer(plan: PlanResult, color: Palette): string {
  const lines = plan.notes.map((n) => color.yellow(`note: ${n}`));
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

export const sourcesCommand: Command = {
  name: 'sources',
  summary: 'List the sources: reachable or not, last inventory sync, import limit, imports in flight',
  usage: 'ferry sources [--offline] [--trusted-ref REMOTE/BRANCH] [--wide] [--repo DIR] [--json]',
  description:
    'For each Source of the repository: whether it answers (asked read-only, as "ferry plan" asks:\n' +
    'only the trusted revision\'s systems; --offline asks none and says so), when the status branch\n' +
    'last synced its inventory and how many VMs it holds, whether it can do background imports, and\n' +
    'its import_limit against the entries importing from it now.',
  examples: ['ferry sources', 'ferry sources --offline --json'],
  options: { ...OFFLINE_OPTION, ...TRUSTED_REF_OPTION, ...WIDE_OPTION },
  async run(context) {
    const observed = await observeSystems(context);
    if (typeof observed === 'number') return observed;
    const { plan, desired } = observed;
    const status = plan.snapshot.status;
    const occupancy = new Occupancy(Object.values(status.entries));
    const rows = desired.state.sources.map((s) => {
      const name = s.meta.name;
      const inventory = plan.observations.inventory[name] ?? status.inventory[name];
      const seen = plan.observations.sources[name];
      return {
        name,
        type: s.type,
        endpoint: s.endpoint ?? null,
        reach: reach(seen),
        background_import: seen?.background_import ?? null,
        last_sync: inventory?.synced_at ?? null,
        synced_now: plan.synced.includes(name),
        vms: inventory?.instances.length ?? null,
        import_limit: s.import_limit,
        importing: occupancy.importsFromSource(name),
      };
    });
    if (context.json) {
      printJson(context.io, {
        now: new Date(plan.now).toISOString(),
        sources: rows.map(({ reach: r0, ...r }) => ({ ...r, reachable: r0.state === 'not-contacted' ? null : r0.state === 'reachable', contacted: r0.state !== 'not-contacted', message: r0.message, last_sync: r.last_sync === null ? null : new Date(r.last_sync).toISOString() })),
        notes: plan.notes,
      });
      return 0;
    }
    const color = paint(context.io, 'stdout');
    context.io.stdout.write(fitTable(
      ['SOURCE', 'TYPE', 'LAST SYNC', 'VMS', 'BACKGROUND IMPORT', 'IMPORTS', 'REACHABLE'],
      rows.map((r) => [
        r.name,
        r.type,
        r.last_sync === null ? 'never' : `${isoTime(r.last_sync)}${r.synced_now ? ' (now)' : ''}`,
        r.vms === null ? '—' : String(r.vms),
        r.background_import === null ? '—' : r.background_import ? 'yes' : 'no',
        used(r.importing, r.import_limit),
        reachCell(r.reach),
      ]),
      { width: terminalWidth(context), style: (text, _row, column) => (column === 6 ? paintReach(color, text) : text) },
    ));
    context.io.stdout.write(footer(plan, color));
    return 0;
  },
};

export const targetsCommand: Command = {
  name: 'targets',
  summary: 'List the targets: reachable or not, projects, create and import limits, work in flight',
  usage: 'ferry targets [--offline] [--trusted-ref REMOTE/BRANCH] [--wide] [--repo DIR] [--json]',
  description:
    'For each Target of the repository: whether it answers (asked read-only, as "ferry plan" asks:\n' +
    'only the trusted revision\'s systems; --offline asks none and shows the layout the status branch\n' +
    'recorded, with its time), the projects it was seen with, its create_limit and import_limit\n' +
    'against the entries creating and importing on it now, and the entries placed on it.',
  examples: ['ferry targets', 'ferry targets --offline --json'],
  options: { ...OFFLINE_OPTION, ...TRUSTED_REF_OPTION, ...WIDE_OPTION },
  async run(context) {
    const observed = await observeSystems(context);
    if (typeof observed === 'number') return observed;
    const { plan, desired } = observed;
    const status = plan.snapshot.status;
    const entries = Object.values(status.entries);
    const occupancy = new Occupancy(entries);
    const rows = desired.state.targets.map((t) => {
      const name = t.meta.name;
      const seen = plan.observations.targets[name];
      const recorded = status.targets[name]?.recorded_at ?? null;
      return {
        name,
        type: t.type,
        endpoint: t.endpoint ?? null,
        reach: reach(seen),
        projects: Object.keys(seen?.projects ?? status.targets[name]?.projects ?? {}).sort(),
        recorded_at: recorded,
        create_limit: t.create_limit,
        creating: occupancy.creating(name),
        import_limit: t.import_limit,
        importing: occupancy.importsToTarget(name),
        entries: entries.filter((e) => e.placement.target_name === name).length,
      };
    });
    if (context.json) {
      printJson(context.io, {
        now: new Date(plan.now).toISOString(),
        targets: rows.map(({ reach: r0, ...r }) => ({ ...r, reachable: r0.state === 'not-contacted' ? null : r0.state === 'reachable', contacted: r0.state !== 'not-contacted', message: r0.message, recorded_at: r.recorded_at === null ? null : new Date(r.recorded_at).toISOString() })),
        notes: plan.notes,
      });
      return 0;
    }
    const color = paint(context.io, 'stdout');
    context.io.stdout.write(fitTable(
      ['TARGET', 'TYPE', 'ENTRIES', 'CREATING', 'IMPORTS', 'LAYOUT RECORDED', 'REACHABLE', 'PROJECTS'],
      rows.map((r) => [
        r.name,
        r.type,
        String(r.entries),
        used(r.creating, r.create_limit),
        used(r.importing, r.import_limit),
        r.recorded_at === null ? 'never' : isoTime(r.recorded_at),
        reachCell(r.reach),
        r.projects.join(', ') || '—',
      ]),
      { width: terminalWidth(context), flex: [6, 7], style: (text, _row, column) => (column === 6 ? paintReach(color, text) : text) },
    ));
    context.io.stdout.write(footer(plan, color));
    return 0;
  },
};
