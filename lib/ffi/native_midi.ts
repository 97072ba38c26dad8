/**
 * Thin handles over the engine's MIDI functions (`ms_midi_*`): maps, inputs,
 * the poll ring and the MIDI stats block. The only code that holds an
 * `ms_midi_in_t` pointer or touches MIDI buffers.
 *
 * Thread: CT for every call here, except `wait`, which runs `ms_midi_wait`
 * on Deno's nonblocking FFI pool: it blocks a pool thread, never the
 * JavaScript thread and never an engine thread (the MIDI input threads and
 * the render thread only push into rings). A negative status becomes the
 * typed error of lib/errors.ts with the engine's detail message.
 *
 * @module
 */
import {
  encodeRecords,
  MIDI_CC_MAP,
  MIDI_CHANNEL,
  MIDI_LAYER,
  MIDI_MESSAGE,
  MIDI_OUT_EVENT,
  MIDI_STATS,
  MIDI_STATS_FIELDS,
} from "./layout.ts";
import { engine, type NativeSampler, strerror } from "./native.ts";
import { EngineStateError, errorFromCode } from "../errors.ts";

/** One compiled keyboard layer (ms_midi_layer_t), C field meaning. */
export interface LayerRecord {
  channelMask: number;
  loKey: number;
  hiKey: number;
  loVel: number;
  hiVel: number;
  /** 0..127, or 255 for any program. */
  program: number;
  transpose: number;
  instrument: number;
  /** 128 output velocities indexed by input velocity. */
  velocity: Uint8Array;
}

/** One compiled controller mapping (ms_midi_cc_map_t). */
export interface CcMapRecord {
  channelMask: number;
  controller: number;
  /** ms_instrument_id, or 0 for every instrument the channel's layers play. */
  instrument: number;
  /** MS_PARAM_*. */
  param: number;
  /** 128 parameter values indexed by controller value. */
  values: Float32Array;
}

/** Per-channel settings (ms_midi_channel_t). */
export interface ChannelRecord {
  /** Semitones set with each bend; -1 leaves the instrument's own. */
  bendRange: number;
  program: number;
  passCc: boolean;
}

/** A message from ms_midi_poll. */
export interface MidiMessageRecord {
  /** CLOCK_MONOTONIC nanoseconds at arrival. */
  arrivalNs: bigint;
  status: number;
  data1: number;
  data2: number;
  /** MS_MIDI_SOURCE_*. */
  source: number;
}

function lastMessage(ptr: Deno.PointerValue): string {
  const buf = new Uint8Array(1024);
  const len = engine().ms_error_message(ptr, buf, buf.length);
  return new TextDecoder().decode(buf.subarray(0, Math.min(len, buf.length - 1)));
}

function check(code: number, ptr: Deno.PointerValue, action: string): void {
  if (code >= 0) return;
  throw errorFromCode(code, lastMessage(ptr) || `${action}: ${strerror(code)}`);
}

/** Encode layers into ms_midi_layer_t records. */
export function encodeLayers(layers: readonly LayerRecord[]): Uint8Array<ArrayBuffer> {
  return encodeRecords(MIDI_LAYER, layers, (l) => ({
    channel_mask: l.channelMask,
    lo_key: l.loKey,
    hi_key: l.hiKey,
    lo_vel: l.loVel,
    hi_vel: l.hiVel,
    program: l.program,
    transpose: l.transpose,
    instrument: l.instrument,
  }), {
    arrays: (view, at, l) => {
      const velocity = MIDI_LAYER.fields.velocity.offset;
      new Uint8Array(view.buffer).set(l.velocity.subarray(0, 128), at + velocity);
    },
  });
}

/** Encode controller mappings into ms_midi_cc_map_t records. */
export function encodeCcMaps(maps: readonly CcMapRecord[]): Uint8Array<ArrayBuffer> {
  return encodeRecords(MIDI_CC_MAP, maps, (c) => ({
    channel_mask: c.channelMask,
    controller: c.controller,
    instrument: c.instrument,
    param: c.param,
  }), {
    arrays: (view, at, c) => {
      const values = at + MIDI_CC_MAP.fields.values.offset;
      for (let v = 0; v < 128; v++) view.setFloat32(values + v * 4, c.values[v]!, true);
    },
  });
}

/** Encode 16 channel settings into ms_midi_channel_t records. */
export function encodeChannels(channels: readonly ChannelRecord[]): Uint8Array<ArrayBuffer> {
  return encodeRecords(MIDI_CHANNEL, channels, (c) => ({
    bend_range: c.bendRange,
    program: c.program,
    pass_cc: c.passCc ? 1 : 0,
  }), { count: 16 });
}

/** The MIDI side of a NativeSampler. */
export class NativeMidi {
  readonly #sampler: NativeSampler;
  #stats: BigUint64Array | undefined;
  readonly #pollBuf = new Uint8Array(MIDI_MESSAGE.size * 256);

  constructor(sampler: NativeSampler) {
    this.#sampler = sampler;
  }

  #ptr(action: string): Deno.PointerValue {
    return this.#sampler.assertAlive(action);
  }

  /** ms_midi_map_set with compiled records. */
  setMap(
    layers: readonly LayerRecord[],
    ccMaps: readonly CcMapRecord[],
    channels: readonly ChannelRecord[],
  ): void {
    const action = "Cannot set MIDI map";
    const p = this.#ptr(action);
    check(
      engine().ms_midi_map_set(
        p,
        encodeLayers(layers),
        layers.length,
        encodeCcMaps(ccMaps),
        ccMaps.length,
        encodeChannels(channels),
      ),
      p,
      action,
    );
  }

  /** ms_midi_in_open: a raw device/stream (kind 1) or the ALSA sequencer (kind 2). */
  openInput(kind: number, path: string): NativeMidiInput {
    const action = `Cannot open MIDI input "${path}"`;
    const p = this.#ptr(action);
    const cell = new BigUint64Array(1);
    const enc = new TextEncoder().encode(path);
    const str = new Uint8Array(enc.length + 1);
    str.set(enc);
    check(engine().ms_midi_in_open(p, kind, str, new Uint8Array(cell.buffer)), p, action);
    return new NativeMidiInput(this.#sampler, Deno.UnsafePointer.create(cell[0]!));
  }

  /**
   * ms_midi_out_open: a capture ring (kind 0), a JACK MIDI port on the open
   * JACK output (1) or an ALSA sequencer port (2), connected to `connect`
   * when not empty.
   */
  openOutput(kind: number, name: string, connect: string): NativeMidiOutput {
    const action = `Cannot open MIDI output "${name}"`;
    const p = this.#ptr(action);
    const cell = new BigUint64Array(1);
    check(
      engine().ms_midi_out_open(
        p,
        kind,
        cString(name),
        cString(connect),
        new Uint8Array(cell.buffer),
      ),
      p,
      action,
    );
    const out = Deno.UnsafePointer.create(cell[0]!);
    return new NativeMidiOutput(this.#sampler, out, engine().ms_midi_out_index(out));
  }

  /** ms_midi_poll: every waiting message, oldest first (never blocks). */
  poll(): MidiMessageRecord[] {
    const p = this.#ptr("Cannot read MIDI messages");
    const out: MidiMessageRecord[] = [];
    const view = new DataView(this.#pollBuf.buffer);
    for (;;) {
      const n = engine().ms_midi_poll(p, this.#pollBuf, 256);
      for (let i = 0; i < n; i++) {
        const o = i * MIDI_MESSAGE.size;
        out.push({
          arrivalNs: view.getBigUint64(o, true),
          status: view.getUint8(o + 8),
          data1: view.getUint8(o + 9),
          data2: view.getUint8(o + 10),
          source: view.getUint8(o + 11),
        });
      }
      if (n < 256) return out;
    }
  }

  /** ms_midi_wait on the FFI pool: resolves 1 (messages or a wake) or 0 (timeout). */
  wait(timeoutMs: number): Promise<number> {
    const p = this.#ptr("Cannot wait for MIDI messages");
    return this.#sampler.holdWhile(engine().ms_midi_wait(p, timeoutMs));
  }

  /** ms_midi_wake: make a pending wait return. */
  wake(): void {
    if (this.#sampler.alive) engine().ms_midi_wake(this.#sampler.pointer);
  }

  /** The live ms_midi_stats_t block as uint64 cells (counters, then the latency histogram). */
  statsCells(): BigUint64Array {
    const p = this.#ptr("Cannot read MIDI stats");
    if (!this.#stats) {
      const sp = engine().ms_midi_stats_ptr(p);
      if (!sp) throw new EngineStateError("Cannot read MIDI stats: the engine returned no block");
      this.#stats = new BigUint64Array(Deno.UnsafePointerView.getArrayBuffer(sp, MIDI_STATS.size));
    }
    return this.#stats;
  }

  /** Counter names in the order of statsCells(). */
  static readonly STATS_FIELDS = MIDI_STATS_FIELDS;
}

function cString(text: string): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder().encode(text);
  const str = new Uint8Array(enc.length + 1);
  str.set(enc);
  return str;
}

/** A message a capture MIDI output sent (ms_midi_out_event_t). */
export interface MidiOutEventRecord {
  /** The absolute frame it left on. */
  frame: number;
  /** 1..3 bytes. */
  bytes: number[];
}

/** An open `ms_midi_out_t` (freed with its sampler). */
export class NativeMidiOutput {
  readonly #ptr: Deno.PointerValue;
  readonly #buf = new Uint8Array(MIDI_OUT_EVENT.size * 256);
  readonly #counts = new BigUint64Array(3);

  constructor(readonly sampler: NativeSampler, ptr: Deno.PointerValue, readonly index: number) {
    this.#ptr = ptr;
  }

  /** ms_midi_out_read: every message a capture output sent since the last read, in order. */
  read(): MidiOutEventRecord[] {
    this.sampler.assertAlive("Cannot read MIDI output");
    const out: MidiOutEventRecord[] = [];
    const view = new DataView(this.#buf.buffer);
    for (;;) {
      const n = engine().ms_midi_out_read(this.#ptr, this.#buf, 256);
      for (let i = 0; i < n; i++) {
        const o = i * MIDI_OUT_EVENT.size;
        const size = view.getUint8(o + MIDI_OUT_EVENT.fields.size.offset);
        const b = o + MIDI_OUT_EVENT.fields.bytes.offset;
        out.push({
          frame: Number(view.getBigUint64(o, true)),
          bytes: [...this.#buf.subarray(b, b + size)],
        });
      }
      if (n < 256) return out;
    }
  }

  /** ms_midi_out_counts: messages sent, dropped (a full ring), notes sounding now. */
  counts(): { sent: number; dropped: number; sounding: number } {
    this.sampler.assertAlive("Cannot read MIDI output counters");
    const c = this.#counts;
    engine().ms_midi_out_counts(
      this.#ptr,
      new Uint8Array(c.buffer, 0, 8),
      new Uint8Array(c.buffer, 8, 8),
      new Uint8Array(c.buffer, 16, 8),
    );
    return { sent: Number(c[0]), dropped: Number(c[1]), sounding: Number(c[2]) };
  }
}

/** An open `ms_midi_in_t`. */
export class NativeMidiInput {
  #ptr: Deno.PointerValue;

  constructor(readonly sampler: NativeSampler, ptr: Deno.PointerValue) {
    this.#ptr = ptr;
  }

  /** True until close(). */
  get open(): boolean {
    return this.#ptr !== null && this.sampler.alive;
  }

  /** ms_midi_in_close: stop the reader thread; idempotent (the sampler's close also closes it). */
  close(): void {
    const p = this.#ptr;
    this.#ptr = null;
    if (p !== null && this.sampler.alive) engine().ms_midi_in_close(p);
  }
}
