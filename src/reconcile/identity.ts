import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** This process's name on the operations it claims: host, process and a random part (never reused). */
export function reconcilerIdentity(): string {
  return `${hostname().split('.')[0] || 'host'}/${process.pid}/${randomBytes(3).toString('hex')}`;
}
