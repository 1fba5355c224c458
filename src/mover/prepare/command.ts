// Running the tools preparation needs (mount, blkid, vgchange, chroot …), capturing their output:
// a failing tool's last lines become the operator's sentence.

import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The PATH of the tools, for the mover and for commands run inside the guest (chroot). */
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Runs a tool to its end; `input` is its standard input (none: it reads nothing). */
export function run(command: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { PATH, LANG: 'C', LC_ALL: 'C', ...options.env },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
    child.on('error', (error) => resolve({ code: 127, stdout: '', stderr: `${command}: ${error.message}` }));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8') + (signal ? `\n${command}: killed by ${signal}` : ''),
      }),
    );
  });
}

/** A command run inside the guest mounted at `root`, as the guest's own tools expect to run. */
export function runInGuest(root: string, command: string, args: string[]): Promise<CommandResult> {
  return run('chroot', [root, command, ...args], { env: { DEBIAN_FRONTEND: 'noninteractive', HOME: '/root' } });
}

/** The last lines of a tool's output, on one line, for a failure sentence. */
export function outputTail(result: CommandResult, lines = 4): string {
  const text = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return text.slice(-lines).join(' | ') || `exit status ${result.code}`;
}
