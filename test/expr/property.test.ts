import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression, expressionView, interpret, type ExpressionView } from '../../src/expr/index.js';
import { normalizeInstance, type InstanceDocument } from '../../src/model/instance.js';
import { SAMPLE_VIEWS } from './sample-instances.js';

// Random expressions, well-typed and ill-typed: compiling never throws, and where an expression
// compiles, the closures (with their fast paths) and the reference interpreter give the same
// result — value or error, code, message and position — on every instance.

const maybeParens = (text: string) => fc.constantFrom(text, `(${text})`);
const depth = { depthIdentifier: 'expression', depthSize: 'small' } as const;

const stringLiteral = fc.constantFrom(`'web'`, `"db-01"`, `''`, `'/DC1/vm'`, `'Ubuntu 22.04'`, `'a,b'`, '`x`', `'tag1'`, `'\\u00e9'`, `'mytag'`);
const regexLiteral = fc.constantFrom(`'foo'`, `'^/DC1/'`, `'01$'`, `'^/a/[^/]+/c*'`, `'(?i)WIN'`, '`\\d+`', `'^$'`, `'a|b'`, `'Incus migrations'`, `'^/path/to/bar$'`, `'mydisk'`);
const intLiteral = fc.oneof(fc.integer({ min: -3, max: 40 }).map(String), fc.constantFrom('1024*1024*1024*8', '0x10', '1_000'));
const floatLiteral = fc.constantFrom('0.5', '2.0', '1e3', '.25');
const category = fc.constantFrom(`'mycategory'`, `'category_1'`, `'*'`, `'env'`, `'nope'`);

const { bool, anything } = fc.letrec<{
  bool: string; int: string; str: string; strList: string; list: string; anything: string;
}>((tie) => {
  const diskBody = fc.oneof(
    depth,
    fc.constantFrom('.shared', '.supported', '!.shared', '#.background_import_verified'),
    fc.tuple(fc.constantFrom('.capacity', '#.capacity'), fc.constantFrom('>', '<=', '=='), intLiteral).map(([f, op, n]) => `${f} ${op} ${n} * 1024 * 1024 * 1024`),
    fc.tuple(fc.constantFrom('.name', '#.name'), fc.constantFrom('matches', 'contains', 'endsWith'), regexLiteral).map(([f, op, r]) => `${f} ${op} ${r}`),
    fc.tuple(diskBodyLeaf(), tie('bool')).map(([a, b]) => `${a} and (${b})`),
  );
  const elementBody = fc.oneof(
    depth,
    stringLiteral.map((s) => `# == ${s}`),
    stringLiteral.map((s) => `${s} == #`),
    regexLiteral.map((r) => `# matches ${r}`),
    fc.integer({ min: 0, max: 5 }).map((n) => `len(#) > ${n}`),
    tie('bool'),
  );
  return {
    bool: fc.oneof(
      depth,
      fc.constantFrom('tpm', 'running', 'secure_boot', 'background_import', 'legacy_boot', 'true', 'false'),
      fc.tuple(tie('int'), fc.constantFrom('<', '<=', '>', '>=', '==', '!='), tie('int')).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(tie('int'), fc.constantFrom('<', '>='), tie('int'), fc.constantFrom('<', '<='), tie('int')).map(([a, op1, b, op2, c]) => `${a} ${op1} ${b} ${op2} ${c}`),
      fc.tuple(tie('str'), fc.constantFrom('==', '!=', '<', '>=', 'contains', 'startsWith', 'endsWith', 'not contains', 'not startsWith'), tie('str')).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(tie('str'), regexLiteral, fc.constantFrom('matches', 'not matches')).map(([s, r, op]) => `${s} ${op} ${r}`),
      fc.tuple(fc.constantFrom('and', 'or', '&&', '||'), tie('bool'), tie('bool')).chain(([op, a, b]) => maybeParens(`${a} ${op} ${b}`)),
      tie('bool').chain((b) => fc.constantFrom(`not (${b})`, `!(${b})`)),
      fc.tuple(tie('str'), tie('strList'), fc.constantFrom('in', 'not in')).map(([s, l, op]) => `${s} ${op} ${l}`),
      fc.tuple(fc.constantFrom('any', 'all', 'none', 'one'), diskBody).map(([p, b]) => `${p}(disks, ${b})`),
      fc.tuple(fc.constantFrom('any', 'all', 'none', 'one'), tie('strList'), elementBody).map(([p, l, b]) => `${p}(${l}, ${b})`),
      fc.tuple(fc.constantFrom('any', 'none'), fc.constantFrom(`config['tag.mycategory']`, `config['tag.env']`, 'name'), stringLiteral).map(([p, s, t]) => `${p}(split(${s}, ','), # == ${t})`),
      fc.tuple(fc.constantFrom('has_tag', 'matches_tag'), category, stringLiteral).map(([f, c, t]) => `${f}(${c}, ${t})`),
      fc.tuple(tie('str'), stringLiteral, fc.constantFrom('==', '!=')).map(([s, t, op]) => `path_base(${s}) ${op} ${t}`),
      fc.tuple(tie('bool'), tie('bool'), tie('bool')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
      fc.tuple(tie('anything'), fc.constantFrom('==', '!='), tie('anything')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
      fc.tuple(tie('str'), fc.constantFrom(`'vmware.resource_pool'`, `'tag.env'`, `'constructor'`)).map(([k, key]) => `${key} in config and ${k} != ''`),
    ),
    int: fc.oneof(
      depth,
      fc.constantFrom('cpus', 'memory', 'disks[0].capacity', 'disks[-1].capacity', 'disks[1].capacity', 'len(nics)'),
      intLiteral,
      tie('list').map((l) => `len(${l})`),
      tie('str').map((s) => `len(${s})`),
      fc.tuple(tie('int'), fc.constantFrom('+', '-', '*', '%'), tie('int')).chain(([a, op, b]) => maybeParens(`${a} ${op} ${b}`)),
      fc.tuple(tie('int'), tie('int')).map(([a, b]) => `(${a} / ${b} > 1 ? ${a} : ${b})`),
      diskBody.map((b) => `count(disks, ${b})`),
      diskBody.map((b) => `len(filter(disks, ${b}))`),
      tie('int').map((n) => `-${n}`),
    ),
    str: fc.oneof(
      depth,
      fc.constantFrom('name', 'location', 'os', 'source', 'uuid', 'os_type', `config['vmware.resource_pool']`, `config['tag.mycategory']`, 'disks[0].name', 'nics[0].ipv4_address', `config.missing`),
      stringLiteral,
      fc.tuple(fc.constantFrom('lower', 'upper', 'trim', 'path_base', 'path_dir'), tie('str')).map(([f, s]) => `${f}(${s})`),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `${a} + ${b}`),
      fc.tuple(tie('strList'), fc.integer({ min: -2, max: 3 })).map(([l, i]) => `${l}[${i}]`),
      fc.tuple(tie('bool'), tie('str'), tie('str')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    ),
    strList: fc.oneof(
      depth,
      fc.array(stringLiteral, { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
      fc.tuple(tie('str'), fc.constantFrom(`','`, `'/'`, `''`)).map(([s, sep]) => `split(${s}, ${sep})`),
      fc.constantFrom('map(disks, .name)', 'map(nics, .ipv4_address)', 'map(snapshots, #.name)'),
      fc.tuple(tie('strList'), elementBody).map(([l, b]) => `filter(${l}, ${b})`),
    ),
    list: fc.oneof(depth, fc.constantFrom('disks', 'nics', 'snapshots'), tie('strList'), diskBody.map((b) => `filter(disks, ${b})`)),
    // Deliberately mixed types: many of these do not compile, some fail only at run time.
    anything: fc.oneof(
      depth,
      tie('bool'), tie('int'), tie('str'), tie('list'), floatLiteral, fc.constant('nil'),
      fc.tuple(tie('bool'), tie('int'), tie('str')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
      fc.tuple(tie('anything'), fc.constantFrom('+', '-', '*', '/', '%', '<', '>', 'in', 'matches', 'and', 'or', 'contains'), tie('anything')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
      fc.tuple(tie('anything'), tie('anything')).map(([a, b]) => `${a}[${b}]`),
      tie('anything').map((a) => `len(${a})`),
      fc.tuple(fc.constantFrom('any', 'all', 'filter', 'map', 'count'), tie('anything'), tie('anything')).map(([p, a, b]) => `${p}(${a}, ${b})`),
    ),
  };

  function diskBodyLeaf() {
    return fc.constantFrom('.shared', '.supported', '#.capacity > 0', `.name contains 'ds'`);
  }
});

/** The result of every evaluation on every view, compiled and interpreted. */
function agreeOnAll(source: string, views: Iterable<ExpressionView>): void {
  const result = compileExpression(source);
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) {
      expect(error.offset).toBeGreaterThanOrEqual(0);
      expect(error.offset + error.length).toBeLessThanOrEqual(source.length);
    }
    return;
  }
  for (const span of spans(result.expression.ast)) {
    expect(Number.isInteger(span.start) && Number.isInteger(span.end) && span.start <= span.end && span.end <= source.length, `${source}: span ${JSON.stringify(span)}`).toBe(true);
  }
  for (const view of views) {
    const compiled = result.expression.matches(view);
    const interpreted = interpret(result.expression.ast, view);
    expect(compiled, `${source} on ${view.name}`).toEqual(interpreted);
    if (!compiled.ok) expect(compiled.error.code).not.toBe('expr-internal');
  }
}

/** Every span in a tree: its nodes' and their operators' and names'. */
function* spans(node: unknown): Generator<{ start: number; end: number }> {
  if (Array.isArray(node)) {
    for (const child of node) yield* spans(child);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if ('start' in record && 'end' in record) yield record as unknown as { start: number; end: number };
  for (const value of Object.values(record)) yield* spans(value);
}

const instanceDocument: fc.Arbitrary<InstanceDocument> = fc.record({
  uuid: fc.uuid(),
  name: fc.constantFrom('web-01', 'db', 'ubuntu2404', 'a'),
  location: fc.constantFrom('/DC1/vm/foo/web-01', '/a/b/c', '/path/to/bar', '/', '', '/DC2/vm/Incus migrations/x/', 'relative/../x'),
  os: fc.constantFrom('Ubuntu 22.04', 'Windows Server 2019', ''),
  cpus: fc.integer({ min: 0, max: 64 }),
  memory: fc.integer({ min: 0, max: 2 ** 40 }),
  tpm: fc.boolean(),
  running: fc.boolean(),
  config: fc.dictionary(fc.constantFrom('tag.mycategory', 'tag.env', 'vmware.resource_pool', 'constructor', 'tag.'), fc.constantFrom('tag1', 'a,b', 'mytag,,x', '', 'mypool')),
  disks: fc.array(fc.record({ name: fc.constantFrom('[ds] mydisk.vmdk', '[ds] x.vmdk', ''), capacity: fc.nat(), shared: fc.boolean(), supported: fc.boolean() }), { maxLength: 4 }),
  nics: fc.array(fc.record({ hardware_address: fc.constant('00:50:56:00:00:01'), ipv4_address: fc.constantFrom('', '10.0.0.1') }), { maxLength: 3 }),
  snapshots: fc.array(fc.record({ name: fc.constantFrom('s1', '') }), { maxLength: 2 }),
  overrides: fc.option(fc.record({ name: fc.constantFrom('renamed', ''), cpus: fc.nat({ max: 16 }), config: fc.constant({ 'vmware.resource_pool': 'mypool' }) }), { nil: undefined }),
}, { requiredKeys: ['uuid', 'name', 'location'] });

describe('compiled closures and the reference interpreter agree', () => {
  it('on well-typed boolean expressions, over the sample instances', () => {
    fc.assert(fc.property(bool, (source) => agreeOnAll(source, SAMPLE_VIEWS.values())), { numRuns: 600 });
  });

  it('on mixed and ill-typed expressions, over the sample instances', () => {
    fc.assert(fc.property(anything, (source) => agreeOnAll(source, SAMPLE_VIEWS.values())), { numRuns: 600 });
  });

  it('on random instances too', () => {
    fc.assert(fc.property(bool, fc.array(instanceDocument, { minLength: 1, maxLength: 5 }), (source, documents) => {
      agreeOnAll(source, documents.map((document) => expressionView(normalizeInstance(document))));
    }), { numRuns: 300 });
  });

  it('mostly on expressions that compile, so the agreement is tested at all', () => {
    const samples = fc.sample(bool, { numRuns: 500, seed: 42 });
    const compiled = samples.filter((source) => compileExpression(source).ok).length;
    expect(compiled / samples.length).toBeGreaterThan(0.6);
  });
});

describe('compiling never throws', () => {
  const token = fc.constantFrom(
    'name', 'cpus', 'disks', 'config', '#', '.', '.name', '(', ')', '[', ']', ',', ' ', '?', ':', '!', 'not', 'and', 'or', 'in', 'matches',
    '==', '<', '+', '-', '*', '/', '%', "'x'", '"', "'", '`', '\\', '1', '1.5', '0x', 'nil', 'true', 'len', 'filter', 'any', '/*', '//', '\n', 'é', '😀',
  );
  it('on random token soup', () => {
    fc.assert(fc.property(fc.array(token, { maxLength: 25 }), (tokens) => {
      const source = tokens.join('');
      expect(() => agreeOnAll(source, [SAMPLE_VIEWS.get('db-01')!])).not.toThrow();
    }), { numRuns: 2000 });
  });

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (source) => {
      expect(() => compileExpression(source)).not.toThrow();
    }), { numRuns: 1000 });
  });
});
