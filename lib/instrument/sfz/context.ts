/**
 * What the SFZ opcode handlers share while one file is converted: the
 * warnings and errors found so far, the value readers (numbers, notes,
 * seconds, percentages, clamped with a warning when out of range), and the
 * <control> state (default_path, note_offset, octave_offset) and
 * instrument-wide values (sw_default) the opcodes read or set.
 *
 * Thread: CT. Pure.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { zoneRange } from "../../ffi/layout.ts";
import { noteNumber } from "../notes.ts";
import type { SfzOpcode, SfzOrigin, SfzProblem } from "./parse.ts";

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Diagnostics, value readers and file-wide state of one conversion. */
export class SfzContext {
  /** Ignored opcodes and headers (each once), clamped values, skipped regions. */
  readonly warnings: SfzProblem[] = [];
  /** Malformed lines and values. */
  readonly errors: SfzProblem[];
  /** Prefix of every sample path (<control> default_path), "/" separated. */
  defaultPath = "";
  /** Added to every note read (<control> note_offset plus 12 * octave_offset). */
  noteOffset = 0;
  /** The keyswitch active before any is played (sw_default). */
  keyswitchDefault: number | undefined;
  readonly #warned = new Set<string>();

  /** @param errors the parser's errors, which come first */
  constructor(errors: readonly SfzProblem[]) {
    this.errors = [...errors];
  }

  /** Warn once per key (an opcode name, a value), at its first place. */
  warnOnce(key: string, at: SfzOrigin, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.warnings.push({ file: at.file, line: at.line, message });
  }

  /** Record a malformed value: `name="value": problem`. */
  fail(op: SfzOpcode, problem: string): void {
    this.errors.push({
      file: op.file,
      line: op.line,
      message: `${op.name}=${show(op.value)}: ${problem}`,
    });
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
    this.warnOnce(
      `clamp:${op.file}:${op.line}:${op.name}`,
      op,
      `${op.name}=${op.value} is outside ${lo}..${hi}: using ${c}`,
    );
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
