/**
 * `deno task bench`: the project's benchmarks, each reported as ratios
 * against a baseline measured in the same run (the machines are shared and
 * noisy, so absolute figures drift between runs).
 *
 * Usage:
 *   deno task bench [--quick] [--only engine,voices,schedule,perform,live,osc,link] [-- <ms_bench options>]
 *
 * Sections:
 *   engine    build/engine/bench/ms_bench: ns per voice-frame for 16..1024
 *             voices, cubic and linear, against a bare reference loop and
 *             FluidSynth (see engine/bench/README.md)
 *   voices    the seed API's workload (256 voices, 16 x 16 on 4-second loops)
 *             through lib/, against the C API and the bare loop of the same
 *             shape from ms_bench in the same run (scripts/bench_voices.ts)
 *   schedule  the TypeScript side: cost per event from `noteOn` through the
 *             scheduler queue and `ms_push_events` into the ring, against a
 *             bare FFI call (ms_version) measured alongside
 *   perform   a Strudel set's scheduling cost (pattern query to ring, events
 *             per second against a bare FFI call) and the longest JavaScript
 *             pause its look-ahead absorbed during a GC storm (JACK dummy)
 *             (scripts/bench_perform.ts)
 *   live      real time on a JACK dummy server of its own (scripts/bench_live.ts):
 *             latency, max voices under 70% DSP load, render-block times with
 *             and without a GC storm; included by default when jackd is installed
 *   osc       the SuperDirt-compatible OSC input on a JACK dummy (scripts/bench_osc.ts):
 *             decode cost against a bare FFI call, events per second accepted with
 *             zero late events at the default look-ahead (bundles 0.2 s ahead, as
 *             Tidal sends them), packet-to-ring time p50/p99; with jackd only
 *   link      Ableton Link in a private network namespace (scripts/bench_link.ts):
 *             beat-phase error over 60 s, engine vs a peer against peer vs peer,
 *             and a live session vs a peer, p50/p99/max; skipped with the reason
 *             without Link or unshare
 *
 * CLI layer: prints, and exits non-zero when a section fails to run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { buildEngine, ensureLibrary, PROJECT_ROOT } from "../lib/ffi/build.ts";
import { engine } from "../lib/ffi/native.ts";
import { Sampler } from "../lib/mod.ts";
import { benchLink } from "./bench_link.ts";
import { benchLive } from "./bench_live.ts";
import { benchOsc } from "./bench_osc.ts";
import { benchPerform } from "./bench_perform.ts";
import { benchVoices } from "./bench_voices.ts";
import { hasCommand } from "./live_support.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    quick: { type: "boolean", default: false },
    only: {
      type: "string",
      default: hasCommand("jackd")
        ? "engine,voices,schedule,perform,live,osc,link"
        : "engine,voices,schedule,perform,link",
    },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    "Usage: deno task bench [--quick] [--only engine,voices,schedule,perform,live,osc,link] [-- <ms_bench options>]\n" +
      "  ms_bench options: build/engine/bench/ms_bench --help",
  );
  Deno.exit(0);
}
const sections = new Set(values.only.split(","));
let failed = 0;

/** The engine's own benchmark program, with its table printed as it goes. */
async function benchEngine(): Promise<void> {
  console.log("== engine: ns per voice-frame (engine/bench/ms_bench) ==");
  ensureLibrary();
  buildEngine({ target: "ms_bench" });
  const bin = join(PROJECT_ROOT, "build", "engine", "bench", "ms_bench");
  const args = [...(values.quick ? ["--quick"] : []), ...positionals];
  const status = await new Deno.Command(bin, { args, stdout: "inherit", stderr: "inherit" })
    .spawn().status;
  if (!status.success) {
    console.error(`error: ms_bench exited with code ${status.code}`);
    failed++;
  }
}

/** Median of timed repetitions of fn, in ns per unit of work. */
function medianNs(reps: number, units: number, fn: () => void): number {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    t.push((performance.now() - t0) * 1e6 / units);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** Scheduling cost from TypeScript into the ring, against a bare FFI call. */
function benchSchedule(): void {
  console.log("\n== schedule: TypeScript noteOn -> scheduler -> ms_push_events -> ring ==");
  const symbols = engine();
  const reps = values.quick ? 5 : 15;
  const calls = 200_000;
  const bare = medianNs(reps, calls, () => {
    for (let i = 0; i < calls; i++) symbols.ms_version();
  });

  const events = values.quick ? 20_000 : 100_000;
  using sampler = Sampler.open({ ringCapacity: 1 << 17, maxPolyphony: 16 });
  const inst = sampler.createInstrument("bench");
  inst.addZone(sampler.createSample(new Float32Array(4800).fill(0.1)), { rootKey: 60 });
  inst.commit();
  let base = 0;
  const perEvent = medianNs(reps, events, () => {
    for (let i = 0; i < events; i++) {
      inst.noteOn(36 + (i % 48), 100, { at: base + i * 4 });
    }
    sampler.flush();
    base += events * 4 + 1_000_000; // keep later reps in the future
  });
  const stats = sampler.stats();
  console.log(`bare FFI call (ms_version):        ${bare.toFixed(1)} ns`);
  console.log(
    `noteOn scheduled into the ring:    ${perEvent.toFixed(1)} ns/event ` +
      `(${(perEvent / bare).toFixed(1)}x a bare call; ${
        (1e9 / perEvent / 1e6).toFixed(2)
      } M events/s on one core)`,
  );
  console.log(`events dropped: ${stats.eventsDropped}`);
}

if (sections.has("engine")) await benchEngine();
if (sections.has("voices")) {
  try {
    await benchVoices(values.quick);
  } catch (err) {
    console.error(
      `error: the voices benchmark failed: ${err instanceof Error ? err.message : err}`,
    );
    failed++;
  }
}
if (sections.has("schedule")) {
  try {
    benchSchedule();
  } catch (err) {
    console.error(
      `error: the schedule benchmark failed: ${err instanceof Error ? err.message : err}`,
    );
    failed++;
  }
}
if (sections.has("perform")) {
  try {
    await benchPerform(values.quick);
  } catch (err) {
    console.error(
      `error: the perform benchmark failed: ${err instanceof Error ? err.message : err}`,
    );
    failed++;
  }
}
if (sections.has("live")) {
  try {
    await benchLive(values.quick);
  } catch (err) {
    console.error(`error: the live benchmark failed: ${err instanceof Error ? err.message : err}`);
    failed++;
  }
}
if (sections.has("osc")) {
  try {
    await benchOsc(values.quick);
  } catch (err) {
    console.error(`error: the osc benchmark failed: ${err instanceof Error ? err.message : err}`);
    failed++;
  }
}
if (sections.has("link")) {
  try {
    await benchLink(values.quick);
  } catch (err) {
    console.error(`error: the link benchmark failed: ${err instanceof Error ? err.message : err}`);
    failed++;
  }
}
Deno.exit(failed ? 1 : 0);
