/**
 * An instrument: a set of zones plus the events that play it.
 *
 * Thread: CT. Arguments are checked here, before anything reaches C: a note
 * of 128 or a velocity of -1 is a `RangeError` thrown by the call itself.
 * Events wait in the sampler's queue and reach the engine in batches when it
 * renders (see SamplerCore.pump), so a call costs no FFI round trip.
 *
 * @module
 */
import { encodeZoneMods, EV, eventRecord, NO_KEYSWITCH, PARAM, zoneRecord } from "../ffi/layout.ts";
import type { NativeInstrument } from "../ffi/native.ts";
import type { ControlledEventRecord } from "../ffi/event_batch.ts";
import type { Time } from "./clock.ts";
import { EngineStateError } from "../errors.ts";
import { controlPairs, type Controls, orbitOfPairs } from "./controls.ts";
import {
  CONTROL_BY_NAME,
  type ControlName,
  controlsBlock,
  PARAM_CONTROL,
  PARAM_CONTROL_CLEAR,
} from "../ffi/control_table.ts";
import { parseOptions, type ZoneOptions, ZoneOptionsSchema } from "./options.ts";
import type { Sample } from "./sample.ts";
import type { SamplerCore } from "./sampler_core.ts";
import { velocityCurveGains } from "./velocity_curve.ts";
import { zoneModRecords } from "./zone_mods.ts";
import { checkInt } from "../util/check.ts";

/** When an event happens: omitted = as soon as possible (the next block). */
export interface EventOptions {
  /** Absolute time; see {@linkcode Time}. @default the next block */
  at?: Time;
}

/** Per-note options of {@linkcode Instrument.noteOn}. */
export interface NoteOnOptions extends EventOptions {
  /** Added to the zone gain, -144..24 dB. @default 0 */
  gainDb?: number;
  /** Added to zone and instrument pan (result clamped to -1..1), -2..2. @default 0 */
  pan?: number;
  /** Detune in cents, -2400..2400. @default 0 */
  tuneCents?: number;
  /** Start this many frames into the sample (clamped to it). @default 0 */
  offset?: number;
  /** MIDI channel 0..15 the note arrives on (zones' midiChannels filter on it). @default 0 */
  channel?: number;
  /**
   * Per-note controls (superdough's names, the engine's units): filters,
   * envelopes, effects, orbit sends, e.g. `{ cutoff: 800, room: 0.3, vowel: "o" }`.
   * They override the zone's and the instrument's values for this note.
   * See lib/ffi/control_table.ts for every control, its unit and range. @default none
   */
  controls?: Controls;
  /**
   * Send the note to this MIDI output instead of playing it here: a note-on
   * on `channel` (0..15, MIDI channel 1..16) at its exact frame, through the
   * output `sampler.midi.output(name)` opens on first use (a JACK MIDI port
   * when playing on JACK). Gain, pan, detune, offset and controls do not
   * travel. Release it with `noteOff(note, { midiOut, channel })`. @default none
   */
  midiOut?: string;
}

/** Options of {@linkcode Instrument.noteOff}. */
export interface NoteOffOptions extends EventOptions {
  /** Release the note on this MIDI output (as sent with `noteOn`'s `midiOut`). @default none */
  midiOut?: string;
  /** Its MIDI channel 0..15 (with `midiOut`). @default 0 */
  channel?: number;
}

/** Instrument parameters settable with {@linkcode Instrument.setParam}, with their ranges. */
export const PARAMS = {
  /** -144..24 dB, smoothed. Default 0. */
  volumeDb: { id: PARAM.VOLUME_DB, min: -144, max: 24 },
  /** -1..1, smoothed. Default 0. */
  pan: { id: PARAM.PAN, min: -1, max: 1 },
  /** Semitones 0..48. Default 2. */
  pitchBendRange: { id: PARAM.PITCH_BEND_RANGE, min: 0, max: 48 },
  /** Cents at full mod wheel, 0..1200. Default 50. */
  vibratoDepth: { id: PARAM.VIBRATO_DEPTH, min: 0, max: 1200 },
  /** 0.01..40 Hz. Default 5.5. */
  vibratoRateHz: { id: PARAM.VIBRATO_RATE_HZ, min: 0.01, max: 40 },
  /** 0..1, like CC1. */
  modWheel: { id: PARAM.MOD_WHEEL, min: 0, max: 1 },
  /** 0 or 1, like CC64. */
  sustain: { id: PARAM.SUSTAIN, min: 0, max: 1 },
  /** Voices this instrument may hold, 1..4096. */
  polyphony: { id: PARAM.POLYPHONY, min: 1, max: 4096 },
  /** Stereo output pair index: channels 2b and 2b+1. Default 0. */
  outputBus: { id: PARAM.OUTPUT_BUS, min: 0, max: 15 },
  /** 0..1, like CC11. Default 1. */
  expression: { id: PARAM.EXPRESSION, min: 0, max: 1 },
  /** The current keyswitch key 0..127, 255 = none (SFZ sw_default). Default 255. */
  keyswitch: { id: PARAM.KEYSWITCH, min: 0, max: 127, none: NO_KEYSWITCH },
} as const;

/** One parameter's range; `none` is one more accepted value outside it. */
export interface ParamRange {
  readonly min: number;
  readonly max: number;
  readonly none?: number;
}

/**
 * Whether a parameter or per-note option takes `value` (the engine's own
 * check, ms_field_info's rule: min..max, or the `none` value).
 *
 * @param range A row of {@linkcode PARAMS} or {@linkcode NOTE_OPTIONS}.
 * @param value The value.
 * @returns True when the engine accepts it.
 */
export function inRange(range: ParamRange, value: number): boolean {
  return typeof value === "number" &&
    ((value >= range.min && value <= range.max) || value === range.none);
}

/**
 * Per-note options of {@linkcode Instrument.noteOn} that fill
 * ms_note_params_t, with their ranges (ms_field_info's MS_FIELDS_NOTE).
 */
export const NOTE_OPTIONS = {
  /** Added to the zone gain, dB. */
  gainDb: { member: "gain_db", min: -144, max: 24 },
  /** Added to zone and instrument pan (the sum is clamped to -1..1). */
  pan: { member: "pan", min: -2, max: 2 },
  /** Detune in cents. */
  tuneCents: { member: "tune_cents", min: -2400, max: 2400 },
  /** Frames into the sample (clamped to it). */
  offset: { member: "start_offset_frames", min: 0, max: 4294967295 },
} as const;

/** Name of an instrument parameter. */
export type ParamName = keyof typeof PARAMS;

/**
 * A playable instrument, made with `sampler.createInstrument(name)`.
 *
 * @example
 * ```ts ignore
 * import { Sampler } from "../mod.ts";
 * using sampler = Sampler.open();
 * const piano = sampler.createInstrument("piano");
 * piano.addZone(sampler.loadSample("samples/c4.wav"), { rootKey: 60 });
 * piano.noteOn(60, 100, { at: { beats: 0 } });
 * piano.noteOff(60, { at: { beats: 1 } });
 * ```
 */
export class Instrument implements Disposable {
  /** The name it was created with. */
  readonly name: string;
  /** The engine's id for this instrument (never 0). */
  readonly id: number;
  readonly #core: SamplerCore;
  readonly #native: NativeInstrument;

  /** @internal Use `sampler.createInstrument`. */
  constructor(core: SamplerCore, native: NativeInstrument, name: string) {
    this.#core = core;
    this.#native = native;
    this.name = name;
    this.id = native.id;
  }

  /** True until disposed or its sampler is closed. */
  get alive(): boolean {
    return this.#native.alive;
  }

  /** Number of zones. */
  get zoneCount(): number {
    return this.#native.zoneCount();
  }

  /**
   * Add a zone playing `sample`. Takes effect before the next events are sent.
   *
   * @param sample A sample of the same sampler; null for an oscillator zone (`source: "sawtooth"`...).
   * @param zone Key/velocity ranges, root key, loop, envelope, ...; see {@linkcode ZoneOptions}.
   * @returns The zone's index.
   * @throws {RangeError} for a zone option out of range (the message names it).
   * @throws {EngineStateError} when the instrument, sample or sampler is gone.
   * @throws {WrongSamplerError} for a sample of another sampler.
   */
  addZone(sample: Sample | null, zone: ZoneOptions = {}): number {
    const action = `Cannot add zone to instrument "${this.name}"`;
    const z = parseOptions(ZoneOptionsSchema, zone, action);
    const rec = zoneRecord(z);
    const index = this.#native.addZone(sample?.native ?? null, rec, action);
    if (z.velocityCurve) {
      this.#native.setVelocityCurve(index, velocityCurveGains(z.velocityCurve), action);
    }
    if (z.controls) {
      const pairs = controlPairs(z.controls as Controls, action);
      const values: [number, number][] = [];
      for (let i = 0; i < pairs.length; i += 2) values.push([pairs[i]!, pairs[i + 1]!]);
      this.#native.setZoneControls(index, controlsBlock(values), action);
      const orbit = orbitOfPairs(pairs);
      if (orbit !== undefined) this.#core.prepareOrbit(orbit);
    }
    if (z.mods?.length) {
      const rows = zoneModRecords(z.mods);
      this.#native.setZoneMods(index, encodeZoneMods(rows), rows.length, action);
    }
    this.#core.markDirty(this.#native);
    return index;
  }

  /**
   * The value zone modulation rows read from a CC until the instrument
   * receives one (SFZ set_ccN); sfizz's defaults otherwise (CC7 100, CC10 64,
   * CC11 127, others 0). Sends no CC: volume and pan stay as they are.
   *
   * @param cc Controller 0..127.
   * @param value 0..127.
   * @throws {RangeError} for a controller or value out of range.
   */
  setCcInit(cc: number, value: number): void {
    const action = `Cannot set the initial value of CC${cc} of "${this.name}"`;
    checkInt("cc", cc, 0, 127, action);
    if (!(value >= 0 && value <= 127)) {
      throw new RangeError(`${action}: value must be 0..127, got "${value}"`);
    }
    this.#native.setCcInit(cc, value, action);
    this.#core.markDirty(this.#native);
  }

  /**
   * Define one of the instrument's custom curves for zone rows (SFZ <curve>):
   * 128 values, index = source value 0..127, interpolated between.
   *
   * @param index Curve number 8..255 (a row's `curve`).
   * @param values 128 finite values, -1000..1000.
   * @throws {RangeError} for an index or value out of range.
   */
  setCurve(index: number, values: readonly number[]): void {
    const action = `Cannot set curve ${index} of "${this.name}"`;
    checkInt("index", index, 8, 255, action);
    if (values.length !== 128 || values.some((v) => !(v >= -1000 && v <= 1000))) {
      throw new RangeError(`${action}: give 128 values within -1000..1000`);
    }
    this.#native.setCurve(index, new Float32Array(values), action);
    this.#core.markDirty(this.#native);
  }

  /**
   * Remove every zone (voices playing keep their data until they end).
   *
   * @throws {EngineStateError} when the instrument or sampler is gone.
   */
  clearZones(): void {
    this.#native.clearZones(`Cannot clear zones of instrument "${this.name}"`);
    this.#core.markDirty(this.#native);
  }

  /**
   * Send zone changes to the render thread now rather than with the next events.
   *
   * @throws {EngineStateError} when the instrument or sampler is gone.
   */
  commit(): void {
    this.#native.commit(`Cannot update instrument "${this.name}"`);
  }

  #frame(opts: EventOptions | undefined, action: string): number {
    this.#assertAlive(action);
    const at = opts?.at;
    return at === undefined ? -1 : this.#core.clock.framesFor(at);
  }

  #assertAlive(action: string): void {
    if (!this.#native.alive) this.#native.assertAlive(action);
  }

  /**
   * Start a note.
   *
   * @param note MIDI key, integer 0..127.
   * @param velocity Integer 0..127; 0 releases the note, as in MIDI.
   * @param opts When, and per-note gain, pan, detune, start offset and controls.
   * @throws {RangeError} for a note, velocity or option out of range, before anything reaches C.
   * @throws {EngineStateError} when the instrument or sampler is gone.
   */
  noteOn(note: number, velocity: number, opts?: NoteOnOptions): void {
    checkInt("note", note, 0, 127, `Cannot play note on "${this.name}"`);
    checkInt("velocity", velocity, 0, 127, `Cannot play note ${note} on "${this.name}"`);
    const action = `Cannot play note ${note} on "${this.name}"`;
    let gainDb = 0, pan = 0, tuneCents = 0, offsetFrames = 0, channel = 0;
    if (opts) {
      if (opts.channel !== undefined) channel = checkInt("channel", opts.channel, 0, 15, action);
      const { gainDb: g, pan: p, tuneCents: t, offset: o } = NOTE_OPTIONS;
      if (opts.gainDb !== undefined) gainDb = checkNum("gainDb", opts.gainDb, g.min, g.max, action);
      if (opts.pan !== undefined) pan = checkNum("pan", opts.pan, p.min, p.max, action);
      if (opts.tuneCents !== undefined) {
        tuneCents = checkNum("tuneCents", opts.tuneCents, t.min, t.max, action);
      }
      if (opts.offset !== undefined) {
        offsetFrames = checkInt("offset", opts.offset, o.min, o.max, action);
      }
    }
    if (opts?.midiOut !== undefined) {
      this.#midiOut(
        opts.midiOut,
        0x90 | channel,
        note,
        velocity,
        this.#frame(opts, action),
        action,
      );
      return;
    }
    const controls = opts?.controls ? controlPairs(opts.controls, action) : undefined;
    if (controls) {
      const orbit = orbitOfPairs(controls);
      if (orbit !== undefined) this.#core.prepareOrbit(orbit);
    }
    const record: ControlledEventRecord = {
      frame: this.#frame(opts, action),
      instrument: this.id,
      type: EV.NOTE_ON,
      note,
      velocity,
      number: channel,
      value: 0,
      gainDb,
      pan,
      tuneCents,
      offsetFrames,
    };
    if (controls && controls.length) record.controls = controls;
    this.#core.enqueue(record);
  }

  /**
   * Release a note (its zones' release stage starts; one-shot zones play on).
   *
   * @param note MIDI key, integer 0..127.
   * @param opts When.
   * @throws {RangeError} for a note out of range.
   * @throws {EngineStateError} when the instrument or sampler is gone.
   */
  noteOff(note: number, opts?: NoteOffOptions): void {
    const action = `Cannot release note on "${this.name}"`;
    checkInt("note", note, 0, 127, action);
    if (opts?.midiOut !== undefined) {
      const channel = opts.channel === undefined
        ? 0
        : checkInt("channel", opts.channel, 0, 15, action);
      this.#midiOut(opts.midiOut, 0x80 | channel, note, 0, this.#frame(opts, action), action);
      return;
    }
    this.#event(EV.NOTE_OFF, note, 0, 0, this.#frame(opts, action));
  }

  /** A note message out of the named MIDI output (opened on first use), on the same event queue. */
  #midiOut(
    name: string,
    status: number,
    note: number,
    velocity: number,
    frame: number,
    action: string,
  ) {
    this.#assertAlive(action);
    const index = this.#core.midiOutputIndex?.(name);
    if (index === undefined) {
      throw new EngineStateError(`${action}: this sampler has no MIDI outputs`);
    }
    this.#core.enqueue(
      eventRecord({
        frame,
        type: EV.MIDI_OUT,
        note: index,
        number: status | note << 8 | velocity << 16,
      }),
    );
  }

  /**
   * MIDI control change: 1 mod wheel, 7 volume, 10 pan, 11 expression, 64
   * sustain, 120 all sound off, 121 reset controllers, 123 all notes off;
   * the engine ignores others.
   *
   * @param controller Integer 0..127.
   * @param value Integer 0..127.
   * @param opts When.
   * @throws {RangeError} for a controller or value out of range.
   */
  cc(controller: number, value: number, opts?: EventOptions): void {
    const action = `Cannot send control change to "${this.name}"`;
    checkInt("controller", controller, 0, 127, action);
    checkInt("value", value, 0, 127, action);
    this.#event(EV.CC, 0, controller, value, this.#frame(opts, action));
  }

  /**
   * Pitch bend, scaled by the `pitchBendRange` parameter.
   *
   * @param value Integer -8192..8191 (0 = centre).
   * @param opts When.
   * @throws {RangeError} for a value out of range.
   */
  pitchBend(value: number, opts?: EventOptions): void {
    const action = `Cannot bend pitch on "${this.name}"`;
    checkInt("value", value, -8192, 8191, action);
    this.#event(EV.PITCH_BEND, 0, 0, value, this.#frame(opts, action));
  }

  /**
   * Set an instrument parameter (see {@linkcode PARAMS} for names and ranges).
   *
   * @param name Parameter name.
   * @param value Value in the parameter's range.
   * @param opts When.
   * @throws {RangeError} for an unknown name or a value out of range.
   */
  setParam(name: ParamName, value: number, opts?: EventOptions): void {
    const action = `Cannot set parameter "${name}" of "${this.name}"`;
    const p = (PARAMS as Record<string, ParamRange & { id: number }>)[name];
    if (!p) {
      throw new RangeError(
        `Cannot set parameter "${name}" of "${this.name}": no such parameter, use one of ${
          Object.keys(PARAMS).join(", ")
        }`,
      );
    }
    if (!inRange(p, value)) {
      const none = p.none === undefined ? "" : ` or ${p.none} (none)`;
      throw new RangeError(`${action}: value must be ${p.min}..${p.max}${none}, got "${value}"`);
    }
    this.#event(EV.PARAM, 0, p.id, value, this.#frame(opts, action));
  }

  /**
   * Set a per-note control for this instrument's next notes (over its zones'
   * values, under a note's own): `piano.setControl("cutoff", 1200)`.
   *
   * @param name A control of lib/ffi/control_table.ts.
   * @param value In the control's unit (vowel, ftype, tremoloshape, unit also by name).
   * @param opts When.
   * @throws {RangeError} for an unknown control or a value out of its range (the message names both).
   */
  setControl(name: ControlName, value: number | string, opts?: EventOptions): void {
    const action = `Cannot set control "${name}" of "${this.name}"`;
    const pairs = controlPairs({ [name]: value } as Controls, action);
    this.#event(EV.PARAM, 0, PARAM_CONTROL + pairs[0]!, pairs[1]!, this.#frame(opts, action));
  }

  /**
   * Remove an instrument-level control value: its notes play the zone's again.
   *
   * @param name A control of lib/ffi/control_table.ts.
   * @param opts When.
   * @throws {RangeError} for an unknown control.
   */
  clearControl(name: ControlName, opts?: EventOptions): void {
    const action = `Cannot clear control "${name}" of "${this.name}"`;
    const row = CONTROL_BY_NAME.get(name);
    if (!row) throw new RangeError(`${action}: no such control`);
    this.#event(EV.PARAM, 0, PARAM_CONTROL_CLEAR + row.id, 0, this.#frame(opts, action));
  }

  /**
   * Release every note of this instrument.
   *
   * @param opts When.
   */
  allNotesOff(opts?: EventOptions): void {
    this.#event(EV.ALL_NOTES_OFF, 0, 0, 0, this.#frame(opts, `Cannot stop "${this.name}"`));
  }

  #event(type: number, note: number, number: number, value: number, frame: number): void {
    // eventRecord's fields written out: a note-off per note, without its rest and spread
    this.#core.enqueue({
      frame,
      instrument: this.id,
      type,
      note,
      velocity: 0,
      number,
      value,
      gainDb: 0,
      pan: 0,
      tuneCents: 0,
      offsetFrames: 0,
    });
  }

  /**
   * Remove the instrument: its voices fade out within 2 ms, its pending
   * events are dropped. Idempotent.
   */
  dispose(): void {
    if (!this.#native.alive) return;
    this.#core.forget(this.#native);
    this.#native.destroy();
  }

  /** Same as {@linkcode Instrument.dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

function checkNum(name: string, v: number, min: number, max: number, action: string): number {
  if (typeof v !== "number" || !(v >= min && v <= max)) {
    throw new RangeError(`${action}: ${name} must be ${min}..${max}, got "${v}"`);
  }
  return v;
}
