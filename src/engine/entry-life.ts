// The whole life of one instance's queue entries, across batches, attempts and resets: the
// transitions the status archived (./tick.ts archiveTransitions) followed by those its entry still
// holds. Nothing is ever cut, so this is everything the reconciler did with the instance. Pure.

import type { EntryStatusCode, StatusState } from './status.js';

export interface LifeTransition {
  at: number;
  batch: string;
  attempt: number;
  from: EntryStatusCode | null;
  to: EntryStatusCode;
  message: string;
  /** The back-and-forth this transition is half of happened `times` more times, the last at `last_at`. */
  repeats?: { times: number; last_at: number };
}

export interface EntryLife {
  uuid: string;
  /** From the current entry, else the last synced inventory; null when neither knows the instance any more. */
  name: string | null;
  location: string | null;
  source: string | null;
  /** The current entry, when there is one. */
  entry: { batch: string; status: EntryStatusCode; attempt: number } | null;
  /** Oldest first. */
  transitions: LifeTransition[];
}

export type EntryLifeResult =
  | { ok: true; life: EntryLife }
  | { ok: false; message: string; candidates: { uuid: string; name: string; location: string }[] };

interface Known {
  uuid: string;
  name: string;
  location: string;
  source: string;
}

/** Every instance the status knows by name: current entries first, then the synced inventories. */
function knownInstances(status: StatusState): Map<string, Known> {
  const known = new Map<string, Known>();
  for (const entry of Object.values(status.entries)) known.set(entry.uuid, { uuid: entry.uuid, name: entry.name, location: entry.location, source: entry.source });
  for (const source of Object.keys(status.inventory).sort()) {
    for (const instance of status.inventory[source]!.instances) {
      if (!known.has(instance.uuid)) known.set(instance.uuid, { uuid: instance.uuid, name: instance.name, location: instance.location, source });
    }
  }
  return known;
}

/** Finds an instance by UUID, inventory location or (unique) name and gathers its transitions. */
export function entryLife(status: StatusState, query: string): EntryLifeResult {
  const known = knownInstances(status);
  let uuid: string | undefined;
  if (known.has(query) || status.archive[query] !== undefined) uuid = query;
  else {
    const located = [...known.values()].find((k) => k.location === query);
    if (located) uuid = located.uuid;
    else {
      const named = [...known.values()].filter((k) => k.name === query);
      if (named.length > 1) {
        return {
          ok: false,
          message: `${named.length} instances are named "${query}"; name one by its location or UUID`,
          candidates: named.map(({ uuid, name, location }) => ({ uuid, name, location })),
        };
      }
      uuid = named[0]?.uuid;
    }
  }
  if (uuid === undefined) return { ok: false, message: `no instance has the UUID, location or name "${query}" in the status branch`, candidates: [] };
  const about = known.get(uuid);
  const entry = status.entries[uuid];
  const transitions: LifeTransition[] = (status.archive[uuid] ?? []).map(({ at, batch, attempt, from, to, message, repeats }) => ({ at, batch, attempt, from, to, message, ...(repeats ? { repeats } : {}) }));
  if (entry) for (const { at, attempt, from, to, message, repeats } of entry.history) transitions.push({ at, batch: entry.batch, attempt, from, to, message, ...(repeats ? { repeats } : {}) });
  return {
    ok: true,
    life: {
      uuid,
      name: about?.name ?? null,
      location: about?.location ?? null,
      source: about?.source ?? null,
      entry: entry ? { batch: entry.batch, status: entry.status, attempt: entry.attempt } : null,
      transitions,
    },
  };
}
