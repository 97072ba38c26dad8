/**
 * Instruments of a live session, loaded once and kept while their
 * definition file and sample files are unchanged.
 *
 * Thread: CT. The cache key of an instrument is the SHA-256 of its
 * definition file's bytes and of each sample file's bytes (a sample is only
 * re-read when its size or modification time changed). A reload of the set
 * asks for every instrument again: unchanged ones come back as the same
 * object (their voices keep playing), changed ones are loaded anew. Never
 * prints.
 *
 * @module
 */
import { resolve } from "node:path";
import { PROJECT_ROOT } from "../ffi/build.ts";
import type { Instrument } from "../engine/instrument.ts";
import type { Sampler } from "../engine/sampler.ts";
import { loadInstrument, readDefinition } from "../instrument/mod.ts";
import { isSoundFontPath, loadSoundFontPreset, splitPresetPath } from "../instrument/sf2/load.ts";
import {
  isPackInstrument,
  loadPackInstrument,
  packInstrumentFiles,
  prefetchPackSamples,
} from "../instrument/packs.ts";
import { gmProgram } from "../instrument/sf2/gm_names.ts";
import { COMMON_NAMES, resolveInstrument } from "../instrument/resolve.ts";
import { SYNTH_PREFIX } from "../pattern/controls.ts";
import { SOURCE } from "../ffi/layout.ts";

/**
 * Instruments a session's sampler holds (the engine's default is 128): a
 * sample pack's sound is one instrument per file (Dirt-Samples' `sn` alone
 * is 52), so perform and render open their samplers with this many.
 */
export const SESSION_MAX_INSTRUMENTS = 1024;

interface SampleStamp {
  path: string;
  mtime: number;
  size: number;
  hash: string;
}

/** A loaded instrument and what the session needs to know about it. */
export interface CachedInstrument {
  readonly name: string;
  readonly instrument: Instrument;
  /** Hex key: definition + sample contents. */
  readonly key: string;
  /** Frames of the sample of the first zone holding `key` (for `begin`), if any. */
  framesForKey(key: number): number | undefined;
  /** Whether some zone plays `key` (absent: not known). */
  covers?(key: number): boolean;
  /** Seconds the sample `key` plays lasts at its pitch there, detuned by `cents` (pack sounds). */
  playSeconds?(key: number, cents: number): number | undefined;
}

interface Entry extends CachedInstrument {
  defHash: string;
  samples: SampleStamp[];
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Loads `instruments/<name>.ts` (or a registered path) into one sampler, by content. */
export class InstrumentCache {
  readonly #sampler: Sampler;
  readonly #dir: string;
  readonly #entries = new Map<string, Entry>();
  readonly #paths = new Map<string, string>();
  /** Names whose stand-in was said (once per cache). */
  readonly #said = new Set<string>();
  /** Loads that found the instrument unchanged (for tests and stats). */
  hits = 0;
  /** Loads that (re)built an instrument. */
  loads = 0;

  /**
   * @param sampler The sampler instruments are created in.
   * @param dir Directory of `<name>.ts` definitions. @default "<project>/instruments"
   */
  readonly #onWarning: ((text: string) => void) | undefined;

  constructor(sampler: Sampler, dir?: string, onWarning?: (text: string) => void) {
    this.#sampler = sampler;
    this.#dir = dir ?? resolve(PROJECT_ROOT, "instruments");
    this.#onWarning = onWarning;
  }

  /**
   * Use a definition file for a name (the REPL's `load`).
   *
   * @param name Instrument name sounds refer to.
   * @param path Definition file.
   */
  register(name: string, path: string): void {
    this.#paths.set(name, resolve(path));
  }

  /** Path of a name's definition file. */
  pathOf(name: string): string {
    return this.#paths.get(name) ?? resolve(this.#dir, `${name}.ts`);
  }

  /** Instruments loaded and current. */
  get loaded(): CachedInstrument[] {
    return [...this.#entries.values()];
  }

  /**
   * The instrument for a name: the cached one when its definition and
   * samples are byte-for-byte unchanged, else a newly loaded one (the old
   * one is returned to the caller's `retire` to dispose when its notes end).
   *
   * @param name Instrument name.
   * @param retire Called with an instrument replaced by a new version.
   * @returns The instrument.
   * @throws {InstrumentDefinitionError} for a bad or missing definition.
   */
  async get(name: string, retire?: (old: Instrument) => void): Promise<CachedInstrument> {
    if (name.startsWith(SYNTH_PREFIX)) return this.#synth(name);
    if (isPackInstrument(name)) return await this.#pack(name, retire);
    if (isSoundFontPath(name)) return await this.#soundFont(name, name, retire);
    if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(name)) {
      throw new RangeError(
        `Cannot load instrument "${name}": use a name like "piano" or "drums/kit" (letters, digits, _ - /)`,
      );
    }
    // one resolution for every loader (lib/instrument/resolve.ts): instruments/<name>, a
    // gm_* name, a common name's GM preset or stand-in ("piano": the GM grand, else epiano)
    let path = this.pathOf(name);
    if (!this.#paths.has(name) && (gmProgram(name) !== undefined || COMMON_NAMES.has(name))) {
      const found = resolveInstrument(name, this.#dir);
      if (found.note && !this.#said.has(name)) {
        this.#said.add(name);
        this.#onWarning?.(found.note);
      }
      if (found.kind === "soundfont") return await this.#soundFont(name, found.spec, retire);
      path = found.path;
    }
    const old = this.#entries.get(name);
    let defBytes: Uint8Array<ArrayBuffer>;
    try {
      defBytes = await Deno.readFile(path);
    } catch {
      // let the loader produce the proper InstrumentDefinitionError
      defBytes = new Uint8Array();
    }
    const defHash = await sha256(defBytes);
    if (old && old.defHash === defHash && old.instrument.alive) {
      const samples = await this.#stamp(old.samples.map((s) => s.path), old.samples);
      if (samples.every((s, i) => s.hash === old.samples[i]!.hash)) {
        old.samples = samples;
        this.hits++;
        return old;
      }
    }
    const { samplePaths, definition } = await readDefinition(path, { fresh: true });
    const instrument = await loadInstrument(this.#sampler, path, {
      fresh: true,
      ...(this.#onWarning ? { onWarning: this.#onWarning } : {}),
    });
    const samples = await this.#stamp(
      [...new Set(samplePaths)].filter((p) => p !== ""), // "": an oscillator zone, no file
      old?.samples ?? [],
    );
    const key = await sha256(
      new TextEncoder().encode([defHash, ...samples.map((s) => s.hash)].join(":")),
    );
    const sampler = this.#sampler;
    const frames = new Map<string, number>();
    const entry: Entry = {
      name,
      instrument,
      key,
      defHash,
      samples,
      framesForKey(k: number): number | undefined {
        const i = definition.zones.findIndex((z) => !z.keys || (z.keys[0] <= k && k <= z.keys[1]));
        if (i < 0) return undefined;
        const p = samplePaths[i]!;
        if (p === "") return undefined; // an oscillator plays as long as it is held
        let n = frames.get(p);
        if (n === undefined) {
          const sample = sampler.loadSample(p);
          n = sample.info.frames;
          sample.dispose();
          frames.set(p, n);
        }
        return n;
      },
      covers: (k: number) =>
        definition.zones.some((z) => !z.keys || (z.keys[0] <= k && k <= z.keys[1])),
    };
    this.#entries.set(name, entry);
    this.loads++;
    if (old && old.instrument !== instrument) retire?.(old.instrument);
    return entry;
  }

  /**
   * An engine oscillator ("synth:sawtooth", superdough's synth sounds): one
   * oscillator zone over every key (key 69 plays 440 Hz), at superdough's
   * synth level 0.3; its envelope comes with each note (SYNTH_ADSR).
   */
  #synth(name: string): CachedInstrument {
    const old = this.#entries.get(name);
    if (old && old.instrument.alive) {
      this.hits++;
      return old;
    }
    const source = name.slice(SYNTH_PREFIX.length);
    if (!(source in SOURCE) || source === "sample") {
      throw new RangeError(`Cannot load instrument "${name}": no oscillator "${source}"`);
    }
    const instrument = this.#sampler.createInstrument(name);
    instrument.addZone(null, {
      source: source as keyof typeof SOURCE,
      rootKey: 60,
      gainDb: 20 * Math.log10(0.3),
      envelope: { attack: 0, decay: 0, sustain: 1, release: 0.01 },
    });
    instrument.commit();
    const entry: Entry = {
      name,
      instrument,
      key: name,
      defHash: name,
      samples: [],
      framesForKey: () => undefined,
      covers: () => true,
    };
    this.#entries.set(name, entry);
    this.loads++;
    return entry;
  }

  /**
   * A SoundFont preset (`spec` = "font.sf2#bank:program") under `name`: the
   * instrument is called `name` (when it fits the engine's 63 bytes) so MIDI
   * maps can name it; reloaded when the font file changes.
   */
  async #soundFont(
    name: string,
    spec: string,
    retire?: (old: Instrument) => void,
  ): Promise<CachedInstrument> {
    const file = resolve(splitPresetPath(spec).file);
    const old = this.#entries.get(name);
    let st: Deno.FileInfo | undefined;
    try {
      st = await Deno.stat(file);
    } catch {
      // the loader reports the missing file
    }
    const stamp = `${st?.mtime?.getTime() ?? 0}:${st?.size ?? 0}`;
    if (old && old.defHash === `${spec}:${stamp}` && old.instrument.alive) {
      this.hits++;
      return old;
    }
    const instrument = await loadSoundFontPreset(this.#sampler, spec, {
      ...(this.#onWarning ? { onWarning: this.#onWarning } : {}),
      ...(new TextEncoder().encode(name).length <= 63 ? { name } : {}),
    });
    const entry: Entry = {
      name,
      instrument,
      key: `${spec}:${stamp}`,
      defHash: `${spec}:${stamp}`,
      samples: [],
      framesForKey: () => undefined,
    };
    this.#entries.set(name, entry);
    this.loads++;
    if (old && old.instrument !== instrument) retire?.(old.instrument);
    return entry;
  }

  /**
   * Start decoding, in parallel, the samples of the pack sounds among `names`
   * that are not loaded yet (`get` then takes them one by one, in order).
   *
   * @param names Instrument names about to be asked for.
   */
  prefetch(names: Iterable<string>): void {
    const fresh = [...names].filter((n) =>
      isPackInstrument(n) && !this.#entries.get(n)?.instrument.alive
    );
    prefetchPackSamples(this.#sampler, fresh);
  }

  /** A pack sound's instrument ("sample:<file>"): reloaded when its files change. */
  async #pack(name: string, retire?: (old: Instrument) => void): Promise<CachedInstrument> {
    const old = this.#entries.get(name);
    const files = packInstrumentFiles(name);
    const stamp = files.map((f) => {
      try {
        const st = Deno.statSync(f);
        return `${st.mtime?.getTime() ?? 0}:${st.size}`;
      } catch {
        return "-";
      }
    }).join("|");
    if (old && old.defHash === stamp && old.instrument.alive) {
      this.hits++;
      return old;
    }
    const { instrument, zones } = await loadPackInstrument(this.#sampler, name);
    const sampler = this.#sampler;
    let frames: number | undefined;
    const entry: Entry = {
      name,
      instrument,
      key: `${name}:${stamp}`,
      defHash: stamp,
      samples: [],
      framesForKey: () => {
        if (files.length !== 1) return undefined;
        if (frames === undefined) {
          const sample = sampler.loadSample(files[0]!);
          frames = sample.info.frames;
          sample.dispose();
        }
        return frames;
      },
      playSeconds: (key, cents) => {
        const z = zones.find((z) => z.keys[0] <= key && key <= z.keys[1]);
        return z && z.seconds / 2 ** ((key - z.rootKey) / 12 + cents / 1200);
      },
    };
    this.#entries.set(name, entry);
    this.loads++;
    if (old && old.instrument !== instrument) retire?.(old.instrument);
    return entry;
  }

  async #stamp(paths: string[], known: SampleStamp[]): Promise<SampleStamp[]> {
    return await Promise.all(paths.map(async (path) => {
      const st = await Deno.stat(path);
      const mtime = st.mtime?.getTime() ?? 0;
      const prev = known.find((k) => k.path === path);
      if (prev && prev.mtime === mtime && prev.size === st.size) return prev;
      return { path, mtime, size: st.size, hash: await sha256(await Deno.readFile(path)) };
    }));
  }
}
