// Where the job comes from. In an Incus VM: the instance's configuration key, read through the
// guest API socket (GET /1.0/config/<key> over /dev/incus/sock; a plain-text value, 404 until the
// reconciler writes it). Under plain QEMU: a fw_cfg file. As a process: a file. Each read gives the
// job's text, or null when there is none (yet, or any more).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { JOB_KEY } from './protocol.js';

export const DEV_INCUS_SOCKET = '/dev/incus/sock';
export const FW_CFG_JOB = '/sys/firmware/qemu_fw_cfg/by_name/opt/ferry/job/raw';
const JOB_LIMIT = 1024 * 1024;

export interface JobInput {
  /** Where the job is read from, for messages. */
  where: string;
  read(): Promise<string | null>;
}

export function fileInput(path: string): JobInput {
  return {
    where: path,
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}

/** The job in the instance's configuration, through the Incus guest API. */
export function devIncusInput(socketPath = DEV_INCUS_SOCKET): JobInput {
  return {
    where: `${socketPath} (${JOB_KEY})`,
    read: () =>
      new Promise((resolve, reject) => {
        const request = http.get({ socketPath, path: `/1.0/config/${JOB_KEY}`, timeout: 10_000 }, (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > JOB_LIMIT) response.destroy(new Error(`the job is larger than ${JOB_LIMIT} bytes`));
            else chunks.push(chunk);
          });
          response.on('error', reject);
          response.on('end', () => {
            if (response.statusCode === 404) return resolve(null);
            if (response.statusCode !== 200) return reject(new Error(`${socketPath}: HTTP ${response.statusCode} for ${JOB_KEY}`));
            const text = Buffer.concat(chunks).toString('utf8');
            resolve(text.trim() === '' ? null : text);
          });
        });
        request.on('timeout', () => request.destroy(new Error(`${socketPath}: no answer within 10 s`)));
        request.on('error', reject);
      }),
  };
}

/**
 * The job source of a VM, chosen at each read: the Incus guest API once its socket is there (the
 * agent may start after the mover), else QEMU's fw_cfg file, else none yet.
 */
export function vmInput(): JobInput {
  const incus = devIncusInput();
  const fwCfg = fileInput(FW_CFG_JOB);
  return {
    where: `${incus.where} or ${FW_CFG_JOB}`,
    read: () => (existsSync(DEV_INCUS_SOCKET) ? incus.read() : fwCfg.read()),
  };
}
