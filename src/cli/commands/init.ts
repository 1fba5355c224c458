import { execFile } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SCHEMAS } from '../../model/generated/schemas.js';
import { UsageError, type Command } from '../command.js';
import { printJson } from '../io.js';

const SCHEMA_COMMENT = (depth: number) => `# yaml-language-server: $schema=${'../'.repeat(depth)}.ferry/ferry.schema.json`;

/** The starter repository: one of each kind a campaign needs, valid as written, on the simulator. */
const FILES: Record<string, string> = {
  'ferry.yaml': `${SCHEMA_COMMENT(0)}
apiVersion: ferry.dev/v1alpha1
kind: Project
metadata:
  name: my-campaign
spec:
  status:
    branch: ferry/status
    # The reconciler's status branch stays in this repository. Once the campaign repository is
    # pushed, delete this line so the status branch is pushed to (and shared through) origin.
    local: true
`,
  'sources/source.yaml': `${SCHEMA_COMMENT(1)}
# The simulator stands in for vCenter until you point this at the real one (and delete
# inventory_file, the inventory/ folder and simulation.yaml):
#   spec: {type: vmware, endpoint: https://vcenter.example.com, username: svc-ferry@vsphere.local,
#          password_from: {env: VCENTER_PASSWORD}}
apiVersion: ferry.dev/v1alpha1
kind: Source
metadata:
  name: vcenter
spec:
  type: sim
  inventory_file: ../inventory/vcenter.json   # the simulated vCenter's VMs (migration-manager instance JSON)
`,
  'simulation.yaml': `${SCHEMA_COMMENT(0)}
# The simulated world (Ferry's built-in simulator): where its clock starts and what the simulated
# Incus holds. A campaign against a real vCenter and Incus has no Simulation document.
apiVersion: ferry.dev/v1alpha1
kind: Simulation
metadata:
  name: rehearsal
spec:
  start: 2030-01-01 20:00:00   # two hours before first-batch's window
  targets:
    incus:
      projects: [default]
      storage_pools: [default]
      networks: [VM-Network]   # the VMs' "VM Network"
`,
  'inventory/vcenter.json': `${JSON.stringify([
    simulatedVm('app-01', 'pilot', 1),
    simulatedVm('app-02', 'pilot', 2),
    simulatedVm('db-01', 'prod', 3),
  ], null, 2)}\n`,
  'targets/target.yaml': `${SCHEMA_COMMENT(1)}
# The simulator stands in for Incus until you point this at the real cluster:
#   spec: {type: incus, endpoint: https://incus.example.com:8443,
#          tls_client_cert_from: {file: /etc/ferry/client.crt}, tls_client_key_from: {file: /etc/ferry/client.key}}
apiVersion: ferry.dev/v1alpha1
kind: Target
metadata:
  name: incus
spec:
  type: sim
`,
  'batches/first-batch.yaml': `${SCHEMA_COMMENT(1)}
# A batch selects instances with an expression and moves them in its windows.
# Set state: running to start it.
apiVersion: ferry.dev/v1alpha1
kind: Batch
metadata:
  name: first-batch
spec:
  state: defined
  include_expression: location matches '^/Datacenter/vm/pilot/'
  migration_windows:
    - name: first-night
      start: 2030-01-01 22:00:00
      end: 2030-01-02 04:00:00
  defaults:
    placement:
      target: incus
      target_project: default
      storage_pool: default
`,
};

/** One VM of the starter inventory, as migration-manager lists it: running, one disk, one NIC. */
function simulatedVm(name: string, folder: string, n: number): Record<string, unknown> {
  const hex = n.toString(16).padStart(2, '0');
  return {
    uuid: `4215${hex}00-0000-4000-8000-0000000000${hex}`,
    source_specific_id: `vm-${100 + n}`,
    location: `/Datacenter/vm/${folder}/${name}`,
    name,
    description: '',
    os: 'Debian GNU/Linux 12 (64-bit)',
    os_description: 'Debian GNU/Linux 12 (64-bit)',
    architecture: 'x86_64',
    cpus: 2,
    memory: 4 * 1024 ** 3,
    config: {},
    secure_boot: false,
    legacy_boot: false,
    tpm: false,
    running: true,
    background_import: true,
    nics: [{ uuid: `4215${hex}01-0000-4000-8000-0000000000${hex}`, source_specific_id: 'network-1', hardware_address: `00:50:56:00:00:${hex}`, location: '/Datacenter/network/VM Network', ipv4_address: `10.0.0.${10 + n}`, ipv6_address: '' }],
    disks: [{ name: `[datastore1] ${name}/${name}.vmdk`, capacity: 16 * 1024 ** 3, shared: false, supported: true, background_import_verified: true }],
    snapshots: [],
    source: 'vcenter',
    source_type: 'vmware',
    os_type: 'linux',
    distribution: 'debian',
    distribution_version: '12',
    last_update_from_source: '2030-01-01T08:00:00Z',
  };
}

export const initCommand: Command = {
  name: 'init',
  summary: 'Create a working campaign repository to start from, on the simulator',
  usage: 'ferry init [DIR] [--json]',
  description:
    'Writes a Project, a Source and a Target on the simulator, a simulated inventory of three VMs\n' +
    '(inventory/vcenter.json), a Simulation document, a first Batch and a copy of the JSON Schema for\n' +
    'editors into DIR (default: the current directory). When DIR is not inside a Git repository it runs\n' +
    '"git init" and commits the files, so "ferry plan" and "ferry apply" work at once; inside one it\n' +
    'leaves committing to you. Refuses a directory that already holds YAML files.',
  examples: ['ferry init my-campaign', 'ferry init'],
  options: {},
  async run(context) {
    if (context.positionals.length > 1) throw new UsageError('give at most one directory');
    const dir = resolve(context.io.cwd, context.positionals[0] ?? (typeof context.options.repo === 'string' ? context.options.repo : '.'));
    const existing = await stat(dir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new UsageError(`${dir} exists and is not a directory`);
    if (existing) {
      const entries = await readdir(dir);
      const yaml = entries.filter((name) => /\.ya?ml$/.test(name) || ['batches', 'sources', 'targets', 'inventory'].includes(name));
      if (yaml.length > 0) throw new UsageError(`${dir} already holds ${yaml.join(', ')}; init only writes into a directory without Ferry files`);
    }
    const written: string[] = [];
    for (const [path, text] of Object.entries(FILES)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text, { flag: 'wx' });
      written.push(path);
    }
    await mkdir(join(dir, '.ferry'), { recursive: true });
    await writeFile(join(dir, '.ferry/ferry.schema.json'), JSON.stringify(SCHEMAS['ferry.schema.json'], null, 2) + '\n');
    written.push('.ferry/ferry.schema.json');
    const git = await initGit(dir, written, context.io.env);
    const shown = context.positionals[0] ?? '.';
    if (context.json) {
      printJson(context.io, { directory: dir, files: written, git });
    } else {
      for (const path of written) context.io.stdout.write(`created ${path}\n`);
      if (git.initialized) context.io.stdout.write(`initialized a Git repository on branch ${git.branch} and committed the files (${git.commit!.slice(0, 12)})\n`);
      else context.io.stdout.write(`${dir} is inside the Git repository ${git.toplevel}: commit the files before "ferry apply"\n`);
      const cd = shown === '.' ? '' : `cd ${shown} && `;
      context.io.stdout.write(`\nNext: ${cd}ferry validate && ferry plan\n`);
      context.io.stdout.write('Then set state: running in batches/first-batch.yaml, commit, and run ferry apply --until-idle\n');
    }
    return 0;
  },
};

interface GitResult {
  /** Whether init made the repository (and its first commit). */
  initialized: boolean;
  branch: string | null;
  commit: string | null;
  /** The enclosing repository's top level, when the directory already was in one. */
  toplevel: string | null;
}

/**
 * A Git repository for the campaign: the status branch and `apply` need one. An existing
 * repository around the directory is left alone; otherwise `git init` and one commit of the files
 * written, authored as the user's Git identity or, without one, as Ferry's status commits are.
 */
async function initGit(dir: string, files: string[], env: Record<string, string | undefined>): Promise<GitResult> {
  const gitEnv = { ...process.env, ...env };
  const git = (...args: string[]) => run('git', args, dir, gitEnv);
  const inside = await git('rev-parse', '--show-toplevel').catch(() => undefined);
  if (inside !== undefined) return { initialized: false, branch: null, commit: null, toplevel: inside.trim() };
  await git('init', '-q', '-b', 'main');
  await git('add', '--', ...files);
  const named = (await git('config', 'user.email').catch(() => '')).trim() !== '' || gitEnv.GIT_AUTHOR_EMAIL !== undefined;
  const identity = named ? [] : ['-c', 'user.name=Ferry', '-c', 'user.email=ferry@localhost'];
  await git(...identity, 'commit', '-q', '--no-verify', '-m', 'Start the campaign (ferry init)');
  const commit = (await git('rev-parse', 'HEAD')).trim();
  return { initialized: true, branch: 'main', commit, toplevel: null };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile(command, args, { cwd, env, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args[0]} failed: ${(stderr || error.message).trim().split('\n')[0]}`));
      else resolveRun(stdout);
    });
  });
}
