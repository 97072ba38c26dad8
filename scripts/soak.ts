/**
 * The soak (issue 17): a dense `.strudel` set with effects on several orbits
 * played live for ten minutes on a JACK dummy server of its own, read every
 * ten seconds. A benchmark, not a test: it takes real time.
 *
 * Usage:
 *   deno run -A scripts/soak.ts [--minutes 10] [--period 256] [--rt-priority 80]
 *
 * Checked and printed at the end (exit 1 when one fails):
 * - no late event, no event refused (the engine's and the pump's counts);
 * - frames rendered = JACK periods (process calls) x period size, exactly;
 * - memory flat, read every 10 s without disturbing the scheduler (a forced
 *   collection would stall it): RSS outside V8's heap (the engine, Deno) at
 *   the end within 5 % of its value after warm-up (a fifth of the run, at
 *   least a minute); V8's heap in use, at its lowest in the last third (after
 *   V8's own collections) within 5 % of its lowest in the middle third; RSS
 *   at its highest in the last third within 5 % of the middle third's;
 * - the notes: every note the session scheduled was handed to the engine
 *   (nothing left waiting at the end but the look-ahead's), and the engine
 *   took at least one ring record per note;
 * - voices: the peak within the pool, and none left sounding once the set is
 *   hushed and its tails have rung out.
 * Xruns are reported, not failed: the dummy server's timer stalls on a
 * shared virtual machine (docs/realtime.md).
 *
 * CLI layer: prints, exit code 0 when every check holds.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { startSession } from "../lib/live/perform.ts";
import { startJackDummy } from "./live_support.ts";

/** Dense: 9 parts, about 36 notes a second, room and delay on three orbits, filters, a kit. */
const SET = `setcps(0.6)
kick: s("bd*4").gain(.8).orbit(1)
hats: s("hh*16").gain(".4 .25").pan(sine.range(.2,.8)).orbit(1)
snare: s("~ sd ~ [sd cp]").room(.4).size(.8).orbit(2)
bass: note("<c2 c2 eb2 g1>*8").s("sawtooth").lpf(sine.range(300,1800).slow(4)).lpq(8).decay(.15).sustain(0).gain(.5).orbit(1)
chords: note("<[c4,eb4,g4,bb4] [ab3,c4,eb4,g4]>").s("triangle").attack(.05).release(.4).room(.6).gain(.25).orbit(2)
lead: n("0 3 5 7 <10 12> 7 5 3").scale("C4:minor").s("square").delay(.5).delaytime(.1875).delayfeedback(.5).lpf(2400).gain(.15).orbit(3)
arp: n("0 2 4 7 9 12 9 7".fast(2)).scale("C5:minor").s("sine").crush(6).pan(rand).delay(.3).gain(.12).orbit(3)
perc: s("[cp ~ cp cp] ~").speed("<1 1.5 .75>").shape(.4).coarse(4).gain(.3).orbit(4).room(.3)
pad: note("<c3 ab2>").s("sawtooth").lpf(900).attack(.5).release(1).vowel("<a o>").gain(.15).orbit(4)
`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "10" },
    period: { type: "string", default: "256" },
    "rt-priority": { type: "string", default: "80" },
  },
});
const minutes = Number(values.minutes);
const period = Number(values.period);
const rtPriority = Number(values["rt-priority"]);

await using jack = await startJackDummy({ periodFrames: period, prefix: "soak" });
Deno.env.set("JACK_DEFAULT_SERVER", jack.name);
Deno.env.set("JACK_NO_START_SERVER", "1");
const dir = await Deno.makeTempDir({ prefix: "soak-" });
const file = join(dir, "soak.strudel");
await Deno.writeTextFile(file, SET);
const warnings: string[] = [];
const live = await startSession(file, {
  output: { backend: "jack", rtPriority },
  watch: false,
  onWarning: (w) => warnings.push(w),
});
// Ctrl-C: stop the session and our JACK server, then leave
Deno.addSignalListener("SIGINT", async () => {
  await live.stop();
  await jack.stop();
  Deno.exit(130);
});
console.log(
  `soak: ${minutes} min of ${live.session.parts.length} parts on JACK dummy "${jack.name}" (period ${period}), render thread ${live.output.info.schedPolicy}`,
);

const t0 = performance.now();
const MIB = 1048576;
/** One reading: RSS, V8's heap (reserved, in use) and the rest of RSS (the engine, Deno). */
interface Row {
  s: number;
  rss: number;
  heapUsed: number;
  native: number;
}
const rows: Row[] = [];
let warm: Row | undefined;
while (performance.now() - t0 < minutes * 60000) {
  await new Promise((r) => setTimeout(r, 10000));
  const st = live.sampler.stats();
  const m = Deno.memoryUsage();
  const s = (performance.now() - t0) / 1000;
  const row = {
    s,
    rss: m.rss / MIB,
    heapUsed: m.heapUsed / MIB,
    native: (m.rss - m.heapTotal) / MIB,
  };
  rows.push(row);
  if (!warm && s >= Math.max(60, minutes * 12)) warm = row;
  console.log(
    `${s.toFixed(0).padStart(4)} s  rss ${row.rss.toFixed(1)} MiB (heap in use ${
      row.heapUsed.toFixed(1)
    }, outside the heap ${row.native.toFixed(1)})  notes ${live.session.notes}  ` +
      `voices ${st.voicesActive} (peak ${st.voicesPeak}, stolen ${st.voicesStolen})  ` +
      `late ${st.eventsLate}  dropped ${st.eventsDropped}  xruns ${st.xruns}  ` +
      `DSP max ${(100 * st.dspLoadMax).toFixed(0)}%`,
  );
}
warm ??= rows[0]!;
const end = rows.at(-1)!;

// hush: no new notes; let the tails (release, delay feedback, room) ring out, then read
live.session.hush();
await new Promise((r) => setTimeout(r, 4000));
const st = live.sampler.stats();
const pending = st.eventsPending;
const notes = live.session.notes;
await live.stop();
await jack.stop();
await Deno.remove(dir, { recursive: true });

/** Readings [a/3, b/3) of the run. */
function third(a: number, b: number): Row[] {
  const n = rows.length;
  return rows.slice(Math.floor(n * a / 3), Math.floor(n * b / 3));
}
function highest(a: number, b: number): number {
  return Math.max(...third(a, b).map((r) => r.rss));
}
function lowest(a: number, b: number, key: "heapUsed"): number {
  return Math.min(...third(a, b).map((r) => r[key]));
}
const poolVoices = live.sampler.options.maxPolyphony;
const checks: [string, boolean, string][] = [
  ["no late event", st.eventsLate === 0, `${st.eventsLate}`],
  ["no event refused", st.eventsDropped === 0, `${st.eventsDropped}`],
  [
    "frames = periods x period size",
    st.framesRendered === st.blocksRendered * period,
    `${st.framesRendered} = ${st.blocksRendered} x ${period}`,
  ],
  [
    "memory outside V8's heap flat (end within 5 % of after warm-up)",
    end.native <= warm.native * 1.05,
    `${warm.native.toFixed(1)} -> ${end.native.toFixed(1)} MiB`,
  ],
  [
    "V8 heap in use flat (last third's lowest within 5 % of the middle third's)",
    lowest(2, 3, "heapUsed") <= lowest(1, 2, "heapUsed") * 1.05,
    `${lowest(1, 2, "heapUsed").toFixed(1)} -> ${lowest(2, 3, "heapUsed").toFixed(1)} MiB`,
  ],
  [
    "RSS peaks flat (last third's within 5 % of the middle third's)",
    highest(2, 3) <= highest(1, 2) * 1.05,
    `${highest(1, 2).toFixed(1)} -> ${highest(2, 3).toFixed(1)} MiB (after warm-up ${
      warm.rss.toFixed(1)
    }, at the end ${end.rss.toFixed(1)})`,
  ],
  ["nothing left to send after hush", pending === 0, `${pending} pending`],
  [
    "the engine took a ring record per note at least",
    st.eventsReceived >= notes,
    `${st.eventsReceived} records for ${notes} notes`,
  ],
  [
    "voices within the pool",
    st.voicesPeak <= poolVoices,
    `peak ${st.voicesPeak} of ${poolVoices}, ${st.voicesStolen} stolen`,
  ],
  ["no voice left after hush and tails", st.voicesActive === 0, `${st.voicesActive} active`],
];
console.log(
  `played ${(st.framesRendered / live.sampler.sampleRate / 60).toFixed(2)} min: ${notes} notes, ` +
    `${st.xruns} xruns (reported, not failed), DSP load max ${
      (100 * st.dspLoadMax).toFixed(0)
    }%, ` +
    `render p50 ${(st.renderNsP50 / 1000).toFixed(0)} us p99 ${
      (st.renderNsP99 / 1000).toFixed(0)
    } us`,
);
for (const w of new Set(warnings)) console.log(`warning: ${w}`);
let failed = 0;
for (const [what, ok, detail] of checks) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}: ${detail}`);
  if (!ok) failed++;
}
Deno.exit(failed ? 1 : 0);
