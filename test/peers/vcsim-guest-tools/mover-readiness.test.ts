// The mover as a process (the bundle of `npm run build:mover`) against vcsim: a full pass of a VM
// whose disk is a synthetic Windows guest (test/peers/guest-tools/windows-guest.ts) with the
// readiness check the job asks for. The report says whether the copy would boot under Incus, the
// console line carries it, the pass stays succeeded, and the copy is the source's, byte for byte.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleMover } from '../../../scripts/build-mover.js';
import { CONSOLE_PREFIX, VIRTIO_WIN_DEVICE, type MoverJob, type MoverReport } from '../../../src/mover/protocol.js';
import type { MoRef } from '../../../src/providers/vmware/values.js';
import { requireGuestTools } from '../guest-tools/peer-env.js';
import { buildVirtioIso } from '../guest-tools/windows-guest.js';
import { admin, vmsByName, type Admin } from '../vcsim/admin.js';
import { jobFor, jobSession } from '../vcsim/mover-peer.js';
import { startVcsim, type Vcsim } from '../vcsim/peer-env.js';
import { seedWindowsVm } from './windows-vm.js';

const VM = 'DC0_H0_VM0';
let vcsim: Vcsim;
let a: Admin;
let vm: MoRef;
let dir: string;
let bundle: string;
let source: Buffer;
let iso: string;
const node = process.env.FERRY_MOVER_NODE ?? process.execPath;

beforeAll(async () => {
  requireGuestTools();
  dir = mkdtempSync(join(tmpdir(), 'ferry-mover-readiness-'));
  bundle = join(dir, 'mover.mjs');
  writeFileSync(bundle, await bundleMover());
  iso = join(dir, 'virtio-win.iso');
  buildVirtioIso(iso, ['2k19']);
  vcsim = await startVcsim();
  a = await admin(vcsim);
  vm = (await vmsByName(a)).get(VM)!;
  source = await seedWindowsVm(a, VM, vm, join(dir, 'windows.img'));
});

afterAll(async () => {
  await a?.close();
  await vcsim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** One full pass with the readiness check, by a mover run with `--once` and these extra flags. */
async function fullPass(op: string, patch: Partial<MoverJob>, flags: string[]): Promise<{ code: number | null; device: string; report: MoverReport; console: MoverReport[] }> {
  const at = join(dir, op);
  mkdirSync(at);
  const paths = { job: join(at, 'job.json'), device: join(at, 'disk0.img'), state: join(at, 'state'), report: join(at, 'report.json') };
  writeFileSync(paths.device, '');
  const session = await jobSession(a);
  writeFileSync(paths.job, JSON.stringify({ ...(await jobFor(a, vm, op, 'full', source.length, session.value)), ...patch }));
  const child = spawn(node, [bundle, '--once', '--job', paths.job, '--device', `disk0=${paths.device}`, '--state', paths.state, '--report', paths.report, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  session.close();
  const console = stdout
    .split('\n')
    .filter((line) => line.startsWith(CONSOLE_PREFIX))
    .map((line) => JSON.parse(line.slice(CONSOLE_PREFIX.length)) as MoverReport);
  return { code, device: paths.device, report: JSON.parse(readFileSync(paths.report, 'utf8')) as MoverReport, console };
}

describe("the mover's readiness check after a full pass", () => {
  it('says a Windows copy without virtio drivers is not ready when the mover has no virtio-win ISO, the pass succeeded', async () => {
    const run = await fullPass('op-bare', { guest: { preparation: 'windows' } }, []);
    expect(run.code).toBe(0);
    expect(run.report).toMatchObject({
      state: 'succeeded',
      readiness: { state: 'not-ready', family: 'windows', distribution: 'Windows Server 2019 Standard (build 17763)', failure: { code: 'virtio-drivers-missing' } },
    });
    expect(run.report.message).toMatch(/^full pass done: 1 disk\(s\), 64 MiB written; guest not ready to boot on Incus: virtio-drivers-missing$/);
    expect(run.console.at(-1)).toEqual(run.report);
    expect(sha256(readFileSync(run.device))).toBe(sha256(source));
  });

  it('says it is ready when the job names the virtio-win device (--device in process mode) and the ISO holds its drivers', async () => {
    const run = await fullPass('op-iso', { guest: { preparation: 'windows' }, virtio_win: { device: VIRTIO_WIN_DEVICE } }, ['--device', `${VIRTIO_WIN_DEVICE}=${iso}`]);
    expect(run.code).toBe(0);
    expect(run.report).toMatchObject({ state: 'succeeded', readiness: { state: 'ready', family: 'windows' } });
    expect(run.report.readiness?.details.at(-1)).toMatch(/: 2k19\/amd64 is injected when the guest is prepared/);
    expect(run.report.message).toMatch(/; guest ready to boot on Incus \(Windows Server 2019 Standard \(build 17763\)\)$/);
    expect(run.console.at(-1)?.readiness).toEqual(run.report.readiness);
    expect(sha256(readFileSync(run.device))).toBe(sha256(source));
  });

  it('says virtio-win-unreadable when the job names the device and no --device says where it is', async () => {
    const run = await fullPass('op-no-iso', { guest: { preparation: 'windows' }, virtio_win: { device: VIRTIO_WIN_DEVICE } }, []);
    expect(run.code).toBe(0);
    expect(run.report).toMatchObject({ state: 'succeeded', readiness: { state: 'not-ready', failure: { code: 'virtio-win-unreadable' } } });
    expect(run.report.readiness?.failure?.message).toContain(`--device ${VIRTIO_WIN_DEVICE}=PATH`);
  });
});
