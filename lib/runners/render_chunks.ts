/**
 * The chunked file-render loop shared by every offline runner (performance
 * scripts, sets, MIDI files): render a prepared sampler into a file chunk by
 * chunk, collect retired engine data between chunks, and summarise.
 *
 * Thread: CT. Never prints.
 *
 * @module
 */
import type { RenderFileOptions } from "../engine/render_file.ts";
import type { Sampler } from "../engine/sampler.ts";

/** What a render produced. */
export interface PerformanceResult {
  /** The output file. */
  out: string;
  /** Frames written. */
  frames: number;
  /** Seconds of audio written. */
  seconds: number;
  /** Peak absolute sample value (linear). */
  peak: number;
  /** Peak in dBFS (-Infinity for silence). */
  peakDb: number;
  /** Most voices sounding at once. */
  voicesPeak: number;
  /** Sounding notes faded out early because every voice was busy. */
  voicesStolen: number;
  /** Events the engine dropped (a full ring or queue). */
  eventsDropped: number;
  /** Events that arrived after their frame. */
  eventsLate: number;
  /** Wall-clock seconds the whole run took (script, loading and render). */
  wallSeconds: number;
  /** Audio seconds per wall second of rendering. */
  speed: number;
}

/** What {@linkcode renderToFileInChunks} needs: the file, and how to chunk and report. */
export interface ChunkedRenderOptions {
  /** Output path (.wav or .flac). */
  out: string;
  /** Container. @default from the extension */
  format?: "wav" | "flac" | undefined;
  /** Sample format. @default 24 */
  bits?: 16 | 24 | "32f" | undefined;
  /** Frames rendered between two collect() calls and progress reports. @default 16384 */
  chunkFrames?: number | undefined;
  /** Progress, after each chunk. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Render `total` frames of a prepared sampler into a file, chunk by chunk
 * (collecting retired engine data between chunks), and summarise. Shared by
 * performance scripts, sets and MIDI files.
 *
 * @param sampler The sampler, events scheduled (or scheduled by beforeChunk).
 * @param total Frames to render.
 * @param options File, chunk size, progress.
 * @param started performance.now() when the job began (for wallSeconds).
 * @param beforeChunk Called before each chunk with the frames done and the chunk's size.
 * @returns The summary.
 * @throws {OutputFileError} and the engine's typed errors.
 */
export async function renderToFileInChunks(
  sampler: Sampler,
  total: number,
  options: ChunkedRenderOptions,
  started: number,
  beforeChunk?: (done: number, frames: number) => void | Promise<void>,
): Promise<PerformanceResult> {
  const rate = sampler.sampleRate;
  const chunk = options.chunkFrames ?? 16384;
  const renderStart = performance.now();
  const fileOptions: RenderFileOptions = {};
  if (options.format !== undefined) fileOptions.format = options.format;
  if (options.bits !== undefined) fileOptions.bits = options.bits;
  using out = sampler.renderToFile(options.out, fileOptions);
  let done = 0;
  while (done < total) {
    const n = Math.min(chunk, total - done);
    await beforeChunk?.(done, n);
    out.write(n);
    sampler.collect();
    done += n;
    options.onProgress?.(done, total);
  }
  const peak = out.peak;
  out.close();
  return renderResult(sampler, options.out, done, rate, peak, started, renderStart);
}

/**
 * What a finished render reports: its length, peak, the engine's counters,
 * and how fast it went.
 *
 * @param started when the whole run began (performance.now())
 * @param renderStart when rendering began
 */
export function renderResult(
  sampler: Sampler,
  out: string,
  frames: number,
  rate: number,
  peak: number,
  started: number,
  renderStart: number,
): PerformanceResult {
  const renderSeconds = (performance.now() - renderStart) / 1000;
  const stats = sampler.stats();
  return {
    out,
    frames,
    seconds: frames / rate,
    peak,
    peakDb: peak > 0 ? 20 * Math.log10(peak) : -Infinity,
    voicesPeak: stats.voicesPeak,
    voicesStolen: stats.voicesStolen,
    eventsDropped: stats.eventsDropped,
    eventsLate: stats.eventsLate,
    wallSeconds: (performance.now() - started) / 1000,
    speed: renderSeconds > 0 ? frames / rate / renderSeconds : Infinity,
  };
}
