// The warm pass: the VM may run. A snapshot named after the op (`ferry-<op>`, reused when a
// restarted mover resumes the op) freezes the disks; each disk's change id is read from the
// snapshot's configuration; the snapshot is exported (HttpNfcLease), each disk fetched as a
// stream-optimized VMDK and decoded, the lease kept alive with progress, then completed, and the
// snapshot removed. A failed pass aborts the lease and removes the snapshot, as far as it can.

import type { IncomingMessage } from 'node:http';
import type https from 'node:https';
import { deadline, send } from '../providers/vmware/http.js';
import { responseBytes } from '../providers/vmware/disk-data.js';
import { ProviderError } from '../providers/ports.js';
import { trustingAgent } from '../providers/vmware/tls.js';
import { MoverError } from './failure.js';
import { copyPlanned, planDisk, type DiskPlan, type PassOptions } from './pass.js';
import { CHUNK_BYTES } from './plan.js';
import type { MoverDiskReport, MoverJob, MoverJobDisk } from './protocol.js';
import { grainSource } from './sources.js';
import { openStreamVmdk, type Grain } from './stream-vmdk.js';
import { ensureSnapshot, exportSnapshot, leaseAbort, leaseComplete, leaseDiskFor, leaseProgress, removeSnapshot, snapshotDevices, type Lease, type LeaseDisk, type Vsphere } from './vsphere.js';

/** HttpNfcLeaseProgress at least this often (vCenter ends an idle lease after about 5 minutes). */
const KEEPALIVE_MS = 15_000;
const STALL_MS = 120_000;

export async function warmPass(vs: Vsphere, job: MoverJob, options: PassOptions): Promise<MoverDiskReport[]> {
  const { signal } = options;
  const agents = new Map<string, https.Agent>();
  const agentFor = (disk: LeaseDisk): https.Agent => {
    if (disk.url.host === vs.datastore.base.host) return vs.agent;
    let agent = agents.get(disk.url.host);
    if (!agent) {
      agent = trustingAgent(disk.thumbprint !== '' ? { thumbprintSha1: disk.thumbprint } : {}, { maxSockets: 2, connectTimeoutMs: 30_000 });
      agents.set(disk.url.host, agent);
    }
    return agent;
  };

  /** A disk of the export, decoded: its grains from the start. */
  const exported = async (lease: LeaseDisk, disk: MoverJobDisk, attempt: AbortSignal): Promise<AsyncIterable<Grain>> => {
    const what = `downloading the snapshot of ${disk.name}`;
    const limit = deadline(STALL_MS, what, attempt);
    let response: IncomingMessage;
    try {
      const headers: Record<string, string> = {};
      const cookie = vs.transport.sessionCookie;
      if (cookie !== null) headers.Cookie = cookie;
      response = await send({ method: 'GET', url: lease.url, headers, agent: agentFor(lease), signal: limit.signal, what });
    } finally {
      limit.clear();
    }
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      response.resume();
      throw new ProviderError(status >= 500 ? 'http-error' : 'not-found', `${what}: HTTP ${status}`);
    }
    const stream = await openStreamVmdk(responseBytes(response, what, attempt, STALL_MS), attempt);
    if (stream.capacity !== disk.capacity) {
      throw new MoverError('source-changed', `the snapshot of ${disk.name} holds ${stream.capacity} bytes, not the ${disk.capacity} of the job (resized?): the reconciler writes a new job after its next sync`);
    }
    return stream.grains;
  };

  const snapshot = await ensureSnapshot(vs, job, `ferry-${job.op}`, signal);
  let lease: Lease | null = null;
  let finished = false;
  let percent = 0;
  let keepalive: NodeJS.Timeout | undefined;
  try {
    const devices = await snapshotDevices(vs, snapshot, signal);
    lease = await exportSnapshot(vs, snapshot, signal);
    const served = lease;
    const plans: DiskPlan[] = [];
    const leaseDisks = new Map<string, LeaseDisk>();
    for (const disk of job.disks) {
      const current = devices.disks.find((d) => d.key === disk.key);
      if (!current) throw new MoverError('source-changed', `VM ${job.vm.moref} has no disk with key ${disk.key} any more: the reconciler writes a new job after its next sync`);
      const served = leaseDiskFor(lease, devices, current);
      if (!served) throw new MoverError('export-failed', `the export of VM ${job.vm.moref} serves no URL for disk ${disk.name}; the reconciler retries the pass`);
      leaseDisks.set(disk.device, served);
      plans.push(await planDisk(options, job, disk, snapshot.value, async () => ({ copy: 'warm', plan: [{ start: 0, length: disk.capacity }], change_id: current.changeId })));
    }
    keepalive = setInterval(() => {
      leaseProgress(vs, served.lease, percent).catch((error: unknown) => options.log.warn(`HttpNfcLeaseProgress failed: ${(error as Error).message}`));
    }, KEEPALIVE_MS);
    const reports = await copyPlanned(
      options,
      plans,
      (planned) => grainSource((attempt) => exported(leaseDisks.get(planned.disk.device)!, planned.disk, attempt), planned.disk.capacity, CHUNK_BYTES),
      (done, total) => {
        percent = total > 0 ? (done / total) * 100 : 100;
      },
    );
    clearInterval(keepalive);
    await leaseComplete(vs, lease.lease);
    lease = null;
    await removeSnapshot(vs, snapshot, signal);
    finished = true;
    return reports;
  } finally {
    clearInterval(keepalive);
    for (const agent of agents.values()) agent.destroy();
    if (!finished) {
      // Cleaning up after a failed or canceled pass must not be canceled with it.
      const cleanup = new AbortController().signal;
      if (lease !== null) await leaseAbort(vs, lease.lease).catch((error: unknown) => options.log.warn(`could not abort the export lease: ${(error as Error).message}`));
      await removeSnapshot(vs, snapshot, cleanup).catch((error: unknown) => options.log.warn(`could not remove snapshot ferry-${job.op}: ${(error as Error).message}`));
    }
  }
}
