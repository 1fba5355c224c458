import { describe, expect, it } from 'vitest';
import { compileExpression, expressionView, interpret, type EvalResult, type ExprErrorCode } from '../../src/expr/index.js';
import { normalizeInstance } from '../../src/model/instance.js';

const GiB = 1024 ** 3;
const view = expressionView(normalizeInstance({
  uuid: '42101a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
  name: 'web-01',
  location: '/DC1/vm/Web Servers/web-01',
  os: 'Ubuntu 22.04',
  cpus: 4,
  memory: 8 * GiB,
  tpm: true,
  config: { 'vmware.resource_pool': 'web', 'tag.env': 'prod,eu', 'tag.owner': 'team-web', empty: '' },
  disks: [
    { name: '[ds1] web-01/web-01.vmdk', capacity: 40 * GiB },
    { name: '[ds1] web-01/web-01_1.vmdk', capacity: 100 * GiB, shared: true },
    { name: '[rdm] web-01/web-01_2.vmdk', capacity: 10 * GiB, supported: false },
  ],
  nics: [
    { hardware_address: '00:50:56:aa:bb:01', ipv4_address: '10.0.0.1' },
    { hardware_address: '00:50:56:aa:bb:02' },
  ],
  snapshots: [{ name: 'before-patch' }],
}));

function run(source: string): { compiled: EvalResult; interpreted: EvalResult } {
  const result = compileExpression(source);
  if (!result.ok) throw new Error(`${source}: ${result.errors.map((error) => error.message).join('; ')}`);
  return { compiled: result.expression.matches(view), interpreted: interpret(result.expression.ast, view) };
}

// Each expression is true on the instance above; the same expression with the opposite answer
// is in FALSE below, so a test that passes by accident on one side fails on the other.
const TRUE: readonly string[] = [
  // numbers: int and float, `/` is float division, `%` on ints
  '7 / 2 == 3.5', '7 % 3 == 1', '-7 % 3 == -1', '1 == 1.0', '0.1 + 0.2 > 0.3', '2 * 3 + 1 == 7', '2 * (3 + 1) == 8',
  '-cpus == -4', '+cpus == 4', 'cpus / 8 == 0.5', 'memory == 8 * 1024 * 1024 * 1024', '0x10 == 16', '1_000 == 1000', '1e3 == 1000', '.5 == 0.5',
  // comparisons, chained as expr-lang does
  '1 < cpus < 8', '4 <= cpus <= 4', 'cpus >= 4 and cpus <= 4', "'a' < 'b'", "'Z' < 'a'", "'abc' < 'abd'", "'ab' < 'abc'", "'\\uFFFD' < '😀'",
  // equality across types is false, nil equals only nil
  "(tpm ? cpus : 'x') != '4'", '(tpm ? 1 : "one") != "1"', 'nil == nil', "config['missing'] != nil", '[1, 2] == [1, 2]', "[1, 'a'] != [1, 'b']",
  // strings
  "name + '.example' == 'web-01.example'", "name contains 'b-0'", "name startsWith 'web'", "name endsWith '-01'",
  "location matches 'Web Servers'", "location matches '^/DC1/'", "location matches '-01$'", "location matches '(?i)web servers'",
  "location matches `/vm/[^/]+/web-\\d+$`", "not (name matches '^eb')", "name not matches 'db'", "name not contains 'db'",
  "name not startsWith 'db'", "name not endsWith 'db'",
  // in and not in
  "os in ['Ubuntu 22.04', 'Ubuntu 24.04']", "os not in ['Debian 12']", '4 in [1, 4.0]', "'env' not in ['tag.env']", "'tag.env' in config",
  "'nope' not in config", "'Name' in disks[0]", "'x' not in (tpm ? nil : ['x'])",
  // members, indexes, maps
  "disks[0].supported", "disks[-1].name == '[rdm] web-01/web-01_2.vmdk'", "!disks[-3].shared", "disks[1]['shared']",
  "config['vmware.resource_pool'] == 'web'", "config.empty == ''", "config['missing'] == ''", "config['constructor'] == ''",
  "config['__proto__'] == ''", "len(config) == 4", "snapshots[0].name == 'before-patch'", "nics[1].ipv4_address == ''",
  "uuid == '42101a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'", "uuid startsWith '4210'",
  // functions
  "len(name) == 6", "len('héllo') == 5", "len('😀') == 1", "len(disks) == 3", "lower('ABC') == 'abc'", "upper(name) == 'WEB-01'",
  "trim('  x \\t') == 'x'", "trim('xxaxx', 'x') == 'a'", "split('a,b,,c', ',') == ['a', 'b', '', 'c']", "split('a,b,c', ',', 2) == ['a', 'b,c']",
  "len(split('', ',')) == 1", "split('abc', '') == ['a', 'b', 'c']", "hasPrefix(location, '/DC1')", "hasSuffix(location, 'web-01')",
  "path_base(location) == 'web-01'", "path_dir(location) == '/DC1/vm/Web Servers'", "path_base('/a/b/') == 'b'", "path_base('') == '.'",
  "path_base('///') == '/'", "path_dir('a') == '.'", "path_dir('/a/../b/./c') == '/b'", "path_dir('/') == '/'",
  // has_tag: a tag contains the text; matches_tag: a tag is the text; "*": a whole tag.* value (migration-manager's code)
  "has_tag('env', 'eu')", "has_tag('env', 'e')", "matches_tag('env', 'prod')", "!matches_tag('env', 'ro')", "has_tag('*', 'team-web')",
  "has_tag('*', 'team')", "matches_tag('*', 'team-web')", "!matches_tag('*', 'team')", "!has_tag('missing', '')", "!matches_tag('*', 'nope')",
  // predicates
  "any(disks, .shared)", "all(disks, .capacity > 0)", "none(disks, .capacity > 200 * 1024 * 1024 * 1024)", "one(disks, !.supported)",
  "count(disks, .shared or !.supported) == 2", "count([true, false, true]) == 2", "len(filter(disks, .name matches '_\\\\d')) == 2",
  "map(disks, .capacity / 1024 / 1024 / 1024) == [40, 100, 10]", "filter(nics, .ipv4_address != '')[0].hardware_address endsWith ':01'",
  "any(split(config['tag.env'], ','), # == 'eu')", "none(split(config['tag.env'], ','), # == 'us')", "any(split(config['tag.env'], ','), 'prod' == #)",
  "all([], false)", "!any([], true)", "any(disks, any(nics, .ipv4_address != '' and #.ipv4_address startsWith '10.'))",
  "count(disks, all(disks, true)) == 3", "all(map(disks, .name), # contains 'web-01')",
  // logic and the conditional
  'tpm and cpus == 4', 'tpm && !running', 'running || tpm', 'not running', '!!tpm', 'tpm ? true : false', 'running ? false : true',
  "(cpus > 2 ? 'big' : 'small') == 'big'", 'running and disks[9].shared or true', 'tpm or disks[9].shared',
  'cpus > 2 ? true : disks[9].shared',
];

const FALSE: readonly string[] = [
  '7 / 2 == 3', '7 % 3 == 2', '1 != 1.0', 'cpus > 4', '4 < cpus < 8', "'b' < 'a'", "'😀' < '\\uFFFD'", "cpus == 4 and name == 'x'",
  "config['missing'] == nil", 'nil != nil', "name contains 'db'", "location matches '^/DC2/'", "location matches 'web servers'",
  "os in ['Debian 12']", "'nope' in config", "'x' in (tpm ? nil : ['x'])", "'nam' in disks[0]", "'name' in disks[0]", 'disks[2].supported', "matches_tag('env', 'e')", "matches_tag('*', 'prod')",
  "matches_tag('env', 'us')", 'all(disks, .supported)', 'any([], true)', 'one(disks, .supported)', 'none(disks, .shared)', 'running', '!tpm',
  "any(split(config['tag.env'], ','), # == 'pro')", "none(split(config['tag.env'], ','), # == 'prod')", 'running ? true : false',
];

describe('evaluation semantics (compiled and interpreted agree)', () => {
  it.each(TRUE.map((source) => [source]))('%s is true', (source) => {
    const { compiled, interpreted } = run(source);
    expect(compiled).toEqual({ ok: true, value: true });
    expect(interpreted).toEqual(compiled);
  });

  it.each(FALSE.map((source) => [source]))('%s is false', (source) => {
    const { compiled, interpreted } = run(source);
    expect(compiled).toEqual({ ok: true, value: false });
    expect(interpreted).toEqual(compiled);
  });
});

// Run-time errors: what expr-lang reports while running, positioned at the node that failed.
const RUNTIME_ERRORS: ReadonlyArray<readonly [source: string, code: ExprErrorCode, offending: string, message: string]> = [
  ["disks[3].shared", 'expr-index', 'disks[3]', 'index 3 is out of range: the list has 3 elements'],
  ["disks[-4].shared", 'expr-index', 'disks[-4]', 'index -4 is out of range: the list has 3 elements'],
  ["nics[len(disks)].ipv4_address == ''", 'expr-index', 'nics[len(disks)]', 'index 3 is out of range: the list has 2 elements'],
  ['cpus % (cpus - 4) == 0', 'expr-arithmetic', '%', 'integer divide by zero'],
  ["(tpm ? 'x' : 1) > 2", 'expr-type', '>', 'cannot compare string with int using ">"'],
  ["(tpm ? 'x' : 1) + 2 == 3", 'expr-type', '+', 'cannot use "+" on string and int'],
  ["(tpm ? cpus : 'x') matches 'a'", 'expr-type', "tpm ? cpus : 'x'", '"matches" needs a string, got int'],
  ["name matches (tpm ? '(' : 'x')", 'expr-regex', "tpm ? '(' : 'x'", 'invalid regular expression: missing closing ): `(`'],
  // expr-lang folds `x and true` to x, so the int is the result.
  ["(tpm ? 1 : 'x') and true", 'expr-not-bool', "tpm ? 1 : 'x'", 'an include expression must be true or false, but this one gave int'],
  ["true and (tpm ? 1 : 'x')", 'expr-not-bool', "tpm ? 1 : 'x'", 'an include expression must be true or false, but this one gave int'],
  // The last operand of a chain is its value, grouped or not (found by the property test: the compiled closure once answered true).
  ["((tpm ? tpm : tpm) and tpm) and (tpm ? cpus : name)", 'expr-not-bool', "((tpm ? tpm : tpm) and tpm) and (tpm ? cpus : name)", 'an include expression must be true or false, but this one gave int'],
  ["!(tpm ? 1 : 'x')", 'expr-type', "tpm ? 1 : 'x'", '"not" needs a bool, got int'],
  ["(tpm ? nil : disks[0]).name == 'x'", 'expr-type', 'name', 'cannot read field "name" of nil'],
  ["(tpm ? disks[0] : nics[0]).nope == 'x'", 'expr-unknown-field', 'nope', 'disk has no field "nope"'],
  ["any((tpm ? 1 : disks), true)", 'expr-type', 'tpm ? 1 : disks', 'any needs a list, got int'],
  ["all(disks, tpm ? 1 : true)", 'expr-type', 'tpm ? 1 : true', 'the predicate of all needs a bool, got int'],
  ["len(tpm ? 1 : 'x') > 0", 'expr-type', "tpm ? 1 : 'x'", 'len needs a list, a map or a string, got int'],
  ["tpm ? 1 : true", 'expr-not-bool', 'tpm ? 1 : true', 'an include expression must be true or false, but this one gave int'],
  ["'a' in (tpm ? name : [1])", 'expr-type', 'in', '"in" needs a list, a map or a struct on its right, got string'],
];

describe('run-time errors (compiled and interpreted agree)', () => {
  it.each(RUNTIME_ERRORS)('%s fails with %s', (source, code, offending, message) => {
    const { compiled, interpreted } = run(source);
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect({ ...compiled.error, text: source.slice(compiled.error.offset, compiled.error.offset + compiled.error.length) })
      .toEqual({ code, message, offset: source.indexOf(offending), length: offending.length, text: offending });
    expect(interpreted).toEqual(compiled);
  });

  it('stops at the first operand that decides and/or, so later errors do not happen', () => {
    expect(run('running and disks[9].shared').compiled).toEqual({ ok: true, value: false });
    expect(run('tpm or disks[9].shared').compiled).toEqual({ ok: true, value: true });
    expect(run('tpm and disks[9].shared').compiled.ok).toBe(false);
  });
});
