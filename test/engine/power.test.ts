import { describe, expect, it } from 'vitest';
import { M, running, seeded, T0, uuidOf, vm, World } from './fixture.js';

// DESIGN §3.2: the migration mode follows the observed power state, and two transfers of one
// entry never run at once — the old one is reported gone before the new one starts.

function transfersInFlight(world: World, name: string): string[] {
  const uuid = uuidOf(name);
  return world.dispatched.filter((a) => a.entry === uuid && a.kind === 'import_disks' && world.ops[a.op]?.state === 'running').map((a) => a.op);
}

describe('source power changes during a migration (DESIGN §3.2)', () => {
  it.each([
    {
      situation: 'source VM started while its offline copy is running',
      seed: { vms: [vm('web-01', { running: false })], entry: { status: 'background_import' as const, mode: 'offline' as const, syncs: 1 }, created: true, op: { kind: 'import_disks' as const, mode: 'offline' as const, observed: running() } },
      power: true,
      stops: 'offline copy',
      next: 'import_disks:background',
    },
    {
      situation: 'source VM stopped during the live background sync',
      seed: { entry: { status: 'background_import' as const, mode: 'live' as const, syncs: 1 }, created: true, op: { kind: 'import_disks' as const, mode: 'background' as const, observed: running() } },
      power: false,
      stops: 'background import',
      next: 'import_disks:offline',
    },
  ])('$situation: that transfer is stopped, and only when it is gone does the next one start', ({ seed, power, stops, next }) => {
    const world = seeded(seed);
    world.power('web-01', power);
    world.tick(M);
    expect(world.kinds()).toEqual(['cancel_operation']);
    expect(world.entry('web-01').message).toMatch(new RegExp(`^Stopping the ${stops}: `));
    const old = world.entry('web-01').operation!.id.replace(/\/cancel$/, '');

    // The provider accepted the cancel but still reports the old transfer running: nothing new starts.
    world.ops[world.entry('web-01').operation!.id] = { state: 'succeeded', message: '' };
    world.tick(M);
    expect(world.kinds()).toEqual([]);
    expect(world.entry('web-01').operation!.kind).toBe('cancel_operation');

    world.ops[old] = { state: 'canceled', message: 'canceled' };
    world.tick(M);
    expect(world.kinds()).toEqual([next]);
    expect(world.entry('web-01').mode).toBe(power ? 'live' : 'offline');
  });

  it('an offline copy decided but never started is simply replaced when the VM starts', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], entry: { status: 'background_import', mode: 'offline', syncs: 1 }, created: true, op: { kind: 'import_disks', mode: 'offline' } });
    world.power('web-01', true);
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:background']);
    expect(world.entry('web-01').mode).toBe('live');
  });

  it('several offline copies share a session; one VM is started: only its copy stops, the others complete, its live sync starts after the session ends', () => {
    const world = new World(seeded().desired, [vm('a', { running: false }), vm('b', { running: false })]);
    world.runUntil('a', 'background_import', 5);
    expect(transfersInFlight(world, 'a')).toHaveLength(1);
    expect(transfersInFlight(world, 'b')).toHaveLength(1);
    const [copyA] = transfersInFlight(world, 'a');
    const [copyB] = transfersInFlight(world, 'b');

    world.power('a', true);
    world.tick(M);
    expect(world.last!.actions.map((x) => [x.kind, x.entry])).toEqual([['cancel_operation', uuidOf('a')]]);
    world.ops[`${copyA}/cancel`] = { state: 'succeeded', message: '' };
    // The shared session keeps running: a's copy is reported canceled only when it ends.
    world.tick(M);
    expect(world.last!.actions).toEqual([]);
    expect(world.entry('b').status).toBe('background_import');

    world.ops[copyA!] = { state: 'canceled', message: 'session ended' };
    world.ops[copyB!] = { state: 'succeeded', message: '' };
    world.tick(M);
    // b's copy completed and, in a batch without windows, it goes straight on to its cutover.
    expect(world.entry('b')).toMatchObject({ status: 'final_import', import_stage: 'final', mode: 'offline', source_powered_off: false });
    expect(world.entry('a')).toMatchObject({ status: 'background_import', mode: 'live' });
    expect(world.last!.actions.map((x) => [x.kind, 'mode' in x ? x.mode : null, x.entry])).toEqual([
      ['import_disks', 'background', uuidOf('a')],
      ['import_disks', 'final', uuidOf('b')],
    ]);
  });

  it('all VMs of a shared session are started: every copy stops; the live syncs start once each is gone', () => {
    const world = new World(seeded().desired, [vm('a', { running: false }), vm('b', { running: false })]);
    world.runUntil('a', 'background_import', 5);
    world.power('a', true);
    world.power('b', true);
    world.tick(M);
    expect(world.kinds()).toEqual(['cancel_operation', 'cancel_operation']);
    world.tick(M);
    expect(world.kinds()).toEqual([]);
    for (const name of ['a', 'b']) world.ops[transfersInFlight(world, name)[0]!] = { state: 'canceled', message: 'session ended' };
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:background', 'import_disks:background']);
  });

  it('source VM started during the committed final import: powered off again and the final sync restarts, as a retry', () => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      batch: { retries: 1 },
      entry: { status: 'final_import', import_stage: 'final', source_powered_off: true, syncs: 2 },
      created: true,
      op: { kind: 'import_disks', mode: 'final', observed: running() },
    });
    world.power('web-01', true);
    world.tick(M);
    expect(world.kinds()).toEqual(['cancel_operation']);
    expect(world.entry('web-01')).toMatchObject({ status: 'final_import', retries: 1 });
    world.end('cancel');
    world.ops[world.entry('web-01').operation!.id.replace(/\/cancel$/, '')] = { state: 'canceled', message: '' };
    world.tick(M);
    expect(world.kinds()).toEqual(['power_off_source']);
    world.end('poweroff');
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:final']);
    expect(world.entry('web-01')).toMatchObject({ status: 'final_import', retries: 1, syncs: 3 });
  });

  it('powered on during the final import more often than post_migration_retries allows: Error, and the VM keeps running', () => {
    const world = seeded({
      vms: [vm('web-01', { running: false })],
      entry: { status: 'final_import', import_stage: 'final', source_powered_off: true },
      created: true,
      op: { kind: 'import_disks', mode: 'final', observed: running() },
    });
    world.power('web-01', true);
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ status: 'error', message: expect.stringContaining('powered on during the final import 1 time') });
    expect(world.kinds()).toEqual(['cancel_operation']);
    world.ops[world.entry('web-01').operation!.id.replace(/\/cancel$/, '')] = { state: 'canceled', message: '' };
    world.tick(M);
    expect(world.entry('web-01')).toMatchObject({ operation: null, source_powered_off: false });
    expect(world.kinds()).toEqual([]);
  });

  it('an offline copy is one full copy; the cutover still waits for a window, with no power-off', () => {
    const world = seeded({ vms: [vm('web-01', { running: false })], entry: { status: 'idle', import_stage: 'background' }, created: true });
    world.tick(M);
    expect(world.kinds()).toEqual(['import_disks:offline']);
    expect(world.entry('web-01').message).toBe('Copying the disks while the source VM is powered off');
    world.end();
    world.tick(M);
    expect(world.entry('web-01').history.slice(-2).map((h) => h.to)).toEqual(['idle', 'final_import']);
    expect(world.kinds()).toEqual(['import_disks:final']);
    expect(world.entry('web-01').source_powered_off).toBe(false);
  });
});

void T0;
