/**
 * `deno task bench --only perform`: what a live set costs the control thread.
 *
 *   scheduling  pattern query -> controls -> frame stamps -> sampler queue ->
 *               ms_push_events into the ring, in events (note-ons and offs)
 *               per second on one core, against a bare FFI call measured in
 *               the same run
 *   pauses      a set playing on a JACK dummy server of its own (100 ms
 *               look-ahead) while the JavaScript thread allocates in a GC
 *               storm and is blocked for ever longer stretches: the longest
 *               pause after which the engine had counted no late event
 *
 * CLI layer (called by scripts/bench.ts): prints.
 *
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { engine } from "../lib/ffi/native.ts";
import { Sampler } from "../lib/engine/sampler.ts";
import { InstrumentCache } from "../lib/live/instruments.ts";
import { startSession } from "../lib/live/perform.ts";
import { Session } from "../lib/live/session.ts";
import { evaluateSet } from "../lib/live/set.ts";
import { note, type Pattern, s, stack } from "../lib/pattern/pattern.ts";
import { queryPattern } from "../lib/pattern/query.ts";
import { fraction } from "../lib/pattern/strudel.ts";
import { useFastTime } from "../lib/pattern/fast_time.ts";
import { gcStorm, hasCommand, startJackDummy } from "./live_support.ts";

function medianOf(xs: number[]): number {
  const t = [...xs].sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** A dense set: 16th hats, euclidean kicks, snares, fast chords (about 70 notes a cycle). */
const makeDense = () =>
  stack(
    s("hh*16").gain("0.5 0.3").sometimes((p) => p.velocity(0.4)),
    s("bd(5,8), ~ sd ~ sd, cp(3,8,2)"),
    note("<[c3,e3,g3,b3] [a2,c3,e3,g3]>*8").s("epiano").velocity(0.5),
    note("c2 [~ c2] g1 <bb1 f2>").s("bass").fast(2),
  );
const dense = makeDense();
/** Denser still (242 notes a cycle), for the per-event cost. */
const makeFlood = () =>
  stack(makeDense(), s("hh*64, bd*16").gain(0.3), note("c3*32, e3*32, g3*32").s("epiano"));

async function runDense(stepMs: number, cycles: number, pattern = dense) {
  using sampler = Sampler.open({ ringCapacity: 1 << 20, maxPolyphony: 64 });
  const session = new Session(sampler, { instruments: new InstrumentCache(sampler) });
  await session.apply(
    await evaluateSet((set) => {
      set.tempo(240);
      set.play("dense", pattern);
    }, 1),
  );
  const cycleFrames = session.frameOfTick(53760);
  const step = Math.round(sampler.sampleRate * stepMs / 1000);
  const t0 = performance.now(), c0 = process.cpuUsage();
  for (let f = step; f <= cycles * cycleFrames; f += step) {
    session.advance(f);
    sampler.flush();
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const stats = sampler.stats();
  if (stats.eventsDropped) throw new Error(`${stats.eventsDropped} events dropped`);
  return {
    ms,
    cpuMs,
    events: session.notes * 2,
    musicSeconds: cycles * cycleFrames / sampler.sampleRate,
  };
}

/**
 * `@strudel/core`'s own query of the same cycles, alone: one query per cycle (as
 * PatternSource makes them), the onsets kept, nothing resolved or pushed. Process CPU
 * time per note, the floor the whole path stands on.
 */
function strudelAlone(pattern: Pattern, cycles: number): number {
  const c0 = process.cpuUsage();
  let notes = 0;
  for (let c = 0; c < cycles; c++) {
    const haps = queryPattern(pattern, fraction(c, 1), fraction(c + 1, 1));
    for (const h of haps) if (h.whole && h.hasOnset()) notes++;
  }
  const cpu = process.cpuUsage(c0);
  return (cpu.user + cpu.system) * 1000 / notes;
}

async function benchScheduling(quick: boolean): Promise<void> {
  const sym = engine();
  const calls = 200_000;
  const bareRuns: number[] = [];
  for (let r = 0; r < (quick ? 5 : 11); r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) sym.ms_version();
    bareRuns.push((performance.now() - t0) * 1e6 / calls);
  }
  const bare = medianOf(bareRuns);
  const reps = quick ? 3 : 7;

  // as live: the scheduler wakes every 10 ms and queries 10 ms of music
  const live: number[] = [];
  let liveEvents = 0, liveSeconds = 0;
  for (let r = 0; r < reps; r++) {
    const x = await runDense(10, quick ? 30 : 100);
    live.push(x.ms / x.musicSeconds / 10); // percent of one core
    liveEvents = x.events;
    liveSeconds = x.musicSeconds;
  }
  // throughput: a denser pattern queried in 100 ms windows
  const flood = makeFlood();
  const per: number[] = [], perCpu: number[] = [], alone: number[] = [], share: number[] = [];
  const bigint: number[] = [];
  for (let r = 0; r < reps; r++) {
    const cycles = quick ? 20 : 60;
    const x = await runDense(100, cycles, flood);
    per.push(x.ms * 1e6 / x.events);
    perCpu.push(x.cpuMs * 1e6 / x.events);
    const q = strudelAlone(flood, cycles) / 2; // a note is two events (on, off)
    alone.push(q);
    share.push(q / (x.cpuMs * 1e6 / x.events)); // interleaved: the same load on both
  }
  // the same path on Strudel's own BigInt arithmetic (lib/pattern/fast_time.ts off), its
  // pattern built with it: the baseline of the time arithmetic, in the same run. In a block
  // after the others: switching the methods back and forth throws away the JIT's code.
  useFastTime(false);
  try {
    for (let r = 0; r < reps; r++) {
      const y = await runDense(100, quick ? 20 : 60, makeFlood());
      bigint.push(y.cpuMs * 1e6 / y.events);
    }
  } finally {
    useFastTime(true);
  }
  const ns = medianOf(per), nsCpu = medianOf(perCpu);
  console.log(`bare FFI call (ms_version):                 ${bare.toFixed(1)} ns`);
  console.log(
    `a dense set (${(liveEvents / liveSeconds).toFixed(0)} events/s), scheduled every 10 ms: ` +
      `${medianOf(live).toFixed(2)}% of one core on the control thread`,
  );
  console.log(
    `pattern query -> ring, per event (100 ms windows, ~${
      (1e9 / ns / 1000).toFixed(0)
    }k events/s on one core): ${ns.toFixed(0)} ns = ${(ns / bare).toFixed(0)}x a bare FFI call`,
  );
  console.log(
    `  the same in process CPU time (steadier on a shared machine): ${
      nsCpu.toFixed(0)
    } ns per event`,
  );
  console.log(
    `  of which @strudel/core's query of the same cycles alone: ${
      medianOf(alone).toFixed(0)
    } ns per event (${
      (medianOf(share) * 100).toFixed(0)
    }% of the path, same run); the rest (onsets, controls, frames, queue, FFI push): ${
      (nsCpu * (1 - medianOf(share))).toFixed(0)
    } ns`,
  );
  console.log(
    `  with Strudel's own BigInt time arithmetic instead (MS_FRACTION=bigint): ${
      medianOf(bigint).toFixed(0)
    } ns per event (run after the others); the fast time arithmetic (lib/pattern/fast_time.ts) costs ${
      (nsCpu / medianOf(bigint)).toFixed(2)
    }x that`,
  );
}

async function benchPauses(quick: boolean): Promise<void> {
  if (!hasCommand("jackd")) {
    console.log("pauses: skipped (jackd is not installed)");
    return;
  }
  await using jack = await startJackDummy({ periodFrames: 128, prefix: "ms-bench-perform" });
  Deno.env.set("JACK_DEFAULT_SERVER", jack.name);
  const dir = await Deno.makeTempDir();
  const file = join(dir, "bench-set.ts");
  const live = pathToFileURL(join(PROJECT_ROOT, "lib", "live", "mod.ts")).href;
  await Deno.writeTextFile(
    file,
    `import { defineSet, note, s, stack } from "${live}";\n` +
      `export default defineSet((set) => {\n  set.tempo(150);\n` +
      `  set.play("d", stack(s("hh*64").gain(0.2), s("bd(5,8), ~ sd"), note("<[c3,e3,g3] [a2,c3,e3]>*4").s("epiano")));\n});\n`,
  );
  const session = await startSession(file, {
    output: { backend: "jack", lookaheadMs: 100 },
    watch: false,
  });
  const lines: string[] = [];
  let longestOk = 0;
  try {
    await new Promise((r) => setTimeout(r, 500));
    const storm = gcStorm(quick ? 4000 : 12000, 5);
    // hats every 25 ms: any pause longer than the look-ahead makes some late
    for (const pause of [20, 40, 60, 70, 80, 85, 90, 95, 100, 110, 130]) {
      let late = 0;
      for (let trial = 0; trial < 3; trial++) {
        await new Promise((r) => setTimeout(r, 200)); // let the scheduler refill the look-ahead
        const before = session.sampler.stats().eventsLate;
        const end = performance.now() + pause;
        while (performance.now() < end) { /* the JavaScript thread is blocked */ }
        await new Promise((r) => setTimeout(r, 200));
        late += session.sampler.stats().eventsLate - before;
      }
      lines.push(`  ${String(pause).padStart(4)} ms pause (x3): ${late} late events`);
      if (late > 0) break;
      longestOk = pause;
    }
    const st = await storm;
    const stats = session.sampler.stats();
    console.log(
      `pauses on JACK dummy (period 128, look-ahead 100 ms, scheduler every 10 ms) during a GC storm ` +
        `(${(st.bytesPerSecond / 1e6).toFixed(0)} MB/s allocated, longest storm slice ${
          st.longestSliceMs.toFixed(1)
        } ms):`,
    );
    for (const l of lines) console.log(l);
    console.log(
      `longest pause absorbed with zero late events: ${longestOk} ms ` +
        `(${stats.xruns} xruns in the run; xruns on this VM come from host stalls)`,
    );
  } finally {
    await session.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Run the perform benchmark.
 *
 * @param quick Fewer repetitions and a shorter storm.
 */
export async function benchPerform(quick: boolean): Promise<void> {
  console.log(
    "\n== perform: a Strudel set's scheduling cost and the pauses its look-ahead absorbs ==",
  );
  await benchScheduling(quick);
  await benchPauses(quick);
}

if (import.meta.main) await benchPerform(Deno.args.includes("--quick"));
