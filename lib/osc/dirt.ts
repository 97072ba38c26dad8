/**
 * SuperDirt's OSC protocol as TidalCycles and Strudel speak it: `/dirt/play`
 * events to a superdough-style value the session plays, the handshake reply,
 * and OSC time tags to the engine's frames.
 *
 * Thread: CT. Pure: no I/O. What a `/dirt/play` carries is turned into the
 * value a set's pattern event would have, so one resolver
 * (lib/pattern/controls.ts, through Session.playAt) decides sounds, units and
 * ranges for both. Only SuperDirt's conventions that differ from superdough's
 * are translated here:
 * - `orbit` counts from 0 (Tidal's d1 is orbit 0), superdough's from 1;
 * - `note` is semitones from middle C (0 = MIDI 60, `octave` 5 the default),
 *   `midinote` the MIDI key outright (what Strudel's OSC output sends for note
 *   names); on a pitched sound they pick the key, `n` standing in when both
 *   are absent; on a drum key or a sample they transpose it (its playback speed);
 * - `gain` is SuperDirt's curve, amplitude = gain^4 (1 unity, clamped at 2),
 *   times `amp` over SuperDirt's default amp 0.4;
 * - `delta` is the event's length in seconds, `legato` a fraction of it,
 *   `sustain` the length in seconds outright; a sample without them plays whole;
 * - `cps`, `cycle`, `delta`, `_id_` and `latency` describe the event, not the sound;
 * - SuperDirt's synth names (`superpiano`, `supersquare`, ...) play the
 *   nearest shipped sound when the set does not name them itself
 *   ({@linkcode SUPERDIRT_SYNTHS}).
 *
 * @module
 */
import { type NtpTime, OSC, type OscArg, type OscMessage } from "./decode.ts";

/** One `/dirt/play` event, ready for Session.playAt. */
export interface DirtEvent {
  /** The value as a pattern event would carry it (superdough's names and units). */
  value: Record<string, unknown>;
  /** How long the note is held, seconds. */
  seconds: number;
  /** The sender's cycles per second. */
  cps: number;
  /** The sender's cycle position of the event, if it said. */
  cycle?: number;
}

/** Tidal's default tempo (0.5625 cycles per second, 135 bpm at 4 beats per cycle). */
export const TIDAL_DEFAULT_CPS = 0.5625;
/**
 * SuperDirt's synth names (and its drum synths) to the shipped sound that
 * stands in for each: played when the set has no sound of that name.
 */
export const SUPERDIRT_SYNTHS: Readonly<Record<string, string>> = {
  superpiano: "piano",
  supersaw: "supersaw",
  supersquare: "square",
  supertron: "sawtooth",
  superzow: "sawtooth",
  superhoover: "sawtooth",
  superhammond: "epiano",
  supernoise: "white",
  superchip: "square",
  superpwm: "square",
  supergong: "sine",
  superfork: "sine",
  soskick: "bd",
  superkick: "bd",
  sossnare: "sd",
  supersnare: "sd",
  soshats: "hh",
  superhat: "hh",
  supersiren: "sine",
  sine: "sine",
};

/** SuperDirt's default `amp`: an event's `amp` scales the level by amp / 0.4. */
export const SUPERDIRT_AMP = 0.4;
/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
export const NTP_UNIX_OFFSET = 2_208_988_800;

/** Names that describe the event rather than the sound. */
const EVENT_NAMES = new Set([
  "cps",
  "cycle",
  "delta",
  "_id_",
  "latency",
  "sustain",
  "octave",
  "midinote",
  "amp",
]);

/**
 * A `/dirt/play` message's arguments as name/value pairs.
 *
 * @param msg The message.
 * @returns The pairs, or why they are malformed (an odd count, a name that is not a
 *   string, a value that is neither a number nor a string).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dirtParams } from "./dirt.ts";
 * const p = dirtParams({ address: "/dirt/play", types: "ssst", args: ["s", "bd", "n", 3] });
 * assert(typeof p === "object" && p.s === "bd" && p.n === 3);
 * ```
 */
export function dirtParams(msg: OscMessage): Record<string, number | string> | string {
  const args = msg.args;
  if (args.length % 2 !== 0) {
    return `Cannot play "${msg.address}": ${args.length} arguments, not name/value pairs`;
  }
  const out: Record<string, number | string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i], v: OscArg | undefined = args[i + 1];
    if (typeof name !== "string" || name === "") {
      return `Cannot play "${msg.address}": argument ${i} (type "${
        msg.types[i]
      }") is no parameter name`;
    }
    if (typeof v === "number" || typeof v === "string") out[name] = v;
    else if (typeof v === "bigint") out[name] = Number(v);
    else if (typeof v === "boolean") out[name] = v ? 1 : 0;
    else {
      return `Cannot play "${msg.address}": parameter "${name}" has a value of type "${
        msg.types[i + 1]
      }", neither a number nor a string`;
    }
  }
  return out;
}

/**
 * SuperDirt's parameters to the value a set's event would carry.
 *
 * @param params From {@linkcode dirtParams}.
 * @param isPitched Whether a sound name plays pitched keys (Session.isPitchedSound).
 * @param hasSound Whether the set knows a sound name (Session.hasSound): SuperDirt's synth
 *   names it does not know play their stand-ins.
 * @returns The event, or why it cannot play (no sound, a NaN timing).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dirtEvent } from "./dirt.ts";
 * const e = dirtEvent({ s: "superpiano", note: 7, orbit: 1, delta: 0.5, cps: 1 }, () => true);
 * assert(typeof e === "object" && e.value.note === 67 && e.value.orbit === 2);
 * assert(typeof e === "object" && e.seconds === 0.5);
 * ```
 */
export function dirtEvent(
  params: Record<string, number | string>,
  isPitched: (sound: string) => boolean,
  hasSound: (sound: string) => boolean = () => true,
): DirtEvent | string {
  let sound = params.s ?? params.sound;
  if (typeof sound !== "string" || sound === "") return `no sound: "s" is missing`;
  const [base, index] = sound.split(":");
  const standIn = SUPERDIRT_SYNTHS[base!];
  if (standIn !== undefined && !hasSound(sound)) {
    sound = index === undefined ? standIn : `${standIn}:${index}`;
  }
  const num = (k: string): number | undefined => {
    const v = params[k];
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
  };
  const cps = num("cps") !== undefined && num("cps")! > 0 ? num("cps")! : TIDAL_DEFAULT_CPS;
  const value: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!EVENT_NAMES.has(k)) value[k] = v;
  }
  if (params.s !== undefined) value.s = sound;
  else value.sound = sound;
  const orbit = num("orbit");
  if (orbit !== undefined) value.orbit = orbit + 1;
  const gain = num("gain"), amp = num("amp");
  if (gain !== undefined || amp !== undefined) {
    value.gain = Math.pow(Math.max(0, Math.min(2, gain ?? 1)), 4) *
      Math.max(0, (amp ?? SUPERDIRT_AMP) / SUPERDIRT_AMP);
  }
  const octave = num("octave") ?? 5;
  const midinote = num("midinote");
  // semitones from middle C
  const note = midinote !== undefined ? midinote - 60 : num("note");
  if (isPitched(sound)) {
    const semis = note ?? num("n") ?? 0;
    value.note = midinote ?? semis + octave * 12;
    delete value.n;
  } else if (note !== undefined) {
    // a sample or a drum key: note transposes it, as SuperDirt's rate does
    delete value.note;
    value.speed = (num("speed") ?? 1) * Math.pow(2, note / 12);
  }
  const delta = num("delta") ?? 1 / cps;
  const sustain = num("sustain");
  const seconds = sustain ?? delta * (num("legato") ?? 1);
  if (!(seconds >= 0)) return `no length: delta "${params.delta}" is not a duration`;
  if (sustain !== undefined) value.duration = sustain * cps; // in cycles: a sample is cut there too
  const out: DirtEvent = { value, seconds, cps };
  const cycle = num("cycle");
  if (cycle !== undefined) out.cycle = cycle;
  return out;
}

/**
 * SuperDirt's answer to `/dirt/handshake`: `/dirt/handshake/reply` with the
 * server's host and port and the control bus indices Tidal may address (it
 * re-sends the handshake until it gets some). This engine has no control
 * busses: values sent to them are not heard.
 *
 * @param host The host to name.
 * @param port The port to name.
 * @returns The packet.
 */
export function handshakeReply(host: string, port: number): Uint8Array {
  const m = new OSC.Message("/dirt/handshake/reply");
  const busses = Array.from({ length: 16 }, (_, i) => i);
  m.types = "sssis" + "i".repeat(busses.length);
  m.args = ["&serverHostname", host, "&serverPort", port, "&controlBusIndices", ...busses];
  return m.pack();
}

/** `/dirt/hello/reply`: SuperDirt's answer to `/dirt/hello`. */
export function helloReply(): Uint8Array {
  const m = new OSC.Message("/dirt/hello/reply");
  m.types = "";
  m.args = [];
  return m.pack();
}

/**
 * Wall-clock time (OSC time tags) to the engine's frames: an anchor pairs an
 * NTP time with the frame rendered then; a tag `t` plays on
 * `anchorFrame + round((t - anchorTime) × rate)`, rounded once, as
 * lib/engine/clock.ts rounds beats. The anchor follows the audio clock's
 * drift against the wall clock: {@linkcode FrameTimeMap.observe} averages
 * how far the rendered frame is from where the map puts it, and moves the
 * anchor by that when it exceeds `maxDriftSeconds` (each move counted in
 * `adjustments`). Tests that look at exact frames read the anchor.
 */
export class FrameTimeMap {
  readonly sampleRate: number;
  #anchor: NtpTime;
  #anchorFrame: number;
  #drift = 0;
  #maxDriftFrames: number;
  /** How often the anchor moved to follow the audio clock. */
  adjustments = 0;

  /**
   * @param sampleRate Frames per second.
   * @param anchor The wall-clock time of `anchorFrame`.
   * @param anchorFrame The frame rendered at `anchor`.
   * @param maxDriftSeconds Drift tolerated before the anchor moves. @default 0.005
   */
  constructor(sampleRate: number, anchor: NtpTime, anchorFrame: number, maxDriftSeconds = 0.005) {
    this.sampleRate = sampleRate;
    this.#anchor = { ...anchor };
    this.#anchorFrame = anchorFrame;
    this.#maxDriftFrames = maxDriftSeconds * sampleRate;
  }

  /** The anchor: the NTP time of `frame`. */
  get anchor(): { time: NtpTime; frame: number } {
    return { time: { ...this.#anchor }, frame: this.#anchorFrame };
  }

  /**
   * Seconds from the anchor to `t` (exact to the tag's 2^-32 s).
   *
   * @param t An NTP time.
   * @returns Seconds, negative before the anchor.
   */
  secondsSinceAnchor(t: NtpTime): number {
    return (t.seconds - this.#anchor.seconds) +
      (t.fraction - this.#anchor.fraction) / 4294967296;
  }

  /**
   * The frame a time tag names.
   *
   * @param t An NTP time.
   * @returns The frame (may be before the render position: a late event).
   */
  frameOf(t: NtpTime): number {
    return this.#anchorFrame + Math.round(this.secondsSinceAnchor(t) * this.sampleRate);
  }

  /**
   * Follow the audio clock: at wall time `now` the engine had rendered `frame`.
   *
   * @param now The wall-clock time.
   * @param frame The engine's render position then.
   */
  observe(now: NtpTime, frame: number): void {
    const error = frame - this.#anchorFrame - this.secondsSinceAnchor(now) * this.sampleRate;
    this.#drift += (error - this.#drift) * 0.02;
    if (Math.abs(this.#drift) > this.#maxDriftFrames) {
      this.#anchorFrame += Math.round(this.#drift);
      this.#drift = 0;
      this.adjustments++;
    }
  }
}

/**
 * An NTP time from Unix seconds.
 *
 * @param unixSeconds Seconds since 1970 (fractional).
 * @returns The NTP time.
 */
export function ntpFromUnix(unixSeconds: number): NtpTime {
  const whole = Math.floor(unixSeconds);
  const fraction = Math.min(4294967295, Math.round((unixSeconds - whole) * 4294967296));
  return { seconds: whole + NTP_UNIX_OFFSET, fraction };
}

/** The wall clock now as an NTP time (performance.timeOrigin + performance.now()). */
export function ntpNow(): NtpTime {
  return ntpFromUnix((performance.timeOrigin + performance.now()) / 1000);
}
