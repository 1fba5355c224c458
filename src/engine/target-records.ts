// The targets' layouts the status branch keeps (TargetRecord): what a tick observed of each
// target it contacted, so that a pull request can be planned later without contacting it. Pure.

import type { DesiredState } from '../model/desired.js';
import type { TargetObservation } from './observations.js';
import type { QueueEntry, TargetProjectRecord, TargetRecord } from './status.js';

/**
 * The records after a tick: a target contacted and reachable now gets its observed projects
 * (merged over the ones it had, since a tick asks only about the projects in use), without the
 * instances of entries' current attempts; any other target keeps its record. A record whose
 * content did not change is the same object, so the store does not write it again. Targets the
 * repository no longer has lose theirs.
 */
export function recordTargets(
  desired: DesiredState,
  previous: Readonly<Record<string, TargetRecord>>,
  observed: Readonly<Record<string, TargetObservation>>,
  entries: Readonly<Record<string, QueueEntry>>,
  now: number,
): Record<string, TargetRecord> {
  const out: Record<string, TargetRecord> = {};
  for (const target of desired.targets) {
    const name = target.meta.name;
    const was = previous[name];
    const seen = observed[name];
    if (seen === undefined || !seen.reachable || seen.recorded_at !== undefined) {
      if (was !== undefined) out[name] = was;
      continue;
    }
    const projects: Record<string, TargetProjectRecord> = { ...was?.projects };
    for (const [project, layout] of Object.entries(seen.projects)) projects[project] = blocking(layout, entries);
    out[name] = was !== undefined && sameProjects(was.projects, projects) ? was : { recorded_at: now, projects };
  }
  return out;
}

/** The project without the instances that are exactly an entry's current attempt. */
function blocking(project: TargetProjectRecord, entries: Readonly<Record<string, QueueEntry>>): TargetProjectRecord {
  const instances: TargetProjectRecord['instances'] = {};
  for (const name of Object.keys(project.instances).sort()) {
    const instance = project.instances[name]!;
    const entry = instance.entry === null ? undefined : entries[instance.entry];
    if (entry !== undefined && entry.attempt_id === instance.attempt) continue;
    instances[name] = { running: instance.running, entry: instance.entry, attempt: instance.attempt };
  }
  return { pools: [...project.pools].sort(), networks: [...project.networks].sort(), instances };
}

function sameProjects(a: Record<string, TargetProjectRecord>, b: Record<string, TargetProjectRecord>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined) return false;
    if (x === y) continue;
    if (x.pools.join('\n') !== y.pools.join('\n') || x.networks.join('\n') !== y.networks.join('\n')) return false;
    if (JSON.stringify(x.instances) !== JSON.stringify(y.instances)) return false;
  }
  return true;
}
