// Windows guests in the mover (issue #20 item 2, experimental: never run against a real Windows).
//
// probeWindowsGuest: the readiness check before the cutover, reading the copied disks: is there a
// Windows, which one, and can it boot from Incus's virtio-scsi disks.
// injectVirtioWin: offline injection of virtio-win's storage and network drivers from the ISO the
// operator provides (read with xorriso): the .sys files into System32\drivers, the packages staged for Plug and Play,
// the services (and on Windows 7 / 2008 R2 the CriticalDeviceDatabase) in every control set.
// Every step looks before it writes, so a second run changes nothing; everything mounted or
// attached is released on every path.

import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { WindowsPrepareError } from './windows-failure.js';
import { extractIsoFolder, listIsoFiles } from './windows-iso.js';
import type {
  GuestDisk,
  VirtioDriverState,
  WindowsFailureCode,
  WindowsPreparePlan,
  WindowsPrepareReport,
  WindowsProbe,
  WindowsStepRecord,
  WindowsVersion,
} from './windows-protocol.js';
import { type RegistryKeyEdit, type RegistryValue, missingValues } from './windows-reg-file.js';
import { mergeKeys, readKey, subkeys } from './windows-registry.js';
import { Attachments } from './windows-tools.js';
import {
  STAGING_DEVICE_PATH,
  STAGING_FOLDER,
  VIRTIO_DRIVERS,
  type DriverFolders,
  type VirtioDriverSpec,
  criticalDeviceEdits,
  describeWindows,
  devicePathWith,
  driverFolders,
  serviceEdits,
  usesCriticalDeviceDatabase,
} from './windows-virtio.js';
import { SYSTEM_HIVE, describeVolume, findCaseless, findSystemVolume, leftHibernated, mountVolume } from './windows-volume.js';

export type Log = (line: string) => void;

export type WindowsProbeResult = WindowsProbe | { windows: false; failure: { code: WindowsFailureCode; message: string } };

const SOFTWARE_HIVE = ['Windows', 'System32', 'config', 'SOFTWARE'];
const CURRENT_VERSION = 'Microsoft\\Windows NT\\CurrentVersion';
const WINDOWS_CURRENT_VERSION = 'Microsoft\\Windows\\CurrentVersion';

interface MountedWindows {
  root: string;
  system: string;
  software: string;
  volume: string;
  version: WindowsVersion;
  /** The control set Windows boots with (Select\Current), `ControlSet001`. */
  currentControlSet: string;
  controlSets: string[];
}

async function hive(root: string, parts: string[]): Promise<string> {
  const found = await findCaseless(root, parts);
  if (found === null) throw new WindowsPrepareError('no-windows-volume', `the Windows volume has no ${parts.join('\\')}: set guest_preparation: skip in its InstanceOverride and prepare the guest by hand`);
  return found;
}

function text(values: Map<string, RegistryValue> | null, name: string): string {
  const value = values?.get(name);
  return value === undefined ? '' : String(value.value);
}

async function openWindows(disks: GuestDisk[], writable: boolean, attachments: Attachments): Promise<MountedWindows> {
  const volume = await findSystemVolume(disks);
  const root = await mountVolume(volume, writable, attachments);
  const system = await hive(root, SYSTEM_HIVE);
  const software = await hive(root, SOFTWARE_HIVE);
  const select = await readKey(system, 'Select');
  const current = select?.get('Current');
  if (current?.type !== 'dword') throw new WindowsPrepareError('hive-edit-failed', 'the SYSTEM hive has no Select\\Current: it is not a Windows SYSTEM hive Ferry understands; prepare the guest by hand and set guest_preparation: skip in its InstanceOverride');
  const currentControlSet = `ControlSet${String(current.value).padStart(3, '0')}`;
  const listed = ((await subkeys(system, '')) ?? []).filter((name) => /^ControlSet\d{3}$/i.test(name));
  const controlSets = listed.some((name) => name.toLowerCase() === currentControlSet.toLowerCase()) ? listed : [currentControlSet, ...listed];
  const info = await readKey(software, CURRENT_VERSION);
  const environment = await readKey(system, `${currentControlSet}\\Control\\Session Manager\\Environment`);
  const version: WindowsVersion = {
    product: text(info, 'ProductName'),
    version: text(info, 'CurrentVersion'),
    build: Number(text(info, 'CurrentBuild') || text(info, 'CurrentBuildNumber')) || 0,
    installation: text(info, 'InstallationType'),
    architecture: text(environment, 'PROCESSOR_ARCHITECTURE'),
  };
  return { root, system, software, volume: describeVolume(volume), version, currentControlSet, controlSets };
}

/** The guest's name in records: the product and its build. */
export function windowsDistribution(version: WindowsVersion): string {
  return `${version.product} (build ${version.build})`;
}

/** A Windows without a virtio storage driver set to boot, and no virtio-win ISO to inject one from. */
export function virtioDriversMissing(version: WindowsVersion): { code: 'virtio-drivers-missing'; message: string } {
  return {
    code: 'virtio-drivers-missing',
    message: `${windowsDistribution(version)} has no virtio storage driver set to boot (vioscsi), so it would not boot under Incus: install the virtio-win guest tools in the VM on VMware and start the entry over, or prepare it by hand and set guest_preparation: skip`,
  };
}

async function driverStates(windows: MountedWindows): Promise<VirtioDriverState[]> {
  const states: VirtioDriverState[] = [];
  for (const spec of VIRTIO_DRIVERS) {
    const file = (await findCaseless(windows.root, ['Windows', 'System32', 'drivers', `${spec.driver}.sys`])) !== null;
    const start = (await readKey(windows.system, `${windows.currentControlSet}\\Services\\${spec.driver}`))?.get('Start');
    states.push({ driver: spec.driver, file, start: start?.type === 'dword' ? start.value : null });
  }
  return states;
}

function describeDriver(state: VirtioDriverState): string {
  if (!state.file && state.start === null) return `${state.driver}: not installed`;
  if (!state.file) return `${state.driver}: a service key (Start=${state.start}) but no ${state.driver}.sys in System32\\drivers`;
  if (state.start === null) return `${state.driver}: ${state.driver}.sys present but no service key`;
  return `${state.driver}: installed, Start=${state.start}${state.start === 0 ? ' (boot)' : ''}`;
}

async function released(attachments: Attachments, log: Log): Promise<string | null> {
  const stuck = await attachments.releaseAll();
  if (stuck.length === 0) return null;
  log(`windows: could not release ${stuck.join(', ')}`);
  return `${stuck.join(', ')} could not be released (a process holds them): stop it and run the preparation again`;
}

export async function probeWindowsGuest(disks: GuestDisk[], log: Log): Promise<WindowsProbeResult> {
  const attachments = new Attachments();
  let result: WindowsProbeResult;
  try {
    const windows = await openWindows(disks, false, attachments);
    const drivers = await driverStates(windows);
    const bootable = drivers.some((state) => state.driver === 'vioscsi' && state.file && state.start === 0);
    const hibernated = await leftHibernated(windows.root);
    result = {
      windows: true,
      version: windows.version,
      virtio: bootable ? 'present' : 'absent',
      hibernated,
      volume: windows.volume,
      drivers,
      details: [
        `${describeWindows(windows.version)} on ${windows.volume}, control set ${windows.currentControlSet}`,
        ...drivers.map(describeDriver),
        bootable
          ? 'virtio-scsi storage driver set to start at boot: the guest can boot from Incus disks'
          : 'no virtio-scsi storage driver set to start at boot: the guest cannot boot from Incus disks until virtio-win is installed in it or injected from a virtio-win ISO',
        ...(hibernated ? ['hiberfil.sys says Windows is hibernated (or was shut down with Fast Startup)'] : []),
      ],
    };
  } catch (error) {
    if (!(error instanceof WindowsPrepareError)) throw error;
    result = { windows: false, failure: { code: error.code, message: error.message } };
  }
  const stuck = await released(attachments, log);
  if (stuck !== null) return { windows: false, failure: { code: 'mount-failed', message: stuck } };
  log(result.windows ? `windows: ${result.details.join('; ')}` : `windows: ${result.failure.code}: ${result.failure.message}`);
  return result;
}

interface DriverSource {
  spec: VirtioDriverSpec;
  /** The folder on the ISO holding this driver for the guest's release and architecture. */
  folder: string;
  sys: string;
}

/** Where the ISO holds the drivers for `version`, from its listing alone (nothing extracted). */
export async function findDriverFolders(isoPath: string, version: WindowsVersion): Promise<DriverFolders> {
  const found = driverFolders(await listIsoFiles(isoPath), version);
  if ('failure' in found) throw new WindowsPrepareError(found.failure.code, found.failure.message);
  return found;
}

/** Each driver's folder of the ISO for the guest, extracted into `into`. */
async function driverSources(isoPath: string, version: WindowsVersion, into: string): Promise<{ folders: DriverFolders; sources: DriverSource[] }> {
  const folders = await findDriverFolders(isoPath, version);
  const sources: DriverSource[] = [];
  for (const { spec, sys } of folders.files) {
    const folder = await extractIsoFolder(isoPath, posix.dirname(sys), into);
    sources.push({ spec, folder, sys: join(folder, posix.basename(sys)) });
  }
  return { folders, sources };
}

/** Copies `from` to `to` unless `to` already holds the same bytes; true when it wrote. */
async function copyIfDifferent(from: string, to: string): Promise<boolean> {
  const [wanted, present] = await Promise.all([readFile(from), readFile(to).catch(() => null)]);
  if (present !== null && present.equals(wanted)) return false;
  await copyFile(from, to);
  return true;
}

/** A folder under `root`, each level found without regard to case or made. */
async function folderCaseless(root: string, parts: string[]): Promise<string> {
  let here = root;
  for (const part of parts) {
    const found = await findCaseless(here, [part]);
    here = found ?? join(here, part);
    if (found === null) await mkdir(here);
  }
  return here;
}

async function copyDriverFiles(windows: MountedWindows, sources: DriverSource[]): Promise<WindowsStepRecord> {
  const drivers = await folderCaseless(windows.root, ['Windows', 'System32', 'drivers']);
  const details: string[] = [];
  for (const source of sources) {
    const name = `${source.spec.driver}.sys`;
    const target = (await findCaseless(drivers, [name])) ?? join(drivers, name);
    if (await copyIfDifferent(source.sys, target)) details.push(`System32\\drivers\\${name} written`);
  }
  return { step: 'driver-files', changed: details.length > 0, details: details.length > 0 ? details : ['System32\\drivers already holds the virtio drivers'] };
}

/** The whole driver packages (.inf, .cat, .sys and their helpers; not the debug symbols), for Plug and Play. */
async function stagePackages(windows: MountedWindows, sources: DriverSource[]): Promise<WindowsStepRecord> {
  const staging = await folderCaseless(windows.root, STAGING_FOLDER);
  const details: string[] = [];
  for (const source of sources) {
    for (const entry of await readdir(source.folder, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.toLowerCase().endsWith('.pdb')) continue;
      const target = (await findCaseless(staging, [entry.name])) ?? join(staging, entry.name);
      if (await copyIfDifferent(join(source.folder, entry.name), target)) details.push(`${STAGING_FOLDER.join('\\')}\\${entry.name} written`);
    }
  }
  return { step: 'staged-packages', changed: details.length > 0, details: details.length > 0 ? details : [`${STAGING_FOLDER.join('\\')} already holds the driver packages`] };
}

/** The edits the hive lacks (a missing key is created even when it has no values of its own). */
async function lacking(hivePath: string, edits: RegistryKeyEdit[]): Promise<RegistryKeyEdit[]> {
  const needed: RegistryKeyEdit[] = [];
  for (const edit of edits) {
    const current = await readKey(hivePath, edit.key);
    const values = missingValues(current, edit.values);
    if (current === null || Object.keys(values).length > 0) needed.push({ key: edit.key, values });
  }
  return needed;
}

function describeEdits(edits: RegistryKeyEdit[]): string[] {
  return edits.map((edit) => {
    const names = Object.keys(edit.values);
    return names.length > 0 ? `${edit.key}: ${names.join(', ')} set` : `${edit.key} created`;
  });
}

async function applyRegistry(step: WindowsStepRecord['step'], hivePath: string, prefix: string, edits: RegistryKeyEdit[], unchanged: string): Promise<WindowsStepRecord> {
  const needed = await lacking(hivePath, edits);
  await mergeKeys(hivePath, prefix, needed);
  return { step, changed: needed.length > 0, details: needed.length > 0 ? describeEdits(needed) : [unchanged] };
}

export async function injectVirtioWin(disks: GuestDisk[], isoPath: string, plan: WindowsPreparePlan, log: Log): Promise<WindowsPrepareReport> {
  const attachments = new Attachments();
  const report: WindowsPrepareReport = { state: 'succeeded', steps: [] };
  try {
    if (plan.guest_id !== undefined) log(`windows: the source calls the guest ${plan.guest_id}`);
    const windows = await openWindows(disks, true, attachments);
    report.version = windows.version;
    const { folders, sources } = await driverSources(isoPath, windows.version, await attachments.workDir());
    report.driver_folder = folders.description;
    log(`windows: ${describeWindows(windows.version)} on ${windows.volume}; virtio-win folder ${report.driver_folder}`);

    report.steps.push(await copyDriverFiles(windows, sources));
    report.steps.push(await stagePackages(windows, sources));
    report.steps.push(
      await applyRegistry(
        'services',
        windows.system,
        'HKEY_LOCAL_MACHINE\\SYSTEM',
        windows.controlSets.flatMap((set) => VIRTIO_DRIVERS.flatMap((spec) => serviceEdits(set, spec))),
        `the virtio services are already set in ${windows.controlSets.join(', ')}`,
      ),
    );
    if (usesCriticalDeviceDatabase(windows.version)) {
      report.steps.push(
        await applyRegistry(
          'critical-device-database',
          windows.system,
          'HKEY_LOCAL_MACHINE\\SYSTEM',
          windows.controlSets.flatMap((set) => VIRTIO_DRIVERS.flatMap((spec) => criticalDeviceEdits(set, spec))),
          'the CriticalDeviceDatabase already names the virtio storage drivers',
        ),
      );
    }
    const current = (await readKey(windows.software, WINDOWS_CURRENT_VERSION))?.get('DevicePath');
    const devicePath = devicePathWith(current === undefined ? null : String(current.value));
    report.steps.push(
      await applyRegistry(
        'device-path',
        windows.software,
        'HKEY_LOCAL_MACHINE\\SOFTWARE',
        devicePath === null ? [] : [{ key: WINDOWS_CURRENT_VERSION, values: { DevicePath: { type: 'expand_sz', value: devicePath } } }],
        `DevicePath already names ${STAGING_DEVICE_PATH}`,
      ),
    );
  } catch (error) {
    if (!(error instanceof WindowsPrepareError)) throw error;
    report.state = 'failed';
    report.failure = { code: error.code, message: error.message };
  }
  const stuck = await released(attachments, log);
  if (stuck !== null && report.state === 'succeeded') {
    report.state = 'failed';
    report.failure = { code: 'mount-failed', message: stuck };
  }
  for (const step of report.steps) log(`windows: ${step.step}: ${step.details.join('; ')}`);
  if (report.failure !== undefined) log(`windows: ${report.failure.code}: ${report.failure.message}`);
  return report;
}
