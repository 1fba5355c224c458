// The crash points: named steps at which a process can be killed on purpose, by FERRY_CRASH_AT or
// a Simulation's `crash` event (docs/simulator.md, "Crash points"). The reconcile loop and the
// simulator name their steps with this type, so a step a document names is one that is reached.

/** The kinds of provider call (engine/actions.ts checks that its Action kinds are these). */
export const ACTION_KINDS = [
  'create_instance',
  'import_disks',
  'cancel_operation',
  'power_off_source',
  'power_on_source',
  'post_import',
  'finalize_instance',
  'delete_instance',
] as const;

export type ActionKind = (typeof ACTION_KINDS)[number];

export type CrashStep =
  | 'tick:observe'
  | 'tick:commit:before'
  | 'tick:commit:after'
  | `act:${ActionKind}:${'before' | 'after'}`
  | `sim:${ActionKind}:${'before' | 'after'}`
  | `sim:advance:${'before' | 'after'}`
  | 'sim:compact:history';

/** Every crash step, in the order a tick reaches them. */
export const CRASH_STEPS: readonly CrashStep[] = [
  'tick:observe',
  'tick:commit:before',
  'tick:commit:after',
  ...ACTION_KINDS.flatMap((kind) => [`act:${kind}:before`, `sim:${kind}:before`, `sim:${kind}:after`, `act:${kind}:after`] as const),
  'sim:advance:before',
  'sim:advance:after',
  'sim:compact:history',
];

const KNOWN = new Set<string>(CRASH_STEPS);

export function isCrashStep(step: string): step is CrashStep {
  return KNOWN.has(step);
}
