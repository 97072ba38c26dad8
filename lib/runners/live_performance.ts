/**
 * Play a performance script live: the same script format as the offline
 * renderer (a default export receiving a PerformanceContext), played through
 * ALSA or JACK in real time.
 *
 * Thread: CT. Never prints (scripts/play.ts is the CLI on top). Order: probe
 * the device's rate and open the sampler at it (so a missing device fails
 * before instruments load), run the script (it schedules from frame 0),
 * then start the output; frame 0 is the first frame the device plays.
 *
 * @module
 */
import { resolve } from "node:path";
import type { OutputInfo, OutputOptions } from "../engine/output.ts";
import { LiveOutput } from "../engine/output.ts";
import type { MidiSamplerError } from "../errors.ts";
import { Sampler, type SamplerStats } from "../engine/sampler.ts";
import type { SamplerOptions } from "../engine/options.ts";
import { importPerformance, runScript } from "./performance.ts";

/** Options of {@linkcode startPerformance}. */
export interface LivePerformanceOptions {
  /** Backend, device, period, RT priority, look-ahead. @default {} (auto) */
  output?: OutputOptions;
  /** How long to play, seconds, > 0. @default 10 */
  seconds?: number;
  /** Seed of `ctx.random` and of the engine's random alternatives, 0..2^32-1. @default 1 */
  seed?: number;
  /** Other sampler options (polyphony, channels, interpolation, tempo, ...). */
  sampler?: Omit<SamplerOptions, "sampleRate" | "seed">;
  /** Directory holding `<name>.ts` instrument definitions. @default "<project>/instruments" */
  instrumentsDir?: string;
}

/** How a live performance ended. */
export interface LivePerformanceResult {
  /** "done": played `seconds`; "stopped": stop() was called; "failed": the device failed. */
  ending: "done" | "stopped" | "failed";
  /** Seconds of audio the device played. */
  seconds: number;
  /** The device failure, when ending is "failed". */
  failure?: MidiSamplerError;
  /** Counters at the end (xruns, late events, voices, DSP load, render times). */
  stats: SamplerStats;
}

/** A performance playing live. Dispose (or `stop()`) to end it early. */
export interface LivePerformance extends Disposable {
  readonly sampler: Sampler;
  readonly output: LiveOutput;
  /** What the device gave: backend, latency, thread policy (refreshed on each read). */
  readonly info: OutputInfo;
  /** Non-fatal problems (RT priority or memory locking denied). */
  readonly warnings: readonly MidiSamplerError[];
  /** Frames to play. */
  readonly totalFrames: number;
  /** Resolves when the performance ends; the output and sampler are closed by then. */
  readonly finished: Promise<LivePerformanceResult>;
  /** End now (idempotent). */
  stop(): void;
}

/**
 * Load a performance script, let it schedule, and start playing it live.
 *
 * @param scriptPath Path of a module whose default export is a Performance.
 * @param options Output, length, seed, sampler options.
 * @returns The running performance; await `finished`.
 * @throws {RangeError} for options out of range.
 * @throws {DeviceError} when there is no usable device (DeviceError with code
 *   MS_ERR_DEVICE names it and points to `deno task render`), it is busy
 *   (DeviceBusyError), or no JACK server runs (NoServerError).
 * @throws {PerformanceScriptError} when the script cannot be loaded or throws.
 */
export async function startPerformance(
  scriptPath: string,
  options: LivePerformanceOptions = {},
): Promise<LivePerformance> {
  const seconds = options.seconds ?? 10;
  const seed = options.seed ?? 1;
  if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 86400)) {
    throw new RangeError(`Cannot play performance: seconds must be > 0, got "${seconds}"`);
  }
  const file = resolve(scriptPath);
  const perform = await importPerformance(file);
  const sampler = Sampler.openForOutput(options.output ?? {}, { ...options.sampler, seed });
  let output: LiveOutput;
  try {
    await runScript(perform, file, sampler, {
      seconds,
      seed,
      instrumentsDir: options.instrumentsDir,
    });
    sampler.collect();
    output = sampler.startOutput(options.output ?? {});
  } catch (err) {
    sampler.close();
    throw err;
  }
  const totalFrames = sampler.clock.secondsToFrames(seconds);
  const info = output.info;

  let end: ((r: LivePerformanceResult) => void) | undefined;
  const finished = new Promise<LivePerformanceResult>((r) => end = r);
  const finish = (ending: LivePerformanceResult["ending"], failure?: MidiSamplerError) => {
    if (!end) return;
    const done = end;
    end = undefined;
    clearInterval(watch);
    const stats = sampler.stats();
    output.close();
    sampler.close();
    const result: LivePerformanceResult = {
      ending,
      seconds: Math.min(stats.framesRendered, totalFrames) / info.sampleRate,
      stats,
    };
    if (failure) result.failure = failure;
    done(result);
  };
  // the end of the piece is a frame count: poll it (the pump's own timer runs every 10 ms)
  const watch = setInterval(() => {
    if (sampler.now() >= totalFrames) finish("done");
  }, 20);
  output.addEventListener("error", (ev) => finish("failed", ev.detail));

  return {
    sampler,
    output,
    get info() {
      return output.open ? output.info : info;
    },
    warnings: output.warnings,
    totalFrames,
    finished,
    stop: () => finish("stopped"),
    [Symbol.dispose]: () => finish("stopped"),
  };
}
