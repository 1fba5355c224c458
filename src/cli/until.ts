// `ferry apply --until TIME`: where the simulated clock stops. TIME is a timestamp as the
// documents write them (RFC 3339, or migration-manager's `2026-12-01 23:00:00`, which is UTC), or
// an offset from the simulated clock when apply starts (`+2h`, `+90m`, `+1h30m`).

import type { DesiredState } from '../model/desired.js';
import { parseDuration } from '../model/duration.js';
import { formatTimestamp, parseTimestamp } from '../model/timestamp.js';
import type { Clock, VirtualClock } from '../providers/ports.js';
import { OperatorError } from './failure.js';
import { quoted } from '../text/excerpt.js';

export type UntilSpec = { at: number } | { after: number };

/** Reads the option; a time that is neither form is an operator's mistake. */
export function parseUntil(text: string): UntilSpec {
  if (text.startsWith('+')) {
    const ms = parseDuration(text.slice(1));
    if (ms === undefined || ms <= 0) throw new OperatorError('invalid-until', `--until ${quoted(text)} is not an offset`, { hint: 'write +2h, +90m or +1h30m' });
    return { after: ms };
  }
  const parsed = parseTimestamp(text);
  if (!parsed.ok) throw new OperatorError('invalid-until', `--until ${quoted(text)} is not a time (${parsed.reason}), nor an offset`, { hint: 'write 2026-12-01T23:00:00Z, "2026-12-01 23:00:00" (UTC) or +2h' });
  return { at: parsed.ms };
}

/** Only a wholly simulated campaign runs on a clock that can be stopped: refused before anything is opened. */
export function requireSimulated(desired: DesiredState): void {
  const real = [...desired.sources.filter((s) => s.type !== 'sim').map((s) => `source ${s.meta.name} (${s.type})`), ...desired.targets.filter((t) => t.type !== 'sim').map((t) => `target ${t.meta.name} (${t.type})`)];
  if (real.length > 0) throw notSimulated(`it has real systems: ${real.join(', ')}`);
}

function notSimulated(why: string): OperatorError {
  return new OperatorError('until-needs-simulator', `--until stops the simulated clock, and this campaign runs on the real clock (${why})`, { hint: 'use --until-idle or --watch' });
}

/**
 * The time the clock stops at, against the clock the campaign runs on: only the simulator's
 * clock can be stopped, and never before where it is.
 */
export function untilOn(spec: UntilSpec, clock: Clock | VirtualClock, text: string): number {
  if (clock.virtual !== true) throw notSimulated('it has no simulated sources or targets');
  const now = clock.now();
  const at = 'at' in spec ? spec.at : now + spec.after;
  if (at < now) {
    throw new OperatorError('until-in-past', `--until ${text} is ${formatTimestamp(at)}, before the simulated clock (${formatTimestamp(now)}), which never goes back`, {
      hint: '"ferry sim show" shows where the clock is',
    });
  }
  return at;
}
