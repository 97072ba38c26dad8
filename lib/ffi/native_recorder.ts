/**
 * The `ms_recorder_t` handle: record what the render thread plays into a
 * WAV/FLAC file, written by the recorder's own writer thread.
 *
 * Thread: CT for start/stop; the counters are read with an FFI call each
 * (cheap, and the recorder may run on a live output's render thread).
 * Policy lives in lib/engine/recorder.ts.
 *
 * @module
 */
import { engine, type NativeSampler, strerror } from "./native.ts";
import { EngineLibraryError, EngineStateError, errorFromCode } from "../errors.ts";

function lastMessage(ptr: Deno.PointerValue): string {
  const buf = new Uint8Array(512);
  const len = engine().ms_error_message(ptr, buf, buf.length);
  return new TextDecoder().decode(buf.subarray(0, Math.min(len, buf.length - 1)));
}

function symbols(action: string) {
  const sym = engine();
  if (!sym.ms_recorder_start || !sym.ms_recorder_stop) {
    throw new EngineLibraryError(`${action}: the engine library has no recorder`, {
      hint: "Rebuild it: deno task build",
    });
  }
  return sym;
}

/** A running `ms_recorder_t`. */
export class NativeRecorder {
  #ptr: Deno.PointerValue;
  readonly #sampler: NativeSampler;

  private constructor(sampler: NativeSampler, ptr: Deno.PointerValue) {
    this.#sampler = sampler;
    this.#ptr = ptr;
  }

  /**
   * ms_recorder_start.
   *
   * @throws {MidiSamplerError} OutputFileError (cannot create), UnsupportedError (FLAC float),
   *   EngineStateError (already recording), OutOfMemoryError.
   */
  static start(
    sampler: NativeSampler,
    path: string,
    fileFormat: number,
    sampleFormat: number,
    bufferSeconds: number,
  ): NativeRecorder {
    const action = `Cannot record to "${path}"`;
    const sym = symbols(action);
    const sp = sampler.assertAlive(action);
    const bytes = new TextEncoder().encode(path);
    const cpath = new Uint8Array(bytes.length + 1);
    cpath.set(bytes);
    const cell = new BigUint64Array(1);
    const rc = sym.ms_recorder_start!(
      sp,
      cpath,
      fileFormat,
      sampleFormat,
      bufferSeconds,
      new Uint8Array(cell.buffer),
    );
    if (rc < 0) throw errorFromCode(rc, lastMessage(sp) || `${action}: ${strerror(rc)}`);
    return new NativeRecorder(sampler, Deno.UnsafePointer.create(cell[0]!));
  }

  /** True until stop(). */
  get running(): boolean {
    return this.#ptr !== null && this.#sampler.alive;
  }

  /** Frames written so far. */
  frames(): number {
    return this.#ptr ? Number(engine().ms_recorder_frames!(this.#ptr)) : 0;
  }

  /** Frames dropped because the writer fell behind. */
  droppedFrames(): number {
    return this.#ptr ? Number(engine().ms_recorder_dropped_frames!(this.#ptr)) : 0;
  }

  /**
   * ms_recorder_stop: finish the file and free the handle. Idempotent.
   *
   * @throws {MidiSamplerError} OutputFileError when finishing the file fails.
   */
  stop(): void {
    const p = this.#ptr;
    if (p === null) return;
    this.#ptr = null;
    if (!this.#sampler.alive) return; // ms_sampler_destroy stopped it
    const rc = symbols("Cannot stop recording").ms_recorder_stop!(p);
    if (rc < 0) {
      throw errorFromCode(rc, `Cannot finish the recording: ${strerror(rc)}`);
    }
  }

  /** @internal */
  assertRunning(action: string): Deno.PointerValue {
    if (this.#ptr === null) throw new EngineStateError(`${action}: the recorder is stopped`);
    return this.#ptr;
  }
}
