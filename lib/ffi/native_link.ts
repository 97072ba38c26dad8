/**
 * Thin handle over the engine's Ableton Link functions (`ms_link_*`): the
 * only code that holds an `ms_link_t` pointer.
 *
 * Thread: CT. The session is created disabled; joining it (`enable`)
 * starts Link's UDP multicast discovery on every network interface that is
 * up. A negative status becomes the typed error of lib/errors.ts with the
 * engine's detail message; an engine built without Link throws
 * UnsupportedError saying what to install.
 *
 * @module
 */
import { engine, type NativeSampler, strerror } from "./native.ts";
import type { EngineSymbols } from "./symbols.ts";
import { EngineLibraryError, EngineStateError, errorFromCode } from "../errors.ts";

const LINK_NAMES = [
  "ms_link_built",
  "ms_link_create",
  "ms_link_destroy",
  "ms_link_enable",
  "ms_link_enable_start_stop_sync",
  "ms_link_set_quantum",
  "ms_link_set_output_latency",
  "ms_link_request_tempo",
  "ms_link_request_playing",
  "ms_link_peers",
  "ms_link_tempo",
  "ms_link_playing",
  "ms_link_beat_at_frame",
  "ms_link_frame_at_beat",
  "ms_link_beat_at_host",
  "ms_link_host_now",
] as const;
type LinkName = typeof LINK_NAMES[number];
type LinkSymbols = { [K in LinkName]: NonNullable<EngineSymbols[K]> };

/** The Link symbols, or EngineLibraryError when the library predates them. */
function linkSymbols(): LinkSymbols {
  const sym = engine();
  if (LINK_NAMES.some((n) => !sym[n])) {
    throw new EngineLibraryError(
      "Cannot use Ableton Link: the engine library has no ms_link_* functions",
      { hint: "Rebuild the engine: deno task build" },
    );
  }
  return sym as unknown as LinkSymbols;
}

function message(ptr: Deno.PointerValue): string {
  const buf = new Uint8Array(1024);
  const len = engine().ms_error_message(ptr, buf, buf.length);
  return new TextDecoder().decode(buf.subarray(0, Math.min(len, buf.length - 1)));
}

/** Whether this engine was built with Ableton Link (false also for an older library). */
export function linkBuilt(): boolean {
  const sym = engine();
  return sym.ms_link_built ? sym.ms_link_built() === 1 : false;
}

/** An `ms_link_t`: one Link session attached to a sampler. */
export class NativeLink {
  #ptr: Deno.PointerValue;
  readonly #sampler: NativeSampler;
  readonly #sym: LinkSymbols;
  readonly #f64 = new Float64Array(1);
  readonly #u32 = new Uint32Array(1);

  private constructor(ptr: Deno.PointerValue, sampler: NativeSampler, sym: LinkSymbols) {
    this.#ptr = ptr;
    this.#sampler = sampler;
    this.#sym = sym;
  }

  /**
   * ms_link_create: a session at `bpm`, attached to the sampler, not joined.
   *
   * @throws {MidiSamplerError} UnsupportedError (no Link in this engine),
   *   EngineRangeError, EngineStateError.
   */
  static create(sampler: NativeSampler, bpm: number): NativeLink {
    const sym = linkSymbols();
    const cell = new BigUint64Array(1);
    const code = sym.ms_link_create(sampler.pointer, bpm, new Uint8Array(cell.buffer));
    if (code < 0) {
      throw errorFromCode(
        code,
        message(sampler.pointer) || `Cannot create the Link session: ${strerror(code)}`,
      );
    }
    return new NativeLink(Deno.UnsafePointer.create(cell[0]!), sampler, sym);
  }

  #check(code: number, action: string): void {
    if (code >= 0) return;
    const p = this.#sampler.pointer;
    throw errorFromCode(code, message(p) || `${action}: ${strerror(code)}`);
  }

  #live(action: string): Deno.PointerValue {
    if (!this.#ptr) throw new EngineStateError(`${action}: the Link session was destroyed`);
    return this.#ptr;
  }

  /** ms_link_enable: join (true) or leave the session. */
  enable(on: boolean): void {
    const a = "Cannot join the Link session";
    this.#check(this.#sym.ms_link_enable(this.#live(a), on ? 1 : 0), a);
  }

  /** ms_link_enable_start_stop_sync. */
  startStopSync(on: boolean): void {
    const a = "Cannot sync start/stop with Link";
    this.#check(this.#sym.ms_link_enable_start_stop_sync(this.#live(a), on ? 1 : 0), a);
  }

  /** ms_link_set_quantum: beats per cycle of the shared timeline, 1..64. */
  setQuantum(beats: number): void {
    const a = "Cannot set the Link quantum";
    this.#check(this.#sym.ms_link_set_quantum(this.#live(a), beats), a);
  }

  /** ms_link_set_output_latency: frames from a call's first frame to the speaker. */
  setOutputLatency(frames: number): void {
    const a = "Cannot set the output latency for Link";
    this.#check(this.#sym.ms_link_set_output_latency(this.#live(a), Math.round(frames)), a);
  }

  /** ms_link_request_tempo: a new tempo keeping the beat heard at `frame`. */
  requestTempo(bpm: number, frame: number): void {
    const a = "Cannot set the Link tempo";
    this.#check(
      this.#sym.ms_link_request_tempo(this.#live(a), bpm, BigInt(Math.max(0, Math.round(frame)))),
      a,
    );
  }

  /** ms_link_request_playing: start or stop the shared transport at `frame`. */
  requestPlaying(playing: boolean, frame: number): void {
    const a = "Cannot start or stop the Link transport";
    this.#check(
      this.#sym.ms_link_request_playing(
        this.#live(a),
        playing ? 1 : 0,
        BigInt(Math.max(0, Math.round(frame))),
      ),
      a,
    );
  }

  /** ms_link_peers: other apps in the session. */
  peers(): number {
    const a = "Cannot count Link peers";
    this.#check(this.#sym.ms_link_peers(this.#live(a), this.#u32), a);
    return this.#u32[0]!;
  }

  /**
   * Whether the render thread has published a timeline yet (the readers
   * below throw EngineStateError before).
   */
  get published(): boolean {
    const p = this.#ptr;
    return p !== null && this.#sym.ms_link_tempo(p, this.#f64) === 0;
  }

  /** ms_link_tempo: the session's tempo (bpm) as of the last render call. */
  tempo(): number {
    const a = "Cannot read the Link tempo";
    this.#check(this.#sym.ms_link_tempo(this.#live(a), this.#f64), a);
    return this.#f64[0]!;
  }

  /** ms_link_playing: the shared transport as of the last render call. */
  playing(): boolean {
    const a = "Cannot read Link's transport";
    this.#check(this.#sym.ms_link_playing(this.#live(a), this.#u32), a);
    return this.#u32[0] === 1;
  }

  /** ms_link_beat_at_frame: the beat heard when absolute `frame` leaves the output. */
  beatAtFrame(frame: number): number {
    const a = "Cannot read the Link beat";
    this.#check(this.#sym.ms_link_beat_at_frame(this.#live(a), frame, this.#f64), a);
    return this.#f64[0]!;
  }

  /** ms_link_frame_at_beat: the exact (unrounded) frame of a beat. */
  frameAtBeat(beat: number): number {
    const a = "Cannot place a Link beat";
    this.#check(this.#sym.ms_link_frame_at_beat(this.#live(a), beat, this.#f64), a);
    return this.#f64[0]!;
  }

  /** ms_link_beat_at_host: the beat heard at Link host time `us` (µs). */
  beatAtHost(us: bigint): number {
    const a = "Cannot read the Link beat";
    this.#check(this.#sym.ms_link_beat_at_host(this.#live(a), us, this.#f64), a);
    return this.#f64[0]!;
  }

  /** ms_link_host_now: Link's host clock, µs. */
  hostNow(): bigint {
    return this.#sym.ms_link_host_now(this.#live("Cannot read Link's clock"));
  }

  /** ms_link_destroy: leave and detach (idempotent). */
  destroy(): void {
    if (!this.#ptr) return;
    this.#sym.ms_link_destroy(this.#ptr);
    this.#ptr = null;
  }
}
