/**
 * MIDI out: a named output the sampler sends MIDI messages into, each on
 * its exact frame. The messages travel the engine's event queue like notes
 * (`MS_EV_MIDI_OUT` records, sent a look-ahead in advance) and leave on the
 * render thread at their frame: into a JACK MIDI port (at the frame's offset
 * in JACK's period, with the audio of that frame), an ALSA sequencer port
 * (sent by an engine thread when that frame is heard), or a capture ring
 * (offline renders and tests read back each message's frame).
 *
 * Thread: CT. The engine counts the notes sounding on each output: `panic()`
 * answers every one of them with a note-off, so hush, a removed part and
 * quitting leave no note hanging on the synth.
 *
 * @module
 */
import { EV, eventRecord, MIDI_OUT_KIND } from "../ffi/layout.ts";
import type { MidiOutEventRecord, NativeMidi, NativeMidiOutput } from "../ffi/native_midi.ts";
import type { SamplerCore } from "../engine/sampler_core.ts";
import type { Time } from "../engine/clock.ts";
import { checkInt } from "../util/check.ts";

/** Where an output's messages go. */
export type MidiOutKind = "jack" | "alsa" | "capture";

/** Options of {@linkcode Midi.output}. */
export interface MidiOutOptions {
  /**
   * A JACK MIDI port on the sampler's JACK output, an ALSA sequencer port, or
   * a capture ring read back with `read()`.
   * @default the live output's backend ("jack" or "alsa"), "capture" without one
   */
  kind?: MidiOutKind;
  /**
   * Connect the port to this one when it opens: a JACK port ("fluidsynth:midi_00")
   * or an ALSA "CLIENT:PORT". @default nothing
   */
  connect?: string;
}

/** A message as a capture output sent it. */
export type MidiOutMessage = MidiOutEventRecord;

const KIND_CODE: Record<MidiOutKind, number> = {
  capture: MIDI_OUT_KIND.CAPTURE,
  jack: MIDI_OUT_KIND.JACK,
  alsa: MIDI_OUT_KIND.ALSA_SEQ,
};

/**
 * An open MIDI output (`sampler.midi.output(name)`); it lives as long as the
 * sampler. Channels are 1..16 as on a synth's panel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sampler } from "../engine/sampler.ts";
 * using sampler = Sampler.open();
 * const synth = sampler.midi.output("synth", { kind: "capture" });
 * synth.noteOn(1, 60, 100, { at: 480 });
 * synth.noteOff(1, 60, { at: 960 });
 * sampler.process(1200);
 * assert(synth.read().map((m) => m.frame).join() === "480,960");
 * ```
 */
export class MidiOut {
  /** Its name (the JACK or ALSA port's). */
  readonly name: string;
  /** Where its messages go. */
  readonly kind: MidiOutKind;
  readonly #core: SamplerCore;
  readonly #native: NativeMidiOutput;

  /** @internal Use `sampler.midi.output`. */
  constructor(core: SamplerCore, native: NativeMidiOutput, name: string, kind: MidiOutKind) {
    this.#core = core;
    this.#native = native;
    this.name = name;
    this.kind = kind;
  }

  /** @internal The engine's index of the output (MS_EV_MIDI_OUT records). */
  get index(): number {
    return this.#native.index;
  }

  #frame(at: Time | undefined): number {
    return at === undefined ? -1 : this.#core.clock.framesFor(at);
  }

  #push(frame: number, number: number): void {
    this.#core.native.assertAlive(`Cannot send MIDI on output "${this.name}"`);
    this.#core.enqueue(eventRecord({ frame, type: EV.MIDI_OUT, note: this.index, number }));
  }

  /**
   * Send one message: a channel voice message (status 0x80..0xEF and its data
   * bytes) or clock, start, continue, stop (0xF8, 0xFA, 0xFB, 0xFC).
   *
   * @param status The status byte.
   * @param data1 First data byte 0..127. @default 0
   * @param data2 Second data byte 0..127. @default 0
   * @param opts When. @default the next block
   * @throws {RangeError} for a status that is neither, or a data byte over 127.
   */
  send(status: number, data1 = 0, data2 = 0, opts?: { at?: Time }): void {
    const action = `Cannot send MIDI on output "${this.name}"`;
    checkInt("status", status, 0x80, 0xff, action);
    if (status >= 0xf0 && ![0xf8, 0xfa, 0xfb, 0xfc].includes(status)) {
      throw new RangeError(
        `${action}: status "0x${
          status.toString(16)
        }" is not a channel message or clock, start, continue, stop`,
      );
    }
    checkInt("data1", data1, 0, 127, action);
    checkInt("data2", data2, 0, 127, action);
    this.#push(this.#frame(opts?.at), status | data1 << 8 | data2 << 16);
  }

  /**
   * Start a note. Velocity 0 is a note-off, as in MIDI.
   *
   * @param channel 1..16.
   * @param note 0..127.
   * @param velocity 0..127.
   * @param opts When. @default the next block
   * @throws {RangeError} for a value out of range.
   */
  noteOn(channel: number, note: number, velocity: number, opts?: { at?: Time }): void {
    const action = `Cannot send note ${note} on MIDI output "${this.name}"`;
    checkInt("channel", channel, 1, 16, action);
    this.send(0x90 | (channel - 1), note, velocity, opts);
  }

  /**
   * Release a note.
   *
   * @param channel 1..16.
   * @param note 0..127.
   * @param opts When. @default the next block
   * @throws {RangeError} for a value out of range.
   */
  noteOff(channel: number, note: number, opts?: { at?: Time }): void {
    const action = `Cannot release note ${note} on MIDI output "${this.name}"`;
    checkInt("channel", channel, 1, 16, action);
    this.send(0x80 | (channel - 1), note, 0, opts);
  }

  /**
   * A control change.
   *
   * @param channel 1..16.
   * @param controller 0..127.
   * @param value 0..127.
   * @param opts When. @default the next block
   * @throws {RangeError} for a value out of range.
   */
  cc(channel: number, controller: number, value: number, opts?: { at?: Time }): void {
    const action = `Cannot send CC ${controller} on MIDI output "${this.name}"`;
    checkInt("channel", channel, 1, 16, action);
    this.send(0xb0 | (channel - 1), controller, value, opts);
  }

  /**
   * At `at`, a note-off for every note sounding on this output (each note-on
   * not yet answered), as the engine counted them.
   *
   * @param opts When. @default the next block
   */
  panic(opts?: { at?: Time }): void {
    this.#push(this.#frame(opts?.at), 0);
  }

  /**
   * Drop this output's messages still waiting in the event queue (not yet
   * handed to the engine) for which `which(status, data1, data2)` is true.
   *
   * @returns How many were dropped.
   */
  dropQueued(which: (status: number, data1: number, data2: number) => boolean): number {
    const index = this.index;
    return this.#core.queue.removeWhere((ev) =>
      ev.type === EV.MIDI_OUT && ev.note === index && ev.number !== 0 &&
      which(ev.number & 0xff, (ev.number >> 8) & 0xff, (ev.number >> 16) & 0xff)
    );
  }

  /**
   * Messages a capture output sent since the last call, in the order they
   * left, with their frames (other kinds return nothing: JACK or ALSA takes them).
   */
  read(): MidiOutMessage[] {
    return this.#native.read();
  }

  /** Messages sent, dropped (a ring was full) and notes sounding now. */
  counts(): { sent: number; dropped: number; sounding: number } {
    return this.#native.counts();
  }
}

/** @internal The outputs of one sampler, by name (lib/midi/midi.ts holds one). */
export class MidiOutputs {
  readonly #core: SamplerCore;
  readonly #native: NativeMidi;
  readonly #liveBackend: () => "alsa" | "jack" | undefined;
  readonly #byName = new Map<string, MidiOut>();

  constructor(
    core: SamplerCore,
    native: NativeMidi,
    liveBackend: () => "alsa" | "jack" | undefined,
  ) {
    this.#core = core;
    this.#native = native;
    this.#liveBackend = liveBackend;
  }

  /** Every output opened, in order. */
  get all(): MidiOut[] {
    return [...this.#byName.values()];
  }

  /** The output named `name`, opened on first use. */
  get(name: string, options: MidiOutOptions = {}): MidiOut {
    const have = this.#byName.get(name);
    if (have) {
      if (options.kind && options.kind !== have.kind) {
        throw new RangeError(
          `Cannot open MIDI output "${name}" as "${options.kind}": it is open as "${have.kind}"`,
        );
      }
      return have;
    }
    const kind = options.kind ?? this.#liveBackend() ?? "capture";
    const native = this.#native.openOutput(KIND_CODE[kind], name, options.connect ?? "");
    const out = new MidiOut(this.#core, native, name, kind);
    this.#byName.set(name, out);
    return out;
  }

  /** A note-off for every sounding note of every output, at `at`. */
  panic(at?: Time): void {
    for (const out of this.#byName.values()) out.panic(at === undefined ? {} : { at });
  }

  /**
   * Silence at `at` (the next block without): drop the note-ons still
   * waiting in the event queue (their note-offs stay: harmless), then a
   * note-off for every note sounding at `at`.
   */
  hush(at?: Time): void {
    if (!this.#byName.size) return;
    this.#core.queue.removeWhere((ev) =>
      ev.type === EV.MIDI_OUT && (ev.number & 0xf0) === 0x90 && ((ev.number >> 16) & 0x7f) > 0
    );
    this.panic(at);
  }
}
