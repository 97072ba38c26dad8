/**
 * Offline rendering into a WAV or FLAC file, faster than real time.
 *
 * Thread: CT. Each write sends the events due in the span (in windows no
 * bigger than half the event ring), then lets the engine render and encode
 * on this thread. The same events and options give the same bytes.
 *
 * @module
 */
import { FILE_FORMAT, SAMPLE_FORMAT } from "../ffi/layout.ts";
import type { NativeRenderFile } from "../ffi/native.ts";
import type { SamplerCore } from "./sampler_core.ts";

/** Output file encoding. */
export interface RenderFileOptions {
  /** Container; by default from the extension (".flac" → "flac", else "wav"). */
  format?: "wav" | "flac";
  /** Sample format: 16- or 24-bit PCM, or 32-bit float (WAV only). @default 24 */
  bits?: 16 | 24 | "32f";
}

/** Frames rendered per engine call inside {@linkcode RenderFile.write}. */
const MAX_WRITE_FRAMES = 1 << 16;

/**
 * A file being rendered, from `sampler.renderToFile(path, options)`.
 *
 * @example
 * ```ts ignore
 * using sampler = Sampler.open();
 * using file = sampler.renderToFile("out.wav", { bits: 16 });
 * file.write(sampler.clock.secondsToFrames(2));
 * console.log(file.peakDb);
 * ```
 */
export class RenderFile implements Disposable {
  /** Output path as given. */
  readonly path: string;
  /** Container actually used. */
  readonly format: "wav" | "flac";
  /** Sample format actually used. */
  readonly bits: 16 | 24 | "32f";
  readonly #core: SamplerCore;
  readonly #native: NativeRenderFile;
  #frames = 0;
  #finalPeak: number | undefined;

  /** @internal Use `sampler.renderToFile`. */
  constructor(core: SamplerCore, path: string, options: RenderFileOptions = {}) {
    const format = options.format ?? (path.toLowerCase().endsWith(".flac") ? "flac" : "wav");
    const bits = options.bits ?? 24;
    if (format !== "wav" && format !== "flac") {
      throw new RangeError(
        `Cannot open output file "${path}": format must be "wav" or "flac", got "${format}"`,
      );
    }
    if (bits !== 16 && bits !== 24 && bits !== "32f") {
      throw new RangeError(
        `Cannot open output file "${path}": bits must be 16, 24 or "32f", got "${bits}"`,
      );
    }
    this.#core = core;
    this.path = path;
    this.format = format;
    this.bits = bits;
    this.#native = core.native.openRenderFile(
      path,
      format === "flac" ? FILE_FORMAT.FLAC : FILE_FORMAT.WAV,
      bits === 16 ? SAMPLE_FORMAT.PCM16 : bits === 24 ? SAMPLE_FORMAT.PCM24 : SAMPLE_FORMAT.FLOAT32,
    );
    core.closables.add(this);
  }

  /** Frames written so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Peak absolute sample value written so far (linear, 1 = full scale); still readable after close. */
  get peak(): number {
    return this.#finalPeak ?? this.#native.peak();
  }

  /** Peak in dBFS (-Infinity for silence). */
  get peakDb(): number {
    const p = this.peak;
    return p > 0 ? 20 * Math.log10(p) : -Infinity;
  }

  /**
   * Render `frames` more frames into the file, applying every event due in them.
   *
   * @param frames Frames to render (integer >= 0).
   * @throws {RangeError} for a bad frame count.
   * @throws {OutputFileError} when writing fails.
   * @throws {EngineStateError} when the file or sampler is closed.
   */
  write(frames: number): void {
    if (!Number.isInteger(frames) || frames < 0) {
      throw new RangeError(
        `Cannot write audio to "${this.path}": frames must be an integer >= 0, got "${frames}"`,
      );
    }
    let left = frames;
    while (left > 0) {
      const now = this.#core.native.now();
      const until = now + Math.min(left, MAX_WRITE_FRAMES);
      const bound = this.#core.pump(until);
      const n = bound - now;
      this.#native.write(n);
      this.#frames += n;
      left -= n;
    }
  }

  /**
   * Finish the file (header sizes) and release it. Idempotent.
   *
   * @throws {OutputFileError} when finishing the file fails.
   */
  close(): void {
    this.#core.closables.delete(this);
    if (this.#native.open) this.#finalPeak = this.#native.peak();
    this.#native.close();
  }

  /** Same as {@linkcode RenderFile.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
