/**
 * Stems: a render split by orbit. The sampler runs in orbit-outputs mode
 * (orbit k's voices and effects on channels 2k, 2k+1); each orbit that makes
 * a sound gets its own stereo WAV file in the stem directory, named with
 * Strudel's numbering (`orbit1.wav` is the engine's first orbit, 0, where
 * notes without an orbit play; `orbit2.wav` its second, ...; silence before
 * its first sound), and the main file gets their sum, the default stereo mix.
 *
 * Thread: CT. Writes files; never prints.
 *
 * @module
 */
import { join } from "node:path";
import { MAX_ORBITS } from "../ffi/layout.ts";
import { wavHeader } from "../util/wav.ts";
import type { SamplerOptions } from "../engine/options.ts";
import type { Sampler } from "../engine/sampler.ts";
import {
  type ChunkedRenderOptions,
  type PerformanceResult,
  renderResult,
  renderToFileInChunks,
} from "./render_chunks.ts";

/** Sample formats a stem writer takes. */
export type StemBits = 16 | 24 | "32f";

/** A stereo WAV file written chunk by chunk; the header's sizes are set at close. */
export class StereoWavWriter implements Disposable {
  readonly path: string;
  readonly #file: Deno.FsFile;
  readonly #bits: StemBits;
  readonly #rate: number;
  #frames = 0;
  /** Peak absolute sample value written. */
  peak = 0;

  /**
   * @param path Output path (created or truncated).
   * @param rate Sample rate.
   * @param bits 16 or 24-bit PCM, or 32-bit float.
   */
  constructor(path: string, rate: number, bits: StemBits) {
    this.path = path;
    this.#rate = rate;
    this.#bits = bits;
    this.#file = Deno.openSync(path, { write: true, create: true, truncate: true });
    this.#file.writeSync(this.#header(0));
  }

  #bytesPerSample(): number {
    return this.#bits === 16 ? 2 : this.#bits === 24 ? 3 : 4;
  }

  #header(frames: number): Uint8Array<ArrayBuffer> {
    const bps = this.#bytesPerSample();
    return wavHeader(frames * 2 * bps, {
      channels: 2,
      rate: this.#rate,
      bits: bps * 8,
      float: this.#bits === "32f",
    });
  }

  /**
   * Append frames.
   *
   * @param l Left samples.
   * @param r Right samples (as many as l).
   */
  write(l: Float32Array, r: Float32Array): void {
    const n = l.length;
    const bps = this.#bytesPerSample();
    const out = new Uint8Array(n * 2 * bps);
    const v = new DataView(out.buffer);
    let o = 0;
    for (let i = 0; i < n; i++) {
      for (const x of [l[i]!, r[i]!]) {
        const a = Math.abs(x);
        if (a > this.peak) this.peak = a;
        if (this.#bits === "32f") {
          v.setFloat32(o, x, true);
        } else if (this.#bits === 24) {
          const q = Math.max(-8388608, Math.min(8388607, Math.round(x * 8388608)));
          v.setUint8(o, q & 0xff);
          v.setUint8(o + 1, (q >> 8) & 0xff);
          v.setUint8(o + 2, (q >> 16) & 0xff);
        } else {
          v.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
        }
        o += bps;
      }
    }
    this.#file.writeSync(out);
    this.#frames += n;
  }

  /** Frames written so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Set the header's sizes and close. */
  close(): void {
    this.#file.seekSync(0, Deno.SeekMode.Start);
    this.#file.writeSync(this.#header(this.#frames));
    this.#file.close();
  }

  /** Same as close. */
  [Symbol.dispose](): void {
    try {
      this.close();
    } catch {
      // already closed
    }
  }
}

/** What {@linkcode renderStemsInChunks} wrote besides the mix. */
export interface StemsResult extends PerformanceResult {
  /** Stem files by orbit (Strudel's numbering: engine orbit + 1), for the orbits that made a sound. */
  stems: Record<number, string>;
}

/**
 * Render `total` frames of a sampler opened with `orbitOutputs` into one file
 * per sounding orbit plus the mix (their sum).
 *
 * @param sampler The sampler (orbit-outputs mode, 2 channels per orbit).
 * @param total Frames to render.
 * @param options The mix file, its sample format, chunking, progress.
 * @param stemDir Directory for `orbit<k>.wav`, k from 1 (created).
 * @param started performance.now() when the job began.
 * @param beforeChunk Called before each chunk with the frames done and the chunk's size.
 * @returns The summary with the stems.
 * @throws {RangeError} for a mix file that is not WAV.
 */
export async function renderStemsInChunks(
  sampler: Sampler,
  total: number,
  options: ChunkedRenderOptions,
  stemDir: string,
  started: number,
  beforeChunk?: (done: number, frames: number) => void | Promise<void>,
): Promise<StemsResult> {
  if (options.format === "flac" || options.out.toLowerCase().endsWith(".flac")) {
    throw new RangeError(`Cannot render stems: the mix "${options.out}" must be a WAV file`);
  }
  Deno.mkdirSync(stemDir, { recursive: true });
  const rate = sampler.sampleRate;
  const bits: StemBits = options.bits ?? 24;
  const pairs = sampler.channels >> 1;
  const chunk = options.chunkFrames ?? 16384;
  const renderStart = performance.now();
  const writers = new Map<number, StereoWavWriter>();
  const mix = new StereoWavWriter(options.out, rate, bits);
  let done = 0;
  try {
    while (done < total) {
      const n = Math.min(chunk, total - done);
      await beforeChunk?.(done, n);
      const buf = sampler.process(n);
      sampler.collect();
      const ch = sampler.channels;
      const ml = new Float32Array(n), mr = new Float32Array(n);
      for (let k = 0; k < pairs; k++) {
        const l = new Float32Array(n), r = new Float32Array(n);
        let sound = false;
        for (let i = 0; i < n; i++) {
          const a = buf[i * ch + 2 * k]!, b = buf[i * ch + 2 * k + 1]!;
          l[i] = a;
          r[i] = b;
          ml[i]! += a;
          mr[i]! += b;
          if (a !== 0 || b !== 0) sound = true;
        }
        let w = writers.get(k);
        if (!w && sound) {
          w = new StereoWavWriter(join(stemDir, `orbit${k + 1}.wav`), rate, bits);
          const silence = new Float32Array(Math.min(done, 1 << 16));
          for (let left = done; left > 0; left -= silence.length) {
            const m = Math.min(left, silence.length);
            w.write(silence.subarray(0, m), silence.subarray(0, m));
          }
          writers.set(k, w);
        }
        w?.write(l, r);
      }
      mix.write(ml, mr);
      done += n;
      options.onProgress?.(done, total);
    }
  } finally {
    mix.close();
    for (const w of writers.values()) w.close();
  }
  return {
    ...renderResult(sampler, options.out, done, rate, mix.peak, started, renderStart),
    stems: Object.fromEntries([...writers].map(([k, w]) => [k + 1, w.path])),
  };
}

/**
 * Sampler options for a render: with a stem directory, orbit-outputs mode on
 * one channel pair per orbit.
 *
 * @param base The options the render would use.
 * @param stems The stem directory, if any.
 * @returns The options to open the sampler with.
 */
export function stemSamplerOptions(
  base: SamplerOptions,
  stems: string | undefined,
): SamplerOptions {
  return stems === undefined ? base : { ...base, channels: 2 * MAX_ORBITS, orbitOutputs: true };
}

/**
 * Render into the output file, and with `stems` also one file per sounding orbit.
 *
 * @param sampler The sampler (opened with {@linkcode stemSamplerOptions}).
 * @param total Frames.
 * @param options Output and chunking.
 * @param stems The stem directory, if any.
 * @param started performance.now() at the start of the job.
 * @param beforeChunk Called before each chunk.
 * @returns The summary (with `stems` when written).
 */
export function renderOutputs(
  sampler: Sampler,
  total: number,
  options: ChunkedRenderOptions,
  stems: string | undefined,
  started: number,
  beforeChunk?: (done: number, frames: number) => void | Promise<void>,
): Promise<PerformanceResult & { stems?: Record<number, string> }> {
  return stems === undefined
    ? renderToFileInChunks(sampler, total, options, started, beforeChunk)
    : renderStemsInChunks(sampler, total, options, stems, started, beforeChunk);
}
