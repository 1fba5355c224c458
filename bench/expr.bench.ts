// Include expressions: Ferry's compiled closures against two baselines measured in the same run —
// hand-written JavaScript closures of the same predicates (the floor: what no interpreter can
// beat) and @marcbachmann/cel-js on the equivalent CEL expressions. migration-manager's example
// expressions (research/migration-manager.md §6), 50,000 generated instances.
import { Environment } from '@marcbachmann/cel-js';
import { compileExpression, expressionView, type CompiledExpression, type ExpressionView } from '../src/expr/index.js';
import { normalizeInstance, type InstanceDocument } from '../src/model/instance.js';

const INSTANCES = 50_000;
const ROUNDS = 7;
const GiB = 1024 ** 3;

interface Case {
  id: string;
  expr: string;
  floor: (view: ExpressionView) => boolean;
  cel: string;
}

const tagsOf = (view: ExpressionView, category: string): string[] => view.config.get(`tag.${category}`)?.split(',') ?? [];
const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const dirName = (path: string): string => path.slice(0, Math.max(path.lastIndexOf('/'), 1));
const SOURCES = new Set(['vcenter01', 'vcenter02', 'vcenter03']);
const UBUNTU = new Set(['Ubuntu 22.04', 'Ubuntu 24.04']);

const CASES: Case[] = [
  {
    id: '1', expr: `location matches 'foo' or location == '/path/to/bar'`,
    floor: (v) => /foo/.test(v.location) || v.location === '/path/to/bar',
    cel: `location.matches('foo') || location == '/path/to/bar'`,
  },
  {
    id: '2', expr: `(location matches 'foo' or location == '/path/to/bar') and cpus >= 4`,
    floor: (v) => (/foo/.test(v.location) || v.location === '/path/to/bar') && v.cpus >= 4,
    cel: `(location.matches('foo') || location == '/path/to/bar') && cpus >= 4`,
  },
  {
    id: '3', expr: `len(filter(disks, .name matches 'mydisk')) > 2`,
    floor: (v) => v.disks.filter((d) => /mydisk/.test(d.name)).length > 2,
    cel: `size(disks.filter(d, d.name.matches('mydisk'))) > 2`,
  },
  {
    id: '4', expr: `len(disks) > 1 and disks[1].supported == false`,
    floor: (v) => v.disks.length > 1 && v.disks[1]!.supported === false,
    cel: `size(disks) > 1 && disks[1].supported == false`,
  },
  {
    id: '5', expr: `hasSuffix(location, 'ubuntu') and background_import and secure_boot`,
    floor: (v) => v.location.endsWith('ubuntu') && v.background_import && v.secure_boot,
    cel: `location.endsWith('ubuntu') && background_import && secure_boot`,
  },
  {
    id: '6', expr: `hasPrefix(os, 'Windows')`,
    floor: (v) => v.os.startsWith('Windows'),
    cel: `os.startsWith('Windows')`,
  },
  {
    id: '7', expr: `path_base(location) == 'ubuntu2404' and source == 'esxi01'`,
    floor: (v) => baseName(v.location) === 'ubuntu2404' && v.source === 'esxi01',
    cel: `path_base(location) == 'ubuntu2404' && source == 'esxi01'`,
  },
  {
    id: '8', expr: `config['vmware.resource_pool'] == 'mypool'`,
    floor: (v) => v.config.get('vmware.resource_pool') === 'mypool',
    cel: `'vmware.resource_pool' in config && config['vmware.resource_pool'] == 'mypool'`,
  },
  {
    id: '9a', expr: `has_tag('mycategory', 'tag1')`,
    floor: (v) => tagsOf(v, 'mycategory').includes('tag1'),
    cel: `has_tag(config, 'mycategory', 'tag1')`,
  },
  {
    id: '9b', expr: `matches_tag('*', 'mytag')`,
    floor: (v) => [...v.config].some(([key, tags]) => key.startsWith('tag.') && tags.split(',').some((tag) => tag.includes('mytag'))),
    cel: `matches_tag(config, '*', 'mytag')`,
  },
  {
    id: '10', expr: `(has_tag('category_1', 'mytag') or config['vmware.resource_pool'] == 'Windows') and location matches '/Incus migrations/'`,
    floor: (v) => (tagsOf(v, 'category_1').includes('mytag') || v.config.get('vmware.resource_pool') === 'Windows') && /\/Incus migrations\//.test(v.location),
    cel: `(has_tag(config, 'category_1', 'mytag') || ('vmware.resource_pool' in config && config['vmware.resource_pool'] == 'Windows')) && location.matches('/Incus migrations/')`,
  },
  {
    id: '11', expr: `(location matches 'Win2016' or location matches 'CentOS') and len(disks) == 1`,
    floor: (v) => (/Win2016/.test(v.location) || /CentOS/.test(v.location)) && v.disks.length === 1,
    cel: `(location.matches('Win2016') || location.matches('CentOS')) && size(disks) == 1`,
  },
  {
    id: '12', expr: `background_import == false`,
    floor: (v) => v.background_import === false,
    cel: `background_import == false`,
  },
  {
    id: '13a', expr: `location matches "^/a/[^/]+/c*"`,
    floor: (v) => /^\/a\/[^/]+\/c*/.test(v.location),
    cel: `location.matches('^/a/[^/]+/c*')`,
  },
  {
    id: '13b', expr: `!(location matches "^/a/e/.*$")`,
    floor: (v) => !/^\/a\/e\/.*$/.test(v.location),
    cel: `!location.matches('^/a/e/.*$')`,
  },
  {
    id: '13c', expr: `location == "/a/b/c" && tpm`,
    floor: (v) => v.location === '/a/b/c' && v.tpm,
    cel: `location == '/a/b/c' && tpm`,
  },
  {
    id: '13d', expr: `path_dir(location) == "/a/b"`,
    floor: (v) => dirName(v.location) === '/a/b',
    cel: `path_dir(location) == '/a/b'`,
  },
  {
    id: '14',
    expr: `source in ["vcenter01", "vcenter02", "vcenter03"] && (location startsWith "/a/b" || location startsWith "/e/f") && cpus <= 4 && memory <= 1024*1024*1024*8 && len(disks) == 1 && !disks[0].shared && os in ["Ubuntu 22.04", "Ubuntu 24.04"]`,
    floor: (v) => SOURCES.has(v.source) && (v.location.startsWith('/a/b') || v.location.startsWith('/e/f')) && v.cpus <= 4
      && v.memory <= 8 * GiB && v.disks.length === 1 && !v.disks[0]!.shared && UBUNTU.has(v.os),
    cel: `source in ['vcenter01', 'vcenter02', 'vcenter03'] && (location.startsWith('/a/b') || location.startsWith('/e/f')) && cpus <= 4 && memory <= 1024*1024*1024*8 && size(disks) == 1 && !disks[0].shared && os in ['Ubuntu 22.04', 'Ubuntu 24.04']`,
  },
];

/** A small deterministic generator, so every run measures the same fleet. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateFleet(count: number): InstanceDocument[] {
  const next = random(20_250_601);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  const folders = ['foo', 'web', 'db', 'Incus migrations', 'Win2016', 'CentOS', 'linux', 'templates', 'app', 'infra'];
  return Array.from({ length: count }, (_, i) => {
    const name = chance(0.05) ? 'ubuntu2404' : `${pick(['web', 'db', 'app', 'foo', 'cache'])}-${i}${chance(0.1) ? '-ubuntu' : ''}`;
    const location = chance(0.1)
      ? pick(['/a/b/c', '/a/e/f', '/a/b/x', '/e/f/g', '/path/to/bar', '/a/cc/d'])
      : `/${pick(['DC1', 'DC2'])}/vm/${pick(folders)}/${name}`;
    const tags = ['tag1', 'tag2', 'tag10', 'mytag', 'other-mytag-x'].filter(() => chance(0.3));
    const config: Record<string, string> = { 'vmware.resource_pool': pick(['mypool', 'prod', 'Windows', 'web']) };
    if (tags.length > 0) config['tag.mycategory'] = tags.join(',');
    if (chance(0.2)) config['tag.category_1'] = pick(['mytag', 'a,mytag', 'b']);
    if (chance(0.3)) config['tag.env'] = pick(['prod', 'test,eu', 'dev']);
    return {
      uuid: `4210${i.toString(16).padStart(4, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      name,
      location,
      os: pick(['Ubuntu 22.04', 'Ubuntu 24.04', 'Windows Server 2019', 'Windows Server 2016', 'CentOS 7', 'Debian 12']),
      cpus: pick([1, 2, 4, 8, 16]),
      memory: pick([2, 4, 8, 16, 32]) * GiB,
      config,
      secure_boot: chance(0.5),
      tpm: chance(0.3),
      background_import: chance(0.8),
      source: pick(['vcenter01', 'vcenter02', 'vcenter03', 'esxi01', 'esxi02']),
      disks: Array.from({ length: 1 + Math.floor(next() * 4) }, (_, d) => ({
        name: `[ds${d}] ${name}/${chance(0.4) ? 'mydisk' : name}_${d}.vmdk`,
        capacity: pick([20, 40, 100]) * GiB,
        shared: chance(0.1),
        supported: chance(0.9),
      })),
      nics: Array.from({ length: Math.floor(next() * 3) }, (_, n) => ({
        hardware_address: `00:50:56:00:${(i & 0xff).toString(16).padStart(2, '0')}:${n}`,
        ipv4_address: chance(0.8) ? `10.0.${n}.${i & 0xff}` : '',
      })),
    };
  });
}

/** The CEL context of one instance: ints as BigInt, as cel-js wants them. */
function celContext(view: ExpressionView): Record<string, unknown> {
  return {
    location: view.location,
    os: view.os,
    source: view.source,
    cpus: BigInt(view.cpus),
    memory: BigInt(view.memory),
    background_import: view.background_import,
    secure_boot: view.secure_boot,
    tpm: view.tpm,
    config: Object.fromEntries(view.config),
    disks: view.disks.map((disk) => ({ name: disk.name, shared: disk.shared, supported: disk.supported })),
  };
}

function celEnvironment(): Environment {
  const tagged = (config: Record<string, string>, category: string, tag: string, substring: boolean): boolean => {
    const has = (tags: string) => tags.split(',').some((item) => (substring ? item.includes(tag) : item === tag));
    if (category === '*') return Object.entries(config).some(([key, tags]) => key.startsWith('tag.') && has(tags));
    const tags = config[`tag.${category}`];
    return tags !== undefined && has(tags);
  };
  return new Environment()
    .registerVariable('location', 'string')
    .registerVariable('os', 'string')
    .registerVariable('source', 'string')
    .registerVariable('cpus', 'int')
    .registerVariable('memory', 'int')
    .registerVariable('background_import', 'bool')
    .registerVariable('secure_boot', 'bool')
    .registerVariable('tpm', 'bool')
    .registerVariable('config', 'map<string, string>')
    .registerVariable('disks', 'list<map<string, dyn>>')
    .registerFunction('path_base(string): string', baseName)
    .registerFunction('path_dir(string): string', dirName)
    .registerFunction('has_tag(map<string, string>, string, string): bool', (config: Record<string, string>, category: string, tag: string) => tagged(config, category, tag, false))
    .registerFunction('matches_tag(map<string, string>, string, string): bool', (config: Record<string, string>, category: string, tag: string) => tagged(config, category, tag, true));
}

/**
 * The fastest of several rounds over the whole fleet, in nanoseconds per evaluation, and the match
 * count. Each engine gets its own copy of the loop, and every expression of every engine runs
 * before anything is timed, so all three are measured in the steady state of a process that
 * evaluates many expressions (megamorphic call sites), not in a lucky monomorphic moment.
 */
function timeRounds(count: number, pass: () => number): { ns: number; matched: number } {
  const matched = pass();
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    const again = pass();
    const elapsed = Number(process.hrtime.bigint() - started);
    if (again !== matched) throw new Error('an evaluation changed its answer between rounds');
    best = Math.min(best, elapsed / count);
  }
  return { ns: best, matched };
}

function passFerry(views: readonly ExpressionView[], expression: CompiledExpression): number {
  let matched = 0;
  for (let i = 0; i < views.length; i++) {
    const result = expression.matches(views[i]!);
    if (result.ok && result.value) matched++;
  }
  return matched;
}

function passFloor(views: readonly ExpressionView[], predicate: (view: ExpressionView) => boolean): number {
  let matched = 0;
  for (let i = 0; i < views.length; i++) if (predicate(views[i]!)) matched++;
  return matched;
}

function passCel(contexts: readonly Record<string, unknown>[], program: (context: Record<string, unknown>) => unknown): number {
  let matched = 0;
  for (let i = 0; i < contexts.length; i++) if (program(contexts[i]!) === true) matched++;
  return matched;
}

const format = (ns: number) => ns.toFixed(ns < 10 ? 1 : 0);
const ratio = (value: number) => `${value.toFixed(2)}×`;
const geometricMean = (values: number[]) => Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);

export default function run(): void {
  const views = generateFleet(INSTANCES).map((document) => expressionView(normalizeInstance(document)));
  const contexts = views.map(celContext);
  const environment = celEnvironment();
  console.log(`${INSTANCES.toLocaleString('en')} generated instances, ${CASES.length} expressions, best of ${ROUNDS} rounds; Node ${process.version}\n`);

  const prepared = CASES.map((testCase) => {
    const compiled = compileExpression(testCase.expr);
    if (!compiled.ok) throw new Error(`${testCase.id} does not compile: ${compiled.errors[0]!.message}`);
    return { testCase, expression: compiled.expression, program: environment.parse(testCase.cel) as (context: Record<string, unknown>) => unknown };
  });
  const warmup = Math.min(5_000, INSTANCES);
  for (let round = 0; round < 3; round++) {
    for (const { testCase, expression, program } of prepared) {
      passFerry(views.slice(0, warmup), expression);
      passFloor(views.slice(0, warmup), testCase.floor);
      passCel(contexts.slice(0, warmup), program);
    }
  }

  const rows: string[][] = [];
  const vsFloor: number[] = [];
  const celVsFerry: number[] = [];
  const totals = { ferry: 0, floor: 0, cel: 0 };
  for (const { testCase, expression, program } of prepared) {
    const ferry = timeRounds(views.length, () => passFerry(views, expression));
    const floor = timeRounds(views.length, () => passFloor(views, testCase.floor));
    const cel = timeRounds(contexts.length, () => passCel(contexts, program));
    if (ferry.matched !== floor.matched || ferry.matched !== cel.matched) {
      throw new Error(`${testCase.id}: ferry matched ${ferry.matched}, the floor ${floor.matched}, cel-js ${cel.matched}`);
    }
    totals.ferry += ferry.ns;
    totals.floor += floor.ns;
    totals.cel += cel.ns;
    vsFloor.push(ferry.ns / floor.ns);
    celVsFerry.push(cel.ns / ferry.ns);
    rows.push([testCase.id, String(ferry.matched), format(ferry.ns), format(floor.ns), ratio(ferry.ns / floor.ns), format(cel.ns), ratio(cel.ns / ferry.ns)]);
  }
  rows.push(['all', '', format(totals.ferry), format(totals.floor), ratio(totals.ferry / totals.floor), format(totals.cel), ratio(totals.cel / totals.ferry)]);
  rows.push(['geomean', '', '', '', ratio(geometricMean(vsFloor)), '', ratio(geometricMean(celVsFerry))]);

  const header = ['#', 'matched', 'ferry ns', 'floor ns', 'ferry/floor', 'cel-js ns', 'cel-js/ferry'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log('\nns = nanoseconds per evaluation of one instance; floor = hand-written JavaScript closures of the same predicates.');
  console.log('Every expression selects the same instances in all three.');
}
