/**
 * A reusable buffer of ms_event_t records sent with one ms_push_events call.
 *
 * Thread: CT. The fast path for schedulers: records are encoded into one
 * Uint8Array that lives as long as the batch, so sending N events costs
 * N / capacity FFI calls and no allocation.
 *
 * @module
 */
import { encodeEvent, EVENT, type EventRecord } from "./layout.ts";
import type { NativeSampler } from "./native.ts";

/** MS_EV_CONTROL: one per-note control for the note-on that follows it in the same push. */
export const EV_CONTROL = 9;

/** A note-on with per-note controls: [id, value, id, value, ...] in the engine's units. */
export interface ControlledEventRecord extends EventRecord {
  controls?: readonly number[];
}

/** Records per ms_push_events call by default. */
export const DEFAULT_BATCH_RECORDS = 256;

/**
 * Encodes events and pushes them in batches.
 */
export class EventBatch {
  readonly #sampler: NativeSampler;
  readonly #bytes: Uint8Array<ArrayBuffer>;
  readonly #view: DataView;
  readonly #capacity: number;
  #count = 0;
  /** Events the engine refused because its ring was full (it counts them too). */
  dropped = 0;

  /**
   * @param sampler The sampler to push to.
   * @param capacity Records per call. @default 256
   */
  constructor(sampler: NativeSampler, capacity: number = DEFAULT_BATCH_RECORDS) {
    this.#sampler = sampler;
    this.#capacity = capacity;
    this.#bytes = new Uint8Array(capacity * EVENT.size);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Records waiting to be sent. */
  get pending(): number {
    return this.#count;
  }

  /**
   * Encode one event (a note-on's controls first, as MS_EV_CONTROL records in
   * the same push as their note); sends the batch when it is full.
   *
   * @throws {MidiSamplerError} when the engine rejects the batch (the message names the record).
   * @throws {RangeError} when a note's controls do not fit one batch.
   */
  add(ev: ControlledEventRecord): void {
    const c = ev.controls;
    if (c && c.length) {
      const n = c.length >> 1;
      if (n + 1 > this.#capacity) {
        throw new RangeError(
          `Cannot send note: ${n} controls do not fit a batch of ${this.#capacity}`,
        );
      }
      if (this.#count + n + 1 > this.#capacity) this.send();
      for (let i = 0; i < c.length; i += 2) {
        encodeEvent(this.#view, this.#count++ * EVENT.size, {
          frame: ev.frame,
          instrument: ev.instrument,
          type: EV_CONTROL,
          note: ev.note,
          velocity: 0,
          number: c[i]!,
          value: c[i + 1]!,
          gainDb: 0,
          pan: 0,
          tuneCents: 0,
          offsetFrames: 0,
        });
      }
    }
    encodeEvent(this.#view, this.#count * EVENT.size, ev);
    if (++this.#count === this.#capacity) this.send();
  }

  /**
   * Push the pending records now.
   *
   * @returns How many the engine took.
   * @throws {MidiSamplerError} when the engine rejects the batch; the records are discarded.
   */
  send(): number {
    const n = this.#count;
    if (n === 0) return 0;
    this.#count = 0;
    const pushed = this.#sampler.pushEvents(this.#bytes, n);
    this.dropped += n - pushed;
    return pushed;
  }
}
