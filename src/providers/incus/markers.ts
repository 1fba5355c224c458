// What Ferry writes on the Incus objects it makes, as `user.*` config keys (free-form on Incus and
// LXD alike). The entry and attempt markers are the only proof that an instance or a volume is
// Ferry's and this attempt's: nothing is changed or deleted without them.

import { ProviderError } from '../ports.js';

export const ENTRY_KEY = 'user.ferry.entry';
export const ATTEMPT_KEY = 'user.ferry.attempt';
export const BATCH_KEY = 'user.ferry.batch';
/** The source's name, the VM's UUID, its vCenter id and inventory path. */
export const SOURCE_KEY = 'user.ferry.source';
export const SOURCE_UUID_KEY = 'user.ferry.source_uuid';
export const SOURCE_ID_KEY = 'user.ferry.source_id';
export const LOCATION_KEY = 'user.ferry.location';
/** The operations completed on the instance, oldest first, space-separated (at most OPS_KEPT). */
export const OPS_KEY = 'user.ferry.ops';
/** The disk import operation that last wrote every disk (recordImport). */
export const IMPORT_KEY = 'user.ferry.import';
/** On a volume: the instance it belongs to and the disk index it holds. */
export const INSTANCE_KEY = 'user.ferry.instance';
export const DISK_INDEX_KEY = 'user.ferry.disk';
/** On a volume: the import operation that wrote it. */
export const WRITTEN_BY_KEY = 'user.ferry.op';

/** transfer: mover — the change ids of the last succeeded warm pass (JSON {op, change_ids: {disk name: id}}). */
export const MOVER_STATE_KEY = 'user.ferry.mover.state';
/** transfer: mover — the disk device the mover boots from. */
export const MOVER_DEVICE = 'ferry-mover';

export const OPS_KEPT = 32;

/** Per source disk (by its position on the source VM): name, pool and size from createInstance; volume and sha256 once written. */
export function diskKey(index: number, field: 'name' | 'pool' | 'size' | 'volume' | 'sha256'): string {
  return `user.ferry.disk.${index}.${field}`;
}

/** Per source NIC (by its position): MAC and IPv4 address from createInstance, for the final NICs. */
export function nicKey(index: number, field: 'hwaddr' | 'ipv4'): string {
  return `user.ferry.nic.${index}.${field}`;
}

export interface Markers {
  entry: string;
  attempt: string;
}

export type Config = Record<string, string | undefined>;

export function carriesMarkers(config: Config, markers: Markers): boolean {
  return config[ENTRY_KEY] === markers.entry && config[ATTEMPT_KEY] === markers.attempt;
}

export function describeMarkers(config: Config): string {
  const entry = config[ENTRY_KEY];
  return entry === undefined ? 'no Ferry markers' : `the markers of entry ${entry}, attempt ${config[ATTEMPT_KEY] ?? '?'}`;
}

/** The refusal to touch an instance that is not this attempt's. */
export function markerMismatch(what: string, config: Config, markers: Markers): ProviderError {
  return new ProviderError('marker-mismatch', `${what} carries ${describeMarkers(config)}, not entry ${markers.entry}, attempt ${markers.attempt}; Ferry does not touch it`);
}

export function recordedOps(config: Config): string[] {
  const text = config[OPS_KEY];
  return text === undefined || text === '' ? [] : text.split(' ');
}

/** The ops list with `op` appended (once), keeping the newest OPS_KEPT. */
export function withOp(config: Config, op: string): string {
  const ops = recordedOps(config).filter((id) => id !== op);
  ops.push(op);
  return ops.slice(-OPS_KEPT).join(' ');
}

/** The disk indexes createInstance placed (those with a pool), in order. */
export function placedDisks(config: Config): number[] {
  const indexes: number[] = [];
  for (const key of Object.keys(config)) {
    const match = /^user\.ferry\.disk\.(\d+)\.pool$/.exec(key);
    if (match) indexes.push(Number(match[1]));
  }
  return indexes.sort((a, b) => a - b);
}

/** The source NICs createInstance recorded, in order. */
export function recordedNics(config: Config): { hwaddr: string; ipv4: string }[] {
  const nics: { hwaddr: string; ipv4: string }[] = [];
  for (let i = 0; config[nicKey(i, 'hwaddr')] !== undefined; i++) {
    nics.push({ hwaddr: config[nicKey(i, 'hwaddr')]!, ipv4: config[nicKey(i, 'ipv4')] ?? '' });
  }
  return nics;
}
