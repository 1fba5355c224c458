// The guest's distribution family, from its /etc/os-release: it decides which tools prepare it.

import { readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { isAbsolute, join, dirname } from 'node:path';
import { BY_HAND, PrepareError } from './failure.js';
import type { GuestFamily } from './protocol.js';

export interface Distribution {
  family: GuestFamily;
  id: string;
  prettyName: string;
}

const FAMILIES: [GuestFamily, string[]][] = [
  ['debian', ['debian', 'ubuntu']],
  ['rhel', ['rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'ol']],
  ['suse', ['suse', 'opensuse', 'sles', 'sled']],
];

export function parseOsRelease(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) values[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return values;
}

export function familyOf(osRelease: Record<string, string>): GuestFamily | null {
  const ids = [osRelease.ID ?? '', ...(osRelease.ID_LIKE ?? '').split(/\s+/)].map((id) => id.toLowerCase()).filter((id) => id.length > 0);
  for (const id of ids) {
    for (const [family, members] of FAMILIES) {
      if (members.includes(id) || (family === 'suse' && id.startsWith('opensuse'))) return family;
    }
  }
  return null;
}

/** A path inside the guest, following symlinks as the guest would (absolute targets are the guest's). */
export function guestPath(root: string, path: string): string {
  let current = join(root, path);
  for (let hops = 0; hops < 8; hops++) {
    let target: string;
    try {
      if (!lstatSync(current).isSymbolicLink()) return current;
      target = readlinkSync(current);
    } catch {
      return current;
    }
    current = isAbsolute(target) ? join(root, target) : join(dirname(current), target);
  }
  return current;
}

export function detectDistribution(root: string): Distribution {
  let text: string;
  try {
    text = readFileSync(guestPath(root, '/etc/os-release'), 'utf8');
  } catch {
    text = readFileSync(guestPath(root, '/usr/lib/os-release'), 'utf8');
  }
  const osRelease = parseOsRelease(text);
  const prettyName = osRelease.PRETTY_NAME ?? osRelease.NAME ?? osRelease.ID ?? 'an unnamed distribution';
  const family = familyOf(osRelease);
  if (family === null) {
    throw new PrepareError(
      'unsupported-distribution',
      `the guest is ${prettyName} (ID=${osRelease.ID ?? '?'}), which Ferry does not prepare (it prepares Debian/Ubuntu, RHEL-like and SUSE guests); ${BY_HAND}`,
    );
  }
  return { family, id: osRelease.ID ?? family, prettyName };
}
