// What a pass covers of a disk, as byte ranges in the order they are copied, and the chunks the
// copy is written, verified and checkpointed in. Pure: the passes build plans, the copy walks them.

/** A byte range of a disk. */
export interface Range {
  start: number;
  length: number;
}

/** The unit of writing, verifying and checkpointing. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** The chunks of a plan, in order: each range cut at `chunkBytes` from its start. */
export function* chunksOf(plan: readonly Range[], chunkBytes = CHUNK_BYTES): Generator<Range> {
  for (const range of plan) {
    for (let at = 0; at < range.length; at += chunkBytes) yield { start: range.start + at, length: Math.min(chunkBytes, range.length - at) };
  }
}

export function planBytes(plan: readonly Range[]): number {
  return plan.reduce((sum, range) => sum + range.length, 0);
}

/**
 * Changed areas as vCenter reports them (possibly overlapping, adjacent or past the end) as a
 * plan: sorted, merged, clipped to the capacity.
 */
export function mergeAreas(areas: readonly Range[], capacity: number): Range[] {
  const sorted = areas
    .map((a) => ({ start: Math.max(0, a.start), end: Math.min(capacity, a.start + a.length) }))
    .filter((a) => a.end > a.start)
    .sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const area of sorted) {
    const last = out[out.length - 1];
    if (last && area.start <= last.start + last.length) {
      last.length = Math.max(last.length, area.end - last.start);
    } else {
      out.push({ start: area.start, length: area.end - area.start });
    }
  }
  return out;
}
