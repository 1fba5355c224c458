import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_EXPRESSION_WARNINGS, EXAMPLE_REPO, copyOfExampleRepo, ferry, withoutExpressionNotes } from '../helpers/cli.js';

describe('ferry validate', () => {
  it('accepts the example campaign with exit 0', async () => {
    // A copy outside any Git repository, which has no status branch to read (the example's own
    // place is in Ferry's repository, whose remotes are not the campaign's).
    const run = await ferry(['validate', '--repo', copyOfExampleRepo()]);
    // The example's os_type comparisons and has_tag uses carry migration-manager notes (docs/expressions.md); they are warnings, not errors.
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter((line) => / warning /.test(line)).map((line) => line.replace(/: migration-manager.*|: has_tag\(.*/, ''))).toEqual([
      'batches/wave-0-pilot.yaml:10:70: warning expr-mm-rejects',
      'batches/wave-1-web.yaml:11:13: warning expr-tag-semantics',
      'batches/wave-1-web.yaml:32:35: warning expr-mm-rejects',
      'batches/wave-2-db.yaml:9:58: warning expr-tag-semantics',
    ]);
    expect(run.stdout).toMatch(/\nvalid: 11 documents, 0 errors, 4 warnings\n$/);
  });

  it('prints every problem like a compiler and exits 1', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'batches/broken.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Batch\nmetadata: {name: broken}\nspec:\n  state: go\n  include_expresion: "true"\n');
    const run = await ferry(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(withoutExpressionNotes(run.stdout.split('\n'))).toEqual([
      'batches/broken.yaml:4:1: error missing-field: spec needs "include_expression"',
      'batches/broken.yaml:5:10: error invalid-value: spec.state must be one of defined, running, stopped, not "go"',
      'batches/broken.yaml:6:3: error unknown-field: unknown field "include_expresion" in spec; did you mean "include_expression"?',
      `invalid: 12 documents, 3 errors, ${EXAMPLE_EXPRESSION_WARNINGS} warnings`,
      '',
    ]);
  });

  it('names the line of a virtio-win ISO given to a target without movers', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'targets/lab.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: lab}\nspec:\n  type: incus\n  endpoint: unix:///var/lib/incus/unix.socket\n  virtio_win_image: /srv/ferry/virtio-win.iso\n');
    const run = await ferry(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('targets/lab.yaml'))).toEqual([
      'targets/lab.yaml:7:3: error virtio-win-image-needs-mover: virtio_win_image is the virtio-win ISO attached to the mover VMs of an incus target; it needs type: incus and transfer: mover',
    ]);
  });

  it('prints JSON with a format_version', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'x.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: t2}\nspec: {type: sim, create_limit: -2}\n');
    const run = await ferry(['validate', '--repo', repo, '--json']);
    expect(run.code).toBe(1);
    const output = JSON.parse(run.stdout);
    expect(output).toMatchObject({ format_version: '1.0', valid: false, documents: 12 });
    expect(output.problems).toContainEqual({ file: 'x.yaml', line: 4, column: 33, code: 'out-of-range', severity: 'error', message: 'spec.create_limit must be at least 0, not -2' });
  });

  it('colours output only on a terminal and never with NO_COLOR', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(join(repo, 'x.yaml'), 'kind: [\n');
    const plain = await ferry(['validate', '--repo', repo]);
    expect(plain.stdout).not.toContain('\u001b[');
  });

  it('refuses names with control characters where they are, whatever the kind or the field', async () => {
    const repo = copyOfExampleRepo();
    writeFileSync(
      join(repo, 'batches/hostile.yaml'),
      [
        'apiVersion: ferry.dev/v1alpha1',
        'kind: Batch',
        'metadata:',
        '  name: "wave\\e[31m9"',
        'spec:',
        '  include_expression: "false"',
        '  migration_windows:',
        '    - name: "night\\u202e1"',
        '    - name: "late\\rnight"',
        '  constraints:',
        '    - name: "few\\x85at once"',
        '      include_expression: "true"',
        '---',
        'apiVersion: ferry.dev/v1alpha1',
        'kind: NetworkOverride',
        'metadata: {name: "net\\u2066x"}',
        'spec: {match: {location: /DC1/network/x}, network: "n\\x07t"}',
        '',
      ].join('\n'),
    );
    const run = await ferry(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    const sentence = 'names hold no control characters (C0, DEL, C1), line or paragraph separators, or bidirectional overrides and isolates: these would change what a terminal or a page shows';
    expect(run.stdout.split('\n').filter((line) => line.startsWith('batches/hostile.yaml'))).toEqual([
      `batches/hostile.yaml:4:9: error control-character: metadata.name "wave\\u001b[31m9" is not valid: ${sentence}`,
      `batches/hostile.yaml:8:13: error control-character: spec.migration_windows[0].name "night\\u202e1" is not valid: ${sentence}`,
      `batches/hostile.yaml:9:13: error control-character: spec.migration_windows[1].name "late\\rnight" is not valid: ${sentence}`,
      `batches/hostile.yaml:11:13: error control-character: spec.constraints[0].name "few\\u0085at once" is not valid: ${sentence}`,
      `batches/hostile.yaml:16:18: error control-character: metadata.name "net\\u2066x" is not valid: ${sentence}`,
      `batches/hostile.yaml:17:52: error control-character: spec.network "n\\u0007t" is not valid: ${sentence}`,
    ]);
  });

  it('refuses a repository directory that does not exist', async () => {
    const run = await ferry(['validate', '--repo', '/nonexistent/repo']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'ferry validate: error repo-not-found: the repository directory /nonexistent/repo does not exist; name the campaign repository with --repo DIR\n' });
  });
});

describe('the ferry command line', () => {
  it('lists its commands with examples', async () => {
    const run = await ferry(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: ferry COMMAND [OPTIONS]');
    expect(run.stdout).toMatch(/validate\s+Check the desired state/);
    expect(run.stdout).toContain('Examples:');
  });

  it('shows a command\'s help', async () => {
    const run = await ferry(['validate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: ferry validate [--repo DIR] [--ref REV] [--no-status | --require-status] [--json]');
  });

  it('suggests the command that was meant', async () => {
    expect(await ferry(['valdiate'])).toEqual({ code: 1, stdout: '', stderr: 'ferry: error unknown-command: "valdiate" is not a command (did you mean "validate"?); see "ferry --help"\n' });
  });

  it('refuses an unknown option in one line', async () => {
    const run = await ferry(['validate', '--nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('ferry validate: error unknown-option: unknown option --nope; see "ferry validate --help"\n');
  });

  it('writes structured logs to stderr at the asked level', async () => {
    const run = await ferry(['validate', '--repo', EXAMPLE_REPO, '--log-level', 'debug']);
    expect(run.code).toBe(0);
    const line = JSON.parse(run.stderr.trim().split('\n')[0]!);
    expect(line).toMatchObject({ msg: 'loaded desired state', documents: 11 });
  });

  it('prints its version', async () => {
    expect((await ferry(['--version'])).stdout).toMatch(/^ferry \d+\.\d+\.\d+\n$/);
  });
});
