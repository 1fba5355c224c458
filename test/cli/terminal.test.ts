import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { CLEAR_LINE, sgr, terminalText } from '../../src/cli/terminal.js';
import { copyOfExampleRepo, PROJECT_ROOT } from '../helpers/cli.js';

/** Everything a terminal acts on instead of showing: C0 but tab and newline, DEL, C1, bidi overrides and isolates. */
const STEERING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** What Ferry itself sends with colours on: its SGR codes (0 ends a line cut to the width), and the live area's return, erase and line up. */
const FERRY_SEQUENCES = /\u001b\[(0|1|2|22|31|32|33|39)m|\r\u001b\[2K|\u001b\[1A/g;

describe('the terminal sink', () => {
  it('shows every control character from data as an escape, and only Ferry\'s tokens as sequences', () => {
    const data = 'vm\u001b]0;pwned\u0007\u001b[2J\r\u009b31m\u202eevil\u2066\u007f\tok\n';
    expect(terminalText(`${sgr(31)}${data}${sgr(39)}${CLEAR_LINE}`)).toBe(
      '\u001b[31mvm\\u001b]0;pwned\\u0007\\u001b[2J\\u000d\\u009b31m\\u202eevil\\u2066\\u007f\tok\n\u001b[39m\r\u001b[2K',
    );
  });

  it('does not take a token it did not make: a private-use mark and a guessed nonce stay text', () => {
    const forged = '\ue000' + '0'.repeat(24) + ':31m\ue000';
    expect(terminalText(forged)).toBe(forged);
    expect(terminalText(`${sgr(31)}`.replace(/[0-9a-f]{24}/, 'f'.repeat(24)))).not.toContain('\u001b');
  });
});

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const PILOT_VM = 'bfbd9934-053b-5161-57f9-2907dcee4174';
const HOSTILE_NAME = 'tools-01\u001b]0;pwned\u0007\u001b[35m\r\u009b2J\u202eevil\u2066x\u0085y\u007f\u0008';
const HOSTILE_LOCATION = '/DC1/vm/tools/\u001b[2Jtools\u000c01\u202d\u001b]8;;https://evil.example\u0007';
const PAYMENTS_VM = '8a375dcd-fecb-ca0c-1df5-b91a035bde5f';
const HOSTILE_PAYMENTS = 'web-api-01\u001b[5m\u0007\u009d0;t\u009c\r\u202e';

/** The example campaign, its status branch local, with VM names and locations full of escape sequences. */
function hostileCampaign(): string {
  const dir = copyOfExampleRepo();
  const project = join(dir, 'ferry.yaml');
  writeFileSync(project, readFileSync(project, 'utf8').replace('    branch: ferry/status', '    branch: ferry/status\n    local: true'));
  const inventoryFile = join(dir, 'inventory/dc1.json');
  const inventory = JSON.parse(readFileSync(inventoryFile, 'utf8')) as { uuid: string; name: string; location: string }[];
  for (const vm of inventory) {
    if (vm.uuid === PILOT_VM) Object.assign(vm, { name: HOSTILE_NAME, location: HOSTILE_LOCATION });
    if (vm.uuid === PAYMENTS_VM) vm.name = HOSTILE_PAYMENTS;
  }
  writeFileSync(inventoryFile, JSON.stringify(inventory, null, 2));
  for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'campaign']]) execFileSync('git', args, { cwd: dir, env: GIT_ENV });
  return dir;
}

async function run(args: string[], tty: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: tty },
    stderr: { write: (text: string) => (stderr += text), isTTY: tty },
    env: {},
    cwd: PROJECT_ROOT,
  });
  return { code, stdout, stderr };
}

describe('names and VM data with control characters, end to end on the simulator', () => {
  it('reach neither stdout nor stderr as control characters, through every command', async () => {
    const dir = hostileCampaign();
    const commands = [
      ['validate'],
      ['plan'],
      ['apply', '--once'],
      ['status'],
      ['status', '--batch', 'wave-0-pilot'],
      ['queue'],
      ['instances'],
      ['schedule'],
      ['sources'],
      ['targets'],
      ['explain', PILOT_VM],
      ['query', "location matches '^/DC1/vm/tools/'"],
      ['placement', 'wave-0-pilot'],
      ['placement', 'wave-1-web'],
    ];
    const seen: string[] = [];
    for (const tty of [false, true]) {
      for (const command of commands) {
        const result = await run([...command, '--repo', dir], tty);
        const where = `ferry ${command.join(' ')}${tty ? ' (colours on)' : ''}`;
        expect(result.code, `${where}: ${result.stderr}`).toBe(0);
        for (const output of [result.stdout, result.stderr]) {
          const own = tty ? output.replace(FERRY_SEQUENCES, '') : output;
          expect(own, where).not.toMatch(STEERING);
        }
        if (!tty) expect(result.stdout, where).not.toContain('\u001b');
        seen.push(result.stdout);
      }
    }
    const all = seen.join('');
    // The data did get through, visibly.
    expect(all).toContain('tools-01\\u001b]0;pwned\\u0007\\u001b[35m\\u000d\\u009b2J\\u202eevil\\u2066x\\u0085y\\u007f\\u0008');
    expect(all).toContain('payments VM web-api-01\\u001b[5m\\u0007\\u009d0;t\\u009c\\u000d\\u202e goes to the pci project');
    expect(all).toMatch(/\u001b\[1m/);
  });

  it('keeps --json output lossless: the escapes decode to the characters the source reported', async () => {
    const dir = hostileCampaign();
    expect((await run(['apply', '--once', '--repo', dir], false)).code).toBe(0);
    const status = await run(['status', '--batch', 'wave-0-pilot', '--json', '--repo', dir], true);
    expect(status.stdout).not.toMatch(STEERING);
    const entries = (JSON.parse(status.stdout) as { entries: { instance: string; location: string }[] }).entries;
    expect(entries.map((e) => e.instance)).toContain(HOSTILE_NAME);
    expect(entries.map((e) => e.location)).toContain(HOSTILE_LOCATION);
  });
});
