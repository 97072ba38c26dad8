/**
 * The perform REPL's commands, evaluated against a running session.
 *
 * Thread: CT. `runCommand` is pure over its arguments: it changes the
 * session and returns the text to print (the CLI prints it); errors come
 * back as text too, so a typo never stops the music.
 *
 * @module
 */
import type { InstrumentCache } from "./instruments.ts";
import type { Session } from "./session.ts";

/** What the REPL can reach besides the session. */
export interface ReplContext {
  session: Session;
  instruments: InstrumentCache;
  /** Reload the set file now. */
  reload(): Promise<string>;
  /** A one-line status (time, cycle, voices, load, late events, ...). */
  stats(): string;
  /** End the session. */
  quit(): void;
  /** Called when the tempo changed (for the MIDI recording). */
  onTempo?(beat: number, bpm: number): void;
}

/** The REPL's help text. */
export const REPL_HELP = `commands:
  tempo BPM [RAMP_BEATS]   set the tempo from what is scheduled on (optionally ramped)
  mute PART | unmute PART  silence a part / bring it back
  solo PART | unsolo PART  play only soloed parts / unsolo one
  unsolo                   clear every solo and mute
  hush                     stop every part now (a reload brings the set back)
  parts                    list the parts
  stats                    time, cycle, voices, DSP load, late events, notes
  link [start|stop]        the Ableton Link session (perform --link); start or stop
                           its shared transport from what is scheduled on
  load NAME PATH           use an instrument definition file for NAME (then reload)
  reload                   reload the set file now
  help | quit`;

/**
 * Run one REPL line.
 *
 * @param line What was typed.
 * @param ctx The session and friends.
 * @returns Text to print (may be empty).
 */
export async function runCommand(line: string, ctx: ReplContext): Promise<string> {
  const [cmd = "", ...args] = line.trim().split(/\s+/);
  const s = ctx.session;
  try {
    switch (cmd) {
      case "":
        return "";
      case "help":
      case "?":
        return REPL_HELP;
      case "tempo":
      case "bpm": {
        const bpm = Number(args[0]);
        const ramp = args[1] === undefined ? 0 : Number(args[1]);
        if (!args[0] || !Number.isFinite(bpm)) {
          return `tempo: ${s.sampler.clock.bpmAt(s.beatOfTick(s.cursorTicks)).toFixed(1)} bpm`;
        }
        if (!(ramp >= 0)) return `error: ramp must be >= 0 beats, got "${args[1]}"`;
        const beat = s.setTempo(bpm, ramp);
        ctx.onTempo?.(beat, bpm);
        return `tempo ${bpm} bpm from beat ${beat.toFixed(2)}${ramp ? ` over ${ramp} beats` : ""}`;
      }
      case "mute":
      case "unmute":
        if (!args[0]) return `error: ${cmd} which part? (${s.parts.join(", ")})`;
        for (const p of args) s.mute(p, cmd === "mute");
        return `${cmd}d ${args.join(", ")}`;
      case "solo":
        if (!args[0]) return `error: solo which part? (${s.parts.join(", ")})`;
        for (const p of args) s.solo(p);
        return `solo ${s.soloed.join(", ")}`;
      case "unsolo":
        if (!args[0]) {
          s.clearSolo();
          return "every part plays";
        }
        for (const p of args) s.solo(p, false);
        return s.soloed.length ? `solo ${s.soloed.join(", ")}` : "every part plays";
      case "hush":
        s.hush();
        return "hushed: every part stops (reload to bring the set back)";
      case "parts":
        return s.parts.map((p) =>
          `${p}${s.muted.includes(p) ? " (muted)" : ""}${s.soloed.includes(p) ? " (solo)" : ""}`
        ).join("\n") || "no parts";
      case "stats":
        return ctx.stats();
      case "link": {
        const link = s.link;
        if (!link) return "link: not in a Link session (perform --link, or set.link() in the set)";
        if (args[0] === "start" || args[0] === "stop") {
          link.requestPlaying(args[0] === "start", s.frameOfTick(s.cursorTicks));
          return `link: ${args[0]} requested from cycle ${s.cycle.toFixed(2)}${
            link.startStop ? "" : " (start/stop is not shared: perform --link-start-stop)"
          }`;
        }
        if (args[0] !== undefined) return `error: link start, link stop or link, got "${args[0]}"`;
        const st = link.status();
        return `link: ${st.peers} peer${st.peers === 1 ? "" : "s"}, ${
          Number.isFinite(st.bpm) ? st.bpm.toFixed(2) : "?"
        } bpm, quantum ${st.quantum}, transport ${st.playing ? "playing" : "stopped"}`;
      }
      case "load": {
        if (args.length !== 2) return "error: load NAME PATH, e.g. load keys instruments/epiano.ts";
        ctx.instruments.register(args[0]!, args[1]!);
        const c = await ctx.instruments.get(args[0]!);
        return `loaded instrument "${
          args[0]
        }" (${c.instrument.zoneCount} zones): use it with set.sound("x", { instrument: "${
          args[0]
        }" }) and save`;
      }
      case "reload":
        return await ctx.reload();
      case "quit":
      case "exit":
        ctx.quit();
        return "";
      default:
        return `error: unknown command "${cmd}": type help`;
    }
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}
