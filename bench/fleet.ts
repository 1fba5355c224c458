// Generated desired-state repositories for benchmarks: realistic documents in realistic files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a repository of about `documents` documents and returns the number written. */
export function writeCampaign(dir: string, documents: number): number {
  mkdirSync(join(dir, 'batches'), { recursive: true });
  mkdirSync(join(dir, 'overrides'), { recursive: true });
  mkdirSync(join(dir, 'resolutions'), { recursive: true });
  writeFileSync(join(dir, 'ferry.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Project\nmetadata: {name: bench}\nspec: {status: {branch: ferry/status}}\n');
  writeFileSync(join(dir, 'source.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Source\nmetadata: {name: dc1}\nspec: {type: sim}\n');
  writeFileSync(join(dir, 'target.yaml'), 'apiVersion: ferry.dev/v1alpha1\nkind: Target\nmetadata: {name: incus}\nspec: {type: sim}\n');
  let written = 3;
  const batches = Math.max(1, Math.floor((documents - 3) * 0.2));
  for (let b = 0; b < batches && written < documents; b++, written++) {
    const day = 1 + (b % 28);
    writeFileSync(
      join(dir, 'batches', `wave-${b}.yaml`),
      `apiVersion: ferry.dev/v1alpha1
kind: Batch
metadata:
  name: wave-${b}
  description: generated batch ${b}
spec:
  state: ${b % 3 === 0 ? 'running' : 'defined'}
  include_expression: location matches '^/DC1/vm/app-${b}/' and cpus <= ${2 + (b % 14)}
  migration_windows:
    - name: night-a
      start: 2026-12-${String(day).padStart(2, '0')} 22:00:00
      lockout: 2026-12-${String(day).padStart(2, '0')} 23:30:00
      end: 2026-12-${String(day).padStart(2, '0')} 23:59:00
      config: {capacity: ${10 + (b % 20)}}
    - name: night-b
      start: 2027-01-${String(day).padStart(2, '0')}T01:00:00Z
      end: 2027-01-${String(day).padStart(2, '0')}T05:00:00Z
  constraints:
    - name: windows
      include_expression: os_type == 'windows'
      max_concurrent_instances: 2
      min_instance_boot_time: 20m
    - name: big
      include_expression: memory > 17179869184
      max_concurrent_instances: 1
  defaults:
    placement: {target: incus, target_project: p${b % 7}, storage_pool: ssd}
    migration_network:
      - {network: mig, nictype: bridged, vlan_id: ${100 + (b % 50)}}
  config:
    post_migration_retries: 3
    background_sync_interval: 30m
    final_background_sync_limit: 10m
`,
    );
  }
  let overrides = 0;
  while (written < documents) {
    const perFile = Math.min(20, documents - written);
    const texts: string[] = [];
    for (let i = 0; i < perFile; i++, written++, overrides++) {
      if (overrides % 4 === 3) {
        texts.push(`apiVersion: ferry.dev/v1alpha1\nkind: Resolution\nmetadata: {name: r-${overrides}}\nspec: {batch: wave-${overrides % batches}, instance: vm-${overrides}, action: retry, comment: generated}\n`);
      } else {
        texts.push(`apiVersion: ferry.dev/v1alpha1\nkind: InstanceOverride\nmetadata: {name: o-${overrides}}\nspec:\n  match: {uuid: 00000000-0000-4000-8000-${String(overrides).padStart(12, '0')}, source: dc1}\n  cpus: ${1 + (overrides % 16)}\n  comment: generated override\n`);
      }
    }
    writeFileSync(join(dir, 'overrides', `set-${overrides}.yaml`), texts.join('---\n'));
  }
  return written;
}
