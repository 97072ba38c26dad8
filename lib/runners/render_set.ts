/**
 * Sets rendered offline: as a performance script (`deno task render
 * set.ts out.wav --seconds N`) and for exactly N cycles (`--cycles N`),
 * with the same scheduler as a live session, so the same set and seed give
 * the same bytes, and the same events as when played live.
 *
 * Thread: CT. Never prints.
 *
 * @module
 */
import { resolve } from "node:path";
import type { PerformanceContext } from "../engine/performance_context.ts";
import type { RenderFileOptions } from "../engine/render_file.ts";
import { Sampler } from "../engine/sampler.ts";
import type { SamplerOptions } from "../engine/options.ts";
import { InstrumentCache, SESSION_MAX_INSTRUMENTS } from "../live/instruments.ts";
import { loadInto, SetLoader } from "../live/loader.ts";
import { type ReloadReport, type ScheduledNote, Session } from "../live/session.ts";
import { evaluateSet, type SetFunction } from "../live/set.ts";
import { TICKS_PER_CYCLE } from "../live/source.ts";
import { MidiCapture } from "./midi_capture.ts";
import type { PerformanceResult } from "./render_chunks.ts";
import { renderOutputs, stemSamplerOptions } from "./stems.ts";

/** What to do about a set that fails while it renders. */
export const RENDER_HINT = "Fix the set and render again; a render fails rather than drop a part";

/**
 * Schedule a set for `ctx.seconds` on the context's sampler (the path
 * `runPerformance` takes for a set file).
 *
 * @param fn The set function.
 * @param ctx The performance context.
 * @param options The instruments directory and where loading notes go (stand-ins said once).
 */
export async function playSetOffline(
  fn: SetFunction,
  ctx: PerformanceContext,
  options: {
    instrumentsDir?: string | undefined;
    onWarning?: ((text: string) => void) | undefined;
  } = {},
): Promise<void> {
  const session = new Session(ctx.sampler, {
    instruments: new InstrumentCache(ctx.sampler, options.instrumentsDir, options.onWarning),
    seed: ctx.seed,
    onPartError: (e) => { // a render fails rather than render a muted part
      throw e;
    },
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  await session.apply(await evaluateSet(fn, ctx.seed));
  const end = ctx.clock.secondsToFrames(ctx.seconds);
  session.advance(end);
  session.flush(end);
}

/** Options of {@linkcode renderSet}. */
export interface RenderSetOptions extends RenderFileOptions {
  /** Output file. */
  out: string;
  /** Cycles to render, > 0 (the length follows the set's tempo). */
  cycles: number;
  /** Seed. @default 1 */
  seed?: number;
  /** Sample rate. @default 48000 */
  rate?: number;
  /** Other sampler options. */
  sampler?: Omit<SamplerOptions, "sampleRate" | "seed">;
  /** Directory of instrument definitions. @default "<project>/instruments" */
  instrumentsDir?: string;
  /** Frames per chunk (the slicing does not change the output). @default 4800 */
  chunkFrames?: number;
  /**
   * Reloads during the render: at cycle `atCycle` (what is scheduled so far
   * is before it), load `file` (a set file) as the new version.
   */
  reloads?: { atCycle: number; file: string }[];
  /** Called for every note scheduled. */
  onNote?: (note: ScheduledNote) => void;
  /** Called after each reload with what changed, or with the error that kept the old version. */
  onReload?: (report: ReloadReport | Error) => void;
  /** Called with non-fatal warnings. */
  onWarning?: (text: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** Also write one stereo WAV per sounding orbit into this directory (see runPerformance). */
  stems?: string;
  /**
   * Write what `.midi()` parts sent (offline, into capture outputs) to this
   * Standard MIDI File: a track per output (lib/midi/smf_out.ts). @default not written
   */
  midiOut?: string;
}

/**
 * Render N cycles of a set file into a WAV or FLAC file.
 *
 * @param file The set file.
 * @param options Output, cycles, seed, rate, scripted reloads.
 * @returns Length, peak, voices, speed (as runPerformance's result).
 * @throws {SetLoadError} when the set cannot be loaded or throws.
 * @throws {RangeError} for options out of range.
 */
export async function renderSet(
  file: string,
  options: RenderSetOptions,
): Promise<PerformanceResult> {
  const started = performance.now();
  const { cycles } = options;
  if (!(Number.isFinite(cycles) && cycles > 0 && cycles <= 100000)) {
    throw new RangeError(`Cannot render set: cycles must be > 0, got "${cycles}"`);
  }
  const seed = options.seed ?? 1;
  const rate = options.rate ?? 48000;
  const chunk = options.chunkFrames ?? 4800;
  using sampler = Sampler.open(
    stemSamplerOptions(
      { maxInstruments: SESSION_MAX_INSTRUMENTS, ...options.sampler, sampleRate: rate, seed },
      options.stems,
    ),
  );
  const cache = new InstrumentCache(sampler, options.instrumentsDir, options.onWarning);
  const loaders: SetLoader[] = [];
  const sessionOpts: ConstructorParameters<typeof Session>[1] = {
    instruments: cache,
    seed,
    // a render fails rather than render a muted part; the error names the set's file:line:column
    onPartError: (e) => {
      const tried = loaders.map((l) => l.explain(e));
      throw tried.findLast((x) => x.location !== undefined) ?? tried.at(-1) ?? e;
    },
  };
  if (options.onNote) sessionOpts.onNote = options.onNote;
  if (options.onWarning) sessionOpts.onWarning = options.onWarning;
  const session = new Session(sampler, sessionOpts);
  const midi = new MidiCapture(sampler);
  const load = async (path: string): Promise<ReloadReport> => {
    const loader = new SetLoader(resolve(path), {
      hint: RENDER_HINT,
      onWarning: options.onWarning,
    });
    loaders.push(loader);
    return await loadInto(loader, session, seed);
  };
  try {
    const first = await load(file); // not inside ?.(): that would skip the load
    options.onReload?.(first);
    const reloads = [...(options.reloads ?? [])].sort((a, b) => a.atCycle - b.atCycle);
    const total = session.frameOfTick(Math.round(cycles * TICKS_PER_CYCLE));
    const result = await renderOutputs(
      sampler,
      total,
      { ...options, chunkFrames: chunk },
      options.stems,
      started,
      async (done, n) => {
        while (reloads.length && session.cycle >= reloads[0]!.atCycle) {
          const r = reloads.shift()!;
          try {
            const report = await load(r.file);
            options.onReload?.(report);
          } catch (err) {
            options.onReload?.(err as Error);
          }
        }
        session.advance(done + n + chunk);
        midi.drain(); // the capture rings hold 4096 messages: read them every chunk
      },
    );
    await midi.finish(total, options.midiOut); // no note left sounding in the file
    return result;
  } finally {
    for (const l of loaders) await l.dispose();
  }
}
