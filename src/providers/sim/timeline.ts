// The virtual clock's timeline: operations that complete on their own, scripted events, the end
// of an unreachable spell. Moving the clock applies what is due in time order; at one instant,
// scripted events come first (in document order), then operations in the order they started.

import { applyEvent } from './events.js';
import type { EventState, OpState } from './state.js';
import { completeTargetOp } from './target-calls.js';
import { completeTransfer } from './transfer-calls.js';
import type { World } from './world.js';

/** The next time something happens on its own, or null when nothing is scheduled. */
export function nextEventAt(world: World): number | null {
  let next = world.nextDue()?.ends_at ?? Infinity;
  for (const event of world.state.events) {
    if (event.applied) continue;
    // A crash event is not applied by the clock: it waits, armed, for its step. Report its time once.
    if (event.event.type === 'crash' && event.event.at <= world.now) continue;
    if (event.event.at < next) next = event.event.at;
    break;
  }
  const sides = [...Object.values(world.state.sources), ...Object.values(world.state.targets)];
  for (const side of sides) {
    if (side.unreachable_until !== null && side.unreachable_until > world.now && side.unreachable_until < next) next = side.unreachable_until;
  }
  return Number.isFinite(next) ? next : null;
}

export function advance(world: World, to: number): void {
  for (;;) {
    const event = dueEvent(world, to);
    const op = dueOp(world, to);
    if (event && (!op || event.event.at <= op.ends_at!)) {
      world.state.now = Math.max(world.now, event.event.at);
      applyEvent(world, event);
    } else if (op) {
      world.state.now = Math.max(world.now, op.ends_at!);
      if (op.transfer) completeTransfer(world, op);
      else completeTargetOp(world, op);
    } else {
      break;
    }
  }
  world.state.now = Math.max(world.now, to);
}

/** The first scripted event due by `to` that the clock applies (events are kept sorted). */
function dueEvent(world: World, to: number): EventState | undefined {
  for (const event of world.state.events) {
    if (event.event.at > to) return undefined;
    if (!event.applied && event.event.type !== 'crash') return event;
  }
  return undefined;
}

function dueOp(world: World, to: number): OpState | undefined {
  const op = world.nextDue();
  return op && op.ends_at! <= to ? op : undefined;
}
