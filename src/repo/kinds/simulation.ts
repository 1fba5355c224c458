import { parseByteRate, parseByteSize } from '../../model/bytes.js';
import { CRASH_STEPS, isCrashStep } from '../../model/crash-steps.js';
import type { SimulatedSource, SimulatedTarget, Simulation, SimulationEvent, SimulationEventType } from '../../model/desired.js';
import { parseDuration } from '../../model/duration.js';
import type {
  SimulatedSource as SimulatedSourceDocument,
  SimulatedTarget as SimulatedTargetDocument,
  SimulationDocument,
  SimulationEvent as SimulationEventDocument,
} from '../../model/generated/documents.js';
import { parseTimestamp } from '../../model/timestamp.js';
import { quoted } from '../../text/excerpt.js';
import type { DocumentContext } from '../document-context.js';
import type { DataPath } from '../locate.js';
import { didYouMean } from '../../text/suggest.js';

export const DEFAULT_IMPORT_RATE = '400MiB/s';
export const DEFAULT_CREATE_TIME = '30s';
export const DEFAULT_POST_IMPORT_TIME = '2m';
export const DEFAULT_AGENT_START_TIME = '20s';
export const DEFAULT_DIRTY_RATE = '1MiB/s';

/** The fields each event type needs (unreachable needs one of source or target besides). */
const EVENT_REQUIRED: Record<SimulationEventType, readonly string[]> = {
  power_on: ['vm'],
  power_off: ['vm'],
  enable_change_tracking: ['vm'],
  change_disk: ['vm', 'disk'],
  add_disk: ['vm', 'disk', 'capacity'],
  remove_disk: ['vm', 'disk'],
  resize_disk: ['vm', 'disk', 'capacity'],
  change_uuid: ['vm', 'new_uuid'],
  rename_vm: ['vm', 'new_name'],
  set_config: ['vm', 'config'],
  delete_network: ['target', 'network'],
  add_network: ['target', 'network'],
  fail: ['operation'],
  unreachable: ['for'],
  crash: ['step'],
};

/** The fields each event type reads besides name, at and type; any other field is a slip. */
const EVENT_FIELDS: Record<SimulationEventType, readonly string[]> = {
  power_on: ['vm', 'source'],
  power_off: ['vm', 'source'],
  enable_change_tracking: ['vm', 'source'],
  change_disk: ['vm', 'source', 'disk', 'bytes'],
  add_disk: ['vm', 'source', 'disk', 'capacity', 'supported'],
  remove_disk: ['vm', 'source', 'disk'],
  resize_disk: ['vm', 'source', 'disk', 'capacity'],
  change_uuid: ['vm', 'source', 'new_uuid'],
  rename_vm: ['vm', 'source', 'new_name'],
  set_config: ['vm', 'source', 'config'],
  delete_network: ['target', 'network'],
  add_network: ['target', 'network'],
  fail: ['operation', 'count', 'vm', 'source'],
  unreachable: ['source', 'target', 'for'],
  crash: ['step'],
};

/**
 * Reads the Simulation document and checks what concerns it alone: times, rates, unique names,
 * and which fields each event type takes. The names it uses (targets, sources, VMs, networks) are
 * checked against the rest of the repository later (simulation-references.ts).
 */
export function readSimulation(ctx: DocumentContext, raw: SimulationDocument): Simulation {
  const spec = raw.spec;
  const parsedStart = parseTimestamp(spec.start);
  if (!parsedStart.ok) ctx.report(['spec', 'start'], 'invalid-timestamp', `start ${quoted(spec.start)} is not a time: ${parsedStart.reason}`);
  const start = parsedStart.ok ? parsedStart.ms : 0;

  const meta = ctx.meta(raw.metadata);
  const targets = Object.entries(spec.targets ?? {}).map(([name, target]) => readTarget(ctx, name, target));
  const sources = Object.entries(spec.sources ?? {}).map(([name, source]) => readSource(ctx, name, source));

  const events: SimulationEvent[] = [];
  (spec.events ?? []).forEach((event, i) => {
    const read = readEvent(ctx, event, i, start, parsedStart.ok);
    if (!read) return;
    // Positions are kept by the event's index in the model, for the cross-document checks.
    for (const field of ['vm', 'source', 'target', 'disk', 'network'] as const) {
      if (event[field] !== undefined) meta.at[`spec.events.${events.length}.${field}`] = ctx.origin(['spec', 'events', i, field]);
    }
    events.push(read);
  });
  const named = (spec.events ?? []).map((event) => event.name ?? null);
  unique(ctx, named, (i) => ['spec', 'events', i, 'name'], (name) => `another event is named ${quoted(name)}`);

  // Positions of every name another document defines, for the cross-document checks.
  for (const [name, target] of Object.entries(spec.targets ?? {})) {
    meta.at[`spec.targets.${name}`] = ctx.origin(['spec', 'targets', name], 'key');
    (target.instances ?? []).forEach((_, j) => ctx.noteReference(meta, ['spec', 'targets', name, 'instances', j, 'project']));
  }
  for (const name of Object.keys(spec.sources ?? {})) meta.at[`spec.sources.${name}`] = ctx.origin(['spec', 'sources', name], 'key');
  // For the simulator, which reports a start that changed after its world was made (docs/simulator.md).
  meta.at['spec.start'] = ctx.origin(['spec', 'start']);
  return { meta, start, targets, sources, events };
}

function unique(ctx: DocumentContext, keys: (string | null)[], path: (i: number) => DataPath, duplicate: (key: string) => string): void {
  const seen = new Map<string, number>();
  keys.forEach((key, i) => {
    if (key === null) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else ctx.report(path(i), 'duplicate-entry', `${duplicate(key)} (line ${ctx.origin(path(first)).line}); keep one`);
  });
}

function duration(ctx: DocumentContext, path: DataPath, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.report(path, 'invalid-duration', `${quoted(text)} is not a duration: write it like 30s, 2m or 1h30m`);
    return 0;
  }
  return ms;
}

function rate(ctx: DocumentContext, path: DataPath, text: string, positive: boolean): number {
  const bytes = parseByteRate(text);
  if (bytes === undefined || (positive && bytes === 0)) {
    ctx.report(path, 'invalid-rate', `${quoted(text)} is not a${positive ? ' positive' : ''} rate: write it like 400MiB/s or 1GB/s`);
    return positive ? 1 : 0;
  }
  return bytes;
}

function size(ctx: DocumentContext, path: DataPath, value: string | number): number {
  const bytes = parseByteSize(value);
  if (bytes === undefined) {
    ctx.report(path, 'invalid-size', `${JSON.stringify(value)} is not a size: write it like 20GiB, 512MB or a number of bytes`);
    return 0;
  }
  return bytes;
}

function readTarget(ctx: DocumentContext, name: string, raw: SimulatedTargetDocument): SimulatedTarget {
  const at = (...rest: DataPath) => ['spec', 'targets', name, ...rest];
  const instances = (raw.instances ?? []).map((instance) => ({ project: instance.project, name: instance.name, running: instance.running ?? true }));
  unique(ctx, instances.map((x) => `${x.project}/${x.name}`), (j) => at('instances', j, 'name'), (key) => `instance ${key.replace('/', ' ')} is listed twice`);
  return {
    name,
    projects: raw.projects ? [...raw.projects] : null,
    storage_pools: raw.storage_pools ? [...raw.storage_pools] : null,
    networks: raw.networks ? [...raw.networks] : null,
    instances,
    import_rate: rate(ctx, at('import_rate'), raw.import_rate ?? DEFAULT_IMPORT_RATE, true),
    create_time_ms: duration(ctx, at('create_time'), raw.create_time ?? DEFAULT_CREATE_TIME),
    post_import_time_ms: duration(ctx, at('post_import_time'), raw.post_import_time ?? DEFAULT_POST_IMPORT_TIME),
    agent_start_time_ms: duration(ctx, at('agent_start_time'), raw.agent_start_time ?? DEFAULT_AGENT_START_TIME),
  };
}

function readSource(ctx: DocumentContext, name: string, raw: SimulatedSourceDocument): SimulatedSource {
  return {
    name,
    dirty_rate: rate(ctx, ['spec', 'sources', name, 'dirty_rate'], raw.dirty_rate ?? DEFAULT_DIRTY_RATE, false),
    background_import: raw.background_import ?? true,
    offline_sessions: raw.offline_sessions ?? 'shared',
  };
}

function readEvent(ctx: DocumentContext, raw: SimulationEventDocument, i: number, start: number, startKnown: boolean): SimulationEvent | undefined {
  const at = (...rest: DataPath): DataPath => ['spec', 'events', i, ...rest];
  let ok = true;
  const allowed = EVENT_FIELDS[raw.type];
  for (const field of Object.keys(raw)) {
    if (field === 'name' || field === 'at' || field === 'type' || allowed.includes(field)) continue;
    ctx.report(at(field), 'unexpected-event-field', `a ${raw.type} event does not take ${quoted(field)}; it takes ${allowed.join(', ')}`, { prefer: 'key' });
    ok = false;
  }
  for (const field of EVENT_REQUIRED[raw.type]) {
    if (raw[field as keyof SimulationEventDocument] !== undefined) continue;
    ctx.report(at(), 'missing-field', `a ${raw.type} event needs "${field}"`, { prefer: 'key' });
    ok = false;
  }

  const relative = raw.at.startsWith('+');
  let time = start;
  if (relative) {
    time = start + duration(ctx, at('at'), raw.at.slice(1));
  } else {
    const parsed = parseTimestamp(raw.at);
    if (!parsed.ok) {
      ctx.report(at('at'), 'invalid-timestamp', `${quoted(raw.at)} is not a time: ${parsed.reason}`);
      ok = false;
    } else {
      time = parsed.ms;
      if (startKnown && time < start) {
        ctx.report(at('at'), 'event-before-start', `the event is at ${raw.at}, before the clock starts (spec.start); the simulation cannot go back in time`);
        ok = false;
      }
    }
  }
  if (!ok) return undefined;

  const base = { name: raw.name ?? null, at: time, relative, origin: ctx.origin(at('type')) };
  const vm = { ...base, vm: raw.vm!, source: raw.source ?? null };
  switch (raw.type) {
    case 'power_on':
    case 'power_off':
    case 'enable_change_tracking':
      return { ...vm, type: raw.type };
    case 'change_disk':
      return { ...vm, type: raw.type, disk: raw.disk!, bytes: raw.bytes === undefined ? null : size(ctx, at('bytes'), raw.bytes) };
    case 'add_disk':
      return { ...vm, type: raw.type, disk: raw.disk!, capacity: size(ctx, at('capacity'), raw.capacity!), supported: raw.supported ?? true };
    case 'remove_disk':
      return { ...vm, type: raw.type, disk: raw.disk! };
    case 'resize_disk':
      return { ...vm, type: raw.type, disk: raw.disk!, capacity: size(ctx, at('capacity'), raw.capacity!) };
    case 'change_uuid':
      return { ...vm, type: raw.type, new_uuid: raw.new_uuid! };
    case 'rename_vm':
      return { ...vm, type: raw.type, new_name: raw.new_name! };
    case 'set_config':
      return { ...vm, type: raw.type, config: { ...raw.config } };
    case 'delete_network':
    case 'add_network':
      return { ...base, type: raw.type, target: raw.target!, network: raw.network! };
    case 'fail':
      return { ...base, type: raw.type, operation: raw.operation!, count: raw.count ?? 1, vm: raw.vm ?? null, source: raw.source ?? null };
    case 'unreachable':
      if ((raw.source === undefined) === (raw.target === undefined)) {
        ctx.report(raw.source === undefined ? at() : at('target'), raw.source === undefined ? 'missing-field' : 'unexpected-event-field', 'an unreachable event names one source or one target', { prefer: 'key' });
        return undefined;
      }
      return { ...base, type: raw.type, source: raw.source ?? null, target: raw.target ?? null, duration_ms: duration(ctx, at('for'), raw.for!) };
    case 'crash':
      if (!isCrashStep(raw.step!)) {
        ctx.report(at('step'), 'unknown-crash-step', `no crash point is named "${raw.step}" (docs/simulator.md, "Crash points"), so the event would never fire${didYouMean(raw.step!, CRASH_STEPS)}`);
        return undefined;
      }
      return { ...base, type: raw.type, step: raw.step };
  }
}
