// The counts the limits gate on, computed once per tick from the entries and kept current as
// entries move during the tick: creations per target (create_limit), imports per source and per
// target (import_limit), holders of each window of a batch (capacity), and the entries of each
// batch in their final steps (a constraint's max_concurrent_instances).

import type { CompiledConstraint } from './compiled.js';
import { isInFinalSteps, type QueueEntry } from './status.js';

/** The fields of an entry that the counts depend on. */
export interface Footprint {
  uuid: string;
  batch: string;
  status: QueueEntry['status'];
  source: string;
  target: string;
  window: string | null;
}

export function footprint(entry: QueueEntry): Footprint {
  return { uuid: entry.uuid, batch: entry.batch, status: entry.status, source: entry.source, target: entry.placement.target_name, window: entry.window };
}

function sameFootprint(a: Footprint, b: Footprint): boolean {
  return a.status === b.status && a.source === b.source && a.target === b.target && a.window === b.window && a.batch === b.batch;
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}

export class Occupancy {
  private readonly creatingByTarget = new Map<string, number>();
  private readonly importsBySource = new Map<string, number>();
  private readonly importsByTarget = new Map<string, number>();
  private readonly holders = new Map<string, number>();
  private readonly finalSteps = new Map<string, Set<string>>();
  /** Bumped whenever a batch's final-steps set changes: invalidates its constraint counts. */
  private readonly versions = new Map<string, number>();
  private readonly constraintMatches = new Map<CompiledConstraint, { version: number; uuids: Set<string> }>();

  constructor(entries: Iterable<QueueEntry>) {
    for (const entry of entries) this.apply(footprint(entry), 1);
  }

  /** Records that an entry's footprint changed (null: the entry appeared, or was removed). */
  move(before: Footprint | null, after: Footprint | null): void {
    if (before && after && sameFootprint(before, after)) return;
    if (before) this.apply(before, -1);
    if (after) this.apply(after, 1);
  }

  private apply(f: Footprint, by: number): void {
    if (f.status === 'creating') bump(this.creatingByTarget, f.target, by);
    if (f.status === 'background_import' || f.status === 'final_import') {
      bump(this.importsBySource, f.source, by);
      bump(this.importsByTarget, f.target, by);
    }
    if (f.window !== null) bump(this.holders, `${f.batch}\u0000${f.window}`, by);
    if (isInFinalSteps(f)) {
      let set = this.finalSteps.get(f.batch);
      if (!set) this.finalSteps.set(f.batch, (set = new Set()));
      if (by > 0) set.add(f.uuid);
      else set.delete(f.uuid);
      this.versions.set(f.batch, (this.versions.get(f.batch) ?? 0) + 1);
    }
  }

  creating(target: string): number {
    return this.creatingByTarget.get(target) ?? 0;
  }

  importsFromSource(source: string): number {
    return this.importsBySource.get(source) ?? 0;
  }

  importsToTarget(target: string): number {
    return this.importsByTarget.get(target) ?? 0;
  }

  windowHolders(batch: string, window: string): number {
    return this.holders.get(`${batch}\u0000${window}`) ?? 0;
  }

  /** Entries of the batch in their final steps whose instance matches the constraint (`matches` evaluates one). */
  finalStepsMatching(batch: string, constraint: CompiledConstraint, matches: (uuid: string) => boolean, exclude: string): number {
    const set = this.finalSteps.get(batch);
    if (!set || set.size === 0) return 0;
    const version = this.versions.get(batch) ?? 0;
    let cached = this.constraintMatches.get(constraint);
    if (!cached || cached.version !== version) {
      const uuids = new Set<string>();
      for (const uuid of set) if (matches(uuid)) uuids.add(uuid);
      cached = { version, uuids };
      this.constraintMatches.set(constraint, cached);
    }
    return cached.uuids.size - (cached.uuids.has(exclude) ? 1 : 0);
  }
}
