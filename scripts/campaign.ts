// Generated migration campaigns on the simulator: a repository (Project, sim Source with an
// inventory file, sim Target, Simulation, batches with windows, constraints and a placement
// scriptlet) for the crash and concurrency tests and the reconciler benchmark.
//
//   npx tsx scripts/campaign.ts --instances 1000 --batches 10 --out /tmp/campaign

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { seededRandom } from './random.js';

export interface CampaignOptions {
  instances: number;
  batches: number;
  /** Constraints per batch (the benchmark uses 4 × 500 = 2,000). */
  constraintsPerBatch?: number;
  /** A placement scriptlet shared by every batch. */
  scriptlets?: boolean;
  /** Every batch starts running (otherwise every third). */
  allRunning?: boolean;
  /** Share of source VMs that are powered off (offline copies). */
  offlineShare?: number;
  /** The simulated clock's start; windows begin an hour later. */
  start?: string;
  /** Per-window capacity (0 = unlimited). */
  capacity?: number;
  /** Extra documents appended to simulation.yaml's spec (raw YAML, indented two spaces). */
  simulationExtra?: string;
  /** The simulated target's import rate (a rate such as `50MiB/s`); default: the simulator's. */
  importRate?: string;
  /** Length of each batch's first window in minutes (default 240). */
  firstWindowMinutes?: number;
  /** Disk capacities in bytes of particular VMs, by index, in place of the generated disks (one disk per capacity). */
  diskCapacities?: Record<number, number[]>;
  /** When each batch's second window (6 hours long) starts, in minutes after its first one starts (default 1440: the next night). */
  secondWindowAfterMinutes?: number;
  /** Minutes between the first windows of consecutive batches, in 24 steps (default 10: the windows open over four hours). */
  windowStaggerMinutes?: number;
  /** Status branch kept in the repository only. */
  localStatus?: boolean;
  seed?: number;
}

const GiB = 1024 ** 3;

function uuidFor(n: number, salt: number): string {
  const hex = (v: number, len: number) => (v >>> 0).toString(16).padStart(len, '0').slice(-len);
  const a = Math.imul(n + 1, 2654435761) ^ salt;
  const b = Math.imul(n + 7, 2246822519);
  const c = Math.imul(n + 13, 3266489917);
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(b >>> 16, 3)}-8${hex(c, 3)}-${hex(c >>> 12, 4)}${hex(n, 8)}`;
}

export function batchGroup(index: number, batches: number): number {
  return index % batches;
}

/** The repository's files, path → text. */
export function campaignFiles(options: CampaignOptions): Record<string, string> {
  const rand = seededRandom(options.seed ?? 42);
  const batches = Math.max(1, options.batches);
  const constraints = options.constraintsPerBatch ?? 2;
  const start = new Date(options.start ?? '2027-03-01T20:00:00Z').getTime();
  const offline = options.offlineShare ?? 0.2;
  const files: Record<string, string> = {};

  const vms: unknown[] = [];
  for (let i = 0; i < options.instances; i++) {
    const group = batchGroup(i, batches);
    const name = `vm-${String(i).padStart(6, '0')}`;
    const windows = rand() < 0.1;
    const disks = 1 + Math.floor(rand() * 2);
    vms.push({
      uuid: uuidFor(i, options.seed ?? 42),
      source_specific_id: `vm-${1000 + i}`,
      location: `/DC/vm/g${String(group).padStart(3, '0')}/${name}`,
      name,
      os: windows ? 'Microsoft Windows Server 2022 (64-bit)' : 'Ubuntu Linux (64-bit)',
      os_description: windows ? 'Microsoft Windows Server 2022 (64-bit)' : 'Ubuntu 22.04 LTS',
      architecture: 'x86_64',
      cpus: 1 + Math.floor(rand() * 8),
      memory: (2 + Math.floor(rand() * 30)) * GiB,
      config: { 'vmware.resource_pool': rand() < 0.5 ? 'prod' : 'test', ...(rand() < 0.2 ? { 'tag.tier': 'gold' } : {}) },
      running: rand() >= offline,
      background_import: true,
      nics: [{ hardware_address: `00:50:56:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}`, location: '/DC/network/VM Network', ipv4_address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }],
      disks: diskList(name, group, Array.from({ length: disks }, (_, d) => (d === 0 ? 8 + Math.floor(rand() * 32) : 50 + Math.floor(rand() * 150)) * GiB / 16), options.diskCapacities?.[i]),
      source: 'dc',
      source_type: 'vmware',
      os_type: windows ? 'windows' : 'linux',
      distribution: windows ? 'other' : 'ubuntu',
      distribution_version: windows ? '' : '22.04',
    });
  }
  files['inventory/dc.json'] = JSON.stringify(vms, null, 1) + '\n';

  files['ferry.yaml'] = `apiVersion: ferry.dev/v1alpha1
kind: Project
metadata: {name: generated}
spec:
  status: {branch: ferry/status${options.localStatus === false ? '' : ', local: true'}}
  reconcile: {interval: 1m, sync_interval: 10m}
`;
  files['sources/dc.yaml'] = `apiVersion: ferry.dev/v1alpha1
kind: Source
metadata: {name: dc}
spec: {type: sim, inventory_file: ../inventory/dc.json, import_limit: 0}
`;
  files['targets/incus.yaml'] = `apiVersion: ferry.dev/v1alpha1
kind: Target
metadata: {name: incus}
spec: {type: sim, import_limit: 0, create_limit: 0}
`;
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  files['simulation.yaml'] = simulationDocument(iso(start), options.simulationExtra ?? '', options.importRate);
  if (options.scriptlets !== false) {
    files['batches/placement.star'] = `# Big disks to the capacity pool; gold-tier VMs to their own project.
BIG = 5 * 1024 * 1024 * 1024

def placement(instance, batch):
    for disk in instance.disks:
        if disk.supported and disk.capacity >= BIG:
            set_pool(disk.name, "hdd")
    if instance.config.get("tag.tier", "") == "gold":
        set_project("gold")
`;
  }
  for (let b = 0; b < batches; b++) {
    const name = `b-${String(b).padStart(3, '0')}`;
    const w1 = start + 3_600_000 + (b % 24) * (options.windowStaggerMinutes ?? 10) * 60_000;
    const firstEnd = w1 + (options.firstWindowMinutes ?? 240) * 60_000;
    const w2 = w1 + (options.secondWindowAfterMinutes ?? 24 * 60) * 60_000;
    const lines = [
      'apiVersion: ferry.dev/v1alpha1',
      'kind: Batch',
      `metadata: {name: ${name}}`,
      'spec:',
      `  state: ${options.allRunning === false && b % 3 !== 0 ? 'defined' : 'running'}`,
      `  include_expression: location matches '^/DC/vm/g${String(b).padStart(3, '0')}/'`,
      '  migration_windows:',
      `    - {name: first, start: ${iso(w1)}, end: ${iso(firstEnd)}${options.capacity ? `, config: {capacity: ${options.capacity}}` : ''}}`,
      `    - {name: second, start: ${iso(w2)}, end: ${iso(w2 + 6 * 3_600_000)}}`,
    ];
    if (constraints > 0) {
      lines.push('  constraints:');
      const kinds = [
        `os_type == 'windows'`,
        `memory > ${16 * GiB}`,
        `cpus >= 6`,
        `config['vmware.resource_pool'] == 'prod'`,
      ];
      for (let c = 0; c < constraints; c++) {
        lines.push(`    - {name: c${c}, include_expression: "${kinds[c % kinds.length]}${c >= kinds.length ? ` and cpus > ${c}` : ''}", max_concurrent_instances: ${2 + c}${c === 0 ? ', min_instance_boot_time: 20m' : ''}}`);
      }
    }
    lines.push(
      '  defaults:',
      '    placement: {target: incus, target_project: default, storage_pool: ssd}',
      '  config:',
      `    background_sync_interval: 30m`,
      `    final_background_sync_limit: 10m`,
      `    post_migration_retries: 3`,
    );
    if (options.scriptlets !== false) lines.push('    placement_scriptlet_file: placement.star');
    files[`batches/${name}.yaml`] = lines.join('\n') + '\n';
  }
  return files;
}

/** A VM's disks: the generated capacities (drawn either way, so the other VMs stay the same), or the given ones. */
function diskList(name: string, group: number, generated: number[], given?: number[]) {
  return (given ?? generated).map((capacity, d) => ({
    name: `[ds${group % 4}] ${name}/${name}${d === 0 ? '' : `_${d}`}.vmdk`,
    capacity,
    supported: true,
    background_import_verified: true,
  }));
}

function hex2(n: number): string {
  return (n & 255).toString(16).padStart(2, '0');
}

function simulationDocument(start: string, extra: string, importRate?: string): string {
  return `apiVersion: ferry.dev/v1alpha1
kind: Simulation
metadata: {name: world}
spec:
  start: ${start}
  targets:
    incus:
      projects: [default, gold]
      storage_pools: [ssd, hdd]
      networks: [VM-Network]
${importRate ? `      import_rate: ${importRate}\n` : ''}${extra}`;
}

export function writeCampaignRepo(dir: string, options: CampaignOptions): void {
  for (const [path, text] of Object.entries(campaignFiles(options))) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { instances: { type: 'string' }, batches: { type: 'string' }, out: { type: 'string' } } });
  if (!values.out) throw new Error('--out DIR is required');
  writeCampaignRepo(values.out, { instances: Number(values.instances ?? 100), batches: Number(values.batches ?? 4) });
}
