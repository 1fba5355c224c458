// The Target fields only an incus target reads: instance_type, container_image, trust_token_from,
// transfer, mover_image and virtio_win_image.

import { describe, expect, it } from 'vitest';
import { compileHooks } from '../../../src/reconcile/compile-hooks.js';
import { targetDocument } from '../../../src/model/to-document.js';
import { memoryFiles } from '../../../src/repo/files.js';
import { loadRepository } from '../../../src/repo/load.js';

function target(spec: string) {
  return `apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: east}\nspec:\n  type: incus\n  endpoint: unix:///var/lib/incus/unix.socket\n${spec}`;
}

async function load(spec: string) {
  return loadRepository(memoryFiles({ 'targets/east.yaml': target(spec) }), { hooks: compileHooks() });
}

describe('an incus Target', () => {
  it('creates virtual machines unless it says containers, from an image of its own', async () => {
    const plain = await load('');
    expect(plain.problems).toEqual([]);
    expect(plain.state.targets[0]!.instance_type).toBeUndefined();
    const containers = await load('  instance_type: container\n  container_image: busybox\n  trust_token_from: {env: INCUS_TOKEN}\n');
    expect(containers.problems).toEqual([]);
    const read = containers.state.targets[0]!;
    expect(read).toMatchObject({ instance_type: 'container', container_image: 'busybox', trust_token_from: { env: 'INCUS_TOKEN' } });
    expect(targetDocument(read).spec).toMatchObject({ instance_type: 'container', container_image: 'busybox', trust_token_from: { env: 'INCUS_TOKEN' } });
  });

  it('refuses an image for virtual machines, and an instance type it does not know', async () => {
    expect((await load('  container_image: busybox\n')).problems).toEqual([expect.objectContaining({ code: 'image-needs-container', line: 7 })]);
    expect((await load('  instance_type: vm\n')).problems).toEqual([expect.objectContaining({ code: 'invalid-value', line: 7 })]);
  });

  it('streams disks through the reconciler unless it says mover, which needs an image and virtual machines', async () => {
    expect((await load('')).state.targets[0]!.transfer).toBe('stream');
    const mover = await load('  transfer: mover\n  mover_image: /var/lib/ferry/ferry-mover.iso\n');
    expect(mover.problems).toEqual([]);
    expect(mover.state.targets[0]).toMatchObject({ transfer: 'mover', mover_image: '/var/lib/ferry/ferry-mover.iso' });
    expect(targetDocument(mover.state.targets[0]!).spec).toMatchObject({ transfer: 'mover', mover_image: '/var/lib/ferry/ferry-mover.iso' });
    expect((await load('  transfer: mover\n')).problems).toEqual([expect.objectContaining({ code: 'missing-field', line: 4 })]);
    expect((await load('  mover_image: /x.iso\n')).problems).toEqual([expect.objectContaining({ code: 'mover-image-needs-mover', line: 7 })]);
    expect((await load('  transfer: mover\n  mover_image: /x.iso\n  instance_type: container\n')).problems).toEqual([expect.objectContaining({ code: 'mover-needs-vm', line: 7 })]);
    expect((await load('  transfer: tcp\n')).problems).toEqual([expect.objectContaining({ code: 'invalid-value', line: 7 })]);
  });

  it('attaches a virtio-win ISO to its mover VMs only with transfer: mover, and names the line that gives one without it', async () => {
    const mover = await load('  transfer: mover\n  mover_image: /var/lib/ferry/ferry-mover.iso\n  virtio_win_image: /var/lib/ferry/virtio-win.iso\n');
    expect(mover.problems).toEqual([]);
    expect(mover.state.targets[0]).toMatchObject({ virtio_win_image: '/var/lib/ferry/virtio-win.iso' });
    expect(targetDocument(mover.state.targets[0]!).spec).toMatchObject({ virtio_win_image: '/var/lib/ferry/virtio-win.iso' });
    expect((await load('')).state.targets[0]!.virtio_win_image).toBeUndefined();
    expect((await load('  virtio_win_image: /x.iso\n')).problems).toEqual([expect.objectContaining({ code: 'virtio-win-image-needs-mover', line: 7, column: 3 })]);
    expect((await load('  transfer: stream\n  virtio_win_image: /x.iso\n')).problems).toEqual([expect.objectContaining({ code: 'virtio-win-image-needs-mover', line: 8, column: 3 })]);
    expect((await load('  transfer: mover\n  mover_image: /x.iso\n  virtio_win_image: ""\n')).problems).toEqual([expect.objectContaining({ line: 9 })]);
  });
});
