/**
 * The live status line of `perform` on a terminal: one line at the bottom
 * of the screen, redrawn several times a second, with the cycle, the tempo,
 * the parts, voices, DSP load, a peak meter per active orbit, late events
 * and xruns.
 *
 * Thread: CT. {@linkcode formatStatus} is pure (a snapshot of the counters
 * to one line); {@linkcode StatusLine} owns the terminal's bottom row: it
 * sets the scroll region to the rows above it, so everything else printed
 * (reload lines, piano rolls, warnings, the REPL prompt and what is typed at
 * it, which the terminal echoes itself) scrolls above the status line and is
 * never overwritten. Each redraw saves the cursor, writes the bottom row and
 * restores the cursor in one write, so typed input stays where it is.
 *
 * @module
 */

/** What the status line shows: read from the sampler and the session. */
export interface StatusSnapshot {
  /** The cycle playing now (fractional). */
  cycle: number;
  /** Tempo in beats per minute. */
  bpm: number;
  /** Parts of the set, in order. */
  parts: readonly string[];
  /** Muted parts (shown in parentheses). */
  muted?: readonly string[];
  voices: number;
  /** Last block's render time over its duration (1 = all of it). */
  dspLoad: number;
  /** The output's peak (linear, 1 = 0 dBFS), held with the engine's fall. */
  output: number;
  /**
   * Each orbit's peak (linear), index = the engine's orbit; shown as Strudel
   * numbers them (`.orbit(n)` plays on the engine's n - 1: `o1` is index 0).
   */
  orbits: readonly number[];
  /** Bit k: orbit k's effects run. */
  awake: number;
  late: number;
  xruns: number;
  /** The Ableton Link session (perform --link): peers, the session's tempo (the bpm shown). */
  link?: { peers: number; bpm: number };
  /** The OSC input's counters (perform --osc): events played, late, packets ignored. */
  osc?: { played: number; late: number; bad: number };
}

/** Below this peak (-60 dBFS) an orbit that is not awake is not shown. */
export const ORBIT_SHOWN_FROM = 0.001;
/** The meters' floor in dB: an empty bar. */
export const METER_FLOOR_DB = -48;

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/**
 * A peak as a bar of `cells` characters from {@linkcode METER_FLOOR_DB} to
 * 0 dBFS in eighths of a cell, padded with spaces; `!` replaces the last
 * cell at or above full scale.
 *
 * @param peak Linear peak (1 = 0 dBFS).
 * @param cells Width in characters.
 * @returns The bar, exactly `cells` characters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meterBar } from "./status_line.ts";
 * assert(meterBar(0, 4) === "    " && meterBar(0.5, 4).startsWith("███"));
 * ```
 */
export function meterBar(peak: number, cells = 4): string {
  if (peak >= 1) return "█".repeat(cells - 1) + "!";
  const db = peak > 0 ? 20 * Math.log10(peak) : -Infinity;
  const frac = Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB));
  const eighths = Math.round(frac * cells * 8);
  const full = Math.floor(eighths / 8);
  const bar = "█".repeat(full) + (full < cells ? EIGHTHS[eighths % 8]! : "");
  return bar + " ".repeat(cells - [...bar].length);
}

/** A peak in dBFS with one decimal, or "-inf". */
function db(peak: number): string {
  return peak > 0 ? `${(20 * Math.log10(peak)).toFixed(0)}` : "-inf";
}

/**
 * The status line: fields separated by " | ", shortened to `columns`
 * characters (the part names first, then the line's end).
 *
 * @param s The counters.
 * @param columns The terminal's width.
 * @returns One line, no newline, at most `columns` characters.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatStatus } from "./status_line.ts";
 * const line = formatStatus({
 *   cycle: 12.25, bpm: 120, parts: ["drums", "bass"], voices: 5, dspLoad: 0.031,
 *   output: 0.5, orbits: [0, 0.25], awake: 2, late: 0, xruns: 0,
 * }, 120);
 * assert(line.startsWith("cycle 12.2 | 120.0 bpm | parts drums bass |"));
 * ```
 */
export function formatStatus(s: StatusSnapshot, columns: number): string {
  const muted = new Set(s.muted ?? []);
  const orbits: string[] = [];
  s.orbits.forEach((peak, k) => {
    if (((s.awake >>> k) & 1) === 0 && !(peak >= ORBIT_SHOWN_FROM)) return;
    orbits.push(`o${k + 1} ${meterBar(peak, 3)}`); // numbered as .orbit(n) names them
  });
  const link = s.link ? ` link ${s.link.peers} peer${s.link.peers === 1 ? "" : "s"}` : "";
  const bpm = s.link && Number.isFinite(s.link.bpm) ? s.link.bpm : s.bpm;
  const head = `cycle ${(Math.floor(s.cycle * 10) / 10).toFixed(1)} | ${
    bpm.toFixed(1)
  } bpm${link} | `;
  const tail = ` | voices ${s.voices} | DSP ${(100 * s.dspLoad).toFixed(0)}% | out ${
    meterBar(s.output, 4)
  } ${db(s.output)} dB${
    orbits.length ? ` | ${orbits.join(" ")}` : ""
  } | late ${s.late} | xruns ${s.xruns}${
    s.osc ? ` | osc ${s.osc.played} (late ${s.osc.late}, bad ${s.osc.bad})` : ""
  }`;
  const names = s.parts.map((p) => muted.has(p) ? `(${p})` : p);
  let parts = `parts ${names.length ? names.join(" ") : "none"}`;
  const room = columns - [...head].length - [...tail].length;
  if ([...parts].length > room) {
    // keep the count and as many names as fit
    let shown = names.length;
    const shorten = (n: number) =>
      `parts ${names.length}: ${names.slice(0, n).join(" ")}${n < names.length ? " …" : ""}`;
    while (shown > 0 && [...shorten(shown)].length > room) shown--;
    parts = shown > 0 ? shorten(shown) : `parts ${names.length}`;
  }
  const line = [...(head + parts + tail)];
  return line.length > columns
    ? line.slice(0, Math.max(0, columns - 1)).join("") + "…"
    : line.join("");
}

/** The timer the refresher uses (setInterval by default; a fake in tests). */
export interface StatusClock {
  setInterval(fn: () => void, ms: number): number;
  clearInterval(id: number): void;
}

/** Options of {@linkcode StatusLine}. */
export interface StatusLineOptions {
  /** Read the counters (called on every redraw). */
  snapshot(): StatusSnapshot;
  /** Write bytes to the terminal, synchronously. */
  write(text: string): void;
  /** The terminal's size now (rows and columns). */
  size(): { rows: number; columns: number };
  /** Redraw interval. @default 200 (5 times a second) */
  intervalMs?: number;
  /** @default setInterval / clearInterval */
  clock?: StatusClock;
}

const SAVE = "\x1b7";
const RESTORE = "\x1b8";

/**
 * The status line on the terminal's last row, redrawn on a timer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatusLine } from "./status_line.ts";
 * let out = "";
 * const line = new StatusLine({
 *   snapshot: () => ({ cycle: 0, bpm: 120, parts: [], voices: 0, dspLoad: 0, output: 0,
 *     orbits: [], awake: 0, late: 0, xruns: 0 }),
 *   write: (t) => out += t,
 *   size: () => ({ rows: 24, columns: 80 }),
 *   clock: { setInterval: () => 1, clearInterval: () => {} },
 * });
 * line.start();
 * line.stop();
 * assert(out.includes("\x1b[1;23r") && out.endsWith("\x1b[r\x1b8"));
 * ```
 */
export class StatusLine {
  #o: StatusLineOptions;
  #timer: number | undefined;
  #rows = 0;
  #last = "";

  /** @param options What to show, where to write, the terminal's size, the timer. */
  constructor(options: StatusLineOptions) {
    this.#o = options;
  }

  /** Whether the line is shown. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Reserve the bottom row (the rows above scroll), draw, and start the timer. */
  start(): void {
    if (this.#timer !== undefined) return;
    const { rows } = this.#o.size();
    // a blank line below the cursor: at the bottom this scrolls the screen up by one
    this.#o.write("\n\x1b[1A");
    this.#region(rows);
    const clock = this.#o.clock ?? {
      setInterval: (fn: () => void, ms: number) => setInterval(fn, ms) as unknown as number,
      clearInterval: (id: number) => clearInterval(id),
    };
    this.#timer = clock.setInterval(() => this.redraw(), this.#o.intervalMs ?? 200);
    this.redraw();
  }

  /** Draw the line now (also after a resize: the scroll region follows the rows). */
  redraw(): void {
    if (this.#timer === undefined) return;
    const { rows, columns } = this.#o.size();
    if (rows !== this.#rows) this.#region(rows);
    let text: string;
    try {
      text = formatStatus(this.#o.snapshot(), columns);
    } catch (err) {
      text = `status: ${err instanceof Error ? err.message : String(err)}`.slice(0, columns);
    }
    this.#last = text;
    this.#o.write(`${SAVE}\x1b[${rows};1H\x1b[2K${text}${RESTORE}`);
  }

  /** The last line drawn (for tests and the `stats` command). */
  get last(): string {
    return this.#last;
  }

  /** Stop the timer, clear the bottom row and give the whole screen back. */
  stop(): void {
    if (this.#timer === undefined) return;
    (this.#o.clock ?? { clearInterval: (id: number) => clearInterval(id) }).clearInterval(
      this.#timer,
    );
    this.#timer = undefined;
    this.#o.write(`${SAVE}\x1b[${this.#rows};1H\x1b[2K\x1b[r${RESTORE}`);
  }

  #region(rows: number): void {
    // DECSTBM homes the cursor: save and restore around it; clear the old row on a resize
    const clear = this.#rows && this.#rows !== rows ? `\x1b[${this.#rows};1H\x1b[2K` : "";
    this.#rows = rows;
    this.#o.write(`${SAVE}${clear}\x1b[1;${Math.max(1, rows - 1)}r${RESTORE}`);
  }
}
