// Which guests the mover prepares (issue #20): Linux and Windows by the OS the source reads (or
// the override's os_type), none for others, and the InstanceOverride's skip and force.

import { describe, expect, it } from 'vitest';
import { guestPreparation } from '../../src/engine/preparation.js';
import { vm } from './fixture.js';

describe('guest preparation', () => {
  it('prepares Linux and Windows guests, by the override\'s OS when it gives one', () => {
    expect(guestPreparation(vm('a', { os_type: 'linux' })).preparation).toBe('linux');
    expect(guestPreparation(vm('a', { os_type: 'windows' })).preparation).toBe('windows');
    expect(guestPreparation(vm('a', { os_type: '', overrides: { os_type: 'linux' } })).preparation).toBe('linux');
    expect(guestPreparation(vm('a', { os_type: 'linux', overrides: { os_type: 'windows' } })).preparation).toBe('windows');
  });

  it('leaves other guests as copied, and says how to force it', () => {
    expect(guestPreparation(vm('a', { os_type: 'bsd' }))).toEqual({ preparation: 'none', reason: expect.stringMatching(/this one is bsd, so it boots as copied \(guest_preparation: force to try\)$/) });
    expect(guestPreparation(vm('a', { os_type: '' })).reason).toMatch(/the source does not know this one's OS/);
  });

  it('skip wins over every OS; force prepares a guest the source does not know, detected from its disk', () => {
    expect(guestPreparation(vm('a', { os_type: 'linux', overrides: { guest_preparation: 'skip' } }))).toMatchObject({ preparation: 'none', reason: expect.stringMatching(/prepared by hand/) });
    expect(guestPreparation(vm('a', { os_type: '', overrides: { guest_preparation: 'force' } }))).toMatchObject({ preparation: 'detect' });
    expect(guestPreparation(vm('a', { os_type: 'linux', overrides: { guest_preparation: 'force' } })).preparation).toBe('linux');
  });
});
