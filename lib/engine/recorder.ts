/**
 * Recording what the sampler plays, live or offline, into a WAV or FLAC
 * file: the render thread copies each block into a ring and the engine's
 * writer thread encodes it, so recording never blocks the audio.
 *
 * Thread: CT. Get one from `sampler.record(path)`; `stop()` (or `using`)
 * finishes the file. Frames the writer could not keep up with are dropped
 * and counted (`droppedFrames`), never waited for.
 *
 * @module
 */
import { FILE_FORMAT, SAMPLE_FORMAT } from "../ffi/layout.ts";
import { NativeRecorder } from "../ffi/native_recorder.ts";
import type { RenderFileOptions } from "./render_file.ts";
import type { SamplerCore } from "./sampler_core.ts";

/** Options of `sampler.record`. */
export interface RecordOptions extends RenderFileOptions {
  /** Seconds of audio the ring holds while the writer catches up, > 0. @default 2 */
  bufferSeconds?: number;
}

/**
 * A recording in progress.
 *
 * @example
 * ```ts ignore
 * using rec = sampler.record("take.wav", { bits: 24 });
 * // ... play ...
 * rec.stop();
 * console.log(rec.frames, rec.droppedFrames);
 * ```
 */
export class Recorder implements Disposable {
  /** The file being written. */
  readonly path: string;
  readonly #native: NativeRecorder;
  readonly #core: SamplerCore;
  #frames = 0;
  #dropped = 0;
  readonly #startFrame: number;

  private constructor(core: SamplerCore, native: NativeRecorder, path: string) {
    this.#core = core;
    this.#native = native;
    this.path = path;
    this.#startFrame = core.native.now();
  }

  /**
   * @internal Use `sampler.record`.
   * @throws {OutputFileError} when the file cannot be created.
   * @throws {UnsupportedError} for FLAC with float samples.
   * @throws {EngineStateError} when the sampler is already recording.
   * @throws {RangeError} for bad options.
   */
  static start(core: SamplerCore, path: string, options: RecordOptions = {}): Recorder {
    const format = options.format ?? (path.toLowerCase().endsWith(".flac") ? "flac" : "wav");
    const bits = options.bits ?? 24;
    const buffer = options.bufferSeconds ?? 2;
    if (format !== "wav" && format !== "flac") {
      throw new RangeError(
        `Cannot record to "${path}": format must be "wav" or "flac", got "${format}"`,
      );
    }
    if (bits !== 16 && bits !== 24 && bits !== "32f") {
      throw new RangeError(
        `Cannot record to "${path}": bits must be 16, 24 or "32f", got "${bits}"`,
      );
    }
    if (!(Number.isFinite(buffer) && buffer > 0 && buffer <= 600)) {
      throw new RangeError(
        `Cannot record to "${path}": bufferSeconds must be 0..600, got "${buffer}"`,
      );
    }
    const native = NativeRecorder.start(
      core.native,
      path,
      format === "flac" ? FILE_FORMAT.FLAC : FILE_FORMAT.WAV,
      bits === 16 ? SAMPLE_FORMAT.PCM16 : bits === 24 ? SAMPLE_FORMAT.PCM24 : SAMPLE_FORMAT.FLOAT32,
      buffer,
    );
    const rec = new Recorder(core, native, path);
    core.closables.add({ close: () => rec.stop() });
    return rec;
  }

  /** True until stopped. */
  get running(): boolean {
    return this.#native.running;
  }

  /** Frames written to the file so far (after stop: every frame rendered while recording, less the dropped). */
  get frames(): number {
    return this.#native.running ? this.#native.frames() : this.#frames;
  }

  /** Frames dropped because the writer fell behind (final after stop). */
  get droppedFrames(): number {
    return this.#native.running ? this.#native.droppedFrames() : this.#dropped;
  }

  /**
   * Finish the file. Idempotent.
   *
   * @throws {OutputFileError} when the file cannot be finished.
   */
  stop(): void {
    if (!this.#native.running) return;
    const rendered = this.#core.native.alive ? this.#core.native.now() - this.#startFrame : 0;
    this.#dropped = this.#native.droppedFrames();
    this.#native.stop();
    this.#frames = Math.max(0, rendered - this.#dropped);
  }

  /** Same as {@linkcode Recorder.stop}, for `using`. */
  [Symbol.dispose](): void {
    this.stop();
  }

  /** @internal The core it records (for the sampler's bookkeeping). */
  get core(): SamplerCore {
    return this.#core;
  }
}
