// Two reconcilers on one campaign, as two machines would run it: a bare "origin", two clones with
// their own status store in remote mode (fetch, push without force), one simulated world with a
// provider set per reconciler. The test drives their ticks in a seeded schedule; the wrappers
// here let it force the interesting interleavings deterministically (both deciding from the same
// status revision; one reconciler's actions held back while the other ticks) and record every
// provider call with the reconciler that made it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Action } from '../../src/engine/actions.js';
import { ProviderError, type ProviderSet, type SourceProvider, type TargetProvider, type TransferProvider, type VirtualClock } from '../../src/providers/ports.js';
import { createSimProviders, openSimWorld, type SimWorld } from '../../src/providers/sim/index.js';
import { desiredAtCommit, type DesiredAt } from '../../src/reconcile/desired.js';
import { tick, type ReconcilerSetup, type TickReport } from '../../src/reconcile/reconciler.js';
import { openRepositoryStore } from '../../src/reconcile/store.js';
import type { StatusState } from '../../src/engine/status.js';
import type { StatusSnapshot, StatusStore, WriteResult } from '../../src/store/index.js';
import { writeCampaignRepo, type CampaignOptions } from '../../scripts/campaign.js';
import { seededRandom } from '../../scripts/random.js';

const GIT_ENV = { GIT_AUTHOR_NAME: 'Tester', GIT_AUTHOR_EMAIL: 'tester@example.com', GIT_COMMITTER_NAME: 'Tester', GIT_COMMITTER_EMAIL: 'tester@example.com' };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();
}

/** A deterministic pseudo-random sequence. */
export const seeded = seededRandom;

/** A provider call as a reconciler made it. */
export interface Call {
  reconciler: string;
  op: string;
  kind: Action['kind'];
  entry: string;
  attempt: string;
  /** The reconciler's tick that made it (its own count). */
  tick: number;
  /** The call threw (the provider did not take it: unreachable, refused); set when it returned. */
  threw: boolean | null;
}

/** A gate a wrapper waits at: open unless a test closed it. */
export class Gate {
  private waiting: Promise<void> | null = null;
  private release: (() => void) | null = null;
  private arrived: (() => void) | null = null;
  /** Resolves when something first waits at the closed gate. */
  reached: Promise<void> = Promise.resolve();

  close(): void {
    this.waiting = new Promise((resolve) => (this.release = resolve));
    this.reached = new Promise((resolve) => (this.arrived = resolve));
  }

  open(): void {
    this.release?.();
    this.waiting = this.release = this.arrived = null;
  }

  async pass(): Promise<void> {
    if (this.waiting === null) return;
    this.arrived?.();
    await this.waiting;
  }
}

/** The status store with a hook after each read (to line two reconcilers up on one revision) and a log of writes. */
export class ScriptedStore implements StatusStore {
  /** Called (once) after the next read, before its snapshot is returned. */
  afterNextRead: (() => Promise<void>) | null = null;
  readonly writes: { base: string | null; ok: boolean; revision: string | null }[] = [];

  constructor(private readonly inner: StatusStore) {}

  get description(): string {
    return this.inner.description;
  }

  async read(): Promise<StatusSnapshot> {
    const snapshot = await this.inner.read();
    const hook = this.afterNextRead;
    this.afterNextRead = null;
    if (hook) await hook();
    return snapshot;
  }

  async write(base: StatusSnapshot, next: StatusState, message: string): Promise<WriteResult> {
    const result = await this.inner.write(base, next, message);
    this.writes.push({ base: base.revision, ok: result.ok, revision: result.ok ? result.revision : null });
    return result;
  }
}

/** A reconciler's provider set over the shared world: every mutating call is recorded, and held while `hold` is closed. */
function recordingProviders(inner: ProviderSet, reconciler: string, calls: Call[], tickOf: () => number, hold: Gate, faults: { dropCalls: number }): ProviderSet {
  const wrap = <T extends object>(provider: T, methods: readonly (keyof T)[]): T => {
    const wrapped = Object.create(provider) as T;
    for (const method of methods) {
      const original = provider[method] as unknown as (action: Action) => Promise<void>;
      (wrapped as Record<keyof T, unknown>)[method] = async (action: Action) => {
        await hold.pass();
        const call: Call = { reconciler, op: action.op, kind: action.kind, entry: action.entry, attempt: action.attempt, tick: tickOf(), threw: null };
        calls.push(call);
        try {
          if (faults.dropCalls > 0) {
            faults.dropCalls--;
            throw new ProviderError('unreachable', `${reconciler}: the call did not reach the provider (injected)`);
          }
          await original.call(provider, action);
          call.threw = false;
        } catch (error) {
          call.threw = true;
          throw error;
        }
      };
    }
    return wrapped;
  };
  const sources = new Map<string, SourceProvider>();
  const targets = new Map<string, TargetProvider>();
  const transfers = wrap<TransferProvider>(inner.transfers, ['importDisks', 'cancel']);
  return {
    clock: inner.clock,
    source(name) {
      let source = sources.get(name);
      if (!source) sources.set(name, (source = wrap<SourceProvider>(inner.source(name), ['powerOff', 'powerOn'])));
      return source;
    },
    target(name) {
      let target = targets.get(name);
      if (!target) targets.set(name, (target = wrap<TargetProvider>(inner.target(name), ['createInstance', 'postImport', 'finalizeInstance', 'deleteInstance'])));
      return target;
    },
    transfers,
    close: () => inner.close(),
  };
}

export interface Reconciler {
  name: string;
  dir: string;
  desired: DesiredAt;
  store: ScriptedStore;
  setup: ReconcilerSetup;
  /** Closed: the reconciler's provider calls wait (it has committed, and not acted yet). */
  hold: Gate;
  /** The next this many provider calls throw without reaching the provider (a network error). */
  faults: { dropCalls: number };
  ticks: number;
}

export interface TwoReconcilers {
  origin: string;
  world: SimWorld;
  clock: VirtualClock;
  a: Reconciler;
  b: Reconciler;
  /** Every provider call either reconciler made, in order. */
  calls: Call[];
  close(): Promise<void>;
}

/** The campaign committed once, pushed to a bare origin, cloned twice; the world built from clone A's desired state. */
export async function twoReconcilers(campaign: Omit<CampaignOptions, 'localStatus'>): Promise<TwoReconcilers> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-concurrency-'));
  const seed = join(root, 'seed');
  writeCampaignRepo(seed, { ...campaign, localStatus: false });
  git(seed, 'init', '-q', '-b', 'main');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-qm', 'campaign');
  git(root, 'clone', '-q', '--bare', seed, 'origin.git');
  const origin = join(root, 'origin.git');
  git(root, 'clone', '-q', origin, 'a');
  git(root, 'clone', '-q', origin, 'b');

  const desiredA = await desiredAtCommit(join(root, 'a'), 'HEAD');
  const desiredB = await desiredAtCommit(join(root, 'b'), 'HEAD');
  const world = await openSimWorld({ desired: desiredA.state, files: desiredA.files, stateFile: null });
  const calls: Call[] = [];
  const log = pino({ level: 'silent' });

  const make = async (name: string, dir: string, desired: DesiredAt, providers: ProviderSet): Promise<Reconciler> => {
    const store = new ScriptedStore(await openRepositoryStore(dir, desired.state));
    const hold = new Gate();
    const faults = { dropCalls: 0 };
    const reconciler: Reconciler = { name, dir, desired, store, hold, faults, ticks: 0, setup: null as unknown as ReconcilerSetup };
    reconciler.setup = {
      store,
      providers: recordingProviders(providers, name, calls, () => reconciler.ticks, hold, faults),
      reconciler: name,
      log,
      syncedAt: new Map(),
    };
    return reconciler;
  };
  const a = await make('laptop', join(root, 'a'), desiredA, createSimProviders(world, desiredA.state));
  const b = await make('action', join(root, 'b'), desiredB, createSimProviders(world.share(), desiredB.state));
  return {
    origin,
    world,
    clock: world.clock,
    a,
    b,
    calls,
    close: async () => {
      await a.setup.providers.close();
      await b.setup.providers.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Resolves once both parties arrived. */
export function barrier(parties: number): () => Promise<void> {
  let count = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++count === parties) release();
    return all;
  };
}

export type RoundKind = 'together' | 'same-base' | 'held' | 'in turn' | 'alone';

export interface Ticked {
  reconciler: string;
  round: number;
  kind: RoundKind;
  report: TickReport;
}

export interface Outcome {
  rounds: number;
  ticks: Ticked[];
  kinds: Record<RoundKind, number>;
  /** Rounds (by kind) in which at least one push was refused. */
  contested: Record<RoundKind, number>;
  advances: number;
  /** In held rounds: operations the other reconciler found claimed by the held one, not yet run. */
  heldClaims: number;
  ms: number;
}

async function tickOf(r: Reconciler, round: number, kind: RoundKind, into: Ticked[]): Promise<TickReport> {
  r.ticks++;
  const report = await tick(r.setup, r.desired);
  into.push({ reconciler: r.name, round, kind, report });
  return report;
}

export interface DriveOptions {
  seed: number;
  maxRounds?: number;
}

/** Ticks both reconcilers in a seeded schedule until neither can make progress. */
export async function drive(t: TwoReconcilers, options: DriveOptions): Promise<Outcome> {
  const random = seeded(options.seed);
  const maxRounds = options.maxRounds ?? 1500;
  const started = performance.now();
  const ticks: Ticked[] = [];
  const zero = (): Record<RoundKind, number> => ({ together: 0, 'same-base': 0, held: 0, 'in turn': 0, alone: 0 });
  const kinds = zero();
  const contested = zero();
  let advances = 0;
  let heldClaims = 0;
  let confirming = false;

  for (let round = 0; round < maxRounds; round++) {
    const [first, second] = random() < 0.5 ? [t.a, t.b] : [t.b, t.a];
    // The first round lines both up on the empty branch (both start the batches: one push must be
    // refused, whatever the timing); then rounds hold one reconciler's calls back until the other
    // has seen such operations claimed and not yet run; when confirming idleness, both tick at once.
    const roll = random();
    const kind: RoundKind = round === 0 ? 'same-base' : heldClaims === 0 ? 'held' : confirming ? 'together' : roll < 0.3 ? 'together' : roll < 0.55 ? 'same-base' : roll < 0.75 ? 'held' : roll < 0.92 ? 'in turn' : 'alone';
    kinds[kind]++;
    let reports: TickReport[];
    switch (kind) {
      case 'together':
        reports = await Promise.all([tickOf(first, round, kind, ticks), tickOf(second, round, kind, ticks)]);
        break;
      case 'same-base': {
        const meet = barrier(2);
        first.store.afterNextRead = meet;
        second.store.afterNextRead = meet;
        reports = await Promise.all([tickOf(first, round, kind, ticks), tickOf(second, round, kind, ticks)]);
        break;
      }
      case 'held': {
        first.hold.close();
        const held = tickOf(first, round, kind, ticks);
        // Either the first reconciler committed and is about to call a provider, or its tick had nothing to do.
        await Promise.race([first.hold.reached, held]);
        const other = await tickOf(second, round, kind, ticks);
        first.hold.open();
        reports = [await held, other];
        // Operations the first had committed and not yet run, as the second saw them: claimed by the first.
        const waiting = new Set(reports[0]!.acted.map((a) => a.op));
        for (const entry of Object.values(other.decision?.status.entries ?? {})) {
          if (entry.operation && waiting.has(entry.operation.id) && entry.operation.claimed_by === first.name) heldClaims++;
        }
        break;
      }
      case 'in turn':
        reports = [await tickOf(first, round, kind, ticks), await tickOf(second, round, kind, ticks)];
        break;
      case 'alone':
        reports = [await tickOf(first, round, kind, ticks)];
        break;
    }
    if (reports.some((r) => r.casRetries > 0)) contested[kind]++;

    const progressed = reports.some((r) => r.committed && (r.acted.length === 0 || r.acted.some((a) => a.ok)));
    if (progressed) {
      confirming = false;
      continue;
    }
    const now = t.clock.now();
    const candidates = [...reports.map((r) => r.decision?.wakeAt ?? null), t.clock.nextEventAt()].filter((x): x is number => x !== null && x > now);
    if (candidates.length > 0) {
      await t.clock.advanceTo(Math.min(...candidates));
      advances++;
      confirming = false;
      continue;
    }
    // Nothing to wait for: idle once both have looked at the same instant.
    if (confirming || reports.length === 2) return { rounds: round + 1, ticks, kinds, contested, advances, heldClaims, ms: performance.now() - started };
    confirming = true;
  }
  throw new Error(`the two reconcilers did not settle within ${maxRounds} rounds`);
}
