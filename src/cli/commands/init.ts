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
# The simulator stands in for vCenter until you point this at the real one:
#   spec: {type: vmware, endpoint: https://vcenter.example.com, username: svc-ferry@vsphere.local,
#          password_from: {env: VCENTER_PASSWORD}}
apiVersion: ferry.dev/v1alpha1
kind: Source
metadata:
  name: vcenter
spec:
  type: sim
`,
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

export const initCommand: Command = {
  name: 'init',
  summary: 'Create a working desired-state repository to start from',
  usage: 'ferry init [DIR] [--json]',
  description: 'Writes a Project, a Source, a Target and a first Batch (all on the simulator) and a copy of\nthe JSON Schema for editors into DIR (default: the current directory). Refuses a directory that\nalready holds YAML files.',
  examples: ['ferry init my-campaign', 'ferry init'],
  options: {},
  async run(context) {
    if (context.positionals.length > 1) throw new UsageError('give at most one directory');
    const dir = resolve(context.io.cwd, context.positionals[0] ?? (typeof context.options.repo === 'string' ? context.options.repo : '.'));
    const existing = await stat(dir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new UsageError(`${dir} exists and is not a directory`);
    if (existing) {
      const entries = await readdir(dir);
      const yaml = entries.filter((name) => /\.ya?ml$/.test(name) || ['batches', 'sources', 'targets'].includes(name));
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
    if (context.json) {
      printJson(context.io, { directory: dir, files: written });
    } else {
      for (const path of written) context.io.stdout.write(`created ${path}\n`);
      context.io.stdout.write(`\nNext: ferry validate --repo ${context.positionals[0] ?? '.'}\n`);
    }
    return 0;
  },
};
