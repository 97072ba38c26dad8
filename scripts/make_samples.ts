/**
 * Synthesize every sample the shipped instruments play: the drum kit, the
 * electric piano and the bass. Nothing is downloaded and nothing is random
 * between runs: noise comes from a seeded PRNG and every value is computed in
 * doubles from integers, so the same Deno (V8) writes byte-identical files.
 * The generated WAVs are committed; `tests/instrument_definition_test.ts`
 * checks that this script still reproduces them.
 *
 * Output: mono, 48 kHz, 16-bit PCM WAV. Looped tones carry a `smpl` chunk
 * whose loop holds a whole number of periods, so the loop is seamless: the
 * looped part is built from phases taken modulo the loop length.
 *
 * Runs on the control thread of a plain Deno process (no engine involved).
 *
 * Usage:
 *   deno run --allow-read --allow-write scripts/make_samples.ts [out_dir]   (default: instruments/samples)
 *   deno run --allow-read scripts/make_samples.ts --check [dir]             (exit 1 if a file differs)
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Random } from "../lib/engine/random.ts";

/** Output sample rate of every generated file, in Hz. */
export const SAMPLE_RATE_HZ = 48000;

/** A sustain loop in frames; `end` is exclusive (the engine's convention). */
export interface LoopFrames {
  start: number;
  end: number;
}

/** One generated file: where it goes (relative to the samples folder), its bytes and facts. */
export interface SampleFile {
  path: string;
  bytes: Uint8Array;
  frames: number;
  rootKey: number;
  loop?: LoopFrames;
  /** Pitch error of the looped tone against the root key, in cents (positive = sharp). */
  tuneErrorCents: number;
  peakDb: number;
}

// ------------------------------------------------------------------ helpers --

/** mulberry32 (lib/engine/random.ts's Random): a seeded PRNG as a function giving [0, 1). */
export function mulberry32(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

/** White noise in [-1, 1) from a seeded PRNG. */
function noise(frames: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  const out = new Float64Array(frames);
  for (let i = 0; i < frames; i++) out[i] = rnd() * 2 - 1;
  return out;
}

type FilterKind = "lowpass" | "highpass" | "bandpass";

/** RBJ-cookbook biquad applied in place (direct form I). */
function biquad(x: Float64Array, kind: FilterKind, freqHz: number, q: number): Float64Array {
  const w0 = (2 * Math.PI * freqHz) / SAMPLE_RATE_HZ;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  let b0: number, b1: number, b2: number;
  if (kind === "lowpass") {
    b0 = (1 - cos) / 2;
    b1 = 1 - cos;
    b2 = (1 - cos) / 2;
  } else if (kind === "highpass") {
    b0 = (1 + cos) / 2;
    b1 = -(1 + cos);
    b2 = (1 + cos) / 2;
  } else {
    b0 = alpha;
    b1 = 0;
    b2 = -alpha;
  }
  const a0 = 1 + alpha, a1 = -2 * cos, a2 = 1 - alpha;
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const y = (b0 * xi + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1;
    x1 = xi;
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
  return x;
}

/** One-pole DC blocker (about 10 Hz), in place. */
function dcBlock(x: Float64Array): Float64Array {
  const r = 1 - (2 * Math.PI * 10) / SAMPLE_RATE_HZ;
  let x1 = 0, y1 = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const y = xi - x1 + r * y1;
    x1 = xi;
    y1 = y;
    x[i] = y;
  }
  return x;
}

/** Raised-cosine fade-in over the first `inFrames` and fade-out over the last `outFrames`. */
function fade(x: Float64Array, inFrames: number, outFrames: number): Float64Array {
  for (let i = 0; i < inFrames && i < x.length; i++) {
    x[i]! *= 0.5 - 0.5 * Math.cos((Math.PI * i) / inFrames);
  }
  for (let i = 0; i < outFrames && i < x.length; i++) {
    x[x.length - 1 - i]! *= 0.5 - 0.5 * Math.cos((Math.PI * i) / outFrames);
  }
  return x;
}

function peakOf(x: Float64Array): number {
  let p = 0;
  for (const v of x) p = Math.max(p, Math.abs(v));
  return p;
}

function scale(x: Float64Array, gain: number): Float64Array {
  for (let i = 0; i < x.length; i++) x[i]! *= gain;
  return x;
}

const dbToGain = (db: number) => Math.pow(10, db / 20);
const frames = (seconds: number) => Math.round(seconds * SAMPLE_RATE_HZ);
const keyHz = (key: number) => 440 * Math.pow(2, (key - 69) / 12);

/**
 * The loop for a tone near `hz`: a length of `n` frames holding exactly `k`
 * periods, chosen (within minFrames..maxFrames) so that the tone actually
 * played, k * rate / n Hz, is as close as possible to `hz`.
 */
export function periodicLoop(
  hz: number,
  minFrames: number,
  maxFrames: number,
): { n: number; k: number; errorCents: number } {
  let best = { n: minFrames, k: 1, errorCents: Infinity };
  for (let n = minFrames; n <= maxFrames; n++) {
    const k = Math.max(1, Math.round((hz * n) / SAMPLE_RATE_HZ));
    const errorCents = 1200 * Math.log2((k * SAMPLE_RATE_HZ) / n / hz);
    if (Math.abs(errorCents) < Math.abs(best.errorCents) - 1e-9) best = { n, k, errorCents };
  }
  return best;
}

/** 1 at t = 0 falling along exp(-t/tau) to exactly 0 at `endS` (0 after). */
function settle(t: number, tau: number, endS: number): number {
  if (t >= endS) return 0;
  const floor = Math.exp(-endS / tau);
  return (Math.exp(-t / tau) - floor) / (1 - floor);
}

/** Bessel function of the first kind J_m(x), by its power series (fine for |x| < 10). */
function besselJ(m: number, x: number): number {
  const order = Math.abs(m);
  let sum = 0, term = Math.pow(x / 2, order);
  for (let j = 1; j <= order; j++) term /= j;
  for (let k = 0; k < 40; k++) {
    sum += term;
    term *= -(x * x) / 4 / ((k + 1) * (k + 1 + order));
  }
  return m < 0 && order % 2 === 1 ? -sum : sum;
}

// --------------------------------------------------------------- WAV output --

/**
 * Encode mono 16-bit PCM WAV. With `loop`, a `smpl` chunk carries the root
 * key, the pitch fraction and one forward loop (the file stores the end
 * inclusive, so end - 1 is written).
 */
export function encodeWav(
  x: Float64Array,
  opts: { rootKey: number; loop?: LoopFrames; tuneErrorCents?: number },
): Uint8Array {
  const dataBytes = x.length * 2;
  const smplBytes = opts.loop ? 36 + 24 : 0;
  const total = 12 + (8 + 16) + (8 + dataBytes) + (smplBytes ? 8 + smplBytes : 0);
  const buf = new Uint8Array(total);
  const v = new DataView(buf.buffer);
  let o = 0;
  const tag = (s: string) => {
    for (let i = 0; i < 4; i++) v.setUint8(o++, s.charCodeAt(i));
  };
  const u32 = (n: number) => {
    v.setUint32(o, n >>> 0, true);
    o += 4;
  };
  const u16 = (n: number) => {
    v.setUint16(o, n, true);
    o += 2;
  };
  tag("RIFF");
  u32(total - 8);
  tag("WAVE");
  tag("fmt ");
  u32(16);
  u16(1); // PCM
  u16(1); // mono
  u32(SAMPLE_RATE_HZ);
  u32(SAMPLE_RATE_HZ * 2);
  u16(2);
  u16(16);
  tag("data");
  u32(dataBytes);
  for (const s of x) {
    const q = Math.max(-32768, Math.min(32767, Math.round(s * 32767)));
    v.setInt16(o, q, true);
    o += 2;
  }
  if (opts.loop) {
    // smpl can only say "sharp of the unity note" (an unsigned fraction of a
    // semitone). Writing a flat tone as unity - 1 plus 99.9 cents would make
    // readers that take only the unity note play it a semitone off, so a flat
    // error (always under 0.1 cent here) is left out.
    const cents = Math.max(0, opts.tuneErrorCents ?? 0);
    const unity = opts.rootKey;
    const fraction = Math.round((cents / 100) * 4294967296);
    tag("smpl");
    u32(smplBytes);
    u32(0); // manufacturer
    u32(0); // product
    u32(Math.round(1e9 / SAMPLE_RATE_HZ)); // sample period, ns
    u32(unity);
    u32(Math.min(fraction, 0xffffffff));
    u32(0); // SMPTE format
    u32(0); // SMPTE offset
    u32(1); // loops
    u32(0); // sampler data
    u32(0); // cue point id
    u32(0); // type: forward
    u32(opts.loop.start);
    u32(opts.loop.end - 1);
    u32(0); // fraction
    u32(0); // play count: infinite
  }
  return buf;
}

/** Read back the `smpl` loop and root key of a WAV written by encodeWav (or any WAV). */
export function readSmpl(bytes: Uint8Array): { rootKey: number; loop?: LoopFrames } | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 12;
  while (o + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(o, o + 4));
    const size = v.getUint32(o + 4, true);
    if (id === "smpl") {
      const rootKey = v.getUint32(o + 8 + 12, true);
      const loops = v.getUint32(o + 8 + 28, true);
      if (loops === 0) return { rootKey };
      const l = o + 8 + 36;
      return {
        rootKey,
        loop: { start: v.getUint32(l + 8, true), end: v.getUint32(l + 12, true) + 1 },
      };
    }
    o += 8 + size + (size & 1);
  }
  return undefined;
}

// -------------------------------------------------------------------- drums --

function kick(): Float64Array {
  const n = frames(0.55);
  const x = new Float64Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE_HZ;
    const hz = 46 + 120 * Math.exp(-t / 0.03) + 30 * Math.exp(-t / 0.12);
    phase += (2 * Math.PI * hz) / SAMPLE_RATE_HZ;
    x[i] = Math.sin(phase) * Math.exp(-t / 0.28);
  }
  const click = biquad(noise(frames(0.006), 0x6b69636b), "bandpass", 3500, 0.8);
  for (let i = 0; i < click.length; i++) {
    x[i]! += 0.5 * click[i]! * (1 - i / click.length);
  }
  for (let i = 0; i < n; i++) x[i] = Math.tanh(1.6 * x[i]!) / Math.tanh(1.6);
  return fade(dcBlock(x), frames(0.0005), frames(0.05));
}

function snare(seed: number, tuneRatio: number): Float64Array {
  const n = frames(0.4);
  const body = new Float64Array(n);
  let p1 = 0, p2 = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE_HZ;
    const bend = 1 + 0.25 * Math.exp(-t / 0.01);
    p1 += (2 * Math.PI * 185 * tuneRatio * bend) / SAMPLE_RATE_HZ;
    p2 += (2 * Math.PI * 334 * tuneRatio * bend) / SAMPLE_RATE_HZ;
    body[i] = 0.75 * Math.sin(p1) * Math.exp(-t / 0.055) +
      0.35 * Math.sin(p2) * Math.exp(-t / 0.035);
  }
  const wires = biquad(biquad(noise(n, seed), "highpass", 1800, 0.7), "lowpass", 9000, 0.7);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE_HZ;
    x[i] = body[i]! + 0.9 * wires[i]! * (Math.exp(-t / 0.11) * 0.8 + 0.2 * Math.exp(-t / 0.02));
  }
  return fade(dcBlock(x), frames(0.0005), frames(0.06));
}

/** 808-style metal: six detuned square waves plus noise, band-passed high. */
function hat(seconds: number, decayS: number, seed: number): Float64Array {
  const n = frames(seconds);
  const freqs = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0].map((f) => f * 1.6);
  const rnd = noise(n, seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let metal = 0;
    for (const f of freqs) metal += ((i * f) / SAMPLE_RATE_HZ) % 1 < 0.5 ? 1 : -1;
    x[i] = (metal / 6) * 0.6 + rnd[i]! * 0.5;
  }
  biquad(x, "bandpass", 9500, 0.9);
  biquad(x, "highpass", 6500, 0.7);
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE_HZ;
    x[i]! *= Math.exp(-t / decayS);
  }
  return fade(dcBlock(x), frames(0.0003), frames(Math.min(0.08, seconds / 3)));
}

function clap(): Float64Array {
  const n = frames(0.45);
  const src = noise(n, 0x636c6170);
  biquad(src, "bandpass", 1150, 1.3);
  biquad(src, "bandpass", 1400, 1.0);
  const x = new Float64Array(n);
  const bursts = [0, 0.011, 0.022, 0.034];
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE_HZ;
    let env = 0;
    for (const b of bursts.slice(0, -1)) if (t >= b) env += Math.exp(-(t - b) / 0.0045);
    const last = bursts[bursts.length - 1]!;
    if (t >= last) env += 1.1 * Math.exp(-(t - last) / 0.11);
    x[i] = src[i]! * env;
  }
  return fade(dcBlock(x), frames(0.0003), frames(0.05));
}

// ---------------------------------------------------------- pitched tones --

/** Roots of the electric piano's samples: every 6 semitones, C2..C6. */
export const EPIANO_ROOTS = [36, 42, 48, 54, 60, 66, 72, 78, 84];
/** Roots of the bass's samples: every 6 semitones, E1..E3. */
export const BASS_ROOTS = [28, 34, 40, 46, 52];

/**
 * A tine-like FM electric piano tone: a 1:1 FM pair whose index falls from
 * a bright attack to a mellow steady state, plus a fast-dying 1:14 "tine" pair.
 * Every time-varying part reaches its steady value at the loop start, after
 * which the signal depends only on the phase index (i * k) mod n: periodic.
 */
function epiano(root: number, hard: boolean): { x: Float64Array; loop: LoopFrames; err: number } {
  const hz = keyHz(root);
  const { n, k, errorCents } = periodicLoop(hz, 2400, 7200);
  const attackS = 0.3;
  const loopStart = frames(attackS);
  const total = loopStart + n;
  const i0 = hard ? 3.2 : 1.4, iS = hard ? 1.0 : 0.45;
  // The tine, sin(p + I sin 14p), summed as its Bessel sidebands
  // J_m(I) sin((1 + 14m) p) and cut above 19 kHz so nothing aliases, even
  // when the engine transposes the sample up a few semitones.
  const tine = hard ? 0.5 : 0.22;
  const tineIndex = hard ? 2.2 : 1.2;
  const sidebands: { mult: number; amp: number }[] = [];
  for (let m = -8; m <= 8; m++) {
    const mult = 1 + 14 * m;
    if (Math.abs(mult) * hz < 19000) sidebands.push({ mult, amp: besselJ(m, tineIndex) });
  }
  const x = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const t = i / SAMPLE_RATE_HZ;
    const p = (2 * Math.PI * ((i * k) % n)) / n;
    const index = iS + (i0 - iS) * settle(t, 0.09, attackS);
    const amp = 0.6 + 0.4 * settle(t, 0.15, attackS);
    const body = Math.sin(p + index * Math.sin(p));
    const tineLevel = tine * settle(t, 0.025, attackS);
    let bell = 0;
    if (tineLevel > 0) {
      for (const { mult, amp } of sidebands) {
        const ph = (2 * Math.PI * ((i * k * Math.abs(mult)) % n)) / n;
        bell += amp * Math.sign(mult) * Math.sin(ph);
      }
    }
    x[i] = amp * (body + tineLevel * bell);
  }
  fade(x, frames(0.0008), 0);
  return { x, loop: { start: loopStart, end: total }, err: errorCents };
}

/**
 * A plucked electric bass: harmonics with a pluck-position comb, bright at
 * the attack, settling (each harmonic at its own rate) to a round steady
 * spectrum by the loop start.
 */
function bass(root: number): { x: Float64Array; loop: LoopFrames; err: number } {
  const hz = keyHz(root);
  const { n, k, errorCents } = periodicLoop(hz, 2400, 7200);
  const attackS = 0.25;
  const loopStart = frames(attackS);
  const total = loopStart + n;
  const harmonics: { h: number; pluck: number; steady: number; tau: number }[] = [];
  for (let h = 1; h * hz < 6000 && h <= 24; h++) {
    const comb = Math.abs(Math.sin(Math.PI * h * 0.21)); // plucked about 1/5 of the way along
    harmonics.push({
      h,
      pluck: (comb / Math.pow(h, 0.9)) * 0.9,
      steady: (h === 1 ? 1 : (comb / Math.pow(h, 1.9)) * 1.1) * 0.75,
      tau: 0.12 / Math.sqrt(h),
    });
  }
  const x = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const t = i / SAMPLE_RATE_HZ;
    const ik = i * k;
    let s = 0;
    for (const { h, pluck, steady, tau } of harmonics) {
      const a = steady + (pluck - steady) * settle(t, tau, attackS);
      s += a * Math.sin((2 * Math.PI * ((ik * h) % n)) / n);
    }
    x[i] = s;
  }
  fade(x, frames(0.002), 0);
  return { x, loop: { start: loopStart, end: total }, err: errorCents };
}

// ------------------------------------------------------------------ the set --

const noteName = (key: number) =>
  ["c", "cs", "d", "ds", "e", "f", "fs", "g", "gs", "a", "as", "b"][key % 12]! +
  String(Math.floor(key / 12) - 1);

/**
 * Build every sample in memory, in a fixed order.
 * @returns the files with paths relative to the samples folder (`drums/kick.wav`, ...)
 */
export function makeSamples(): SampleFile[] {
  const out: SampleFile[] = [];
  const add = (
    path: string,
    x: Float64Array,
    peakDb: number,
    rootKey: number,
    loop?: LoopFrames,
    err = 0,
  ) => {
    scale(x, dbToGain(peakDb) / peakOf(x));
    out.push({
      path,
      bytes: encodeWav(x, loop ? { rootKey, loop, tuneErrorCents: err } : { rootKey }),
      frames: x.length,
      rootKey,
      ...(loop ? { loop } : {}),
      tuneErrorCents: err,
      peakDb,
    });
  };
  add("drums/kick.wav", kick(), -1, 36);
  add("drums/snare_1.wav", snare(0x736e3031, 1), -1, 38);
  add("drums/snare_2.wav", snare(0x736e3032, 1.015), -1.5, 38);
  add("drums/clap.wav", clap(), -1, 39);
  add("drums/hat_closed.wav", hat(0.18, 0.028, 0x68617463), -1, 42);
  add("drums/hat_open.wav", hat(0.75, 0.22, 0x6861746f), -1, 46);

  // One gain per instrument keeps the balance between roots and layers.
  const pianoTones = EPIANO_ROOTS.flatMap((root) =>
    (["soft", "hard"] as const).map((layer) => ({ root, layer, ...epiano(root, layer === "hard") }))
  );
  const pianoPeak = Math.max(...pianoTones.map((p) => peakOf(p.x)));
  for (const p of pianoTones) {
    const db = -3 + 20 * Math.log10(peakOf(p.x) / pianoPeak);
    add(`epiano/${p.layer}_${noteName(p.root)}.wav`, p.x, db, p.root, p.loop, p.err);
  }
  const bassTones = BASS_ROOTS.map((root) => ({ root, ...bass(root) }));
  const bassPeak = Math.max(...bassTones.map((b) => peakOf(b.x)));
  for (const b of bassTones) {
    const db = -2 + 20 * Math.log10(peakOf(b.x) / bassPeak);
    add(`bass/${noteName(b.root)}.wav`, b.x, db, b.root, b.loop, b.err);
  }
  return out;
}

/** Where the shipped instruments keep their samples. */
export const DEFAULT_SAMPLES_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "instruments",
  "samples",
);

/**
 * Write generated files under `dir`, or with `check` compare them with the
 * files there, each missing or different one reported on stderr.
 *
 * @param each called after each file (make_samples prints its facts)
 * @returns how many files differ, and the summary line (count, KiB, folder)
 */
export async function writeOrCheck<F extends { path: string; bytes: Uint8Array }>(
  dir: string,
  files: readonly F[],
  check: boolean,
  each?: (f: F) => void,
): Promise<{ differ: number; summary: string }> {
  let differ = 0, bytes = 0;
  for (const f of files) {
    const path = join(dir, f.path);
    bytes += f.bytes.length;
    if (check) {
      let old: Uint8Array | undefined;
      try {
        old = await Deno.readFile(path);
      } catch {
        old = undefined;
      }
      const same = old !== undefined && old.length === f.bytes.length &&
        old.every((b, i) => b === f.bytes[i]);
      if (!same) {
        differ++;
        console.error(
          `Cannot verify sample "${f.path}": ${old ? "content differs" : "missing"} at ${path}`,
        );
      }
    } else {
      await Deno.mkdir(dirname(path), { recursive: true });
      await Deno.writeFile(path, f.bytes);
    }
    each?.(f);
  }
  const summary = `${files.length} files, ${(bytes / 1024).toFixed(0)} KiB ${
    check ? "checked in" : "written to"
  } ${dir}`;
  return { differ, summary };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { check: { type: "boolean", default: false }, quiet: { type: "boolean", short: "q" } },
    allowPositionals: true,
  });
  const dir = positionals[0] ?? DEFAULT_SAMPLES_DIR;
  const { differ, summary } = await writeOrCheck(dir, makeSamples(), values.check, (f) => {
    if (values.quiet) return;
    const loop = f.loop ? `loop ${f.loop.start}..${f.loop.end}` : "";
    const tune = f.loop
      ? `tune ${f.tuneErrorCents >= 0 ? "+" : ""}${f.tuneErrorCents.toFixed(3)} c`
      : "";
    console.log(
      `${f.path.padEnd(24)} ${String(f.frames).padStart(6)} frames  root ${
        String(f.rootKey).padStart(3)
      }  ${loop} ${tune}`,
    );
  });
  if (!values.quiet) console.log(summary);
  return differ === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
