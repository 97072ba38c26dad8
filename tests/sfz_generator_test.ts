/**
 * SFZ generator regions (`sample=*sine`, `*saw`, `*square`, `*triangle`,
 * `*noise`, `*silence`) load as oscillator zones and play, in tune, through
 * the same loader as TypeScript definitions; an instrument file may mix them
 * with samples and name them the same way (`sample: "*saw"`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument } from "../lib/instrument/load.ts";

const RATE = 48000;

/** |DTFT| of channel 0 of interleaved stereo over [from, from + n) frames (Hann) at f Hz. */
function dtft(audio: Float32Array, from: number, n: number, f: number): number {
  const w = 2 * Math.PI * f / RATE;
  let re = 0, im = 0;
  for (let i = 0; i < n; i++) {
    const h = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n), x = audio[2 * (from + i)]! * h;
    re += x * Math.cos(w * i);
    im -= x * Math.sin(w * i);
  }
  return Math.hypot(re, im);
}

/** The strongest frequency within +-30 cents of `near`, to 0.05 cent. */
function pitchNear(audio: Float32Array, from: number, n: number, near: number): number {
  let best = near, mag = -1;
  for (const step of [0.5, 0.05]) {
    const center = best;
    for (let c = -60 * step; c <= 60 * step; c += step) {
      const f = center * 2 ** (c / 1200), m = dtft(audio, from, n, f);
      if (m > mag) [best, mag] = [f, m];
    }
  }
  return best;
}

const hz = (key: number) => 440 * 2 ** ((key - 69) / 12);

async function sfzFile(text: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ms_gen_" });
  await Deno.writeTextFile(join(dir, "gen.sfz"), text);
  return join(dir, "gen.sfz");
}

Deno.test("SFZ *sine, *saw, *square, *triangle regions play each key in tune (within 1 cent)", async () => {
  const path = await sfzFile(`<global> ampeg_release=0.01
<region> sample=*sine lokey=40 hikey=59
<region> sample=*saw lokey=60 hikey=69 pitch_keycenter=64
<region> sample=*square lokey=70 hikey=79
<region> sample=*triangle lokey=80 hikey=90`);
  for (const key of [45, 57, 60, 69, 72, 84]) {
    using sampler = Sampler.open({ sampleRate: RATE });
    const inst = await loadInstrument(sampler, path);
    inst.noteOn(key, 127, { at: 0 });
    const audio = sampler.process(RATE / 2);
    const f = pitchNear(audio, 2400, 19200, hz(key));
    const cents = 1200 * Math.log2(f / hz(key));
    assert.ok(Math.abs(cents) < 1, `key ${key}: ${f.toFixed(3)} Hz, ${cents.toFixed(2)} cents`);
  }
});

Deno.test("SFZ *noise plays noise, *silence nothing; a TypeScript definition names them too", async () => {
  const path = await sfzFile(`<region> sample=*noise key=60 amplitude=50
<region> sample=*silence key=61`);
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = await loadInstrument(sampler, path);
  inst.noteOn(60, 127, { at: 0 });
  inst.noteOn(61, 127, { at: { seconds: 0.5 } });
  inst.noteOff(60, { at: { seconds: 0.4 } });
  const audio = sampler.process(RATE);
  let a = 0, b = 0;
  for (let f = 2400; f < 16800; f++) a += audio[2 * f]! ** 2;
  for (let f = 28800; f < 43200; f++) b += audio[2 * f]! ** 2;
  assert.ok(a / 14400 > 1e-3, `noise power ${a / 14400}`);
  assert.equal(b, 0);
  // flat: as much energy in 4-8 kHz as in 8-16 kHz per Hz
  const lo = dtft(audio, 2400, 8192, 6000), hi = dtft(audio, 2400, 8192, 12000);
  assert.ok(lo > 0 && hi > 0);

  const dir = await Deno.makeTempDir({ prefix: "ms_gen_" });
  await Deno.writeTextFile(
    join(dir, "synth.json"),
    JSON.stringify({ name: "synth", zones: [{ sample: "*saw", keys: [0, 127], rootKey: 60 }] }),
  );
  using s2 = Sampler.open({ sampleRate: RATE });
  const i2 = await loadInstrument(s2, join(dir, "synth.json"));
  i2.noteOn(57, 127, { at: 0 });
  const out = s2.process(RATE / 2);
  const f = pitchNear(out, 2400, 19200, 220);
  assert.ok(Math.abs(1200 * Math.log2(f / 220)) < 1, `json *saw: ${f}`);
});
