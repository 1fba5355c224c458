// Seeded random instances in migration-manager's instance JSON for the differential fuzzer: the
// shapes real inventories have, plus the edges where two implementations can differ — empty
// values, Unicode that changes length when upper-cased, tags with commas and empty items,
// capacities whose products overflow int64, times with offsets and fractions, overrides.

import type { InstanceDocument } from '../../../src/model/instance.js';
import { Random } from './random.js';

const NAMES = ['web-01', 'db', 'ubuntu2404', 'a', 'ß-straße', 'ǅemal', 'İstanbul', 'ΣΟΦΟΣ', 'ﬃ-office', 'x'.repeat(40), 'sql-old', ''];
const LOCATIONS = [
  '/DC1/vm/foo/web-01', '/a/b/c', '/path/to/bar', '/', '/DC2/vm/Incus migrations/x/', 'relative/../x', '/a/e/f', '/DC1/vm/Win2016/app',
  '/DC1/vm/CentOS/legacy', '//double//slash', '/DC1/vm/ubuntu', '/e/f/g', '/é/ü/ß',
];
const OSES = ['Ubuntu 22.04', 'Ubuntu 24.04', 'Windows Server 2019', 'CentOS 7', '', 'Debian GNU/Linux 12 (bookworm)'];
const ARCHITECTURES = ['x86_64', 'aarch64', ''];
const SOURCES = ['vcenter01', 'vcenter02', 'esxi01', ''];
const OS_TYPES = ['linux', 'windows', 'bsd', 'fortigate', ''];
const DISTRIBUTIONS = ['ubuntu', 'debian', 'rhel', 'centos', 'other', ''];
const TAG_VALUES = ['tag1', 'tag1,tag2', 'mytag', 'mytag,,x', '', 'prod,eu-west', 'team-web', 'a,b,c', 'MyTag', ',', 'x,mytag'];
const CONFIG_KEYS = ['tag.mycategory', 'tag.category_1', 'tag.env', 'tag.', 'vmware.resource_pool', 'tags.mycategory', 'constructor', 'a b'];
const POOLS = ['mypool', 'Windows', 'prod', ''];
const TIMES = [
  '2025-06-02T08:15:00Z', '2024-02-29T23:59:59.999999999Z', '2025-01-01T00:00:00+02:00', '2023-12-31T22:30:00-05:30', '',
  '2025-03-09T02:30:00.5Z', '1999-12-31T23:59:59Z', '2026-07-04T12:00:00+14:00',
];
const DISK_NAMES = ['[ds] mydisk.vmdk', '[ds-ssd-01] web/web.vmdk', '[rdm] x_1.vmdk', '', '[ds] MyDisk_2.vmdk'];
const IPV4 = ['10.0.0.1', '192.168.1.20', '', '10.1.2.3'];
const GiB = 1024 ** 3;

export function generateInstances(seed: number, count: number): InstanceDocument[] {
  const random = new Random(seed);
  const instances: InstanceDocument[] = [];
  for (let i = 0; i < count; i++) instances.push(generateInstance(random, i));
  return instances;
}

function generateInstance(random: Random, index: number): InstanceDocument {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const config: Record<string, string> = {};
  for (let k = random.int(0, 4); k > 0; k--) {
    const key = random.pick(CONFIG_KEYS);
    config[key] = key === 'vmware.resource_pool' ? random.pick(POOLS) : random.pick(TAG_VALUES);
  }
  const memory = random.pick([0, 512 * 1024 * 1024, 4 * GiB, 8 * GiB, 32 * GiB, 2 ** 50, 2 ** 52 + 1, 3 * 2 ** 40]);
  const document: InstanceDocument = {
    uuid: `4210${hex(index, 4)}-6a1b-4c2d-8e3f-${hex(random.int(0, 0xffffff), 12)}`,
    source_specific_id: `vm-${1000 + index}`,
    location: random.pick(LOCATIONS),
    name: random.pick(NAMES) || `vm-${index}`,
    description: random.pick(['', 'Windows Server 2025', 'db server', 'ÉTÉ']),
    os: random.pick(OSES),
    os_description: random.pick(['', 'Ubuntu Linux (64-bit)', '24.04']),
    os_template: random.pick(['', 'ubuntu64Guest']),
    architecture: random.pick(ARCHITECTURES),
    cpus: random.pick([0, 1, 2, 4, 8, 16, 64, 3]),
    memory,
    config,
    secure_boot: random.chance(0.5),
    legacy_boot: random.chance(0.2),
    tpm: random.chance(0.4),
    running: random.chance(0.6),
    background_import: random.chance(0.7),
    nics: Array.from({ length: random.int(0, 3) }, (_, n) => ({
      uuid: random.chance(0.8) ? `5a3c1d2e-0000-4000-8000-${hex(index * 10 + n, 12)}` : '',
      source_specific_id: `network-${n}`,
      hardware_address: `00:50:56:aa:${hex(index % 256, 2)}:${hex(n, 2)}`,
      location: random.pick(['/DC1/network/VM Network', '']),
      ipv4_address: random.pick(IPV4),
      ipv6_address: random.pick(['', 'fd00::11']),
    })),
    disks: Array.from({ length: random.int(0, 4) }, () => ({
      capacity: random.pick([0, 10 * GiB, 40 * GiB, 100 * GiB, 2 ** 44, 2 ** 52, 1]),
      name: random.pick(DISK_NAMES),
      shared: random.chance(0.2),
      supported: random.chance(0.8),
      background_import_verified: random.chance(0.5),
    })),
    snapshots: Array.from({ length: random.int(0, 2) }, (_, n) => ({ name: random.pick(['s1', '', `before-patch-${n}`]) })),
    source: random.pick(SOURCES),
    source_type: random.pick(['vmware', '']),
    os_type: random.pick(OS_TYPES),
    distribution: random.pick(DISTRIBUTIONS),
    distribution_version: random.pick(['22.04', '12', '', '7']),
    last_update_from_source: random.pick(TIMES),
  };
  if (random.chance(0.25)) {
    document.overrides = {
      name: random.pick(['renamed', '', 'sql-new']),
      cpus: random.pick([0, 8, 2]),
      memory: random.pick([0, 16 * GiB]),
      architecture: random.pick(['', 'aarch64']),
      config: random.chance(0.5) ? { 'vmware.resource_pool': 'mypool', 'tag.env': 'override' } : {},
    };
  }
  return document;
}
