// The expr-lang peer: where the install put it (test/peers/.cache/expr-lang.env), and a client
// that keeps one peer process and talks JSON lines to it (see peer/main.go for the protocol).
// A missing peer is a failure, never a skip.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { InstanceDocument } from '../../../src/model/instance.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PEER_CACHE = join(here, '..', '.cache');

export interface ExprLangPeerInstall {
  binary: string;
  version: string;
}

export function exprLangPeer(): ExprLangPeerInstall {
  const envFile = join(PEER_CACHE, 'expr-lang.env');
  if (!existsSync(envFile)) {
    throw new Error(`${envFile} not found: run \`FERRY_PEERS=expr-lang npm run test:peers\` (test/peers/expr-lang/install.sh)`);
  }
  const env = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const binary = env.EXPR_LANG_PEER ?? join(PEER_CACHE, 'expr-lang-peer');
  if (!existsSync(binary)) throw new Error(`the expr-lang peer ${binary} is missing: run test/peers/expr-lang/install.sh`);
  return { binary, version: env.EXPR_LANG_VERSION ?? 'unknown' };
}

/** What migration-manager's evaluation gave for one instance. */
export type PeerResult =
  | { ok: true; value: boolean }
  | { ok: false; phase: 'compile' | 'run'; error: string };

/** One running peer. Requests are answered in order, one line each. */
export class ExprLangPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private stderr = '';
  private exited: Error | undefined;

  constructor(binary: string = exprLangPeer().binary) {
    this.child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(line));
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`the expr-lang peer exited (${signal ?? code}): ${this.stderr}`);
      for (const waiter of this.waiting.splice(0)) waiter.reject(this.exited);
    });
  }

  private async request(message: unknown): Promise<unknown> {
    if (this.exited) throw this.exited;
    const line = new Promise<string>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
    const answer = JSON.parse(await line) as Record<string, unknown>;
    if (typeof answer.error === 'string' && answer.ok === undefined) throw new Error(`the expr-lang peer refused a request: ${answer.error}`);
    return answer;
  }

  async version(): Promise<{ expr: string; go: string }> {
    return (await this.request({ version: true })) as { expr: string; go: string };
  }

  /** Loads the instances that `evaluateAll` evaluates on. */
  async load(instances: readonly InstanceDocument[]): Promise<void> {
    await this.request({ load: instances });
  }

  /** The expression on every loaded instance, compiled for each as migration-manager does. */
  async evaluateAll(expression: string): Promise<PeerResult[]> {
    return ((await this.request({ expression, all: true })) as { results: PeerResult[] }).results;
  }

  async evaluate(expression: string, instance: InstanceDocument): Promise<PeerResult> {
    return (await this.request({ expression, instance })) as PeerResult;
  }

  close(): void {
    this.child.stdin.end();
  }
}
