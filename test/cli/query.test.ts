import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import type { CliIo } from '../../src/cli/io.js';
import { createLogger } from '../../src/cli/log.js';
import { createQueryCommand, queryCommand, type InventoryProvider } from '../../src/cli/commands/query.js';
import { normalizeInstance } from '../../src/model/instance.js';
import { MAX_INVENTORY_BYTES } from '../../src/repo/files.js';
import { ferry, tempDir } from '../helpers/cli.js';

const FIXTURE = new URL('../fixtures/instances.json', import.meta.url).pathname;

async function runQuery(
  positionals: string[],
  options: { instances?: string; json?: boolean; inventory?: InventoryProvider; cwd?: string } = {},
) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    cwd: options.cwd ?? '/',
  };
  const command = createQueryCommand(options.inventory ? { inventory: options.inventory } : {});
  const code = await command.run({
    io,
    log: createLogger('silent', io.stderr),
    positionals,
    options: { instances: options.instances, json: options.json },
    repoDir: '/repo',
    json: options.json === true,
  });
  return { code, stdout, stderr };
}

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-query-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('ferry query', () => {
  it('lists the instances an expression selects as a table', async () => {
    const result = await runQuery([`config['vmware.resource_pool'] == 'mypool'`], { instances: FIXTURE });
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'NAME        LOCATION                UUID',
        'foo-web-01  /DC1/vm/foo/foo-web-01  42100001-6a1b-4c2d-8e3f-000000000001',
        'db-01       /DC1/vm/db/db-01        42100003-6a1b-4c2d-8e3f-000000000003',
        'sql-new     /DC2/vm/sql/sql-old     4210000e-6a1b-4c2d-8e3f-00000000000e',
        '3 of 16 instances match.',
        '',
      ].join('\n'),
    });
  });

  it('reads a relative --instances path against the working directory', async () => {
    const path = tempFile('instances.json', '[{"uuid": "u1", "name": "a", "location": "/a"}]');
    const result = await runQuery(['name == "a"'], { instances: 'instances.json', cwd: join(path, '..') });
    expect(result.stdout).toContain('1 of 1 instance match.');
  });

  it('prints JSON with a format_version', async () => {
    const result = await runQuery([`has_tag('mycategory', 'tag1')`], { instances: FIXTURE, json: true });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      format_version: '1.0',
      expression: `has_tag('mycategory', 'tag1')`,
      total: 16,
      matched: 3,
      instances: [
        { name: 'foo-web-01', location: '/DC1/vm/foo/foo-web-01', uuid: '42100001-6a1b-4c2d-8e3f-000000000001' },
        expect.objectContaining({ name: 'bar' }),
        { name: 'b', location: '/a/b', uuid: '42100010-6a1b-4c2d-8e3f-000000000010' },
      ],
      errors: [],
      warnings: [expect.objectContaining({ code: 'expr-tag-semantics', offset: 0, length: 7 })],
    });
  });

  it('warns, with a caret, where migration-manager would refuse the expression, and still answers', async () => {
    const result = await runQuery([`os_type == 'linux'`], { instances: FIXTURE });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`ferry query: warning:\n  os_type == 'linux'\n          ^~\n  expr-mm-rejects: migration-manager refuses comparing os_type with a string`);
    expect(result.stdout).toMatch(/\d+ of 16 instances match\./);
  });

  it('shows an invalid expression with a caret under the problem, and fails', async () => {
    const result = await runQuery([`cpus >= 4 and location matchs '^/DC1/'`], { instances: FIXTURE });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'ferry query: the expression is not valid:',
        `  cpus >= 4 and location matchs '^/DC1/'`,
        '                         ^~~~~~',
        '  expr-syntax: unknown operator "matchs" (did you mean "matches"?)',
        '',
      ].join('\n'),
    });
  });

  it('shows every error of an expression, each on its line of a multi-line expression', async () => {
    const result = await runQuery([`cpu >= 4\n  and len(location) > 1 and nmae == 'x'`], { instances: FIXTURE });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe([
      'ferry query: the expression is not valid:',
      '  cpu >= 4',
      '  ^~~',
      '  expr-unknown-field: unknown field "cpu" (did you mean "cpus"?)',
      '    and len(location) > 1 and nmae == \'x\'',
      '                              ^~~~',
      '  expr-unknown-field: unknown field "nmae" (did you mean "name"?)',
      '',
    ].join('\n'));
  });

  it('reports an invalid expression as JSON with --json', async () => {
    const result = await runQuery(['cpus + 1'], { instances: FIXTURE, json: true });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      format_version: '1.0',
      expression: 'cpus + 1',
      errors: [{ code: 'expr-not-bool', message: 'an include expression must be true or false, but this one gives an int', offset: 0, length: 8 }],
    });
  });

  it('lists the instances the expression fails on, and fails', async () => {
    const result = await runQuery(['disks[1].supported == false'], { instances: FIXTURE });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('bar   /path/to/bar');
    expect(result.stdout).toContain('1 of 16 instances match.');
    expect(result.stderr).toContain('ferry query: the expression failed on 12 instances:\n');
    expect(result.stderr).toContain('  /DC1/vm/foo/foo-web-01: expr-index: index 1 is out of range: the list has 1 element\n');
  });

  const EXPORT = 'export the instances with "migration-manager instance list -f json"';
  it.each([
    ['not JSON', '[\n  {"uuid": "u1",}\n]', '2:17: error invalid-inventory: not valid JSON: Expected double-quoted property name'],
    ['a token V8 gives no position for', '[\n  {"uuid": tru}\n]', '2:15: error invalid-inventory: not valid JSON: Unexpected token \'}\''],
    ['not an array', '{"uuid": "u1"}', '1:1: error invalid-inventory: expected a JSON array of instances, found an object'],
    ['a wrong type', '[{"uuid": "u1", "name": "a", "location": "/a"}, {"uuid": "u2", "name": "b", "location": "/b", "cpus": "four"}]', '1:103: error invalid-inventory: $[1].cpus: must be integer'],
    ['a missing field', '[{"name": "a", "location": "/a"}]', '1:2: error invalid-inventory: $[0]: the required field "uuid" is missing'],
    ['a bad disk', '[{"uuid": "u1", "name": "a", "location": "/a", "disks": [{"name": "d", "capacity": -1}]}]', '1:84: error invalid-inventory: $[0].disks[0].capacity: must be >= 0'],
    ['a bad config value', '[{"uuid": "u1", "name": "a", "location": "/a", "config": {"vmware.resource_pool": 1}}]', '1:83: error invalid-inventory: $[0].config["vmware.resource_pool"]: must be string'],
  ])('rejects a file with %s in one line: the file, line and column, the code and the JSON path', async (_, content, message) => {
    const dir = join(tempFile('instances.json', content), '..');
    const run = await ferry(['query', 'tpm', '--instances', 'instances.json'], { cwd: dir });
    expect(run).toEqual({ code: 1, stdout: '', stderr: `ferry query: instances.json:${message}; fix the file, or ${EXPORT} again\n` });
  });

  it('quotes the start of a long key, not the key', async () => {
    const key = 'k'.repeat(100_000);
    const path = tempFile('instances.json', JSON.stringify([{ uuid: 'u1', name: 'a', location: '/a', config: { [key]: 1 } }]));
    const run = await ferry(['query', 'tpm', '--instances', path]);
    expect(run.stderr).toContain(`instances.json:1:100055: error invalid-inventory: $[0].config.${'k'.repeat(60)}… (100,000 characters): must be string;`);
    expect(run.stderr.length).toBeLessThan(400);
  });

  it('says where and what as JSON with --json', async () => {
    const path = tempFile('instances.json', '[\n  {"uuid": "u1",}\n]');
    const run = await ferry(['query', 'tpm', '--instances', path, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'invalid-inventory', file: path, line: 2, column: 17 } });
  });

  it.each([
    ['does not exist', () => join(tempDir(), 'instances.json'), 'path-not-found: no such file; check the path; export the instances with "migration-manager instance list -f json"'],
    ['is a directory', () => tempDir(), 'path-not-found: a directory, not a JSON file of instances; name the file'],
    ['is larger than an inventory may be', () => {
      // A sparse file: as large as that to stat, nothing on the disk, never read.
      const path = tempFile('instances.json', '');
      truncateSync(path, MAX_INVENTORY_BYTES + 1);
      return path;
    }, 'file-too-large: the file is larger than 256 MiB, the most an inventory may be; query fewer instances at once'],
  ])('fails in one line when the file %s', async (_, make, failure) => {
    const path = make();
    const run = await ferry(['query', 'tpm', '--instances', path]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `ferry query: ${path}: error ${failure}\n` });
  });

  it('reads a pipe, as --instances /dev/stdin is', async () => {
    const fifo = join(tempDir(), 'instances.json');
    execFileSync('mkfifo', [fifo]);
    const written = new Promise<void>((done) => createWriteStream(fifo).end('[{"uuid": "u1", "name": "a", "location": "/a"}]', () => done()));
    const run = await ferry(['query', 'name == "a"', '--instances', fifo]);
    // Had the command not read it, the writer would wait for a reader for ever.
    if (run.code !== 0) createReadStream(fifo).resume();
    await written;
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('1 of 1 instance match.') });
  });

  it('fails on the file of placement --instances in the same words', async () => {
    const dir = join(tempFile('instances.json', '[\n  {"uuid": "u1",}\n]'), '..');
    writeFileSync(join(dir, 'p.star'), 'def placement(instance, batch):\n    return {}\n');
    const run = await ferry(['placement', '--scriptlet', 'p.star', '--instances', 'instances.json'], { cwd: dir });
    expect(run).toEqual({ code: 1, stdout: '', stderr: `ferry placement: instances.json:2:17: error invalid-inventory: not valid JSON: Expected double-quoted property name; fix the file, or ${EXPORT} again\n` });
  });

  it('drops fields it does not know, as exports of newer migration-manager versions have them', async () => {
    const path = tempFile('instances.json', JSON.stringify([
      { uuid: 'u1', name: 'a', location: '/a', new_field: 1, disks: [{ name: 'd', new_disk_field: true }], overrides: { name: 'b', new_override: 1 } },
    ]));
    const result = await runQuery(['name == "b" and len(disks) == 1'], { instances: path });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 of 1 instance match.');
  });

  it('says where instances can come from when neither a file nor an inventory is available', async () => {
    const result = await runQuery(['tpm']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ferry query: no instances to query: pass --instances FILE.json (a JSON array of instances in migration-manager\'s format)\n',
    });
  });

  it('queries an injected inventory for the repository', async () => {
    const requested: string[] = [];
    const inventory: InventoryProvider = {
      instances: async (repoDir) => {
        requested.push(repoDir);
        return { found: true, instances: [normalizeInstance({ uuid: 'u1', name: 'inv-01', location: '/inv/inv-01', cpus: 8 })] };
      },
    };
    const result = await runQuery(['cpus > 4'], { inventory });
    expect(requested).toEqual(['/repo']);
    expect(result.stdout).toBe('NAME    LOCATION     UUID\ninv-01  /inv/inv-01  u1\n1 of 1 instance match.\n');
  });

  it('prefers --instances over the inventory, and reports why an inventory is missing', async () => {
    const missing: InventoryProvider = { instances: async () => ({ found: false, reason: 'the status branch ferry/status has no inventory yet; run ferry apply first' }) };
    expect((await runQuery(['tpm'], { inventory: missing })).stderr).toBe('ferry query: the status branch ferry/status has no inventory yet; run ferry apply first\n');
    expect((await runQuery(['tpm'], { inventory: missing, instances: FIXTURE })).code).toBe(0);
  });

  it('needs exactly one expression argument', async () => {
    await expect(runQuery([])).rejects.toThrow(UsageError);
    await expect(runQuery(['cpus', '>=', '4'])).rejects.toThrow('put the whole expression in quotes');
  });

  it('describes itself for ferry --help', () => {
    expect(queryCommand).toMatchObject({ name: 'query', usage: 'ferry query EXPR [--repo DIR | --instances FILE.json] [--json]' });
    expect(Object.keys(queryCommand.options)).toEqual(['instances']);
  });
});

describe('ferry query through the CLI', () => {
  async function cli(argv: string[]) {
    const { runCli } = await import('../../src/cli/main.js');
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      cwd: process.cwd(),
    });
    return { code, stdout, stderr };
  }

  it('parses the expression and --instances from the command line', async () => {
    const result = await cli(['query', `hasPrefix(os, 'Windows')`, '--instances', FIXTURE]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('3 of 16 instances match.');
  });

  it('prints JSON with --json before or after the expression', async () => {
    const result = await cli(['query', '--json', 'tpm', '--instances', FIXTURE]);
    expect(JSON.parse(result.stdout)).toMatchObject({ format_version: '1.0', matched: 2 });
  });

  it('shows its usage with --help', async () => {
    const result = await cli(['query', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: ferry query EXPR [--repo DIR | --instances FILE.json] [--json]');
    expect(result.stdout).toContain('--instances FILE');
  });

  it('turns a missing expression into a one-line usage error', async () => {
    const result = await cli(['query', '--instances', FIXTURE]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('ferry query: expected an expression, e.g. ferry query "cpus >= 4"; see "ferry query --help"\n');
  });
});
