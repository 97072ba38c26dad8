/**
 * Sets with effect controls rendered offline, and the effect measured in the
 * file: a low-pass takes the octave above its cutoff down by about 12 dB (24
 * with ftype "24db") and leaves the band below; room leaves a tail after the
 * dry note and a larger size a longer one; delay repeats the note at
 * delaytime (seconds, or cycles with lock), each echo lower by the feedback;
 * --stems writes one file per orbit that sounds, and they add up to the mix.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { renderSet } from "../lib/runners/render_set.ts";
import { fft, readWavF32 } from "./audio_analysis.ts";
import { renderSetBody } from "./perform_support.ts";

const RATE = 48000;

/** Render a set body (`set.play(...)` lines) for `cycles` cycles at 120 bpm (0.5 cps); stereo float samples. */
const render = renderSetBody;

/** The left channel of interleaved stereo. */
const left = (a: Float32Array) => a.filter((_, i) => i % 2 === 0);
/** Left + right of interleaved stereo. */
const mono = (a: Float32Array) => left(a).map((v, i) => v + a[2 * i + 1]!);

/** Mean power (dB) of a mono signal's band [lo, hi] Hz over Hann-windowed 4096-frame blocks. */
function bandDb(x: Float32Array, lo: number, hi: number): number {
  const N = 4096;
  let sum = 0, count = 0;
  for (let start = 0; start + N <= x.length; start += N / 2) {
    const re = new Float64Array(N), im = new Float64Array(N);
    for (let i = 0; i < N; i++) re[i] = x[start + i]! * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / N));
    fft(re, im);
    for (let k = Math.ceil(lo * N / RATE); k <= Math.floor(hi * N / RATE); k++) {
      sum += re[k]! * re[k]! + im[k]! * im[k]!;
      count++;
    }
  }
  return 10 * Math.log10(sum / count);
}

/** RMS in dBFS of a mono signal's frames [from, to). */
function rmsDb(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return 10 * Math.log10(s / (to - from) + 1e-30);
}

Deno.test("lpf on a pattern: the octave above the cutoff ~12 dB down (24 with ftype 24db), the band below kept", async () => {
  const play = (fx: string) => render(`  set.play("h", s("hh*8")${fx});`, 2);
  const dry = left((await play("")).audio);
  const lp12 = await play(".lpf(1000)");
  const lp24 = left((await play('.lpf(1000).ftype("24db")')).audio);
  assert.deepEqual(lp12.warnings, []);
  const wet = left(lp12.audio);
  const at = (x: Float32Array, f: number) =>
    bandDb(x, f / 1.1, f * 1.1) - bandDb(dry, f / 1.1, f * 1.1);
  const below = at(wet, 300), octave = at(wet, 2000), octave24 = at(lp24, 2000);
  assert.ok(Math.abs(below) < 2, `300 Hz changed by ${below.toFixed(1)} dB`);
  assert.ok(octave < -9 && octave > -15, `12 dB: 2 kHz ${octave.toFixed(1)} dB`);
  assert.ok(octave24 < -20 && octave24 > -30, `24 dB: 2 kHz ${octave24.toFixed(1)} dB`);
});

Deno.test("room on a pattern: a tail after the dry note ends, its RT60 following size", async () => {
  // one snare at cycle 0; the dry snare (0.4 s) is over by 0.5 s
  const play = (fx: string) => render(`  set.play("r", s("sd ~ ~ ~")${fx});`, 1);
  const dry = left((await play("")).audio);
  const small = left((await play(".room(0.5).size(1)")).audio);
  const large = left((await play(".room(0.5).size(4)")).audio);
  const at = (x: Float32Array, t: number) => rmsDb(x, t * RATE, (t + 0.1) * RATE);
  assert.ok(at(dry, 0.5) < -200, `the dry snare rings on: ${at(dry, 0.5).toFixed(1)} dB`);
  assert.ok(at(small, 0.5) > -80, `no room tail: ${at(small, 0.5).toFixed(1)} dB`);
  // RT60 from the decay between 0.5 s and 0.9 s
  const rt60 = (x: Float32Array) => 60 * 0.4 / (at(x, 0.5) - at(x, 0.9));
  const [a, b] = [rt60(small), rt60(large)];
  assert.ok(a > 0.5 && a < 2, `size 1: RT60 ${a.toFixed(2)} s`);
  assert.ok(b > 2.5 && b < 8, `size 4: RT60 ${b.toFixed(2)} s`);
});

Deno.test("delay on a pattern: echoes at delaytime (seconds, and cycles with lock), each lower by the feedback", async () => {
  const echoes = (x: Float32Array, period: number) =>
    [1, 2, 3].map((k) =>
      rmsDb(x, Math.round(k * period * RATE), Math.round((k * period + 0.05) * RATE))
    );
  // a closed hat (0.18 s) once
  const play = (fx: string) => render(`  set.play("d", s("hh ~ ~ ~")${fx});`, 1);
  const dry = mono((await play("")).audio);
  const secs = mono((await play(".delay(1).delaytime(0.3).delayfeedback(0.5)")).audio);
  // with lock, 0.1875 cycles at 0.5 cps is 0.375 s
  const locked = mono(
    (await play(".delay(1).delaytime(0.1875).lock(1).delayfeedback(0.5)")).audio,
  );
  assert.ok(echoes(dry, 0.3)[0]! < -100, "the dry hat is over before the first echo");
  for (const [x, period] of [[secs, 0.3], [locked, 0.375]] as const) {
    const e = echoes(x, period);
    assert.ok(e[0]! > -40, `no echo at ${period} s: ${e[0]!.toFixed(1)} dB`);
    for (const k of [0, 1]) {
      const step = e[k + 1]! - e[k]!;
      assert.ok(
        Math.abs(step - 20 * Math.log10(0.5)) < 1.5,
        `echo ${k + 1} -> ${k + 2}: ${step.toFixed(1)} dB`,
      );
    }
    // nothing between the echoes
    const gap = rmsDb(
      x,
      Math.round((period + 0.08) * RATE),
      Math.round((2 * period - 0.02) * RATE),
    );
    assert.ok(gap < e[0]! - 20, `between echoes ${gap.toFixed(1)} dB`);
  }
});

Deno.test("render --stems: one file per orbit that sounds, adding up to the mix", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await render(
      `  set.play("a", s("bd*2").orbit(1).room(0.3));\n  set.play("b", note("c3 e3").s("epiano").orbit(2).delay(0.4));`,
      2,
      dir,
    );
    assert.deepEqual(Object.keys(r.stems!).map(Number).sort(), [1, 2]);
    const stems = Object.values(r.stems!).map((p) => readWavF32(Deno.readFileSync(p)));
    let maxDiff = 0, peak = 0;
    for (let i = 0; i < r.audio.length; i++) {
      const sum = stems.reduce((s, x) => s + x[i]!, 0);
      maxDiff = Math.max(maxDiff, Math.abs(sum - r.audio[i]!));
      peak = Math.max(peak, Math.abs(r.audio[i]!));
    }
    assert.ok(peak > 0.01, "the mix is silent");
    assert.ok(maxDiff < 1e-6, `stems differ from the mix by ${maxDiff}`);
    // each stem holds its own orbit's sound
    for (const x of stems) assert.ok(x.some((v) => Math.abs(v) > 0.01));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/effects.ts renders the same bytes twice and however the render is sliced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(PROJECT_ROOT, "examples", "effects.ts");
    const warnings: string[] = [];
    const once = async (name: string, chunkFrames: number) => {
      await renderSet(file, {
        out: join(dir, name),
        cycles: 2,
        chunkFrames,
        onWarning: (w) => warnings.push(w),
      });
      return await Deno.readFile(join(dir, name));
    };
    const a = await once("a.wav", 4800), b = await once("b.wav", 4800);
    const c = await once("c.wav", 1031);
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
    assert.deepEqual(warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test('unit "c" on a pattern: speed 1 stretches the kick to one cycle (rate = sample seconds x cps)', async () => {
  // the kick sample is 0.55 s; at 0.5 cps one cycle is 2 s: rate 0.275
  const play = (fx: string) => render(`  set.play("k", s("bd ~ ~ ~")${fx});`, 1);
  const plain = left((await play("")).audio);
  const fitted = left((await play('.unit("c").speed(1)')).audio);
  /** Seconds until the last frame above -60 dB of the peak. */
  const length = (x: Float32Array) => {
    const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let last = 0;
    x.forEach((v, i) => {
      if (Math.abs(v) > peak * 1e-3) last = i;
    });
    return last / RATE;
  };
  const ratio = length(fitted) / length(plain);
  assert.ok(Math.abs(ratio - 1 / 0.275) < 0.15, `stretched ${ratio.toFixed(2)}x, expected 3.64x`);
  assert.ok(length(fitted) <= 2.0 + 0.01, `the kick lasts ${length(fitted).toFixed(3)} s`);
});

Deno.test("negative speed on a pattern plays the sample backwards", async () => {
  const play = (fx: string) => render(`  set.play("k", s("bd ~ ~ ~")${fx});`, 1);
  const fwd = left((await play("")).audio);
  // held past the sample's end (legato 4): a reversed voice is released at its note-off
  const back = left((await play(".speed(-1).legato(4)")).audio);
  const n = Math.round(0.55 * RATE); // the kick sample's length
  // the reverse render over the sample, read backwards, against the forward one
  let dot = 0, ff = 0, bb = 0;
  for (let i = 0; i < n - 64; i++) {
    const f = fwd[i]!, b = back[n - 1 - i]!;
    dot += f * b;
    ff += f * f;
    bb += b * b;
  }
  const corr = dot / Math.sqrt(ff * bb);
  assert.ok(corr > 0.99, `correlation with the sample reversed: ${corr.toFixed(4)}`);
  assert.ok(rmsDb(back, n + 480, 2 * n) < -100, "nothing plays after the reversed sample");
});
