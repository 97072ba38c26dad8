/**
 * Set files: what `deno task perform` plays and reloads.
 *
 * A set file's default export is `defineSet((set) => { ... })`. The
 * function declares named parts (`set.play("drums", s("bd sd"))`), the
 * tempo and extra sound names; it runs again on every reload, and the
 * session compares what it declared with what is playing.
 *
 * A set is also a performance script: `deno task render my-set.ts out.wav`
 * renders it (for `--seconds`; `--cycles N` renders exactly N cycles).
 *
 * Thread: CT. Evaluating a set never touches the engine: it only records
 * declarations into a {@linkcode SetSnapshot}.
 *
 * @module
 */
import { dirname, isAbsolute } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { parseMidiMap } from "../midi/compile.ts";
import type { MidiMap, MidiMapInput } from "../midi/schema.ts";
import type { PerformanceContext } from "../engine/performance_context.ts";
import type { SoundMapping } from "../pattern/controls.ts";
import { aliasBankCall, gmSounds, prebakeSounds, samplesCall } from "./sample_packs.ts";
import type { PartDefinition } from "./source.ts";

/** When a reload's new parts take over. */
export type SwapMode = "cycle" | "bar" | "beat" | "immediate";

/** What a set's function receives. */
export interface SetContext {
  /**
   * Declare a named part. Each part is replaced on its own at reload; a part
   * that is no longer declared stops at the swap.
   *
   * @param name Part name (letters, digits, _ -), unique in the set.
   * @param part A pattern (`s("bd sd")`) or a generator (`everyBar(fn)`).
   */
  play(name: string, part: PartDefinition): void;
  /**
   * Tempo in beats per minute (applied when the set loads, or at the swap of
   * a reload that changes it). With `rampBeats`, the tempo moves there over
   * that many beats.
   */
  tempo(bpm: number, options?: { rampBeats?: number }): void;
  /** Beats per cycle (one Strudel cycle). @default 4 */
  beatsPerCycle(beats: number): void;
  /** Beats per bar (for generators per bar and the "bar" swap). @default 4 */
  beatsPerBar(beats: number): void;
  /** When reloads take effect. @default "cycle" (or perform's --swap) */
  swap(mode: SwapMode): void;
  /**
   * Join an Ableton Link session when the set starts live (perform; an
   * offline render ignores it): the session's tempo and beat timeline drive
   * the clock, a cycle is beatsPerCycle beats of it (Link's quantum), tempo
   * changes are shared. Read on the first load only. Same as `perform --link`.
   *
   * @param options `startStop`: share start/stop with peers. @default false
   */
  link(options?: { startStop?: boolean }): void;
  /** Add or redefine a sound name: `set.sound("rim", { instrument: "drums", keys: [37] })`. */
  sound(name: string, mapping: SoundMapping): void;
  /**
   * The MIDI mapping for controllers played into this session (see
   * docs/midi.md): layers name instruments of `instruments/`, loaded
   * with the set. Checked at reload (a bad map keeps the old version playing)
   * and swapped in atomically with it; a set that stops declaring a map
   * clears it.
   */
  midi(map: MidiMapInput): void;
  /**
   * Strudel REPL code, as written for strudel.cc (lib/live/strudel_file.ts):
   * its `$:` and `name:` parts become parts of this set (`$0`, `$1`, ...,
   * `name`), `setcps`/`setcpm` its tempo. What a `.strudel` file holds.
   * Errors in inline code name the calling file, counting the code's lines
   * from the line of the call (exact when the template literal starts there).
   *
   * @param code The code.
   * @param options `file`: the `.strudel` file it came from (errors name its lines);
   *   `onNote`: where notes go (ignored visual functions, ...) instead of the snapshot's `notes`.
   */
  strudel(
    code: string,
    options?: { file?: string; onNote?: ((text: string) => void) | undefined },
  ): Promise<void>;
  /**
   * Add a sample pack's sounds, as Strudel's `samples()` does
   * (lib/live/sample_packs.ts): a Dirt-Samples-style folder, a `strudel.json`
   * map (file or object), `github:owner/repo` or a URL (read from the sample
   * directory: `--samples`, `$MS_SAMPLES`, `~/.local/share/midi-sampler/samples`).
   * Relative paths start at the set's folder. A pack that is not there is
   * noted once, naming where to put it; the set plays without it.
   *
   * @param what The pack.
   * @param base The base of a map's files (`samples(map, base)`).
   */
  samples(what: string | Record<string, unknown>, base?: string): void;
  /** The session seed (`--seed`). */
  readonly seed: number;
}

/** What a set declared, as data. */
export interface SetSnapshot {
  parts: Map<string, PartDefinition>;
  /** Stack text where each part was declared (`set.play`): locates its query errors. */
  declaredAt?: Map<string, string>;
  tempo?: number;
  rampBeats?: number;
  beatsPerCycle: number;
  beatsPerBar: number;
  swap?: SwapMode;
  /** The set asked to join Ableton Link (set.link). */
  link?: { startStop: boolean };
  sounds: Record<string, SoundMapping>;
  midiMap?: MidiMap;
  /** Things to tell the user once (ignored visual functions, packs not loaded, ...). */
  notes?: string[];
  /** Strudel code asked for a piano roll (`pianoroll`, `punchcard`) of its parts. */
  draw?: boolean;
  /**
   * Sounds of sample packs (`samples()`, Strudel's prebake): under the set's
   * own `sounds`; their instruments load when a part plays them.
   */
  packSounds?: Record<string, SoundMapping>;
}

/** A set function. */
export type SetFunction = (set: SetContext) => void | Promise<void>;

/** Marks a default export made by {@linkcode defineSet}. */
export const SET_MARK: unique symbol = Symbol.for("midi-sampler.set");

/**
 * A set: shaped like a performance script (so the runners accept the file),
 * carrying its set function. The runners find the function through
 * {@linkcode setFunctionOf} and schedule it with a session; calling the set
 * directly rejects.
 */
export interface SetDefinition {
  (ctx: PerformanceContext): Promise<void>;
  readonly [SET_MARK]: SetFunction;
}

/**
 * Define a set. The default export of a set file.
 *
 * @param fn Declares parts, tempo and sounds.
 * @returns The set (also usable as a performance script).
 * @example
 * ```ts ignore
 * import { defineSet, s, note } from "../lib/live/mod.ts";
 * export default defineSet((set) => {
 *   set.tempo(120);
 *   set.play("drums", s("bd [sd sd] <hh cp> bd(3,8)"));
 *   set.play("keys", note("c3 e3 g3").fast(2).s("epiano"));
 * });
 * ```
 */
export function defineSet(fn: SetFunction): SetDefinition {
  const perform = (_ctx: PerformanceContext): Promise<void> =>
    Promise.reject(
      new TypeError(
        "Cannot call a set as a function: render it with runPerformance or renderSet, or play it with deno task perform",
      ),
    );
  return Object.assign(perform, { [SET_MARK]: fn }) as SetDefinition;
}

/** The set function of a module's default export, or undefined when it is not a set. */
export function setFunctionOf(value: unknown): SetFunction | undefined {
  if (typeof value === "function" && SET_MARK in value) {
    return (value as SetDefinition)[SET_MARK];
  }
  return undefined;
}

const NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** The tempo (cycles per second) Strudel code last set, per file: `.cpm` reads it, as the REPL does. */
const lastCps = new Map<string, number>();

/**
 * Run a set function and record what it declares.
 *
 * @param fn The set function.
 * @param seed The session seed.
 * @returns The declarations.
 * @throws whatever the set throws; {RangeError} for bad declarations.
 */
export async function evaluateSet(fn: SetFunction, seed: number): Promise<SetSnapshot> {
  const snap: SetSnapshot = { parts: new Map(), beatsPerCycle: 4, beatsPerBar: 4, sounds: {} };
  const ctx: SetContext = {
    seed,
    play(name, part) {
      if (!NAME.test(name)) {
        throw new RangeError(
          `Cannot play part "${name}": use 1..32 letters, digits, _ or -`,
        );
      }
      if (snap.parts.has(name)) {
        throw new RangeError(`Cannot play part "${name}": the set declares it twice`);
      }
      snap.parts.set(name, part);
      (snap.declaredAt ??= new Map()).set(name, new Error(`part "${name}"`).stack ?? "");
    },
    tempo(bpm, options) {
      if (!(Number.isFinite(bpm) && bpm >= 1 && bpm <= 1000)) {
        throw new RangeError(`Cannot set tempo: bpm must be 1..1000, got "${bpm}"`);
      }
      snap.tempo = bpm;
      const ramp = options?.rampBeats;
      if (ramp !== undefined) {
        if (!(Number.isFinite(ramp) && ramp > 0)) {
          throw new RangeError(`Cannot set tempo: rampBeats must be > 0, got "${ramp}"`);
        }
        snap.rampBeats = ramp;
      }
    },
    beatsPerCycle(beats) {
      checkBeats("beatsPerCycle", beats);
      snap.beatsPerCycle = beats;
    },
    beatsPerBar(beats) {
      checkBeats("beatsPerBar", beats);
      snap.beatsPerBar = beats;
    },
    swap(mode) {
      if (!["cycle", "bar", "beat", "immediate"].includes(mode)) {
        throw new RangeError(
          `Cannot set swap mode: use "cycle", "bar", "beat" or "immediate", got "${mode}"`,
        );
      }
      snap.swap = mode;
    },
    link(options = {}) {
      if (options === null || typeof options !== "object") {
        throw new RangeError(`Cannot join Link: give { startStop?: boolean }, got "${options}"`);
      }
      snap.link = { startStop: options.startStop === true };
    },
    sound(name, mapping) {
      if (!NAME.test(name)) {
        throw new RangeError(`Cannot define sound "${name}": use 1..32 letters, digits, _ or -`);
      }
      if (!mapping || typeof mapping.instrument !== "string") {
        throw new RangeError(`Cannot define sound "${name}": give { instrument: "name" }`);
      }
      snap.sounds[name] = mapping;
    },
    async strudel(code, options = {}) {
      const caller = options.file ? undefined : callerOf(new Error().stack ?? "");
      if (caller) { // inline code: its lines are counted from the line of the call
        code = "\n".repeat(caller.line - 1) + code;
        options = { ...options, file: caller.file };
      }
      const { evaluateStrudel } = await import("./strudel_file.ts");
      const bpc = () => snap.beatsPerCycle;
      const cps = snap.tempo === undefined
        ? lastCps.get(options.file ?? "")
        : snap.tempo / 60 / bpc();
      const tell = (text: string) => {
        if (options.onNote) options.onNote(text);
        else (snap.notes ??= []).push(text);
      };
      // what Strudel's REPL has without samples(): under what the code loads
      snap.packSounds = { ...prebakeSounds().sounds, ...snap.packSounds };
      const codeDir = options.file && isAbsolute(options.file)
        ? originalPath(dirname(options.file))
        : Deno.cwd();
      await evaluateStrudel(code, {
        samples(what, base) {
          const added = samplesCall(what, base, codeDir);
          snap.packSounds = { ...snap.packSounds, ...added.sounds };
          for (const text of added.notes) tell(text);
        },
        aliasBank(args) {
          const added = aliasBankCall(args, snap.packSounds ?? {});
          snap.packSounds = { ...snap.packSounds, ...added.sounds };
          for (const text of added.notes) tell(text);
        },
        play(name, pattern, declaredAt) {
          if (snap.parts.has(name)) {
            throw new RangeError(`Cannot play part "${name}": the set declares it twice`);
          }
          snap.parts.set(name, pattern);
          (snap.declaredAt ??= new Map()).set(name, declaredAt);
        },
        cps(value) {
          ctx.tempo(value * 60 * bpc());
          lastCps.set(options.file ?? "", value);
        },
        note(text) {
          if (options.onNote) options.onNote(text);
          else (snap.notes ??= []).push(text);
        },
        draw() {
          snap.draw = true;
        },
      }, {
        ...(options.file === undefined ? {} : { file: options.file }),
        ...(cps === undefined ? {} : { cps }),
      });
    },
    samples(what, base) {
      const caller = callerOf(new Error().stack ?? "");
      const dir = caller ? originalPath(dirname(caller.file)) : Deno.cwd();
      const added = samplesCall(what, base, dir);
      snap.packSounds = { ...snap.packSounds, ...added.sounds };
      if (added.notes.length) (snap.notes ??= []).push(...added.notes);
    },
    midi(map) {
      if (snap.midiMap) {
        throw new RangeError("Cannot set the MIDI mapping: the set declares it twice");
      }
      snap.midiMap = parseMidiMap(map); /* throws MidiMapError naming the field */
    },
  };
  await fn(ctx);
  // a GM bank's sounds (gm_* names, strings, organ, ...) under everything the set loads
  const gm = gmSounds();
  if (Object.keys(gm).length) snap.packSounds = { ...gm, ...snap.packSounds };
  return snap;
}

/** Copies of set files (lib/live/loader.ts imports a copy per version) and their original folders. */
const setCopies = new Map<string, string>();

/**
 * Tell set.ts that `copyDir` holds a copy of the set files in `originalDir`
 * (relative paths a set gives, like `set.samples("./pack")`, start at the original).
 *
 * @param copyDir The copy's folder.
 * @param originalDir The originals' folder.
 */
export function noteSetCopy(copyDir: string, originalDir: string): void {
  setCopies.set(copyDir, originalDir);
}

/** A path inside a copied set's folder, as the same path in the original folder. */
function originalPath(path: string): string {
  for (const [copy, original] of setCopies) {
    if (path === copy || path.startsWith(copy + "/")) return original + path.slice(copy.length);
  }
  return path;
}

/** The file and line of the first stack frame outside this module (who called `set.strudel`). */
function callerOf(stack: string): { file: string; line: number } | undefined {
  const self = import.meta.url;
  for (const m of stack.matchAll(/(file:\/\/[^\s)]+?):(\d+):(\d+)/g)) {
    if (m[1] === self) continue;
    return { file: fromFileUrl(m[1]!), line: Number(m[2]) };
  }
  return undefined;
}

function checkBeats(what: string, beats: number): void {
  if (!(Number.isInteger(beats) && beats >= 1 && beats <= 64)) {
    throw new RangeError(`Cannot set ${what}: use an integer 1..64, got "${beats}"`);
  }
}
