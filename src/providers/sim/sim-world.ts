// A simulated world as the rest of Ferry holds it: opened from the repository (and its state file,
// when it has one), changed only through provider calls and the virtual clock, persisted after
// every change. Opening the same state file twice in one process gives the same world, so two
// reconcilers in one process share it; a second process is refused while the first runs.

import { resolve } from 'node:path';
import type { Action } from '../../engine/actions.js';
import type { DesiredState } from '../../model/desired.js';
import type { RepoFiles } from '../../repo/files.js';
import type { Inventories } from '../../repo/simulation-layout.js';
import { ProviderError, type VirtualClock } from '../ports.js';
import { cleanUpAfter } from '../../util/first-failure.js';
import { crashPoint, registerCrashSchedule } from './crash.js';
import type { History } from './history.js';
import { historyOf, loadWorldFile, WorldFile } from './journal.js';
import { emptyWorld, mergeDesired, readInventories, type WorldNote } from './seed.js';
import type { WorldState } from './state.js';
import { nextEventAt } from './timeline.js';
import { ownerOf, TRANSFERS, World, type Command } from './world.js';

export interface OpenSimWorldOptions {
  desired: DesiredState;
  /** The repository's files: the sim sources' inventory files are read from here. */
  files: RepoFiles;
  /** Where the world persists (a JSON Lines file plus `.journal`, `.history/` and `.lock` beside it); null or absent: in memory only. */
  stateFile?: string | null;
  /** Observe only (plan): the state file is never written, and calls that would change the world throw. */
  readOnly?: boolean;
  /** Real sources or targets take part: the world follows the real clock, and a changed start is only a warning. */
  realClock?: boolean;
}

const openWorlds = new Map<string, SimWorld>();

/**
 * Opens the world of a repository: creates it from the desired state on first use, otherwise
 * loads it and merges the repository's edits in (docs/simulator.md). Close it when done.
 */
export async function openSimWorld(options: OpenSimWorldOptions): Promise<SimWorld> {
  const inventories = await readInventories(options.desired, options.files);
  const path = options.stateFile ? resolve(options.stateFile) : null;
  const readOnly = options.readOnly ?? false;
  if (path !== null && !readOnly) {
    const shared = openWorlds.get(path);
    if (shared) {
      shared.share();
      try {
        shared.mergeInventories(options.desired, inventories, options.realClock);
      } catch (error) {
        // The merge's failure is the one to report, not a second one while closing.
        await shared.close().catch(() => {});
        throw error;
      }
      return shared;
    }
  }
  const loaded = path !== null ? loadWorldFile(path) : undefined;
  const model = new World(loaded?.state ?? emptyWorld(options.desired));
  for (const command of loaded?.commands ?? []) model.apply(command);
  const { changed, notes } = mergeDesired(model.state, options.desired, inventories, { realClock: options.realClock ?? false });
  model.reindex();
  const file = path !== null && !readOnly ? WorldFile.open(path, loaded) : null;
  if (file && (changed || !loaded || loaded.commands.length > 0 || loaded.upgraded)) {
    try {
      file.compact(model.state, model.retire());
    } catch (error) {
      cleanUpAfter(error, () => file.close());
    }
  }
  const world = new SimWorld(model, file, readOnly, path !== null && loaded !== undefined && file === null ? historyOf(path, loaded) : null);
  world.notes = notes;
  if (path !== null && !readOnly) openWorlds.set(path, world);
  return world;
}

export class SimWorld {
  readonly clock: VirtualClock;
  private references = 1;
  private closed = false;
  private broken: Error | null = null;
  private compacting = false;
  private readonly unregisterCrashes: () => void;
  /** What the last merge of the repository adopted or could not honour (docs/simulator.md, "Editing the repository"). */
  notes: WorldNote[] = [];

  constructor(
    private readonly model: World,
    private readonly file: WorldFile | null,
    readonly readOnly: boolean,
    /** A read-only world's history, as its snapshot knows it. */
    private readonly readHistory: History | null = null,
  ) {
    const world = this;
    this.clock = {
      virtual: true,
      now: () => world.now(),
      nextEventAt: () => world.nextEventAt(),
      advanceTo: async (time: number) => world.advanceTo(time),
    };
    this.unregisterCrashes = readOnly ? () => {} : registerCrashSchedule((step) => this.fireCrash(step));
  }

  /** The world as it is now. Read it; never change it (changes go through calls and the clock). */
  get state(): Readonly<WorldState> {
    return this.model.state;
  }

  /** Whether the world is persisted (false: in memory only). */
  get persistent(): boolean {
    return this.file !== null;
  }

  /**
   * What left the live world: ended operations and logged calls, read a line at a time (state
   * holds the rest). Null for a world that has none (in memory, or not yet persisted).
   */
  history(): History | null {
    return this.file?.history ?? this.readHistory;
  }

  /** Whether an operation id was ever called (running or ended). */
  knows(id: string): boolean {
    return this.model.knows(id);
  }

  now(): number {
    return this.model.now;
  }

  nextEventAt(): number | null {
    return nextEventAt(this.model);
  }

  /** A VM by current UUID (or inventory UUID), for the source providers' reads. */
  vm(source: string, uuid: string) {
    return this.model.vm(source, uuid);
  }

  /** Why a source or target does not answer right now, or null when it does. */
  unreachable(side: 'source' | 'target', name: string): string | null {
    const state = side === 'source' ? this.model.source(name) : this.model.target(name);
    if (!state) return `${side} ${name} is not part of the simulation`;
    if (state.unreachable_until !== null && this.model.now < state.unreachable_until) {
      return `${side} ${name} does not answer (simulated outage until ${new Date(state.unreachable_until).toISOString()})`;
    }
    return null;
  }

  /** Runs a provider call: idempotent by `action.op`, recorded and persisted before it returns. */
  call(action: Action): void {
    this.ensureWritable();
    crashPoint(`sim:${action.kind}:before`);
    const unknown = this.unknownFor(action);
    if (unknown !== null) throw new ProviderError('unknown', unknown);
    const unreachable = this.unreachableFor(action);
    if (unreachable !== null) throw new ProviderError('unreachable', unreachable);
    const command: Command = { c: 'call', action };
    const result = this.model.apply(command);
    this.persist(command);
    crashPoint(`sim:${action.kind}:after`);
    if (result.error) throw result.error;
  }

  /** Sets config keys on a target instance (a byte transfer's digests and import record), persisted. */
  setInstanceConfig(target: string, project: string, name: string, set: Record<string, string>): void {
    this.ensureWritable();
    const unreachable = this.unreachable('target', target);
    if (unreachable !== null) throw new ProviderError('unreachable', unreachable);
    if (!this.model.state.targets[target]?.instances[project]?.[name]) throw new ProviderError('not-found', `instance ${name} does not exist in project ${project} of target ${target}`);
    const command: Command = { c: 'config', target, project, name, set };
    this.model.apply(command);
    this.persist(command);
  }

  /** Moves the clock to `time` (never back), applying what is due on the way. */
  advanceTo(time: number): void {
    this.ensureWritable();
    const next = this.nextEventAt();
    if (time <= this.model.now && (next === null || next > this.model.now)) return;
    crashPoint('sim:advance:before');
    const command: Command = { c: 'advance', to: Math.max(time, this.model.now) };
    this.model.apply(command);
    this.persist(command);
    crashPoint('sim:advance:after');
  }

  /** Merges edits of the repository (new VMs, events, lists) into the open world. */
  async merge(desired: DesiredState, files: RepoFiles): Promise<void> {
    this.mergeInventories(desired, await readInventories(desired, files));
  }

  /** The merge once the inventories are read. */
  mergeInventories(desired: DesiredState, inventories: Inventories, realClock = false): void {
    this.ensureOpen();
    const { changed, notes } = mergeDesired(this.model.state, desired, inventories, { realClock });
    this.notes = notes;
    if (!changed) return;
    this.model.reindex();
    if (this.file && !this.readOnly) this.compact();
  }

  /** Another holder of the world (a second reconciler): each holder closes it once. */
  share(): this {
    this.ensureOpen();
    this.references++;
    return this;
  }

  /**
   * Releases this holder's reference. When the last one is released, a persisted world is
   * compacted, its lock released, and it can no longer be used; an in-memory world stays readable.
   */
  async close(): Promise<void> {
    if (this.closed || --this.references > 0) return;
    this.unregisterCrashes();
    if (!this.file) return;
    this.closed = true;
    for (const [path, world] of openWorlds) if (world === this) openWorlds.delete(path);
    if (!this.broken) {
      try {
        this.compact();
      } catch (error) {
        cleanUpAfter(error, () => this.file!.close());
      }
    }
    this.file.close();
  }

  private unknownFor(action: Action): string | null {
    const missing = (side: 'source' | 'target', name: string) =>
      (side === 'source' ? this.model.source(name) : this.model.target(name)) ? null : `${side} ${name} is not a sim ${side} of this simulation`;
    switch (action.kind) {
      case 'power_off_source':
      case 'power_on_source':
        return missing('source', action.source);
      case 'import_disks':
        return missing('source', action.source) ?? missing('target', action.target);
      case 'cancel_operation':
        return null;
      default:
        return missing('target', action.target);
    }
  }

  private unreachableFor(action: Action): string | null {
    const owner = ownerOf(action);
    if (owner !== TRANSFERS) {
      const side = action.kind === 'power_off_source' || action.kind === 'power_on_source' ? 'source' : 'target';
      return this.unreachable(side, owner);
    }
    if (action.kind === 'import_disks') return this.unreachable('source', action.source) ?? this.unreachable('target', action.target);
    const canceled = action.kind === 'cancel_operation' ? action.cancel : '';
    const target = this.model.state.ops[canceled]?.instance?.target ?? this.model.state.ended[canceled]?.target;
    return target !== undefined ? this.unreachable('target', target) : null;
  }

  private fireCrash(step: string): boolean {
    if (this.closed || this.broken) return false;
    const due = this.model.state.events.find((e) => !e.applied && e.event.type === 'crash' && e.event.step === step && e.event.at <= this.model.now);
    if (!due) return false;
    const command: Command = { c: 'crash', event: due.id };
    this.model.apply(command);
    this.persist(command);
    return true;
  }

  private persist(command: Command): void {
    if (!this.file) return;
    try {
      this.file.append(command);
      // A scripted crash firing while the world compacts is journaled, and the process dies then.
      if (this.file.wantsCompaction && !this.compacting) this.compact();
    } catch (error) {
      // Memory is now ahead of the disk: refuse to go on rather than diverge further.
      this.broken = error as Error;
      throw error;
    }
  }

  /** What ended leaves for the history, and the live world becomes the snapshot. */
  private compact(): void {
    this.compacting = true;
    try {
      this.file!.compact(this.model.state, this.model.retire());
    } finally {
      this.compacting = false;
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('the simulated world is closed');
    // The cause is what went wrong (a full disk: disk-full), and what the command reports.
    if (this.broken) throw new Error(`the simulated world could not be saved and stopped: ${this.broken.message}`, { cause: this.broken });
  }

  private ensureWritable(): void {
    this.ensureOpen();
    if (this.readOnly) throw new Error('the simulated world was opened read-only (plan); it cannot change');
  }
}
