// Secrets by reference (DESIGN §7): a Source or Target names an environment variable or a file on
// the machine running Ferry, never a value. Reading one either returns the value or fails with a
// sentence that names the reference (the variable or path) and never the value itself.

import { readFile } from 'node:fs/promises';
import type { SecretReference } from '../model/desired.js';
import { ProviderError } from './ports.js';

/** Where a secret comes from, for messages: `environment variable VC_PASSWORD` or `file /etc/ferry/key.pem`. */
export function describeSecretRef(ref: SecretReference): string {
  return ref.env !== undefined ? `environment variable ${ref.env}` : `file ${ref.file ?? '?'}`;
}

/**
 * Reads a secret. `what` says what it is for ("the password of source dc1"). A variable that is
 * unset or empty, or a file that cannot be read, is a ProviderError 'secret-unavailable'.
 * File contents keep inner newlines (PEM) but lose one trailing newline.
 */
export async function readSecret(ref: SecretReference, what: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (ref.env !== undefined) {
    const value = env[ref.env];
    if (value === undefined || value === '') {
      throw new ProviderError('secret-unavailable', `${what} comes from ${describeSecretRef(ref)}, which is not set`);
    }
    return value;
  }
  if (ref.file !== undefined) {
    try {
      const text = await readFile(ref.file, 'utf8');
      return text.endsWith('\n') ? text.slice(0, -1) : text;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'an error';
      throw new ProviderError('secret-unavailable', `${what} comes from ${describeSecretRef(ref)}, which cannot be read (${code})`);
    }
  }
  throw new ProviderError('secret-unavailable', `${what} has an empty secret reference`);
}

/** A SHA-256 fingerprint as lower-case hex without colons, for comparing. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/:/g, '').toLowerCase();
}
