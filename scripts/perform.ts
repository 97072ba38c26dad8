/**
 * `deno task perform`: play a set file live and reload it on every save.
 *
 * Usage:
 *   deno task perform <set.ts> [--backend auto|alsa|jack] [--device D] [--period N]
 *                     [--periods N] [--rt-priority N] [--lookahead-ms N] [--swap cycle|bar|beat|immediate]
 *                     [--seed N] [--record out.wav] [--record-midi out.mid] [--seconds N] [--no-watch] [--repl]
 *                     [--play song.mid] [--voices N] [--quiet] [--osc [PORT]] [--osc-host H]
 *                     [--midi-out NAME[=PORT],...] [--midi-clock-out NAME]
 *
 * CLI layer: the only place that prints and sets the exit code (0 ended
 * normally, 1 failed, 2 bad usage, 130 interrupted). Prints what the device
 * gave, one line per reload (what was added, removed, replaced, or the
 * error with file:line:column while the previous version keeps playing),
 * and a summary at the end. With a terminal on stdin, a prompt takes
 * commands (tempo, mute, solo, hush, stats, load; type help). With a
 * terminal on stdout, a status line on the bottom row (lib/live/status_line.ts)
 * shows the cycle, tempo, parts, voices, DSP load, orbit meters, late events
 * and xruns five times a second, unless --quiet.
 *
 * @module
 */
import {
  liveExitCode,
  numberFlag,
  OUTPUT_FLAGS,
  OUTPUT_USAGE,
  outputOptionsFrom,
  parseCommandLine,
  parseOrUsage,
  printWarnings,
  samplerOptionsFrom,
  stopOnSigint,
  UsageError,
  useSamplesFlag,
} from "./cli.ts";
import { playMidiFile } from "../lib/midi/smf.ts";
import { DeviceError, formatError, NoServerError } from "../lib/errors.ts";
import type { OutputOptions } from "../lib/engine/output.ts";
import type { SamplerOptions } from "../lib/engine/options.ts";
import { SetLoadError } from "../lib/live/loader.ts";
import { describeReload, type LiveSession, startSession } from "../lib/live/perform.ts";
import { runCommand } from "../lib/live/repl.ts";
import { StatusLine, type StatusSnapshot } from "../lib/live/status_line.ts";
import { DIRT_PORT, type DirtListener, listenDirt } from "../lib/osc/input.ts";
import type { SwapMode } from "../lib/live/set.ts";
import { describeOutput } from "./play.ts";

const USAGE = `Usage: deno task perform [<set.ts>] [options]
${OUTPUT_USAGE}
  --swap MODE               where reloads take over: cycle, bar, beat, immediate (default cycle)
  --seed N                  seed of generators and the engine's alternatives (default 1)
  --record FILE             record the audio (WAV or FLAC, written off the render thread)
  --record-midi FILE        write every scheduled note to a MIDI file at the end
  --play FILE.mid           play a Standard MIDI File (its tempo map) through the set's MIDI map
  --seconds N               stop after N seconds (default: until Ctrl-C or quit)
  --voices N                voices that sound at once, 1..4096 (default 64); beyond, the
                            oldest fade out (stolen, counted and said)
  --no-watch                do not reload when the files change
  --repl                    read commands from stdin even when it is not a terminal
  --quiet                   no status line at the bottom of the terminal
  --osc [PORT]              stand in for SuperDirt: play TidalCycles' (or Strudel's OSC)
                            /dirt/play events on their time tags (default port ${DIRT_PORT});
                            the set file is optional then (its sounds are what plays)
  --link                    join an Ableton Link session: its tempo and beat drive the clock,
                            a cycle is beatsPerCycle beats (Link's quantum), tempo changes
                            are shared (Link multicasts on every network interface that is up)
  --link-start-stop         with --link: share start/stop with peers (starts the transport)
  --midi-out NAME[=PORT],.. open MIDI outputs (a JACK MIDI port on JACK, an ALSA
                            sequencer port on ALSA), each connected to its PORT; the
                            first is where .midi() without a port name sends
  --midi-clock-out NAME     send MIDI clock (24 per beat, start, stop) on output NAME
  --osc-host HOST           interface the OSC input listens on (default 127.0.0.1: this
                            machine only; 0.0.0.0 for every interface)
  --samples DIR             where github: sample packs and URLs are looked for
                            (default $MS_SAMPLES, else ~/.local/share/midi-sampler/samples)`;

interface Args {
  file: string;
  output: OutputOptions;
  sampler: SamplerOptions;
  swap: SwapMode;
  seed: number;
  link?: { startStop: boolean };
  record?: string;
  recordMidi?: string;
  play?: string;
  seconds?: number;
  watch: boolean;
  repl: boolean;
  quiet: boolean;
  osc?: { port: number; hostname: string };
  midiOut?: { name: string; connect?: string }[];
  midiClockOut?: string;
}

/** The set `--osc` plays without a set file: no parts, the shipped sounds. */
const EMPTY_SET = new URL("../lib/osc/empty_set.ts", import.meta.url).pathname;

/** `--osc` takes an optional port: `--osc 57121`, `--osc=57121`, or `--osc` alone. */
function oscArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--osc") {
      const next = argv[i + 1];
      if (next !== undefined && /^\d+$/.test(next)) {
        out.push(`--osc=${next}`);
        i++;
      } else out.push(`--osc=${DIRT_PORT}`);
    } else out.push(arg);
  }
  return out;
}

function parse(argv: string[]): Args {
  const { values: v, positionals } = parseCommandLine(oscArgv(argv), {
    ...OUTPUT_FLAGS,
    swap: { type: "string" },
    seed: { type: "string" },
    record: { type: "string" },
    "record-midi": { type: "string" },
    play: { type: "string" },
    seconds: { type: "string" },
    voices: { type: "string" },
    "no-watch": { type: "boolean" },
    repl: { type: "boolean" },
    quiet: { type: "boolean" },
    samples: { type: "string" },
    osc: { type: "string" },
    "osc-host": { type: "string" },
    link: { type: "boolean" },
    "link-start-stop": { type: "boolean" },
    "midi-out": { type: "string" },
    "midi-clock-out": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) throw new UsageError("");
  useSamplesFlag(v.samples);
  const osc = typeof v.osc === "string" ? Number(v.osc) : undefined;
  if (osc !== undefined && !(Number.isInteger(osc) && osc >= 0 && osc <= 65535)) {
    throw new UsageError(`Cannot perform: --osc must be a port 0..65535, got "${v.osc}"`);
  }
  if (typeof v["osc-host"] === "string" && osc === undefined) {
    throw new UsageError(
      `Cannot perform: --osc-host "${v["osc-host"]}" without --osc: add --osc [PORT]`,
    );
  }
  if (positionals.length > 1 || (positionals.length === 0 && osc === undefined)) {
    throw new UsageError(
      `Cannot perform: expected one set file, got ${positionals.length} arguments`,
    );
  }
  const num = (name: string, text: string | boolean | undefined, int: boolean) =>
    numberFlag("Cannot perform", name, text, int);
  const output = outputOptionsFrom("Cannot perform", v);
  const swap = (typeof v.swap === "string" ? v.swap : "cycle") as SwapMode;
  if (!["cycle", "bar", "beat", "immediate"].includes(swap)) {
    throw new UsageError(
      `Cannot perform: --swap must be cycle, bar, beat or immediate, got "${swap}"`,
    );
  }
  const seed = num("seed", v.seed, true) ?? 1;
  if (seed < 0 || seed > 4294967295) {
    throw new UsageError(`Cannot perform: --seed must be 0..4294967295, got "${seed}"`);
  }
  const a: Args = {
    file: positionals[0] ?? EMPTY_SET,
    output,
    sampler: samplerOptionsFrom("Cannot perform", v),
    swap,
    seed,
    watch: !v["no-watch"],
    repl: v.repl === true,
    quiet: v.quiet === true,
  };
  if (osc !== undefined) {
    const host = v["osc-host"];
    a.osc = { port: osc, hostname: typeof host === "string" ? host : "127.0.0.1" };
    if (positionals.length === 0) a.watch = false;
  }
  if (v["link-start-stop"] && !v.link) {
    throw new UsageError(`Cannot perform: --link-start-stop needs --link`);
  }
  if (v.link) a.link = { startStop: v["link-start-stop"] === true };
  if (typeof v.record === "string") a.record = v.record;
  if (typeof v["record-midi"] === "string") a.recordMidi = v["record-midi"];
  const midiOut = v["midi-out"];
  if (typeof midiOut === "string") {
    a.midiOut = midiOut.split(",").map((spec) => {
      const [name, connect] = [spec.split("=")[0]!, spec.split("=").slice(1).join("=")];
      if (!/^[^:\n]{1,63}$/.test(name)) {
        throw new UsageError(
          `Cannot perform: --midi-out "${spec}": a name is 1..63 characters without ":", then =PORT to connect`,
        );
      }
      return connect ? { name, connect } : { name };
    });
  }
  if (typeof v["midi-clock-out"] === "string") a.midiClockOut = v["midi-clock-out"];
  if (typeof v.play === "string") a.play = v.play;
  const voices = num("voices", v.voices, true);
  if (voices !== undefined) {
    if (voices < 1 || voices > 4096) {
      throw new UsageError(`Cannot perform: --voices must be 1..4096, got "${voices}"`);
    }
    a.sampler = { ...a.sampler, maxPolyphony: voices };
  }
  const seconds = num("seconds", v.seconds, false);
  if (seconds !== undefined) {
    if (!(seconds > 0)) {
      throw new UsageError(`Cannot perform: --seconds must be > 0, got "${seconds}"`);
    }
    a.seconds = seconds;
  }
  return a;
}

/** The OSC input's counters, for the stats command and the summary. */
function oscLine(osc: DirtListener): string {
  const st = osc.input.stats;
  return `osc ${osc.addr.hostname}:${osc.addr.port}: ${st.packets} packets, ${st.played} events ` +
    `(${st.late} late), ${st.malformed} malformed, ${st.unknown} unknown, ${st.skipped} skipped, ` +
    `${st.handshakes} handshakes`;
}

function statsLine(live: LiveSession, osc?: DirtListener): string {
  const s = live.sampler.stats();
  const rate = live.sampler.sampleRate;
  return `${(s.framesRendered / rate).toFixed(1)} s, cycle ${Math.floor(live.session.cycle)}, ${
    live.sampler.clock.bpmAt(live.session.beatOfTick(live.session.cursorTicks)).toFixed(1)
  } bpm | ` +
    `parts ${
      live.session.parts.join(", ") || "none"
    } | voices ${s.voicesActive} (peak ${s.voicesPeak}, stolen ${s.voicesStolen}) | ` +
    `load ${(100 * s.dspLoad).toFixed(0)}% (max ${(100 * s.dspLoadMax).toFixed(0)}%) | ` +
    `notes ${live.session.notes} | late ${s.eventsLate} | dropped ${s.eventsDropped} | xruns ${s.xruns}` +
    (osc ? ` | ${oscLine(osc)}` : "") + linkLine(live) + midiOutLine(live);
}

/** The MIDI outputs, for the stats command: messages sent, dropped, notes sounding. */
function midiOutLine(live: LiveSession): string {
  if (!live.sampler.open) return "";
  const outs = live.sampler.midi.outputs;
  if (!outs.length) return "";
  return " | midi out " + outs.map((o) => {
    const c = o.counts();
    return `${o.name} ${c.sent} sent${
      c.dropped ? ` (${c.dropped} dropped)` : ""
    }, ${c.sounding} sounding`;
  }).join("; ");
}

/** The Link session, for the stats command: peers, the session's tempo, its transport. */
function linkLine(live: LiveSession): string {
  const link = live.sampler.link;
  if (!link) return "";
  const st = link.status();
  return ` | link ${st.peers} peer${st.peers === 1 ? "" : "s"}, ${
    st.bpm.toFixed(2)
  } bpm, quantum ${st.quantum}` +
    (link.startStop ? `, ${st.playing ? "playing" : "stopped"}` : "");
}

/** The recording's frames: every frame rendered while recording, and those the writer dropped. */
function recordedFrames(live: LiveSession): string {
  const r = live.recorder;
  return r ? ` (${r.frames + r.droppedFrames} frames rendered, ${r.droppedFrames} dropped)` : "";
}

/** What the status line shows, read from the sampler (no FFI call) and the session. */
function statusSnapshot(live: LiveSession, osc?: DirtListener): StatusSnapshot {
  const s = live.sampler.stats();
  const m = live.sampler.meters();
  const clock = live.sampler.clock;
  const beat = clock.beatsAtFrame(s.framesRendered); // what is heard, not what is scheduled
  return {
    cycle: beat / live.session.beatsPerCycle,
    bpm: clock.bpmAt(beat),
    parts: live.session.parts,
    muted: live.session.muted,
    voices: s.voicesActive,
    dspLoad: s.dspLoad,
    output: m.output,
    orbits: m.orbits,
    awake: m.awake,
    late: s.eventsLate,
    xruns: s.xruns,
    ...(live.sampler.link ? { link: live.sampler.link.status() } : {}),
    ...(osc
      ? {
        osc: {
          played: osc.input.stats.played,
          late: osc.input.stats.late,
          bad: osc.input.stats.malformed + osc.input.stats.unknown,
        },
      }
      : {}),
  };
}

/** Permissions perform needs besides --allow-ffi; asked for on a terminal. */
function missingPermissions(osc: boolean): string[] {
  const missing: string[] = [];
  for (const name of ["read", "write", "env", ...(osc ? ["net"] as const : [])] as const) {
    let state = Deno.permissions.querySync({ name }).state;
    if (state === "prompt" && Deno.stdin.isTerminal()) {
      state = Deno.permissions.requestSync({ name }).state;
    }
    if (state !== "granted") missing.push(name);
  }
  return missing;
}

async function readLines(onLine: (line: string) => Promise<boolean>): Promise<void> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of Deno.stdin.readable) {
    buf += dec.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!(await onLine(line))) return;
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const a = parseOrUsage(USAGE, parse, argv);
  if (typeof a === "number") return a;
  const missing = missingPermissions(a.osc !== undefined);
  if (missing.length) {
    console.error(
      `error: Cannot perform "${a.file}": ${
        missing.map((m) => `--allow-${m}`).join(" ")
      } not granted: the set, its imports, the instruments and samples are read (read), ` +
        `each reload copies the set into the temp directory and recordings are written (write), ` +
        `the engine library is found through MS_ENGINE_LIB (env), --osc listens on UDP (net)\n` +
        `hint: deno task perform ${a.file}   (or: deno run -A scripts/perform.ts ${a.file})`,
    );
    return 2;
  }
  const log = (line: string) => console.log(line);
  let live: LiveSession;
  try {
    live = await startSession(a.file, {
      output: a.output,
      sampler: a.sampler,
      seed: a.seed,
      swap: a.swap,
      watch: a.watch,
      ...(a.link ? { link: a.link } : {}),
      ...(a.record ? { record: a.record } : {}),
      ...(a.recordMidi ? { recordMidi: a.recordMidi } : {}),
      ...(a.midiOut ? { midiOut: a.midiOut } : {}),
      ...(a.midiClockOut ? { midiClockOut: a.midiClockOut } : {}),
      onReload: (r) => {
        if (r instanceof SetLoadError) {
          log(`reload failed, still playing v${live.session.version}: ${r.message}`);
        } else log(`reload ${describeReload(r, live.sampler.sampleRate)}`);
      },
      onWarning: (w) => console.error(`warning: ${w}`),
      // Strudel's pianoroll/punchcard: the coming cycles, drawn on a terminal only
      ...(Deno.stdout.isTerminal() ? { onDraw: log } : {}),
    });
  } catch (err) {
    console.error(formatError(err));
    if (err instanceof DeviceError) {
      console.error(
        (err instanceof NoServerError ? "No JACK server runs." : "No usable sound device here.") +
          " Start a JACK dummy server and play into it:\n" +
          "  JACK_NO_AUDIO_RESERVATION=1 jackd -n dummy -d dummy -r 48000 -p 256 &\n" +
          `  JACK_DEFAULT_SERVER=dummy deno task perform ${a.file} --backend jack\n` +
          `or render it offline: deno task render ${a.file} out.wav --cycles 16`,
      );
    }
    return 1;
  }
  await new Promise((r) => setTimeout(r, 200)); // JACK reports port latency once connected
  log(`performing ${a.file}: ${describeOutput(live.output.info)}`);
  printWarnings(live.output.warnings);
  log(`loaded ${describeReload(live.first, live.sampler.sampleRate)}`);
  if (a.play) {
    try {
      const end = await playMidiFile(live.sampler, a.play);
      log(`playing ${a.play} through the set's MIDI map (ends at ${end.toFixed(1)} s)`);
    } catch (err) {
      console.error(formatError(err));
      live.stop();
      return 1;
    }
  }

  let osc: DirtListener | undefined;
  let oscClock: ReturnType<typeof setInterval> | undefined;
  if (a.osc) {
    const where = `${a.osc.hostname}:${a.osc.port}`;
    try {
      osc = listenDirt({
        session: live.session,
        port: a.osc.port,
        hostname: a.osc.hostname,
        host: a.osc.hostname,
        pump: () => live.output.pump(),
        // a bare message (no time tag) plays one period ahead: on time, not late
        immediateFrame: () => live.sampler.now() + live.output.info.periodFrames,
        onWarning: (w) => console.error(`warning: ${w}`),
      });
    } catch (err) {
      const taken = err instanceof Deno.errors.AddrInUse;
      console.error(
        `error: Cannot listen for OSC on ${where}: ${
          taken
            ? "the port is taken (SuperDirt or another perform runs?): stop it or give another port, --osc PORT"
            : err instanceof Error
            ? err.message
            : String(err)
        }`,
      );
      await live.stop();
      return 1;
    }
    oscClock = setInterval(() => osc?.input.observeClock(), 250); // follow the audio clock
    log(
      `osc: listening on ${osc.addr.hostname}:${osc.addr.port} as SuperDirt (/dirt/play, /dirt/handshake)`,
    );
  }

  const sigint = stopOnSigint(() => live.stop());
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (a.seconds !== undefined) timer = setTimeout(() => live.stop(), a.seconds * 1000);

  // the status line keeps the bottom row; everything else (reload lines, piano
  // rolls, the prompt and what is typed) scrolls in the rows above it
  let status: StatusLine | undefined;
  if (!a.quiet && Deno.stdout.isTerminal()) {
    const enc = new TextEncoder();
    status = new StatusLine({
      snapshot: () => statusSnapshot(live, osc),
      write: (text) => Deno.stdout.writeSync(enc.encode(text)),
      size: () => Deno.consoleSize(),
    });
    status.start();
  }

  if (Deno.stdin.isTerminal() || a.repl) {
    if (Deno.stdin.isTerminal()) log(`type help for commands`);
    const prompt = () => {
      if (Deno.stdin.isTerminal()) Deno.stdout.writeSync(new TextEncoder().encode("> "));
    };
    prompt();
    let quitting = false;
    readLines(async (line) => {
      const out = await runCommand(line, {
        session: live.session,
        instruments: live.instruments,
        reload: async () => {
          const r = await live.reload();
          return r instanceof Error ? `reload failed: ${r.message}` : "";
        },
        stats: () => statsLine(live, osc),
        quit: () => {
          quitting = true;
          live.stop();
        },
        onTempo: (beat, bpm) => live.midi.tempo(beat, bpm),
      });
      if (out) log(out);
      if (!quitting) prompt();
      return !quitting;
    }).catch(() => {});
  }

  const result = await live.finished.finally(() => {
    status?.stop();
    clearInterval(oscClock);
    osc?.close();
  });
  clearTimeout(timer);
  sigint.remove();
  const s = result.stats;
  log(
    `played ${
      (s.framesRendered / live.sampler.sampleRate).toFixed(2)
    } s: v${live.session.version}, ` +
      `${result.notes} notes, ${s.eventsLate} late events, ${s.eventsDropped} dropped, ${s.xruns} xruns, ` +
      `${s.voicesPeak} voices peak (${s.voicesStolen} stolen), DSP load max ${
        (100 * s.dspLoadMax).toFixed(0)
      }%` +
      (a.record ? `; recorded ${a.record}${recordedFrames(live)}` : "") +
      (a.recordMidi ? `; MIDI ${a.recordMidi}` : ""),
  );
  if (osc) log(oscLine(osc));
  return liveExitCode(result.failure, sigint.interrupted);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
