import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/cli/log.js';

describe('structured logs', () => {
  it('redact secrets wherever they appear in a logged object', () => {
    let out = '';
    const log = createLogger('info', { write: (text: string) => (out += text) });
    log.info({ password: 'hunter2', source: { token: 'ghp_abc', tls_client_key: 'KEY' }, entry: { deep: { secret_token: 'uuid-secret' } } }, 'connecting');
    expect(out).not.toMatch(/hunter2|ghp_abc|KEY|uuid-secret/);
    expect(JSON.parse(out)).toMatchObject({ msg: 'connecting', password: '[redacted]', source: { token: '[redacted]' } });
  });
});
