/**
 * The typed facade over Strudel's patterns (Strudel ships no types).
 *
 * Thread: CT. Types plus thin wrappers: every function here returns
 * Strudel's own pattern object, typed as {@linkcode Pattern}. A pattern is a
 * pure function of cycle time: querying the same span always gives the same
 * events, which is what makes reloads, offline renders and live sessions
 * agree.
 *
 * @module
 */
import { safeScale } from "./scales.ts";
import { strudel } from "./strudel.ts";

/** A value a pattern function accepts: a plain value, mini-notation text, or another pattern. */
export type Patternable<T> = T | string | Pattern;

/** Control values of one event, as Strudel produces them (see lib/pattern/controls.ts). */
export type ControlValues = Record<string, unknown>;

/** An exact rational time (Strudel's Fraction). */
export interface Rational {
  valueOf(): number;
  toFraction(): string;
}

/** A span of cycles. */
export interface TimeSpan {
  begin: Rational;
  end: Rational;
}

/** One event of a pattern query. */
export interface Hap {
  /** The event's whole extent (absent for continuous signals). */
  whole: TimeSpan | undefined;
  /** The part of it inside the query. */
  part: TimeSpan;
  value: ControlValues;
  /** True when this fragment holds the event's start. */
  hasOnset(): boolean;
}

/** A transformation of patterns, as taken by `every`, `sometimes`, ... */
export type PatternFn = (p: Pattern) => Pattern;

/**
 * The effect and sound controls the engine plays, as pattern methods
 * (`.lpf(800)`, `.room(0.3)`, `.vowel("o")`): every played name of
 * lib/pattern/controls.ts's catalog besides the ones {@linkcode Pattern}
 * declares itself (pattern_test.ts keeps the two lists equal).
 */
export const CONTROL_METHODS = [
  "bank",
  "freq",
  "fmi",
  "fm",
  "fmh",
  "fmenv",
  "fmattack",
  "fmdecay",
  "fmsustain",
  "fmrelease",
  "fmwave",
  "unison",
  "detune",
  "det",
  "spread",
  "duration",
  "dur",
  "unit",
  "lock",
  "delaysync",
  "end",
  "loop",
  "loopBegin",
  "loopb",
  "loopEnd",
  "loope",
  "accelerate",
  "attack",
  "att",
  "decay",
  "dec",
  "sustain",
  "sus",
  "release",
  "rel",
  "hold",
  "penv",
  "pattack",
  "patt",
  "pdecay",
  "pdec",
  "psustain",
  "psus",
  "prelease",
  "prel",
  "panchor",
  "vib",
  "vibrato",
  "v",
  "vibmod",
  "vmod",
  "cutoff",
  "ctf",
  "lpf",
  "lp",
  "resonance",
  "lpq",
  "hcutoff",
  "hpf",
  "hp",
  "hresonance",
  "hpq",
  "bandf",
  "bpf",
  "bp",
  "bandq",
  "bpq",
  "ftype",
  "fanchor",
  "lpenv",
  "lpe",
  "lpattack",
  "lpa",
  "lpdecay",
  "lpd",
  "lpsustain",
  "lps",
  "lprelease",
  "lpr",
  "hpenv",
  "hpe",
  "hpattack",
  "hpa",
  "hpdecay",
  "hpd",
  "hpsustain",
  "hps",
  "hprelease",
  "hpr",
  "bpenv",
  "bpe",
  "bpattack",
  "bpa",
  "bpdecay",
  "bpd",
  "bpsustain",
  "bps",
  "bprelease",
  "bpr",
  "djf",
  "vowel",
  "coarse",
  "crush",
  "shape",
  "distort",
  "dist",
  "distortvol",
  "distvol",
  "tremolo",
  "trem",
  "tremolosync",
  "tremsync",
  "tremolodepth",
  "tremdepth",
  "tremoloshape",
  "tremshape",
  "phaserrate",
  "phaser",
  "ph",
  "phaserdepth",
  "phd",
  "phasdp",
  "phasercenter",
  "phc",
  "phasersweep",
  "phs",
  "ring",
  "ringf",
  "postgain",
  "delay",
  "delaytime",
  "delayt",
  "dt",
  "delayfeedback",
  "delayfb",
  "dfb",
  "room",
  "roomsize",
  "size",
  "sz",
  "rsize",
  "roomlp",
  "rlp",
  "roomdim",
  "rdim",
  "roomfade",
  "rfade",
  "dry",
  // MIDI out (`.midi()`)
  "midiport",
  "midichan",
  "ccn",
  "ccv",
  "midicmd",
  "progNum",
  "midibend",
  "miditouch",
] as const;

/** One method per played control: its value (a number, a name, mini-notation or a pattern). */
export type ControlMethods = {
  [K in (typeof CONTROL_METHODS)[number]]: (value: Patternable<number | string>) => Pattern;
};

/**
 * A Strudel pattern. The methods listed are the ones this project documents
 * and tests; Strudel's others work too (`pattern.method(...)` through
 * `call`).
 */
export interface Pattern extends ControlMethods {
  /** Events whose parts lie in [begin, end) cycles. */
  queryArc(begin: number | Rational, end: number | Rational): Hap[];
  // time
  fast(factor: Patternable<number>): Pattern;
  slow(factor: Patternable<number>): Pattern;
  early(cycles: Patternable<number>): Pattern;
  late(cycles: Patternable<number>): Pattern;
  rev(): Pattern;
  palindrome(): Pattern;
  iter(n: Patternable<number>): Pattern;
  ply(n: Patternable<number>): Pattern;
  euclid(pulses: Patternable<number>, steps: Patternable<number>): Pattern;
  struct(mask: Patternable<unknown>): Pattern;
  mask(mask: Patternable<unknown>): Pattern;
  segment(n: Patternable<number>): Pattern;
  range(min: Patternable<number>, max: Patternable<number>): Pattern;
  // conditional and random
  every(n: Patternable<number>, f: PatternFn): Pattern;
  firstOf(n: Patternable<number>, f: PatternFn): Pattern;
  lastOf(n: Patternable<number>, f: PatternFn): Pattern;
  sometimes(f: PatternFn): Pattern;
  sometimesBy(probability: Patternable<number>, f: PatternFn): Pattern;
  often(f: PatternFn): Pattern;
  rarely(f: PatternFn): Pattern;
  almostNever(f: PatternFn): Pattern;
  almostAlways(f: PatternFn): Pattern;
  degrade(): Pattern;
  degradeBy(probability: Patternable<number>): Pattern;
  chunk(n: Patternable<number>, f: PatternFn): Pattern;
  off(time: Patternable<number>, f: PatternFn): Pattern;
  superimpose(f: PatternFn): Pattern;
  layer(...fs: PatternFn[]): Pattern;
  // arithmetic on values (e.g. transposing notes)
  add(other: Patternable<unknown>): Pattern;
  sub(other: Patternable<unknown>): Pattern;
  mul(other: Patternable<unknown>): Pattern;
  /**
   * Map each event's value (its controls, or a plain value). What `f` throws
   * fails the query of the whole pattern: the session mutes the part (or
   * fails the reload) and names it.
   */
  // deno-lint-ignore no-explicit-any
  withValue(f: (value: any) => unknown): Pattern;
  // controls (see lib/pattern/controls.ts)
  s(name: Patternable<string>): Pattern;
  sound(name: Patternable<string>): Pattern;
  n(index: Patternable<number>): Pattern;
  note(note: Patternable<number | string>): Pattern;
  gain(amount: Patternable<number>): Pattern;
  velocity(amount: Patternable<number>): Pattern;
  pan(position: Patternable<number>): Pattern;
  speed(ratio: Patternable<number>): Pattern;
  begin(fraction: Patternable<number>): Pattern;
  cut(group: Patternable<number>): Pattern;
  legato(ratio: Patternable<number>): Pattern;
  clip(ratio: Patternable<number>): Pattern;
  orbit(index: Patternable<number>): Pattern;
  // MIDI out (lib/live/session.ts sends these events as MIDI instead of playing them)
  /**
   * Send the events to a MIDI output as Strudel's `.midi()` does: note-on at
   * the onset, note-off at its end, on `midichan` (1..16), velocity `gain` ×
   * `velocity` (0.9); `ccn`/`ccv` send a control change, `midicmd` clock,
   * start, stop or continue. The output is `port` (a name, or an index in
   * the outputs opened), the event's `midiport`, or the session's default.
   */
  midi(port?: string | number): Pattern;
  // tonal (@strudel/tonal): note names out ("Eb3"), as in Strudel
  /**
   * Turn `n` scale degrees into notes, or move notes onto the scale: Strudel's
   * names, "C:major", "C minor", "D3 hirajoshi", "C:<major minor>" (lib/pattern/scales.ts).
   */
  scale(name: Patternable<string>): Pattern;
  /** Move notes by semitones (`12`) or an interval (`"3M"`). */
  transpose(amount: Patternable<number | string>): Pattern;
  /** Move notes by steps of the scale set by `.scale(...)` before. */
  scaleTranspose(steps: Patternable<number>): Pattern;
  /** Chord symbols (`"<C^7 Dm7>"`) for `voicing` and `rootNotes`. */
  chord(symbol: Patternable<string>): Pattern;
  /** The voicing dictionary `voicing` uses ("ireal" by default, "lefthand", ...). */
  dict(name: Patternable<string>): Pattern;
  /** The note a voicing is built near (`"c5"`). */
  anchor(note: Patternable<number | string>): Pattern;
  /** How the voicing sits on the anchor: "below", "above", "duck", "root". */
  mode(mode: Patternable<string>): Pattern;
  /** Chords (`chord`) to the notes of a voicing, one event per note. */
  voicing(): Pattern;
  /** Chord symbols (the pattern's values) to voicings from a dictionary ("lefthand"). */
  voicings(dictionary: Patternable<string>): Pattern;
  /** Chord symbols (the pattern's values, or `chord`) to their root notes in an octave. */
  rootNotes(octave?: Patternable<number>): Pattern;
}

type Fn<A extends unknown[]> = (...args: A) => Pattern;

/** Sound names (`"bd sd"`, `"epiano"`): select instruments and zones. */
export const s: Fn<[Patternable<string>]> = strudel.s;
/** Same as {@linkcode s}. */
export const sound: Fn<[Patternable<string>]> = strudel.sound;
/** Sample index of a sound (`s("hh").n(2)`), or a scale degree before `.scale(...)`. */
export const n: Fn<[Patternable<number>]> = strudel.n;
/** Pitch: a MIDI number or a name (`"c3 e3 g3"`, c4 = 60). */
export const note: Fn<[Patternable<number | string>]> = strudel.note;
/** A control-change value 0..1 for `.midi()` (with `.ccn(controller)`), as in Strudel. */
export const ccv: Fn<[Patternable<number>]> = strudel.ccv;
/** A control-change number for `.midi()` (with `.ccv(value)`). */
export const ccn: Fn<[Patternable<number>]> = strudel.ccn;
/** MIDI clock, start, stop or continue messages for `.midi()` (`midicmd("clock*48")`). */
export const midicmd: Fn<[Patternable<string>]> = strudel.midicmd;
/** Play patterns at the same time. */
export const stack: Fn<Patternable<unknown>[]> = strudel.stack;
/** One pattern per cycle, in turn. */
export const cat: Fn<Patternable<unknown>[]> = strudel.cat;
/** All patterns squeezed into one cycle. */
export const seq: Fn<Patternable<unknown>[]> = strudel.seq;
/** Patterns of different lengths in one cycle: `timeCat([1, a], [3, b])`. */
export const timeCat: Fn<[number, Patternable<unknown>][]> = strudel.timeCat;
/** A value every cycle. */
export const pure: Fn<[unknown]> = strudel.pure;
/** Mini-notation text as a pattern of plain values. */
export const mini: Fn<[string]> = strudel.mini ?? ((text: string) => strudel.reify(text));
/** The pattern with no events. */
export const silence: Pattern = strudel.silence;
/** Continuous signals, 0..1 over a cycle (seeded by cycle time: reproducible). */
export const sine: Pattern = strudel.sine;
export const saw: Pattern = strudel.saw;
export const square: Pattern = strudel.square;
export const tri: Pattern = strudel.tri;
export const rand: Pattern = strudel.rand;
export const perlin: Pattern = strudel.perlin;
/** Random integers 0..n-1. */
export const irand: Fn<[Patternable<number>]> = strudel.irand;
/** 0, 1, ..., n-1 in one cycle. */
export const run: Fn<[Patternable<number>]> = strudel.run;
/** A random choice among values, per event. */
export const choose: Fn<unknown[]> = strudel.choose;

/** True for a Strudel pattern (anything with queryArc). */
export function isPattern(x: unknown): x is Pattern {
  return typeof x === "object" && x !== null &&
    typeof (x as { queryArc?: unknown }).queryArc === "function";
}

// `.scale(name)`: @strudel/tonal's scale, except that a wrong scale name or
// degree spoils only its own event (a BadValue that the session drops with a
// warning), never the query of the whole pattern (lib/pattern/scales.ts).
const patternScale: Fn<[unknown, Pattern]> = strudel.register("scale", safeScale, true, true);
const byName = strudel.Pattern.prototype.scale;

/**
 * A scale name written with spaces ("C minor", "D3 hirajoshi", "C4 bebop
 * major") is one name, as Strudel reads a single-quoted string; mini-notation
 * would make it a sequence of words. Names with ":" or mini-notation
 * ("C:major D:major", "C:<major minor>") are patterns.
 */
function oneName(name: unknown): unknown {
  return typeof name === "string" && /^\s*[A-Ga-g][#bs]*-?\d*\s+[A-Za-z][A-Za-z0-9# ]*$/.test(name)
    ? strudel.pure(name.trim())
    : name;
}
strudel.Pattern.prototype.scale = function (this: Pattern, name: unknown) {
  return byName.call(this, oneName(name));
};

// `.midi(port)`: @strudel/midi sends through Web MIDI from an onTrigger; here
// the event carries `midiport` (its own wins) and the session sends it
// (lib/live/session.ts). "" is the session's default output.
Object.defineProperty(strudel.Pattern.prototype, "midi", {
  value: function (this: Pattern, port?: string | number) {
    // deno-lint-ignore no-explicit-any
    return this.withValue((v: any) =>
      v !== null && typeof v === "object"
        ? ("midiport" in v ? v : { ...v, midiport: port ?? "" })
        : { note: v, midiport: port ?? "" }
    );
  },
  configurable: true,
  writable: true,
});

/** Degrees (`n`) to notes in a scale, Strudel's names: "C:major", "C minor", "D3 hirajoshi". */
export const scale: Fn<[Patternable<string>, Pattern]> = (name, pat) =>
  patternScale(oneName(name), pat);
