/**
 * Synth voices from sets, rendered offline: superdough's synth sound names
 * (`s("sawtooth")`, `s("supersaw")`, `s("white")`...) play the engine's
 * oscillators without any instrument file, at the pitches of their notes
 * (within 1 cent), with the note's controls (a low-pass), superdough's synth
 * envelope when the note sets none, `freq` instead of a note, FM sidebands,
 * and the same bytes on every render.
 */
import assert from "node:assert/strict";
import { renderSetBody } from "./perform_support.ts";

const RATE = 48000;

/** Render a set body at 120 bpm (0.5 cps, a cycle is 2 s): stereo float samples and the file's bytes. */
const render = (body: string, cycles: number) => renderSetBody(body, cycles);

const channel = (a: Float32Array, c: number) => a.filter((_, i) => i % 2 === c);

/** |DTFT| of x (Hann window) at f Hz. */
function dtft(x: Float32Array, f: number): number {
  const w = 2 * Math.PI * f / RATE, n = x.length;
  let re = 0, im = 0;
  for (let i = 0; i < n; i++) {
    const h = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
    re += x[i]! * h * Math.cos(w * i);
    im -= x[i]! * h * Math.sin(w * i);
  }
  return Math.hypot(re, im);
}

/** The frequency of the strongest line within +-50 cents of `near` (0.1 cent steps, refined). */
function pitchNear(x: Float32Array, near: number): number {
  let best = near, bestMag = -1;
  for (let c = -50; c <= 50; c += 0.5) {
    const f = near * 2 ** (c / 1200), m = dtft(x, f);
    if (m > bestMag) [best, bestMag] = [f, m];
  }
  for (let c = -0.5; c <= 0.5; c += 0.05) {
    const f = best * 2 ** (c / 1200), m = dtft(x, f);
    if (m > bestMag) [best, bestMag] = [f, m];
  }
  return best;
}

const cents = (f: number, ref: number) => 1200 * Math.log2(f / ref);
const midiHz = (n: number) => 440 * 2 ** ((n - 69) / 12);

Deno.test('note("c3 e3 g3").s("sawtooth").lpf(800): each note at its pitch within 1 cent, harmonics above the cutoff low', async () => {
  const { audio, warnings } = await render(
    `  set.play("saw", note("c3 e3 g3").s("sawtooth").lpf(800));`,
    1,
  );
  assert.deepEqual(warnings, []);
  const l = channel(audio, 0);
  const third = Math.round(2 * RATE / 3);
  [48, 52, 55].forEach((n, i) => {
    // the middle of each note, away from its attack and release
    const seg = l.slice(i * third + 4800, i * third + 4800 + 19200);
    const f = pitchNear(seg, midiHz(n));
    assert.ok(
      Math.abs(cents(f, midiHz(n))) < 1,
      `note ${n}: ${f.toFixed(3)} Hz, ${cents(f, midiHz(n)).toFixed(2)} cents`,
    );
    // a saw: the 2nd harmonic at about half the fundamental; two octaves past 800 Hz the
    // 12 dB filter takes the 24th (1/24 unfiltered) down by more than 12 dB
    const h1 = dtft(seg, f), h2 = dtft(seg, 2 * f), h24 = dtft(seg, 24 * f);
    assert.ok(h2 / h1 > 0.35 && h2 / h1 < 0.6, `2nd harmonic ${h2 / h1}`);
    assert.ok(h24 / h1 < 1 / 24 / 4, `24th harmonic ${h24 / h1}`);
  });
});

Deno.test("synth sounds play without instrument files; superdough's envelope; noise and supersaw; same bytes twice", async () => {
  const body = `  set.play("a", s("white supersaw sine square triangle pink brown saw"));`;
  const a = await render(body, 1), b = await render(body, 1);
  assert.deepEqual(a.warnings, []);
  assert.deepEqual(a.bytes, b.bytes);
  const l = channel(a.audio, 0), r = channel(a.audio, 1);
  const step = RATE * 2 / 8;
  for (let i = 0; i < 8; i++) {
    // sustain 0.6 after a 0.05 s decay: the level at the middle of the event is 0.6 of its peak
    let peak = 0, mid = 0;
    for (let k = 0; k < 2400; k++) peak = Math.max(peak, Math.abs(l[i * step + k]!));
    for (let k = 0; k < 2400; k++) mid = Math.max(mid, Math.abs(l[i * step + step / 2 + k]!));
    assert.ok(peak > 0.01, `sound ${i} plays`);
    if (i === 0 || i >= 5) continue; // noise: its peaks say little about the envelope
    assert.ok(Math.abs(mid / peak - 0.6) < 0.12, `sound ${i}: sustain ${mid / peak}`);
  }
  // the supersaw is stereo: its channels differ
  let diff = 0;
  for (let k = step; k < 2 * step; k++) diff += Math.abs(l[k]! - r[k]!);
  assert.ok(diff / step > 1e-3, "supersaw channels differ");
});

Deno.test("freq sets a synth's pitch; fm makes sidebands at fc +- fm", async () => {
  const { audio, warnings } = await render(
    `  set.play("a", s("sine").freq(1000).fm(1).fmh(0.5).sustain(1));`,
    1,
  );
  assert.deepEqual(warnings, []);
  const seg = channel(audio, 0).slice(4800, 4800 + 24000);
  const c = dtft(seg, 1000), up = dtft(seg, 1500), dn = dtft(seg, 500), off = dtft(seg, 1250);
  // J1(1) / J0(1) = 0.575
  assert.ok(
    Math.abs(up / c - 0.575) < 0.03 && Math.abs(dn / c - 0.575) < 0.03,
    `sidebands ${up / c} ${dn / c}`,
  );
  assert.ok(off / c < 1e-3, `between sidebands ${off / c}`);
});
