// The mover as a process (the bundle of `npm run build:mover`, run by this Node or by
// FERRY_MOVER_NODE, e.g. Debian's Node 18) against vcsim, writing into files: full passes,
// delta fallbacks, a mover killed mid-copy that resumes, a damaged chunk found, a job withdrawn
// and replaced; and, with the simulator's change tracking and stream-optimized export, a warm
// pass of a running VM followed by a delta pass after writes and a power-off.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleMover } from '../../../scripts/build-mover.js';
import { CONSOLE_PREFIX, type MoverJob, type MoverReport } from '../../../src/mover/protocol.js';
import { items, str, type MoRef } from '../../../src/providers/vmware/values.js';
import { child } from '../../../src/providers/vmware/xml.js';
import { admin, powerOff, powerOn, reconfigure, vmsByName, type Admin } from './admin.js';
import { jobFor as moverJob, jobSession, writeDisk as writeVmDisk } from './mover-peer.js';
import { startVcsim, type Vcsim } from './peer-env.js';

const MIB = 1024 * 1024;
let vcsim: Vcsim;
let a: Admin;
let vms: Map<string, MoRef>;
let dir: string;
let bundle: string;
const node = process.env.FERRY_MOVER_NODE ?? process.execPath;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-mover-peer-'));
  bundle = join(dir, 'mover.mjs');
  writeFileSync(bundle, await bundleMover());
  vcsim = await startVcsim();
  a = await admin(vcsim);
  vms = await vmsByName(a);
});

afterAll(async () => {
  await a?.close();
  await vcsim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

const newSession = () => jobSession(a);
const writeDisk = (vmName: string, size: number, image?: Buffer) => writeVmDisk(a, vmName, size, image);
const jobFor = (vmName: string, op: string, pass: MoverJob['pass'], capacity: number, value: string, changeId?: string) => moverJob(a, vms.get(vmName)!, op, pass, capacity, value, changeId);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: MoverReport[];
}

/** A work directory for one mover: its job file, device file, state and report. */
function workdir(name: string) {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  const paths = { job: join(at, 'job.json'), device: join(at, 'disk0.img'), state: join(at, 'state'), report: join(at, 'report.json') };
  if (!existsSync(paths.device)) writeFileSync(paths.device, '');
  return paths;
}

function startMover(paths: ReturnType<typeof workdir>, extra: string[] = []) {
  const child = spawn(node, [bundle, '--job', paths.job, '--device', `disk0=${paths.device}`, '--state', paths.state, '--report', paths.report, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) =>
    child.once('exit', (code, signal) => {
      const lines = stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          expect(l.startsWith(CONSOLE_PREFIX)).toBe(true);
          return JSON.parse(l.slice(CONSOLE_PREFIX.length)) as MoverReport;
        });
      resolve({ code, signal, stdout, stderr, lines });
    }),
  );
  return { child, done, stderr: () => stderr };
}

const report = (paths: ReturnType<typeof workdir>) => JSON.parse(readFileSync(paths.report, 'utf8')) as MoverReport;

async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const checkpointChunks = (paths: ReturnType<typeof workdir>, op: string) => {
  const file = join(paths.state, op, 'disk0.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"s":')).length : 0;
};

describe('the mover against vcsim', () => {
  it('copies a powered-off VM whole, reports it, logs its session out, and answers the same job from its report', async () => {
    const name = 'DC0_H0_VM0';
    await powerOff(a, vms.get(name)!);
    const image = await writeDisk(name, 9 * MIB + 3 * 512);
    const session = await newSession();
    const paths = workdir('full');
    writeFileSync(paths.job, JSON.stringify(await jobFor(name, 'op-full', 'full', image.length, session.value)));
    const run = await startMover(paths, ['--once']).done;
    expect(run.code).toBe(0);
    expect(readFileSync(paths.device).equals(image)).toBe(true);
    const final = report(paths);
    expect(final).toMatchObject({ op: 'op-full', state: 'succeeded', progress: { done: image.length, total: image.length } });
    expect(final.disks).toEqual([{ name: `[LocalDS_0] ${name}/disk1.vmdk`, device: 'disk0', copy: 'full', bytes_written: image.length, change_id: null, sha256: sha256(image) }]);
    expect(run.lines.at(-1)).toEqual(final);
    expect(run.lines[0]!.state).toBe('running');
    expect(run.stdout + run.stderr).not.toContain(session.value);
    expect(await session.alive()).toBe(false);
    // Nothing left to resume once the op succeeded.
    expect(readdirSync(paths.state)).toEqual([]);

    const again = await startMover(paths, ['--once']).done;
    expect(again.code).toBe(0);
    expect(again.lines).toEqual([]);
    expect(report(paths)).toEqual(final);
    session.close();
  });

  it('refuses a full pass of a running VM, in one line, and still logs out', async () => {
    const name = 'DC0_H0_VM1';
    const session = await newSession();
    const paths = workdir('running');
    writeFileSync(paths.job, JSON.stringify(await jobFor(name, 'op-running', 'full', MIB, session.value)));
    const run = await startMover(paths, ['--once']).done;
    expect(run.code).toBe(1);
    expect(report(paths)).toMatchObject({ op: 'op-running', state: 'failed' });
    expect(report(paths).message).toMatch(/^error vm-running: VM vm-\d+ is powered on: a full pass reads its disk files and needs it off/);
    expect(await session.alive()).toBe(false);
    session.close();
  });

  it('copies a disk whole (full-fallback) when the delta has no change id, or one vCenter refuses', async () => {
    const name = 'DC0_C0_RP0_VM0';
    await powerOff(a, vms.get(name)!);
    const image = await writeDisk(name, 5 * MIB);
    for (const [op, changeId, reason] of [
      ['op-delta-none', undefined, 'no change id was recorded for this disk'],
      ['op-delta-unknown', '52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/99', 'vCenter refused the change id (QueryChangedDiskAreas failed: FileFault'],
    ] as const) {
      const session = await newSession();
      const paths = workdir(op);
      writeFileSync(paths.job, JSON.stringify(await jobFor(name, op, 'delta', image.length, session.value, changeId)));
      const run = await startMover(paths, ['--once']).done;
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(paths.device).equals(image)).toBe(true);
      const [disk] = report(paths).disks;
      expect(disk).toMatchObject({ copy: 'full-fallback', bytes_written: image.length, sha256: sha256(image), change_id: null });
      expect(disk!.fallback_reason).toContain(reason);
      session.close();
    }
  });

  it('resumes a killed mover from its checkpoint, and copies again a chunk the device lost', async () => {
    const name = 'DC0_C0_RP0_VM1';
    await powerOff(a, vms.get(name)!);
    const image = await writeDisk(name, 48 * MIB);
    for (const damage of [false, true]) {
      const op = damage ? 'op-kill-damaged' : 'op-kill';
      const paths = workdir(op);
      const first = await newSession();
      writeFileSync(paths.job, JSON.stringify(await jobFor(name, op, 'full', image.length, first.value)));
      // 8 MiB/s: chunks are checkpointed every 2 s, the copy would take 6 s.
      const mover = startMover(paths, ['--once', '--max-rate', '8M']);
      await until('a checkpoint', () => checkpointChunks(paths, op) >= 2);
      mover.child.kill('SIGKILL');
      expect((await mover.done).signal).toBe('SIGKILL');
      expect(report(paths).state).toBe('running');
      if (damage) {
        const device = readFileSync(paths.device);
        device[4 * MIB + 1234]! ^= 0x5a;
        writeFileSync(paths.device, device);
      }

      // The reconciler writes a job with a new session for the same op (the first one was not logged out: the process died).
      const second = await newSession();
      writeFileSync(paths.job, JSON.stringify(await jobFor(name, op, 'full', image.length, second.value)));
      const run = await startMover(paths, ['--once']).done;
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(paths.device).equals(image)).toBe(true);
      expect(report(paths).disks[0]).toMatchObject({ copy: 'full', sha256: sha256(image), bytes_written: image.length });
      if (damage) {
        expect(run.stderr).toContain(`no longer holds the chunk at byte ${4 * MIB}`);
        expect(run.stderr).toContain('resuming at chunk 1 of 12');
      } else {
        expect(run.stderr).toMatch(/resuming at chunk ([2-9]|1[01]) of 12/);
      }
      first.close();
      second.close();
    }
  });

  it('stops a pass whose job is withdrawn, and runs the next op', async () => {
    const name = 'DC0_C0_RP0_VM1';
    const image = await writeDisk(name, 32 * MIB);
    const paths = workdir('withdrawn');
    const session = await newSession();
    writeFileSync(paths.job, JSON.stringify(await jobFor(name, 'op-w1', 'full', image.length, session.value)));
    const mover = startMover(paths, ['--max-rate', '4M', '--poll', '0.2']);
    await until('the copy', () => existsSync(paths.report) && report(paths).progress.done > 0);
    rmSync(paths.job);
    await until('the withdrawal', () => report(paths).state === 'failed');
    expect(report(paths)).toMatchObject({ op: 'op-w1', message: expect.stringMatching(/^error job-withdrawn: the job was withdrawn/) });
    expect(await session.alive()).toBe(false);

    // The next op copies another VM's (smaller) disk onto the same device.
    const small = await writeDisk('DC0_H0_VM0', 4 * MIB);
    const next = await newSession();
    writeFileSync(paths.job, JSON.stringify(await jobFor('DC0_H0_VM0', 'op-w2', 'full', small.length, next.value)));
    await until('the next op', () => report(paths).op === 'op-w2' && report(paths).state === 'succeeded');
    expect(readFileSync(paths.device).subarray(0, small.length).equals(small)).toBe(true);
    mover.child.kill('SIGTERM');
    await mover.done;
    session.close();
    next.close();
  });

  it('copies a running VM warm from a snapshot (resuming a killed mover on the same snapshot), then only what changed once it is off', async () => {
    const name = 'DC0_H0_VM1';
    const vm = vms.get(name)!;
    await powerOff(a, vm);
    const image = await writeDisk(name, 32 * MIB + 512);
    await reconfigure(a, vm, '<changeTrackingEnabled>true</changeTrackingEnabled>');
    await powerOn(a, vm);

    const paths = workdir('warm');
    const killed = await newSession();
    writeFileSync(paths.job, JSON.stringify(await jobFor(name, 'op-warm', 'warm', image.length, killed.value)));
    const mover = startMover(paths, ['--once', '--max-rate', '8M']);
    await until('a checkpoint', () => checkpointChunks(paths, 'op-warm') >= 2);
    mover.child.kill('SIGKILL');
    await mover.done;

    const first = await newSession();
    writeFileSync(paths.job, JSON.stringify(await jobFor(name, 'op-warm', 'warm', image.length, first.value)));
    const warm = await startMover(paths, ['--once']).done;
    expect(warm.code, warm.stderr).toBe(0);
    // Resumed: the checkpoint names the snapshot, so the one the killed mover made was found and used.
    expect(warm.stderr).toMatch(/resuming at chunk ([2-8]) of 9/);
    expect(readFileSync(paths.device).equals(image)).toBe(true);
    const [warmDisk] = report(paths).disks;
    expect(warmDisk).toMatchObject({ copy: 'warm', bytes_written: image.length, sha256: sha256(image) });
    expect(warmDisk!.change_id).toMatch(/^52( [0-9a-f]{2}){7}-[0-9a-f]{2}( [0-9a-f]{2}){7}\/\d+$/);
    // The snapshot is gone, the VM still runs.
    const [state] = await a.client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: ['snapshot', 'runtime.powerState'] }], objectSet: [{ obj: vm }] });
    const snapshots = items(child(state!.props.get('snapshot'), 'rootSnapshotList')).map((tree) => str(child(tree, 'name')));
    expect(snapshots).not.toContain('ferry-op-warm');
    expect(str(state!.props.get('runtime.powerState'))).toBe('poweredOn');
    expect(await first.alive()).toBe(false);
    killed.close();

    // The guest writes while it runs, then the VM is powered off in its window.
    const changed = Buffer.from(image);
    changed.fill(0xab, 3 * MIB, 3 * MIB + 100_000);
    changed.fill(0, 20 * MIB, 21 * MIB);
    changed.fill(0xcd, changed.length - 512);
    await writeDisk(name, changed.length, changed);
    await powerOff(a, vm);

    const second = await newSession();
    writeFileSync(paths.job, JSON.stringify(await jobFor(name, 'op-delta', 'delta', image.length, second.value, warmDisk!.change_id!)));
    const delta = await startMover(paths, ['--once']).done;
    expect(delta.code, delta.stderr).toBe(0);
    expect(readFileSync(paths.device).equals(changed)).toBe(true);
    const [deltaDisk] = report(paths).disks;
    expect(deltaDisk).toMatchObject({ copy: 'delta', change_id: null });
    expect(deltaDisk!.fallback_reason).toBeUndefined();
    expect(deltaDisk!.bytes_written).toBeGreaterThan(0);
    expect(deltaDisk!.bytes_written).toBeLessThan(2 * MIB);
    first.close();
    second.close();
  });
});
