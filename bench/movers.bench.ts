// Movers in parallel (issue #19, item 6): N mover processes (the bundle of `npm run build:mover`)
// against one vcsim, each copying its own powered-off VM's disk (a full pass: ranged reads over
// /folder) into a file, for N = 1, 2, 4. Reported per N: the wall time until every mover is done,
// the aggregate throughput, the CPU of each mover and of vcsim, and the CPU of the reconciler's
// side of a transfer: writing the job, then reading and parsing the mover's report every second
// until it says succeeded (the loop part D's transfer provider runs through the Incus file API;
// here the report is a local file, so the API's own round trips are not counted).
//
// The baseline, in the same run against the same simulator: N plain HTTPS GETs of the same flat
// files (bytes read and dropped), the most the wire and vcsim give.
//
//   npm run bench -- movers
//   FERRY_BENCH_MOVER_MIB=64 FERRY_BENCH_MOVERS=1,2 npm run bench -- movers

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleMover } from '../scripts/build-mover.js';
import type { MoverReport } from '../src/mover/protocol.js';
import { deadline, send } from '../src/providers/vmware/http.js';
import { admin, powerOff, vmsByName, type Admin } from '../test/peers/vcsim/admin.js';
import { jobFor, jobSession, writeDisk } from '../test/peers/vcsim/mover-peer.js';
import { PEER_CACHE, startVcsim, vcsimVersion } from '../test/peers/vcsim/peer-env.js';

const MIB = 1024 * 1024;
const SIZE = Number(process.env.FERRY_BENCH_MOVER_MIB ?? 256) * MIB;
const COUNTS = (process.env.FERRY_BENCH_MOVERS ?? '1,2,4').split(',').map(Number);
const VMS = ['DC0_H0_VM0', 'DC0_H0_VM1', 'DC0_C0_RP0_VM0', 'DC0_C0_RP0_VM1'];
const POLL_MS = 1000;

/** CPU seconds a process used so far (/proc/PID/stat utime + stime, at 100 ticks a second). */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

/** The floor: N GETs of the VMs' flat files, read and dropped. */
async function floor(a: Admin, count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    VMS.slice(0, count).map(async (vm) => {
      const url = new URL(`${a.vcsim.endpoint}/folder/${vm}/disk1-flat.vmdk?dcPath=DC0&dsName=LocalDS_0`);
      const limit = deadline(30 * 60_000, 'GET');
      try {
        const response = await send({ method: 'GET', url, headers: { Cookie: a.transport.sessionCookie! }, agent: a.agent, signal: limit.signal, what: 'GET' });
        let bytes = 0;
        for await (const chunk of response as AsyncIterable<Buffer>) bytes += chunk.length;
        if (bytes !== SIZE) throw new Error(`read ${bytes} bytes of ${vm}, not ${SIZE}`);
      } finally {
        limit.clear();
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

interface MoverRun {
  seconds: number;
  moverCpu: number[];
  vcsimCpu: number;
  reconcilerCpu: number;
  reads: number;
}

/** N movers at once; this process plays the reconciler (writes the jobs, polls the reports). */
async function movers(a: Admin, bundle: string, dir: string, count: number, round: string, vcsimPid: number): Promise<MoverRun> {
  const vms = await vmsByName(a);
  const prepared = await Promise.all(
    VMS.slice(0, count).map(async (vm, i) => {
      const at = join(dir, `${round}-${i}`);
      const paths = { job: `${at}.job.json`, device: `${at}.img`, report: `${at}.report.json`, state: `${at}.state` };
      writeFileSync(paths.device, '');
      const session = await jobSession(a);
      session.close();
      return { paths, job: await jobFor(a, vms.get(vm)!, `${round}-${i}`, 'full', SIZE, session.value) };
    }),
  );
  const vcsimBefore = processCpu(vcsimPid);
  const started = performance.now();
  let reads = 0;
  // Only the reconciler's own work is counted (not this process spawning the movers, which in a VM
  // Incus does): writing each job, and each read and parse of a report.
  let reconcilerCpu = 0;
  const reconciler = <T>(work: () => T): T => {
    const before = process.cpuUsage();
    try {
      return work();
    } finally {
      reconcilerCpu += cpuSeconds(process.cpuUsage(before));
    }
  };
  const runs = prepared.map(({ paths, job }) => {
    reconciler(() => writeFileSync(paths.job, JSON.stringify(job)));
    const child = spawn('/usr/bin/time', ['-f', 'FERRY-TIME %U %S', process.execPath, bundle, '--once', '--job', paths.job, '--device', `disk0=${paths.device}`, '--state', paths.state, '--report', paths.report], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number>((resolve, reject) =>
      child.once('exit', (code) => {
        const m = /FERRY-TIME ([\d.]+) ([\d.]+)/.exec(stderr);
        if (code !== 0 || !m) reject(new Error(`mover ${job.op} exited with ${code}: ${stderr}`));
        else resolve(Number(m[1]) + Number(m[2]));
      }),
    );
    // The reconciler's side: the report read and parsed every second until it says the pass ended.
    const watched = (async () => {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (!existsSync(paths.report)) continue;
        reads++;
        const report = reconciler(() => JSON.parse(readFileSync(paths.report, 'utf8')) as MoverReport);
        if (report.op === job.op && report.state !== 'running') {
          if (report.state !== 'succeeded') throw new Error(`mover ${job.op}: ${report.message}`);
          return;
        }
      }
    })();
    return Promise.all([exited, watched]).then(([cpu]) => cpu);
  });
  const moverCpu = await Promise.all(runs);
  return {
    seconds: (performance.now() - started) / 1000,
    moverCpu,
    vcsimCpu: processCpu(vcsimPid) - vcsimBefore,
    reconcilerCpu,
    reads,
  };
}

export default async function bench(): Promise<void> {
  if (!existsSync(join(PEER_CACHE, 'vcsim'))) {
    console.log(`skipped: vcsim is not built (${join(PEER_CACHE, 'vcsim')}); run bash test/peers/vcsim/install.sh`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-movers-'));
  const bundle = join(dir, 'mover.mjs');
  writeFileSync(bundle, await bundleMover());
  const vcsim = await startVcsim();
  const a = await admin(vcsim);
  try {
    const vms = await vmsByName(a);
    const image = randomBytes(SIZE);
    for (const vm of VMS.slice(0, Math.max(...COUNTS))) {
      await powerOff(a, vms.get(vm)!).catch(() => undefined);
      await writeDisk(a, vm, SIZE, image);
    }
    console.log(`${cpus().length} cores (load average ${loadavg()[0]!.toFixed(1)}), Node ${process.version}; vcsim (govmomi ${vcsimVersion()}) on loopback; each mover copies ${SIZE / MIB} MiB (a full pass) into a file`);
    console.log('');
    console.log('| movers | floor: N GETs | movers: wall | aggregate | vs floor | vs 1 mover | CPU per mover | vcsim CPU | reconciler CPU per transfer |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    let single = 0;
    for (const count of COUNTS) {
      const floorSeconds = await floor(a, count);
      const run = await movers(a, bundle, dir, count, `n${count}`, vcsim.pid);
      const aggregate = (count * SIZE) / MIB / run.seconds;
      if (single === 0) single = aggregate;
      const floorRate = (count * SIZE) / MIB / floorSeconds;
      const cpu = run.moverCpu.map((s) => s.toFixed(1)).join(' / ');
      console.log(
        `| ${count} | ${floorRate.toFixed(0)} MiB/s | ${run.seconds.toFixed(1)} s | ${aggregate.toFixed(0)} MiB/s | ${(aggregate / floorRate).toFixed(2)}× | ${(aggregate / single).toFixed(2)}× | ${cpu} s | ${run.vcsimCpu.toFixed(1)} s | ${((run.reconcilerCpu / count) * 1000).toFixed(2)} ms (${Math.round(run.reads / count)} reads) |`,
      );
      for (let i = 0; i < count; i++) rmSync(join(dir, `n${count}-${i}.img`), { force: true });
    }
  } finally {
    await a.close();
    await vcsim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
