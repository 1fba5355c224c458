// What a VM runs, from what vSphere knows: VMware Tools' detailed guest data (the
// `guestInfo.detailed.data` extraConfig entry: prettyName, distroName, distroVersion,
// architecture, bitness), the running guest's family and full name, and the configured guestId.
// Tools' data wins; the guestId is the configured intent and may be stale or generic.

export interface GuestFacts {
  /** `config.guestId`, e.g. `ubuntu64Guest`, `windows2019srv_64Guest`, `otherGuest`. */
  guestId: string;
  /** `config.guestFullName` (the name of the configured guestId). */
  configFullName: string;
  /** `guest.guestId`, `guest.guestFullName`, `guest.guestFamily` (set while Tools run). */
  runningGuestId: string;
  runningFullName: string;
  family: string;
  /** The raw `guestInfo.detailed.data` value, or ''. */
  detailed: string;
}

export interface GuestOs {
  os: string;
  os_description: string;
  os_type: string;
  distribution: string;
  distribution_version: string;
  architecture: string;
}

/** Parses Tools' `key='value' key='value'` detailed data. */
export function parseDetailedData(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z]+)='((?:[^'\\]|\\.)*)'/g)) out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return out;
}

/** Distribution names as migration-manager spells them, by a word found in the guest's names. */
const DISTRIBUTIONS: readonly [RegExp, string][] = [
  [/ubuntu/i, 'ubuntu'],
  [/debian/i, 'debian'],
  [/alma/i, 'alma'],
  [/rocky/i, 'rocky'],
  [/centos/i, 'centos'],
  [/oracle/i, 'oracle'],
  [/red ?hat|rhel/i, 'rhel'],
  [/suse|sles/i, 'suse'],
  [/amazon/i, 'amazon'],
  [/fedora/i, 'fedora'],
  [/freebsd/i, 'freebsd'],
  [/\barch/i, 'arch'],
];

const LINUX_GUEST_ID = /linux|ubuntu|debian|rhel|centos|oracle|sles|suse|alma|rocky|amazon|fedora|coreos|photon|asianux|mandr|turbo|vmwarePhoton|crxPod|genericLinux/i;

function osType(facts: GuestFacts, detail: Record<string, string>): string {
  const family = (detail.familyName ?? '').toLowerCase();
  if (family === 'windows' || facts.family === 'windowsGuest') return 'windows';
  if (family === 'linux' || facts.family === 'linuxGuest') return 'linux';
  const id = facts.runningGuestId || facts.guestId;
  if (/^win/i.test(id)) return 'windows';
  if (/freebsd|netbsd|openbsd|darwin/i.test(id) || /bsd/i.test(family)) return 'bsd';
  if (LINUX_GUEST_ID.test(id)) return 'linux';
  return '';
}

function architecture(facts: GuestFacts, detail: Record<string, string>): string {
  const arch = (detail.architecture ?? '').toLowerCase();
  const bits = detail.bitness ?? '';
  if (arch === 'x86') return bits === '32' ? 'i686' : 'x86_64';
  if (arch === 'arm') return bits === '32' ? 'armv8l' : 'aarch64';
  const id = facts.runningGuestId || facts.guestId;
  if (/arm/i.test(id)) return 'aarch64';
  // As migration-manager: without Tools' data, an x86-64 guest is the safe assumption on ESXi.
  return 'x86_64';
}

/** The version in a guestId (`rhel9_64Guest` → 9, `debian12_64Guest` → 12, `ubuntu64Guest` → ''). */
function versionFromGuestId(id: string): string {
  const m = /^[a-zA-Z]+?(\d+)(?:_64)?Guest$/.exec(id);
  if (!m || m[1] === '64') return '';
  return m[1]!;
}

export function guestOs(facts: GuestFacts): GuestOs {
  const detail = parseDetailedData(facts.detailed);
  const description = facts.runningFullName || facts.configFullName || facts.guestId;
  const os = detail.prettyName || description;
  const type = osType(facts, detail);
  let distribution = '';
  let version = detail.distroVersion ?? '';
  if (type === 'linux' || type === 'bsd') {
    const names = [detail.distroName ?? '', detail.prettyName ?? '', facts.runningGuestId, facts.guestId, facts.runningFullName, facts.configFullName];
    distribution = 'other';
    for (const name of names) {
      const found = DISTRIBUTIONS.find(([pattern]) => pattern.test(name));
      if (found) {
        distribution = found[1];
        break;
      }
    }
    if (version === '' && distribution !== 'other') version = versionFromGuestId(facts.runningGuestId || facts.guestId);
  }
  return { os, os_description: description, os_type: type, distribution, distribution_version: version, architecture: architecture(facts, detail) };
}
