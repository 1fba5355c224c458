// Placement scriptlet throughput: a realistic scriptlet (loops over disks and NICs, string
// operations, dict lookups, conditionals) placed over 50,000 generated instances through
// runPlacement, plus the start-up cost of a scriptlet (compile + first call). If the
// reference CLI from the Starlark peer suite is built, the same Starlark program also runs
// under starlark-go, and the ratio Ferry/Go is printed (below 1 means Ferry is faster).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeInstance, type InstanceRecord } from '../src/model/instance.js';
import { compilePlacementScriptlet, defaultPlacement, runPlacement } from '../src/placement/index.js';
import { compileModule, execModule, hostFunction, JSON_MODULE, STRUCT_BUILTIN } from '../src/starlark/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const CLI = join(root, 'test', 'peers', '.cache', 'starlark');
const COUNT = 50_000;

const SCRIPTLET = `
POOLS = {"gold": "pool-ssd", "silver": "pool-sas", "bronze": "pool-sata"}
SITES = {"DC1": "incus-east", "DC2": "incus-west"}

def placement(instance, batch):
    site = instance.location.split("/")[1]
    target = SITES.get(site)
    if target:
        set_target(target)
    tier = instance.config.get("tag.tier", "bronze")
    if instance.os_type == "windows":
        set_project("windows")
    elif instance.config.get("tag.env") == "prod":
        set_project("production")
    for disk in instance.disks:
        if not disk.supported:
            continue
        pool = POOLS.get(tier, batch.defaults.placement.storage_pool)
        if disk.capacity >= 100 * 1024 * 1024 * 1024:
            pool = pool + "-large"
        set_pool(disk.name, pool)
    for nic in instance.nics:
        name = nic.location.split("/")[-1].lower().replace(" ", "-")
        if name.startswith("vlan"):
            set_network(nic.hardware_address, "uplink", "bridged", name[4:])
        else:
            set_network(nic.hardware_address, name, "", "")
    if instance.cpus > 16:
        log_warn("large instance ", instance.name, ": ", instance.cpus, " vCPUs")
`;

// The same instances, built in Starlark for the reference CLI, with the placement built-ins
// written in Starlark (the CLI has no host functions for them).
const STARLARK_PROGRAM = `
TIERS = ["gold", "silver", "bronze"]
OS_TYPES = ["linux", "windows", "linux", "bsd"]

def hexbyte(n):
    return "0123456789abcdef"[n // 16] + "0123456789abcdef"[n % 16]

def make_instance(i):
    return struct(
        name = "vm-%d" % i,
        location = "/DC%d/vm/app%d/vm-%d" % (1 + i % 3, i % 50, i),
        os_type = OS_TYPES[i % 4],
        cpus = 1 + i % 24,
        config = {"tag.tier": TIERS[i % 3], "tag.env": "prod" if i % 5 == 0 else "dev"},
        disks = [struct(name = "[ds%d] vm-%d/disk%d.vmdk" % (i % 7, i, d), capacity = (1 + (i + d) % 4) * 40 * 1024 * 1024 * 1024, supported = (i + d) % 11 != 0) for d in range(1 + i % 3)],
        nics = [struct(hardware_address = "00:50:56:%s:%s:%s" % (hexbyte(i // 65536 % 256), hexbyte(i // 256 % 256), hexbyte((i + n) % 256)), location = "/DC1/network/%s" % ("VLAN%d" % (100 + n) if (i + n) % 4 == 0 else "VM Network %d" % n)) for n in range(1 + i % 2)],
    )

placed = {}

def set_target(target_name):
    if not target_name:
        fail("Target name is empty")
    placed["target"] = target_name

def set_project(project_name):
    if not project_name:
        fail("Target project name is empty")
    placed["project"] = project_name

def set_pool(disk_name, pool_name):
    if not pool_name:
        fail("Target storage pool name is empty")
    placed["pools"][disk_name] = pool_name

def set_network(nic_hwaddr, network_name, nic_type, vlan_id):
    if not network_name:
        fail("Target network name is empty")
    placed["networks"][nic_hwaddr] = (network_name, nic_type or "managed", vlan_id)

def log_warn(*args):
    placed["logs"].append("".join([a if type(a) == "string" else str(a) for a in args]))

${SCRIPTLET}

def run(n):
    instances = [make_instance(i) for i in range(n)]
    batch = struct(name = "wave-1", defaults = struct(placement = struct(target = "incus", target_project = "default", storage_pool = "default")))
    start = clock_ns()
    for instance in instances:
        placed["pools"] = {}
        placed["networks"] = {}
        placed["logs"] = []
        placement(instance, batch)
    elapsed = clock_ns() - start
    print("ns_per_instance", elapsed // n)

run(${COUNT})
`;

/** The instances of STARLARK_PROGRAM's make_instance, as Ferry's instance records. */
function makeInstances(n: number): InstanceRecord[] {
  const tiers = ['gold', 'silver', 'bronze'];
  const osTypes = ['linux', 'windows', 'linux', 'bsd'];
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  const out: InstanceRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      normalizeInstance({
        uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        name: `vm-${i}`,
        location: `/DC${1 + (i % 3)}/vm/app${i % 50}/vm-${i}`,
        os_type: osTypes[i % 4],
        cpus: 1 + (i % 24),
        running: i % 2 === 0,
        config: { 'tag.tier': tiers[i % 3], 'tag.env': i % 5 === 0 ? 'prod' : 'dev' },
        disks: Array.from({ length: 1 + (i % 3) }, (_, d) => ({
          name: `[ds${i % 7}] vm-${i}/disk${d}.vmdk`,
          capacity: (1 + ((i + d) % 4)) * 40 * 1024 ** 3,
          supported: (i + d) % 11 !== 0,
        })),
        nics: Array.from({ length: 1 + (i % 2) }, (_, k) => ({
          hardware_address: `00:50:56:${hex(Math.floor(i / 65536) % 256)}:${hex(Math.floor(i / 256) % 256)}:${hex((i + k) % 256)}`,
          location: `/DC1/network/${(i + k) % 4 === 0 ? `VLAN${100 + k}` : `VM Network ${k}`}`,
        })),
      }),
    );
  }
  return out;
}

const BATCH = { name: 'wave-1', defaults: { placement: { target: 'incus', target_project: 'default', storage_pool: 'default' } } };

function placeAll(instances: InstanceRecord[]): number {
  const compiled = compilePlacementScriptlet(SCRIPTLET, 'bench.star');
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const start = process.hrtime.bigint();
  for (const instance of instances) {
    const result = runPlacement(compiled.scriptlet, instance, BATCH, defaultPlacement(instance, BATCH.defaults));
    if (!result.ok) throw new Error(result.error.message);
  }
  return Number(process.hrtime.bigint() - start) / instances.length;
}

function startup(instance: InstanceRecord): number {
  const start = process.hrtime.bigint();
  const compiled = compilePlacementScriptlet(`${SCRIPTLET}\n# fresh ${Math.random()}`, 'startup.star');
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const result = runPlacement(compiled.scriptlet, instance, { ...BATCH }, defaultPlacement(instance, BATCH.defaults));
  if (!result.ok) throw new Error(result.error.message);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs STARLARK_PROGRAM under Ferry; returns its own ns/instance figure. */
function ferrySameProgram(): number {
  const origin = process.hrtime.bigint();
  const clock = hostFunction('clock_ns', () => Number(process.hrtime.bigint() - origin));
  const compiled = compileModule(STARLARK_PROGRAM, 'bench-program.star', { predeclared: ['json', 'struct', 'clock_ns'] });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  let output = '';
  const result = execModule(compiled.module, {
    predeclared: { json: JSON_MODULE, struct: STRUCT_BUILTIN, clock_ns: clock },
    print: (line) => (output += line),
  });
  if (!result.ok) throw new Error(result.error.backtrace);
  return Number(/ns_per_instance (\d+)/.exec(output)?.[1]);
}

function goSameProgram(): number | undefined {
  if (!existsSync(CLI)) return undefined;
  const dir = join(root, '.bench-tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'starlark-bench-program.star');
  writeFileSync(file, STARLARK_PROGRAM);
  const result = spawnSync(CLI, ['-clock', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`reference CLI failed: ${result.stderr}`);
  return Number(/ns_per_instance (\d+)/.exec(result.stdout)?.[1]);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export default function starlarkBench(): void {
  const instances = makeInstances(COUNT);
  const startupMs = startup(instances[0]);
  placeAll(instances.slice(0, 5_000));
  const perInstance = median([placeAll(instances), placeAll(instances), placeAll(instances)]);
  console.log(`start-up (compile + first call): ${startupMs.toFixed(1)} ms (target < 50 ms)`);
  console.log(`defaultPlacement + runPlacement over ${COUNT} instances: ${Math.round(perInstance)} ns/instance`);

  const ferryProgram = median([ferrySameProgram(), ferrySameProgram(), ferrySameProgram()]);
  console.log(`same Starlark program under Ferry: ${ferryProgram} ns/instance`);
  const goProgram = goSameProgram();
  if (goProgram === undefined) {
    console.log('Go comparison skipped: the reference CLI is not built (run `FERRY_PEERS=starlark npm run test:peers` to install it).');
    return;
  }
  console.log(`same Starlark program under starlark-go: ${goProgram} ns/instance`);
  console.log(`ratio Ferry/Go, same program: ${(ferryProgram / goProgram).toFixed(2)}`);
  console.log(`ratio Ferry runPlacement/Go program: ${(perInstance / goProgram).toFixed(2)}`);
}
