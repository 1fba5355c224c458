import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { detectDistribution, familyOf, parseOsRelease } from '../../../src/mover/prepare/distribution.js';
import { PrepareError } from '../../../src/mover/prepare/failure.js';

describe('the distribution family of a guest', () => {
  test.each([
    ['ID=debian', 'debian'],
    ['ID=ubuntu\nID_LIKE=debian', 'debian'],
    ['ID=linuxmint\nID_LIKE="ubuntu debian"', 'debian'],
    ['ID="rhel"\nID_LIKE="fedora"', 'rhel'],
    ['ID="rocky"\nID_LIKE="rhel centos fedora"', 'rhel'],
    ['ID=fedora', 'rhel'],
    ['ID="sles"', 'suse'],
    ['ID="opensuse-leap"\nID_LIKE="suse opensuse"', 'suse'],
    ['ID=opensuse-tumbleweed', 'suse'],
    ['ID=alpine', null],
    ['ID=arch', null],
  ])('%j is %s', (text, family) => {
    expect(familyOf(parseOsRelease(text))).toBe(family);
  });
});

describe('detecting the distribution of a mounted guest', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test("follows /etc/os-release's absolute symlink inside the guest, not on the mover", () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-distribution-'));
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'usr/lib'), { recursive: true });
    writeFileSync(join(root, 'usr/lib/os-release'), 'PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\n');
    symlinkSync('/usr/lib/os-release', join(root, 'etc/os-release'));
    expect(detectDistribution(root)).toEqual({ family: 'rhel', id: 'rocky', prettyName: 'Rocky Linux 9.4 (Blue Onyx)' });
  });

  test('an unknown distribution is unsupported-distribution, naming it', () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-distribution-'));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/os-release'), 'ID=alpine\nPRETTY_NAME="Alpine Linux v3.20"\n');
    let failure: unknown;
    try {
      detectDistribution(root);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(PrepareError);
    expect((failure as PrepareError).code).toBe('unsupported-distribution');
    expect((failure as PrepareError).message).toMatch(/^the guest is Alpine Linux v3\.20 \(ID=alpine\), which Ferry does not prepare/);
  });
});
