/**
 * Musical and wall time to frames: the one rounding rule.
 *
 * Thread: CT. Pure arithmetic, no FFI. Every time a script gives (frames,
 * seconds or beats) becomes an absolute frame index counted from frame 0 of
 * the sampler, by computing the exact (real) frame position and rounding it
 * once with `Math.round`. Positions are never rounded part way, so beats
 * never drift against each other however long a piece is.
 *
 * @module
 */

/**
 * A point in time: an absolute frame index, or seconds or beats counted from
 * the sampler's frame 0 (beats through its {@linkcode Clock}'s tempo map).
 */
export type Time = number | { seconds: number } | { beats: number };

interface TempoSegment {
  /** First beat of the segment. */
  beat: number;
  /** Exact (unrounded) frame position of that beat. */
  frame: number;
  bpm: number;
  /** A ramp: the tempo moves linearly (in beats) from `bpm` to `toBpm` by beat `toBeat`. */
  toBeat?: number;
  toBpm?: number;
  /** Placed by {@linkcode Clock.follow}: its frame is given, not computed from the segments before. */
  pinned?: boolean;
}

/** Segments kept when an external timeline is followed (older ones only served frames already scheduled). */
const FOLLOW_KEEP = 16;

/** Seconds from the start of a segment to `db` beats into it (a ramp integrates 60/bpm). */
function segmentSeconds(seg: TempoSegment, db: number): number {
  if (seg.toBeat === undefined || seg.toBpm === undefined || seg.toBpm === seg.bpm) {
    return db * 60 / seg.bpm;
  }
  const len = seg.toBeat - seg.beat;
  const d = Math.min(db, len);
  const slope = (seg.toBpm - seg.bpm) / len;
  return 60 / slope * Math.log((seg.bpm + slope * d) / seg.bpm) + (db - d) * 60 / seg.toBpm;
}

/** Beats from the start of a segment after `sec` seconds (the inverse of segmentSeconds). */
function segmentBeats(seg: TempoSegment, sec: number): number {
  if (seg.toBeat === undefined || seg.toBpm === undefined || seg.toBpm === seg.bpm) {
    return sec * seg.bpm / 60;
  }
  const len = seg.toBeat - seg.beat;
  const slope = (seg.toBpm - seg.bpm) / len;
  const rampSec = segmentSeconds(seg, len);
  if (sec >= rampSec) return len + (sec - rampSec) * seg.toBpm / 60;
  return seg.bpm * (Math.exp(sec * slope / 60) - 1) / slope;
}

/**
 * Converts seconds and beats to frames for one sample rate and tempo map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Clock } from "./clock.ts";
 * const clock = new Clock(48000, 120);
 * assert(clock.framesFor({ beats: 1 }) === 24000);
 * assert(clock.framesFor({ seconds: 0.5 }) === 24000);
 * assert(clock.framesFor(100) === 100);
 * ```
 */
export class Clock {
  /** Frames per second. */
  readonly sampleRate: number;
  #segments: TempoSegment[];

  /**
   * @param sampleRate Frames per second, > 0.
   * @param bpm Initial tempo in beats per minute. @default 120
   * @throws {RangeError} for a non-positive rate or tempo.
   */
  constructor(sampleRate: number, bpm = 120) {
    if (!(Number.isFinite(sampleRate) && sampleRate > 0)) {
      throw new RangeError(`Cannot create clock: sample rate must be > 0, got "${sampleRate}"`);
    }
    checkBpm(bpm);
    this.sampleRate = sampleRate;
    this.#segments = [{ beat: 0, frame: 0, bpm }];
  }

  /** Tempo at beat 0 in beats per minute. */
  get bpm(): number {
    return this.#segments[0]!.bpm;
  }

  /**
   * Set the tempo. Without `fromBeat` the whole map becomes this one tempo;
   * with it, beats from `fromBeat` on run at `bpm` (earlier changes stay).
   *
   * @param bpm Beats per minute, 1..1000.
   * @param fromBeat Beat at which the change applies, >= 0.
   * @throws {RangeError} for a tempo out of range or a negative beat.
   */
  setTempo(bpm: number, fromBeat?: number): void {
    checkBpm(bpm);
    if (fromBeat === undefined) {
      this.#segments = [{ beat: 0, frame: 0, bpm }];
      return;
    }
    if (fromBeat === 0) {
      this.#segments = [{ beat: 0, frame: 0, bpm }, ...this.#segments.slice(1)];
      this.#reflow();
      return;
    }
    if (!(Number.isFinite(fromBeat) && fromBeat > 0)) {
      throw new RangeError(`Cannot set tempo: beat must be >= 0, got "${fromBeat}"`);
    }
    const kept = this.#segments.filter((s) => s.beat < fromBeat);
    this.#endRampsBefore(kept, fromBeat);
    kept.push({ beat: fromBeat, frame: 0, bpm });
    this.#segments = kept.concat(this.#segments.filter((s) => s.beat > fromBeat));
    this.#reflow();
  }

  /**
   * Ramp the tempo: from `fromBeat` (at the tempo in force there) it moves
   * linearly, beat by beat, to `bpm` at `toBeat`, and stays there. Changes
   * after `fromBeat` are replaced (a live tempo change rewrites the future).
   *
   * @param bpm Tempo reached at `toBeat`, 1..1000.
   * @param fromBeat First beat of the ramp, >= 0.
   * @param toBeat Beat where the ramp ends, > fromBeat.
   * @throws {RangeError} for a tempo out of range or beats out of order.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "./clock.ts";
   * const clock = new Clock(48000, 60);
   * clock.rampTempo(120, 4, 8); // accelerate over one bar
   * assert(clock.bpmAt(6) === 90 && clock.bpmAt(9) === 120);
   * assert(Math.abs(clock.beatsAtFrame(clock.exactFramesForBeats(7)) - 7) < 1e-9);
   * ```
   */
  rampTempo(bpm: number, fromBeat: number, toBeat: number): void {
    checkBpm(bpm);
    if (!(Number.isFinite(fromBeat) && fromBeat >= 0 && Number.isFinite(toBeat))) {
      throw new RangeError(`Cannot ramp tempo: beats must be >= 0, got "${fromBeat}"`);
    }
    if (!(toBeat > fromBeat)) {
      throw new RangeError(
        `Cannot ramp tempo: the end beat must be after ${fromBeat}, got "${toBeat}"`,
      );
    }
    const start = this.bpmAt(fromBeat);
    const kept = this.#segments.filter((s) => s.beat < fromBeat);
    this.#endRampsBefore(kept, fromBeat);
    kept.push({ beat: fromBeat, frame: 0, bpm: start, toBeat, toBpm: bpm });
    kept.push({ beat: toBeat, frame: 0, bpm });
    this.#segments = kept;
    this.#reflow();
  }

  /**
   * Follow an external timeline (Ableton Link, lib/engine/link.ts): from
   * `beat` on, beats run at `bpm` and `beat` falls on the exact `frame`,
   * whatever the segments before say (a peer's tempo change or a phase
   * correction takes effect there; frames before `beat`, already
   * scheduled, keep their place; changes planned after `beat` are dropped).
   * When the map already puts `beat` within half a frame of `frame` at that
   * tempo, with nothing planned after, nothing changes.
   *
   * @param beat First beat that follows, >= 0.
   * @param frame Its exact frame (unrounded).
   * @param bpm Tempo from there on, 1..1000.
   * @throws {RangeError} for a tempo out of range or a negative beat.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Clock } from "./clock.ts";
   * const clock = new Clock(48000, 120);
   * clock.follow(8, 200000, 100); // beat 8 heard on frame 200000, then 100 bpm
   * assert(clock.beatsToFrames(8) === 200000 && clock.beatsToFrames(9) === 228800);
   * assert(clock.beatsToFrames(4) === 96000); // earlier beats keep their frames
   * ```
   */
  follow(beat: number, frame: number, bpm: number): void {
    checkBpm(bpm);
    if (!(Number.isFinite(beat) && beat >= 0 && Number.isFinite(frame))) {
      throw new RangeError(`Cannot follow a timeline: beat must be >= 0, got "${beat}"`);
    }
    const seg = this.#segmentAtBeat(beat);
    if (
      seg === this.#segments[this.#segments.length - 1] && seg.toBeat === undefined &&
      seg.bpm === bpm && Math.abs(this.exactFramesForBeats(beat) - frame) < 0.5
    ) return;
    const kept = this.#segments.filter((s) => s.beat < beat);
    this.#endRampsBefore(kept, beat);
    kept.push({ beat, frame, bpm, pinned: true });
    this.#segments = kept.slice(-FOLLOW_KEEP);
  }

  /** A ramp cut short by a change at `beat` ends there, at the tempo it had reached. */
  #endRampsBefore(kept: TempoSegment[], beat: number): void {
    const last = kept[kept.length - 1];
    if (last?.toBeat !== undefined && last.toBeat > beat) {
      const reached = this.bpmAt(beat);
      last.toBeat = beat;
      last.toBpm = reached;
    }
  }

  /**
   * Tempo in force at a beat (inside a ramp, the ramp's value there).
   *
   * @param beat Beats from frame 0, >= 0.
   * @returns Beats per minute.
   */
  bpmAt(beat: number): number {
    const seg = this.#segmentAtBeat(beat);
    if (seg.toBeat === undefined || seg.toBpm === undefined) return seg.bpm;
    const t = Math.min(1, (beat - seg.beat) / (seg.toBeat - seg.beat));
    return seg.bpm + (seg.toBpm - seg.bpm) * t;
  }

  /**
   * Exact (unrounded) beat position of a frame: the inverse of
   * {@linkcode Clock.exactFramesForBeats}, for asking which beat the
   * engine's render position has reached.
   *
   * @param frame Frames from frame 0 (need not be an integer), >= 0.
   * @returns Beats.
   */
  beatsAtFrame(frame: number): number {
    let seg = this.#segments[0]!;
    for (const s of this.#segments) {
      if (s.frame <= frame) seg = s;
      else break;
    }
    return seg.beat + segmentBeats(seg, (frame - seg.frame) / this.sampleRate);
  }

  #segmentAtBeat(beats: number): TempoSegment {
    let seg = this.#segments[0]!;
    for (const s of this.#segments) {
      if (s.beat <= beats) seg = s;
      else break;
    }
    return seg;
  }

  #reflow(): void {
    for (let i = 1; i < this.#segments.length; i++) {
      const prev = this.#segments[i - 1]!;
      const seg = this.#segments[i]!;
      if (seg.pinned) continue;
      seg.frame = prev.frame + segmentSeconds(prev, seg.beat - prev.beat) * this.sampleRate;
    }
  }

  /** Exact (unrounded) frame position of a beat. */
  exactFramesForBeats(beats: number): number {
    const seg = this.#segmentAtBeat(beats);
    return seg.frame + segmentSeconds(seg, beats - seg.beat) * this.sampleRate;
  }

  /**
   * Frame index of a beat position from frame 0.
   *
   * @param beats Beats, >= 0.
   * @returns Math.round of the exact frame.
   * @throws {RangeError} for a negative or non-finite beat.
   */
  beatsToFrames(beats: number): number {
    if (!(Number.isFinite(beats) && beats >= 0)) {
      throw new RangeError(`Cannot convert beats to frames: beats must be >= 0, got "${beats}"`);
    }
    return Math.round(this.exactFramesForBeats(beats));
  }

  /**
   * Frame index of a time in seconds from frame 0.
   *
   * @param seconds Seconds, >= 0.
   * @returns Math.round of seconds * sampleRate.
   * @throws {RangeError} for a negative or non-finite time.
   */
  secondsToFrames(seconds: number): number {
    if (!(Number.isFinite(seconds) && seconds >= 0)) {
      throw new RangeError(
        `Cannot convert seconds to frames: seconds must be >= 0, got "${seconds}"`,
      );
    }
    return Math.round(seconds * this.sampleRate);
  }

  /**
   * Seconds from frame 0 to a beat, exact.
   *
   * @param beats Beats, >= 0.
   * @returns Seconds.
   */
  beatsToSeconds(beats: number): number {
    return this.exactFramesForBeats(beats) / this.sampleRate;
  }

  /**
   * Absolute frame index of any {@linkcode Time}.
   *
   * @param time Frames (a number), `{ seconds }` or `{ beats }`.
   * @returns The frame index (an integer >= 0).
   * @throws {RangeError} for negative, non-finite or malformed times.
   */
  framesFor(time: Time): number {
    if (typeof time === "number") {
      if (!(Number.isFinite(time) && time >= 0)) {
        throw new RangeError(`Cannot schedule event: frame must be >= 0, got "${time}"`);
      }
      return Math.round(time);
    }
    if (time !== null && typeof time === "object") {
      if ("seconds" in time) return this.secondsToFrames(time.seconds);
      if ("beats" in time) return this.beatsToFrames(time.beats);
    }
    throw new RangeError(
      `Cannot schedule event: time must be frames, { seconds } or { beats }, got "${
        JSON.stringify(time)
      }"`,
    );
  }
}

function checkBpm(bpm: number): void {
  if (!(Number.isFinite(bpm) && bpm >= 1 && bpm <= 1000)) {
    throw new RangeError(`Cannot set tempo: bpm must be 1..1000, got "${bpm}"`);
  }
}
