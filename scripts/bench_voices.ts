/**
 * `deno task bench --only voices`: the seed API's voice workload played
 * through the TypeScript library, against the same workload through the C
 * API and a bare loop (ms_bench's "seed API" shape) in the same run.
 *
 *   workload  256 voices: 16 instruments, each one 4-second looped mono
 *             16-bit sample (white noise, -6 dBFS, written to a temporary
 *             directory), notes 48-63 on root 60 (ratios 0.5-1.19), the
 *             zone defaults otherwise, rendered with `Sampler.process` in
 *             128-frame blocks
 *   timed     process CPU time of R repetitions of S seconds, a sampler with
 *             no notes timed the same way and subtracted, median reported
 *   compared  ms_bench --only shapes --shape seed (the engine through the C
 *             API and the bare prefetched loop of the same shape, thread CPU
 *             time), run before and after the library's repetitions
 *
 * CLI layer (called by scripts/bench.ts; runnable alone): prints.
 *
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import { buildEngine, PROJECT_ROOT } from "../lib/ffi/build.ts";
import { Sampler } from "../lib/engine/sampler.ts";

const RATE = 48000;
const BLOCK = 128;

function medianOf(xs: number[]): number {
  const t = [...xs].sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** A mono 16-bit WAV file of noise (xorshift, -6 dBFS): the seed workload's samples. */
async function writeNoiseWav(path: string, frames: number, seed: number): Promise<void> {
  const buf = new ArrayBuffer(44 + frames * 2);
  const v = new DataView(buf);
  const text = (o: number, s: string) =>
    [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  text(0, "RIFF");
  v.setUint32(4, 36 + frames * 2, true);
  text(8, "WAVEfmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, RATE, true);
  v.setUint32(28, RATE * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, "data");
  v.setUint32(40, frames * 2, true);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < frames; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    v.setInt16(44 + 2 * i, ((x / 4294967296) * 2 - 1) * 16383, true);
  }
  await Deno.writeFile(path, new Uint8Array(buf));
}

/** A sampler playing the workload (or, with notes false, the same instruments silent). */
function open(files: string[], interpolation: "cubic" | "linear", notes: boolean): Sampler {
  const sampler = Sampler.open({ maxPolyphony: 256, interpolation, ringCapacity: 4096 });
  for (let k = 0; k < files.length; k++) {
    const inst = sampler.createInstrument(`seed${k}`);
    inst.addZone(sampler.loadSample(files[k]!), { rootKey: 60, loop: { mode: "forward" } });
    inst.commit();
    if (notes) { for (let key = 48; key < 64; key++) inst.noteOn(key, 100); }
  }
  sampler.process(RATE / 2); // warm-up: the notes start, the envelopes reach sustain
  return sampler;
}

/** CPU ns of rendering `frames` in 128-frame blocks through `Sampler.process`. */
function timeRender(sampler: Sampler, frames: number): number {
  const c0 = process.cpuUsage();
  for (let done = 0; done < frames; done += BLOCK) sampler.process(BLOCK);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1000;
}

/** ms_bench's seed shape: [cubic engine, cubic bare, linear engine, linear bare] ns per voice-frame. */
async function cSeed(bin: string, seconds: number, reps: number): Promise<number[] | undefined> {
  const out = await new Deno.Command(bin, {
    args: [
      "--only",
      "shapes",
      "--shape",
      "seed",
      "--seconds",
      String(seconds),
      "--reps",
      String(reps),
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const line = new TextDecoder().decode(out.stdout).split("\n").find((l) =>
    l.startsWith("seed API")
  );
  if (!line) return undefined;
  const nums = line.split("|").slice(1, 3).flatMap((c) =>
    c.trim().split(/\s+/).slice(0, 2).map(Number)
  );
  return nums.length === 4 && nums.every(Number.isFinite) ? nums : undefined;
}

/**
 * Run the voices benchmark.
 *
 * @param quick Shorter renders and fewer repetitions.
 */
export async function benchVoices(quick: boolean): Promise<void> {
  console.log("\n== voices: the seed workload (256 voices, 16 x 16 on 4 s loops) through lib/ ==");
  const seconds = quick ? 0.5 : 2, reps = quick ? 3 : 7;
  // MS_BENCH_BIN: an ms_bench already built (its library should be MS_ENGINE_LIB's)
  let bin = Deno.env.get("MS_BENCH_BIN");
  if (!bin) {
    buildEngine({ target: "ms_bench" });
    bin = join(PROJECT_ROOT, "build", "engine", "bench", "ms_bench");
  }
  const dir = await Deno.makeTempDir({ prefix: "ms_bench_voices_" });
  try {
    const files: string[] = [];
    for (let k = 0; k < 16; k++) {
      files.push(join(dir, `s${k}.wav`));
      await writeNoiseWav(files[k]!, 4 * RATE, 0x9e3779b9 + k);
    }
    const before = await cSeed(bin, seconds, 3);
    const frames = Math.floor(seconds * RATE / BLOCK) * BLOCK;
    const lib: Record<string, number> = {};
    for (const interp of ["cubic", "linear"] as const) {
      using full = open(files, interp, true);
      using empty = open(files, interp, false);
      const held = full.stats().voicesActive;
      if (held !== 256) throw new Error(`the workload holds ${held} voices, not 256`);
      const net: number[] = [];
      for (let r = 0; r < reps; r++) {
        const e = timeRender(empty, frames); // interleaved: noise hits both alike
        net.push((timeRender(full, frames) - e) / (256 * frames));
      }
      lib[interp] = medianOf(net);
    }
    const after = await cSeed(bin, seconds, 3);
    const c = before && after ? before.map((x, i) => (x + after[i]!) / 2) : before ?? after;
    const fmt = (x: number) => x.toFixed(3);
    for (const [i, interp] of (["cubic", "linear"] as const).entries()) {
      const line = `${interp.padEnd(6)}: through lib/ ${fmt(lib[interp]!)} ns per voice-frame`;
      if (!c) {
        console.log(`${line} (ms_bench's seed shape could not run)`);
        continue;
      }
      const [eng, bare] = [c[2 * i]!, c[2 * i + 1]!];
      console.log(
        `${line}; C API ${fmt(eng)}, bare loop ${fmt(bare)} ` +
          `(lib/ = ${(lib[interp]! / eng).toFixed(2)}x the C API, ${
            (lib[interp]! / bare).toFixed(2)
          }x the bare loop)`,
      );
    }
    console.log(
      "  (lib/: process CPU time, 0-voice sampler subtracted; C API and bare loop: ms_bench thread CPU time, " +
        "mean of a run before and after)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await benchVoices(Deno.args.includes("--quick"));
