// The ports (src/providers/ports.ts) over a simulated world: one SourceProvider per sim Source,
// one TargetProvider per sim Target, the transfers, and the world's virtual clock.

import { createHash } from 'node:crypto';
import type { DesiredState } from '../../model/desired.js';
import { formatTimestamp } from '../../model/timestamp.js';
import { ProviderError, type ProviderSet, type SourceProvider, type TargetProvider, type TransferProvider } from '../ports.js';
import { describeSource, observeOperation, observeTarget, sourceInventory, vmRecord } from './observe.js';
import { simDiskChunks } from './disk-bytes.js';
import type { SimWorld } from './sim-world.js';
import { ATTEMPT_KEY, ENTRY_KEY, writtenAt } from './state.js';
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
    notes: world.notes,
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
    async readDisk(uuid, disk, mode, signal) {
      ensureReachable(world, 'source', name);
      const vm = world.vm(name, uuid);
      const index = vm ? vm.record.disks.findIndex((d) => d.name === disk) : -1;
      if (!vm || index < 0) throw new ProviderError('not-found', `source ${name} has no VM ${uuid} with a disk ${disk}`);
      const source = world.state.sources[name]!;
      if (mode === 'background' && !source.background_import) throw new ProviderError('not-supported', `source ${name} cannot read a running VM's disks`);
      if (mode !== 'background' && vm.record.running) throw new ProviderError('vm-running', `VM ${vm.record.name} is running: a ${mode} copy needs it powered off`);
      const size = vm.record.disks[index]!.capacity;
      return { size, stream: simDiskChunks(vm.key, disk, writtenAt(source, vm, index, world.now()), size, signal) };
    },
  };
}

/** Config keys of a byte transfer into a sim instance (a real source's disks). */
export const IMPORT_KEY = 'user.ferry.import';
export function diskKey(index: number, field: 'name' | 'size' | 'sha256'): string {
  return `user.ferry.disk.${index}.${field}`;
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
    async writeDisk(write, data, signal) {
      ensureReachable(world, 'target', name);
      const instance = world.state.targets[name]?.instances[write.project]?.[write.name];
      if (!instance || instance.config[ENTRY_KEY] !== write.entry || instance.config[ATTEMPT_KEY] !== write.attempt) {
        throw new ProviderError('marker-mismatch', `instance ${write.name} in project ${write.project} of target ${name} does not carry the markers of entry ${write.entry}, attempt ${write.attempt}`);
      }
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of data.stream) {
        signal.throwIfAborted();
        hash.update(chunk);
        bytes += chunk.byteLength;
      }
      if (bytes !== data.size) throw new ProviderError('short-read', `disk ${write.disk} gave ${bytes} bytes, not the ${data.size} announced`);
      world.setInstanceConfig(name, write.project, write.name, {
        [diskKey(write.index, 'name')]: write.disk,
        [diskKey(write.index, 'size')]: String(bytes),
        [diskKey(write.index, 'sha256')]: hash.digest('hex'),
      });
    },
    async recordImport(ref, op) {
      world.setInstanceConfig(name, ref.project, ref.name, { [IMPORT_KEY]: op });
    },
    async lastImport(ref) {
      ensureReachable(world, 'target', name);
      return world.state.targets[name]?.instances[ref.project]?.[ref.name]?.config[IMPORT_KEY] ?? null;
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
      const ended = world.state.ended[id];
      const source = op?.transfer?.source ?? ended?.source;
      const target = op?.instance?.target ?? ended?.target;
      if (source !== undefined) ensureReachable(world, 'source', source);
      if (target !== undefined) ensureReachable(world, 'target', target);
      return observeOperation(world, id, TRANSFERS);
    },
  };
}
