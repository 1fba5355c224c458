// Reading a job (protocol.ts) at the boundary: JSON in, a MoverJob out, or one line that says
// what is wrong with it. Past this point the mover trusts the job's shape. No message quotes the
// session, and values are quoted short: the job comes from the VM's configuration.

import type { AnyMoverJob, GuestNic, MoverJob, MoverJobDisk, MoverPass, MoverPrepareJob } from './protocol.js';

export type JobResult = { ok: true; job: AnyMoverJob } | { ok: false; error: string };

const PASSES: readonly MoverPass[] = ['full', 'warm', 'delta'];
/**
 * Ferry's operation ids (`<entry uuid>#<attempt>/<kind>-<n>`): letters, digits and `_ . : - # /`,
 * no `..` (the state directory names an op by its id encoded, checkpoint.ts).
 */
const OP_ID = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.:#\/-]{0,255}$/;
const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const FINGERPRINT = /^[0-9a-fA-F]{2}(:?[0-9a-fA-F]{2}){31}$/;

class JobError extends Error {}

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}… (${text.length} characters)` : JSON.stringify(text);
}

function object(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JobError(`${at} is not an object`);
  return value as Record<string, unknown>;
}

function only(value: Record<string, unknown>, at: string, keys: readonly string[]): void {
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw new JobError(`${at} has an unknown field ${quote(key)}`);
}

function text(value: Record<string, unknown>, key: string, at: string, secret = false): string {
  const found = value[key];
  if (typeof found !== 'string' || found === '') {
    if (found === undefined) throw new JobError(`${at}.${key} is missing`);
    throw new JobError(`${at}.${key} is not a non-empty string${secret ? '' : ` (${quote(found)})`}`);
  }
  return found;
}

function count(value: Record<string, unknown>, key: string, at: string): number {
  const found = value[key];
  if (typeof found !== 'number' || !Number.isSafeInteger(found) || found < 0) {
    throw new JobError(found === undefined ? `${at}.${key} is missing` : `${at}.${key} is not a whole number ≥ 0 (${quote(found)})`);
  }
  return found;
}

function parseDisk(value: unknown, at: string, pass: MoverPass): MoverJobDisk {
  const disk = object(value, at);
  only(disk, at, ['name', 'key', 'capacity', 'device', 'change_id']);
  const name = text(disk, 'name', at);
  if (!/^\[[^\]]+\]\s*\S/.test(name)) throw new JobError(`${at}.name ${quote(name)} is not a datastore path ([datastore] dir/file.vmdk)`);
  const capacity = count(disk, 'capacity', at);
  if (capacity === 0 || capacity % 512 !== 0) throw new JobError(`${at}.capacity ${capacity} is not a positive multiple of 512`);
  const device = text(disk, 'device', at);
  if (!DEVICE_NAME.test(device)) throw new JobError(`${at}.device ${quote(device)} is not an Incus device name`);
  const out: MoverJobDisk = { name, key: count(disk, 'key', at), capacity, device };
  if (disk.change_id !== undefined) {
    if (pass !== 'delta') throw new JobError(`${at}.change_id is only for a delta pass, not ${pass}`);
    out.change_id = text(disk, 'change_id', at);
  }
  return out;
}

/** The mover VM's disk device holding the virtio-win ISO; not one the guest's disks are written to. */
function parseVirtioWin(value: unknown, disks: readonly { device: string }[]): { device: string } {
  const virtioWin = object(value, 'virtio_win');
  only(virtioWin, 'virtio_win', ['device']);
  const device = text(virtioWin, 'device', 'virtio_win');
  if (!DEVICE_NAME.test(device)) throw new JobError(`virtio_win.device ${quote(device)} is not an Incus device name`);
  if (disks.some((disk) => disk.device === device)) throw new JobError(`virtio_win.device ${quote(device)} is the device of a disk too`);
  return { device };
}

const CHECKED_PREPARATIONS: readonly NonNullable<MoverJob['guest']>['preparation'][] = ['windows', 'detect'];

/** A full or warm pass of a guest the mover checks for readiness once the copy is written. */
function parseGuest(value: unknown, pass: MoverPass): NonNullable<MoverJob['guest']> {
  if (pass === 'delta') throw new JobError('guest is only for a full or warm pass, not delta (the readiness check runs before the cutover)');
  const guest = object(value, 'guest');
  only(guest, 'guest', ['preparation']);
  const preparation = guest.preparation as NonNullable<MoverJob['guest']>['preparation'];
  if (!CHECKED_PREPARATIONS.includes(preparation)) throw new JobError(`guest.preparation ${quote(guest.preparation)} is not one of ${CHECKED_PREPARATIONS.join(', ')}`);
  return { preparation };
}

const PREPARATIONS: readonly MoverPrepareJob['guest']['preparation'][] = ['linux', 'windows', 'detect'];
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const INTERFACE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,14}$/;

/** A prepare job (after the final pass): the guest's disks on the mover's devices, and what to prepare. */
function parsePrepare(job: Record<string, unknown>, op: string): MoverPrepareJob {
  only(job, 'the job', ['version', 'op', 'pass', 'disks', 'guest', 'virtio_win']);
  if (!Array.isArray(job.disks) || job.disks.length === 0) throw new JobError('disks is not a non-empty list');
  const disks = job.disks.map((value, i) => {
    const disk = object(value, `disks[${i}]`);
    only(disk, `disks[${i}]`, ['name', 'device']);
    const device = text(disk, 'device', `disks[${i}]`);
    if (!DEVICE_NAME.test(device)) throw new JobError(`disks[${i}].device ${quote(device)} is not an Incus device name`);
    return { name: text(disk, 'name', `disks[${i}]`), device };
  });
  const guest = object(job.guest, 'guest');
  only(guest, 'guest', ['preparation', 'os_type', 'distribution', 'nics']);
  const preparation = guest.preparation as MoverPrepareJob['guest']['preparation'];
  if (!PREPARATIONS.includes(preparation)) throw new JobError(`guest.preparation ${quote(guest.preparation)} is not one of ${PREPARATIONS.join(', ')}`);
  const label = (key: string): string => {
    const found = guest[key] ?? '';
    if (typeof found !== 'string' || found.length > 200) throw new JobError(`guest.${key} is not a string of at most 200 characters`);
    return found;
  };
  if (!Array.isArray(guest.nics)) throw new JobError('guest.nics is not a list');
  const nics = guest.nics.map((value, i): GuestNic => {
    const nic = object(value, `guest.nics[${i}]`);
    only(nic, `guest.nics[${i}]`, ['mac', 'name']);
    const mac = text(nic, 'mac', `guest.nics[${i}]`).toLowerCase();
    if (!MAC.test(mac)) throw new JobError(`guest.nics[${i}].mac ${quote(mac)} is not a MAC address`);
    if (nic.name === undefined) return { mac };
    const name = text(nic, 'name', `guest.nics[${i}]`);
    if (!INTERFACE.test(name)) throw new JobError(`guest.nics[${i}].name ${quote(name)} is not an interface name`);
    return { mac, name };
  });
  const prepare: MoverPrepareJob = { version: 1, op, pass: 'prepare', disks, guest: { preparation, os_type: label('os_type'), distribution: label('distribution'), nics } };
  if (job.virtio_win !== undefined) prepare.virtio_win = parseVirtioWin(job.virtio_win, disks);
  return prepare;
}

function parse(value: unknown): AnyMoverJob {
  const job = object(value, 'the job');
  if (job.pass === 'prepare') {
    if (job.version !== 1) throw new JobError(`the job's version ${quote(job.version)} is not 1 (a newer reconciler? update the mover image)`);
    const op = text(job, 'op', 'the job');
    if (!OP_ID.test(op)) throw new JobError(`op ${quote(op)} is not an operation id (letters, digits, _ . : # / -)`);
    return parsePrepare(job, op);
  }
  only(job, 'the job', ['version', 'op', 'pass', 'vcenter', 'datacenter', 'vm', 'disks', 'guest', 'virtio_win']);
  if (job.version !== 1) throw new JobError(`the job's version ${quote(job.version)} is not 1 (a newer reconciler? update the mover image)`);
  const op = text(job, 'op', 'the job');
  if (!OP_ID.test(op)) throw new JobError(`op ${quote(op)} is not an operation id (letters, digits, _ . : # / -)`);
  const pass = job.pass as MoverPass;
  if (!PASSES.includes(pass)) throw new JobError(`pass ${quote(job.pass)} is not one of ${PASSES.join(', ')}, prepare`);
  const vc = object(job.vcenter, 'vcenter');
  only(vc, 'vcenter', ['url', 'fingerprint', 'session']);
  const url = text(vc, 'url', 'vcenter');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new JobError(`vcenter.url ${quote(url)} is not a URL`);
  }
  if (parsed.protocol !== 'https:') throw new JobError(`vcenter.url ${quote(url)} is not an https URL`);
  const vcenter: MoverJob['vcenter'] = { url, session: text(vc, 'session', 'vcenter', true) };
  // Sent back as vCenter set it (a real vCenter quotes it): only what would break the header is refused.
  if (/[\s;,\\\u0000-\u001f\u007f]/.test(vcenter.session)) throw new JobError('vcenter.session is not a cookie value (it holds spaces, commas, semicolons or control characters)');
  if (vc.fingerprint !== undefined) {
    const fingerprint = text(vc, 'fingerprint', 'vcenter');
    if (!FINGERPRINT.test(fingerprint)) throw new JobError(`vcenter.fingerprint ${quote(fingerprint)} is not a SHA-256 fingerprint (64 hex digits, colons allowed)`);
    vcenter.fingerprint = fingerprint;
  }
  const datacenter = text(job, 'datacenter', 'the job');
  const vmValue = object(job.vm, 'vm');
  only(vmValue, 'vm', ['moref', 'uuid']);
  const vm = { moref: text(vmValue, 'moref', 'vm'), uuid: text(vmValue, 'uuid', 'vm') };
  if (!Array.isArray(job.disks) || job.disks.length === 0) throw new JobError('disks is not a non-empty list');
  const disks = job.disks.map((disk, i) => parseDisk(disk, `disks[${i}]`, pass));
  const seen = new Set<string>();
  for (const [i, disk] of disks.entries()) {
    if (seen.has(disk.device)) throw new JobError(`disks[${i}].device ${quote(disk.device)} is the device of another disk too`);
    seen.add(disk.device);
  }
  const out: MoverJob = { version: 1, op, pass, vcenter, datacenter, vm, disks };
  if (job.guest !== undefined) out.guest = parseGuest(job.guest, pass);
  if (job.virtio_win !== undefined) out.virtio_win = parseVirtioWin(job.virtio_win, disks);
  return out;
}

/** The job in `source` (JSON), checked. */
export function readJob(source: string): JobResult {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return { ok: false, error: 'the job is not JSON' };
  }
  try {
    return { ok: true, job: parse(value) };
  } catch (error) {
    if (error instanceof JobError) return { ok: false, error: error.message };
    throw error;
  }
}
