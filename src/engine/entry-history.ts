// An entry's transitions are never cut (the status archives what the entry no longer holds), so
// they must not grow with the length of a campaign: a back-and-forth that repeats — Idle ⇄
// background import every `background_sync_interval` for days, or a finalize retried — is folded
// into its two transitions, each counting how many more times it happened and when it last did.
// Nothing is lost but the times of the repeats in between. Pure.

import type { TransitionRecord } from './status.js';

const same = (a: TransitionRecord, b: TransitionRecord) => a.from === b.from && a.to === b.to && a.message === b.message && a.attempt === b.attempt;

/**
 * `history` with `next` appended. When the last three transitions and `next` are a back-and-forth
 * done twice (A, B, A, B — each B undoing its A), the second round is folded into the first: A and
 * B count one more repeat each and when it last happened. Between a round's halves the history
 * ends A, B, A, so its last transition is always the entry's current status. Copies what it changes.
 */
export function appendTransition(history: readonly TransitionRecord[], next: TransitionRecord): TransitionRecord[] {
  const n = history.length;
  if (n >= 3) {
    const a = history[n - 3]!;
    const b = history[n - 2]!;
    const again = history[n - 1]!;
    if (same(a, again) && same(b, next) && b.from === a.to && b.to === a.from && (a.repeats?.times ?? 0) === (b.repeats?.times ?? 0)) {
      const times = (a.repeats?.times ?? 0) + 1;
      return [...history.slice(0, n - 3), { ...a, repeats: { times, last_at: again.at } }, { ...b, repeats: { times, last_at: next.at } }];
    }
  }
  return [...history, next];
}
