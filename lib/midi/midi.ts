/**
 * MIDI on a Sampler: declare a mapping (compiled into engine tables, so a
 * controller's notes reach the voices with no JavaScript in the path), open
 * inputs (raw devices and FIFOs, the ALSA sequencer; JACK MIDI comes with
 * `startOutput({ midiIn: true })`), add JavaScript handlers (`onNote`,
 * `onCC`) for custom logic, follow an external MIDI clock, and read the
 * input-latency distribution.
 *
 * Thread: CT. Handlers run on the JavaScript thread: a loop awaits
 * `ms_midi_wait` on Deno's nonblocking FFI pool and drains the engine's poll
 * ring, so an input thread is never blocked by JavaScript. The loop runs
 * only while a handler is registered (it keeps the process alive; close()
 * or removing the last handler ends it).
 *
 * @module
 */
import { EV, eventRecord, MIDI } from "../ffi/layout.ts";
import { PARAM_CONTROL, PARAM_CONTROL_CLEAR } from "../ffi/control_table.ts";
import { NativeMidi, type NativeMidiInput } from "../ffi/native_midi.ts";
import type { SamplerCore } from "../engine/sampler_core.ts";
import type { Time } from "../engine/clock.ts";
import { histogramPercentile } from "../util/histogram.ts";
import { compileMidiMap } from "./compile.ts";
import { type MidiOut, type MidiOutOptions, MidiOutputs } from "./out.ts";
import type { MidiMap, MidiMapInput } from "./schema.ts";

/** A note message as handlers see it. */
export interface NoteMessage {
  /** MIDI channel 1..16. */
  channel: number;
  note: number;
  /** 1..127 for note-on; the release velocity (often 0) for note-off. */
  velocity: number;
  /** true for note-on (velocity > 0). */
  on: boolean;
  /** CLOCK_MONOTONIC nanoseconds at arrival. */
  arrivalNs: bigint;
  /** "raw", "alsa-seq" or "jack". */
  source: MidiSourceName;
}

/** A control change as handlers see it. */
export interface CCMessage {
  /** MIDI channel 1..16. */
  channel: number;
  /** Controller 0..127. */
  cc: number;
  value: number;
  arrivalNs: bigint;
  source: MidiSourceName;
}

/** Any message (channel messages, start/stop/continue, song position, ...). */
export interface RawMidiMessage {
  status: number;
  data1: number;
  data2: number;
  arrivalNs: bigint;
  source: MidiSourceName;
}

/** Where a message came from. */
export type MidiSourceName = "events" | "raw" | "alsa-seq" | "jack";
const SOURCES: MidiSourceName[] = ["events", "raw", "alsa-seq", "jack"];

/** What {@linkcode Midi.openInput} opens. */
export type MidiInputOptions =
  /** A raw MIDI device (/dev/snd/midiC1D0) or any byte stream, e.g. a FIFO. */
  | { raw: string }
  /** The ALSA sequencer port "midi-sampler:in"; `connect` ("CLIENT:PORT", e.g. "20:0") is connected at start. */
  | { alsaSeq: true; connect?: string };

/** MIDI counters and the input-latency distribution. */
export interface MidiStats {
  /** Channel messages received from every input. */
  messages: number;
  /** Messages lost because a ring was full. */
  dropped: number;
  clockTicks: number;
  /** External tempo estimated from the clock's arrival stamps; 0 = no clock seen. */
  clockBpm: number;
  /** Transport state from start/continue (true) and stop (false). */
  clockRunning: boolean;
  /** Arrival to the render thread rendering the message's frame (add the output latency for the ear). */
  latency: { count: number; meanNs: number; maxNs: number; p50Ns: number; p99Ns: number };
  /** The engine's latency histogram (eighth-octave buckets from 1 µs, as the render histogram). */
  latencyHistogram: number[];
}

/** An open MIDI input; close it with `using` or `close()`. */
export class MidiInput implements Disposable {
  readonly #native: NativeMidiInput;
  readonly #onClose: () => void;
  /** What was opened, for messages. */
  readonly name: string;

  /** @internal Use `sampler.midi.openInput`. */
  constructor(native: NativeMidiInput, name: string, onClose: () => void) {
    this.#native = native;
    this.name = name;
    this.#onClose = onClose;
  }

  /** True until closed. */
  get open(): boolean {
    return this.#native.open;
  }

  /** Stop the reader thread and close the device; idempotent. */
  close(): void {
    if (!this.#native.open) return;
    this.#native.close();
    this.#onClose();
  }

  /** Same as close(), for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

type Handler<T> = (msg: T) => void;

/**
 * The MIDI side of a sampler (`sampler.midi`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sampler } from "../engine/sampler.ts";
 * using sampler = Sampler.open();
 * const sine = new Float32Array(48000).map((_, i) => Math.sin(i / 48000 * 2 * Math.PI * 440));
 * const piano = sampler.createInstrument("piano");
 * piano.addZone(sampler.createSample(sine), { rootKey: 69 });
 * sampler.midi.setMap({ layers: [{ instrument: "piano", transpose: 12 }] });
 * sampler.midi.send([0x90, 57, 100], { at: 0 }); // plays key 69 on "piano"
 * const audio = sampler.process(4800);
 * assert(audio.some((x) => Math.abs(x) > 0.1));
 * ```
 */
export class Midi {
  readonly #core: SamplerCore;
  readonly #native: NativeMidi;
  readonly #instrumentId: (name: string) => number | undefined;
  readonly #inputs = new Set<MidiInput>();
  readonly #note = new Set<Handler<NoteMessage>>();
  readonly #cc = new Set<Handler<CCMessage>>();
  readonly #raw = new Set<Handler<RawMidiMessage>>();
  #loop: Promise<void> | undefined;
  #closed = false;
  #followClock = false;
  #map: MidiMap | undefined;
  /** Instrument-level control values the current map's layers set: instrument id to control ids. */
  #layerControls = new Map<number, Set<number>>();

  readonly #outputs: MidiOutputs;

  /** @internal Use `sampler.midi`. */
  constructor(
    core: SamplerCore,
    instrumentId: (name: string) => number | undefined,
    liveBackend: () => "alsa" | "jack" | undefined = () => undefined,
  ) {
    this.#core = core;
    this.#native = new NativeMidi(core.native);
    this.#instrumentId = instrumentId;
    this.#outputs = new MidiOutputs(core, this.#native, liveBackend);
  }

  /**
   * A MIDI output by name, opened on first use (lib/midi/out.ts): a JACK MIDI
   * port "<client>:<name>" while the sampler plays on JACK, an ALSA sequencer
   * port on ALSA, a capture ring offline. Every message leaves on its frame.
   *
   * @param name The port's name (1..63 characters, no ":").
   * @param options Kind and a port to connect to.
   * @returns The output (the same object for the same name).
   * @throws {DeviceError} when the port cannot be registered or connected.
   * @throws {EngineStateError} for "jack" without a JACK output open.
   */
  output(name: string, options?: MidiOutOptions): MidiOut {
    return this.#outputs.get(name, options);
  }

  /** Every MIDI output opened, in order. */
  get outputs(): MidiOut[] {
    return this.#outputs.all;
  }

  /**
   * A note-off for every note sounding on every MIDI output (hush, quit).
   *
   * @param at When. @default the next block
   */
  panicOutputs(at?: Time): void {
    this.#outputs.panic(at);
  }

  /**
   * Hush the MIDI outputs: drop their queued note-ons, then a note-off for
   * every note sounding at `at`.
   *
   * @param at When. @default the next block
   */
  hushOutputs(at?: Time): void {
    this.#outputs.hush(at);
  }

  /**
   * Replace the mapping. It is checked and compiled here, then swapped in
   * by the render thread between two blocks (hot reload: notes already
   * sounding are released through the mapping that started them).
   *
   * @param map Layers, controllers, channel settings; see docs/midi.md.
   * @param file The file it came from, for messages.
   * @throws {MidiMapError} for a malformed mapping (the message and `path` name the field)
   *   or an unknown instrument name.
   */
  setMap(map: MidiMapInput | MidiMap, file?: string): void {
    const compiled = compileMidiMap(map, this.#instrumentId, file);
    this.#core.commitDirty(); // the instruments' zones reach RT before the first note
    this.#native.setMap(compiled.layers, compiled.ccMaps, compiled.channels);
    this.#map = map as MidiMap;
    this.#setLayerControls(compiled.controls);
  }

  /** Send the layers' controls as instrument-level values; clear the previous map's others. */
  #setLayerControls(controls: Map<number, number[]>): void {
    const param = (instrument: number, number: number, value: number) =>
      this.#core.enqueue(eventRecord({ frame: -1, instrument, type: EV.PARAM, number, value }));
    const next = new Map<number, Set<number>>();
    for (const [inst, pairs] of controls) {
      const ids = new Set<number>();
      for (let i = 0; i < pairs.length; i += 2) {
        param(inst, PARAM_CONTROL + pairs[i]!, pairs[i + 1]!);
        ids.add(pairs[i]!);
      }
      next.set(inst, ids);
    }
    for (const [inst, ids] of this.#layerControls) {
      for (const id of ids) {
        if (!next.get(inst)?.has(id)) param(inst, PARAM_CONTROL_CLEAR + id, 0);
      }
    }
    this.#layerControls = next;
  }

  /** The mapping last set, as given. */
  get map(): MidiMap | undefined {
    return this.#map;
  }

  /**
   * Open a MIDI input read on an engine thread.
   *
   * @param options `{ raw: path }` or `{ alsaSeq: true, connect? }`.
   * @returns The input.
   * @throws {SampleLoadError} (code MS_ERR_FILE_NOT_FOUND) when the raw path does not exist.
   * @throws {DeviceError} when the device cannot be opened (the ALSA sequencer without /dev/snd/seq).
   * @throws {LimitError} when 4 inputs are open.
   */
  openInput(options: MidiInputOptions): MidiInput {
    const raw = "raw" in options;
    const path = raw ? options.raw : options.connect ?? "";
    const native = this.#native.openInput(raw ? MIDI.IN_RAW : MIDI.IN_ALSA_SEQ, path);
    const input = new MidiInput(
      native,
      raw ? path : `midi-sampler:in${path ? ` <- ${path}` : ""}`,
      () => this.#inputs.delete(input),
    );
    this.#inputs.add(input);
    return input;
  }

  /**
   * Send raw MIDI bytes through the mapping at a time, like an input would
   * (offline renders, tests, scripted performances).
   *
   * @param bytes Channel messages; running status and several messages are fine.
   * @param options `at`: when (frames, seconds or beats). @default the next block
   * @throws {RangeError} for a byte outside 0..255.
   */
  send(bytes: readonly number[] | Uint8Array, options: { at?: Time } = {}): void {
    this.#core.native.assertAlive("Cannot send MIDI");
    const frame = options.at === undefined ? -1 : this.#core.clock.framesFor(options.at);
    let status = 0;
    let need = 0;
    const data: number[] = [];
    for (const b of bytes) {
      if (!Number.isInteger(b) || b < 0 || b > 255) {
        throw new RangeError(`Cannot send MIDI: byte ${b} is outside 0..255`);
      }
      if (b >= 0xf8) continue; // real-time bytes have no meaning for the map
      if (b & 0x80) {
        status = b < 0xf0 ? b : 0;
        need = (b & 0xf0) === 0xc0 || (b & 0xf0) === 0xd0 ? 1 : 2;
        data.length = 0;
        continue;
      }
      if (!status) continue;
      data.push(b);
      if (data.length < need) continue;
      this.#core.enqueue(eventRecord({
        frame,
        type: EV.MIDI,
        number: status | data[0]! << 8 | (data[1] ?? 0) << 16,
      }));
      data.length = 0;
    }
  }

  /**
   * Call `handler` for each note-on and note-off from the inputs.
   *
   * @returns A function that removes the handler.
   */
  onNote(handler: Handler<NoteMessage>): () => void {
    return this.#add(this.#note, handler);
  }

  /**
   * Call `handler` for each control change from the inputs.
   *
   * @returns A function that removes the handler.
   */
  onCC(handler: Handler<CCMessage>): () => void {
    return this.#add(this.#cc, handler);
  }

  /**
   * Call `handler` for every message (channel messages, start/stop/continue, ...).
   *
   * @returns A function that removes the handler.
   */
  onMessage(handler: Handler<RawMidiMessage>): () => void {
    return this.#add(this.#raw, handler);
  }

  /**
   * Let the sampler's clock follow an external MIDI clock: while handlers
   * listen (or at each {@linkcode Midi.syncClock} call), the tempo from the
   * clock's arrival stamps becomes the clock's tempo from the current beat.
   */
  followClock(on = true): void {
    this.#followClock = on;
    if (on) this.#ensureLoop();
  }

  /**
   * Apply the external tempo to the sampler's clock now.
   *
   * @returns The external tempo (0: no clock seen).
   */
  syncClock(): number {
    const bpm = this.stats().clockBpm;
    if (bpm >= 1 && bpm <= 1000) {
      const clock = this.#core.clock;
      const beat = clock.beatsAtFrame(this.#core.native.now());
      if (Math.abs(clock.bpmAt(beat) - bpm) > 0.05) clock.setTempo(bpm, beat);
    }
    return bpm;
  }

  /** Counters, external clock and input latency (no FFI call). */
  stats(): MidiStats {
    const cells = this.#native.statsCells();
    const f = NativeMidi.STATS_FIELDS;
    const get = (name: typeof f[number]) => Number(cells[f.indexOf(name)]!);
    const hist: number[] = [];
    for (let i = 0; i < 128; i++) hist.push(Number(cells[f.length + i]!));
    const count = get("latency_count");
    return {
      messages: get("messages"),
      dropped: get("dropped"),
      clockTicks: get("clock_ticks"),
      clockBpm: get("clock_bpm_milli") / 1000,
      clockRunning: get("clock_running") !== 0,
      latency: {
        count,
        meanNs: count ? get("latency_ns_total") / count : 0,
        maxNs: get("latency_ns_max"),
        p50Ns: histogramPercentile(hist, 0.5),
        p99Ns: histogramPercentile(hist, 0.99),
      },
      latencyHistogram: hist,
    };
  }

  /** Stop the handler loop and close every input; idempotent (the sampler's close calls it). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#note.clear();
    this.#cc.clear();
    this.#raw.clear();
    this.#native.wake();
    for (const input of [...this.#inputs]) input.close();
  }

  #add<T>(set: Set<Handler<T>>, handler: Handler<T>): () => void {
    set.add(handler);
    this.#ensureLoop();
    return () => {
      set.delete(handler);
      if (!this.#listening) this.#native.wake();
    };
  }

  get #listening(): boolean {
    return !this.#closed && this.#core.native.alive &&
      (this.#note.size + this.#cc.size + this.#raw.size > 0 || this.#followClock);
  }

  #ensureLoop(): void {
    if (this.#loop || !this.#listening) return;
    this.#native.poll(); // creates the engine's hub and starts filling the poll ring
    this.#loop = this.#run().finally(() => this.#loop = undefined);
  }

  async #run(): Promise<void> {
    while (this.#listening) {
      await this.#native.wait(100);
      if (!this.#listening) break;
      this.#dispatch();
      if (this.#followClock) this.syncClock();
    }
  }

  #dispatch(): void {
    for (const m of this.#native.poll()) {
      const source = SOURCES[m.source] ?? "raw";
      const raw: RawMidiMessage = { ...m, source };
      for (const h of this.#raw) h(raw);
      const kind = m.status & 0xf0;
      const channel = (m.status & 0x0f) + 1;
      if (kind === 0x90 || kind === 0x80) {
        const note: NoteMessage = {
          channel,
          note: m.data1,
          velocity: m.data2,
          on: kind === 0x90,
          arrivalNs: m.arrivalNs,
          source,
        };
        for (const h of this.#note) h(note);
      } else if (kind === 0xb0) {
        const cc: CCMessage = {
          channel,
          cc: m.data1,
          value: m.data2,
          arrivalNs: m.arrivalNs,
          source,
        };
        for (const h of this.#cc) h(cc);
      }
    }
  }
}
