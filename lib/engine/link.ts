/**
 * Ableton Link: the sampler in a shared tempo and beat timeline with other
 * apps (Ableton Live, TidalCycles, Sonic Pi, other laptops running this).
 *
 * Thread: CT. The engine's render thread captures Link's session at the
 * start of every render call and publishes which beat is heard when that
 * call's first frame leaves the output (the output latency is added); this
 * class reads that timeline to turn beats into frames and asks the render
 * thread to commit tempo and start/stop changes at a frame. Link is a live
 * clock only: offline renders never use it.
 *
 * Peers agree on the phase within the quantum (the beats in a cycle), not
 * on beat numbers: with the same quantum, every peer's cycles start at the
 * same moment.
 *
 * Link finds peers by UDP multicast on every network interface that is up:
 * joining makes this machine visible to the local network.
 *
 * @module
 */
import { linkBuilt, NativeLink } from "../ffi/native_link.ts";
import type { NativeSampler } from "../ffi/native.ts";

/** Options of a Link session. */
export interface LinkOptions {
  /** Beats in a cycle of the shared timeline (Link's quantum), 1..64. @default 4 */
  quantum?: number;
  /** Share start/stop with peers that do. @default false */
  startStop?: boolean;
  /** Tempo until peers say otherwise, 20..999 bpm. @default the sampler's tempo */
  bpm?: number;
}

/** What the status line and `stats` show. */
export interface LinkStatus {
  /** Other apps in the session. */
  peers: number;
  /** The session's tempo, bpm. */
  bpm: number;
  /** The shared transport (meaningful with start/stop sync). */
  playing: boolean;
  /** Beats per cycle of the shared timeline. */
  quantum: number;
}

/**
 * What a scheduler needs of a shared timeline ({@linkcode LinkClock} is one;
 * tests give a fake): the tempo, the transport, beats to frames and back.
 */
export interface LinkTimeline {
  /** A timeline has been published (the readers below need it). */
  readonly ready: boolean;
  /** Tempo, bpm. */
  readonly tempo: number;
  /** The shared transport. */
  readonly playing: boolean;
  /** Start/stop is shared (a stopped transport silences the session). */
  readonly startStop: boolean;
  /** Beats per cycle of the shared timeline. */
  setQuantum(beats: number): void;
  /** The beat heard when absolute `frame` leaves the output. */
  beatAtFrame(frame: number): number;
  /** The exact frame on which `beat` is heard. */
  frameAtBeat(beat: number): number;
  /** Commit a tempo, keeping the beat heard at `frame` in place. */
  requestTempo(bpm: number, frame: number): void;
  /** Start or stop the shared transport when `frame` is heard. */
  requestPlaying(playing: boolean, frame: number): void;
  /** Peers, tempo, transport and quantum. */
  status(): LinkStatus;
}

/** Whether this engine was built with Ableton Link. */
export function linkAvailable(): boolean {
  return linkBuilt();
}

/**
 * A joined Link session on one sampler (`sampler.joinLink()` creates it).
 *
 * @example
 * ```ts ignore
 * // Inside a private network namespace or on a network you mean to join:
 * import { Sampler } from "../mod.ts";
 * const sampler = Sampler.openForOutput({ backend: "jack" }, {});
 * const link = sampler.joinLink({ quantum: 4 });
 * const out = sampler.startOutput({ backend: "jack" });
 * // ... once the output runs:
 * if (link.ready) console.log(link.status(), link.phaseAtFrame(sampler.now()));
 * ```
 */
export class LinkClock implements LinkTimeline {
  readonly #native: NativeLink;
  #quantum: number;
  readonly startStop: boolean;

  /**
   * @param sampler The sampler's native handle.
   * @param bpm Initial tempo.
   * @param options Quantum and start/stop sync.
   * @throws {UnsupportedError} when the engine was built without Link.
   * @throws {RangeError} for a quantum out of 1..64.
   */
  constructor(sampler: NativeSampler, bpm: number, options: LinkOptions = {}) {
    const quantum = options.quantum ?? 4;
    if (!(Number.isFinite(quantum) && quantum >= 1 && quantum <= 64)) {
      throw new RangeError(`Cannot join Link: quantum must be 1..64 beats, got "${quantum}"`);
    }
    this.#native = NativeLink.create(sampler, Math.min(999, Math.max(20, options.bpm ?? bpm)));
    this.#quantum = quantum;
    this.startStop = options.startStop ?? false;
    try {
      this.#native.setQuantum(quantum);
      if (this.startStop) this.#native.startStopSync(true);
      this.#native.enable(true);
    } catch (err) {
      this.#native.destroy();
      throw err;
    }
  }

  /** True once a render call has published the timeline (the readers need it). */
  get ready(): boolean {
    return this.#native.published;
  }

  /** Beats per cycle of the shared timeline. */
  get quantum(): number {
    return this.#quantum;
  }

  /**
   * Change the quantum (a set's beatsPerCycle).
   *
   * @throws {EngineRangeError} out of 1..64.
   */
  setQuantum(beats: number): void {
    if (beats === this.#quantum) return;
    this.#native.setQuantum(beats);
    this.#quantum = beats;
  }

  /** Frames between a render call's first frame and the speaker (the backend's reported latency). */
  setOutputLatency(frames: number): void {
    this.#native.setOutputLatency(frames);
  }

  /** Other apps in the session. */
  get peers(): number {
    return this.#native.peers();
  }

  /** The session's tempo (bpm) as of the last render call. */
  get tempo(): number {
    return this.#native.tempo();
  }

  /** The shared transport as of the last render call. */
  get playing(): boolean {
    return this.#native.playing();
  }

  /** Peers, tempo, transport and quantum, for the status line and `stats`. */
  status(): LinkStatus {
    const ready = this.ready;
    return {
      peers: this.peers,
      bpm: ready ? this.tempo : NaN,
      playing: ready ? this.playing : false,
      quantum: this.#quantum,
    };
  }

  /**
   * The beat of the shared timeline heard when absolute `frame` leaves the
   * output (this peer's beat count; exact, not rounded). For a MIDI clock
   * out: 24 pulses per beat fall on the frames where this crosses k / 24.
   *
   * @param frame Absolute frame (may be fractional, may be ahead).
   * @returns Beats.
   * @throws {EngineStateError} before the first render call with Link.
   */
  beatAtFrame(frame: number): number {
    return this.#native.beatAtFrame(frame);
  }

  /**
   * Where in the cycle (0 <= phase < quantum beats) `frame` is heard: the
   * same for every peer with the same quantum at the same moment.
   *
   * @throws {EngineStateError} before the first render call with Link.
   */
  phaseAtFrame(frame: number): number {
    const b = this.beatAtFrame(frame);
    const q = this.#quantum;
    return ((b % q) + q) % q;
  }

  /**
   * The exact (unrounded) absolute frame on which `beat` is heard, on the
   * tempo in force now.
   *
   * @throws {EngineStateError} before the first render call with Link.
   */
  frameAtBeat(beat: number): number {
    return this.#native.frameAtBeat(beat);
  }

  /**
   * Commit a tempo to the session, keeping the beat heard at `frame` in
   * place (peers follow at once).
   *
   * @throws {EngineRangeError} out of 20..999 bpm.
   */
  requestTempo(bpm: number, frame: number): void {
    this.#native.requestTempo(bpm, frame);
  }

  /** Start or stop the shared transport when `frame` is heard. */
  requestPlaying(playing: boolean, frame: number): void {
    this.#native.requestPlaying(playing, frame);
  }

  /** The beat heard at Link host time `us` (tests compare peers with it). */
  beatAtHost(us: bigint): number {
    return this.#native.beatAtHost(us);
  }

  /** Link's host clock now, µs. */
  hostNow(): bigint {
    return this.#native.hostNow();
  }

  /** Leave the session (idempotent); the sampler plays on its own clock. */
  close(): void {
    this.#native.destroy();
  }
}
