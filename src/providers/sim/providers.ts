// The ports (src/providers/ports.ts) over a simulated world: one SourceProvider per sim Source,
// one TargetProvider per sim Target, the transfers, and the world's virtual clock.

import type { DesiredState } from '../../model/desired.js';
import { formatTimestamp } from '../../model/timestamp.js';
import { ProviderError, type ProviderSet, type SourceProvider, type TargetProvider, type TransferProvider } from '../ports.js';
import { describeSource, observeOperation, observeTarget, sourceInventory, vmRecord } from './observe.js';
import type { SimWorld } from './sim-world.js';
import { TRANSFERS } from './world.js';

/**
 * The providers of a repository's sim sources and targets. Closing the set closes (releases) the
 * world; a second reconciler on the same world takes its own reference with `world.share()`.
 */
export function createSimProviders(world: SimWorld, desired: DesiredState): ProviderSet {
  const sources = new Map(desired.sources.filter((s) => s.type === 'sim').map((s) => [s.meta.name, simSource(world, s.meta.name)]));
  const targets = new Map(desired.targets.filter((t) => t.type === 'sim').map((t) => [t.meta.name, simTarget(world, t.meta.name)]));
  return {
    clock: world.clock,
    source(name) {
      const source = sources.get(name);
      if (!source) throw new ProviderError('unknown', `source ${name} is not a sim source of this repository`);
      return source;
    },
    target(name) {
      const target = targets.get(name);
      if (!target) throw new ProviderError('unknown', `target ${name} is not a sim target of this repository`);
      return target;
    },
    transfers: simTransfers(world),
    close: () => world.close(),
  };
}

function ensureReachable(world: SimWorld, side: 'source' | 'target', name: string): void {
  const unreachable = world.unreachable(side, name);
  if (unreachable !== null) throw new ProviderError('unreachable', unreachable);
}

function simSource(world: SimWorld, name: string): SourceProvider {
  return {
    name,
    async describe() {
      return describeSource(world, name);
    },
    async inventory() {
      ensureReachable(world, 'source', name);
      return sourceInventory(world, name);
    },
    async readVm(uuid) {
      ensureReachable(world, 'source', name);
      const vm = world.vm(name, uuid);
      return vm ? vmRecord(vm.record, formatTimestamp(world.now())) : null;
    },
    async powerOff(action) {
      world.call(action);
    },
    async powerOn(action) {
      world.call(action);
    },
    async operation(id) {
      ensureReachable(world, 'source', name);
      return observeOperation(world, id, name);
    },
  };
}

function simTarget(world: SimWorld, name: string): TargetProvider {
  return {
    name,
    async observe(projects) {
      return observeTarget(world, name, projects);
    },
    async createInstance(action) {
      world.call(action);
    },
    async postImport(action) {
      world.call(action);
    },
    async finalizeInstance(action) {
      world.call(action);
    },
    async deleteInstance(action) {
      world.call(action);
    },
    async operation(id) {
      ensureReachable(world, 'target', name);
      return observeOperation(world, id, name);
    },
  };
}

function simTransfers(world: SimWorld): TransferProvider {
  return {
    async importDisks(action) {
      world.call(action);
    },
    async cancel(action) {
      world.call(action);
    },
    async operation(id) {
      const op = world.state.ops[id];
      if (op?.transfer) ensureReachable(world, 'source', op.transfer.source);
      if (op?.instance) ensureReachable(world, 'target', op.instance.target);
      return observeOperation(world, id, TRANSFERS);
    },
  };
}
