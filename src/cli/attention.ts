// What needs an operator, from the status: entries Blocked, in Conflict or in Error, how many, and
// the next command to run for the first of them — what `ferry status` ends with.

import { ENTRY_STATUS_TEXT, type EntryStatusCode, type QueueEntry } from '../engine/status.js';

export interface Attention {
  status: string;
  count: number;
  /** The first few, by name. */
  instances: { name: string; batch: string; uuid: string }[];
  /** Commands to run next, in order, for the first of them. */
  next: string[];
}

const ORDER: EntryStatusCode[] = ['conflict', 'error', 'blocked'];
const SHOWN = 3;

/** A word as a POSIX shell reads it back: bare when it is plain, single-quoted otherwise. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._/:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function nextCommands(code: EntryStatusCode, entry: QueueEntry, handle: string): string[] {
  const explain = `ferry explain ${shellWord(handle)}`;
  const resolve = (action: string, flags = '') => `ferry resolve ${shellWord(entry.batch)} ${shellWord(handle)} --action ${action}${flags}`;
  switch (code) {
    case 'conflict':
      return [explain, `fix what it names, then ${resolve('resolve')}`];
    case 'error':
      return [explain, `${resolve('cancel', ' --cleanup')}, then ${resolve('retry')}`];
    default:
      return [explain];
  }
}

/** The entries that need an operator, worst first. */
export function needsAttention(entries: readonly QueueEntry[]): Attention[] {
  const names = new Map<string, number>();
  for (const e of entries) names.set(e.name, (names.get(e.name) ?? 0) + 1);
  const out: Attention[] = [];
  for (const code of ORDER) {
    const list = entries.filter((e) => e.status === code).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.uuid < b.uuid ? -1 : 1));
    if (list.length === 0) continue;
    const first = list[0]!;
    // A name two entries share would make explain list candidates: name the first by its UUID.
    const handle = names.get(first.name) === 1 ? first.name : first.uuid;
    out.push({
      status: ENTRY_STATUS_TEXT[code],
      count: list.length,
      instances: list.slice(0, SHOWN).map((e) => ({ name: e.name, batch: e.batch, uuid: e.uuid })),
      next: nextCommands(code, first, handle),
    });
  }
  return out;
}
