import { describe, expect, it } from 'vitest';
import { compileExpression, interpret } from '../../src/expr/index.js';
import { SAMPLE_NAMES, SAMPLE_VIEWS } from './sample-instances.js';

// migration-manager's own examples (research/migration-manager.md §6: doc/reference/filters.md,
// the tutorials and batch_service_test.go), each with the sample instances it must select.
const EXAMPLES: ReadonlyArray<readonly [id: string, expression: string, selected: readonly string[]]> = [
  ['1', `location matches 'foo' or location == '/path/to/bar'`, ['foo-web-01', 'bar']],
  ['2', `(location matches 'foo' or location == '/path/to/bar') and cpus >= 4`, ['bar']],
  ['3', `len(filter(disks, .name matches 'mydisk')) > 2`, ['db-01']],
  ['4', `len(disks) > 1 and disks[1].supported == false`, ['bar']],
  ['5', `hasSuffix(location, 'ubuntu') and background_import and secure_boot`, ['golden-ubuntu']],
  ['6', `hasPrefix(os, 'Windows')`, ['app-01', 'file-01', 'sql-new']],
  ['7', `path_base(location) == 'ubuntu2404' and source == 'esxi01'`, ['ubuntu2404']],
  ['8', `config['vmware.resource_pool'] == 'mypool'`, ['foo-web-01', 'db-01', 'sql-new']],
  // What migration-manager's code selects (its documentation swaps the two): has_tag, a tag that
  // contains the text; matches_tag with "*", a whole tag.* value equal to it.
  ['9a', `has_tag('mycategory', 'tag1')`, ['foo-web-01', 'bar', 'b']],
  ['9b', `matches_tag('*', 'mytag')`, ['app-01']],
  ['10', `(has_tag('category_1', 'mytag') or config['vmware.resource_pool'] == 'Windows') and location matches '/Incus migrations/'`, ['web-02', 'file-01']],
  ['11', `(location matches 'Win2016' or location matches 'CentOS') and len(disks) == 1`, ['app-01', 'legacy-02']],
  ['12', `background_import == false`, ['file-01', 'fw-01']],
  ['13a', `location matches "^/a/[^/]+/c*"`, ['c', 'f']],
  ['13b', `!(location matches "^/a/e/.*$")`, SAMPLE_NAMES.filter((name) => name !== 'f')],
  ['13c', `location == "/a/b/c" && tpm`, ['c']],
  ['13d', `path_dir(location) == "/a/b"`, ['c']],
  [
    '14',
    `source in ["vcenter01", "vcenter02", "vcenter03"] && (location startsWith "/a/b" || location startsWith "/e/f") && cpus <= 4 && memory <= 1024*1024*1024*8 && len(disks) == 1 && !disks[0].shared && os in ["Ubuntu 22.04", "Ubuntu 24.04"]`,
    ['c'],
  ],
  // The corrected forms of the documentation's mistakes (§6 "doc errors to avoid").
  ['doc: all NICs have an IPv4', `all(nics, .ipv4_address != '')`, SAMPLE_NAMES.filter((name) => name !== 'file-01' && name !== 'legacy-02')],
  ['doc: the tag key prefix is tag.', `any(split(config['tag.mycategory'], ','), # == 'tag1')`, ['foo-web-01', 'b']],
  ['doc: tags. is not a prefix, so nothing matches', `any(split(config['tags.mycategory'], ','), # == 'tag1')`, []],
];

describe('migration-manager example expressions', () => {
  it('the sample fixture has the instances the examples are about', () => {
    expect(SAMPLE_NAMES).toHaveLength(16);
  });

  for (const [id, expression, selected] of EXAMPLES) {
    describe(`example ${id}: ${expression}`, () => {
      const compiled = compileExpression(expression);

      it('compiles', () => {
        expect(compiled.ok ? [] : compiled.errors).toEqual([]);
      });

      it('selects exactly the expected instances, compiled and interpreted', () => {
        if (!compiled.ok) throw new Error('does not compile');
        const viaClosures: string[] = [];
        const viaInterpreter: string[] = [];
        for (const [name, view] of SAMPLE_VIEWS) {
          const fast = compiled.expression.matches(view);
          const reference = interpret(compiled.expression.ast, view);
          expect(fast, `${name} (compiled)`).toEqual({ ok: true, value: expect.any(Boolean) });
          expect(reference, `${name} (interpreted)`).toEqual(fast);
          if (fast.ok && fast.value) viaClosures.push(name);
          if (reference.ok && reference.value) viaInterpreter.push(name);
        }
        expect(viaClosures.sort()).toEqual([...selected].sort());
        expect(viaInterpreter.sort()).toEqual([...selected].sort());
      });
    });
  }

  it('rejects the documentation\'s list-versus-int comparison at compile time', () => {
    const result = compileExpression(`filter(nics, .ipv4_address != '') == len(nics)`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { code: 'expr-type', message: 'cannot compare a []nic with an int using "=="', offset: 34, length: 2 },
    ]);
  });

  it('sees the instance after its overrides: name, cpus, memory and config', () => {
    const check = (expression: string) => {
      const result = compileExpression(expression);
      if (!result.ok) throw new Error(result.errors[0]!.message);
      return [...SAMPLE_VIEWS].filter(([, view]) => result.expression.matches(view).ok && (result.expression.matches(view) as { value: boolean }).value).map(([name]) => name);
    };
    expect(check(`name == 'sql-new' and cpus == 8 and memory == 32 * 1024 * 1024 * 1024`)).toEqual(['sql-new']);
    expect(check(`name == 'sql-old'`)).toEqual([]);
    // os_type overrides are not applied to what expressions see.
    expect(check(`name == 'sql-new' and os_type == 'windows'`)).toEqual(['sql-new']);
  });
});
