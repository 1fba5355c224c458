// StatusState ⇄ the files of the status branch (docs/status-branch.md). Pure: no Git, no clock.
// The store (store.ts) uses the pieces separately so that it can skip files whose Git blob it
// has already read or written; statusToFiles and filesToStatus are the same work done in one go.

import { LineCounter, parseDocument } from 'yaml';
import {
  emptyStatus,
  STATUS_FORMAT,
  type BatchStatus,
  type BatchStatusCode,
  type LedgerEntry,
  type NetworkRecord,
  type QueueEntry,
  type SourceInventory,
  type ArchivedTransition,
  type BatchAssignment,
  type Pause,
  type Pauses,
  type StatusState,
  type TargetRecord,
} from '../engine/status.js';
import type { InstanceRecord } from '../model/instance.js';
import { corrupt, StatusStoreError } from './errors.js';
import {
  batchFile,
  classifyPath,
  entryShardFile,
  instanceShardFile,
  isShardCount,
  isShardName,
  LEDGER_FILE,
  networksFile,
  REPORT_FILE,
  shardCount,
  shardOf,
  STATUS_FILE,
  archiveShardFile,
  assignmentFile,
  targetFile,
  type ShardCount,
  type StatusPath,
} from './paths.js';
import { renderConflictReport } from './report.js';
import { yamlFlow, yamlQuoted, yamlString, yamlValue } from './yaml-text.js';
import { formatTimestamp } from '../model/timestamp.js';
import {
  BATCH_STATUS,
  checkAndFreeze,
  compareCodeUnits,
  fromReadable,
  INSTANCE_RECORD,
  jsonLine,
  LEDGER_ENTRY,
  NETWORK_RECORD,
  QUEUE_ENTRY,
  ShapeError,
  TARGET_RECORD,
  ARCHIVE_RECORD,
  BATCH_ASSIGNMENT,
  PAUSE,
  toReadable,
  type Shape,
} from './shape.js';

// ---------------------------------------------------------------------------------------------
// status.yaml: the format version, the tick, and the manifest every other file is checked against

export interface StatusManifest {
  format: string;
  desired_commit: string | null;
  updated_at: number | null;
  /** Totals for people; recomputed on every write, not read back. */
  summary: { batches: number; entries: number; by_status: Record<string, number>; instances: number; resolutions: number };
  /**
   * Per batch: its status (null for entries whose batch has no status, so no batches/<name>.json),
   * how many entries it has and in how many shard files, and how many per status (for people).
   */
  batches: Record<string, ManifestBatch>;
  /** Per source: when it was synced (only here), its instance count and shard files, its network count. */
  inventory: Record<string, ManifestSource>;
  /** Per target: when its recorded layout was first seen, and how many projects it holds. */
  targets: Record<string, ManifestTarget>;
  /** Per Defined batch: how many instances its assignment holds. */
  assignments: Record<string, { instances: number }>;
  /** The archived transitions: how many instances have some, in how many shard files. */
  archive: { instances: number; shards: number };
  ledger: { count: number };
  /** What operators paused: read back (the only place a pause is kept). */
  paused: Pauses;
}

export interface ManifestTarget {
  recorded_at: number;
  projects: number;
}

export interface ManifestBatch {
  status: BatchStatusCode | null;
  entries: number;
  shards: number;
  by_status: Record<string, number>;
}

export interface ManifestSource {
  synced_at: number;
  instances: number;
  shards: number;
  networks: number;
}

const int: Shape = { kind: 'int' };
const counts: Shape = { kind: 'record', of: int };
const object = (fields: Record<string, Shape>): Shape => ({ kind: 'object', keys: Object.keys(fields), fields });

const MANIFEST: Shape = object({
  format: { kind: 'string' },
  desired_commit: { kind: 'nullable', of: { kind: 'string' } },
  updated_at: { kind: 'nullable', of: { kind: 'time' } },
  summary: object({ batches: int, entries: int, by_status: counts, instances: int, resolutions: int }),
  batches: {
    kind: 'record',
    of: object({ status: { kind: 'nullable', of: (BATCH_STATUS as Extract<Shape, { kind: 'object' }>).fields.status! }, entries: int, shards: int, by_status: counts }),
  },
  inventory: { kind: 'record', of: object({ synced_at: { kind: 'time' }, instances: int, shards: int, networks: int }) },
  targets: { kind: 'record', of: object({ recorded_at: { kind: 'time' }, projects: int }) },
  assignments: { kind: 'record', of: object({ instances: int }) },
  archive: object({ instances: int, shards: int }),
  ledger: object({ count: int }),
  paused: object({ campaign: { kind: 'nullable', of: PAUSE }, batches: { kind: 'record', of: PAUSE } }),
});

const STATUS_HEADER =
  ' The status branch of a Ferry campaign, written by the reconciler on every tick: do not edit.\n' +
  ' Files and format: docs/status-branch.md in Ferry. Conflicts and stuck entries: CONFLICTS.md.';

// ---------------------------------------------------------------------------------------------
// Versions

const FORMAT_PATTERN = /^ferry\.dev\/status\/v(0|[1-9][0-9]*)$/;

/** The N of `ferry.dev/status/vN`; undefined for anything else. */
export function formatNumber(format: string): number | undefined {
  const m = FORMAT_PATTERN.exec(format);
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether status.yaml's `format` is this Ferry's or an older one it upgrades. A newer format is
 * refused, never rewritten: this Ferry would drop what it does not understand.
 */
export function checkFormat(format: unknown): 'current' | 'older' {
  if (typeof format !== 'string') {
    throw new StatusStoreError('status-unknown-format', 'there is no `format` field: this branch was not written by Ferry', STATUS_FILE);
  }
  const version = formatNumber(format);
  const current = formatNumber(STATUS_FORMAT)!;
  if (version === undefined) {
    throw new StatusStoreError('status-unknown-format', `the format "${format}" is not a Ferry status format (this Ferry writes ${STATUS_FORMAT})`, STATUS_FILE);
  }
  if (version > current) throw newerFormatError(format, null);
  return version === current ? 'current' : 'older';
}

/**
 * The refusal of a newer format. `writer`: the version of the Ferry that wrote it, when the commit's
 * trailers say so (store.ts reads them): then the operator knows which Ferry to run.
 */
export function newerFormatError(format: string, writer: string | null): StatusStoreError {
  const by = writer === null ? 'a newer Ferry' : `Ferry ${writer}`;
  return new StatusStoreError(
    'status-newer-format',
    `the status branch was written by ${by} (format ${format}); this Ferry reads formats up to ${STATUS_FORMAT}: ${writer === null ? 'upgrade Ferry' : `run Ferry ${writer} or later`}`,
    STATUS_FILE,
  );
}

/** A file of the status branch, parsed but not yet checked: what upgrade steps work on. */
export type RawFile =
  | { kind: 'yaml' | 'json'; value: unknown; /** The line of a value inside the file, when it can be found. */ lineOf(path: readonly (string | number)[]): number | undefined }
  | { kind: 'jsonl'; /** Record i is on line i + 1. */ records: unknown[] }
  | { kind: 'text'; text: string };

export type RawTree = Map<string, RawFile>;

/**
 * One step of the upgrade path: the files of format `from` rewritten as format `to` (status.yaml's
 * `format` included). Steps run in a chain until the current format is reached, then the result
 * is checked exactly like a branch written in the current format.
 */
export interface StatusUpgrade {
  from: string;
  to: string;
  upgrade(tree: RawTree): RawTree;
}

/**
 * v1 → v2: v2 records what the reconciler last observed of each target (targets/<target>.json,
 * listed under `targets:` in status.yaml). A v1 branch has none yet; the next tick records them.
 */
const V1_TO_V2: StatusUpgrade = {
  from: 'ferry.dev/status/v1',
  to: 'ferry.dev/status/v2',
  upgrade(tree) {
    const status = tree.get(STATUS_FILE);
    if (status?.kind !== 'yaml' || !isRecord(status.value)) return tree;
    const out: RawTree = new Map(tree);
    out.set(STATUS_FILE, { ...status, value: { ...status.value, format: 'ferry.dev/status/v2', targets: {} } });
    return out;
  },
};

/**
 * v2 → v3: v3 records the instances each Defined batch holds (assignments/<batch>.json), the
 * transitions entries no longer hold (archive/<shard>.jsonl), both listed in status.yaml, and the
 * attempt of each transition. A v2 branch has no assignment yet (the next tick assigns each
 * Defined batch what its expression matches then), nothing archived (what v2 cut from histories
 * is lost), and its transitions are counted to their entry's current attempt.
 */
const V2_TO_V3: StatusUpgrade = {
  from: 'ferry.dev/status/v2',
  to: 'ferry.dev/status/v3',
  upgrade(tree) {
    const status = tree.get(STATUS_FILE);
    if (status?.kind !== 'yaml' || !isRecord(status.value)) return tree;
    const out: RawTree = new Map(tree);
    out.set(STATUS_FILE, { ...status, value: { ...status.value, format: 'ferry.dev/status/v3', assignments: {}, archive: { instances: 0, shards: 1 } } });
    for (const [path, raw] of tree) {
      if (raw.kind !== 'jsonl' || classifyPath(path)?.kind !== 'entries') continue;
      const records = raw.records.map((record) => {
        if (!isRecord(record) || !Array.isArray(record.history)) return record;
        const attempt = record.attempt;
        return { ...record, history: record.history.map((t: unknown) => (isRecord(t) && !('attempt' in t) ? { at: t.at, attempt, from: t.from, to: t.to, message: t.message } : t)) };
      });
      out.set(path, { kind: 'jsonl', records });
    }
    return out;
  },
};

/**
 * v3 → v4: v4 records operators' pauses (`paused:` in status.yaml, written by `ferry pause`). A v3
 * branch has none. The format changes so that a Ferry that does not know pauses refuses the
 * branch instead of acting on a paused campaign.
 */
const V3_TO_V4: StatusUpgrade = {
  from: 'ferry.dev/status/v3',
  to: 'ferry.dev/status/v4',
  upgrade(tree) {
    const status = tree.get(STATUS_FILE);
    if (status?.kind !== 'yaml' || !isRecord(status.value)) return tree;
    const out: RawTree = new Map(tree);
    out.set(STATUS_FILE, { ...status, value: { ...status.value, format: 'ferry.dev/status/v4', paused: { campaign: null, batches: {} } } });
    return out;
  },
};

export const STATUS_UPGRADES: readonly StatusUpgrade[] = [V1_TO_V2, V2_TO_V3, V3_TO_V4];

export function upgradeRawTree(tree: RawTree, format: string, steps: readonly StatusUpgrade[] = STATUS_UPGRADES): RawTree {
  let current = format;
  for (let hops = 0; current !== STATUS_FORMAT; hops++) {
    const step = steps.find((s) => s.from === current);
    if (step === undefined || hops >= steps.length) {
      throw new StatusStoreError(
        'status-unknown-format',
        `the status branch has the format ${format}, which this Ferry cannot upgrade (it knows no upgrade from ${current})`,
        STATUS_FILE,
      );
    }
    tree = step.upgrade(tree);
    current = step.to;
  }
  const status = tree.get(STATUS_FILE);
  const written = status?.kind === 'yaml' && isRecord(status.value) ? status.value.format : undefined;
  if (written !== STATUS_FORMAT) throw new Error(`the upgrade to ${STATUS_FORMAT} left status.yaml with the format ${String(written)}`);
  return tree;
}

// ---------------------------------------------------------------------------------------------
// Parsing

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseRawFile(path: string, text: string): RawFile {
  if (path.endsWith('.yaml')) return parseYaml(path, text);
  if (path.endsWith('.json')) return parseJson(path, text);
  if (path.endsWith('.jsonl')) return { kind: 'jsonl', records: parseJsonLines(path, text) };
  return { kind: 'text', text };
}

function parseYaml(path: string, text: string): RawFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, schema: 'core' });
  const error = doc.errors[0];
  if (error) throw corrupt(path, lineCounter.linePos(error.pos[0]).line, `not valid YAML: ${error.message.split('\n')[0]}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    throw corrupt(path, undefined, `not valid YAML: ${(e as Error).message}`);
  }
  return {
    kind: 'yaml',
    value,
    lineOf(keys) {
      // The deepest node that exists on the way: a missing field is reported where its parent is.
      for (let depth = keys.length; depth >= 0; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(keys.slice(0, depth), true);
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        if (range) return lineCounter.linePos(range[0]).line;
      }
      return undefined;
    },
  };
}

/** The line of a JSON.parse error, from V8's "(line N column M)" or "at position N". */
function jsonErrorLine(text: string, error: Error): number | undefined {
  const line = /line (\d+)/.exec(error.message);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(error.message);
  if (!position) return undefined;
  let lines = 1;
  for (let i = 0; i < Number(position[1]) && i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return lines;
}

/**
 * A pretty-printed JSON document (a batch). Errors name the line of the value at fault, found by
 * following the path's keys through the text in order.
 */
function parseJson(path: string, text: string): RawFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw corrupt(path, jsonErrorLine(text, e as Error), `not valid JSON: ${(e as Error).message}`);
  }
  return {
    kind: 'json',
    value,
    lineOf(keys) {
      let at = 0;
      for (const key of keys) {
        if (typeof key !== 'string') continue;
        const found = text.indexOf(`${JSON.stringify(key)}:`, at);
        if (found < 0) break;
        at = found;
      }
      let line = 1;
      for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
      return line;
    },
  };
}

/** One JSON record per line. */
function parseJsonLines(path: string, text: string): unknown[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw corrupt(path, lines.length, 'the last line has no newline: the file was cut short');
  lines.pop();
  const records = new Array<unknown>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') throw corrupt(path, i + 1, 'an empty line: every line holds one JSON record');
    try {
      records[i] = JSON.parse(line);
    } catch (e) {
      throw corrupt(path, i + 1, `not a JSON record: ${(e as Error).message}`);
    }
  }
  return records;
}

const RECORD_SHAPES = {
  entries: QUEUE_ENTRY,
  instances: INSTANCE_RECORD,
  networks: NETWORK_RECORD,
  ledger: LEDGER_ENTRY,
  archive: ARCHIVE_RECORD,
} as const;

/** One pretty-printed JSON document of a shape (a batch, a target, an assignment), checked and deeply frozen. */
function decodeDocument(path: string, raw: RawFile, shape: Shape): object {
  if (raw.kind !== 'json') throw corrupt(path, undefined, 'expected a JSON file');
  try {
    const value = fromReadable(shape, raw.value);
    checkAndFreeze(shape, value);
    return value as object;
  } catch (error) {
    if (error instanceof ShapeError) throw corrupt(path, raw.lineOf(error.path), error.message);
    throw error;
  }
}

/**
 * The records of one file, checked and deeply frozen. The result depends only on the file's
 * content, so the store keeps it by Git blob id and does not parse the same blob twice.
 */
export function decodeRecords(path: string, where: StatusPath, raw: RawFile): readonly object[] {
  switch (where.kind) {
    case 'status':
    case 'report':
      return [];
    case 'batch':
      return [decodeDocument(path, raw, BATCH_STATUS)];
    case 'target':
      return [decodeDocument(path, raw, TARGET_RECORD)];
    case 'assignment':
      return [decodeDocument(path, raw, BATCH_ASSIGNMENT)];
    default: {
      if (raw.kind !== 'jsonl') throw corrupt(path, undefined, 'expected a JSON Lines file');
      const shape = RECORD_SHAPES[where.kind];
      const records = raw.records;
      for (let i = 0; i < records.length; i++) {
        try {
          checkAndFreeze(shape, records[i]);
        } catch (error) {
          if (error instanceof ShapeError) throw corrupt(path, i + 1, error.message);
          throw error;
        }
      }
      return records as object[];
    }
  }
}

export function decodeManifest(raw: RawFile): StatusManifest {
  if (raw.kind !== 'yaml' || !isRecord(raw.value)) throw corrupt(STATUS_FILE, 1, 'expected a YAML mapping');
  try {
    const manifest = fromReadable(MANIFEST, raw.value);
    checkAndFreeze(MANIFEST, manifest);
    return manifest as StatusManifest;
  } catch (error) {
    if (error instanceof ShapeError) throw corrupt(STATUS_FILE, raw.lineOf(error.path), error.message);
    throw error;
  }
}

interface ArchiveRecord {
  uuid: string;
  transitions: ArchivedTransition[];
}

/** The archive records read or written, by their transitions: a status handing back the same array reuses the record. */
const archiveRecords = new WeakMap<readonly ArchivedTransition[], ArchiveRecord>();

/**
 * The records of target and assignment files (the value with its name), by the status's value
 * (without it): a value handed back unchanged is written from the same record, which the store
 * then knows by identity, as it knows records it read.
 */
const namedRecords = new WeakMap<object, object>();

function namedRecord(value: object, key: 'name' | 'batch', name: string): object {
  const known = namedRecords.get(value) as Record<string, unknown> | undefined;
  if (known?.[key] === name) return known;
  const record = { [key]: name, ...value };
  namedRecords.set(value, record);
  return record;
}

/** The files of one tree, decoded: path → what it is and its records. */
export type DecodedTree = Map<string, { where: StatusPath; records: readonly object[] }>;

/** Where a path belongs, or a corrupt-file error for a file Ferry never writes. */
export function classify(path: string): StatusPath {
  const where = classifyPath(path);
  if (where === undefined) {
    throw corrupt(path, undefined, 'the status branch holds a file Ferry does not write; remove it (or use the Ferry that wrote it)');
  }
  return where;
}

/**
 * The status from its decoded files, checked against status.yaml's manifest: a shard file that
 * went missing, an entry in the wrong file or a duplicate UUID is an error, never silently lost
 * state (a lost entry would make the reconciler start that instance's migration over).
 */
export function assembleStatus(manifest: StatusManifest, tree: DecodedTree): StatusState {
  const status = emptyStatus();
  status.desired_commit = manifest.desired_commit;
  status.updated_at = manifest.updated_at;
  status.pauses = { campaign: manifest.paused.campaign, batches: { ...manifest.paused.batches } };
  const paths = [...tree.keys()].sort(compareCodeUnits);
  const entryCounts = new Map<string, number>();
  const instanceCounts = new Map<string, number>();
  const instances = new Map<string, InstanceRecord[]>();
  const networks = new Map<string, NetworkRecord[]>();

  const shardsOf = (path: string, group: { shards: number } | undefined, what: string, name: string): ShardCount => {
    if (group === undefined) throw corrupt(path, undefined, `status.yaml does not list the ${what} of "${name}"`);
    if (!isShardCount(group.shards)) throw corrupt(STATUS_FILE, undefined, `the ${what} of "${name}" have ${group.shards} shards; a shard count is 1, 16, 256 or 4096`);
    return group.shards;
  };

  for (const path of paths) {
    const { where, records } = tree.get(path)!;
    switch (where.kind) {
      case 'batch': {
        const batch = records[0] as BatchStatus;
        // The name is the first field: line 2 of the file as Ferry writes it.
        if (batch.name !== where.name) throw corrupt(path, 2, `the batch is named "${batch.name}" but its file is the one of "${where.name}"`);
        if (!manifest.batches[where.name]?.status) throw corrupt(path, undefined, `status.yaml does not list the batch "${where.name}"`);
        status.batches[batch.name] = batch;
        break;
      }
      case 'entries': {
        const count = shardsOf(path, manifest.batches[where.name], 'entries', where.name);
        if (!isShardName(where.shard, count)) throw corrupt(path, undefined, `not one of the ${count} shard files status.yaml lists for the entries of "${where.name}"`);
        records.forEach((record, i) => {
          const entry = record as QueueEntry;
          if (entry.batch !== where.name) throw corrupt(path, i + 1, `the entry belongs to the batch "${entry.batch}", not "${where.name}"`);
          if (shardOf(entry.uuid, count) !== where.shard) throw corrupt(path, i + 1, `the entry ${entry.uuid} belongs in shard ${shardOf(entry.uuid, count)}, not ${where.shard}`);
          if (entry.uuid in status.entries) throw corrupt(path, i + 1, `a second entry for the instance ${entry.uuid}`);
          status.entries[entry.uuid] = entry;
        });
        entryCounts.set(where.name, (entryCounts.get(where.name) ?? 0) + records.length);
        break;
      }
      case 'instances': {
        const count = shardsOf(path, manifest.inventory[where.name], 'instances', where.name);
        if (!isShardName(where.shard, count)) throw corrupt(path, undefined, `not one of the ${count} shard files status.yaml lists for the inventory of "${where.name}"`);
        let list = instances.get(where.name);
        if (!list) instances.set(where.name, (list = []));
        records.forEach((record, i) => {
          const instance = record as InstanceRecord;
          if (shardOf(instance.uuid, count) !== where.shard) throw corrupt(path, i + 1, `the instance ${instance.uuid} belongs in shard ${shardOf(instance.uuid, count)}, not ${where.shard}`);
          list.push(instance);
        });
        instanceCounts.set(where.name, (instanceCounts.get(where.name) ?? 0) + records.length);
        break;
      }
      case 'networks':
        if (!(where.name in manifest.inventory)) throw corrupt(path, undefined, `status.yaml does not list the source "${where.name}"`);
        networks.set(where.name, records as NetworkRecord[]);
        break;
      case 'target': {
        const { name, ...target } = records[0] as TargetRecord & { name: string };
        // The name is the first field: line 2 of the file as Ferry writes it.
        if (name !== where.name) throw corrupt(path, 2, `the target is named "${name}" but its file is the one of "${where.name}"`);
        const listed = manifest.targets[where.name];
        if (listed === undefined) throw corrupt(path, undefined, `status.yaml does not list the target "${where.name}"`);
        if (listed.recorded_at !== target.recorded_at || listed.projects !== Object.keys(target.projects).length) {
          throw corrupt(STATUS_FILE, undefined, `the target "${where.name}" is listed differently from ${targetFile(where.name)}: a file was edited`);
        }
        status.targets[where.name] = Object.freeze(target);
        namedRecords.set(status.targets[where.name]!, records[0]!);
        break;
      }
      case 'assignment': {
        const { batch, ...assignment } = records[0] as BatchAssignment & { batch: string };
        if (batch !== where.name) throw corrupt(path, 2, `the assignment is batch "${batch}"'s but its file is the one of "${where.name}"`);
        if (manifest.assignments[where.name]?.instances !== assignment.instances.length) {
          throw corrupt(STATUS_FILE, undefined, `the assignment of batch "${where.name}" is listed differently from ${assignmentFile(where.name)}: a file was edited`);
        }
        status.assignments[where.name] = Object.freeze(assignment);
        namedRecords.set(status.assignments[where.name]!, records[0]!);
        break;
      }
      case 'archive': {
        const count = manifest.archive.shards;
        if (!isShardCount(count) || !isShardName(where.shard, count)) throw corrupt(path, undefined, `not one of the ${count} archive shard files status.yaml lists`);
        records.forEach((record, i) => {
          const { uuid, transitions } = record as { uuid: string; transitions: ArchivedTransition[] };
          if (shardOf(uuid, count) !== where.shard) throw corrupt(path, i + 1, `the instance ${uuid} belongs in archive shard ${shardOf(uuid, count)}, not ${where.shard}`);
          if (uuid in status.archive) throw corrupt(path, i + 1, `a second archive record for the instance ${uuid}`);
          archiveRecords.set(transitions, record as ArchiveRecord);
          status.archive[uuid] = transitions;
        });
        break;
      }
      case 'ledger':
        records.forEach((record, i) => {
          const entry = record as LedgerEntry;
          if (entry.id in status.ledger) throw corrupt(path, i + 1, `a second ledger entry with the id ${JSON.stringify(entry.id)}`);
          status.ledger[entry.id] = entry;
        });
        break;
      case 'status':
      case 'report':
        break;
    }
  }

  for (const [name, batch] of Object.entries(manifest.batches)) {
    if (batch.status !== null && !(name in status.batches)) throw corrupt(STATUS_FILE, undefined, `the batch "${name}" is listed but ${batchFile(name)} is missing`);
    const found = entryCounts.get(name) ?? 0;
    if (found !== batch.entries) {
      throw corrupt(STATUS_FILE, undefined, `the batch "${name}" is listed with ${batch.entries} entries but its shard files hold ${found}: a file is missing or was edited`);
    }
  }
  for (const [name, source] of Object.entries(manifest.inventory)) {
    const found = instanceCounts.get(name) ?? 0;
    if (found !== source.instances) {
      throw corrupt(STATUS_FILE, undefined, `the source "${name}" is listed with ${source.instances} instances but its shard files hold ${found}: a file is missing or was edited`);
    }
    const nets = networks.get(name) ?? [];
    if (nets.length !== source.networks) {
      throw corrupt(STATUS_FILE, undefined, `the source "${name}" is listed with ${source.networks} networks but ${networksFile(name)} holds ${nets.length}`);
    }
    const list = instances.get(name) ?? [];
    list.sort((a, b) => compareCodeUnits(a.uuid, b.uuid));
    status.inventory[name] = { synced_at: source.synced_at, instances: list, networks: nets };
  }
  for (const name of Object.keys(manifest.targets)) {
    if (!(name in status.targets)) throw corrupt(STATUS_FILE, undefined, `the target "${name}" is listed but ${targetFile(name)} is missing`);
  }
  for (const name of Object.keys(manifest.assignments)) {
    if (!(name in status.assignments)) throw corrupt(STATUS_FILE, undefined, `the assignment of batch "${name}" is listed but ${assignmentFile(name)} is missing`);
  }
  const archived = Object.keys(status.archive).length;
  if (archived !== manifest.archive.instances) {
    throw corrupt(STATUS_FILE, undefined, `the archive is listed with ${manifest.archive.instances} instances but its shard files hold ${archived}: a file is missing or was edited`);
  }
  const ledgerCount = Object.keys(status.ledger).length;
  if (ledgerCount !== manifest.ledger.count) {
    throw corrupt(STATUS_FILE, undefined, `the ledger is listed with ${manifest.ledger.count} entries but ${LEDGER_FILE} holds ${ledgerCount}`);
  }
  return status;
}

/** The status held by a whole tree of files (path → text), upgraded from an older format when needed. */
export function filesToStatus(files: ReadonlyMap<string, string>, upgrades: readonly StatusUpgrade[] = STATUS_UPGRADES): StatusState {
  const statusText = files.get(STATUS_FILE);
  if (statusText === undefined) throw corrupt(STATUS_FILE, undefined, 'the file is missing: this is not a Ferry status branch');
  const statusRaw = parseRawFile(STATUS_FILE, statusText);
  const format = statusRaw.kind === 'yaml' && isRecord(statusRaw.value) ? statusRaw.value.format : undefined;
  let tree: RawTree = new Map([[STATUS_FILE, statusRaw]]);
  const age = checkFormat(format);
  for (const [path, text] of files) {
    if (path === STATUS_FILE) continue;
    if (age === 'current') classify(path);
    tree.set(path, parseRawFile(path, text));
  }
  if (age === 'older') tree = upgradeRawTree(tree, format as string, upgrades);
  return decodeRawTree(tree);
}

/** Checks and assembles a tree in the current format. */
export function decodeRawTree(tree: RawTree): StatusState {
  const manifest = decodeManifest(tree.get(STATUS_FILE)!);
  const decoded: DecodedTree = new Map();
  for (const [path, raw] of tree) {
    const where = classify(path);
    decoded.set(path, { where, records: decodeRecords(path, where, raw) });
  }
  return assembleStatus(manifest, decoded);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** One file of the tree a status is written as. */
export interface PlannedFile {
  path: string;
  kind: StatusPath['kind'];
  /**
   * The records the file holds, in the order they were found in the status (not yet sorted).
   * The store compares them by identity with the records it read from the same path: the same
   * frozen objects give the same text, so the file need not be rendered again. Null for files
   * rendered every time (status.yaml, CONFLICTS.md).
   */
  records: readonly object[] | null;
  render(): string;
}

/** Sorted JSON lines of records under a shape; equal keys are ordered by their text, so any input order gives the same file. */
function renderLines(shape: Shape, records: readonly object[], key: (record: object) => string): string {
  const lines = records.map((record) => ({ key: key(record), line: jsonLine(shape, record) }));
  lines.sort((a, b) => compareCodeUnits(a.key, b.key) || compareCodeUnits(a.line, b.line));
  // join builds one flat string, which hashes and writes faster than a chain of concatenations.
  return `${lines.map((l) => l.line).join('\n')}\n`;
}

function shardRecords<T extends { uuid: string }>(records: readonly T[]): { count: ShardCount; shards: Map<string, T[]> } {
  const count = shardCount(records.length);
  const shards = new Map<string, T[]>();
  for (const record of records) {
    const shard = shardOf(record.uuid, count);
    let list = shards.get(shard);
    if (!list) shards.set(shard, (list = []));
    list.push(record);
  }
  return { count, shards };
}

function byUuid(record: object): string {
  return (record as { uuid: string }).uuid;
}

function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort((x, y) => compareCodeUnits(x[0], y[0]));
}

/**
 * status.yaml, written by hand rather than through the YAML library: its shape is fixed, and
 * one line per batch and per source makes a change of counts a one-line diff.
 */
function renderManifest(manifest: StatusManifest): string {
  const time = (ms: number | null): string => yamlValue(ms === null ? null : formatTimestamp(ms));
  const counts = (record: Record<string, number>): string => yamlFlow(sortedEntries(record));
  const lines = STATUS_HEADER.split('\n').map((line) => `#${line}`);
  lines.push(
    '',
    `format: ${yamlValue(manifest.format)}`,
    `desired_commit: ${yamlValue(manifest.desired_commit)}`,
    `updated_at: ${time(manifest.updated_at)}`,
    'summary:',
    `  batches: ${manifest.summary.batches}`,
    `  entries: ${manifest.summary.entries}`,
    `  by_status: ${counts(manifest.summary.by_status)}`,
    `  instances: ${manifest.summary.instances}`,
    `  resolutions: ${manifest.summary.resolutions}`,
  );
  const batches = sortedEntries(manifest.batches);
  lines.push(batches.length === 0 ? 'batches: {}' : 'batches:');
  for (const [name, b] of batches) {
    lines.push(`  ${yamlString(name)}: {status: ${yamlValue(b.status)}, entries: ${b.entries}, shards: ${b.shards}, by_status: ${counts(b.by_status)}}`);
  }
  const sources = sortedEntries(manifest.inventory);
  lines.push(sources.length === 0 ? 'inventory: {}' : 'inventory:');
  for (const [name, s] of sources) {
    lines.push(`  ${yamlString(name)}: {synced_at: ${time(s.synced_at)}, instances: ${s.instances}, shards: ${s.shards}, networks: ${s.networks}}`);
  }
  const targets = sortedEntries(manifest.targets);
  lines.push(targets.length === 0 ? 'targets: {}' : 'targets:');
  for (const [name, t] of targets) lines.push(`  ${yamlString(name)}: {recorded_at: ${time(t.recorded_at)}, projects: ${t.projects}}`);
  const assignments = sortedEntries(manifest.assignments);
  lines.push(assignments.length === 0 ? 'assignments: {}' : 'assignments:');
  for (const [name, a] of assignments) lines.push(`  ${yamlString(name)}: {instances: ${a.instances}}`);
  lines.push(`archive: {instances: ${manifest.archive.instances}, shards: ${manifest.archive.shards}}`);
  lines.push(`ledger: {count: ${manifest.ledger.count}}`);
  const pause = (p: Pause): string => `{by: ${yamlQuoted(p.by)}, at: ${time(p.at)}, reason: ${yamlQuoted(p.reason)}}`;
  const paused = sortedEntries(manifest.paused.batches);
  lines.push('paused:', `  campaign: ${manifest.paused.campaign === null ? 'null' : pause(manifest.paused.campaign)}`);
  lines.push(paused.length === 0 ? '  batches: {}' : '  batches:');
  for (const [name, p] of paused) lines.push(`    ${yamlString(name)}: ${pause(p)}`);
  return `${lines.join('\n')}\n`;
}

/** Every file the status is written as, sorted by path (docs/status-branch.md, "Layout"). */
export function planStatusFiles(status: StatusState): PlannedFile[] {
  const files: PlannedFile[] = [];
  const manifest: StatusManifest = {
    format: STATUS_FORMAT,
    desired_commit: status.desired_commit,
    updated_at: status.updated_at,
    summary: { batches: 0, entries: 0, by_status: {}, instances: 0, resolutions: 0 },
    batches: {},
    inventory: {},
    targets: {},
    assignments: {},
    archive: { instances: 0, shards: 1 },
    ledger: { count: 0 },
    paused: status.pauses,
  };

  for (const [name, batch] of Object.entries(status.batches)) {
    if (batch.name !== name) throw new Error(`status.batches["${name}"] holds the batch "${batch.name}"`);
    manifest.batches[name] = { status: batch.status, entries: 0, shards: 1, by_status: {} };
    files.push({ path: batchFile(name), kind: 'batch', records: [batch], render: () => `${JSON.stringify(toReadable(BATCH_STATUS, batch), null, 2)}\n` });
  }
  manifest.summary.batches = files.length;

  const byBatch = new Map<string, QueueEntry[]>();
  for (const uuid in status.entries) {
    const entry = status.entries[uuid]!;
    if (entry.uuid !== uuid) throw new Error(`status.entries["${uuid}"] holds the entry of ${entry.uuid}`);
    let list = byBatch.get(entry.batch);
    if (!list) byBatch.set(entry.batch, (list = []));
    list.push(entry);
    manifest.summary.by_status[entry.status] = (manifest.summary.by_status[entry.status] ?? 0) + 1;
    manifest.summary.entries++;
  }
  for (const [batch, entries] of byBatch) {
    const { count, shards } = shardRecords(entries);
    const by_status: Record<string, number> = {};
    for (const entry of entries) by_status[entry.status] = (by_status[entry.status] ?? 0) + 1;
    manifest.batches[batch] = { status: status.batches[batch]?.status ?? null, entries: entries.length, shards: count, by_status };
    for (const [shard, records] of shards) {
      files.push({ path: entryShardFile(batch, shard), kind: 'entries', records, render: () => renderLines(QUEUE_ENTRY, records, byUuid) });
    }
  }

  for (const [source, inventory] of Object.entries(status.inventory) as [string, SourceInventory][]) {
    const { count, shards } = shardRecords(inventory.instances);
    manifest.inventory[source] = { synced_at: inventory.synced_at, instances: inventory.instances.length, shards: count, networks: inventory.networks.length };
    manifest.summary.instances += inventory.instances.length;
    for (const [shard, records] of shards) {
      files.push({ path: instanceShardFile(source, shard), kind: 'instances', records, render: () => renderLines(INSTANCE_RECORD, records, byUuid) });
    }
    if (inventory.networks.length > 0) {
      const records = inventory.networks;
      files.push({ path: networksFile(source), kind: 'networks', records, render: () => renderLines(NETWORK_RECORD, records, byUuid) });
    }
  }

  for (const [name, target] of Object.entries(status.targets)) {
    manifest.targets[name] = { recorded_at: target.recorded_at, projects: Object.keys(target.projects).length };
    const record = namedRecord(target, 'name', name);
    files.push({ path: targetFile(name), kind: 'target', records: [record], render: () => `${JSON.stringify(toReadable(TARGET_RECORD, record), null, 2)}\n` });
  }

  for (const [batch, assignment] of Object.entries(status.assignments)) {
    manifest.assignments[batch] = { instances: assignment.instances.length };
    const record = namedRecord(assignment, 'batch', batch);
    files.push({ path: assignmentFile(batch), kind: 'assignment', records: [record], render: () => `${JSON.stringify(toReadable(BATCH_ASSIGNMENT, record), null, 2)}\n` });
  }

  // The record read or written last for an instance whose transitions did not change is reused,
  // so that a shard nobody archived into is not rendered again.
  const archive = Object.entries(status.archive).map(([uuid, transitions]) => {
    const known = archiveRecords.get(transitions);
    if (known?.uuid === uuid) return known;
    const record = { uuid, transitions };
    archiveRecords.set(transitions, record);
    return record;
  });
  if (archive.length > 0) {
    const { count, shards } = shardRecords(archive);
    manifest.archive = { instances: archive.length, shards: count };
    for (const [shard, records] of shards) {
      files.push({ path: archiveShardFile(shard), kind: 'archive', records, render: () => renderLines(ARCHIVE_RECORD, records, byUuid) });
    }
  }

  const ledger = Object.entries(status.ledger).map(([id, entry]) => {
    if (entry.id !== id) throw new Error(`status.ledger["${id}"] holds the ledger entry ${entry.id}`);
    return entry;
  });
  manifest.ledger.count = manifest.summary.resolutions = ledger.length;
  if (ledger.length > 0) files.push({ path: LEDGER_FILE, kind: 'ledger', records: ledger, render: () => renderLines(LEDGER_ENTRY, ledger, (e) => (e as LedgerEntry).id) });

  files.push({
    path: STATUS_FILE,
    kind: 'status',
    records: null,
    render: () => renderManifest(manifest),
  });
  files.push({ path: REPORT_FILE, kind: 'report', records: null, render: () => renderConflictReport(status) });
  return files.sort((a, b) => compareCodeUnits(a.path, b.path));
}

/** The whole tree as path → text. */
export function statusToFiles(status: StatusState): Map<string, string> {
  return new Map(planStatusFiles(status).map((file) => [file.path, file.render()]));
}
