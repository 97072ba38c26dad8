/**
 * Strudel REPL code as a set: what a `.strudel` file (or `set.strudel(code)`)
 * holds, evaluated as strudel.cc evaluates it.
 *
 * Thread: CT. The code goes through `@strudel/transpiler` (double-quoted
 * strings and backticks are mini-notation, `name: pattern` labels are parts,
 * a bare `samples(...)` is awaited), then runs as an async function (so
 * top-level `await` works) whose scope is Strudel's own functions (core,
 * mini, tonal, on the project's one core instance) plus the REPL's:
 * `setcps`/`setcpm`, `hush`, `all`, `each`, `samples`, sliders. Labels
 * become named parts: `$:` the anonymous `$0`, `$1`, ... in order, `bass:`
 * the part "bass", `_$:` or `bass_:` muted; with no label, the code's final
 * expression is the one part `$0`. `.cpm(n)` is relative to the tempo the
 * code sets (or set before, or Strudel's 0.5 cycles per second), as in
 * Strudel's REPL. Visual functions are accepted and ignored with one note,
 * `.midi()` plays on the sampler with one note, browser-only functions fail
 * naming themselves.
 *
 * Errors carry the `.strudel` file's `path:line:column` in their stack: the
 * transpiled code is generated with a source map (escodegen's own, asked for
 * while the transpiler runs) and every stack frame in it is mapped back,
 * also later, for errors a part throws while it is queried
 * ({@linkcode mapStrudelStack}). Evaluations run one at a time: the REPL's
 * pattern methods (`.p`, `.cpm`, ...) are installed on Strudel's patterns for
 * the duration of one evaluation and removed after it.
 *
 * @module
 */
import { parse as parseJs } from "acorn";
import escodegen from "escodegen";
import { transpiler } from "@strudel/transpiler";
import { scale } from "../pattern/pattern.ts";
import { strudel, strudelMini, strudelTonal } from "../pattern/strudel.ts";

// deno-lint-ignore no-explicit-any
type Untyped = any;

/** Where a Strudel evaluation sends what the code declares. */
export interface StrudelSink {
  /** A part, with stack text naming where it was declared. */
  play(name: string, pattern: Untyped, declaredAt: string): void;
  /** The tempo the code set, in cycles per second. */
  cps(cps: number): void;
  /** A note for the user (each is said once by the loader). */
  note(text: string): void;
  /** The code asked for a piano roll (`pianoroll`, `punchcard`): drawn where there is a terminal. */
  draw?(): void;
  /** `samples(what, base)`: a sample pack's sounds (lib/live/sample_packs.ts); absent: noted. */
  samples?(what: unknown, base: unknown): void;
  /** `aliasBank(...)`: nicknames for sample banks (lib/live/sample_packs.ts). */
  aliasBank?(args: unknown[]): void;
}

/** Options of {@linkcode evaluateStrudel}. */
export interface StrudelOptions {
  /** Absolute path of the `.strudel` file (errors name it), or a label for inline code. */
  file?: string;
  /** Cycles per second before the code sets one (for `.cpm`). @default 0.5, Strudel's */
  cps?: number;
}

/** Drawn as a piano roll of the coming cycles by perform on a terminal (lib/live/piano_roll.ts). */
const ROLLS = ["pianoroll", "punchcard"];

const VISUALS = [
  "scope",
  "tscope",
  "fscope",
  "spectrum",
  "spiral",
  "pitchwheel",
  "wordfall",
  "markcss",
  "draw",
  "onPaint",
];

/** Functions that need Strudel's browser REPL. */
const BROWSER_ONLY = [
  "csound",
  "csoundm",
  "loadCsound",
  "loadcsound",
  "loadCSound",
  "loadOrc",
  "hydra",
  "initHydra",
  "H",
  "speak",
  "serial",
  "osc",
  "mqtt",
  "getAudioContext",
  "initAudioOnFirstClick",
];

const NOTE_VISUAL =
  "visual functions (scope, spectrum, spiral, pitchwheel, sliders' display, ...) are ignored here: there is no display for them";
const NOTE_MIDI = ".midi(): MIDI output is not there yet: the part plays on the sampler instead";
const NOTE_SAMPLES = (what: string) =>
  `samples(${what}): sample packs are not loaded yet: the set plays with the project's own sounds`;

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends " +
    "false finally for function if import in instanceof new null return super switch this throw " +
    "true try typeof var void while with yield let static implements interface package private " +
    "protected public await arguments eval undefined NaN Infinity").split(" "),
);

// ---------------------------------------------------------------- source maps

/** Decoded mappings: per generated line (0-based), [genCol, srcLine (1-based), srcCol (0-based)]. */
type Lines = [number, number, number][][];

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function decodeMappings(mappings: string): Lines {
  const lines: Lines = [];
  let srcLine = 0, srcCol = 0;
  for (const line of mappings.split(";")) {
    const out: [number, number, number][] = [];
    let genCol = 0;
    for (const seg of line.split(",")) {
      if (!seg) continue;
      const nums: number[] = [];
      let value = 0, shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          nums.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += nums[0]!;
      if (nums.length >= 4) {
        srcLine += nums[2]!;
        srcCol += nums[3]!;
        out.push([genCol, srcLine + 1, srcCol]);
      }
    }
    lines.push(out);
  }
  return lines;
}

/** What one evaluation's generated code maps to. */
interface Compiled {
  id: string;
  /** The original file's path, or the inline code's label. */
  file: string;
  lines: Lines;
}

/** Lines V8 adds before the body of a `new AsyncFunction(...)`. */
const HEADER_LINES = 2;
const compiledById = new Map<string, Compiled>();
let nextId = 1;

/**
 * Original `line:column` (1-based) of a generated position (1-based line and
 * column as V8 reports them): the last mapped token at or before it, or with
 * `first` the start of that generated line's statement.
 */
function original(c: Compiled, genLine: number, genCol: number, first = false): string | undefined {
  const l0 = genLine - 1 - HEADER_LINES;
  const segs = c.lines[l0] ?? [];
  let hit = first ? segs[0] : segs.findLast((s) => s[0] <= genCol - 1) ?? segs[0];
  for (let l = l0 - 1; !hit && l >= 0; l--) hit = c.lines[l]?.at(-1);
  return hit ? `${hit[1]}:${hit[2] + 1}` : undefined;
}

const FRAME = /strudel-(\d+)\.js(?:, <anonymous>)?:(\d+):(\d+)/g;

/**
 * Replace the frames of transpiled Strudel code in a stack text by their
 * places in the original `.strudel` file (`path:line:column`).
 *
 * @param text A stack or message text.
 * @returns The text with mapped frames (unknown ones unchanged).
 */
export function mapStrudelStack(text: string): string {
  return text.replace(FRAME, (all, id: string, line: string, col: string) => {
    const c = compiledById.get(id);
    const at = c && original(c, Number(line), Number(col));
    return at ? `${c.file}:${at}` : all;
  });
}

/**
 * Transpile with a source map: escodegen is asked for one while the transpiler runs. Also
 * the transformed program's syntax tree that escodegen was given.
 */
function transpile(
  code: string,
  file: string,
): { output: string; compiled: Compiled; program: JsNode | undefined } {
  const gen = escodegen as unknown as { generate: (ast: unknown, opts?: unknown) => Untyped };
  const plain = gen.generate;
  let mappings = "";
  let program: JsNode | undefined;
  gen.generate = (ast: unknown) => {
    program = ast as JsNode;
    const r = plain(ast, { sourceMap: file, sourceMapWithCode: true });
    mappings = r.map.toJSON().mappings;
    return r.code;
  };
  let output: string;
  try {
    ({ output } = transpiler(code, { emitMiniLocations: false, emitWidgets: false }));
  } catch (err) {
    throw located(err, file, code);
  } finally {
    gen.generate = plain;
  }
  const id = String(nextId++);
  const compiled = { id, file, lines: decodeMappings(mappings) };
  compiledById.set(id, compiled);
  if (compiledById.size > 64) compiledById.delete(compiledById.keys().next().value!);
  return { output, compiled, program };
}

/** The transpiler's message when the code's last statement is not an expression. */
const NO_FINAL_EXPRESSION = "unexpected ast format without body expression";

/**
 * A syntax error (acorn's `loc`) as an error whose stack names `file:line:column`.
 * The transpiler's own refusal of code whose last statement is a declaration
 * (`const p = s("bd")` as the last line) has no location: it is placed on
 * the code's last line, and said in words.
 */
function located(err: unknown, file: string, code: string): unknown {
  const loc = (err as { loc?: { line: number; column: number } }).loc;
  if (err instanceof Error && !loc && err.message === NO_FINAL_EXPRESSION) {
    const lines = code.split("\n");
    let last = lines.length;
    while (last > 1 && /^\s*(\/\/.*)?$/.test(lines[last - 1]!)) last--;
    const message =
      'Cannot play the code: its last statement is a declaration, not a pattern: end it with a pattern or label the parts ("$: ...")';
    const out = new SyntaxError(message, { cause: err });
    out.stack = `SyntaxError: ${message}\n    at ${file}:${last}:1`;
    return out;
  }
  if (!(err instanceof Error) || !loc) return err;
  const message = err.message.replace(/\s*\(\d+:\d+\)$/, "");
  const out = new SyntaxError(message, { cause: err });
  out.stack = `SyntaxError: ${message}\n    at ${file}:${loc.line}:${loc.column + 1}`;
  return out;
}

/** `line:column` (1-based) of an offset into `code`. */
function lineColumn(code: string, offset: number): string {
  const before = code.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

// ---------------------------------------------------------------- evaluation

let queue: Promise<unknown> = Promise.resolve();

/**
 * Evaluate Strudel REPL code and send its parts and tempo to `sink`.
 *
 * @param code The code, as written for strudel.cc.
 * @param sink Receives parts, tempo and notes.
 * @param options The file it came from; the tempo before it.
 * @throws {SyntaxError} located at the file's line:column; whatever the code throws, its
 *   stack mapped to the file's lines; an Error naming a browser-only function.
 */
export function evaluateStrudel(
  code: string,
  sink: StrudelSink,
  options: StrudelOptions = {},
): Promise<void> {
  const run = queue.then(() => evaluateNow(code, sink, options));
  queue = run.catch(() => {});
  return run;
}

async function evaluateNow(code: string, sink: StrudelSink, options: StrudelOptions) {
  const file = options.file ?? "<strudel>";
  const { output, compiled, program } = transpile(code, file);
  const sourceUrl = `strudel-${compiled.id}.js`;
  let cps = options.cps ?? 0.5;
  const parts = new Map<string, { pattern: Untyped; declaredAt: string }>();
  let anonymous = 0;
  const allTransforms: ((p: Untyped) => Untyped)[] = [];
  let eachTransform: ((p: Untyped) => Untyped) | undefined;
  const said = new Set<string>();
  const note = (text: string) => {
    if (!said.has(text)) sink.note(text);
    said.add(text);
  };
  const unpure = (x: Untyped) => (x && x._Pattern ? x.__pure : x);
  const setCps = (value: Untyped) => {
    const v = Number(unpure(value));
    if (!(Number.isFinite(v) && v > 0)) {
      throw new RangeError(`Cannot set the tempo: cycles per second must be > 0, got "${value}"`);
    }
    cps = v;
    sink.cps(v);
    return strudel.silence;
  };
  const setCpm = (value: Untyped) => setCps(Number(unpure(value)) / 60);
  /** Where in the file the running code is: the first mapped frame of a fresh stack. */
  const here = (first: boolean) => {
    const stack = new Error().stack ?? "";
    for (const m of stack.matchAll(FRAME)) {
      if (m[1] !== compiled.id) continue;
      const at = original(compiled, Number(m[2]), Number(m[3]), first);
      if (at) return `    at ${file}:${at}`;
    }
    return "";
  };
  const browserOnly = (name: string) => () => {
    throw new Error(
      `Cannot use "${name}": it needs Strudel's browser REPL and is not supported here: remove it from the set`,
    );
  };

  // the REPL's pattern methods, for this evaluation only
  const methods: Record<string, (this: Untyped, ...args: Untyped[]) => Untyped> = {
    p(this: Untyped, id: Untyped) {
      if (typeof id === "string" && (id.startsWith("_") || id.endsWith("_"))) {
        return strudel.silence;
      }
      let name = String(id);
      if (name === "$") name = `$${anonymous++}`;
      parts.set(name, { pattern: this, declaredAt: `part "${name}"\n${here(true)}` });
      return this;
    },
    midi(this: Untyped) {
      note(NOTE_MIDI);
      return this;
    },
    piano(this: Untyped) {
      // strudel.cc's piano(): clip 1 unless set, the piano sound, release 0.1, pan by pitch
      return this.fmap((v: Untyped) => ({ ...v, clip: v.clip ?? 1 })).s("piano").release(0.1)
        .fmap((v: Untyped) => {
          const midi = strudel.valueToMidi(v);
          const pan = Math.min(Math.round(midi) / 108, 1) * 0.5 + 0.25;
          return { ...v, pan: (v.pan || 1) * pan };
        });
    },
  };
  const cpm = (amount: Untyped, pat: Untyped) => pat._fast(Number(amount) / 60 / cps);
  const draw = () => sink.draw?.();
  for (const v of [...VISUALS, ...ROLLS]) {
    const say = ROLLS.includes(v) ? draw : () => note(NOTE_VISUAL);
    for (const name of [v, `_${v}`]) {
      methods[name] = function (this: Untyped) {
        say();
        return this;
      };
    }
  }
  for (const name of BROWSER_ONLY) {
    methods[name] = browserOnly(`.${name}()`);
  }

  const scope: Record<string, unknown> = {
    ...strudel,
    ...strudelMini,
    ...strudelTonal,
    scale,
    m: (str: string, offset: number) => {
      try {
        return strudelMini.m(str, offset);
      } catch (err) {
        throw miniError(err, str, offset, code, file);
      }
    },
    setcps: setCps,
    setCps,
    setcpm: setCpm,
    setCpm,
    hush: () => {
      parts.clear();
      anonymous = 0;
      eachTransform = undefined;
      return strudel.silence;
    },
    all: (fn: (p: Untyped) => Untyped) => {
      allTransforms.push(fn);
      return strudel.silence;
    },
    each: (fn: (p: Untyped) => Untyped) => {
      eachTransform = fn;
      return strudel.silence;
    },
    samples: (what: unknown, base?: unknown) => {
      if (sink.samples) sink.samples(what, base);
      else note(NOTE_SAMPLES(typeof what === "string" ? `"${what}"` : "{...}"));
      return Promise.resolve();
    },
    aliasBank: (...args: unknown[]) => {
      if (sink.aliasBank) sink.aliasBank(args);
      else note(NOTE_SAMPLES("aliasBank"));
      return Promise.resolve();
    },
    slider: (value: unknown) => (note(NOTE_VISUAL), strudel.reify(value)),
    sliderWithID: (_id: string, value: unknown) => (note(NOTE_VISUAL), strudel.reify(value)),
  };
  for (const v of [...VISUALS, ...ROLLS]) {
    // all(pianoroll) as well as pianoroll(pat)
    scope[v] = (pat: unknown) =>
      strudel.isPattern(pat) ? methods[v]!.call(pat) : methods[v]!.call(strudel.silence);
  }
  for (const name of BROWSER_ONLY) scope[name] = browserOnly(name);
  // the code's own top-level declarations (`const scale = ...`) shadow the scope, as they
  // shadow Strudel's globals in its REPL (a parameter of the same name would be a SyntaxError)
  const declared = topLevelDeclarations(program);
  const names = Object.keys(scope).filter((k) =>
    /^[A-Za-z_$][\w$]*$/.test(k) && !RESERVED.has(k) && !declared.has(k)
  );

  const proto = strudel.Pattern.prototype;
  const saved = new Map<string, PropertyDescriptor | undefined>();
  for (const name of [...Object.keys(methods), "cpm", "_cpm"]) {
    saved.set(name, Object.getOwnPropertyDescriptor(proto, name));
  }
  try {
    for (const [name, fn] of Object.entries(methods)) {
      Object.defineProperty(proto, name, { value: fn, configurable: true, writable: true });
    }
    strudel.register("cpm", cpm);
    const AsyncFunction = (async () => {}).constructor as new (...a: string[]) => (
      ...v: unknown[]
    ) => Promise<unknown>;
    let fn: (...v: unknown[]) => Promise<unknown>;
    try {
      fn = new AsyncFunction(...names, `${output}\n//# sourceURL=${sourceUrl}`);
    } catch (err) {
      throw transformedSyntaxError(err, code, file);
    }
    // Strudel's REPL reads only double-quoted and backtick strings as mini-notation (the
    // transpiler turns them into m(...) calls); a plain 'string' stays one value while the
    // code builds its patterns ('C minor' inside timeCat is one scale name)
    strudel.setStringParser(undefined);
    // Strudel's calls run deep (Fraction inside register's wrappers inside the
    // code's own call): V8's default 10 frames would cut the file's frame off
    // an error raised inside them, and relocate() could not place it
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Math.max(limit, 100);
    let result: unknown;
    try {
      result = await fn(...names.map((n) => scope[n]));
    } finally {
      Error.stackTraceLimit = limit;
      strudel.setStringParser(strudelMini.mini);
    }
    let list = [...parts];
    if (!list.length && strudel.isPattern(result) && result !== strudel.silence) {
      const last = compiled.lines.length + HEADER_LINES;
      const at = original(compiled, last, 1, true);
      list = [["$0", { pattern: result, declaredAt: `part "$0"\n    at ${file}:${at ?? "1:1"}` }]];
    }
    // all(fn) and each(fn) while the REPL's methods are still there (all(x => x.pianoroll()))
    for (const [name, { pattern, declaredAt }] of list) {
      let p = eachTransform ? eachTransform(pattern) : pattern;
      for (const fn of allTransforms) p = fn(p);
      sink.play(name, p, declaredAt);
    }
  } catch (err) {
    throw relocate(err);
  } finally {
    for (const [name, desc] of saved) {
      if (desc) Object.defineProperty(proto, name, desc);
      else delete proto[name];
    }
  }
}

/**
 * The code parsed, but what Strudel's REPL made of it does not: the REPL awaits every
 * `samples(...)`, which is a SyntaxError inside a function. Placed at that call when there is
 * one inside a function, else at the file's start with the engine's words.
 */
function transformedSyntaxError(err: unknown, code: string, file: string): unknown {
  if (!(err instanceof SyntaxError)) return err;
  const inner = samplesInFunction(code);
  const message = inner !== undefined
    ? "Cannot play the code: Strudel's REPL awaits samples(...), which works only at the top level, not inside a function: call it on a line of its own"
    : `Cannot play the code: it is not valid JavaScript after Strudel's REPL transforms (${err.message})`;
  const out = new SyntaxError(message, { cause: err });
  out.stack = `SyntaxError: ${message}\n    at ${file}:${lineColumn(code, inner ?? 0)}`;
  return out;
}

// deno-lint-ignore no-explicit-any
type JsNode = { type: string; start: number; [key: string]: any };

/** `code` parsed as the REPL runs it (top-level await and return allowed); undefined if it does not parse. */
function parseScript(code: string): JsNode | undefined {
  try {
    return parseJs(code, {
      ecmaVersion: "latest",
      sourceType: "script",
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
    }) as unknown as JsNode;
  } catch {
    return undefined;
  }
}

/** Offset of the first `samples(...)` call inside a function in `code` (the REPL awaits it there). */
function samplesInFunction(code: string): number | undefined {
  const ast = parseScript(code);
  let found: number | undefined;
  const visit = (node: JsNode, inFunction: boolean): void => {
    if (found !== undefined) return;
    if (
      inFunction && node.type === "CallExpression" && node.callee?.type === "Identifier" &&
      node.callee.name === "samples"
    ) {
      found = node.start;
      return;
    }
    const nested = inFunction || /Function/.test(node.type);
    for (const v of Object.values(node)) {
      for (const child of Array.isArray(v) ? v : [v]) {
        if (child && typeof child === "object" && typeof child.type === "string") {
          visit(child, nested);
        }
      }
    }
  };
  if (ast) visit(ast, false);
  return found;
}

/**
 * Names the transpiled program declares at its top level (`const a = ..., { b, c: [d] } =
 * ...`, functions, classes), from the syntax tree the transpiler generated it from.
 */
function topLevelDeclarations(program: JsNode | undefined): Set<string> {
  const out = new Set<string>();
  const names = (pattern: JsNode | null | undefined): void => {
    if (!pattern) return;
    switch (pattern.type) {
      case "Identifier":
        out.add(pattern.name);
        break;
      case "ObjectPattern":
        for (const p of pattern.properties) names(p.type === "RestElement" ? p.argument : p.value);
        break;
      case "ArrayPattern":
        for (const e of pattern.elements) names(e);
        break;
      case "RestElement":
        names(pattern.argument);
        break;
      case "AssignmentPattern":
        names(pattern.left);
        break;
    }
  };
  for (const statement of program?.body ?? []) {
    if (statement.type === "VariableDeclaration") {
      for (const d of statement.declarations) names(d.id);
    } else if (
      statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration"
    ) {
      names(statement.id);
    }
  }
  return out;
}

/** An error thrown by the code, with its stack's frames mapped to the file. */
function relocate(err: unknown): unknown {
  if (!(err instanceof Error) || !err.stack) return err;
  err.stack = mapStrudelStack(err.stack);
  return err;
}

/** A mini-notation parse error, located in the file by krill's offset inside the string. */
function miniError(err: unknown, str: string, offset: number, code: string, file: string) {
  let inner = 0;
  try {
    strudelMini.parse(`"${str}"`);
  } catch (e) {
    inner = (e as { location?: { start?: { offset?: number } } }).location?.start?.offset ?? 0;
  }
  const message = (err as Error).message.replace(/^\[mini\] parse error at line \d+: /, "");
  const out = new SyntaxError(`mini-notation "${str}": ${message}`, { cause: err });
  out.stack = `SyntaxError: ${out.message}\n    at ${file}:${lineColumn(code, offset + inner)}`;
  return out;
}
