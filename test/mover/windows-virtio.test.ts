import { describe, expect, it } from 'vitest';
import { type RegistryValue, missingValues, parseValues, renderReg } from '../../src/mover/prepare/windows-reg-file.js';
import type { WindowsVersion } from '../../src/mover/prepare/windows-protocol.js';
import {
  VIRTIO_DRIVERS,
  architectureFolder,
  criticalDeviceEdits,
  devicePathWith,
  driverFolders,
  releaseFolders,
  serviceEdits,
  usesCriticalDeviceDatabase,
} from '../../src/mover/prepare/windows-virtio.js';

function windows(product: string, build: number, installation: string): WindowsVersion {
  return { product, version: '6.3', build, installation, architecture: 'AMD64' };
}

describe('the virtio-win folder for a Windows release', () => {
  it.each([
    ['Windows 10 Pro', 19045, 'Client', ['w10']],
    // Windows 11 still calls itself Windows 10 in ProductName: the build decides.
    ['Windows 10 Pro', 22631, 'Client', ['w11', 'w10']],
    ['Windows 8.1 Pro', 9600, 'Client', ['w8.1', 'w8']],
    ['Windows 7 Professional', 7601, 'Client', ['w7']],
    ['Windows Server 2016 Standard', 14393, 'Server', ['2k16']],
    ['Windows Server 2019 Standard', 17763, 'Server Core', ['2k19', '2k16']],
    ['Windows Server 2022 Datacenter', 20348, 'Server', ['2k22', '2k19']],
    ['Windows Server 2025 Datacenter', 26100, 'Server', ['2k25', '2k22']],
    ['Windows Server 2012 R2 Standard', 9600, 'Server', ['2k12R2']],
    ['Windows Server 2008 R2 Standard', 7601, 'Server', ['2k8R2']],
    ['Windows XP', 2600, 'Client', []],
  ] as const)('%s (build %i, %s) looks in %j', (product, build, installation, folders) => {
    expect(releaseFolders(windows(product, build, installation))).toEqual(folders);
  });

  it('takes the server folders when only the product name says Server', () => {
    expect(releaseFolders(windows('Windows Server 2019 Standard', 17763, ''))).toEqual(['2k19', '2k16']);
  });

  it('names the architecture folders as virtio-win does, and none for an unknown architecture', () => {
    expect([architectureFolder('AMD64'), architectureFolder('x86'), architectureFolder('ARM64'), architectureFolder('IA64')]).toEqual(['amd64', 'x86', 'ARM64', null]);
  });

  it('uses the CriticalDeviceDatabase up to Windows 7 / 2008 R2 only', () => {
    expect(usesCriticalDeviceDatabase(windows('Windows 7', 7601, 'Client'))).toBe(true);
    expect(usesCriticalDeviceDatabase(windows('Windows 8', 9200, 'Client'))).toBe(false);
  });
});

describe("the drivers' folders on a virtio-win ISO, from its listing", () => {
  const iso = (releases: string[]) =>
    releases.flatMap((release) => [`/vioscsi/${release}/amd64/vioscsi.sys`, `/viostor/${release}/amd64/viostor.sys`, `/NetKVM/${release}/amd64/netkvm.sys`, `/NetKVM/${release}/amd64/netkvm.inf`]);

  it("finds the release's own folder, as the ISO spells it", () => {
    const found = driverFolders(iso(['2k19', '2k16']).map((file) => file.replace('vioscsi/', 'VIOSCSI/')), windows('Windows Server 2019 Standard', 17763, 'Server'));
    expect(found).toMatchObject({ release: '2k19', arch: 'amd64', description: '2k19/amd64' });
    expect('files' in found && found.files.map((file) => file.sys)).toEqual(['/VIOSCSI/2k19/amd64/vioscsi.sys', '/viostor/2k19/amd64/viostor.sys', '/NetKVM/2k19/amd64/netkvm.sys']);
  });

  it("falls back to the previous release's folder, and says so", () => {
    expect(driverFolders(iso(['w10']), windows('Windows 10 Pro', 22631, 'Client'))).toMatchObject({ release: 'w10', description: "w10/amd64 (the ISO has no w11 folder: w10's drivers are used)" });
  });

  it('lists what it looked for when a driver is missing in every folder that would do', () => {
    const files = iso(['2k19', '2k16']).filter((file) => !file.startsWith('/NetKVM/2k16') && !file.startsWith('/NetKVM/2k19'));
    expect(driverFolders(files, windows('Windows Server 2019 Standard', 17763, 'Server'))).toEqual({
      failure: { code: 'virtio-win-missing-driver', message: expect.stringContaining('missing NetKVM/2k19/amd64/netkvm.sys, NetKVM/2k16/amd64/netkvm.sys') },
    });
  });

  it('refuses a Windows virtio-win has no folder for', () => {
    expect(driverFolders(iso(['w10']), windows('Windows XP', 2600, 'Client'))).toMatchObject({ failure: { code: 'unsupported-windows' } });
    expect(driverFolders(iso(['w10']), { ...windows('Windows 10 Pro', 19045, 'Client'), architecture: 'IA64' })).toMatchObject({ failure: { code: 'unsupported-windows' } });
  });
});

describe('the registry edits', () => {
  const vioscsi = VIRTIO_DRIVERS.find((spec) => spec.driver === 'vioscsi')!;
  const netkvm = VIRTIO_DRIVERS.find((spec) => spec.driver === 'netkvm')!;

  it('writes a storage service that starts at boot, parents before children, as hivexregedit reads it', () => {
    expect(renderReg('HKEY_LOCAL_MACHINE\\SYSTEM', serviceEdits('ControlSet001', vioscsi)).split('\r\n')).toEqual([
      'Windows Registry Editor Version 5.00',
      '',
      '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\vioscsi]',
      '"Type"=dword:00000001',
      '"Start"=dword:00000000',
      '"ErrorControl"=dword:00000001',
      '"Group"="SCSI miniport"',
      // system32\drivers\vioscsi.sys as REG_EXPAND_SZ: UTF-16LE with its terminating NUL.
      `"ImagePath"=hex(2):${[...Buffer.from('system32\\drivers\\vioscsi.sys\0', 'utf16le')].map((byte) => byte.toString(16).padStart(2, '0')).join(',')}`,
      '',
      '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\vioscsi\\Parameters]',
      '',
      '[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\vioscsi\\Parameters\\PnpInterface]',
      '"5"=dword:00000001',
      '',
    ]);
  });

  it('lets the network driver start on demand, with no storport parameters', () => {
    const edits = serviceEdits('ControlSet002', netkvm);
    expect(edits.map((edit) => edit.key)).toEqual(['ControlSet002\\Services\\netkvm']);
    expect(edits[0]!.values.Start).toEqual({ type: 'dword', value: 3 });
    expect(edits[0]!.values.Group).toEqual({ type: 'sz', value: 'NDIS' });
  });

  it('names both virtio-scsi PCI ids in the CriticalDeviceDatabase, and nothing for the network driver', () => {
    expect(criticalDeviceEdits('ControlSet001', vioscsi).map((edit) => edit.key)).toEqual([
      'ControlSet001\\Control\\CriticalDeviceDatabase',
      'ControlSet001\\Control\\CriticalDeviceDatabase\\pci#ven_1af4&dev_1004',
      'ControlSet001\\Control\\CriticalDeviceDatabase\\pci#ven_1af4&dev_1048',
    ]);
    expect(criticalDeviceEdits('ControlSet001', netkvm)).toEqual([]);
  });

  it('escapes quotes and backslashes in strings', () => {
    expect(renderReg('P', [{ key: 'K', values: { 'a"b': { type: 'sz', value: 'c:\\x "y"' } } }])).toContain('"a\\"b"="c:\\\\x \\"y\\""');
  });

  it('adds the staging folder to DevicePath once', () => {
    expect(devicePathWith('%SystemRoot%\\inf')).toBe('%SystemRoot%\\inf;%SystemRoot%\\Drivers\\VirtIO');
    expect(devicePathWith(null)).toBe('%SystemRoot%\\inf;%SystemRoot%\\Drivers\\VirtIO');
    expect(devicePathWith('%SystemRoot%\\inf;%systemroot%\\drivers\\virtio')).toBeNull();
  });
});

describe('the values hivexget prints', () => {
  const printed = ['"Start"=dword:00000000', '"Group"="SCSI \\"x\\" miniport"', '"ImagePath"=str(2):"system32\\\\drivers\\\\vioscsi.sys"', '"Blob"=hex(3):01,02', '@="default"'].join('\n');

  it('are read back with their types', () => {
    expect([...parseValues(printed)]).toEqual([
      ['Start', { type: 'dword', value: 0 }],
      ['Group', { type: 'sz', value: 'SCSI "x" miniport' }],
      ['ImagePath', { type: 'expand_sz', value: 'system32\\drivers\\vioscsi.sys' }],
      ['Blob', { type: 'other', value: 'hex(3):01,02' }],
    ]);
  });

  it('leave only the values that differ or are missing to write', () => {
    const wanted: Record<string, RegistryValue> = {
      Start: { type: 'dword', value: 0 },
      Type: { type: 'dword', value: 1 },
      ImagePath: { type: 'expand_sz', value: 'system32\\drivers\\vioscsi.sys' },
      Group: { type: 'sz', value: 'SCSI miniport' },
    };
    expect(Object.keys(missingValues(parseValues(printed), wanted))).toEqual(['Type', 'Group']);
    expect(Object.keys(missingValues(null, wanted))).toEqual(['Start', 'Type', 'ImagePath', 'Group']);
  });
});
