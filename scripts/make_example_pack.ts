/**
 * Synthesize a small sample pack laid out as Dirt-Samples is (a folder per
 * sound, its files sorted by name), for examples/from_strudel.strudel's
 * `samples("./samples")`: `bd`, `sd`, `hh` (closed, open), `tom` (low, mid,
 * high) and `clave`. Nothing is downloaded and nothing is random between runs:
 * noise comes from a seeded PRNG, so the same Deno writes byte-identical
 * files (about 200 KB, committed in examples/samples/; a test checks this
 * script still reproduces them).
 *
 * Output: mono, 48 kHz, 16-bit PCM WAV, no loop (one-shots, as packs are).
 * Runs on the control thread of a plain Deno process (no engine involved).
 *
 * Usage:
 *   deno run --allow-read --allow-write scripts/make_example_pack.ts [out_dir]   (default: examples/samples)
 *   deno run --allow-read scripts/make_example_pack.ts --check [dir]             (exit 1 if a file differs)
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeWav, mulberry32, SAMPLE_RATE_HZ, writeOrCheck } from "./make_samples.ts";

const frames = (seconds: number) => Math.round(seconds * SAMPLE_RATE_HZ);

/** One-pole low-pass (coefficient from a cutoff), in place. */
function lowpass(x: Float64Array, hz: number): Float64Array {
  const a = Math.exp((-2 * Math.PI * hz) / SAMPLE_RATE_HZ);
  let y = 0;
  for (let i = 0; i < x.length; i++) x[i] = y = (1 - a) * x[i]! + a * y;
  return x;
}

/** Seeded white noise in [-1, 1). */
function noise(n: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  return Float64Array.from({ length: n }, () => rnd() * 2 - 1);
}

/** Normalise to a peak, with short fades in and out (no clicks). */
function finish(x: Float64Array, peak: number): Float64Array {
  let p = 0;
  for (const v of x) p = Math.max(p, Math.abs(v));
  const fadeIn = frames(0.0005), fadeOut = frames(0.01);
  for (let i = 0; i < x.length; i++) {
    let g = p > 0 ? peak / p : 0;
    if (i < fadeIn) g *= i / fadeIn;
    if (i >= x.length - fadeOut) g *= (x.length - 1 - i) / fadeOut;
    x[i] = x[i]! * g;
  }
  return x;
}

/** A sine whose pitch falls from `hz * (1 + bend)` to `hz`, decaying. */
function drum(seconds: number, hz: number, bend: number, decayS: number): Float64Array {
  const x = new Float64Array(frames(seconds));
  let phase = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / SAMPLE_RATE_HZ;
    phase += (2 * Math.PI * hz * (1 + bend * Math.exp(-t / 0.02))) / SAMPLE_RATE_HZ;
    x[i] = Math.sin(phase) * Math.exp(-t / decayS);
  }
  return x;
}

function kick(): Float64Array {
  const x = drum(0.3, 50, 2.5, 0.12);
  for (let i = 0; i < x.length; i++) x[i] = Math.tanh(2 * x[i]!);
  return finish(x, 0.9);
}

function snare(): Float64Array {
  const body = drum(0.25, 190, 0.3, 0.05);
  const hiss = noise(body.length, 0x5d);
  let prev = 0;
  for (let i = 0; i < body.length; i++) { // first difference: a bright hiss
    const h = hiss[i]! - prev;
    prev = hiss[i]!;
    body[i] = 0.6 * body[i]! + 0.5 * h * Math.exp(-(i / SAMPLE_RATE_HZ) / 0.07);
  }
  return finish(body, 0.8);
}

function hat(seconds: number, decayS: number, seed: number): Float64Array {
  const x = noise(frames(seconds), seed);
  const low = lowpass(Float64Array.from(x), 6000);
  for (let i = 0; i < x.length; i++) {
    x[i] = (x[i]! - low[i]!) * Math.exp(-(i / SAMPLE_RATE_HZ) / decayS); // high-passed
  }
  return finish(x, 0.5);
}

function clave(): Float64Array {
  return finish(drum(0.12, 2500, 0.05, 0.018), 0.6);
}

/** Files of the pack: path under the pack folder, samples. */
export function makePack(): { path: string; bytes: Uint8Array }[] {
  const files: [string, Float64Array][] = [
    ["bd/bd0.wav", kick()],
    ["sd/sd0.wav", snare()],
    ["hh/hh0_closed.wav", hat(0.08, 0.02, 0x68)],
    ["hh/hh1_open.wav", hat(0.35, 0.12, 0x6f)],
    ["tom/tom0_low.wav", finish(drum(0.3, 110, 0.5, 0.1), 0.8)],
    ["tom/tom1_mid.wav", finish(drum(0.3, 150, 0.5, 0.09), 0.8)],
    ["tom/tom2_high.wav", finish(drum(0.3, 205, 0.5, 0.08), 0.8)],
    ["clave/clave0.wav", clave()],
  ];
  return files.map(([path, x]) => ({ path, bytes: encodeWav(x, { rootKey: 60 }) }));
}

/** Where the example tune looks for the pack. */
export const DEFAULT_PACK_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "examples",
  "samples",
);

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { check: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const dir = positionals[0] ?? DEFAULT_PACK_DIR;
  const { differ, summary } = await writeOrCheck(dir, makePack(), values.check);
  console.log(summary);
  return differ === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
