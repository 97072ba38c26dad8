/**
 * The `live` section of `deno task bench`: the engine playing in real time on
 * a JACK dummy server of our own (64-frame periods, 48 kHz), driven from Deno.
 *
 * - latency obtained at 64- and 128-frame periods;
 * - the largest voice count held for 30 s (5 s with --quick) with a mean DSP
 *   load under 70 %: bisection on voice counts after a short calibration;
 *   each voice plays its own looped sample (a slice of a 256 MiB noise pool,
 *   so voices stream from memory, not cache) slightly detuned (interpolating);
 * - render-block times (p50, p99, max from the engine's histogram) at a fixed
 *   voice count with and without a garbage-collection storm on the JavaScript
 *   thread, with a stream of scheduled events so late events can show; ratios.
 *
 * Xruns are reported, never judged: this VM has host stalls of several ms.
 * Thread: CT. Prints (it is part of the bench CLI).
 *
 * @module
 */
import { Sampler } from "../lib/engine/sampler.ts";
import type { Instrument } from "../lib/engine/instrument.ts";
import type { LiveOutput } from "../lib/engine/output.ts";
import { type BlockTimes, blockTimes, gcStorm, startJackDummy } from "./live_support.ts";

const RATE = 48000;
const MAX_VOICES = 4096;
const INSTRUMENTS = 32;
const SAMPLE_FRAMES = 16384; // 4096 voices x 64 KiB = 256 MiB of sample data
const LOAD_LIMIT = 0.7;
const STORM_VOICES = 256;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one hold measured. */
interface Hold {
  voices: number;
  voicesActive: number;
  /** Render time over real time during the hold. */
  meanLoad: number;
  blocks: BlockTimes;
  xruns: number;
  late: number;
  /** Events sent during the hold. */
  events: number;
  stormMBps?: number;
}

/** Run `fn` with JACK_DEFAULT_SERVER pointing at a fresh dummy server. */
async function withServer<T>(periodFrames: number, fn: () => Promise<T>): Promise<T> {
  await using server = await startJackDummy({ periodFrames, prefix: "ms-bench" });
  const before = Deno.env.get("JACK_DEFAULT_SERVER");
  Deno.env.set("JACK_DEFAULT_SERVER", server.name);
  try {
    return await fn();
  } finally {
    if (before === undefined) Deno.env.delete("JACK_DEFAULT_SERVER");
    else Deno.env.set("JACK_DEFAULT_SERVER", before);
  }
}

async function latencyAt(periodFrames: number): Promise<string> {
  return await withServer(periodFrames, async () => {
    using sampler = Sampler.openForOutput({ backend: "jack" });
    using out = sampler.startOutput({ backend: "jack" });
    await sleep(200);
    const i = out.info;
    return `period ${periodFrames}: latency ${i.latencyFrames} frames (${
      i.latencyMs.toFixed(2)
    } ms), render thread ${i.schedPolicy} ${i.schedPriority}`;
  });
}

/** 32 instruments x 128 keys, each zone on its own looped noise sample. */
function buildVoices(sampler: Sampler): Instrument[] {
  const insts: Instrument[] = [];
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const data = new Float32Array(SAMPLE_FRAMES);
  for (let k = 0; k < INSTRUMENTS; k++) {
    const inst = sampler.createInstrument(`voices${k}`);
    for (let key = 0; key < 128; key++) {
      for (let i = 0; i < SAMPLE_FRAMES; i++) data[i] = rand() - 0.5;
      inst.addZone(sampler.createSample(data), {
        keys: [key, key],
        rootKey: key,
        tuneCents: (rand() - 0.5) * 60,
        gainDb: -30,
        loop: { mode: "forward" },
        envelope: { attack: 0, release: 0.005 },
      });
    }
    inst.commit();
    insts.push(inst);
  }
  return insts;
}

function histogram(sampler: Sampler): number[] {
  return sampler.renderHistogram();
}

/**
 * Hold `voices` voices for `seconds` and measure; optionally with a GC storm
 * and a stream of 100 scheduled events per second.
 */
async function hold(
  sampler: Sampler,
  out: LiveOutput,
  insts: Instrument[],
  voices: number,
  seconds: number,
  opts: { storm?: boolean; events?: boolean } = {},
): Promise<Hold> {
  sampler.allSoundOff();
  out.pump();
  await sleep(50);
  for (let v = 0; v < voices; v++) {
    insts[v % INSTRUMENTS]!.noteOn(Math.floor(v / INSTRUMENTS), 100);
  }
  out.pump();
  await sleep(300);
  const start = sampler.now() + Math.round(0.05 * RATE);
  let events = 0;
  if (opts.events) {
    const step = RATE / 100;
    for (let t = 0; t < seconds * RATE; t += step) {
      insts[0]!.setParam("volumeDb", events % 2 ? -0.1 : 0, { at: start + t });
      events++;
    }
  }
  const s0 = sampler.stats();
  const h0 = histogram(sampler);
  let stormMBps: number | undefined;
  if (opts.storm) {
    const r = await gcStorm(seconds * 1000);
    stormMBps = r.bytesPerSecond / 1e6;
  } else {
    await sleep(seconds * 1000);
  }
  const s1 = sampler.stats();
  const h1 = histogram(sampler);
  const ns = s1.renderNsMean * s1.blocksRendered - s0.renderNsMean * s0.blocksRendered;
  const realNs = (s1.framesRendered - s0.framesRendered) / RATE * 1e9;
  const r: Hold = {
    voices,
    voicesActive: s1.voicesActive,
    meanLoad: realNs > 0 ? ns / realNs : 0,
    blocks: blockTimes(h0, h1),
    xruns: s1.xruns - s0.xruns,
    late: s1.eventsLate - s0.eventsLate,
    events,
  };
  if (stormMBps !== undefined) r.stormMBps = stormMBps;
  sampler.allSoundOff();
  out.pump();
  return r;
}

const us = (ns: number) => (ns / 1000).toFixed(1);

/**
 * The largest voice count for which `passes` holds: bracket around the
 * estimate (halving down or doubling up), then bisect to within 2 %.
 */
async function bisect(
  estimate: number,
  passes: (h: Hold) => boolean,
  run: (voices: number) => Promise<Hold>,
): Promise<{ voices: number; hold: Hold | undefined }> {
  const results = new Map<number, Hold>();
  const test = async (n: number) => {
    const h = results.get(n) ?? await run(n);
    results.set(n, h);
    return passes(h);
  };
  let lo = Math.max(1, Math.floor(estimate * 0.85));
  let hi = Math.min(MAX_VOICES, Math.ceil(estimate * 1.15));
  while (!(await test(lo))) {
    hi = lo;
    if (lo === 1) return { voices: 0, hold: results.get(1) };
    lo = Math.max(1, Math.floor(lo / 2));
  }
  while (hi > lo && await test(hi)) {
    lo = hi;
    hi = Math.min(MAX_VOICES, hi * 2);
  }
  while (hi - lo > Math.max(8, Math.round(lo * 0.02))) {
    const mid = Math.round((lo + hi) / 2);
    if (await test(mid)) lo = mid;
    else hi = mid;
  }
  return { voices: lo, hold: results.get(lo) };
}

function line(h: Hold): string {
  return `${String(h.voices).padStart(5)} voices: load ${(100 * h.meanLoad).toFixed(1)}%, ` +
    `blocks p50 ${us(h.blocks.p50Ns)} / p99 ${us(h.blocks.p99Ns)} / max ${
      us(h.blocks.maxNs)
    } us, ${h.xruns} xruns` + (h.voicesActive < h.voices ? ` (only ${h.voicesActive} active)` : "");
}

/**
 * Run the live section.
 *
 * @param quick 5-second holds instead of 30.
 */
export async function benchLive(quick: boolean): Promise<void> {
  const holdSeconds = quick ? 5 : 30;
  console.log(
    `\n== live: JACK dummy server, 48 kHz (holds of ${holdSeconds} s; --quick: 5 s) ==`,
  );
  for (const p of [64, 128]) console.log(await latencyAt(p));

  await withServer(64, async () => {
    using sampler = Sampler.openForOutput({ backend: "jack" }, {
      maxPolyphony: MAX_VOICES,
      maxInstruments: INSTRUMENTS + 4,
      ringCapacity: 16384,
    });
    const t0 = performance.now();
    const insts = buildVoices(sampler);
    console.log(
      `${MAX_VOICES} looped samples of ${SAMPLE_FRAMES} frames (${
        (MAX_VOICES * SAMPLE_FRAMES * 4 / 2 ** 20).toFixed(0)
      } MiB) built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    using out = sampler.startOutput({ backend: "jack" });
    const info = out.info;
    console.log(
      `client "${info.device}": period ${info.periodFrames}, render thread ${info.schedPolicy} ${info.schedPriority}` +
        (out.warnings.length ? `; ${out.warnings.map((w) => w.message).join("; ")}` : ""),
    );

    // calibration: the cost of a voice, from two short holds
    const empty = await hold(sampler, out, insts, 0, 2);
    const probe = await hold(sampler, out, insts, 256, 2);
    const perVoice = Math.max(1e-6, (probe.meanLoad - empty.meanLoad) / 256);
    const nsPerVoiceFrame = perVoice * 1e9 / RATE;
    console.log(
      `calibration: empty load ${(100 * empty.meanLoad).toFixed(2)}%, ` +
        `${nsPerVoiceFrame.toFixed(2)} ns per voice-frame (256 voices, 2 s)`,
    );
    const estimate = Math.min(MAX_VOICES, Math.round((LOAD_LIMIT - empty.meanLoad) / perVoice));

    const periodNs = info.periodFrames / RATE * 1e9;
    const criteria = [
      {
        label: `mean DSP load < ${100 * LOAD_LIMIT}%`,
        passes: (h: Hold) => h.meanLoad < LOAD_LIMIT && h.voicesActive >= h.voices,
      },
      {
        label: `p99 block < ${100 * LOAD_LIMIT}% of the period (${us(LOAD_LIMIT * periodNs)} us)`,
        passes: (h: Hold) => h.blocks.p99Ns < LOAD_LIMIT * periodNs && h.voicesActive >= h.voices,
      },
    ];
    let guess = estimate;
    for (const c of criteria) {
      console.log(`max voices held ${holdSeconds} s with ${c.label}, bisection from ${guess}:`);
      const found = await bisect(guess, c.passes, async (n) => {
        const h = await hold(sampler, out, insts, n, holdSeconds);
        console.log(`  ${line(h)} -> ${c.passes(h) ? "held" : "over"}`);
        return h;
      });
      console.log(
        `  => ${found.voices} voices` + (found.hold ? ` (${line(found.hold).trim()})` : "") +
          (found.voices === MAX_VOICES ? " (the engine's polyphony limit)" : ""),
      );
      guess = found.voices;
    }

    // GC storm: the same voices, the same event stream, with and without
    console.log(
      `render blocks at ${STORM_VOICES} voices with 100 scheduled events/s, without and with a GC storm:`,
    );
    const calm = await hold(sampler, out, insts, STORM_VOICES, holdSeconds, { events: true });
    const storm = await hold(sampler, out, insts, STORM_VOICES, holdSeconds, {
      events: true,
      storm: true,
    });
    for (const [label, h] of [["no storm", calm], ["GC storm", storm]] as const) {
      console.log(
        `  ${label.padEnd(8)} ${line(h)}, late ${h.late}/${h.events} events` +
          (h.stormMBps ? `, storm ${h.stormMBps.toFixed(0)} MB/s allocated` : ""),
      );
    }
    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "n/a");
    console.log(
      `  ratios storm/no storm: p50 ${ratio(storm.blocks.p50Ns, calm.blocks.p50Ns)}, p99 ${
        ratio(storm.blocks.p99Ns, calm.blocks.p99Ns)
      }, max ${ratio(storm.blocks.maxNs, calm.blocks.maxNs)}`,
    );
    console.log(`xruns over the whole section: ${sampler.stats().xruns}`);
  });
}
