/**
 * Load a SoundFont preset into a sampler as an instrument:
 * `loadSoundFontPreset(sampler, "font.sf2", { bank: 0, program: 0 })`, or a
 * path with the preset after `#`: `"TimGM6mb.sf2#0:0"` (bank:program) or
 * `"TimGM6mb.sf2#0"` (program of bank 0).
 *
 * A font is parsed once per file (kept while its size and modification time
 * stay the same); each SF2 sample becomes one engine sample the first time a
 * preset of that sampler uses it (16-bit + sm24 to floats through
 * `createSample`; an SF3 sample's Ogg Vorbis stream written to a temporary
 * file and decoded by the engine's libsndfile loader).
 *
 * Thread: CT (file I/O, sample creation through lib/engine).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * @module
 */
import { resolve } from "node:path";
import { InstrumentDefinitionError, SampleLoadError } from "../../errors.ts";
import type { ZoneOptions } from "../../engine/options.ts";
import { shownPath } from "../../util/path.ts";
import { parseSoundFont, sampleOgg, samplePcm, type SoundFont } from "./riff.ts";
import { findPreset, FIRST_CURVE, presetZones } from "./zones.ts";

/** What the SoundFont loader needs of a sample (lib/engine's Sample has it). */
export interface Sf2SampleLike {
  readonly info: { readonly frames: number };
  dispose?(): void;
}

/** What the SoundFont loader needs of a sampler (lib/engine's Sampler has it). */
export interface Sf2SamplerLike<S extends Sf2SampleLike, I> {
  createSample(
    data: Float32Array<ArrayBuffer>,
    options?: { channels?: 1 | 2; sampleRate?: number },
  ): S;
  loadSample(path: string): S;
  /** Decode on a helper thread: SF3 samples then decode several at once. */
  loadSampleAsync?(path: string): Promise<S>;
  createInstrument(name: string): I;
}

/** What the loader needs of an instrument. */
export interface Sf2InstrumentLike<S> {
  addZone(sample: S, zone: ZoneOptions): number;
  commit(): void;
  /** Custom curves 8..255 for zone rows (per-key envelope times). */
  setCurve(index: number, values: readonly number[]): void;
  /** The instrument's own mod-wheel vibrato is turned off: the zones' vibrato rows play CC1. */
  setParam?(name: "vibratoDepth", value: number): void;
}

/** Which preset: bank 0..16383 (128 = GM percussion) and program 0..127. */
export interface PresetSelector {
  /** @default 0 */
  bank?: number;
  /** @default 0 */
  program?: number;
  /** Only the exact bank and program (no fallback to bank 0 / drum kit 0). @default false */
  exact?: boolean;
}

/** Options of {@linkcode loadSoundFontPreset}. */
export interface Sf2LoadOptions extends PresetSelector {
  /** Called once per generator family the engine does not play yet, with its zone count. */
  onWarning?: (warning: string) => void;
  /** Instrument name (MIDI maps refer to instruments by name). @default the preset's name */
  name?: string;
  /**
   * Play the presets' reverb and chorus sends into the zones' orbit reverb
   * (see zones.ts FLUID_REVERB) and chorus; false renders dry, like
   * `fluidsynth -R 0 -C 0`. @default true
   */
  effects?: boolean;
}

interface FontEntry {
  mtime: number;
  size: number;
  font: SoundFont;
}

const fonts = new Map<string, FontEntry>();
const samplesBySampler = new WeakMap<object, Map<string, Sf2SampleLike>>();

/** Is this path a SoundFont (`.sf2`/`.sf3`, optionally with `#bank:program`)? */
export function isSoundFontPath(path: string): boolean {
  return /\.sf[23](#.*)?$/i.test(path);
}

/**
 * Split `"font.sf2#bank:program"` into the file and the preset.
 *
 * @param spec A path, optionally with `#program` or `#bank:program`.
 * @returns The file and the selector.
 * @throws {RangeError} when the part after `#` is not `program` or `bank:program`.
 * @example
 * ```ts
 * import { splitPresetPath } from "./load.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(splitPresetPath("gm.sf2#128:0"), { file: "gm.sf2", bank: 128, program: 0 });
 * assert.deepEqual(splitPresetPath("gm.sf2#33"), { file: "gm.sf2", bank: 0, program: 33 });
 * ```
 */
export function splitPresetPath(spec: string): { file: string; bank: number; program: number } {
  const hash = spec.lastIndexOf("#");
  if (hash < 0) return { file: spec, bank: 0, program: 0 };
  const file = spec.slice(0, hash), sel = spec.slice(hash + 1);
  const m = /^(?:(\d{1,5}):)?(\d{1,3})$/.exec(sel);
  const bank = m?.[1] === undefined ? 0 : Number(m[1]), program = Number(m?.[2]);
  if (!m || program > 127 || bank > 16383) {
    throw new RangeError(
      `Cannot read preset "${sel}" of "${file}": write #program (0..127) or #bank:program (bank 0..16383), like "${file}#0:0"`,
    );
  }
  return { file, bank, program };
}

/** The font-and-family pairs already reported as not played (said once per process). */
const saidFamilies = new Set<string>();

/**
 * Read and parse a SoundFont, once per file version.
 *
 * @param path The .sf2 or .sf3 file.
 * @param onWarning Called with what the reader skipped (trailing junk), when it parses the file.
 * @returns The parsed font.
 * @throws {InstrumentDefinitionError} when the file is missing or not a SoundFont.
 */
export async function readSoundFont(
  path: string,
  onWarning?: (warning: string) => void,
): Promise<SoundFont> {
  const abs = resolve(path);
  const fail = (problem: string, cause?: unknown) =>
    new InstrumentDefinitionError(`Cannot load SoundFont "${shownPath(abs)}": ${problem}`, {
      file: abs,
      cause,
    });
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(abs);
  } catch (err) {
    throw fail(
      err instanceof Deno.errors.NotFound ? `no such file at ${abs}` : `cannot read it (${err})`,
      err,
    );
  }
  const mtime = st.mtime?.getTime() ?? 0;
  const known = fonts.get(abs);
  if (known && known.mtime === mtime && known.size === st.size) return known.font;
  let font: SoundFont;
  try {
    font = parseSoundFont(await Deno.readFile(abs));
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  fonts.set(abs, { mtime, size: st.size, font });
  for (const note of font.notes) onWarning?.(`${shownPath(abs)}: ${note}`);
  return font;
}

function cacheOf<S>(sampler: object): Map<string, S> {
  let cache = samplesBySampler.get(sampler) as Map<string, S> | undefined;
  if (!cache) {
    cache = new Map();
    samplesBySampler.set(sampler, cache as Map<string, Sf2SampleLike>);
  }
  return cache;
}

const sampleKey = (file: string, index: number, endOffset: number) =>
  `${file}\0${index}\0${endOffset}`;

function decodeError(file: string, name: string, err: unknown): SampleLoadError {
  return new SampleLoadError(
    `Cannot decode SoundFont sample "${name}" of "${shownPath(file)}": ${
      err instanceof Error ? err.message : String(err)
    }`,
    "MS_ERR_FILE_FORMAT",
    { cause: err },
  );
}

/**
 * Decode the SF3 (Ogg Vorbis) samples of `zones` not decoded yet for this
 * sampler, `jobs` at a time on helper threads (each through a temporary
 * file: libsndfile reads files).
 */
async function decodeVorbis<S extends Sf2SampleLike>(
  sampler: Sf2SamplerLike<S, unknown>,
  file: string,
  font: SoundFont,
  zones: readonly { sample: number; endOffset: number }[],
): Promise<void> {
  const load = sampler.loadSampleAsync?.bind(sampler);
  if (!load) return;
  const cache = cacheOf<S>(sampler);
  const todo = [
    ...new Map(
      zones.filter((z) => font.samples[z.sample]?.vorbis)
        .map((z) => [sampleKey(file, z.sample, z.endOffset), z] as const)
        .filter(([k]) => !cache.has(k)),
    ),
  ];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const [key, z] = todo[next++]!;
      const s = font.samples[z.sample]!;
      const tmp = await Deno.makeTempFile({ suffix: ".ogg" });
      try {
        await Deno.writeFile(tmp, sampleOgg(font, s));
        cache.set(key, await load(tmp));
      } catch (err) {
        throw decodeError(file, s.name, err);
      } finally {
        await Deno.remove(tmp).catch(() => {});
      }
    }
  };
  const jobs = Math.max(1, Math.min(todo.length, navigator.hardwareConcurrency ?? 2));
  await Promise.all(Array.from({ length: jobs }, worker));
}

function engineSample<S extends Sf2SampleLike>(
  sampler: Sf2SamplerLike<S, unknown>,
  file: string,
  font: SoundFont,
  index: number,
  endOffset: number,
): S {
  const cache = cacheOf<S>(sampler);
  const key = sampleKey(file, index, endOffset);
  const hit = cache.get(key);
  if (hit) return hit;
  const s = font.samples[index]!;
  let sample: S;
  if (s.vorbis) {
    const tmp = Deno.makeTempFileSync({ suffix: ".ogg" });
    try {
      Deno.writeFileSync(tmp, sampleOgg(font, s));
      sample = sampler.loadSample(tmp);
    } catch (err) {
      throw decodeError(file, s.name, err);
    } finally {
      Deno.removeSync(tmp);
    }
  } else {
    const end = Math.max(s.start + 1, s.end + endOffset);
    let pcm: Float32Array<ArrayBuffer>;
    try {
      pcm = samplePcm(font, s.start, end);
    } catch (err) {
      throw decodeError(file, s.name, err); // a sample header pointing past "smpl"
    }
    sample = sampler.createSample(pcm, {
      channels: 1,
      sampleRate: Math.max(1000, Math.min(384000, s.sampleRate || 44100)),
    });
  }
  cache.set(key, sample);
  return sample;
}

/**
 * Load one preset of a SoundFont as an instrument.
 *
 * @param sampler The sampler that will play it.
 * @param path The .sf2/.sf3 file; a `#bank:program` suffix selects the preset when `options` does not.
 * @param options Bank, program (with FluidSynth's fallback to bank 0, or to
 *   drum kit 0 for bank 128, unless `exact`), and a warning callback.
 * @returns The instrument, its zones committed, named after the preset.
 * @throws {InstrumentDefinitionError} when the file is not a SoundFont or has no such preset.
 * @example
 * ```ts ignore
 * import { Sampler } from "../../mod.ts";
 * import { loadSoundFontPreset } from "./load.ts";
 * const sampler = Sampler.open();
 * const piano = await loadSoundFontPreset(sampler, "/usr/share/sounds/sf2/TimGM6mb.sf2", { program: 0 });
 * piano.noteOn(60, 100);
 * ```
 */
export async function loadSoundFontPreset<
  S extends Sf2SampleLike,
  I extends Sf2InstrumentLike<S>,
>(
  sampler: Sf2SamplerLike<S, I>,
  path: string,
  options: Sf2LoadOptions = {},
): Promise<I> {
  const split = splitPresetPath(path);
  const file = resolve(split.file);
  const bank = options.bank ?? split.bank, program = options.program ?? split.program;
  const font = await readSoundFont(file, options.onWarning);
  const index = findPreset(font, bank, program, options.exact ?? false);
  if (index < 0) {
    const some = font.presets.slice(0, 5).map((p) => `${p.bank}:${p.program} "${p.name}"`);
    throw new InstrumentDefinitionError(
      `Cannot load preset ${bank}:${program} of "${
        shownPath(file)
      }": the font has no such preset (it has ${font.presets.length}, e.g. ${some.join(", ")})`,
      {
        file,
        path: ["bank", "program"],
        value: [bank, program],
        hint: "List them: deno task instrument inspect <font>",
      },
    );
  }
  const preset = font.presets[index]!;
  let zoned;
  try {
    zoned = presetZones(font, index, { effects: options.effects ?? true });
  } catch (err) {
    // a zone naming an instrument or sample the font does not have: say which file
    throw new InstrumentDefinitionError(
      `Cannot load preset ${bank}:${program} of "${shownPath(file)}": the font is damaged (${
        err instanceof Error ? err.message : String(err)
      })`,
      { file, cause: err, hint: "Export the SoundFont again, or pick another preset" },
    );
  }
  const { zones, unsupported, curves } = zoned;
  for (const [family, count] of unsupported) {
    // once per font and family in a process: a GM song or a set loads many presets of one font
    const key = `${file}\0${family}`;
    if (saidFamilies.has(key)) continue;
    saidFamilies.add(key);
    const first = `first in #${preset.bank}:${preset.program} "${preset.name}", ${count} zone${
      count === 1 ? "" : "s"
    }`;
    options.onWarning?.(
      `${shownPath(file)}: ${
        family.startsWith("approximated: ") ? family : `${family} not played yet`
      } (${first})`,
    );
  }
  const name = (options.name ?? (preset.name.trim() || `${preset.bank}:${preset.program}`)).slice(
    0,
    63,
  );
  await decodeVorbis(sampler, file, font, zones);
  const instrument = sampler.createInstrument(name);
  curves.forEach((values, i) => instrument.setCurve(FIRST_CURVE + i, values));
  for (const z of zones) {
    const sample = engineSample(sampler, file, font, z.sample, z.endOffset);
    const frames = sample.info.frames;
    const opts: ZoneOptions = { ...z.options };
    if (opts.offset !== undefined && opts.offset >= frames) delete opts.offset;
    if (opts.loop?.end !== undefined && opts.loop.end > frames) opts.loop = { mode: "none" };
    instrument.addZone(sample, opts);
  }
  instrument.setParam?.("vibratoDepth", 0);
  instrument.commit();
  return instrument;
}

/** One row of {@linkcode listPresets}. */
export interface PresetRow {
  bank: number;
  program: number;
  name: string;
  zones: number;
}

/**
 * Every preset of a font, sorted by bank then program.
 *
 * @param path The .sf2/.sf3 file.
 * @returns Bank, program, name and zone count of each.
 * @throws {InstrumentDefinitionError} when the file is not a SoundFont.
 */
export async function listPresets(
  path: string,
): Promise<{ font: SoundFont; presets: PresetRow[] }> {
  const font = await readSoundFont(splitPresetPath(path).file);
  const presets = font.presets.map((p, i) => ({
    bank: p.bank,
    program: p.program,
    name: p.name,
    zones: presetZones(font, i).zones.length,
  })).sort((a, b) => a.bank - b.bank || a.program - b.program);
  return { font, presets };
}
