/**
 * What a named part plays: a Strudel pattern or a plain TypeScript
 * generator, both queried the same way, by spans of cycle "ticks".
 *
 * Thread: CT. Pure and deterministic: a source queried over [a, b) returns
 * the events whose start lies in [a, b), whatever spans it was queried with
 * before, so chunked (live) and one-shot (offline) scheduling agree. Times
 * are integer ticks (TICKS_PER_CYCLE per cycle) at the query boundaries and
 * exact rationals inside Strudel, so no event is lost or doubled at a
 * boundary. Whatever a pattern or a generator throws while it is queried
 * propagates to the caller (the session names the part); Strudel's own
 * `queryArc`, which would swallow it, is not used.
 *
 * @module
 */
import { BadValue } from "../pattern/bad_value.ts";
import { type ControlValues, isPattern, type Pattern, type Rational } from "../pattern/pattern.ts";
import { queryPattern } from "../pattern/query.ts";
import { fraction } from "../pattern/strudel.ts";
import { Random } from "../engine/random.ts";

/** Query resolution: 3·5·7·2^9 ticks per cycle (triplets, quintuplets, septuplets are exact). */
export const TICKS_PER_CYCLE = 53760;

/** One event of a source. */
export interface SourceEvent {
  /** Start, in cycles (exact for patterns up to double precision). */
  cycle: number;
  /** Length, in cycles (the note is held legato × this). */
  cycles: number;
  /** Controls: s, n, note, gain, velocity, pan, speed, begin, legato, cut, ... */
  value: ControlValues;
}

/** A part's content. */
export interface Source {
  readonly kind: "pattern" | "generator";
  /**
   * Events starting in [fromTick, toTick), ordered by start.
   *
   * @throws whatever the pattern or the generator throws for that span.
   */
  query(fromTick: number, toTick: number): SourceEvent[];
}

/** The arithmetic of Strudel's exact rationals used to place a start on the tick grid. */
interface Exact {
  mul(x: number): Exact;
  ceil(): Exact;
  equals(x: number): boolean;
  valueOf(): number;
}

const TICKS_BIG = BigInt(TICKS_PER_CYCLE);

/**
 * An exact start on the tick grid: its ceiling and whether it lies on the grid. From the
 * rational's sign, numerator and denominator: numbers while the product fits in 2^53
 * (lib/pattern/fast_time.ts), BigInts as fraction.js keeps them (a few BigInt operations
 * instead of three Fraction ones), or through Fraction arithmetic otherwise.
 */
function tickOf(begin: Rational): { tick: number; whole: boolean } {
  const f = begin as unknown as { s?: unknown; n?: unknown; d?: unknown };
  const { s, n, d } = f;
  if (typeof s === "number" && typeof n === "number" && typeof d === "number") {
    const num = s * n * TICKS_PER_CYCLE;
    if (num <= Number.MAX_SAFE_INTEGER && num >= -Number.MAX_SAFE_INTEGER) {
      const r = num % d, q = (num - r) / d; // d > 0; q truncated, exact
      return { tick: q + (r > 0 ? 1 : 0), whole: r === 0 };
    }
  }
  if (typeof s === "bigint" && typeof n === "bigint" && typeof d === "bigint") {
    const num = s * n * TICKS_BIG, q = num / d, r = num % d; // d > 0; q truncated
    return { tick: Number(q) + (r > 0n ? 1 : 0), whole: r === 0n };
  }
  const t = (begin as unknown as Exact).mul(TICKS_PER_CYCLE), tick = t.ceil().valueOf();
  return { tick, whole: t.equals(tick) };
}

/** A Strudel pattern as a source: events with an onset in the span. */
export class PatternSource implements Source {
  readonly kind = "pattern";
  readonly pattern: Pattern;
  constructor(pattern: Pattern) {
    this.pattern = pattern;
  }
  /** The cycle whose events {@linkcode PatternSource.cached} holds (NaN: none). */
  #cycle = NaN;
  /** Its events, ordered by start, each with its exact start in ticks (ceiling, and whether whole). */
  #cached: { ev: SourceEvent; tick: number; whole: boolean }[] = [];

  query(fromTick: number, toTick: number): SourceEvent[] {
    if (toTick <= fromTick) return [];
    // A span inside one cycle (the live scheduler's 10-100 ms windows) is cut from that
    // whole cycle, queried once: Strudel's cost is mostly per query, not per event (a
    // cycle in one query costs half of ten tenths). The same events, by the invariant
    // above; a cycle that throws is queried span by span as before, so errors surface
    // exactly where they did.
    const cycle = Math.floor(fromTick / TICKS_PER_CYCLE);
    if (toTick > (cycle + 1) * TICKS_PER_CYCLE) return this.#direct(fromTick, toTick);
    if (cycle !== this.#cycle) {
      try {
        this.#cached = this.#haps(cycle * TICKS_PER_CYCLE, (cycle + 1) * TICKS_PER_CYCLE).map((
          x,
        ) => ({
          ev: x.ev,
          ...tickOf(x.begin),
        }));
        this.#cycle = cycle;
      } catch {
        this.#cycle = NaN;
        return this.#direct(fromTick, toTick);
      }
    }
    const out: SourceEvent[] = [];
    for (const c of this.#cached) {
      // start s in [from, to): on the grid, from <= s < to; between ticks t-1 and t = ceil(s), from < t <= to
      if (c.whole ? c.tick >= fromTick && c.tick < toTick : c.tick > fromTick && c.tick <= toTick) {
        out.push(c.ev);
      }
    }
    return out;
  }

  #direct(fromTick: number, toTick: number): SourceEvent[] {
    return this.#haps(fromTick, toTick).map((x) => x.ev);
  }

  /** Events starting in [fromTick, toTick), ordered by start, with their exact starts. */
  #haps(fromTick: number, toTick: number): { ev: SourceEvent; begin: Rational }[] {
    const haps = queryPattern(
      this.pattern,
      fraction(fromTick, TICKS_PER_CYCLE),
      fraction(toTick, TICKS_PER_CYCLE),
    );
    const out: { ev: SourceEvent; begin: Rational }[] = [];
    for (const h of haps) {
      if (!h.whole || !h.hasOnset()) continue;
      const begin = h.whole.begin.valueOf();
      const value =
        typeof h.value === "object" && h.value !== null && !(h.value instanceof BadValue)
          ? h.value
          : { note: h.value } as ControlValues;
      out.push({
        ev: { cycle: begin, cycles: h.whole.end.valueOf() - begin, value },
        begin: h.whole.begin,
      });
    }
    out.sort((a, b) => a.ev.cycle - b.ev.cycle);
    return out;
  }
}

/** Controls and timing of one note a generator plays. */
export interface GeneratorNote {
  /** Start in beats from the start of the bar (or beat, cycle). @default 0 */
  at?: number;
  /** Length in beats. @default 1/4 of a beat for drums; the rest of the unit otherwise */
  dur?: number;
  note?: number | string;
  n?: number;
  gain?: number;
  velocity?: number;
  pan?: number;
  speed?: number;
  begin?: number;
  legato?: number;
  cut?: number;
}

/** What a generator function receives for each bar (beat, cycle). */
export interface GeneratorUnit {
  /** Index of this bar (beat, cycle) from the start, 0-based. */
  readonly index: number;
  /** Beats in this unit. */
  readonly beats: number;
  /**
   * Random numbers seeded by the session seed, the part's name and `index`:
   * the same bar always gets the same numbers, however it was scheduled.
   */
  readonly random: Random;
  /**
   * Play a sound in this unit.
   *
   * @param sound A sound name ("bd", "hh:1", "epiano").
   * @param note Where and how: `at` and `dur` in beats, controls as in patterns.
   */
  play(sound: string, note?: GeneratorNote): void;
}

/** A generator: a function per bar (or beat, or cycle). */
export interface GeneratorSpec {
  readonly unit: "bar" | "beat" | "cycle";
  readonly fn: (unit: GeneratorUnit) => void;
}

/** Beat geometry a generator needs. */
export interface Meter {
  beatsPerCycle: number;
  beatsPerBar: number;
}

/** A generator as a source: each unit is computed once, when first queried, and kept. */
export class GeneratorSource implements Source {
  readonly kind = "generator";
  readonly spec: GeneratorSpec;
  readonly #seed: number;
  readonly #unitTicks: number;
  readonly #unitBeats: number;
  readonly #beatsPerCycle: number;
  readonly #cache = new Map<number, SourceEvent[]>();

  /**
   * @param spec The function and its unit.
   * @param meter Beats per cycle and per bar.
   * @param seed Session seed mixed with `partName` for each unit's Random.
   * @param partName The part's name.
   */
  constructor(spec: GeneratorSpec, meter: Meter, seed: number, partName: string) {
    this.spec = spec;
    this.#beatsPerCycle = meter.beatsPerCycle;
    this.#unitBeats = spec.unit === "bar"
      ? meter.beatsPerBar
      : spec.unit === "beat"
      ? 1
      : meter.beatsPerCycle;
    this.#unitTicks = Math.round(TICKS_PER_CYCLE * this.#unitBeats / meter.beatsPerCycle);
    this.#seed = mixSeed(seed, partName);
  }

  #unit(index: number): SourceEvent[] {
    let events = this.#cache.get(index);
    if (events) return events;
    const list: SourceEvent[] = [];
    const startCycle = index * this.#unitTicks / TICKS_PER_CYCLE;
    const bpc = this.#beatsPerCycle;
    const beats = this.#unitBeats;
    this.spec.fn({
      index,
      beats,
      random: new Random(mixSeed(this.#seed, String(index))),
      play(sound: string, note: GeneratorNote = {}): void {
        const at = note.at ?? 0;
        if (!(Number.isFinite(at) && at >= 0)) {
          throw new RangeError(`Cannot play "${sound}": at must be >= 0 beats, got "${at}"`);
        }
        const dur = note.dur ?? Math.max(0.25, beats - at);
        const { at: _a, dur: _d, ...controls } = note;
        list.push({
          cycle: startCycle + at / bpc,
          cycles: dur / bpc,
          value: { s: sound, ...controls },
        });
      },
    });
    list.sort((a, b) => a.cycle - b.cycle);
    events = list;
    this.#cache.set(index, events);
    if (this.#cache.size > 64) this.#cache.delete(this.#cache.keys().next().value!);
    return events;
  }

  query(fromTick: number, toTick: number): SourceEvent[] {
    if (toTick <= fromTick) return [];
    const from = fromTick / TICKS_PER_CYCLE, to = toTick / TICKS_PER_CYCLE;
    const out: SourceEvent[] = [];
    // a unit's events may start anywhere in it (or later): look one unit back
    const first = Math.max(0, Math.floor(fromTick / this.#unitTicks) - 1);
    const last = Math.floor((toTick - 1) / this.#unitTicks);
    for (let u = first; u <= last; u++) {
      for (const ev of this.#unit(u)) if (ev.cycle >= from && ev.cycle < to) out.push(ev);
    }
    out.sort((a, b) => a.cycle - b.cycle);
    return out;
  }
}

/** A part definition: a pattern or a generator spec. */
export type PartDefinition = Pattern | GeneratorSpec;

/** Make a source from what `play()` was given. */
export function toSource(
  def: PartDefinition,
  meter: Meter,
  seed: number,
  partName: string,
): Source {
  if (isPattern(def)) return new PatternSource(def);
  if (def && typeof def === "object" && typeof (def as GeneratorSpec).fn === "function") {
    return new GeneratorSource(def as GeneratorSpec, meter, seed, partName);
  }
  throw new TypeError(
    `Cannot play part "${partName}": give a pattern (s("bd sd")) or a generator (everyBar(...)), got ${typeof def}`,
  );
}

/**
 * A function per bar: `everyBar((bar) => bar.play("bd", { at: 0 }))`.
 *
 * @param fn Called once per bar with its index, seeded random and `play`.
 * @returns A part definition for `set.play(name, ...)`.
 */
export function everyBar(fn: (bar: GeneratorUnit) => void): GeneratorSpec {
  return { unit: "bar", fn };
}

/** A function per beat (see {@linkcode everyBar}). */
export function everyBeat(fn: (beat: GeneratorUnit) => void): GeneratorSpec {
  return { unit: "beat", fn };
}

/** A function per cycle (see {@linkcode everyBar}). */
export function everyCycle(fn: (cycle: GeneratorUnit) => void): GeneratorSpec {
  return { unit: "cycle", fn };
}

/** FNV-1a of a seed and a text, as a 32-bit seed. */
export function mixSeed(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
