// The checks before a migrated instance is finished (migration-manager PR #495, research §4.4):
// the source VM is read fresh and powered off again if it runs; a changed identity or disk list
// is an Error; a recomputed placement with another target, project or pools is a Conflict, unless
// force_conflict_resolution keeps the original placement — all of it, networks included; with the
// same target, project and pools, changed networks are adopted; a placement the target can no
// longer take is a Conflict, unless forced, which again keeps the original placement. Then the
// instance is finalized.

import type { InstanceDisk } from '../model/instance.js';
import type { EntryWork, StepResult } from './entry-work.js';
import { MSG } from './messages.js';
import { checkPlacement, computePlacement, placementCoreDiff, sameNetworks } from './placing.js';

export function finalChecksStep(w: EntryWork): StepResult {
  const ctx = w.ctx;
  const e = w.entry;
  const source = ctx.source(e.source);
  if (source === undefined || !source.reachable) return 'wait';
  const vm = ctx.vm(e.uuid);
  if (vm === undefined) return 'wait';
  if (vm === null) {
    w.to('error', `${MSG.sourceGone} on source ${e.source} (it was removed, or its UUID changed)`);
    return 'continue';
  }
  if (vm.running) {
    w.patch({ source_powered_off: true, message: 'The source VM is running again: powering it off before finishing' });
    w.emit('power_off_source');
    return 'wait';
  }
  const baseline = e.baseline;
  if (vm.uuid !== baseline.uuid) {
    w.to('error', `${MSG.sourceUuidChanged} (expected "${baseline.uuid}", found "${vm.uuid}")`);
    return 'continue';
  }
  if (baseline.source_specific_id !== '' && vm.source_specific_id !== baseline.source_specific_id) {
    w.to('error', `${MSG.sourceUuidChanged}: the VM found by UUID ${vm.uuid} is another one in the source (expected "${baseline.source_specific_id}", found "${vm.source_specific_id}")`);
    return 'continue';
  }
  if (vm.name !== baseline.name) {
    w.to('error', `${MSG.sourceNameChanged} from "${baseline.name}" to "${vm.name}"`);
    return 'continue';
  }
  if (disksDigest(vm.disks) !== baseline.disks_digest) {
    w.to('error', `${MSG.sourceDisksChanged} since the batch started; cancel the entry (cleanup: true) and retry it to migrate the new disks`);
    return 'continue';
  }

  const effective = w.run?.effective ?? null;
  const force = effective?.batch.defaults.force_conflict_resolution ?? false;
  let placement = e.placement;
  if (effective !== null) {
    const recomputed = computePlacement(effective, vm, ctx.compiled.networkOverrides);
    if (!recomputed.ok) {
      if (!force) {
        w.to('conflict', `${MSG.placementChanged}: recomputing it failed: ${recomputed.error}. Fix the scriptlet, or set defaults.force_conflict_resolution: true to keep the original placement; then add a Resolution with action: resolve`);
        return 'continue';
      }
    } else {
      const diff = placementCoreDiff(placement, recomputed.placement);
      if (diff !== null && !force) {
        w.to('conflict', `${MSG.placementChanged} (${diff}). Revert the change, or set defaults.force_conflict_resolution: true to keep the original placement; then add a Resolution with action: resolve`);
        return 'continue';
      }
      // Forced past a changed target, project or pool: the original placement stays whole.
      if (diff === null && !sameNetworks(placement.networks, recomputed.placement.networks)) placement = { ...placement, networks: recomputed.placement.networks };
    }
  }
  // Power overrides apply live (research §5.1).
  const overrides = vm.overrides;
  const running = overrides?.started_after_migration === true ? true : overrides?.stopped_after_migration === true ? false : placement.running;
  if (running !== placement.running) placement = { ...placement, running };
  if (placement !== e.placement) w.patch({ placement });

  if (effective !== null) {
    const check = checkPlacement(w.entry, effective, ctx.compiled.targets.has(placement.target_name), ctx.target(placement.target_name));
    if (check.kind === 'unobserved') return 'wait';
    if (check.kind === 'unreachable') {
      w.say(`${MSG.waitTarget}: ${check.message}`);
      return 'wait';
    }
    if (check.kind === 'problem') {
      if (!force) {
        w.to('conflict', `${MSG.cannotPlaceAnymore}: ${check.message}. Fix the target (or the placement), or set defaults.force_conflict_resolution: true; then add a Resolution with action: resolve`);
        return 'continue';
      }
      // Forced: the original placement, networks included, as it was before this check.
      if (placement.networks !== e.placement.networks) w.patch({ placement: { ...w.entry.placement, networks: e.placement.networks } });
    }
  }
  w.say(MSG.starting);
  w.emit('finalize_instance');
  return 'wait';
}

/**
 * A stable digest of a disk list, compared as migration-manager compares disks (as a list:
 * order, names, capacities and flags). FNV-1a over the canonical text, two 32-bit lanes.
 */
export function disksDigest(disks: readonly InstanceDisk[]): string {
  const text = JSON.stringify(disks.map((d) => [d.name, d.capacity, d.shared, d.supported]));
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}
