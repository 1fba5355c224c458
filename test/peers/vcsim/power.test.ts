// Powering source VMs off and on through the vmware source, against vcsim: idempotent by
// operation id, success when the VM is already in the wanted state, a guest shutdown when Tools
// run, and operations remembered for the engine to observe.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PowerSourceAction } from '../../../src/engine/actions.js';
import { openVmwareSource, type VmwareSource } from '../../../src/providers/vmware/index.js';
import { moref, morefXml, type MoRef } from '../../../src/providers/vmware/values.js';
import { child } from '../../../src/providers/vmware/xml.js';
import { admin, extraConfig, powerOff, powerOn, quietLog, reconfigure, vmProperty, vmsByName, type Admin } from './admin.js';
import { sourceFor, startVcsim, type Vcsim } from './peer-env.js';

let vcsim: Vcsim;
let a: Admin;
let provider: VmwareSource;
let vms: Map<string, MoRef>;
const uuids = new Map<string, string>();

beforeAll(async () => {
  vcsim = await startVcsim(['-cluster', '1', '-standalone-host', '0', '-vm', '30']);
  a = await admin(vcsim);
  vms = await vmsByName(a);
  provider = await openVmwareSource(sourceFor(vcsim), { log: quietLog, env: { VC_PASSWORD: 'pass' } });
  for (const instance of (await provider.inventory()).instances) uuids.set(instance.name, instance.uuid);
});

afterAll(async () => {
  await provider?.close();
  await a?.close();
  await vcsim?.stop();
});

function action(kind: PowerSourceAction['kind'], name: string, op: string): PowerSourceAction {
  return { kind, op, entry: uuids.get(name)!, attempt: `${uuids.get(name)}#1`, batch: 'wave-1', source: 'vc', vm: uuids.get(name)! };
}

const state = (name: string) => vmProperty(a, vms.get(name)!, 'runtime.powerState');

describe('power changes', () => {
  it('powers a VM off and on, each operation reported as it ended', async () => {
    const name = 'DC0_C0_RP0_VM0';
    expect(await state(name)).toBe('poweredOn');
    await provider.powerOff(action('power_off_source', name, 'a#1/off'));
    expect(await state(name)).toBe('poweredOff');
    expect(await provider.operation('a#1/off')).toMatchObject({ state: 'succeeded', message: `powered VM ${name} off` });
    await provider.powerOn(action('power_on_source', name, 'a#1/on'));
    expect(await state(name)).toBe('poweredOn');
    expect(await provider.operation('a#1/on')).toMatchObject({ state: 'succeeded', message: `powered VM ${name} on` });
    expect((await provider.operation('a#1/on'))!.ended_at).toBeGreaterThan(0);
  });

  it('runs a repeated operation id once', async () => {
    const name = 'DC0_C0_RP0_VM1';
    await provider.powerOff(action('power_off_source', name, 'b#1/off'));
    expect(await state(name)).toBe('poweredOff');
    await powerOn(a, vms.get(name)!);
    await provider.powerOff(action('power_off_source', name, 'b#1/off'));
    expect(await state(name)).toBe('poweredOn');
  });

  it('succeeds at once for a VM already in the wanted state', async () => {
    const name = 'DC0_C0_RP0_VM2';
    await powerOff(a, vms.get(name)!);
    await provider.powerOff(action('power_off_source', name, 'c#1/off'));
    expect(await provider.operation('c#1/off')).toMatchObject({ state: 'succeeded', message: `VM ${name} was already powered off` });
    await provider.powerOn(action('power_on_source', name, 'c#1/on'));
    await provider.powerOn(action('power_on_source', name, 'c#2/on'));
    expect(await provider.operation('c#2/on')).toMatchObject({ state: 'succeeded', message: `VM ${name} was already powered on` });
  });

  it('does not know an operation it never ran (the engine dispatches it again)', async () => {
    expect(await provider.operation('never#1/off')).toBeUndefined();
  });

  it('a new process answers for a power change an earlier one made, from the VM\'s power state', async () => {
    const name = 'DC0_C0_RP0_VM7';
    const uuid = uuids.get(name)!;
    await provider.powerOff(action('power_off_source', name, `${uuid}#1/poweroff-4`));
    const restarted = await openVmwareSource(sourceFor(vcsim), { log: quietLog, env: { VC_PASSWORD: 'pass' } });
    try {
      expect(await restarted.operation(`${uuid}#1/poweroff-4`)).toMatchObject({ state: 'succeeded', message: 'the VM is powered off' });
      // Asked to power on and not (yet) on: unknown, so the engine dispatches it again.
      expect(await restarted.operation(`${uuid}#1/poweron-5`)).toBeUndefined();
      expect(await restarted.operation(`${uuid}#1/create-1`)).toBeUndefined();
    } finally {
      await restarted.close();
    }
  });

  it('cycles power many times and on many VMs at once', async () => {
    const names = [...vms.keys()].filter((n) => /_VM(1\d|2\d)$/.test(n));
    expect(names).toHaveLength(20);
    for (let cycle = 0; cycle < 3; cycle++) {
      await Promise.all(names.map((name) => provider.powerOff(action('power_off_source', name, `${name}#${cycle}/off`))));
      expect(new Set(await Promise.all(names.map(state)))).toEqual(new Set(['poweredOff']));
      await Promise.all(names.map((name) => provider.powerOn(action('power_on_source', name, `${name}#${cycle}/on`))));
      expect(new Set(await Promise.all(names.map(state)))).toEqual(new Set(['poweredOn']));
    }
    for (const name of names) expect((await provider.operation(`${name}#2/on`))!.state).toBe('succeeded');
  });

  it('shuts the guest down when VMware Tools run in it', async () => {
    const name = 'DC0_C0_RP0_VM3';
    await reconfigure(a, vms.get(name)!, extraConfig('SET.guest.toolsRunningStatus', 'guestToolsRunning'));
    await provider.powerOff(action('power_off_source', name, 'd#1/off'));
    expect(await state(name)).toBe('poweredOff');
    expect(await provider.operation('d#1/off')).toMatchObject({ state: 'succeeded', message: `shut down the guest of VM ${name}` });
  });

  it('fails the operation of a VM that no longer exists, saying so', async () => {
    const name = 'DC0_C0_RP0_VM4';
    const vm = vms.get(name)!;
    await powerOff(a, vm);
    const task = moref(child(await a.transport.call('Destroy_Task', morefXml('_this', vm)), 'returnval'))!;
    await a.client.waitForTask(task, { timeoutMs: 10_000 });
    await provider.powerOn(action('power_on_source', name, 'e#1/on'));
    expect(await provider.operation('e#1/on')).toMatchObject({ state: 'failed', message: `VM ${uuids.get(name)} no longer exists on source vc` });
    expect(await provider.readVm(uuids.get(name)!)).toBeNull();
  });
});
