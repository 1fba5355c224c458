import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INSTANCE_TYPE } from '../../src/expr/env.js';
import { expressionView } from '../../src/expr/index.js';
import type { ExprType } from '../../src/expr/types.js';
import { normalizeInstance } from '../../src/model/instance.js';

const record = normalizeInstance({
  uuid: 'u-1',
  name: 'old-name',
  location: '/DC1/vm/old-name',
  architecture: 'x86_64',
  cpus: 2,
  memory: 1024,
  os_type: 'windows',
  distribution: 'other',
  distribution_version: '2019',
  config: { 'vmware.resource_pool': 'pool-a', 'tag.env': 'prod' },
  disks: [{ name: '[ds] d.vmdk' }],
  overrides: {
    name: 'new-name',
    cpus: 8,
    memory: 4096,
    architecture: 'aarch64',
    config: { 'vmware.resource_pool': 'pool-b', 'tag.owner': 'me' },
    os_type: 'linux',
    distribution: 'ubuntu',
    distribution_version: '24.04',
    disable_migration: true,
  },
});

describe('expressionView: what include expressions see', () => {
  const view = expressionView(record);

  it('applies the configurable overrides: name, cpus, memory, architecture, config merged', () => {
    expect(view).toMatchObject({ name: 'new-name', cpus: 8, memory: 4096, architecture: 'aarch64' });
    expect([...view.config]).toEqual([['vmware.resource_pool', 'pool-b'], ['tag.env', 'prod'], ['tag.owner', 'me']]);
  });

  it('keeps the detected os_type, distribution and version', () => {
    expect(view).toMatchObject({ os_type: 'windows', distribution: 'other', distribution_version: '2019' });
  });

  it('does not show the overrides themselves', () => {
    expect(Object.hasOwn(view, 'overrides')).toBe(false);
  });

  it('ignores empty and zero overrides, as migration-manager\'s Apply does', () => {
    const plain = expressionView({ ...record, overrides: { name: '', cpus: 0, memory: 0, architecture: '' } });
    expect(plain).toMatchObject({ name: 'old-name', cpus: 2, memory: 1024, architecture: 'x86_64' });
  });

  it('does not change the record', () => {
    expect(record.name).toBe('old-name');
    expect(record.config).toEqual({ 'vmware.resource_pool': 'pool-a', 'tag.env': 'prod' });
  });

  it('copies the lists and structs, so the view shares nothing mutable with the record', () => {
    expect(view.disks).not.toBe(record.disks);
    expect(view.disks[0]).not.toBe(record.disks[0]);
    expect(view.disks[0]).toEqual(record.disks[0]);
  });

  it('has exactly the fields the checker knows', () => {
    expect(Object.keys(view).sort()).toEqual(Object.keys(INSTANCE_TYPE.fields).sort());
  });
});

// One source of truth: the expression types must follow schemas/instance.schema.json.
describe('the expression environment agrees with the instance schema', () => {
  type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; $ref?: string; additionalProperties?: Schema | boolean; $defs?: Record<string, Schema> };
  const schema = JSON.parse(readFileSync(new URL('../../schemas/instance.schema.json', import.meta.url), 'utf8')) as Schema;
  const resolve = (node: Schema): Schema => (node.$ref ? schema.$defs![node.$ref.replace('#/$defs/', '')]! : node);

  function expected(node: Schema): unknown {
    const resolved = resolve(node);
    switch (resolved.type) {
      case 'string': return { kind: 'string' };
      case 'integer': return { kind: 'int' };
      case 'boolean': return { kind: 'bool' };
      case 'array': return { kind: 'list', element: expected(resolved.items!) };
      case 'object':
        if (resolved.properties) return { fields: Object.fromEntries(Object.entries(resolved.properties).map(([name, field]) => [name, expected(field)])) };
        return { kind: 'map', value: expected(resolved.additionalProperties as Schema) };
      default: throw new Error(`unexpected schema type ${resolved.type}`);
    }
  }

  function actual(type: ExprType): unknown {
    switch (type.kind) {
      case 'list': return { kind: 'list', element: actual(type.element) };
      case 'map': return { kind: 'map', value: actual(type.value) };
      case 'object': return { fields: Object.fromEntries(Object.entries(type.fields).map(([name, field]) => [name, actual(field)])) };
      // The document carries a time as its RFC 3339 text; expressions read it as a time.
      case 'time': return { kind: 'string' };
      default: return { kind: type.kind };
    }
  }

  it('has every schema property but overrides, with the same types', () => {
    const { overrides, ...visible } = schema.properties!;
    expect(overrides).toBeDefined();
    expect(actual(INSTANCE_TYPE)).toEqual(expected({ type: 'object', properties: visible }));
  });
});
