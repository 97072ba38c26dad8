/**
 * A decoded sample held by the engine, referenced by zones.
 *
 * Thread: CT.
 *
 * @module
 */
import type { NativeSample } from "../ffi/native.ts";

/** Facts about a loaded sample. */
export interface SampleInfo {
  /** Length in frames. */
  frames: number;
  /** 1 or 2. */
  channels: number;
  /** The file's rate in Hz (the engine resamples to the sampler's). */
  sampleRate: number;
  /** The file's smpl loop in frames (end exclusive), when it has one. */
  loop?: { start: number; end: number };
  /** Root key from the smpl chunk, 60 when absent. */
  rootKey: number;
  /** Memory held by the decoded data. */
  bytes: number;
}

/**
 * A sample loaded with `sampler.loadSample(path)`. Zones keep their own
 * reference: disposing the Sample does not silence zones that use it.
 */
export class Sample implements Disposable {
  /** Where it was loaded from (absolute), or "(data)" for samples made from arrays. */
  readonly path: string;
  /** Facts read once at load. */
  readonly info: Readonly<SampleInfo>;
  /** @internal */
  readonly native: NativeSample;

  /** @internal Use `sampler.loadSample`. */
  constructor(native: NativeSample, path: string) {
    this.native = native;
    this.path = path;
    const i = native.info;
    const info: SampleInfo = {
      frames: i.frames,
      channels: i.channels,
      sampleRate: i.sample_rate,
      rootKey: i.root_key,
      bytes: i.bytes,
    };
    if (i.has_loop) info.loop = { start: i.loop_start_frames, end: i.loop_end_frames };
    this.info = Object.freeze(info);
  }

  /** Duration in seconds at the file's own rate. */
  get seconds(): number {
    return this.info.frames / this.info.sampleRate;
  }

  /** Drop this reference; idempotent. Zones already using the data keep it. */
  dispose(): void {
    this.native.destroy();
  }

  /** Same as {@linkcode Sample.dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
