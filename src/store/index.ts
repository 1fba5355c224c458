// The status store (DESIGN §2): the reconciler's branch, read and written with compare-and-swap.

export { StatusStoreError, type StatusErrorCode } from './errors.js';
export {
  filesToStatus,
  statusToFiles,
  STATUS_UPGRADES,
  upgradeRawTree,
  type RawFile,
  type RawTree,
  type StatusManifest,
  type StatusUpgrade,
} from './format.js';
export { renderConflictReport, REPORT_ENTRY_LIMIT } from './report.js';
export { openStatusStore, type Identity, type StatusBranch, type StoreCounters, type StatusSnapshot, type StatusStore, type StatusStoreOptions, type WriteOptions, type WriteResult } from './store.js';
export { type StatusCommit } from './commits.js';
export { examineStatusBranch, healthOf, WALK_LIMIT, type BranchHealth, type CommitProblem, type DamagedCommit, type Diagnosis } from './doctor.js';
export { describeProblem, planRepair, repairRefusal, writeRepair, type Refusal, type RepairPlan, type RepairRequest, type SkippedCommit } from './repair.js';
