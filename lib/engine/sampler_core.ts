/**
 * State shared by a Sampler and the objects it creates: the native handle,
 * the clock, the queue of events waiting to be sent, and the window logic
 * that sends them to the engine in batches.
 *
 * Thread: CT. Sends events only through an EventBatch (ms_push_events with
 * one reused buffer of records); never more than `budget` per window, so the
 * engine's ring (ringCapacity events) cannot overflow during an offline render.
 * No pointers or raw buffers here: those stay in lib/ffi.
 *
 * @module
 */
import { EventBatch } from "../ffi/event_batch.ts";
import type { ControlledEventRecord as EventRecord } from "../ffi/event_batch.ts";
import type { NativeInstrument, NativeSampler } from "../ffi/native.ts";
import { Clock } from "./clock.ts";
import { EventQueue } from "./scheduler.ts";

/** Something that must be finished before the sampler is destroyed (an open render file). */
export interface Closable {
  close(): void;
}

/** @internal Shared sampler state; scripts use Sampler, Instrument and RenderFile instead. */
export class SamplerCore {
  readonly native: NativeSampler;
  readonly clock: Clock;
  readonly queue: EventQueue = new EventQueue();
  /** Most events sent ahead in one window: half the ring. */
  readonly budget: number;
  readonly #batch: EventBatch;
  readonly #dirty = new Set<NativeInstrument>();
  readonly closables: Set<Closable> = new Set();
  /** A MIDI output's engine index by name, opened on first use (set by the Sampler: lib/midi/out.ts). */
  midiOutputIndex: ((name: string) => number) | undefined;

  constructor(native: NativeSampler, tempo: number) {
    this.native = native;
    this.clock = new Clock(native.config.sample_rate, tempo);
    this.budget = Math.max(1, native.config.ring_capacity >> 1);
    this.#batch = new EventBatch(native);
  }

  readonly #orbits = new Set<number>();

  /** Allocate an orbit's memory the first time a note sends to it (CT; the render thread cannot). */
  prepareOrbit(orbit: number): void {
    if (this.#orbits.has(orbit)) return;
    this.native.orbitPrepare(orbit);
    this.#orbits.add(orbit);
  }

  /** Queue an event (frame -1 = as soon as possible). */
  enqueue(ev: EventRecord): void {
    this.queue.push(ev);
  }

  /** Remember that an instrument's zones changed; it is committed before the next events go out. */
  markDirty(inst: NativeInstrument): void {
    this.#dirty.add(inst);
  }

  /** Forget pending changes and events of a disposed instrument. */
  forget(inst: NativeInstrument): void {
    this.#dirty.delete(inst);
    this.queue.removeWhere((ev) => ev.instrument === inst.id);
  }

  /** Commit every instrument whose zones changed since the last window. */
  commitDirty(): void {
    for (const inst of this.#dirty) {
      if (inst.alive) inst.commit(`Cannot update instrument ${inst.id}`);
    }
    this.#dirty.clear();
  }

  /**
   * Send the events due before frame `until`, at most `budget` of them unless
   * they are due now or late.
   *
   * @param until First frame not to send events for.
   * @param budget Most events to send for frames after now. @default half the ring
   * @returns The frame up to which every due event has been sent: `until`, or
   *   an earlier frame when the budget ran out (render no further than it).
   */
  pump(until: number, budget: number = this.budget): number {
    this.commitDirty();
    const now = this.native.now();
    let bound = until;
    let sent = 0;
    while (this.queue.size && this.queue.peekFrame() < until) {
      const frame = this.queue.peekFrame();
      if (sent >= budget && frame > now) {
        bound = frame;
        break;
      }
      const ev = this.queue.pop()!;
      this.#batch.add(ev);
      // a note's controls take ring records too (MS_CMD_CONTROLS, 3 a record): count them all
      sent += 1 + ((ev.controls?.length ?? 0) >> 1);
    }
    this.#batch.send();
    return bound;
  }
}
