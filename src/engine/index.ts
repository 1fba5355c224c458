// The migration engine: pure decisions over the desired state, the status and what was observed.

export { decide } from './decide.js';
export type { Change, DecideInput, Decision } from './decision.js';
export { compileDesired, UnvalidatedDesiredState, type CompiledBatch, type CompiledConstraint, type CompiledDesired } from './compiled.js';
export { checkModifications, modificationProblems, startedSpecOf, type ModificationCheck, type ModificationOptions, type ProtectedPart } from './modification.js';
export { entryLife, type EntryLife, type EntryLifeResult, type LifeTransition } from './entry-life.js';
export { explainInstance, type ExplainInput, type ExplainResult, type InstanceExplanation } from './explain.js';
export { blockReason, type BlockCode, type BlockReason } from './blocking.js';
export { owesPowerOn } from './entry-cleanup.js';
export { canceledOperationId, operationIdsToObserve } from './operations.js';
export { disksDigest } from './final-checks.js';
export { recordTargets } from './target-records.js';
export { sameRecord } from './same-record.js';
export { EvaluationBudgetError } from './evaluation.js';
export * from './windows.js';
export * from './status.js';
export * from './actions.js';
export * from './observations.js';
