import type { DesiredState, Origin, Simulation, SimulationEvent } from '../model/desired.js';
import type { Problem } from '../model/problem.js';
import { quoted } from '../text/excerpt.js';
import { didYouMean } from '../text/suggest.js';
import type { Kind } from './schemas.js';
import { inventoryVmFinder, simulatedTargetLayout, type Inventories } from './simulation-layout.js';

/**
 * Checks the names a Simulation document uses against the rest of the repository: its targets and
 * sources are sim Targets and Sources, its events name VMs of their inventories, disks those VMs
 * have (or get from an earlier event), networks the target has, and projects that exist.
 * `complete` is false when an inventory could not be read: then an unknown VM is not reported.
 */
export function checkSimulation(state: DesiredState, inventories: Inventories, complete: boolean, invalidNames: Map<Kind, Set<string>>): Problem[] {
  const simulation = state.simulation;
  if (!simulation) return [];
  const problems: Problem[] = [];
  const at = (path: string): Origin => simulation.meta.at[path] ?? simulation.meta.origin;
  const error = (origin: Origin, code: string, message: string) => problems.push({ ...origin, code, severity: 'error', message });

  const kinds = {
    Target: new Map(state.targets.map((t) => [t.meta.name, t.type] as const)),
    Source: new Map(state.sources.map((s) => [s.meta.name, s.type] as const)),
  };
  /** Whether `name` is a sim document of `kind`; reports why not. */
  const simDocument = (kind: 'Target' | 'Source', name: string, path: string, who: string): boolean => {
    const type = kinds[kind].get(name);
    if (type === 'sim') return true;
    if (type !== undefined) {
      error(at(path), 'simulation-needs-sim', `${kind} ${quoted(name)} is of type ${type}; a Simulation describes only sim ${kind}s`);
    } else if (!invalidNames.get(kind)?.has(name)) {
      const known = [...kinds[kind].keys()];
      error(at(path), `unknown-${kind.toLowerCase()}`, `${who} ${kind} ${quoted(name)}, which does not exist${didYouMean(name, known)}`);
    }
    return false;
  };

  for (const target of simulation.targets) {
    if (!simDocument('Target', target.name, `spec.targets.${target.name}`, 'the Simulation describes')) continue;
    const projects = new Set(simulatedTargetLayout(state, inventories, target.name).projects);
    target.instances.forEach((instance, j) => {
      if (!projects.has(instance.project)) {
        error(at(`spec.targets.${target.name}.instances.${j}.project`), 'unknown-project', `target ${target.name} has no project ${quoted(instance.project)}${didYouMean(instance.project, projects)}; list it in projects`);
      }
    });
  }
  for (const source of simulation.sources) simDocument('Source', source.name, `spec.sources.${source.name}`, 'the Simulation describes');
  checkEvents(simulation, state, inventories, complete, at, error, simDocument);
  return problems;
}

const MAX_VM_HINTS = 20;

function checkEvents(
  simulation: Simulation,
  state: DesiredState,
  inventories: Inventories,
  complete: boolean,
  at: (path: string) => Origin,
  error: (origin: Origin, code: string, message: string) => void,
  simDocument: (kind: 'Target' | 'Source', name: string, path: string, who: string) => boolean,
): void {
  // Disks and networks change with earlier events, so walk the events in time order.
  const order = simulation.events.map((event, i) => ({ event, i })).sort((a, b) => a.event.at - b.event.at || a.i - b.i);
  const disks = new Map<string, Set<string>>();
  const networks = new Map<string, Set<string>>();
  const findVm = inventoryVmFinder(inventories);
  // A hint compares the name with every VM of the inventory: given for the first few unknown VMs only.
  let hints = MAX_VM_HINTS;
  for (const { event, i } of order) {
    const path = (field: string) => `spec.events.${i}.${field}`;
    if ('target' in event && event.target !== null && !simDocument('Target', event.target, path('target'), `the ${event.type} event names`)) continue;
    if ('source' in event && event.source !== null && !simDocument('Source', event.source, path('source'), `the ${event.type} event names`)) continue;
    if (event.type === 'delete_network' || event.type === 'add_network') {
      let known = networks.get(event.target);
      if (!known) networks.set(event.target, (known = new Set(simulatedTargetLayout(state, inventories, event.target).networks)));
      if (event.type === 'add_network') known.add(event.network);
      else if (known.delete(event.network) === false) {
        error(at(path('network')), 'unknown-network', `target ${event.target} has no network ${quoted(event.network)} at this time${didYouMean(event.network, known)}`);
      }
      continue;
    }
    if (!('vm' in event) || event.vm === null) continue;
    const found = findVm(event.vm, event.source);
    if (!found.found) {
      if (found.reason === 'ambiguous') {
        error(at(path('vm')), 'ambiguous-vm', `${quoted(event.vm)} names more than one VM (${found.candidates.join(', ')}); use its location or UUID, or add source`);
      } else if (complete) {
        const hint = hints-- > 0 ? didYouMean(event.vm, found.candidates) : '';
        error(at(path('vm')), 'unknown-vm', `no sim Source's inventory has a VM named, located or identified ${quoted(event.vm)}${hint}`);
      }
      continue;
    }
    checkDisk(event, found.instance.uuid, found.instance.disks.map((d) => d.name), disks, at(path('disk')), error);
  }
}

function checkDisk(
  event: SimulationEvent,
  vm: string,
  inventoryDisks: string[],
  disks: Map<string, Set<string>>,
  origin: Origin,
  error: (origin: Origin, code: string, message: string) => void,
): void {
  if (!('disk' in event)) return;
  let known = disks.get(vm);
  if (!known) disks.set(vm, (known = new Set(inventoryDisks)));
  if (event.type === 'add_disk') {
    if (known.has(event.disk)) error(origin, 'duplicate-disk', `VM ${event.vm} already has a disk ${quoted(event.disk)} at this time`);
    known.add(event.disk);
    return;
  }
  if (!known.has(event.disk)) {
    error(origin, 'unknown-disk', `VM ${event.vm} has no disk ${quoted(event.disk)} at this time${didYouMean(event.disk, known)}`);
    return;
  }
  if (event.type === 'remove_disk') known.delete(event.disk);
}
