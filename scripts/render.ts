/**
 * `deno task render`: render a performance script into a WAV or FLAC file,
 * faster than real time, reproducibly.
 *
 * Usage:
 *   deno task render <script.ts> <out.wav> [--seconds N] [--seed N] [--rate 48000]
 *                    [--format wav|flac] [--bits 16|24|32f] [--stems DIR] [--midi-out FILE.mid]
 *
 * CLI layer: the only place that prints and sets the exit code (0 ok, 1 the
 * render failed, 2 bad usage). A progress bar goes to stderr when the render
 * takes over a second and stderr is a terminal; a one-line summary ends it.
 *
 * @module
 */
import { formatError } from "../lib/errors.ts";
import { type PerformanceResult, runPerformance } from "../lib/runners/performance.ts";
import { renderMidiFile } from "../lib/runners/render_midi.ts";
import { renderSet } from "../lib/runners/render_set.ts";
import { parseCommandLine, parseOrUsage, UsageError, useSamplesFlag } from "./cli.ts";

const USAGE = `Usage: deno task render <script.ts> <out.wav|out.flac> [options]
  --seconds N        length in seconds (default 10)
  --cycles N         a set file (defineSet): render exactly N cycles instead
  --seed N           seed of ctx.random and the engine's alternatives (default 1)
  --rate HZ          sample rate (default 48000)
  --format wav|flac  container (default: from the extension)
  --bits 16|24|32f   sample format (default 24; 32f is WAV only)
  --map mapping.ts   with a .mid file: the mapping script (creates the instruments and
                     calls ctx.sampler.midi.setMap); length defaults to the song + 2 s
  --sf2 FONT         with a .mid file instead of --map: play it as General MIDI on a
                     SoundFont (programs per channel, drums on 10 from bank 128)
  --stems DIR        also write one stereo WAV per orbit that sounds (DIR/orbit<k>.wav, k
                     as in Strudel: orbit1 holds notes without an orbit); the output
                     (WAV) is their sum, the usual mix
  --midi-out FILE    write what the set's .midi() parts or the script's MIDI outputs
                     (noteOn(..., { midiOut })) send to this MIDI file, a track per output
  --samples DIR      where github: sample packs and URLs are looked for
                     (default $MS_SAMPLES, else ~/.local/share/midi-sampler/samples)`;

/** Parsed command line. */
interface RenderArgs {
  script: string;
  out: string;
  seconds: number;
  cycles?: number;
  seed: number;
  rate: number;
  format?: "wav" | "flac";
  bits?: 16 | 24 | "32f";
  /** A .mid script: the mapping script (lib/runners/render_midi.ts). */
  map?: string;
  /** A .mid script: a GM SoundFont instead of a mapping. */
  sf2?: string;
  secondsGiven?: boolean;
  /** Stem directory. */
  stems?: string;
  /** A set's MIDI out, as a Standard MIDI File. */
  midiOut?: string;
}

function parse(args: string[]): RenderArgs {
  const { values, positionals } = parseCommandLine(args, {
    seconds: { type: "string" },
    cycles: { type: "string" },
    seed: { type: "string" },
    rate: { type: "string" },
    format: { type: "string" },
    bits: { type: "string" },
    map: { type: "string" },
    sf2: { type: "string" },
    stems: { type: "string" },
    "midi-out": { type: "string" },
    samples: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  useSamplesFlag(values.samples);
  if (values.help) throw new UsageError("");
  if (positionals.length !== 2) {
    throw new UsageError(
      `Cannot render: expected a script and an output file, got ${positionals.length} arguments`,
    );
  }
  const num = (name: string, v: string | undefined, dflt: number, int: boolean): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || (int && !Number.isInteger(n))) {
      throw new UsageError(
        `Cannot render: --${name} must be a${int ? "n integer" : " number"}, got "${v}"`,
      );
    }
    return n;
  };
  const out: RenderArgs = {
    script: positionals[0]!,
    out: positionals[1]!,
    seconds: num("seconds", values.seconds, 10, false),
    seed: num("seed", values.seed, 1, true),
    rate: num("rate", values.rate, 48000, true),
  };
  if (values.format !== undefined) {
    if (values.format !== "wav" && values.format !== "flac") {
      throw new UsageError(
        `Cannot render: --format must be "wav" or "flac", got "${values.format}"`,
      );
    }
    out.format = values.format;
  }
  if (values.bits !== undefined) {
    const b = values.bits === "32f"
      ? "32f"
      : values.bits === "16"
      ? 16
      : values.bits === "24"
      ? 24
      : undefined;
    if (b === undefined) {
      throw new UsageError(`Cannot render: --bits must be 16, 24 or 32f, got "${values.bits}"`);
    }
    out.bits = b;
  }
  if (values.cycles !== undefined) {
    const c = num("cycles", values.cycles, 0, false);
    if (!(c > 0)) {
      throw new UsageError(`Cannot render: --cycles must be > 0, got "${values.cycles}"`);
    }
    out.cycles = c;
  }
  const isMidi = /\.midi?$/i.test(out.script);
  if (isMidi && values.map === undefined && values.sf2 === undefined) {
    throw new UsageError(
      `Cannot render "${out.script}": a MIDI file needs --map mapping.ts or --sf2 font.sf2`,
    );
  }
  if (values.sf2 !== undefined) {
    if (!isMidi) throw new UsageError(`Cannot render: --sf2 goes with a .mid file`);
    if (values.map !== undefined) {
      throw new UsageError(`Cannot render: give --map or --sf2, not both`);
    }
    out.sf2 = values.sf2;
    out.secondsGiven = values.seconds !== undefined;
  }
  if (values.map !== undefined) {
    if (!isMidi) throw new UsageError(`Cannot render: --map goes with a .mid file`);
    out.map = values.map;
    out.secondsGiven = values.seconds !== undefined;
  }
  if (values.stems !== undefined) {
    if (isMidi) throw new UsageError(`Cannot render: --stems goes with a script or a set`);
    if (out.format === "flac" || /\.flac$/i.test(out.out)) {
      throw new UsageError(`Cannot render: --stems writes WAV files, the output must be .wav`);
    }
    out.stems = values.stems;
  }
  if (values["midi-out"] !== undefined) {
    if (isMidi) {
      throw new UsageError(
        `Cannot render: --midi-out "${values["midi-out"]}" goes with a script or a set`,
      );
    }
    out.midiOut = values["midi-out"];
  }
  if (out.seed < 0 || out.seed > 4294967295) {
    throw new UsageError(`Cannot render: --seed must be 0..4294967295, got "${out.seed}"`);
  }
  return out;
}

/** A progress bar on stderr, shown only after a second and only on a terminal. */
function progressBar(): { update(done: number, total: number): void; clear(): void } {
  const tty = Deno.stderr.isTerminal();
  const start = performance.now();
  let shown = false;
  let last = 0;
  const enc = new TextEncoder();
  return {
    update(done, total) {
      if (!tty) return;
      const now = performance.now();
      if (now - start < 1000 || (now - last < 100 && done < total)) return;
      last = now;
      shown = true;
      const width = 30;
      const filled = Math.round(width * done / total);
      const pct = (100 * done / total).toFixed(0).padStart(3);
      Deno.stderr.writeSync(
        enc.encode(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct}%`),
      );
    },
    clear() {
      if (shown) Deno.stderr.writeSync(enc.encode("\r\x1b[2K"));
    },
  };
}

/** Options for a MIDI file render: the length is the song's unless --seconds was given. */
function midiOptions(
  opts: Parameters<typeof runPerformance>[1],
  secondsGiven: boolean | undefined,
): Omit<Parameters<typeof runPerformance>[1], "seconds"> & { seconds?: number } {
  const { seconds, ...rest } = opts;
  return secondsGiven && seconds !== undefined ? { ...rest, seconds } : rest;
}

/** The one-line summary. */
export function summary(r: PerformanceResult): string {
  const peak = Number.isFinite(r.peakDb) ? `${r.peakDb.toFixed(1)} dBFS` : "silent";
  const extra = [
    r.eventsDropped ? `${r.eventsDropped} events dropped` : "",
    r.eventsLate ? `${r.eventsLate} late` : "",
    r.voicesStolen ? `${r.voicesStolen} voices stolen` : "",
  ].filter(Boolean).join(", ");
  return `rendered ${
    r.seconds.toFixed(2)
  } s to ${r.out}: peak ${peak}, ${r.voicesPeak} voices peak, ` +
    `${Number.isFinite(r.speed) ? r.speed.toFixed(1) : "∞"}x real time` +
    (extra ? ` (${extra})` : "");
}

async function main(args: string[]): Promise<number> {
  const a = parseOrUsage(USAGE, parse, args);
  if (typeof a === "number") return a;
  const bar = progressBar();
  try {
    const opts: Parameters<typeof runPerformance>[1] = {
      out: a.out,
      seconds: a.seconds,
      seed: a.seed,
      rate: a.rate,
      onProgress: (d, t) => bar.update(d, t),
      onWarning: (w) => {
        bar.clear();
        console.error(`warning: ${w}`);
      },
    };
    if (a.format) opts.format = a.format;
    if (a.bits) opts.bits = a.bits;
    if (a.stems !== undefined) opts.stems = a.stems;
    const result = a.map !== undefined
      ? await renderMidiFile(a.script, { ...midiOptions(opts, a.secondsGiven), map: a.map })
      : a.sf2 !== undefined
      ? await renderMidiFile(a.script, { ...midiOptions(opts, a.secondsGiven), sf2: a.sf2 })
      : a.cycles === undefined
      ? await runPerformance(a.script, { ...opts, ...(a.midiOut ? { midiOut: a.midiOut } : {}) })
      : await renderSet(a.script, {
        ...opts,
        cycles: a.cycles,
        ...(a.midiOut ? { midiOut: a.midiOut } : {}),
      });
    bar.clear();
    console.log(summary(result));
    const stems = (result as { stems?: Record<number, string> }).stems;
    if (stems) {
      const list = Object.entries(stems).map(([k, p]) => `orbit ${k}: ${p}`);
      console.log(list.length ? `stems: ${list.join(", ")}` : "stems: no orbit sounded");
    }
    if (result.peakDb > 0) {
      console.error(
        `warning: the render peaks at +${
          result.peakDb.toFixed(1)
        } dBFS: 16- and 24-bit files clip ` +
          `above 0 dBFS: lower the instruments' gainDb or the velocities, or render with --bits 32f`,
      );
    }
    return 0;
  } catch (err) {
    bar.clear();
    console.error(formatError(err));
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
