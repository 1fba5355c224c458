// Running operations by the time they complete: a binary min-heap on (time, start order), so the
// clock finds the next completion in O(log n) even with tens of thousands of operations in flight.
// An entry goes stale when its operation ends early or stops waiting on the clock; stale entries
// are dropped when they reach the top.

export interface DueEntry {
  at: number;
  seq: number;
  id: string;
}

export class DueQueue {
  private readonly heap: DueEntry[] = [];

  push(entry: DueEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** The earliest entry that `current` still accepts, dropping stale ones on the way. */
  peek(current: (entry: DueEntry) => boolean): DueEntry | undefined {
    while (this.heap.length > 0 && !current(this.heap[0]!)) this.pop();
    return this.heap[0];
  }

  pop(): DueEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: DueEntry, b: DueEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
