// Scripted events: what each one does to the world when the clock reaches it.

import { checkpoint, setPower, type EventState } from './state.js';
import type { World } from './world.js';

export function applyEvent(world: World, state: EventState): void {
  state.applied = true;
  state.outcome = effect(world, state);
}

function effect(world: World, state: EventState): string {
  const event = state.event;
  switch (event.type) {
    case 'delete_network':
    case 'add_network': {
      const target = world.target(event.target);
      if (!target) return `target ${event.target} is not simulated`;
      const has = target.networks.includes(event.network);
      if (event.type === 'add_network') {
        if (!has) target.networks = [...target.networks, event.network].sort();
        return has ? `network ${event.network} already existed` : `added network ${event.network}`;
      }
      target.networks = target.networks.filter((n) => n !== event.network);
      return has ? `deleted network ${event.network}` : `network ${event.network} did not exist`;
    }
    case 'fail':
      world.state.faults.push({ operation: event.operation, vm: state.vm?.key ?? null, source: state.vm?.source ?? event.source, remaining: event.count });
      return event.operation === 'readiness'
        ? `the next ${event.count} readiness check(s)${event.vm !== null ? ` for VM ${event.vm}` : ''} will find the guest not ready`
        : `the next ${event.count} ${event.operation} call(s)${event.vm !== null ? ` for VM ${event.vm}` : ''} will fail`;
    case 'unreachable': {
      const side = event.source !== null ? world.source(event.source) : world.target(event.target!);
      if (!side) return `${event.source ?? event.target} is not simulated`;
      side.unreachable_until = Math.max(side.unreachable_until ?? 0, world.now + event.duration_ms);
      return `${event.source !== null ? 'source' : 'target'} ${side.name} is unreachable until ${new Date(side.unreachable_until).toISOString()}`;
    }
    case 'crash':
      return 'armed';
    default:
      break;
  }
  const source = state.vm ? world.source(state.vm.source) : undefined;
  const vm = state.vm ? source?.vms[state.vm.key] : undefined;
  if (!source || !vm) return `VM ${event.vm} does not exist (any more)`;
  const record = vm.record;
  checkpoint(source, vm, world.now);
  switch (event.type) {
    case 'power_on':
    case 'power_off': {
      const on = event.type === 'power_on';
      const was = record.running;
      const pending = vm.tracking_pending === true;
      setPower(source, vm, on, world.now);
      if (on && !was && pending) return `powered VM ${record.name} on; its change tracking is now on`;
      return was === on ? `VM ${record.name} was already powered ${on ? 'on' : 'off'}` : `powered VM ${record.name} ${on ? 'on' : 'off'}`;
    }
    case 'change_disk': {
      const i = record.disks.findIndex((d) => d.name === event.disk);
      if (i < 0) return `VM ${record.name} has no disk ${event.disk}`;
      const bytes = event.bytes ?? record.disks[i]!.capacity;
      vm.written[i] = vm.written[i]! + bytes;
      return `wrote ${bytes} bytes to disk ${event.disk} of VM ${record.name}`;
    }
    case 'add_disk':
      if (record.disks.some((d) => d.name === event.disk)) return `VM ${record.name} already has disk ${event.disk}`;
      record.disks.push({ name: event.disk, capacity: event.capacity, shared: false, supported: event.supported, background_import_verified: event.supported && record.background_import });
      vm.written.push(0);
      return `added disk ${event.disk} to VM ${record.name}`;
    case 'remove_disk':
    case 'resize_disk': {
      const i = record.disks.findIndex((d) => d.name === event.disk);
      if (i < 0) return `VM ${record.name} has no disk ${event.disk}`;
      if (event.type === 'remove_disk') {
        record.disks.splice(i, 1);
        vm.written.splice(i, 1);
        return `removed disk ${event.disk} from VM ${record.name}`;
      }
      record.disks[i]!.capacity = event.capacity;
      return `resized disk ${event.disk} of VM ${record.name} to ${event.capacity} bytes`;
    }
    case 'change_uuid': {
      const old = record.uuid;
      world.changeUuid(source.name, vm, event.new_uuid);
      return `VM ${record.name} changed UUID from ${old} to ${event.new_uuid}`;
    }
    case 'rename_vm': {
      const old = record.name;
      record.name = event.new_name;
      const slash = record.location.lastIndexOf('/');
      if (slash >= 0) record.location = `${record.location.slice(0, slash + 1)}${event.new_name}`;
      return `renamed VM ${old} to ${event.new_name}`;
    }
    case 'enable_change_tracking':
      if (record.background_import) return `VM ${record.name} already tracks changes`;
      if (vm.tracking_pending) return `change tracking of VM ${record.name} is already on, waiting for a power cycle`;
      vm.tracking_pending = true;
      return `turned change tracking on for VM ${record.name}: it takes effect at its next power-on${record.running ? ' (a power cycle: power it off and on)' : ''}`;
    case 'set_config':
      for (const [key, value] of Object.entries(event.config)) {
        if (value === '') delete record.config[key];
        else record.config[key] = value;
      }
      return `changed config ${Object.keys(event.config).join(', ')} of VM ${record.name}`;
  }
}
