/**
 * Import a set file again and again, each time as a new module, together
 * with the local files it imports, and say where it failed.
 *
 * Thread: CT. Deno caches a module by URL for the life of the process, and a
 * `?v=2` query on the set does not reach the files it imports. So each load
 * copies the set and its local imports (relative imports outside the
 * project's lib/) into a fresh directory under the system temp directory,
 * rewriting their relative specifiers: local files point to the copies of
 * this version, the project's library to the original files (one shared
 * instance of lib/, one engine). Errors name the original file, line and
 * column. Needs read and write permission for the temp directory.
 *
 * A `.strudel` file (Strudel REPL code) is read, not imported: its set
 * function evaluates the text through `set.strudel(...)`
 * (lib/live/strudel_file.ts), and its errors name the `.strudel` file's
 * lines.
 *
 * @module
 */
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../ffi/build.ts";
import { PerformanceScriptError } from "../errors.ts";
import { PartQueryError, type ReloadReport, type Session } from "./session.ts";
import {
  evaluateSet,
  noteSetCopy,
  type SetFunction,
  setFunctionOf,
  type SetSnapshot,
} from "./set.ts";
import { pianoRoll } from "./piano_roll.ts";
import { type SourceEvent, TICKS_PER_CYCLE, toSource } from "./source.ts";
import { mapStrudelStack } from "./strudel_file.ts";

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']+)\2/g;

/** What to do about a set that failed while it plays live. */
const LIVE_HINT = "Fix the file and save it again; the previous version keeps playing";

/** Options of {@linkcode SetLoader}. */
export interface SetLoaderOptions {
  /** The hint its errors carry. @default what to do in a live session */
  hint?: string;
  /** Notes from the set (ignored visual functions, ...), each said once. */
  onWarning?: ((text: string) => void) | undefined;
  /**
   * Where a piano roll of the coming cycles goes after each load of a set
   * that asks for one (Strudel's `pianoroll`, `punchcard`): a terminal.
   * Without it, the set is told once that it is not drawn.
   */
  onDraw?: ((text: string) => void) | undefined;
}

/** A set file that failed to load: `file:line:column` when known. */
export class SetLoadError extends PerformanceScriptError {
  /** "path:line:column" of the failure in the original files, when known. */
  readonly location: string | undefined;
  constructor(
    message: string,
    file: string,
    location: string | undefined,
    cause: unknown,
    hint: string = LIVE_HINT,
  ) {
    super(message, { file, cause, hint });
    this.name = "SetLoadError";
    this.location = location;
  }
}

/** What a load produced. */
export interface LoadedSet {
  fn: SetFunction;
  /** Absolute paths of the set and its local imports (what to watch). */
  files: string[];
  version: number;
}

/** Loads versions of one set file. */
export class SetLoader {
  /** Absolute path of the set file. */
  readonly file: string;
  readonly #lib = resolve(PROJECT_ROOT, "lib") + sep;
  #version = 0;
  #tmp: string | undefined;
  /** Local files of the last load attempt (also of a failed one, when readable). */
  files: string[] = [];

  readonly #hint: string;
  readonly #onWarning: ((text: string) => void) | undefined;
  readonly #said = new Set<string>();

  constructor(file: string, options: SetLoaderOptions = {}) {
    this.file = resolve(file);
    this.#hint = options.hint ?? LIVE_HINT;
    this.#onWarning = options.onWarning;
    this.#onDraw = options.onDraw;
  }

  readonly #onDraw: ((text: string) => void) | undefined;

  /** Draw the coming cycles of a version that asks for a piano roll (or say it is not drawn). */
  draw(snap: SetSnapshot, fromCycle: number, seed: number): void {
    if (!snap.draw) return;
    if (!this.#onDraw) {
      this.tell(["pianoroll, punchcard: drawn only by perform on a terminal: ignored here"]);
      return;
    }
    const cycles = 2;
    const meter = { beatsPerCycle: snap.beatsPerCycle, beatsPerBar: snap.beatsPerBar };
    const from = Math.round(fromCycle * TICKS_PER_CYCLE);
    const events: SourceEvent[] = [];
    for (const [name, def] of snap.parts) {
      try {
        events.push(
          ...toSource(def, meter, seed, name).query(from, from + cycles * TICKS_PER_CYCLE),
        );
      } catch {
        // a part that throws is reported by the session
      }
    }
    const roll = pianoRoll(events, { from: fromCycle, cycles });
    if (roll) this.#onDraw(`cycles ${fromCycle}..${fromCycle + cycles}:\n${roll}`);
  }

  /** True for Strudel REPL code (a `.strudel` file). */
  get isStrudel(): boolean {
    return /\.strudel$/i.test(this.file);
  }

  /** Say each of a version's notes once per loader. */
  tell(notes: string[] | undefined): void {
    for (const n of notes ?? []) {
      if (!this.#said.has(n)) this.#onWarning?.(n);
      this.#said.add(n);
    }
  }

  /** True for a relative import that is part of the set (not the project's library). */
  #isLocal(abs: string): boolean {
    return !abs.startsWith(this.#lib) && /\.(ts|js|mts|mjs|tsx|jsx)$/.test(abs);
  }

  /** The set file and its local imports, transitively. */
  async #collect(): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    const todo = [this.file];
    while (todo.length) {
      const f = todo.pop()!;
      if (texts.has(f)) continue;
      let text: string;
      try {
        text = await Deno.readTextFile(f);
      } catch (err) {
        throw new SetLoadError(
          `Cannot load set "${this.file}": cannot read "${f}" (${(err as Error).message})`,
          this.file,
          undefined,
          err,
        );
      }
      texts.set(f, text);
      for (const m of text.matchAll(SPECIFIER)) {
        const abs = resolve(dirname(f), m[3]!);
        if (this.#isLocal(abs)) todo.push(abs);
      }
    }
    return texts;
  }

  /**
   * Import the current contents of the set file.
   *
   * @returns The set function, the files to watch and the version number.
   * @throws {SetLoadError} when a file cannot be read, does not parse, throws while
   *   importing, or its default export is not `defineSet(...)`; `location` names the place.
   */
  async load(): Promise<LoadedSet> {
    if (this.isStrudel) return await this.#loadStrudel();
    const texts = await this.#collect();
    this.files = [...texts.keys()];
    const version = ++this.#version;
    this.#tmp ??= await Deno.makeTempDir({ prefix: "midi-sampler-set-" });
    const root = commonDir(this.files);
    const dir = join(this.#tmp, `v${version}`);
    const copyOf = (abs: string) => join(dir, relative(root, abs));
    noteSetCopy(dir, root); // set.samples("./pack") starts at the original folder
    for (const [f, text] of texts) {
      const out = text.replace(SPECIFIER, (_all, head, q, spec) => {
        const abs = resolve(dirname(f), spec);
        const target = texts.has(abs) ? copyOf(abs) : abs;
        return `${head}${q}${pathToFileURL(target).href}${q}`;
      });
      await Deno.mkdir(dirname(copyOf(f)), { recursive: true });
      await Deno.writeTextFile(copyOf(f), out);
    }
    const map = (text: string) => mapPaths(text, dir, root);
    let mod: Record<string, unknown>;
    try {
      mod = await import(pathToFileURL(copyOf(this.file)).href);
    } catch (err) {
      throw this.#error(err, map);
    }
    const fn = setFunctionOf(mod.default);
    if (!fn) {
      throw new SetLoadError(
        `Cannot load set "${this.file}": its default export is not a set: write export default defineSet((set) => { ... })`,
        this.file,
        undefined,
        undefined,
      );
    }
    return { fn, files: this.files, version };
  }

  async #loadStrudel(): Promise<LoadedSet> {
    let code: string;
    try {
      code = await Deno.readTextFile(this.file);
    } catch (err) {
      throw new SetLoadError(
        `Cannot load set "${this.file}": cannot read it (${(err as Error).message})`,
        this.file,
        undefined,
        err,
      );
    }
    this.files = [this.file];
    const file = this.file;
    const onNote = (text: string) => this.tell([text]);
    const fn: SetFunction = (set) => set.strudel(code, { file, onNote });
    return { fn, files: this.files, version: ++this.#version };
  }

  /**
   * Turn something a set threw (while importing, while running its
   * function, or while one of its parts was queried) into a SetLoadError
   * naming the original file:line:column.
   */
  explain(err: unknown): SetLoadError {
    const tmp = this.#tmp;
    const root = this.files.length ? commonDir(this.files) : dirname(this.file);
    // a part still playing from an earlier version throws from that version's copy
    const map = (t: string) => {
      for (let v = this.#version; tmp && v >= 1; v--) t = mapPaths(t, join(tmp, `v${v}`), root);
      return mapStrudelStack(t);
    };
    return this.#error(err, map);
  }

  #error(err: unknown, map: (t: string) => string): SetLoadError {
    if (err instanceof SetLoadError) return err;
    const text = map(err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err));
    const location = findLocation(text, this.files);
    let name = err instanceof Error ? err.name : "Error";
    let first = map(err instanceof Error ? err.message : String(err)).split("\n")[0]!
      .replace(/\s+at\s+\S+:\d+:\d+\s*$/, "");
    // Deno reports a parse failure as a TypeError whose message starts "SyntaxError: ..."
    const inner = /^(\w*Error): (.*)$/.exec(first);
    if (inner) [name, first] = [inner[1]!, inner[2]!];
    const where = location ?? relative(Deno.cwd(), this.file);
    return new SetLoadError(`${where}: ${name}: ${first}`, this.file, location, err, this.#hint);
  }

  /** Remove the temporary copies (call when the session ends). */
  async dispose(): Promise<void> {
    if (this.#tmp) await Deno.remove(this.#tmp, { recursive: true }).catch(() => {});
    this.#tmp = undefined;
  }
}

function commonDir(files: string[]): string {
  let dir = dirname(files[0]!);
  for (const f of files) {
    while (!(f.startsWith(dir + sep) || f === dir)) dir = dirname(dir);
  }
  return dir;
}

/** Replace paths and URLs of the copies by the originals. */
function mapPaths(text: string, copyDir: string, root: string): string {
  const url = pathToFileURL(copyDir).href;
  return text.split(url).join(pathToFileURL(root).href).split(copyDir).join(root);
}

/** The first "file:line:col" in text that is one of the set's files, shown relative to cwd. */
/**
 * The first `path:line:column` in `text` (a stack) that lies in one of `files`,
 * relative to the working directory.
 *
 * @param text Error message and stack text.
 * @param files Absolute paths to look for.
 * @returns `path:line:column`, or undefined when no frame is in `files`.
 */
export function findLocation(text: string, files: string[]): string | undefined {
  const re = /(file:\/\/[^\s):]+|\/[^\s):]+):(\d+):(\d+)/g;
  for (const m of text.matchAll(re)) {
    const path = m[1]!.startsWith("file:") ? fileURLToPath(m[1]!) : m[1]!;
    if (files.includes(path)) return `${relative(Deno.cwd(), path) || path}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/**
 * Load the set's next version and apply it to a session; a failure at any
 * step (import, the set function, a part's first query) comes back located in
 * the set's own files, and the session is left as it was.
 *
 * @param loader The set's loader.
 * @param session The session to apply the new version to.
 * @param seed The seed the set function gets.
 * @returns What the reload changed.
 * @throws {SetLoadError} for any failure, with `file:line:column` when known.
 */
export async function loadInto(
  loader: SetLoader,
  session: Session,
  seed: number,
): Promise<ReloadReport> {
  const { fn } = await loader.load();
  let snap;
  try {
    snap = await evaluateSet(fn, seed);
  } catch (err) {
    throw loader.explain(err);
  }
  loader.tell(snap.notes);
  let report;
  try {
    report = await session.apply(snap);
  } catch (err) {
    throw err instanceof PartQueryError ? loader.explain(err) : err;
  }
  loader.draw(snap, report.swapCycle, seed);
  return report;
}
