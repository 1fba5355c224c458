// The built-ins a placement scriptlet may call, with migration-manager's argument checks
// (internal/scriptlet/batch_placement.go): set_target, set_project, set_pool, set_network and
// log_info / log_warn / log_error. Every argument is required and may be passed by position
// or by keyword. Each call changes the placement being built for the current run.

import type { InstanceRecord } from '../model/instance.js';
import {
  argumentUnpacker,
  fromStarlarkString,
  hostFunction,
  None,
  repr,
  typeName,
  type Thread,
  type Value,
} from '../starlark/index.js';
import { apiNameProblem } from './api-name.js';
import type { NicType, Placement } from './placement.js';

export type LogLevel = 'info' | 'warn' | 'error';

export interface PlacementLog {
  level: LogLevel;
  message: string;
}

/** The state of one run, reached by the built-ins through the thread. */
export interface PlacementRun {
  instance: InstanceRecord;
  placement: Placement;
  logs: PlacementLog[];
}

export const RUN_KEY = 'ferry.placement.run';

function currentRun(thread: Thread, fn: string): PlacementRun {
  const run = thread.locals.get(RUN_KEY) as PlacementRun | undefined;
  if (run === undefined) throw new Error(`${fn} can only be called while placement() runs`);
  return run;
}

/** A host function whose arguments are all required strings, passed by position or keyword. */
function stringFunction(fn: string, params: string[], impl: (values: string[], run: PlacementRun) => void): Value {
  const unpack = argumentUnpacker(fn, params);
  return hostFunction(fn, (args, kwargs, thread) => {
    const values = unpack(args, kwargs) as string[];
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as Value;
      if (typeof v !== 'string') throw new Error(`${fn}: for parameter ${params[i]}: got ${typeName(v)}, want string`);
      chargeText(thread, v.length);
      values[i] = fromStarlarkString(v);
    }
    impl(values, currentRun(thread, fn));
    return None;
  });
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Text a built-in decodes and may keep: its bytes count against the run's budgets. */
function chargeText(thread: Thread, bytes: number): void {
  thread.charge(bytes / 16, bytes);
}

function log(level: LogLevel): Value {
  return hostFunction(`log_${level}`, (args, _kwargs, thread) => {
    let message = '';
    for (const v of args) {
      const part = typeof v === 'string' ? v : repr(v);
      chargeText(thread, part.length);
      message += fromStarlarkString(part);
    }
    currentRun(thread, `log_${level}`).logs.push({ level, message });
    return None;
  });
}

const NIC_TYPES: readonly NicType[] = ['managed', 'bridged', 'physical'];

function checkVlanIds(vlanId: string): void {
  for (const id of vlanId.split(',')) {
    const n = /^[+-]?\d+$/.test(id) ? Number(id) : NaN;
    if (!Number.isSafeInteger(n) || n === 0) throw new Error(`Invalid vlan ID ${quote(vlanId)}: ${quote(id)} is not a non-zero integer`);
  }
}

const setTarget = stringFunction('set_target', ['target_name'], ([target], run) => {
  if (target === '') throw new Error('Target name is empty');
  run.placement.target_name = target;
});

const setProject = stringFunction('set_project', ['project_name'], ([project], run) => {
  if (project === '') throw new Error('Target project name is empty');
  run.placement.target_project = project;
});

const setPool = stringFunction('set_pool', ['disk_name', 'pool_name'], ([disk, pool], run) => {
  if (pool === '') throw new Error('Target storage pool name is empty');
  if (!run.instance.disks.some((d) => d.name === disk && d.supported)) {
    throw new Error(`No supported disk found with name ${quote(disk)} on instance ${quote(run.instance.location)}`);
  }
  run.placement.storage_pools[disk] = pool;
});

const setNetwork = stringFunction('set_network', ['nic_hwaddr', 'network_name', 'nic_type', 'vlan_id'], ([mac, network, nicTypeArg, vlanId], run) => {
  const nictype = (nicTypeArg === '' ? 'managed' : nicTypeArg) as NicType;
  if (!NIC_TYPES.includes(nictype)) throw new Error(`Invalid NIC type ${quote(nicTypeArg)} (want managed, bridged or physical)`);
  if (vlanId !== '') {
    if (nictype === 'managed') throw new Error(`Vlan tagging (${quote(vlanId)}) is not supported for NIC type ${quote(nictype)}`);
    checkVlanIds(vlanId);
  }
  if (network === '') throw new Error('Target network name is empty');
  const problem = apiNameProblem(network);
  if (problem !== undefined) throw new Error(`Invalid network name ${quote(network)}: ${problem}`);
  if (!run.instance.nics.some((n) => n.hardware_address === mac)) {
    throw new Error(`No NIC found with hardware address ${quote(mac)} on instance ${quote(run.instance.location)}`);
  }
  run.placement.networks[mac] = { network, nictype, vlan_id: vlanId };
});

/** The predeclared names of a placement scriptlet, with their values. */
export const PLACEMENT_BUILTINS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['log_info', log('info')],
  ['log_warn', log('warn')],
  ['log_error', log('error')],
  ['set_target', setTarget],
  ['set_project', setProject],
  ['set_pool', setPool],
  ['set_network', setNetwork],
]);
