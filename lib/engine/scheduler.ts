/**
 * The TypeScript side of scheduling ahead: events wait here, ordered by
 * frame, until the sampler releases the ones due inside the next window.
 *
 * Thread: CT. Pure, no FFI. A binary min-heap on (frame, insertion order), so
 * events at the same frame keep the order the script gave them.
 * `MS_FRAME_NOW` events are stored with frame -1 and so come out first.
 *
 * @module
 */
import type { ControlledEventRecord as EventRecord } from "../ffi/event_batch.ts";

interface Entry {
  seq: number;
  ev: EventRecord;
}

/**
 * Min-heap of pending events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventQueue } from "./scheduler.ts";
 * const q = new EventQueue();
 * const ev = { frame: 10, instrument: 1, type: 1, note: 60, velocity: 100, number: 0, value: 0,
 *   gainDb: 0, pan: 0, tuneCents: 0, offsetFrames: 0 };
 * q.push(ev);
 * assert(q.peekFrame() === 10 && q.pop() === ev && q.size === 0);
 * ```
 */
export class EventQueue {
  #heap: Entry[] = [];
  #seq = 0;

  /** Number of pending events. */
  get size(): number {
    return this.#heap.length;
  }

  /** Add an event. */
  push(ev: EventRecord): void {
    const h = this.#heap;
    const entry: Entry = { seq: this.#seq++, ev };
    // sift up with a hole: one store per level, no temporary arrays
    let i = h.length;
    h.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (!less(entry, p)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = entry;
  }

  /** Frame of the earliest event, or Infinity when empty. */
  peekFrame(): number {
    const h = this.#heap;
    return h.length ? h[0]!.ev.frame : Infinity;
  }

  /** Remove and return the earliest event. */
  pop(): EventRecord | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n && less(h[r]!, h[c]!)) c = r;
        const child = h[c]!;
        if (!less(child, last)) break;
        h[i] = child;
        i = c;
      }
      h[i] = last;
    }
    return top.ev;
  }

  /**
   * Drop every event matching `predicate` (e.g. those of a disposed instrument).
   *
   * @returns How many were dropped.
   */
  removeWhere(predicate: (ev: EventRecord) => boolean): number {
    const kept = this.#heap.filter((e) => !predicate(e.ev));
    const dropped = this.#heap.length - kept.length;
    if (dropped) {
      kept.sort((a, b) => (less(a, b) ? -1 : 1));
      this.#heap = kept; // a sorted array is a valid heap
    }
    return dropped;
  }

  /** Drop everything. */
  clear(): void {
    this.#heap = [];
  }
}

function less(a: Entry, b: Entry): boolean {
  const fa = a.ev.frame, fb = b.ev.frame;
  return fa < fb || (fa === fb && a.seq < b.seq);
}
