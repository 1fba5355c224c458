import { UsageError, type Command, type CommandContext } from '../command.js';
import { printJson } from '../io.js';
import type { InstanceRecord } from '../../model/instance.js';
import { compileExpression, type CompiledExpression } from '../../expr/compile.js';
import type { ExprError } from '../../expr/errors.js';
import { formatExprError } from '../../expr/format.js';
import type { InventoryLookup } from '../../repo/inventory.js';
import { readInstancesOption, repositoryInventoryProvider } from '../inventory.js';
import { expressionView } from '../../expr/view.js';
import { evaluationLimitsFor } from '../trust.js';

/** Where the instances of a repository come from (its status store, or the simulator). */
export interface InventoryProvider {
  /** The repository's inventory, or why there is none. */
  instances(repoDir: string): Promise<InventoryLookup>;
}

export interface QueryCommandDependencies {
  /** Reads the inventory when no --instances file is given; absent until the status store exists. */
  inventory?: InventoryProvider;
}

interface Selected {
  name: string;
  location: string;
  uuid: string;
}

/** `ferry query EXPR`: the instances an include expression selects. */
export function createQueryCommand(dependencies: QueryCommandDependencies = {}): Command {
  return {
    name: 'query',
    summary: 'list the instances an include expression selects',
    usage: 'ferry query EXPR [--repo DIR | --instances FILE.json] [--json]',
    description: [
      'EXPR uses migration-manager\'s expression syntax (see docs/expressions.md) and sees each',
      'instance after its overrides. The instances come from FILE.json, a JSON array in',
      'migration-manager\'s instance format (`migration-manager instance list -f json`), or else from',
      'the repository\'s inventory (the VMs of its simulated sources), with its instance overrides.',
    ].join('\n'),
    examples: [
      `ferry query "location matches '^/DC1/' and cpus >= 4" --instances instances.json`,
      `ferry query "has_tag('env', 'prod')" --instances instances.json --json`,
    ],
    options: {
      instances: { type: 'string', value: 'FILE', description: 'read the instances from this JSON file' },
    },
    run: (context) => runQuery(context, dependencies),
  };
}

export const queryCommand: Command = createQueryCommand({ inventory: repositoryInventoryProvider });

async function runQuery(context: CommandContext, dependencies: QueryCommandDependencies): Promise<number> {
  const { io, positionals, options } = context;
  if (positionals.length === 0) throw new UsageError('expected an expression, e.g. ferry query "cpus >= 4"; see "ferry query --help"');
  if (positionals.length > 1) throw new UsageError(`expected one expression but got ${positionals.length} arguments; put the whole expression in quotes`);
  const source = positionals[0]!;

  // Within the trusted revision's budget, like every evaluation of a repository's instances.
  const compiled = compileExpression(source, { limits: (await evaluationLimitsFor(context, { askRemote: false })).expression });
  if (!compiled.ok) return reportInvalid(context, source, compiled.errors);

  const instances = await loadInstances(context, dependencies, typeof options.instances === 'string' ? options.instances : undefined);
  if (!instances.ok) {
    io.stderr.write(`ferry query: ${instances.message}\n`);
    return 1;
  }

  const { selected, failures, breach } = select(compiled.expression, instances.instances);
  // Out of budget on one instance: the expression, not the instance, is at fault; stop there.
  if (breach !== null) return reportInvalid(context, source, [breach.error], breach.instance.location);
  if (context.json) {
    printJson(io, {
      expression: source,
      total: instances.instances.length,
      matched: selected.length,
      instances: selected,
      errors: failures.map(({ instance, error }) => ({ ...instance, ...error })),
      warnings: compiled.warnings,
    });
  } else {
    // Where migration-manager would refuse the expression or read it differently (docs/expressions.md).
    for (const warning of compiled.warnings) io.stderr.write(`ferry query: warning:\n${formatExprError(source, warning, '  ')}\n`);
    io.stdout.write(renderTable(selected));
    io.stdout.write(`${selected.length} of ${instances.instances.length} instance${instances.instances.length === 1 ? '' : 's'} match.\n`);
    if (failures.length > 0) {
      io.stderr.write(`ferry query: the expression failed on ${failures.length} instance${failures.length === 1 ? '' : 's'}:\n`);
      for (const { instance, error } of failures) io.stderr.write(`  ${instance.location}: ${error.code}: ${error.message}\n`);
    }
  }
  context.log.debug({ expression: source, total: instances.instances.length, matched: selected.length, failed: failures.length }, 'query evaluated');
  return failures.length > 0 ? 1 : 0;
}

function reportInvalid(context: CommandContext, source: string, errors: readonly ExprError[], instance?: string): number {
  if (context.json) {
    printJson(context.io, { expression: source, errors, ...(instance === undefined ? {} : { instance }) });
  } else {
    const what = instance === undefined ? 'the expression is not valid' : `the expression ran out of budget on instance ${instance}; nothing is listed`;
    context.io.stderr.write(`ferry query: ${what}:\n${errors.map((error) => formatExprError(source, error, '  ')).join('\n')}\n`);
  }
  return 1;
}

async function loadInstances(
  context: CommandContext,
  dependencies: QueryCommandDependencies,
  file: string | undefined,
): Promise<{ ok: true; instances: readonly InstanceRecord[] } | { ok: false; message: string }> {
  if (file !== undefined) return { ok: true, instances: await readInstancesOption(context.io, file) };
  if (dependencies.inventory) {
    const lookup = await dependencies.inventory.instances(context.repoDir);
    return lookup.found ? { ok: true, instances: lookup.instances } : { ok: false, message: lookup.reason };
  }
  return {
    ok: false,
    message: 'no instances to query: pass --instances FILE.json (a JSON array of instances in migration-manager\'s format)',
  };
}

function select(expression: CompiledExpression, instances: readonly InstanceRecord[]) {
  const selected: Selected[] = [];
  const failures: { instance: Selected; error: ExprError }[] = [];
  for (const record of instances) {
    const view = expressionView(record);
    const result = expression.matches(view);
    const instance = { name: view.name, location: view.location, uuid: view.uuid };
    if (!result.ok && result.error.code === 'expr-budget') return { selected, failures, breach: { instance, error: result.error } };
    if (!result.ok) failures.push({ instance, error: result.error });
    else if (result.value) selected.push(instance);
  }
  return { selected, failures, breach: null };
}

function renderTable(rows: readonly Selected[]): string {
  if (rows.length === 0) return '';
  const header: Selected = { name: 'NAME', location: 'LOCATION', uuid: 'UUID' };
  const nameWidth = Math.max(...[header, ...rows].map((row) => row.name.length));
  const locationWidth = Math.max(...[header, ...rows].map((row) => row.location.length));
  return [header, ...rows]
    .map((row) => `${row.name.padEnd(nameWidth)}  ${row.location.padEnd(locationWidth)}  ${row.uuid}\n`)
    .join('');
}
