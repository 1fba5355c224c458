// The simulated vCenter's calls: powering a VM off and on. Both are immediate operations.

import type { PowerSourceAction } from '../../engine/actions.js';
import { setPower } from './state.js';
import type { CommandResult, World } from './world.js';

export function callPower(world: World, action: PowerSourceAction): CommandResult {
  const source = world.source(action.source)!;
  const vm = world.vm(action.source, action.vm);
  const base = { id: action.op, kind: action.kind, owner: action.source, entry: action.entry } as const;
  if (!vm) {
    world.startOp({ ...base, state: 'failed', message: `VM ${action.vm} no longer exists on source ${action.source}` });
    return {};
  }
  const on = action.kind === 'power_on_source';
  const name = vm.record.name;
  if (vm.record.running === on) {
    world.startOp({ ...base, state: 'succeeded', message: `VM ${name} was already powered ${on ? 'on' : 'off'}` });
    return {};
  }
  setPower(source, vm, on, world.now);
  world.startOp({ ...base, state: 'succeeded', message: `powered VM ${name} ${on ? 'on' : 'off'}` });
  return {};
}
