/**
 * Load an instrument definition file into a sampler: import the module,
 * validate its default export against InstrumentSchema, check that every
 * sample file exists (all missing ones reported in one error), load the
 * samples once each, and add one engine zone per definition zone.
 *
 * Runs on the control thread (file I/O, dynamic import, sample decoding
 * through the engine's ms_sample_load). Never touches FFI directly: it only
 * uses the Sampler / Instrument / Sample classes of lib/engine.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InstrumentDefinitionError, OutOfMemoryError, SampleLoadError } from "../errors.ts";
import { decodedBytes, memoryFacts, planMemory } from "./memory_budget.ts";
import { shownPath } from "../util/path.ts";
import type { ZoneOptions } from "../engine/options.ts";
import { zoneRange } from "../ffi/layout.ts";
import { definitionError, type DefinitionIssue, fromZodIssues } from "./issues.ts";
import {
  type EnvelopeDefinition,
  type InstrumentDefinition,
  type InstrumentDefinitionInput,
  InstrumentSchema,
  showValue,
  type ZoneDefinition,
} from "./schema.ts";
import { generatorSource } from "./generators.ts";
import { resolveSamplePaths } from "./sample_path.ts";
import { formatSfzProblem, importSfz } from "./sfz/import.ts";

/** What a loaded sample must tell the loader (lib/engine's Sample has it). */
export interface SampleLike {
  readonly info: {
    readonly frames: number;
    readonly rootKey: number;
    readonly loop?: { readonly start: number; readonly end: number } | undefined;
  };
  /** Drop the loader's reference (zones keep theirs). */
  dispose?(): void;
}

/** The zone options the loader passes to Instrument.addZone. */
export type LoaderZoneOptions = ZoneOptions;

/** What the loader needs of an instrument (lib/engine's Instrument has it). */
export interface InstrumentLike<S> {
  /** `sample` null: an oscillator zone (its `source`). */
  addZone(sample: S | null, zone: LoaderZoneOptions): number;
  commit(): void;
  setParam(name: "polyphony" | "keyswitch" | "vibratoDepth", value: number): void;
  /** What zone modulation rows read from a CC until it arrives (SFZ set_ccN). */
  setCcInit?(cc: number, value: number): void;
  /** One of the instrument's custom curves (SFZ <curve>). */
  setCurve?(index: number, values: readonly number[]): void;
}

/** What the loader needs of a sampler (lib/engine's Sampler has it). */
export interface SamplerLike<S extends SampleLike, I extends InstrumentLike<S>> {
  loadSample(path: string): S;
  /** Decode on a helper thread; with it, files load `jobs` at a time. */
  loadSampleAsync?(path: string): Promise<S>;
  createInstrument(name: string): I;
  /** Sample width in memory (the loader's memory estimate; absent: 32). */
  readonly options?: { readonly sampleBits?: number };
  /** Locked memory so far (the loader's lock check; absent: not checked). */
  stats?(): { memoryLockedBytes: number; memoryBytes: number };
}

/** A definition read from its file and validated, with its samples' absolute paths. */
export interface ResolvedDefinition {
  /** The definition file, absolute. */
  file: string;
  /** The file as messages show it: relative to the working directory when inside it. */
  shownFile: string;
  /** The validated definition. */
  definition: InstrumentDefinition;
  /** Absolute sample path of each zone, in zone order. */
  samplePaths: string[];
  /**
   * What the import ignored or approximated, one line each
   * (`piano.sfz:12: opcode "foo" is not supported (ignored)`); empty for .ts and .json.
   */
  warnings: string[];
}

/**
 * Validate a definition object.
 *
 * @param def the definition (usually a module's default export)
 * @param file the file it came from, shown in messages
 * @returns the validated definition (notes as numbers, key ranges as pairs, groups numbered)
 * @throws {InstrumentDefinitionError} listing every problem, one per line:
 *   `instruments/drums.ts: zones[3].keys[1]: 130 is above 127`
 * @example
 * ```ts
 * import { validateDefinition } from "./load.ts";
 * import assert from "node:assert/strict";
 * const def = validateDefinition(
 *   { name: "one", zones: [{ sample: "a.wav", keys: ["C4", "B4"] }] },
 *   "instruments/one.ts",
 * );
 * assert.deepEqual(def.zones[0]?.keys, [60, 71]);
 * assert.throws(
 *   () => validateDefinition({ name: "bad", zones: [{ sample: "a.wav", keys: [0, 130] }] }, "bad.ts"),
 *   { message: "bad.ts: zones[0].keys[1]: 130 is above 127" },
 * );
 * ```
 */
export function validateDefinition(def: unknown, file: string): InstrumentDefinition {
  const r = InstrumentSchema.safeParse(def);
  if (r.success) return r.data;
  throw definitionError(resolve(file), file, fromZodIssues(r.error.issues, def), {
    cause: r.error,
    hint: "Fix the fields named above; see lib/instrument/schema.ts for every field and range",
  });
}

/**
 * The identity function, typed: write `export default defineInstrument({...})`
 * in a definition file to get completion and type checks while editing.
 * Validation happens when the file is loaded.
 *
 * @param def the definition
 * @returns the same object
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineInstrument } from "./load.ts";
 * const def = defineInstrument({ name: "click", zones: [{ sample: "click.wav", keys: "C4" }] });
 * assert(def.name === "click");
 * ```
 */
export function defineInstrument(def: InstrumentDefinitionInput): InstrumentDefinitionInput {
  return def;
}

async function importDefinition(
  abs: string,
  shown: string,
  fresh: boolean,
  statOnly = false,
): Promise<unknown> {
  const fail = (problem: string, cause?: unknown) =>
    new InstrumentDefinitionError(`${shown}: ${problem}`, { file: abs, cause });
  try {
    const info = await Deno.stat(abs);
    if (!info.isFile) throw fail("is not a file");
  } catch (err) {
    if (err instanceof InstrumentDefinitionError) throw err;
    throw fail(
      err instanceof Deno.errors.NotFound
        ? `no such instrument definition at ${abs}`
        : `cannot read it (${String(err)})`,
      err,
    );
  }
  if (statOnly) return undefined;
  if (abs.endsWith(".json")) {
    try {
      return JSON.parse(await Deno.readTextFile(abs));
    } catch (err) {
      throw fail(`is not valid JSON (${err instanceof Error ? err.message : String(err)})`, err);
    }
  }
  let mod: Record<string, unknown>;
  try {
    const url = pathToFileURL(abs).href + (fresh ? `?v=${Date.now()}` : "");
    mod = await import(url);
  } catch (err) {
    throw fail(`cannot import it: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (!("default" in mod) || mod.default === undefined) {
    throw fail("has no default export (write: export default defineInstrument({ ... }))");
  }
  return mod.default;
}

/** Progress of loadInstrument's sample decoding, reported after each file. */
export interface LoadProgress {
  /** Files decoded so far (failed ones count too). */
  done: number;
  /** Files to decode. */
  total: number;
  /** Bytes of decoded sample data held so far (the engine's memory for them). */
  bytes: number;
  /** The file just finished, absolute. */
  file: string;
}

/** Options of readDefinition and loadInstrument. */
export interface LoadOptions {
  /** Import the file anew even if it was imported before (for reloading an edited file). @default false */
  fresh?: boolean;
  /**
   * Sample files decoded at once, on helper threads (when the sampler has
   * loadSampleAsync); 1 decodes on the calling thread.
   * @default navigator.hardwareConcurrency
   */
  jobs?: number;
  /** Called after each sample file is decoded (for a progress bar). */
  onProgress?: (progress: LoadProgress) => void;
  /** Called with each import warning (SFZ opcodes ignored or approximated). */
  onWarning?: (warning: string) => void;
  /**
   * Bytes of decoded samples this load may take; a library needing more is refused
   * before anything is decoded (lib/instrument/memory_budget.ts).
   * @default MemAvailable less 256 MiB
   */
  memoryBudget?: number;
}

/** Definition file extensions the loader reads, in the order findDefinition tries them. */
export const DEFINITION_EXTENSIONS = [".ts", ".sfz", ".json"] as const;

/**
 * The definition file for an instrument name: `dir/name.ts`, else
 * `dir/name.sfz`, else `dir/name.json`.
 *
 * @param dir the instruments directory
 * @param name a name like "piano" or "drums/kit"
 * @returns the first that exists, or the .ts path (whose absence the loader reports)
 */
export function findDefinition(dir: string, name: string): string {
  for (const ext of DEFINITION_EXTENSIONS) {
    const path = resolve(dir, `${name}${ext}`);
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // try the next extension
    }
  }
  return resolve(dir, `${name}.ts`);
}

/**
 * Read, validate and check a definition file without touching the engine.
 *
 * @param definitionPath the .ts (default export) or .json file
 * @param options see LoadOptions
 * @returns the validated definition and the absolute path of every zone's sample
 * @throws {InstrumentDefinitionError} when the file cannot be imported, fails
 *   validation, or names sample files that do not exist (all listed at once)
 */
export async function readDefinition(
  definitionPath: string,
  options: LoadOptions = {},
): Promise<ResolvedDefinition> {
  const file = resolve(definitionPath);
  const shownFile = shownPath(file);
  let definition: InstrumentDefinition;
  const warnings: string[] = [];
  if (extname(file).toLowerCase() === ".sfz") {
    await importDefinition(file, shownFile, false, true);
    const sfz = importSfz(file);
    definition = sfz.definition;
    warnings.push(...sfz.warnings.map(formatSfzProblem));
  } else {
    const raw = await importDefinition(file, shownFile, options.fresh ?? false);
    const r = InstrumentSchema.safeParse(raw);
    if (!r.success) {
      throw definitionError(file, shownFile, fromZodIssues(r.error.issues, raw), {
        cause: r.error,
        hint: "Fix the fields named above; see lib/instrument/schema.ts for every field and range",
      });
    }
    definition = r.data;
  }
  // exact paths first, else ignoring letter case (libraries made on Windows or macOS)
  const found = resolveSamplePaths(dirname(file), definition.zones.map((z) => z.sample));
  // an oscillator zone (sample "*sine", ...) has no file: its path is ""
  const samplePaths = found.paths.map((p, i) =>
    generatorSource(definition.zones[i]!.sample) ? "" : p
  );
  if (found.byCase.length) {
    const [first] = found.byCase, n = found.byCase.length;
    warnings.push(
      `${shownFile}: ${n} sample path${n > 1 ? "s match their files" : " matches its file"} ` +
        `only when letter case is ignored (first: ${showValue(first!.written)} is ` +
        `${showValue(first!.found)}): using the files found`,
    );
  }
  for (const w of warnings) options.onWarning?.(w);
  const missing: DefinitionIssue[] = [];
  await Promise.all(samplePaths.map(async (path, i) => {
    const zone = definition.zones[i]!;
    if (path === "") return;
    try {
      const info = await Deno.stat(path);
      if (!info.isFile) {
        missing.push({
          path: ["zones", i, "sample"],
          value: zone.sample,
          problem: `${showValue(zone.sample)} is not a file (${path})`,
        });
      }
    } catch (err) {
      missing.push({
        path: ["zones", i, "sample"],
        value: zone.sample,
        problem: err instanceof Deno.errors.NotFound
          ? `${showValue(zone.sample)} has no file at ${path}`
          : `${showValue(zone.sample)} cannot be read at ${path} (${String(err)})`,
      });
    }
  }));
  if (missing.length) {
    missing.sort((a, b) => (a.path[1] as number) - (b.path[1] as number));
    throw definitionError(file, shownFile, missing, {
      hint: "Sample paths are relative to the definition file; " +
        "the shipped samples are made by: deno run -A scripts/make_samples.ts",
    });
  }
  return { file, shownFile, definition, samplePaths, warnings };
}

/** Fields of `b` that are set, over `a`. */
function mergeEnvelope(
  a: EnvelopeDefinition | undefined,
  b: EnvelopeDefinition | undefined,
): EnvelopeDefinition | undefined {
  if (!a && !b) return undefined;
  const out: Record<string, number> = {};
  for (const src of [a, b]) {
    for (const [k, v] of Object.entries(src ?? {})) if (v !== undefined) out[k] = v;
  }
  return out as EnvelopeDefinition;
}

/**
 * The engine zone options for one validated zone, with defaults resolved:
 * the root key falls back to the zone's key when `keys` is one note, else the
 * sample's own root key; the envelope is the instrument's with the zone's
 * fields on top.
 *
 * @param def the validated definition
 * @param zone one of its zones
 * @param sampleRootKey the root key stored in the sample file (60 without one)
 * @returns options for Instrument.addZone, with no undefined fields
 */
export function zoneOptions(
  def: InstrumentDefinition,
  zone: ZoneDefinition,
  sampleRootKey: number,
  sampleInfo?: SampleLike["info"],
): LoaderZoneOptions {
  // Every option but these five is the engine's option as it stands (the
  // file's zone schema extends the engine's): copied whole, not field by field.
  const { sample: _sample, rootKey, loop, gainDb, envelope, offBy, ...same } = zone;
  const out: LoaderZoneOptions = same;
  out.rootKey = rootKey ??
    (zone.keys && zone.keys[0] === zone.keys[1] ? zone.keys[0] : sampleRootKey);
  if (loop) {
    out.loop = { mode: loop.mode };
    let { start, end } = loop;
    if ((start === undefined) !== (end === undefined) && sampleInfo) {
      // one point given: the other from the file's loop, else the sample's start or end
      start ??= sampleInfo.loop?.start ?? 0;
      end ??= sampleInfo.loop?.end ?? sampleInfo.frames;
    }
    if (start !== undefined && end !== undefined) [out.loop.start, out.loop.end] = [start, end];
  }
  if (gainDb !== undefined || def.gainDb !== undefined) {
    const [lo, hi] = zoneRange("gainDb");
    out.gainDb = Math.max(lo, Math.min(hi, (gainDb ?? 0) + (def.gainDb ?? 0)));
  }
  const env = mergeEnvelope(def.envelope, envelope);
  if (env) out.envelope = env;
  if (offBy !== undefined) out.offBy = offBy as number | "own" | "none";
  return out;
}

/**
 * Load an instrument definition file into a sampler and return the playable
 * instrument (its zones committed).
 *
 * @param sampler the sampler that will play it
 * @param definitionPath the definition file (.ts with a default export, or .json)
 * @param options see LoadOptions
 * @returns the instrument
 * @throws {InstrumentDefinitionError} for an unreadable or invalid definition,
 *   missing sample files (all listed in one error), sample files that cannot
 *   be decoded (all listed; `cause` is the first SampleLoadError), or loop
 *   points / offsets beyond a sample's end (all listed)
 * @example
 * ```ts ignore
 * import { Sampler } from "../mod.ts";
 * import { loadInstrument } from "./load.ts";
 * const sampler = Sampler.open();
 * const drums = await loadInstrument(sampler, "instruments/drums.ts");
 * drums.noteOn(36, 100);
 * ```
 */
export async function loadInstrument<S extends SampleLike, I extends InstrumentLike<S>>(
  sampler: SamplerLike<S, I>,
  definitionPath: string,
  options: LoadOptions = {},
): Promise<I> {
  const { file, shownFile, definition, samplePaths } = await readDefinition(
    definitionPath,
    options,
  );

  // Decode each file once, however many zones use it (`jobs` at a time on
  // helper threads when the sampler can); report every file that fails to
  // decode, not just the first.
  const samples = new Map<string, S>();
  const failures = new Map<string, SampleLoadError>();
  const firstZone = new Map<string, number>();
  samplePaths.forEach((path, i) => path === "" || firstZone.has(path) || firstZone.set(path, i));
  const files = [...firstZone.keys()];
  // Before decoding anything: refuse what would not fit in memory (before the machine
  // swaps), and say so when the sampler locks its memory and the lock limit is too small.
  const bits = sampler.options?.sampleBits === 16 ? 16 : 32;
  const need = files.reduce((n, f) => n + decodedBytes(f, bits), 0);
  const stats = sampler.stats?.();
  // below 4 MiB nothing is checked (reading the facts may start a shell: see memoryFacts)
  const checked = need >= 4 * 1024 * 1024 || options.memoryBudget !== undefined;
  const plan = !checked ? {} : planMemory(definition.name, need, memoryFacts(), {
    budget: options.memoryBudget,
    locking: stats && stats.memoryLockedBytes > 0
      ? { lockedBytes: stats.memoryLockedBytes }
      : undefined,
  });
  if (plan.refuse) {
    throw new OutOfMemoryError(plan.refuse, {
      hint: "Free memory, or load the library with 16-bit samples (sampleBits: 16, --bits 16)",
    });
  }
  if (plan.warn) options.onWarning?.(plan.warn);
  let done = 0, bytes = 0;
  const finished = (path: string) => {
    done++;
    options.onProgress?.({ done, total: files.length, bytes, file: path });
  };
  const decodeOne = async (path: string, parallel: boolean) => {
    try {
      const sample = parallel ? await sampler.loadSampleAsync!(path) : sampler.loadSample(path);
      samples.set(path, sample);
      bytes += (sample.info as { bytes?: number }).bytes ?? 0;
    } catch (err) {
      if (!(err instanceof SampleLoadError)) throw err;
      failures.set(path, err);
    }
    finished(path);
  };
  const jobs = Math.max(1, Math.floor(options.jobs ?? navigator.hardwareConcurrency ?? 1));
  const release = () => {
    for (const sample of samples.values()) sample.dispose?.();
  };
  try {
    if (jobs > 1 && sampler.loadSampleAsync) {
      let next = 0;
      const worker = async () => {
        while (next < files.length) await decodeOne(files[next++]!, true);
      };
      await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
    } else {
      for (const path of files) await decodeOne(path, false);
    }
  } catch (err) {
    release();
    throw err;
  }
  const undecodable: DefinitionIssue[] = [];
  let firstFailure: SampleLoadError | undefined;
  for (const [path, i] of firstZone) {
    const err = failures.get(path);
    if (!err) continue;
    const zone = definition.zones[i]!;
    firstFailure ??= err;
    undecodable.push({
      path: ["zones", i, "sample"],
      value: zone.sample,
      problem: `${showValue(zone.sample)} cannot be loaded: ${err.message}`,
    });
  }
  if (undecodable.length) {
    release();
    throw definitionError(file, shownFile, undecodable, {
      cause: firstFailure,
      ...(firstFailure?.hint ? { hint: firstFailure.hint } : {}),
    });
  }

  // Points that only the decoded sample can check, all reported at once.
  const issues: DefinitionIssue[] = [];
  definition.zones.forEach((zone, i) => {
    if (samplePaths[i] === "") return;
    const { frames } = samples.get(samplePaths[i]!)!.info;
    const where = `the sample's end (${frames} frames in ${showValue(zone.sample)})`;
    if (
      zone.loop?.start !== undefined && zone.loop.end === undefined && zone.loop.start >= frames
    ) {
      issues.push({
        path: ["zones", i, "loop", "start"],
        value: zone.loop.start,
        problem: `${zone.loop.start} is not before ${where}`,
      });
    }
    if (zone.loop?.end !== undefined && zone.loop.end > frames) {
      issues.push({
        path: ["zones", i, "loop", "end"],
        value: zone.loop.end,
        problem: `${zone.loop.end} is beyond ${where}`,
      });
    }
    if (zone.offset !== undefined && zone.offset >= frames) {
      issues.push({
        path: ["zones", i, "offset"],
        value: zone.offset,
        problem: `${zone.offset} is not before ${where}`,
      });
    }
  });
  if (issues.length) {
    release();
    throw definitionError(file, shownFile, issues);
  }

  const instrument = sampler.createInstrument(definition.name);
  if (definition.polyphony !== undefined) instrument.setParam("polyphony", definition.polyphony);
  if (definition.keyswitchDefault !== undefined) {
    instrument.setParam("keyswitch", definition.keyswitchDefault);
  }
  if (definition.modWheelVibratoCents !== undefined) {
    instrument.setParam("vibratoDepth", definition.modWheelVibratoCents);
  }
  for (const c of definition.curves ?? []) instrument.setCurve?.(c.index, c.values);
  for (const c of definition.controllers ?? []) {
    if (c.initial !== undefined) instrument.setCcInit?.(c.cc, c.initial);
  }
  definition.zones.forEach((zone, i) => {
    const source = generatorSource(zone.sample);
    if (source) {
      return void instrument.addZone(null, { ...zoneOptions(definition, zone, 60), source });
    }
    const sample = samples.get(samplePaths[i]!)!;
    instrument.addZone(sample, zoneOptions(definition, zone, sample.info.rootKey, sample.info));
  });
  instrument.commit();
  // The zones hold their own references to the sample data.
  release();
  return instrument;
}
