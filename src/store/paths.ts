// Where each record lives on the status branch (docs/status-branch.md, "Layout"). Part of the
// format: changing a path or the shard function is a new status format.

export const STATUS_FILE = 'status.yaml';
export const REPORT_FILE = 'CONFLICTS.md';
export const LEDGER_FILE = 'ledger.jsonl';

/**
 * A batch, source or target name as one path segment. Names are Incus API names, which may still hold
 * characters that are awkward in paths (`:`, `|`, `<`…); every byte outside `A-Z a-z 0-9 . _ -`
 * (and a leading `.`) is written as `%XX`, so any name maps to one safe, reversible segment.
 */
export function nameSegment(name: string): string {
  if (name === '') throw new Error('a batch or source name is empty');
  let out = '';
  const bytes = Buffer.from(name, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const plain = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x2d || (b === 0x2e && i > 0);
    out += plain ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The name a segment stands for, or undefined when the segment is not one nameSegment writes. */
export function segmentName(segment: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return name !== '' && nameSegment(name) === segment ? name : undefined;
}

/** Shard counts: one file up to SHARD_TARGET records, then 16, 256 or 4096 files. */
export const SHARD_COUNTS = [1, 16, 256, 4096] as const;
export type ShardCount = (typeof SHARD_COUNTS)[number];

/** Records per shard file the layout aims for (at most this many on average). */
export const SHARD_TARGET = 256;

/** How many shard files a group of `records` records is split into. */
export function shardCount(records: number): ShardCount {
  for (const count of SHARD_COUNTS) if (records <= count * SHARD_TARGET) return count;
  return SHARD_COUNTS[SHARD_COUNTS.length - 1];
}

export function isShardCount(value: unknown): value is ShardCount {
  return (SHARD_COUNTS as readonly unknown[]).includes(value);
}

/** 32-bit FNV-1a over the UTF-8 bytes of `key`. */
export function fnv1a(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return fnv1aBytes(Buffer.from(key, 'utf8'));
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  return hash >>> 0;
}

function fnv1aBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193);
  return hash >>> 0;
}

const HEX_DIGITS: Record<ShardCount, number> = { 1: 0, 16: 1, 256: 2, 4096: 3 };

/** The shard a UUID belongs to: `all` when there is one shard, else the top hex digits of its hash. */
export function shardOf(uuid: string, count: ShardCount): string {
  const digits = HEX_DIGITS[count];
  if (digits === 0) return 'all';
  return (fnv1a(uuid) >>> (32 - 4 * digits)).toString(16).padStart(digits, '0');
}

export function isShardName(shard: string, count: ShardCount): boolean {
  const digits = HEX_DIGITS[count];
  return digits === 0 ? shard === 'all' : shard.length === digits && /^[0-9a-f]+$/.test(shard);
}

export const batchFile = (batch: string): string => `batches/${nameSegment(batch)}.json`;
export const entryShardFile = (batch: string, shard: string): string => `entries/${nameSegment(batch)}/${shard}.jsonl`;
export const instanceShardFile = (source: string, shard: string): string => `inventory/${nameSegment(source)}/instances/${shard}.jsonl`;
export const networksFile = (source: string): string => `inventory/${nameSegment(source)}/networks.jsonl`;
export const targetFile = (target: string): string => `targets/${nameSegment(target)}.json`;
export const assignmentFile = (batch: string): string => `assignments/${nameSegment(batch)}.json`;
export const archiveShardFile = (shard: string): string => `archive/${shard}.jsonl`;

export type StatusPath =
  | { kind: 'status' }
  | { kind: 'report' }
  | { kind: 'ledger' }
  | { kind: 'batch'; name: string }
  | { kind: 'entries'; name: string; shard: string }
  | { kind: 'instances'; name: string; shard: string }
  | { kind: 'networks'; name: string }
  | { kind: 'target'; name: string }
  | { kind: 'assignment'; name: string }
  | { kind: 'archive'; shard: string };

const PATTERNS: [RegExp, (m: RegExpExecArray) => StatusPath | undefined][] = [
  [/^batches\/([^/]+)\.json$/, (m) => named(m[1]!, (name) => ({ kind: 'batch', name }))],
  [/^entries\/([^/]+)\/(all|[0-9a-f]{1,3})\.jsonl$/, (m) => named(m[1]!, (name) => ({ kind: 'entries', name, shard: m[2]! }))],
  [/^inventory\/([^/]+)\/instances\/(all|[0-9a-f]{1,3})\.jsonl$/, (m) => named(m[1]!, (name) => ({ kind: 'instances', name, shard: m[2]! }))],
  [/^inventory\/([^/]+)\/networks\.jsonl$/, (m) => named(m[1]!, (name) => ({ kind: 'networks', name }))],
  [/^targets\/([^/]+)\.json$/, (m) => named(m[1]!, (name) => ({ kind: 'target', name }))],
  [/^assignments\/([^/]+)\.json$/, (m) => named(m[1]!, (name) => ({ kind: 'assignment', name }))],
  [/^archive\/(all|[0-9a-f]{1,3})\.jsonl$/, (m) => ({ kind: 'archive', shard: m[1]! })],
];

function named(segment: string, make: (name: string) => StatusPath): StatusPath | undefined {
  const name = segmentName(segment);
  return name === undefined ? undefined : make(name);
}

/** What a file of the status branch holds, judged by its path; undefined for a path Ferry never writes. */
export function classifyPath(path: string): StatusPath | undefined {
  if (path === STATUS_FILE) return { kind: 'status' };
  if (path === REPORT_FILE) return { kind: 'report' };
  if (path === LEDGER_FILE) return { kind: 'ledger' };
  for (const [pattern, make] of PATTERNS) {
    const m = pattern.exec(path);
    if (m) return make(m);
  }
  return undefined;
}
