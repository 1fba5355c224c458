// The built-in simulator: a simulated vCenter and Incus with a virtual clock, described by the
// repository (sim Sources' inventory files and the Simulation document). docs/simulator.md.

export { crashPoint } from './crash.js';
export { diskCopies, executedTwice, executionLog, findVm, operation, operations, targetInstances, vmPower, vmState, type DiskCopy, type TargetCopy, type TargetInstanceView } from './inspect.js';
export { createSimProviders } from './providers.js';
export { DEFAULT_START, SimulationDriftError, type WorldNote } from './seed.js';
export { openSimWorld, SimWorld, type OpenSimWorldOptions } from './sim-world.js';
export type { EndedOp, LogEntry, LogOutcome, OpState, WorldState } from './state.js';
export { removeWorldFiles, worldHolder } from './journal.js';
export { WorldFileError } from './jsonl.js';
export { readWorld, UnknownInWorld, worldView, type WorldFilter, type WorldView } from './view.js';
