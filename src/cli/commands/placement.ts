import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { compileExpression, expressionView } from '../../expr/index.js';
import type { Batch } from '../../model/desired.js';
import type { InstanceRecord } from '../../model/instance.js';
import { batchJson, networkOverrideMap, withInstanceOverrides } from '../../model/migration-manager-json.js';
import { formatProblem, hasErrors, type Problem } from '../../model/problem.js';
import { compilePlacementScriptlet, defaultPlacement, runPlacement, type NetworkOverrides, type Placement, type PlacementLog } from '../../placement/index.js';
import { memoryFiles } from '../../repo/files.js';
import { repositoryInventory } from '../../repo/inventory.js';
import { readInstancesOption, syncedInventories } from '../inventory.js';
import { loadRepository } from '../../repo/load.js';
import { didYouMean } from '../../text/suggest.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { compileHooks } from '../../reconcile/compile-hooks.js';
import { printJson } from '../io.js';
import { loadFromContext } from '../repository.js';
import { evaluationLimitsFor } from '../trust.js';
import type { EvaluationLimits } from '../../engine/compiled.js';
import { EvaluationBudgetError, matchesInstance } from '../../engine/evaluation.js';
import { quoted } from '../../text/excerpt.js';

interface PlacementRow {
  instance: { name: string; location: string; uuid: string };
  ok: boolean;
  placement?: Placement;
  logs: PlacementLog[];
  error?: { message: string; backtrace: string };
}

export const placementCommand: Command = {
  name: 'placement',
  summary: 'Show where each instance of a batch would go, with the scriptlet\'s log lines',
  usage: 'ferry placement BATCH [--repo DIR] [--instances FILE.json] [--instance NAME] [--json]\n       ferry placement --scriptlet FILE.star --instances FILE.json [--batch FILE.yaml] [--json]',
  description:
    'With BATCH: the batch of the repository, its default placement and scriptlet, for the instances its\n' +
    'include expression selects (with the repository\'s instance and network overrides), from the\n' +
    'repository\'s inventory or from --instances.\n' +
    'With --scriptlet: try a scriptlet before it is merged, on every instance of the file, with the\n' +
    'batch of --batch (its target is not checked) or a default batch.',
  examples: [
    'ferry placement wave-1-web --repo examples/repo',
    'ferry placement wave-1-web --instances instances.json --instance web-api-01',
    'ferry placement --scriptlet batches/wave-1-web.star --instances instances.json --batch batches/wave-1-web.yaml',
  ],
  options: {
    instances: { type: 'string', value: 'FILE', description: 'the instances, a JSON array in migration-manager\'s instance format' },
    instance: { type: 'string', value: 'NAME', description: 'only this instance (its name, location or UUID)' },
    scriptlet: { type: 'string', value: 'FILE', description: 'a placement scriptlet to try (instead of a batch of the repository)' },
    batch: { type: 'string', value: 'FILE', description: 'with --scriptlet: a Batch document for the defaults and the batch value' },
  },
  async run(context) {
    const option = (name: string) => (typeof context.options[name] === 'string' ? (context.options[name] as string) : undefined);
    const scriptletFile = option('scriptlet');
    if (scriptletFile === undefined && context.positionals.length !== 1) throw new UsageError('name one batch, or give --scriptlet FILE; see "ferry placement --help"');
    if (scriptletFile !== undefined && context.positionals.length > 0) throw new UsageError('give either a batch name or --scriptlet, not both');
    const instancesFile = option('instances');
    let fromFile: InstanceRecord[] | undefined;
    if (instancesFile !== undefined) {
      fromFile = await readInstancesOption(context.io, instancesFile);
    } else if (scriptletFile !== undefined) {
      throw new UsageError('--scriptlet needs --instances FILE.json (a JSON array of instances in migration-manager\'s format)');
    }

    const setup = scriptletFile !== undefined
      ? await scriptletSetup(context, scriptletFile, option('batch'), fromFile!)
      : await repositorySetup(context, context.positionals[0]!, fromFile);
    if ('problems' in setup) {
      for (const problem of setup.problems) context.io.stderr.write(`${formatProblem(problem)}\n`);
      return 1;
    }
    const wanted = option('instance');
    const instances = wanted === undefined ? setup.instances : setup.instances.filter((i) => i.name === wanted || i.location === wanted || i.uuid === wanted);
    if (wanted !== undefined && instances.length === 0) throw new UsageError(`no instance named ${quoted(wanted)} among the ${setup.instances.length} instances${didYouMean(wanted, setup.instances.map((i) => i.name))}`);

    const limits = setup.limits.scriptlet;
    const compiled = setup.scriptlet === null ? null : compilePlacementScriptlet(setup.scriptlet.text, setup.scriptlet.file, limits);
    if (compiled && !compiled.ok) {
      for (const p of compiled.problems) context.io.stderr.write(`${formatProblem({ file: setup.scriptlet!.file, line: p.line, column: p.column, code: p.budget ? 'scriptlet-budget' : p.code, severity: 'error', message: p.message })}\n`);
      return 1;
    }
    const batchValue = batchJson(setup.batch);
    const rows: PlacementRow[] = [];
    for (const instance of instances) {
      const defaults = defaultPlacement(instance, setup.batch.defaults, setup.networks);
      const id = { name: instance.name, location: instance.location, uuid: instance.uuid };
      if (!compiled) {
        rows.push({ instance: id, ok: true, placement: defaults, logs: [] });
        continue;
      }
      const result = runPlacement(compiled.scriptlet, instance, batchValue, defaults, limits);
      if (!result.ok && result.error.budget !== undefined) {
        // The scriptlet, not the instance, is at fault: stop at the first instance it ran out of budget on.
        context.io.stderr.write(`${formatProblem({ file: setup.scriptlet!.file, line: 1, column: 1, code: 'scriptlet-budget', severity: 'error', message: `${result.error.message} (spec.budgets.scriptlet); the other instances were not placed` })}\n`);
        return 1;
      }
      rows.push(result.ok ? { instance: id, ok: true, placement: result.placement, logs: result.logs } : { instance: id, ok: false, logs: result.logs, error: result.error });
    }
    if (context.json) printJson(context.io, { batch: setup.batch.meta.name, placements: rows });
    else context.io.stdout.write(render(rows, setup.batch.meta.name, setup.instances.length));
    return rows.every((row) => row.ok) ? 0 : 1;
  },
};

interface Setup {
  limits: EvaluationLimits;
  batch: Batch;
  instances: InstanceRecord[];
  networks: NetworkOverrides;
  scriptlet: { text: string; file: string } | null;
}

async function repositorySetup(context: CommandContext, name: string, fromFile: InstanceRecord[] | undefined): Promise<Setup | { problems: Problem[] }> {
  const { files, result } = await loadFromContext(context);
  if (hasErrors(result.problems)) return { problems: result.problems.filter((p) => p.severity === 'error') };
  const batch = result.state.batches.find((b) => b.meta.name === name);
  if (!batch) throw new UsageError(`the repository has no batch ${quoted(name)}${didYouMean(name, result.state.batches.map((b) => b.meta.name))}`);
  const limits = await evaluationLimitsFor(context, { askRemote: false });
  const include = compileExpression(batch.include_expression.text, { limits: limits.expression });
  if (!include.ok) throw new UsageError(`the include expression of batch "${name}" does not compile`);
  let all = fromFile;
  if (all === undefined) {
    const inventory = await repositoryInventory(files, result.state, await syncedInventories(context.repoDir, result.state));
    if (!inventory.found) throw new UsageError(inventory.reason);
    all = [...inventory.instances];
  }
  const withOverrides = withInstanceOverrides(all, result.state);
  const what = { what: `the include expression of batch "${name}"`, source: batch.include_expression, fallback: batch.meta.origin };
  let instances: InstanceRecord[];
  try {
    instances = withOverrides.filter((instance) => matchesInstance(include.expression, expressionView(instance), instance.location, what));
  } catch (error) {
    if (error instanceof EvaluationBudgetError) return { problems: [error.problem] };
    throw error;
  }
  const scriptlet = batch.config.placement_scriptlet;
  return {
    limits,
    batch,
    instances,
    networks: networkOverrideMap(result.state),
    scriptlet: scriptlet === null ? null : { text: scriptlet.text, file: batch.config.placement_scriptlet_file ?? `${batch.meta.origin.file}` },
  };
}

async function scriptletSetup(context: CommandContext, file: string, batchFile: string | undefined, instances: InstanceRecord[]): Promise<Setup | { problems: Problem[] }> {
  const text = await readFile(resolve(context.io.cwd, file), 'utf8').catch(() => {
    throw new UsageError(`cannot read the scriptlet ${file}`);
  });
  const limits = await evaluationLimitsFor(context, { askRemote: false });
  let batch = defaultBatch();
  if (batchFile !== undefined) {
    const yaml = await readFile(resolve(context.io.cwd, batchFile), 'utf8').catch(() => {
      throw new UsageError(`cannot read the batch ${batchFile}`);
    });
    // The batch is read on its own: its target is not checked against any repository.
    const name = basename(batchFile);
    const loaded = await loadRepository(memoryFiles({ [name]: yaml }), { hooks: compileHooks(limits), everyFile: true });
    const problems = loaded.problems.filter((p) => p.severity === 'error' && p.code !== 'missing-target' && p.code !== 'unknown-target' && p.code !== 'missing-scriptlet-file');
    if (problems.length > 0) return { problems };
    if (loaded.state.batches.length !== 1) throw new UsageError(`${batchFile} must hold exactly one Batch document`);
    batch = loaded.state.batches[0]!;
    if (batch.defaults.placement.target === '') batch.defaults.placement.target = 'default';
  }
  return { limits, batch, instances, networks: new Map(), scriptlet: { text, file } };
}

function defaultBatch(): Batch {
  const origin = { file: 'default', line: 1, column: 1 };
  return {
    meta: { name: 'scriptlet-test', origin, apiVersion: 'ferry.dev/v1alpha1', at: {} },
    state: 'defined',
    include_expression: { text: 'true', origin },
    migration_windows: [],
    constraints: [],
    defaults: { placement: { target: 'default', target_project: 'default', storage_pool: 'default' }, migration_network: [], force_conflict_resolution: false },
    config: {
      rerun_scriptlets: false,
      placement_scriptlet: null,
      placement_scriptlet_file: null,
      post_migration_retries: 0,
      background_sync_interval_ms: 600_000,
      final_background_sync_limit_ms: 600_000,
      instance_restriction_overrides: { allow_unknown_os: false, allow_no_ipv4: false, allow_no_background_import: false },
    },
  };
}

function render(rows: PlacementRow[], batch: string, total: number): string {
  const lines: string[] = [];
  for (const row of rows) {
    lines.push(`${row.instance.name} (${row.instance.location})`);
    if (row.placement) {
      const p = row.placement;
      lines.push(`  target ${p.target_name}, project ${p.target_project}, ${p.running ? 'started' : 'stopped'} after migration`);
      for (const [disk, pool] of Object.entries(p.storage_pools)) lines.push(`  disk ${disk} → pool ${pool}`);
      for (const [mac, nic] of Object.entries(p.networks)) lines.push(`  nic ${mac} → ${nic.nictype} network ${nic.network}${nic.vlan_id ? ` vlan ${nic.vlan_id}` : ''}`);
    }
    for (const log of row.logs) lines.push(`  log ${log.level}: ${log.message}`);
    if (row.error) lines.push(`  error: ${row.error.message}`, ...row.error.backtrace.split('\n').filter(Boolean).map((l) => `    ${l}`));
  }
  const failed = rows.filter((r) => !r.ok).length;
  lines.push(`${rows.length} instance${rows.length === 1 ? '' : 's'} placed for batch ${batch} (${total} selected)${failed ? `, ${failed} failed` : ''}`);
  return lines.join('\n') + '\n';
}
