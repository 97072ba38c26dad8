/**
 * Run a performance script offline: open a sampler, let the script schedule
 * its events, then render them into a file in chunks, faster than real time.
 *
 * Thread: CT. Never prints: progress goes to the `onProgress` callback and
 * the result comes back as a value (scripts/render.ts is the CLI on top).
 * Deterministic: the same script, seed and options give the same bytes.
 *
 * @module
 */
import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../ffi/build.ts";
import { loadInstrument } from "../instrument/mod.ts";
import { isSoundFontPath, loadSoundFontPreset } from "../instrument/sf2/load.ts";
import { resolveInstrument } from "../instrument/resolve.ts";
import { MidiSamplerError, PerformanceScriptError } from "../errors.ts";
import type { Instrument } from "../engine/instrument.ts";
import type { Performance, PerformanceContext } from "../engine/performance_context.ts";
import { Random } from "../engine/random.ts";
import type { RenderFileOptions } from "../engine/render_file.ts";
import { Sampler } from "../engine/sampler.ts";
import type { SamplerOptions } from "../engine/options.ts";
import { SESSION_MAX_INSTRUMENTS } from "../live/instruments.ts";
import { findLocation, SetLoader } from "../live/loader.ts";
import { PartQueryError } from "../live/session.ts";
import { defineSet, setFunctionOf } from "../live/set.ts";
import type { PerformanceResult } from "./render_chunks.ts";
import { renderOutputs, stemSamplerOptions } from "./stems.ts";
import { MidiCapture } from "./midi_capture.ts";
import { playSetOffline, RENDER_HINT } from "./render_set.ts";

export type { PerformanceResult } from "./render_chunks.ts";

/** Options of {@linkcode runPerformance}. */
export interface RunPerformanceOptions extends RenderFileOptions {
  /** Output file (WAV or FLAC). */
  out: string;
  /** Length of the render in seconds, > 0. @default 10 */
  seconds?: number;
  /** Seed of `ctx.random` and of the engine's random alternatives, 0..2^32-1. @default 1 */
  seed?: number;
  /** Sample rate in Hz. @default 48000 */
  rate?: number;
  /** Other sampler options (polyphony, channels, interpolation, tempo, ...). */
  sampler?: Omit<SamplerOptions, "sampleRate" | "seed">;
  /** Directory holding `<name>.ts` instrument definitions. @default "<project>/instruments" */
  instrumentsDir?: string;
  /** Frames rendered between progress reports and engine housekeeping. @default 16384 */
  chunkFrames?: number;
  /** Called after each chunk with frames done and total. */
  onProgress?: (done: number, total: number) => void;
  /** Non-fatal findings while loading instruments (an SFZ file's unknown opcodes, ...). */
  onWarning?: (text: string) => void;
  /**
   * Also write one stereo WAV per orbit that sounds (`<dir>/orbit<k>.wav`); the
   * output file is then their sum (WAV only). @default none
   */
  stems?: string;
  /**
   * Write what the script sent to MIDI outputs (`noteOn(..., { midiOut })`,
   * `sampler.midi.output(...)`) to this Standard MIDI File. @default not written
   */
  midiOut?: string;
}

/**
 * Render a performance script into a file.
 *
 * @param scriptPath Path of a module whose default export is a {@linkcode Performance}.
 * @param options Output, length, seed, rate, file format, progress callback.
 * @returns Duration, peak, voices and speed of the render.
 * @throws {RangeError} for options out of range.
 * @throws {PerformanceScriptError} when the script cannot be imported, has no default
 *   function, or throws something that is not a MidiSamplerError.
 * @throws {MidiSamplerError} as raised by the engine or the instrument loader
 *   (SampleLoadError, InstrumentDefinitionError, OutputFileError, ...).
 */
export async function runPerformance(
  scriptPath: string,
  options: RunPerformanceOptions,
): Promise<PerformanceResult> {
  const started = performance.now();
  const seconds = options.seconds ?? 10;
  const seed = options.seed ?? 1;
  const rate = options.rate ?? 48000;
  const chunk = options.chunkFrames ?? 16384;
  if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 86400)) {
    throw new RangeError(`Cannot render performance: seconds must be > 0, got "${seconds}"`);
  }
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new RangeError(`Cannot render performance: chunkFrames must be >= 1, got "${chunk}"`);
  }
  const file = resolve(scriptPath);
  const perform = await importPerformance(file, { onWarning: options.onWarning });

  using sampler = Sampler.open(
    stemSamplerOptions(
      { maxInstruments: SESSION_MAX_INSTRUMENTS, ...options.sampler, sampleRate: rate, seed },
      options.stems,
    ),
  );
  await runScript(perform, file, sampler, {
    seconds,
    seed,
    instrumentsDir: options.instrumentsDir,
    onWarning: options.onWarning,
  });

  const total = sampler.clock.secondsToFrames(seconds);
  const midi = new MidiCapture(sampler); // capture outputs hold 4096 messages: read every chunk
  const result = await renderOutputs(
    sampler,
    total,
    { ...options, chunkFrames: chunk },
    options.stems,
    started,
    () => midi.drain(),
  );
  await midi.finish(total, options.midiOut);
  return result;
}

/**
 * Run a performance script's default export against a sampler: build its
 * context (seeded random, cached instrument loader) and await it. A set
 * file's default export (`defineSet(...)`) is scheduled for
 * `options.seconds` by a session instead. Shared by the offline renderer and
 * live playback (live_performance.ts).
 *
 * @param perform The script's default export (from {@linkcode importPerformance}).
 * @param file The script's path, for messages.
 * @param sampler The sampler it schedules on.
 * @param options Seconds and seed as the script sees them; the instruments directory.
 * @throws {PerformanceScriptError} when the script throws something that is not a
 *   MidiSamplerError or RangeError (those pass through).
 */
export async function runScript(
  perform: Performance,
  file: string,
  sampler: Sampler,
  options: {
    seconds: number;
    seed: number;
    instrumentsDir?: string | undefined;
    onWarning?: ((text: string) => void) | undefined;
  },
): Promise<void> {
  const { seconds, seed } = options;
  const instrumentsDir = options.instrumentsDir ?? resolve(PROJECT_ROOT, "instruments");
  const cache = new Map<string, Promise<Instrument>>();
  const ctx: PerformanceContext = {
    sampler,
    clock: sampler.clock,
    random: new Random(seed),
    seconds,
    seed,
    instrument(name: string): Promise<Instrument> {
      // one resolution for every loader (lib/instrument/resolve.ts): a SoundFont preset,
      // instruments/<name>, a gm_* name, a common name's GM preset or stand-in
      let p = cache.get(name);
      if (p) return p;
      if (!isSoundFontPath(name) && !/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(name)) {
        return Promise.reject(
          new RangeError(
            `Cannot load instrument "${name}": use a name like "piano" or "drums/kit" (letters, digits, _ - /)`,
          ),
        );
      }
      let found;
      try {
        found = resolveInstrument(name, instrumentsDir);
      } catch (err) {
        return Promise.reject(err);
      }
      if (found.note) options.onWarning?.(found.note);
      const warn = options.onWarning ? { onWarning: options.onWarning } : {};
      p = found.kind === "soundfont"
        ? loadSoundFontPreset(sampler, found.spec, {
          ...warn,
          // named as asked (when it fits 63 bytes): MIDI maps refer to it by that name
          ...(new TextEncoder().encode(name).length <= 63 ? { name } : {}),
        })
        : loadInstrument(sampler, found.path, warn);
      cache.set(name, p);
      return p;
    },
  };

  try {
    const set = setFunctionOf(perform);
    if (set) {
      await playSetOffline(set, ctx, { instrumentsDir, onWarning: options.onWarning });
    } else await perform(ctx);
  } catch (err) {
    if (err instanceof MidiSamplerError || err instanceof RangeError) throw err;
    if (err instanceof PartQueryError) {
      const where = findLocation(err.stack ?? "", [file]) ?? relative(Deno.cwd(), file);
      throw new PerformanceScriptError(`${where}: ${err.name}: ${err.message}`, {
        file,
        cause: err,
        hint: RENDER_HINT,
      });
    }
    throw new PerformanceScriptError(
      `Cannot run performance "${file}": it threw ${describe(err)}`,
      { file, cause: err, hint: "Fix the script; the stack trace is in the error's cause" },
    );
  }
}

/**
 * Import a performance script and return its default export. A `.strudel`
 * file (Strudel REPL code) becomes a set whose errors name its lines.
 *
 * @param file Absolute path of the script.
 * @param options `onWarning`: a `.strudel` file's notes (ignored visual functions, ...), once each.
 * @returns The function.
 * @throws {PerformanceScriptError} when it cannot be imported or has no default export function.
 */
export async function importPerformance(
  file: string,
  options: { onWarning?: ((text: string) => void) | undefined } = {},
): Promise<Performance> {
  if (/\.strudel$/i.test(file)) { // Strudel REPL code: a set (lib/live/strudel_file.ts)
    const loader = new SetLoader(file, { hint: RENDER_HINT, onWarning: options.onWarning });
    const { fn } = await loader.load();
    return defineSet(async (set) => {
      try {
        await fn(set);
      } catch (err) {
        throw loader.explain(err); // located in the .strudel file
      }
    });
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new PerformanceScriptError(
      `Cannot load performance "${file}": ${describe(err)}`,
      {
        file,
        cause: err,
        hint: "Check the path and that the script type-checks: deno check <script>",
      },
    );
  }
  const fn = mod.default;
  if (typeof fn !== "function") {
    throw new PerformanceScriptError(
      `Cannot run performance "${file}": it has no default export function`,
      { file, hint: "Add: export default function (ctx: PerformanceContext) { ... }" },
    );
  }
  return fn as Performance;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : JSON.stringify(err);
}
