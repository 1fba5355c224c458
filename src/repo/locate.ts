import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { Origin } from '../model/desired.js';
import type { ParsedDocument } from './yaml-file.js';

export type DataPath = readonly (string | number)[];

/** The YAML node at a data path, and the key node of its mapping entry when it has one. */
export interface Located {
  node: Node | null;
  key: Node | null;
  /** The deepest node on the path that exists (the path may name something that is missing). */
  nearest: Node;
  found: boolean;
}

export function locateNode(parsed: ParsedDocument, path: DataPath): Located {
  let node = parsed.document.contents as Node | null;
  let key: Node | null = null;
  let nearest = node as Node;
  for (const segment of path) {
    if (node === null) return { node: null, key, nearest, found: false };
    let next: Node | null = null;
    let nextKey: Node | null = null;
    if (isMap(node)) {
      const pair = entry(node, String(segment));
      if (!pair) return { node: null, key: null, nearest, found: false };
      next = (pair.value as Node | null) ?? null;
      nextKey = pair.key as Node;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = (node.items[segment] as Node | undefined) ?? null;
      if (next === null) return { node: null, key: null, nearest, found: false };
    } else {
      return { node: null, key: null, nearest, found: false };
    }
    node = next;
    key = nextKey;
    if (hasRange(nextKey)) nearest = nextKey!;
    if (hasRange(next)) nearest = next!;
  }
  return { node, key, nearest, found: true };
}

type Entry = Pair<Scalar, unknown>;
const indexes = new WeakMap<YAMLMap, { length: number; byKey: Map<string, Entry> }>();

/** Below this many keys a mapping is scanned: cheaper than building its index. */
const SCANNED = 16;

/**
 * The first entry of a mapping with this key. A large mapping is indexed once (and again if an
 * upgrade adds or deletes keys): problems and positions look keys up by path many times, and a
 * scan per look-up would make reporting quadratic in a mapping's size.
 */
function entry(map: YAMLMap, key: string): Entry | undefined {
  if (map.items.length < SCANNED) {
    for (const item of map.items) if (isPair(item) && isScalar(item.key) && String(item.key.value) === key) return item as Entry;
    return undefined;
  }
  const known = indexes.get(map);
  if (known && known.length === map.items.length) return known.byKey.get(key);
  const byKey = new Map<string, Entry>();
  for (const item of map.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const name = String(item.key.value);
    if (!byKey.has(name)) byKey.set(name, item as Entry);
  }
  indexes.set(map, { length: map.items.length, byKey });
  return byKey.get(key);
}

function hasRange(node: Node | null | undefined): boolean {
  return !!node && Array.isArray(node.range) && node.range[0] !== undefined;
}

export function originAt(parsed: ParsedDocument, offset: number): Origin {
  const { line, col } = parsed.lineCounter.linePos(Math.max(0, Math.min(offset, parsed.text.length)));
  return { file: parsed.file, line, column: col };
}

/**
 * Where to point for a data path: the key (for "this field is wrong/unknown") or the value (for
 * "this value is wrong"). Falls back to the nearest existing node when the path is missing.
 */
export function originOf(parsed: ParsedDocument, path: DataPath, prefer: 'key' | 'value' = 'value'): Origin {
  const located = locateNode(parsed, path);
  const chosen = prefer === 'key' ? located.key ?? located.node : located.node ?? located.key;
  const node = chosen && hasRange(chosen) ? chosen : located.nearest;
  const offset = node && hasRange(node) ? node.range![0] : (parsed.document.contents?.range?.[0] ?? 0);
  return originAt(parsed, offset);
}
