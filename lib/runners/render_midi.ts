/**
 * Render a Standard MIDI File offline through a MIDI mapping:
 * `deno task render song.mid out.wav --map mapping.ts`.
 *
 * The mapping file is a performance script (same context: ctx.instrument,
 * ctx.sampler, ...) that creates or loads the instruments and sets the
 * mapping with `ctx.sampler.midi.setMap(...)`. The song's events are then
 * played through that mapping on their exact frames (the tempo map turned
 * into seconds), and the render lasts the song plus a tail.
 *
 * Thread: CT.
 *
 * @module
 */
import { resolve } from "node:path";
import { Sampler } from "../engine/sampler.ts";
import { MidiMapError } from "../midi/errors.ts";
import { loadMidiFile, scheduleMidiFile } from "../midi/smf.ts";
import { loadGmMap } from "../instrument/sf2/gm.ts";
import { importPerformance, type RunPerformanceOptions, runScript } from "./performance.ts";
import { type PerformanceResult, renderToFileInChunks } from "./render_chunks.ts";

/** Options of {@linkcode renderMidiFile}. */
export interface RenderMidiOptions extends Omit<RunPerformanceOptions, "seconds"> {
  /** The mapping script (or give `sf2`). */
  map?: string;
  /** A General MIDI SoundFont: loads the presets the song uses and maps channels by program (drums on 10). */
  sf2?: string;
  /** Length in seconds. @default the song's length plus `tailSeconds` */
  seconds?: number;
  /** Seconds rendered after the song's last event. @default 2 */
  tailSeconds?: number;
}

/**
 * Render `songPath` into `options.out` through the mapping `options.map`.
 *
 * @param songPath A Standard MIDI File.
 * @param options Mapping script, output, rate, seed, format, length.
 * @returns What runPerformance returns.
 * @throws {PerformanceScriptError} when the mapping script cannot be imported or throws.
 * @throws {MidiMapError} when the mapping is malformed or was never set.
 * @throws {RangeError} when the song is not a MIDI file.
 */
export async function renderMidiFile(
  songPath: string,
  options: RenderMidiOptions,
): Promise<PerformanceResult> {
  const started = performance.now();
  const song = await loadMidiFile(songPath);
  const rate = options.rate ?? 48000;
  const seed = options.seed ?? 1;
  const seconds = options.seconds ?? song.seconds + (options.tailSeconds ?? 2);
  using sampler = Sampler.open({ ...options.sampler, sampleRate: rate, seed });
  if (options.sf2 !== undefined) {
    const gm = await loadGmMap(sampler, options.sf2, song, {
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
    sampler.midi.setMap(gm.map, options.sf2);
    for (const bytes of gm.reset) sampler.midi.send(bytes, { at: { seconds: 0 } });
  } else {
    if (options.map === undefined) {
      throw new RangeError(
        `Cannot render "${songPath}": give a mapping script or a SoundFont (sf2)`,
      );
    }
    const mapFile = resolve(options.map);
    const perform = await importPerformance(mapFile);
    await runScript(perform, mapFile, sampler, {
      seconds,
      seed,
      instrumentsDir: options.instrumentsDir,
    });
  }
  if (!sampler.midi.map) {
    throw new MidiMapError(
      `Cannot render "${songPath}": the mapping script "${options.map}" set no MIDI map`,
      {
        path: [],
        file: options.map ?? songPath,
        hint: "Call ctx.sampler.midi.setMap({ layers: [...] }) in its default export",
      },
    );
  }
  scheduleMidiFile(sampler, song);
  const total = Math.round(seconds * rate);
  return await renderToFileInChunks(sampler, total, options, started);
}
