import { isMap, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, type Document, type Node } from 'yaml';
import type { LegacyFormat } from './index.js';

// migration-manager prints a zero time for "not set" and empty strings for unset fields.
const ZERO_TIME = /^0001-01-01[T ]00:00:00(\.0+)?(Z|[+-]00:00)?$/;
const READ_ONLY = ['status', 'status_message', 'start_date'];
const STATE_FOR_STATUS: Record<string, string> = {
  Defined: 'defined',
  Running: 'running',
  Stopped: 'stopped',
  Finished: 'running',
  Error: 'running',
};

/**
 * A batch as migration-manager shows and accepts it (`migration-manager batch show NAME -f yaml`,
 * the API's Batch JSON): no envelope, `name` at the top, read-only status fields.
 */
export const migrationManagerBatch: LegacyFormat = {
  id: 'migration-manager/batch',
  upgradesTo: 'ferry.dev/v1alpha1',
  recognizes: (data) => data.apiVersion === undefined && data.kind === undefined && 'include_expression' in data && 'name' in data,
  upgrade(document) {
    const notes: string[] = [];
    const old = document.contents as YAMLMap;
    const pairs = old.items.filter(isPair) as Pair<Scalar, Node>[];
    const take = (key: string) => pairs.find((pair) => isScalar(pair.key) && pair.key.value === key);

    const status = take('status');
    const statusValue = status && isScalar(status.value) ? String(status.value.value) : 'Defined';
    const state = STATE_FOR_STATUS[statusValue] ?? 'defined';
    if (statusValue !== 'Defined') {
      notes.push(`the batch was ${statusValue} in migration-manager; its queue is not imported, so Ferry starts it afresh with state: ${state}`);
    }

    const top = new YAMLMap();
    // A comment above the first key is about the whole document: keep it at the top.
    const firstKey = pairs[0]?.key;
    top.commentBefore = [old.commentBefore, isScalar(firstKey) ? firstKey.commentBefore : undefined].filter(Boolean).join('\n') || undefined;
    if (isScalar(firstKey)) firstKey.commentBefore = undefined;
    top.comment = old.comment;
    top.add(new Pair(new Scalar('apiVersion'), new Scalar('ferry.dev/v1alpha1')));
    top.add(new Pair(new Scalar('kind'), new Scalar('Batch')));
    const metadata = new YAMLMap();
    const name = take('name');
    if (name) metadata.add(name);
    top.add(new Pair(new Scalar('metadata'), metadata));

    const spec = new YAMLMap();
    const stateValue = new Scalar(state);
    if (statusValue !== 'Defined') stateValue.comment = ` migration-manager status was ${statusValue}`;
    spec.add(new Pair(new Scalar('state'), stateValue));
    for (const pair of pairs) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key === 'name' || READ_ONLY.includes(key)) continue;
      spec.add(pair);
    }
    dropUnsetValues(spec, notes);
    top.add(new Pair(new Scalar('spec'), spec));
    document.contents = top as never;
    return notes;
  },
};

function dropUnsetValues(spec: YAMLMap, notes: string[]): void {
  const windows = spec.get('migration_windows', true);
  if (isSeq(windows)) {
    for (const window of windows.items) {
      if (!isMap(window)) continue;
      for (const key of ['start', 'end', 'lockout']) {
        const value = window.get(key, true);
        if (isScalar(value) && (value.value === '' || value.value === null || ZERO_TIME.test(String(value.value)))) window.delete(key);
      }
    }
  }
  const constraints = spec.get('constraints', true);
  if (isSeq(constraints)) {
    for (const constraint of constraints.items) {
      if (!isMap(constraint)) continue;
      const boot = constraint.get('min_instance_boot_time', true);
      if (isScalar(boot) && (boot.value === '' || boot.value === '0s' || boot.value === '0')) constraint.delete('min_instance_boot_time');
      const description = constraint.get('description', true);
      if (isScalar(description) && description.value === '') constraint.delete('description');
    }
  }
  const defaults = spec.get('defaults', true);
  if (isMap(defaults)) {
    const networks = defaults.get('migration_network', true);
    if (isSeq(networks)) {
      for (const network of networks.items) {
        if (!isMap(network)) continue;
        for (const key of ['vlan_id', 'target', 'target_project']) {
          const value = network.get(key, true);
          if (isScalar(value) && value.value === '') network.delete(key);
        }
      }
    }
  }
  const config = spec.get('config', true);
  if (isMap(config)) {
    for (const key of ['placement_scriptlet', 'background_sync_interval', 'final_background_sync_limit']) {
      const value = config.get(key, true);
      if (isScalar(value) && (value.value === '' || value.value === null)) {
        config.delete(key);
        if (key !== 'placement_scriptlet') notes.push(`config.${key} was empty; Ferry's default (10m) applies`);
      }
    }
  }
}
