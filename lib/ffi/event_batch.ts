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
   * Encode one event; sends the batch when it is full.
   *
   * @throws {MidiSamplerError} when the engine rejects the batch (the message names the record).
   */
  add(ev: EventRecord): void {
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
