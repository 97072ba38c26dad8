/**
 * The Deno side of tests/live_test.ts, run as a subprocess so each case
 * gets its own environment (ALSA_CONFIG_PATH, JACK_DEFAULT_SERVER) and a
 * crash cannot take the test runner with it. Prints one JSON object as its
 * last stdout line.
 *
 * Usage (by the test):
 *   live_child.ts alsa-file <raw path> <period frames> [fx]   (fx: the notes carry effect controls)
 *   live_child.ts jack <script> <seconds> <storm 0|1>
 *   live_child.ts errors
 *   live_child.ts rt-denied      (run without CAP_SYS_NICE / CAP_IPC_LOCK)
 *
 * @module
 */
import { DeviceError, NoServerError } from "../lib/errors.ts";
import { startPerformance } from "../lib/runners/live_performance.ts";
import { Sampler } from "../lib/engine/sampler.ts";
import { gcStorm, type GcStormResult } from "../scripts/live_support.ts";

const RATE = 48000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per-note effects of the fx phrase: a filter envelope, a vowel, and orbit 1's delay and reverb. */
const FX = {
  cutoff: 1500,
  resonance: 6,
  lpenv: 2,
  lpdecay: 0.15,
  vowel: "a",
  orbit: 1,
  room: 0.3,
  roomsize: 1.5,
  delay: 0.3,
  delaytime: 0.13,
  delayfeedback: 0.5,
} as const;

/** A sampler with one looped, enveloped instrument and a 1-second phrase from frame 0. */
function phraseSampler(period: number, fx = false): Sampler {
  const sampler = Sampler.open({ sampleRate: RATE, bufferSize: period });
  const data = new Float32Array(RATE / 2);
  for (let i = 0; i < data.length; i++) {
    const t = i / RATE;
    data[i] = 0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.1 * Math.sin(2 * Math.PI * 661 * t);
  }
  const inst = sampler.createInstrument("keys");
  inst.addZone(sampler.createSample(data), {
    rootKey: 57,
    loop: { mode: "forward" },
    envelope: { attack: 0.005, decay: 0.2, sustain: 0.6, release: 0.08 },
  });
  const notes = [57, 60, 64, 67, 69, 72, 64, 60];
  notes.forEach((n, i) => {
    const at = 137 + i * 5_821; // off the block grid on purpose
    inst.noteOn(n, 60 + 7 * i, { at, tuneCents: 3 * i, ...(fx ? { controls: FX } : {}) });
    inst.noteOff(n, { at: at + 11_000 });
  });
  inst.setParam("volumeDb", -3, { at: 20_000 });
  return sampler;
}

async function alsaFile(raw: string, period: number, fx: boolean) {
  const frames = RATE; // compare the first second
  let live: { info: unknown; late: number; dropped: number; rendered: number };
  {
    using sampler = phraseSampler(period, fx);
    // the file PCM is not paced: every event must be in the ring before the start
    using out = sampler.startOutput({
      backend: "alsa",
      device: "liveraw",
      periodFrames: period,
      pcmFormat: "float",
      rtPriority: 0,
      lookaheadMs: 60_000,
    });
    for (let i = 0; i < 2000 && sampler.now() < frames + 4 * period; i++) await sleep(1);
    out.stop();
    const s = sampler.stats();
    live = {
      info: out.info,
      late: s.eventsLate,
      dropped: s.eventsDropped,
      rendered: s.framesRendered,
    };
  }
  using sampler = phraseSampler(period, fx);
  const offline = new Float32Array(frames * 2);
  for (let done = 0; done < frames; done += period) {
    offline.set(sampler.process(period), done * 2);
  }
  const bytes = await Deno.readFile(raw);
  const want = new Uint8Array(offline.buffer);
  let firstDiff = -1;
  for (let i = 0; i < want.length; i++) {
    if (bytes[i] !== want[i]) {
      firstDiff = i;
      break;
    }
  }
  let peak = 0;
  for (const v of offline) peak = Math.max(peak, Math.abs(v));
  return { ...live, fileBytes: bytes.length, comparedBytes: want.length, firstDiff, peak };
}

async function jack(script: string, seconds: number, storm: boolean) {
  const t0 = performance.now();
  const perf = await startPerformance(script, { output: { backend: "jack" }, seconds });
  const started = performance.now();
  const info = perf.info;
  let stormResult: GcStormResult | undefined;
  if (storm) stormResult = await gcStorm(seconds * 1000 + 200);
  const result = await perf.finished;
  const elapsed = (performance.now() - started) / 1000;
  return {
    setupSeconds: (started - t0) / 1000,
    info,
    warnings: perf.warnings.map((w) => w.message),
    ending: result.ending,
    elapsed,
    frames: result.stats.framesRendered,
    xruns: result.stats.xruns,
    late: result.stats.eventsLate,
    dropped: result.stats.eventsDropped,
    received: result.stats.eventsReceived,
    voicesPeak: result.stats.voicesPeak,
    p50Ns: result.stats.renderNsP50,
    p99Ns: result.stats.renderNsP99,
    maxNs: result.stats.renderNsMax,
    dspLoadMax: result.stats.dspLoadMax,
    storm: stormResult ?? null,
  };
}

function errors() {
  const out: Record<string, unknown> = {};
  using sampler = Sampler.open();
  const describe = (e: unknown) => ({
    name: e instanceof Error ? e.name : String(e),
    code: (e as DeviceError).code,
    message: e instanceof Error ? e.message : String(e),
    isDeviceError: e instanceof DeviceError,
    isNoServerError: e instanceof NoServerError,
  });
  try {
    sampler.startOutput({ backend: "alsa", device: "no-such-device-42", rtPriority: 0 });
    out.alsa = "opened";
  } catch (e) {
    out.alsa = describe(e);
  }
  try {
    sampler.startOutput({ backend: "jack" });
    out.jack = "opened";
  } catch (e) {
    out.jack = describe(e);
  }
  try {
    Sampler.openForOutput({ backend: "jack" }).close();
    out.probe = "opened";
  } catch (e) {
    out.probe = describe(e);
  }
  // still usable offline
  const inst = sampler.createInstrument("tone");
  inst.addZone(sampler.createSample(new Float32Array(4800).fill(0.25)), { rootKey: 60 });
  inst.noteOn(60, 100, { at: 0 });
  const audio = sampler.process(256);
  out.offlineFrames = audio.length / 2;
  out.offlinePeak = Math.max(...audio.map(Math.abs));
  return out;
}

async function rtDenied() {
  using sampler = Sampler.open();
  using out = sampler.startOutput({ backend: "alsa", device: "null", rtPriority: 80 });
  for (let i = 0; i < 200 && sampler.now() === 0; i++) await sleep(5);
  return {
    warnings: out.warnings.map((w) => ({ name: w.name, code: w.code, message: w.message })),
    info: out.info,
    now: sampler.now(),
  };
}

const [mode, ...rest] = Deno.args;
let result: unknown;
if (mode === "alsa-file") result = await alsaFile(rest[0]!, Number(rest[1]), rest[2] === "fx");
else if (mode === "jack") result = await jack(rest[0]!, Number(rest[1]), rest[2] === "1");
else if (mode === "errors") result = errors();
else if (mode === "rt-denied") result = await rtDenied();
else throw new Error(`live_child.ts: unknown mode "${mode}"`);
console.log(JSON.stringify(result));
