// Host values: attribute objects convert fields lazily and name unknown fields; host
// functions match arguments like starlark-go's UnpackArgs.

import { describe, expect, test } from 'vitest';
import {
  argumentUnpacker,
  AttributeObject,
  callFunction,
  compileModule,
  execModule,
  fromStarlarkString,
  hostFunction,
  None,
  repr,
  toStarlarkString,
  type Value,
} from '../../src/starlark/index.js';

function vm(convertCalls: string[]): AttributeObject {
  return new AttributeObject('vm', { name: 'web-01', cpus: 4, tags: ['a'] }, (name, raw) => {
    convertCalls.push(name);
    if (Array.isArray(raw)) return raw.map((t) => toStarlarkString(String(t)));
    return typeof raw === 'string' ? toStarlarkString(raw) : (raw as Value);
  });
}

function runWith(source: string, values: Record<string, Value>) {
  const compiled = compileModule(source, 'h.star', { predeclared: Object.keys(values) });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return execModule(compiled.module, { predeclared: values });
}

describe('AttributeObject', () => {
  test('converts a field on first access only', () => {
    const calls: string[] = [];
    const result = runWith('a = vm.name + vm.name\nb = vm.cpus * 2\nt = type(vm)\nd = dir(vm)', { vm: vm(calls) });
    expect(result.ok && [...result.globals.values()].map((v) => fromStarlarkString(repr(v)))).toEqual(['"web-01web-01"', '8', '"vm"', '["cpus", "name", "tags"]']);
    expect(calls).toEqual(['name', 'cpus']);
  });

  test('names an unknown field, with a hint, and supports getattr/hasattr', () => {
    const bad = runWith('x = vm.nam', { vm: vm([]) });
    expect(!bad.ok && bad.error.message).toBe('vm has no field "nam" (did you mean .name?)');
    const ok = runWith('x = getattr(vm, "nope", "dflt")\ny = hasattr(vm, "cpus")\nz = hasattr(vm, "nope")', { vm: vm([]) });
    expect(ok.ok && [...ok.globals.values()]).toEqual(['dflt', true, false]);
  });

  test('cannot be assigned to, and freezes its fields with the module', () => {
    const set = runWith('vm.cpus = 1', { vm: vm([]) });
    expect(!set.ok && set.error.message).toBe("can't assign to .cpus field of vm");
  });
});

describe('host functions', () => {
  const unpack = argumentUnpacker('connect', ['host', 'port?']);
  const connect = hostFunction('connect', (args, kwargs) => {
    const [host, port] = unpack(args, kwargs);
    return toStarlarkString(`${fromStarlarkString(host as string)}:${port === undefined ? 80 : String(port)}`);
  });

  test.each([
    ['connect("a")', 'a:80'],
    ['connect("a", 8080)', 'a:8080'],
    ['connect(port = 1, host = "b")', 'b:1'],
  ])('%s returns %s', (call, expected) => {
    const result = runWith(`x = ${call}`, { connect });
    expect(result.ok && result.globals.get('x')).toBe(expected);
  });

  test.each([
    ['connect()', 'connect: missing argument for host'],
    ['connect("a", 1, 2)', 'connect: got 3 arguments, want at most 2'],
    ['connect("a", host = "b")', 'connect: got multiple values for keyword argument "host"'],
    ['connect(hots = "b")', 'connect: unexpected keyword argument "hots"'],
  ])('%s fails: %s', (call, message) => {
    const result = runWith(`x = ${call}`, { connect });
    expect(!result.ok && result.error.message).toBe(message);
  });

  test('a host function can be called directly by the host too', () => {
    expect(callFunction(connect, [toStarlarkString('c')])).toEqual({ ok: true, value: 'c:80' });
    expect(callFunction(hostFunction('nothing', () => None))).toEqual({ ok: true, value: None });
  });
});
