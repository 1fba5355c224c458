// What a guest's preparation record becomes in the entry's history: the names come from the
// guest's disk (os-release), so they are shown short whatever the guest says.

import { describe, expect, it } from 'vitest';
import { preparationSummary } from '../../../src/providers/incus/target.js';

describe('the summary of a preparation', () => {
  it('names the distribution and the steps that changed something', () => {
    const steps = [{ step: 'incus-agent', changed: true, details: [] }, { step: 'vmware-tools', changed: false, details: [] }, { step: 'initramfs', changed: true, details: [] }];
    expect(preparationSummary({ state: 'succeeded', distribution: 'Debian GNU/Linux 12 (bookworm)', steps })).toBe('guest prepared (Debian GNU/Linux 12 (bookworm)): incus-agent, initramfs');
    expect(preparationSummary({ state: 'succeeded', family: 'debian', steps: [] })).toBe('guest prepared: debian needed no change');
    expect(preparationSummary(undefined)).toBeUndefined();
  });

  it('shows a hostile guest\'s name short', () => {
    const summary = preparationSummary({ state: 'succeeded', distribution: 'x'.repeat(1_000_000), steps: [] })!;
    expect(summary.length).toBeLessThan(200);
    expect(summary).toContain('(1,000,000 characters)');
  });
});
