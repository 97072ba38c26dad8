/**
 * What the SFZ opcode handlers share while one file is converted: the
 * warnings found so far (every problem is a warning: a bad value is ignored
 * and the rest imports, as in sfizz), the value readers (numbers, notes,
 * seconds, percentages, clamped with a warning when out of range), the
 * <control> state (default_path, note_offset, octave_offset, set_ccN,
 * label_ccN) and instrument-wide values (sw_default) the opcodes read or set.
 *
 * Unsupported opcodes are counted by family (the name with its numbers as
 * `*`: `amplitude_oncc*`) and reported once per family with its count and
 * first place; opcodes that are read into the region but not played yet are
 * told apart from unknown ones.
 *
 * Thread: CT. Pure.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { zoneRange } from "../../ffi/layout.ts";
import { noteNumber } from "../notes.ts";
import type { SfzOpcode, SfzOrigin, SfzProblem } from "./parse.ts";

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The controllers sfizz starts at other values than 0 (its Synth's default CC values). */
const SFIZZ_CC_DEFAULTS: ReadonlyMap<number, number> = new Map([[7, 100], [10, 64], [11, 127]]);

/** One family of opcodes reported together: its first place, names and uses. */
interface FamilyCount {
  entry: SfzProblem;
  names: Set<string>;
  uses: number;
  played: boolean;
}

/** Diagnostics, value readers and file-wide state of one conversion. */
export class SfzContext {
  /** Everything ignored, approximated or skipped, in the order found (families once). */
  readonly warnings: SfzProblem[] = [];
  /** Prefix of every sample path (<control> default_path), "/" separated. */
  defaultPath = "";
  /** Added to every note read (<control> note_offset plus 12 * octave_offset). */
  noteOffset = 0;
  /** The keyswitch active before any is played (sw_default). */
  keyswitchDefault: number | undefined;
  /** Initial controller values (set_ccN, 0..127; set_hdccN scaled to 0..127). */
  readonly ccDefaults = new Map<number, number>();

  /**
   * A controller's value before any is received: set_ccN, else sfizz's
   * defaults (volume CC7 100, pan CC10 64, expression CC11 127), else 0.
   */
  initialCc(cc: number): number {
    return this.ccDefaults.get(cc) ?? SFIZZ_CC_DEFAULTS.get(cc) ?? 0;
  }
  /** Controller names (label_ccN). */
  readonly ccLabels = new Map<number, string>();
  /** <curve> headers: SFZ curve_index to the instrument's curve number (8..255). */
  readonly customCurves = new Map<number, number>();
  /** Regions skipped because they can never play (for the message when nothing is playable). */
  readonly skipped: SfzProblem[] = [];
  /** Bad values ignored (counted for the message when nothing is playable). */
  badValues = 0;
  readonly #warned = new Set<string>();
  readonly #families = new Map<string, FamilyCount>();
  readonly #failures = new Map<string, { entry: SfzProblem; text: string; count: number }>();

  /** @param problems the parser's skipped lines, which come first */
  constructor(problems: readonly SfzProblem[] = []) {
    this.warnings.push(...problems);
  }

  /** Warn once per key (an opcode name, a value), at its first place. */
  warnOnce(key: string, at: SfzOrigin, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.warnings.push({ file: at.file, line: at.line, message });
  }

  /**
   * Count an opcode the engine does not play, by family (its lower-case name
   * with each number as `*`); one warning per family, at its first place.
   *
   * @param op the opcode
   * @param read true when the importer keeps its value (played by a later step)
   */
  unsupported(op: SfzOpcode, read: boolean): void {
    const name = op.name.toLowerCase();
    const family = name.replace(/\d+/g, "*");
    let f = this.#families.get(family);
    if (!f) {
      f = {
        entry: { file: op.file, line: op.line, message: "" },
        names: new Set(),
        uses: 0,
        played: read,
      };
      this.#families.set(family, f);
      this.warnings.push(f.entry);
    }
    f.names.add(name);
    f.uses++;
  }

  /**
   * Warn once per kind (`key`), at the first place; later ones add to a
   * count shown after the first message.
   */
  warnCounted(key: string, at: SfzOrigin, message: string): void {
    const seen = this.#failures.get(key);
    if (seen) {
      seen.count++;
      seen.entry.message = `${seen.text} (${seen.count} times; the first shown)`;
      return;
    }
    const entry = { file: at.file, line: at.line, message };
    this.#failures.set(key, { entry, text: message, count: 1 });
    this.warnings.push(entry);
  }

  /** Write the family warnings' messages (call once, when every opcode is read). */
  finishFamilies(): void {
    for (const [family, f] of this.#families) {
      const counts = [
        ...(f.names.size > 1 ? [`${f.names.size} opcodes`] : []),
        ...(f.uses > 1 ? [`${f.uses} uses`] : []),
      ].join(", ");
      const what = f.names.size > 1 ? `opcodes "${family}" are` : `opcode "${[...f.names][0]}" is`;
      f.entry.message = f.played
        ? `${what} read but not played yet${counts ? ` (${counts})` : ""}`
        : `${what} not supported (ignored${counts ? `; ${counts}` : ""})`;
    }
  }

  /**
   * Record a malformed value, which is ignored: `name="value": problem
   * (ignored)`, once per opcode name and problem (at the first place, with
   * the count when it recurs: an undefined $VAR in an included region file).
   */
  fail(op: SfzOpcode, problem: string): void {
    this.badValues++;
    const key = `${op.name.toLowerCase()}\n${problem}`;
    const seen = this.#failures.get(key);
    if (seen) {
      seen.count++;
      seen.entry.message = `${seen.text} (ignored; ${seen.count} times)`;
      return;
    }
    const text = `${op.name}=${show(op.value)}: ${problem}`;
    const entry = { file: op.file, line: op.line, message: `${text} (ignored)` };
    this.#failures.set(key, { entry, text, count: 1 });
    this.warnings.push(entry);
  }

  // Value readers: each returns undefined after recording an error.

  /** A number. */
  num(op: SfzOpcode): number | undefined {
    if (!NUMBER.test(op.value)) {
      this.fail(op, "is not a number");
      return undefined;
    }
    return Number(op.value);
  }

  /** `v` clamped to lo..hi, with a warning when it was outside. */
  clamp(op: SfzOpcode, v: number, lo: number, hi: number): number {
    if (v >= lo && v <= hi) return v;
    const c = Math.min(hi, Math.max(lo, v));
    // once per opcode name and range, counted (a library's consistent hivel=128)
    const key = `clamp\n${op.name.toLowerCase()}\n${lo}\n${hi}`;
    const seen = this.#failures.get(key);
    if (seen) {
      seen.count++;
      seen.entry.message = `${seen.text} (${seen.count} times)`;
    } else {
      const text = `${op.name}=${op.value} is outside ${lo}..${hi}: using ${c}`;
      const entry = { file: op.file, line: op.line, message: text };
      this.#failures.set(key, { entry, text, count: 1 });
      this.warnings.push(entry);
    }
    return c;
  }

  /** A number clamped to lo..hi. */
  ranged(op: SfzOpcode, lo: number, hi: number): number | undefined {
    const v = this.num(op);
    return v === undefined ? undefined : this.clamp(op, v, lo, hi);
  }

  /** An integer clamped to lo..hi (rounded). */
  int(op: SfzOpcode, lo: number, hi: number): number | undefined {
    const v = this.ranged(op, lo, hi);
    return v === undefined ? undefined : Math.round(v);
  }

  /** A note number or name, with note_offset; -1 is kept (SFZ "no key"). */
  note(op: SfzOpcode): number | undefined {
    let n: number | undefined;
    if (/^[+-]?\d+$/.test(op.value)) n = Number(op.value);
    else n = noteNumber(op.value);
    if (n === undefined) {
      this.fail(op, 'is not a note (give 0..127 or a name like "c#4")');
      return undefined;
    }
    n += this.noteOffset;
    if (n === -1) return -1;
    return Math.round(this.clamp(op, n, 0, 127));
  }

  /** Seconds, in the engine's envelope-time range (0..60). */
  seconds(op: SfzOpcode): number | undefined {
    return this.ranged(op, ...zoneRange("envelope", "attack"));
  }

  /** A percentage 0..100, as a fraction 0..1. */
  percent(op: SfzOpcode): number | undefined {
    const v = this.ranged(op, 0, 100);
    return v === undefined ? undefined : v / 100;
  }
}

/** A value as a message quotes it (long values shortened). */
function show(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
