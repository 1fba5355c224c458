// The vcsim peer: where the install put the simulator (test/peers/.cache/vcsim.env), and starting
// and stopping one simulator per test file on a free loopback port. A missing peer is a failure,
// never a skip.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { Source } from '../../../src/model/desired.js';
import { certificateFingerprint } from '../../../src/providers/vmware/tls.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PEER_CACHE = join(here, '..', '.cache');

function installed(): Record<string, string> {
  const envFile = join(PEER_CACHE, 'vcsim.env');
  if (!existsSync(envFile)) {
    throw new Error(`${envFile} not found: run \`FERRY_PEERS=vcsim npm run test:peers\` (test/peers/vcsim/install.sh)`);
  }
  return Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

export function vcsimBinary(): string {
  const bin = installed().VCSIM_BIN ?? join(PEER_CACHE, 'vcsim');
  if (!existsSync(bin)) throw new Error(`vcsim ${bin} not found: run test/peers/vcsim/install.sh`);
  return bin;
}

/** The govmomi version the simulator was built from (`v0.50.0`). */
export function vcsimVersion(): string {
  return installed().VCSIM_VERSION ?? 'unknown';
}

export interface Vcsim {
  /** `https://127.0.0.1:<port>` (the Source endpoint). */
  endpoint: string;
  host: string;
  port: number;
  /** SHA-256 of the server certificate, hex. */
  fingerprint: string;
  /** The server certificate as PEM. */
  certificatePem: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts vcsim with the given model flags (`-dc 2 -vm 10`…) on 127.0.0.1 and a free port.
 * Resolves once it listens. vcsim builds its model VM by VM, through its own tasks: about 40 ms
 * each on two busy cores, so thousands of VMs need a longer `startTimeoutMs`.
 */
export async function startVcsim(flags: string[] = [], { startTimeoutMs = 120_000 } = {}): Promise<Vcsim> {
  const child = spawn(vcsimBinary(), ['-l', '127.0.0.1:0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<URL>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vcsim did not start within ${startTimeoutMs / 1000} s: ${stderr}`));
    }, startTimeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /GOVC_URL=(\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[1]!));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vcsim exited (${code}) before listening: ${stderr}`));
    });
  });
  const { fingerprint, pem } = await serverCertificate(url.hostname, Number(url.port));
  return {
    endpoint: `https://${url.host}`,
    host: url.hostname,
    port: Number(url.port),
    fingerprint,
    certificatePem: pem,
    pid: child.pid!,
    stop: () => stopProcess(child),
  };
}

function serverCertificate(host: string, port: number): Promise<{ fingerprint: string; pem: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      const base64 = raw.toString('base64').replace(/(.{64})/g, '$1\n');
      resolve({ fingerprint: certificateFingerprint(raw), pem: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n` });
    });
    socket.once('error', reject);
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A vmware Source document (as loaded) pointing at a simulator, pinned to its certificate. */
export function sourceFor(vcsim: Vcsim, patch: Partial<Source> = {}): Source {
  return {
    meta: { name: 'vc', origin: { file: 'sources/vc.yaml', line: 1, column: 1 }, apiVersion: 'ferry.dev/v1alpha1', at: {} },
    type: 'vmware',
    inventory_file: null,
    endpoint: vcsim.endpoint,
    username: 'user',
    password_from: { env: 'VC_PASSWORD' },
    trusted_server_certificate_fingerprint: vcsim.fingerprint,
    import_limit: 0,
    connection_timeout_ms: 30_000,
    sync_timeout_ms: 30_000,
    sync_limit: 4,
    datacenters: ['/...'],
    ...patch,
  };
}
