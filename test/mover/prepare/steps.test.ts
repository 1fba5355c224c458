// The steps that only write files, on a directory standing for the mounted guest (the peer suite
// test/peers/qemu/guest-prepare.test.ts runs them on real guests and boots them).

import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { installIncusAgent } from '../../../src/mover/prepare/incus-agent.js';
import { pinNetworkNames } from '../../../src/mover/prepare/network-names.js';
import { disableVmwareTools } from '../../../src/mover/prepare/vmware-tools.js';

let root = '';
function guestFile(path: string, content = '') {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ferry-guest-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('disabling VMware Tools', () => {
  test("masks open-vm-tools' units, and a second run changes nothing", () => {
    guestFile('/lib/systemd/system/open-vm-tools.service');
    guestFile('/lib/systemd/system/vgauth.service');
    expect(disableVmwareTools(root)).toEqual({ step: 'vmware-tools', changed: true, details: ['masked open-vm-tools.service', 'masked vgauth.service'] });
    expect(readlinkSync(join(root, 'etc/systemd/system/open-vm-tools.service'))).toBe('/dev/null');
    expect(disableVmwareTools(root)).toEqual({ step: 'vmware-tools', changed: false, details: ['VMware Tools were already masked'] });
  });

  test("keeps a unit VMware's installer wrote into /etc beside the mask", () => {
    guestFile('/etc/systemd/system/vmware-tools.service', '[Service]\n');
    disableVmwareTools(root);
    expect(readlinkSync(join(root, 'etc/systemd/system/vmware-tools.service'))).toBe('/dev/null');
    expect(readFileSync(join(root, 'etc/systemd/system/vmware-tools.service.ferry-disabled'), 'utf8')).toBe('[Service]\n');
  });

  test('says so when there are no VMware Tools', () => {
    expect(disableVmwareTools(root)).toEqual({ step: 'vmware-tools', changed: false, details: ['no VMware Tools installed'] });
  });
});

describe("installing the Incus agent's start-up", () => {
  test('writes the unit, its set-up and the udev rule once', () => {
    expect(installIncusAgent(root).changed).toBe(true);
    expect(readFileSync(join(root, 'etc/systemd/system/incus-agent.service'), 'utf8')).toContain('ExecStart=/run/incus_agent/incus-agent');
    expect(lstatSync(join(root, 'usr/local/sbin/ferry-incus-agent-setup')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(root, 'etc/udev/rules.d/99-ferry-incus-agent.rules'), 'utf8')).toContain('virtio-ports/org.linuxcontainers.incus');
    expect(installIncusAgent(root)).toEqual({ step: 'incus-agent', changed: false, details: ['the Incus agent start-up was already installed'] });
  });

  test("leaves a guest's packaged agent alone", () => {
    guestFile('/usr/lib/systemd/system/incus-agent.service');
    expect(installIncusAgent(root)).toEqual({ step: 'incus-agent', changed: false, details: ['the guest has its own incus-agent unit (/usr/lib/systemd/system/incus-agent.service)'] });
  });
});

describe('writing into the guest', () => {
  test("refuses a directory whose absolute symlink leads out of the guest, and writes nothing there", () => {
    const outside = mkdtempSync(join(tmpdir(), 'ferry-outside-'));
    try {
      mkdirSync(join(root, 'etc'));
      symlinkSync(outside, join(root, 'etc/udev'));
      expect(() => installIncusAgent(root)).toThrow(/the guest's \/etc\/udev\/rules\.d is a symlink leading out of the guest's filesystem/);
      expect(existsSync(join(outside, 'rules.d'))).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('pinning the network names to the MACs', () => {
  test('writes a .link file per named NIC where udev is systemd-udevd', () => {
    guestFile('/usr/lib/systemd/systemd-udevd');
    const step = pinNetworkNames(root, [{ mac: '00:50:56:AA:BB:CC', name: 'ens192' }, { mac: '00:50:56:aa:bb:cd' }]);
    expect(step.changed).toBe(true);
    expect(step.details).toEqual([
      'NIC 00:50:56:aa:bb:cd: its name on the source is not known, left to the kernel\'s naming',
      'pinned ens192 to 00:50:56:aa:bb:cc (/etc/systemd/network/10-ferry-ens192.link)',
    ]);
    expect(readFileSync(join(root, 'etc/systemd/network/10-ferry-ens192.link'), 'utf8')).toContain('MACAddress=00:50:56:aa:bb:cc\n\n[Link]\nName=ens192\n');
    expect(pinNetworkNames(root, [{ mac: '00:50:56:aa:bb:cc', name: 'ens192' }]).changed).toBe(false);
  });

  test('writes udev rules without systemd-udevd', () => {
    pinNetworkNames(root, [{ mac: '00:50:56:aa:bb:cc', name: 'eth0' }]);
    expect(readFileSync(join(root, 'etc/udev/rules.d/70-ferry-net-names.rules'), 'utf8')).toContain('ATTR{address}=="00:50:56:aa:bb:cc", NAME="eth0"');
  });

  test('refuses a name that is not an interface name', () => {
    guestFile('/lib/systemd/systemd-udevd');
    const step = pinNetworkNames(root, [{ mac: '00:50:56:aa:bb:cc', name: '../../etc/passwd' }]);
    expect(step.changed).toBe(false);
    expect(step.details[0]).toMatch(/not a MAC and interface name Ferry can pin/);
  });
});
