/**
 * Sample packs as Strudel names them, read from local folders: a
 * Dirt-Samples-style folder (a folder per sound), a Strudel JSON map
 * (`strudel.json`, `_base`, values as a file, a list of files, or note-keyed
 * for pitched sounds), `github:owner/repo` and URLs mapped to a local
 * directory (`--samples DIR`, `$MS_SAMPLES`, else
 * `${XDG_DATA_HOME:-~/.local/share}/midi-sampler/samples`, then
 * `<owner>/<repo>`). No server: a pack that is not there is reported once
 * with the place to put it, and the set plays with what exists.
 *
 * Thread: CT. Reading a pack only lists files (scanned once per path, again
 * only when the folder or JSON file changes); the samples decode later, when
 * a sound is first played, on the FFI pool ({@linkcode loadPackInstrument}).
 *
 * A list sound (`bd`: files 0, 1, 2 ...) becomes one instrument per file,
 * named `sample:<path>`: one zone over every key, root key 36, so
 * `note` repitches it relative to 36 and `n` picks the file, as superdough's
 * sampler does (`transpose = midi - 36`, `index = round(n) mod count`). A
 * note-keyed sound becomes one instrument whose zones split the keyboard at
 * the midpoints between its notes (superdough takes the closest note).
 *
 * @module
 */
import { basename, dirname, extname, isAbsolute, join, resolve } from "node:path";
import { noteNumber } from "./notes.ts";

/** Extensions libsndfile reads (compared ignoring case). */
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  ".wav",
  ".wave",
  ".aif",
  ".aiff",
  ".aifc",
  ".flac",
  ".ogg",
  ".oga",
  ".opus",
  ".mp3",
  ".caf",
  ".w64",
  ".au",
  ".snd",
]);

/** Superdough's root for unpitched samples: note 36 plays a sample as recorded. */
export const SAMPLE_ROOT_NOTE = 36;

/** One sound of a pack. */
export type PackSound =
  | { kind: "list"; files: string[] }
  | { kind: "pitched"; notes: { note: number; files: string[] }[] };

/** A pack read from disk. */
export interface Pack {
  /** What the set wrote (`github:tidalcycles/dirt-samples`, a path). */
  source: string;
  /** The folder or JSON file read, absolute. */
  path: string;
  /** Sound names (lower case, spaces as `_`, as superdough registers them) to files. */
  sounds: Map<string, PackSound>;
  /** Problems worth one note each (files missing from a JSON map, ...). */
  notes: string[];
}

/** A pack that is not on disk. */
export interface MissingPack {
  source: string;
  /** Where it was looked for. */
  path: string;
  /** The message to show once. */
  message: string;
}

let rootOverride: string | undefined;

/**
 * Set the sample directory (`--samples DIR`); undefined goes back to
 * `$MS_SAMPLES` or the default.
 *
 * @param dir The directory.
 */
export function setSamplesRoot(dir: string | undefined): void {
  rootOverride = dir === undefined ? undefined : resolve(dir);
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The directory `github:` packs and URLs map to: `--samples`, else
 * `$MS_SAMPLES`, else `${XDG_DATA_HOME:-~/.local/share}/midi-sampler/samples`.
 *
 * @returns An absolute path (it may not exist).
 */
export function samplesRoot(): string {
  if (rootOverride) return rootOverride;
  const fromEnv = env("MS_SAMPLES");
  if (fromEnv) return resolve(fromEnv);
  const data = env("XDG_DATA_HOME") ?? join(env("HOME") ?? ".", ".local", "share");
  return resolve(data, "midi-sampler", "samples");
}

/**
 * Where a pack lives locally: `github:owner/repo[/branch[/path]]` and
 * raw.githubusercontent.com / github.com URLs under `<root>/<owner>/<repo>[/path]`,
 * other URLs under `<root>/<host>/<path>`, `bubo:name` as Strudel expands it
 * (`github:Bubobubobubobubo/dough-name`), paths relative to `baseDir`.
 *
 * @param source What `samples()` was given.
 * @param baseDir Directory relative paths start from (the set's).
 * @returns The local path (a folder or a JSON file) and whether it came from a URL.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packPath, setSamplesRoot } from "./packs.ts";
 * setSamplesRoot("/s");
 * assert(packPath("github:tidalcycles/dirt-samples", "/x").path === "/s/tidalcycles/dirt-samples");
 * assert(
 *   packPath("https://raw.githubusercontent.com/a/b/main/sub/strudel.json", "/x").path ===
 *     "/s/a/b/sub/strudel.json",
 * );
 * setSamplesRoot(undefined);
 * ```
 */
export function packPath(source: string, baseDir: string): { path: string; remote: boolean } {
  let s = source.trim();
  const bubo = /^bubo:(.+)$/.exec(s);
  if (bubo) s = `github:Bubobubobubobubo/dough-${bubo[1]}`;
  const gh = /^github:([^/]+)\/([^/]+)(?:\/[^/]+)?(\/.*)?$/.exec(s.replace(/\/+$/, ""));
  if (gh) return { path: join(samplesRoot(), gh[1]!, gh[2]!, gh[3] ?? ""), remote: true };
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? new URL(s) : undefined;
  if (url) {
    const parts = decodeURIComponent(url.pathname).split("/").filter(Boolean);
    if (url.hostname === "raw.githubusercontent.com" && parts.length >= 3) {
      // owner/repo/branch/path...
      return { path: join(samplesRoot(), parts[0]!, parts[1]!, ...parts.slice(3)), remote: true };
    }
    if (url.hostname === "github.com" && parts.length >= 2) {
      const rest = parts[2] === "tree" || parts[2] === "blob" ? parts.slice(4) : [];
      return { path: join(samplesRoot(), parts[0]!, parts[1]!, ...rest), remote: true };
    }
    return { path: join(samplesRoot(), url.hostname, ...parts), remote: true };
  }
  if (s.startsWith("~/")) s = join(env("HOME") ?? "~", s.slice(2));
  return { path: isAbsolute(s) ? s : resolve(baseDir, s), remote: false };
}

/** An existing path, matching each component ignoring letter case when the exact one is absent. */
function existing(path: string): string | undefined {
  try {
    Deno.statSync(path);
    return path;
  } catch {
    // try ignoring case
  }
  const parent = dirname(path);
  if (parent === path) return undefined;
  const dir = existing(parent);
  if (!dir) return undefined;
  const want = basename(path).toLowerCase();
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.name.toLowerCase() === want) return join(dir, e.name);
    }
  } catch {
    // not a directory
  }
  return undefined;
}

/** Folders a pack's scan reads at most (a pack given by mistake as a home folder stays quick). */
const MAX_FOLDERS = 5000;

/** superdough's registered name: lower case, blanks as `_`. */
export function soundKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, "_");
}

const isAudio = (name: string) => AUDIO_EXTENSIONS.has(extname(name).toLowerCase());
/** Byte order, as SuperDirt's pathMatch and a C-locale sort give it. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Read a Dirt-Samples-style folder: every folder holding audio files is a
 * sound named after it (lower case), its files sorted by name; a
 * tidal-drum-machines folder `RolandTR808/rolandtr808-bd` is the sound
 * `RolandTR808_bd`. Hidden entries and other files are skipped; folders
 * inside a sound's folder are sounds of their own.
 *
 * @param dir The pack's folder.
 * @returns Sounds, and notes for names found twice (the first kept).
 */
export function scanFolder(dir: string): { sounds: Map<string, PackSound>; notes: string[] } {
  const sounds = new Map<string, PackSound>();
  const notes: string[] = [];
  let folders = 0;
  const walk = (path: string, depth: number) => {
    if (++folders > MAX_FOLDERS) return;
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(path)];
    } catch {
      return;
    }
    const files: string[] = [];
    const dirs: string[] = [];
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      let isDir = e.isDirectory, isFile = e.isFile;
      if (e.isSymlink) {
        try {
          const st = Deno.statSync(join(path, e.name));
          [isDir, isFile] = [st.isDirectory, st.isFile];
        } catch {
          continue;
        }
      }
      if (isDir) dirs.push(e.name);
      else if (isFile && isAudio(e.name)) files.push(e.name);
    }
    if (files.length && path !== dir) {
      const name = basename(path), parent = basename(dirname(path));
      const prefix = `${parent.toLowerCase()}-`;
      const key = soundKey(
        name.toLowerCase().startsWith(prefix) ? `${parent}_${name.slice(prefix.length)}` : name,
      );
      if (sounds.has(key)) {
        notes.push(`sound "${key}" is in two folders: playing the first, not ${path}`);
      } else {
        sounds.set(key, { kind: "list", files: files.sort(byName).map((f) => join(path, f)) });
      }
    }
    if (depth < 6) { for (const d of dirs.sort(byName)) walk(join(path, d), depth + 1); }
  };
  walk(dir, 0);
  if (folders > MAX_FOLDERS) {
    notes.push(
      `${dir}: more than ${MAX_FOLDERS} folders: read the first ${MAX_FOLDERS} only (is it a sample pack?)`,
    );
  }
  return { sounds, notes };
}

/**
 * Read a Strudel sample map: `{ _base?, name: file | files[] | { note: file | files[] } }`.
 * Files are relative to `base` (the argument, else `_base`, else the map's folder);
 * a URL base is mapped like {@linkcode packPath}, falling back to the map's own
 * folder when the files are not there.
 *
 * @param map The parsed JSON (or the object given to `samples()`).
 * @param where Where it came from, for messages (`file.json` or `samples({...})`).
 * @param mapDir The folder the map lives in (or the set's).
 * @param base A base given to `samples(map, base)`.
 * @returns Sounds, and notes for files that are not there (left out).
 * @throws {TypeError} naming the key of a value of the wrong shape.
 */
export function readSampleMap(
  map: unknown,
  where: string,
  mapDir: string,
  base?: string,
): { sounds: Map<string, PackSound>; notes: string[] } {
  if (!map || typeof map !== "object" || Array.isArray(map)) {
    throw new TypeError(`Cannot read sample map ${where}: expected an object of sound names`);
  }
  const obj = map as Record<string, unknown>;
  const sounds = new Map<string, PackSound>();
  const missing: string[] = [];
  const baseOf = (b: unknown) => {
    const text = typeof b === "string" ? b : "";
    if (!text) return [mapDir];
    const mapped = packPath(text, mapDir).path;
    return mapped === mapDir ? [mapDir] : [mapped, mapDir];
  };
  const topBase = base ?? obj._base;
  const locate = (bases: string[], file: string): string | undefined => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(file)) return existing(packPath(file, mapDir).path);
    for (const b of bases) {
      const hit = existing(isAbsolute(file) ? file : join(b, file));
      if (hit) return hit;
    }
    missing.push(file);
    return undefined;
  };
  const list = (v: unknown, key: string, bases: string[]): string[] => {
    const items = typeof v === "string" ? [v] : v;
    if (!Array.isArray(items) || items.some((x) => typeof x !== "string")) {
      throw new TypeError(
        `Cannot read sample map ${where}: "${key}" must be a file, a list of files or an object of notes`,
      );
    }
    return items.map((f) => locate(bases, f as string)).filter((f): f is string => !!f);
  };
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith("_")) continue;
    const own = value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)._base
      : undefined;
    const bases = baseOf(own ?? topBase);
    if (typeof value === "string" || Array.isArray(value)) {
      const files = list(value, key, bases);
      if (files.length) sounds.set(soundKey(key), { kind: "list", files });
      continue;
    }
    if (!value || typeof value !== "object") {
      throw new TypeError(
        `Cannot read sample map ${where}: "${key}" must be a file, a list of files or an object of notes`,
      );
    }
    const notes: { note: number; files: string[] }[] = [];
    for (const [name, files] of Object.entries(value as Record<string, unknown>)) {
      if (name.startsWith("_")) continue;
      const note = /^-?\d+$/.test(name) ? Number(name) : noteNumber(name);
      if (note === undefined) {
        throw new TypeError(
          `Cannot read sample map ${where}: "${key}.${name}" is not a note name (write "c3", "f#4" or a MIDI number)`,
        );
      }
      const found = list(files, `${key}.${name}`, bases);
      if (found.length) notes.push({ note, files: found });
    }
    if (notes.length) {
      sounds.set(soundKey(key), { kind: "pitched", notes: notes.sort((a, b) => a.note - b.note) });
    }
  }
  const notes = missing.length
    ? [
      `sample map ${where}: ${missing.length} file${
        missing.length > 1 ? "s are" : " is"
      } not there (first: "${missing[0]}"): left out`,
    ]
    : [];
  return { sounds, notes };
}

interface CacheEntry {
  stamp: string;
  pack: Pack;
}
const packCache = new Map<string, CacheEntry>();
/** Packs read from disk (not from the cache): for tests and stats. */
export const packStats = { reads: 0 };

function stampOf(path: string): string | undefined {
  try {
    const st = Deno.statSync(path);
    let stamp = `${st.mtime?.getTime() ?? 0}:${st.size}`;
    if (st.isDirectory) {
      // a sound folder added or changed shows in its own mtime, not the pack's
      for (const e of Deno.readDirSync(path)) {
        if (!e.isDirectory) continue;
        const s = Deno.statSync(join(path, e.name));
        stamp += `|${e.name}:${s.mtime?.getTime() ?? 0}`;
      }
    }
    return stamp;
  } catch {
    return undefined;
  }
}

/**
 * Read a pack: a folder (its `strudel.json` when it has one, else its
 * sound folders) or a JSON map file. Read once per path; again only when
 * the folder or file changed.
 *
 * @param source What `samples()` was given (a path, `github:...`, a URL).
 * @param baseDir Directory of the set (relative paths start there).
 * @param base A base given with it (`samples(url, base)`).
 * @returns The pack, or what is missing and where to put it.
 * @throws {TypeError} for a JSON map of the wrong shape; {SyntaxError} for bad JSON.
 */
export function readPack(source: string, baseDir: string, base?: string): Pack | MissingPack {
  if (/^shabda[:/]/.test(source)) {
    return {
      source,
      path: source,
      message:
        `samples("${source}"): Shabda makes its samples on its server, which is not used here: put the files in a folder and load it with samples("./folder"); playing without it`,
    };
  }
  const { path: wanted, remote } = packPath(source, baseDir);
  const path = existing(wanted) ??
    (wanted.endsWith("strudel.json") ? existing(dirname(wanted)) : undefined);
  if (!path) {
    const where = wanted.endsWith(".json") ? dirname(wanted) : wanted;
    const message = remote
      ? `samples("${source}"): the pack is not in ${where}: download it there (git clone) or set --samples DIR / $MS_SAMPLES; playing without it`
      : `samples("${source}"): no folder or JSON map at ${wanted}: playing without it`;
    return { source, path: wanted, message };
  }
  const key = `${path}\0${base ?? ""}`;
  const stamp = stampOf(path) ?? "";
  const hit = packCache.get(key);
  if (hit && hit.stamp === stamp) return hit.pack;
  packStats.reads++;
  let json: string | undefined;
  if (Deno.statSync(path).isFile) json = path;
  else json = existing(join(path, "strudel.json"));
  let read: { sounds: Map<string, PackSound>; notes: string[] };
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Deno.readTextFileSync(json));
    } catch (err) {
      throw new SyntaxError(`Cannot read sample map ${json}: ${(err as Error).message}`);
    }
    read = readSampleMap(parsed, json, dirname(json), base);
  } else {
    read = scanFolder(path);
  }
  const pack: Pack = { source, path, ...read };
  packCache.set(key, { stamp, pack });
  return pack;
}

// ------------------------------------------------------------ instruments

/** Prefix of instrument names that {@linkcode loadPackInstrument} makes. */
export const PACK_PREFIX = "sample:";

const pitchedSpecs = new Map<string, { note: number; file: string }[]>();

/**
 * The instrument names a pack sound plays: one per file for a list sound
 * (`n` picks), one for a note-keyed sound.
 *
 * @param sound The sound.
 * @param id A name for a pitched sound's instrument (the pack path and sound).
 * @returns Instrument names, in `n` order.
 */
export function packInstruments(sound: PackSound, id: string): string[] {
  if (sound.kind === "list") return sound.files.map((f) => PACK_PREFIX + f);
  const name = `${PACK_PREFIX}${id}#pitched`;
  pitchedSpecs.set(name, sound.notes.map((n) => ({ note: n.note, file: n.files[0]! })));
  return [name];
}

/** Whether an instrument name is a pack sound's. */
export function isPackInstrument(name: string): boolean {
  return name.startsWith(PACK_PREFIX);
}

/** The sample files a pack instrument plays. */
export function packInstrumentFiles(name: string): string[] {
  const spec = pitchedSpecs.get(name);
  return spec ? spec.map((s) => s.file) : [name.slice(PACK_PREFIX.length)];
}

/** A zone of a pack instrument: its keys, root and the sample's length. */
export interface PackZone {
  keys: [number, number];
  rootKey: number;
  /** The sample's length in seconds at its own rate. */
  seconds: number;
}

/** What loadPackInstrument needs of a sampler (lib/engine's Sampler has it). */
export interface PackSampler<S, I> {
  loadSampleAsync(path: string): Promise<S>;
  createInstrument(name: string): I;
}

/** What loadPackInstrument needs of an instrument. */
export interface PackInstrumentLike<S> {
  addZone(sample: S, zone: Record<string, unknown>): number;
  commit(): void;
}

/**
 * Load a pack instrument: its samples decoded on the FFI pool, all at once.
 * A list sound's file: one zone over keys 0..127, root key 36 (superdough
 * repitches a sample from 36). A pitched sound: one zone per note, its keys
 * reaching halfway to the next note, rooted on its note. Zones play the
 * sample once (no loop); superdough plays it whole unless `clip` is set, which
 * the session does by holding the note for the sample's length
 * ({@linkcode PackZone}'s seconds).
 *
 * @param sampler The sampler.
 * @param name A name from {@linkcode packInstruments}.
 * @returns The instrument, committed, and its zones.
 * @throws {SampleLoadError} for a file the engine cannot decode.
 */
export async function loadPackInstrument<
  S extends { dispose?(): void; readonly seconds: number },
  I extends PackInstrumentLike<S>,
>(
  sampler: PackSampler<S, I>,
  name: string,
): Promise<{ instrument: I; zones: PackZone[] }> {
  const spec = pitchedSpecs.get(name) ??
    [{ note: SAMPLE_ROOT_NOTE, file: name.slice(PACK_PREFIX.length) }];
  const samples = await Promise.all(spec.map((s) => takeDecode(sampler, s.file)));
  const inst = sampler.createInstrument(name.length > 60 ? `…${name.slice(-59)}` : name);
  const zones: PackZone[] = [];
  spec.forEach((s, i) => {
    const lo = i === 0 ? 0 : Math.floor((spec[i - 1]!.note + s.note) / 2) + 1;
    const hi = i === spec.length - 1 ? 127 : Math.floor((s.note + spec[i + 1]!.note) / 2);
    const keys: [number, number] = spec.length === 1
      ? [0, 127]
      : [Math.max(0, lo), Math.min(127, hi)];
    if (keys[0] > keys[1]) return;
    const rootKey = Math.max(0, Math.min(127, s.note));
    // played once to its end; the session holds the note for the whole sample unless clip is set
    inst.addZone(samples[i]!, { keys, rootKey, loop: { mode: "none" } });
    zones.push({ keys, rootKey, seconds: samples[i]!.seconds });
  });
  inst.commit();
  for (const s of samples) s.dispose?.();
  return { instrument: inst, zones };
}

// ------------------------------------------------------------ decoding ahead

const decodes = new WeakMap<object, Map<string, Promise<unknown>>>();
let running = 0;
const waiting: (() => void)[] = [];

/** Progress of pack samples decoding: files done of those asked for since all were last done. */
export interface PackProgress {
  done: number;
  total: number;
  /** The file just decoded (or failed). */
  file: string;
}

let progress: ((p: PackProgress) => void) | undefined;
let batch = { done: 0, total: 0 };

/**
 * Be told as pack samples decode (perform and render show it on a terminal).
 *
 * @param fn Called after each file; undefined stops it.
 */
export function onPackProgress(fn: ((p: PackProgress) => void) | undefined): void {
  progress = fn;
}

/**
 * The progress as one line: `samples: 12/24 decoded (bd/BT0A0A7.wav)`.
 *
 * @param p The progress.
 * @returns The line.
 */
export function packProgressLine(p: PackProgress): string {
  return `samples: ${p.done}/${p.total} decoded (${basename(dirname(p.file))}/${basename(p.file)})`;
}

async function limited<T>(file: string, job: () => Promise<T>): Promise<T> {
  const jobs = Math.max(1, navigator.hardwareConcurrency ?? 1);
  batch.total++;
  if (running >= jobs) await new Promise<void>((go) => waiting.push(go));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
    batch.done++;
    progress?.({ done: batch.done, total: batch.total, file });
    if (batch.done >= batch.total) batch = { done: 0, total: 0 };
  }
}

function takeDecode<S>(sampler: PackSampler<S, unknown>, file: string): Promise<S> {
  const map = decodes.get(sampler);
  const ahead = map?.get(file) as Promise<S> | undefined;
  if (ahead) {
    map!.delete(file);
    return ahead;
  }
  return limited(file, () => sampler.loadSampleAsync(file));
}

/**
 * Start decoding the files of pack instruments the caller is about to load
 * one by one (`jobs` at a time on the FFI pool, jobs = the cores), so a
 * sound's files decode in parallel while its instruments are still made in
 * order (their ids, and so the render, stay the same from run to run).
 *
 * @param sampler The sampler they will load into.
 * @param names Instrument names; those that are not pack instruments are skipped.
 * @returns How many files started decoding.
 */
export function prefetchPackSamples<S>(
  sampler: PackSampler<S, unknown>,
  names: Iterable<string>,
): number {
  let map = decodes.get(sampler);
  if (!map) decodes.set(sampler, map = new Map());
  let started = 0;
  for (const name of names) {
    if (!isPackInstrument(name)) continue;
    for (const file of packInstrumentFiles(name)) {
      if (map.has(file)) continue;
      const p = limited(file, () => sampler.loadSampleAsync(file));
      p.catch(() => {}); // reported by the load that takes it
      map.set(file, p);
      started++;
    }
  }
  return started;
}
