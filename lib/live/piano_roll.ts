/**
 * A piano roll of the coming cycles as text, for a terminal: what Strudel's
 * `.pianoroll()` and `.punchcard()` draw in the browser.
 *
 * Thread: CT. Pure. One row per pitch that sounds (highest first), then one
 * per unpitched sound name; one column per slice of time; `█` where a note
 * starts, `▒` while it holds, `│` at each cycle.
 *
 * @module
 */
import type { SourceEvent } from "./source.ts";
import { noteNameToMidi } from "../pattern/scales.ts";

/** Options of {@linkcode pianoRoll}. */
export interface PianoRollOptions {
  /** First cycle shown. */
  from: number;
  /** Cycles shown. @default 2 */
  cycles?: number;
  /** Columns per cycle. @default 32 */
  columnsPerCycle?: number;
  /** Rows at most (the rest are counted in the last line). @default 24 */
  maxRows?: number;
}

const NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/** The pitch of an event (a MIDI number), or undefined for a sound without one. */
function pitchOf(value: Record<string, unknown>): number | undefined {
  const raw = value.note ?? (value.s === undefined ? value.n : undefined);
  if (typeof raw === "number" && Number.isFinite(raw)) return Math.round(raw);
  if (typeof raw === "string") {
    try {
      return noteNameToMidi(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Draw events as a piano roll.
 *
 * @param events Events (cycle, length in cycles, controls), e.g. a source's query.
 * @param options The cycles shown and the resolution.
 * @returns Lines of text (no trailing newline); "" when nothing sounds.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pianoRoll } from "./piano_roll.ts";
 * const roll = pianoRoll([{ cycle: 0, cycles: 0.5, value: { note: 60 } }], {
 *   from: 0, cycles: 1, columnsPerCycle: 4,
 * });
 * assert(roll === "   C4 │█▒  │");
 * ```
 */
export function pianoRoll(events: SourceEvent[], options: PianoRollOptions): string {
  const cycles = options.cycles ?? 2;
  const per = options.columnsPerCycle ?? 32;
  const maxRows = options.maxRows ?? 24;
  const width = cycles * per;
  const rows = new Map<string, { order: number; cells: string[] }>();
  for (const ev of events) {
    const start = Math.floor((ev.cycle - options.from) * per + 1e-9);
    if (start < 0 || start >= width) continue;
    const value = ev.value as Record<string, unknown>;
    const pitch = pitchOf(value);
    const label = pitch !== undefined
      ? `${NAMES[((pitch % 12) + 12) % 12]}${Math.floor(pitch / 12) - 1}`
      : String(value.s ?? "?");
    let row = rows.get(label);
    if (!row) {
      row = { order: pitch !== undefined ? -pitch : 1000, cells: Array(width).fill(" ") };
      rows.set(label, row);
    }
    const end = Math.min(
      width,
      Math.max(start + 1, Math.round((ev.cycle + ev.cycles - options.from) * per)),
    );
    for (let c = start + 1; c < end; c++) if (row.cells[c] === " ") row.cells[c] = "▒";
    row.cells[start] = "█";
  }
  const sorted = [...rows].sort((a, b) => a[1].order - b[1].order || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, maxRows);
  const lines = shown.map(([label, row]) => {
    let text = "";
    for (let c = 0; c < width; c++) text += (c % per === 0 ? "│" : "") + row.cells[c];
    return `${label.slice(0, 5).padStart(5)} ${text}│`;
  });
  if (sorted.length > shown.length) lines.push(`      (${sorted.length - shown.length} more rows)`);
  return lines.join("\n");
}
