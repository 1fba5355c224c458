// Instances and batches for placement tests, in migration-manager's JSON shape.

import { normalizeInstance, type InstanceDocument, type InstanceRecord } from '../../src/model/instance.js';
import { compilePlacementScriptlet, defaultPlacement, runPlacement, type PlacementResult } from '../../src/placement/index.js';

const GIB = 1024 * 1024 * 1024;

export function webInstance(overrides: Partial<InstanceDocument> = {}): InstanceRecord {
  return normalizeInstance({
    uuid: '4e1c39bd-7c2a-4b8e-9e51-6f3f2a1d0c11',
    location: '/DC1/vm/web/web-01',
    name: 'web-01',
    os: 'Ubuntu',
    os_type: 'linux',
    cpus: 4,
    memory: 8 * GIB,
    running: true,
    config: { 'tag.env': 'prod', 'vmware.resource_pool': 'pool-a' },
    disks: [
      { name: '[ds1] web-01/web-01.vmdk', capacity: 40 * GIB, supported: true },
      { name: '[ds1] web-01/web-01_1.vmdk', capacity: 200 * GIB, supported: true },
      { name: '[ds2] web-01/rdm.vmdk', capacity: 500 * GIB, supported: false },
    ],
    nics: [
      { hardware_address: '00:50:56:aa:00:01', location: '/DC1/network/VM Network', ipv4_address: '10.0.0.5' },
      { hardware_address: '00:50:56:aa:00:02', location: '/DC1/network/Backup LAN' },
    ],
    ...overrides,
  });
}

export const BATCH = {
  name: 'wave-1',
  include_expression: "location matches '^/DC1/'",
  migration_windows: [{ name: 'night-1', start: '2025-12-01T01:00:00Z', end: '2025-12-01T03:00:00Z', config: { capacity: 10 } }],
  constraints: [{ name: 'web', include_expression: "name startsWith 'web'", max_concurrent_instances: 2 }],
  defaults: { placement: { target: 'incus-east', target_project: 'default', storage_pool: 'default' }, migration_network: [] },
  config: { rerun_scriptlets: false, post_migration_retries: 5, background_sync_interval: '10m' },
};

/** Compiles `source` (failing the test if it does not compile) and places `instance`. */
export function place(source: string, instance: InstanceRecord = webInstance(), batch: Record<string, unknown> = BATCH): PlacementResult {
  const compiled = compilePlacementScriptlet(source, 'wave-1.star');
  if (!compiled.ok) throw new Error(`scriptlet does not compile: ${JSON.stringify(compiled.problems)}`);
  return runPlacement(compiled.scriptlet, instance, batch, defaultPlacement(instance, BATCH.defaults));
}

/** The error message of a failed placement (failing the test if it succeeded). */
export function placementError(source: string, instance?: InstanceRecord): string {
  const result = place(source, instance);
  if (result.ok) throw new Error('placement succeeded unexpectedly');
  return result.error.message;
}

export { GIB };
