/**
 * Every path a per-note control takes reaches the voice: noteOn's controls,
 * a zone's controls, the instrument's (setControl, clearControl), a MIDI
 * layer's controls and a MIDI controller that targets a control. Each plays
 * white noise through a 1 kHz low-pass set that way and checks the level two
 * octaves above (4 kHz) against the same note without it: about 24 dB down.
 */
import assert from "node:assert/strict";
import { Sampler } from "../lib/engine/sampler.ts";
import type { Instrument } from "../lib/engine/instrument.ts";

const RATE = 48000;
/** Frames per note slot: a note plays [slot * k, slot * k + NOTE). */
const SLOT = 24000, NOTE = 20000;

function noise(n: number): Float32Array<ArrayBuffer> {
  const x = new Float32Array(n);
  let s = 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s / 2 ** 32) * 2 - 1;
  }
  return x;
}

/** Power (dB) near f Hz in the left channel of frames [from, from + len), Goertzel over 2048-frame windows. */
function levelDb(audio: Float32Array, f: number, from: number, len: number): number {
  const k = 2 * Math.cos(2 * Math.PI * f / RATE);
  let acc = 0;
  for (let w = from; w + 2048 <= from + len; w += 1024) {
    let s1 = 0, s2 = 0;
    for (let i = 0; i < 2048; i++) {
      const v = audio[2 * (w + i)]! + k * s1 - s2;
      s2 = s1;
      s1 = v;
    }
    acc += s1 * s1 + s2 * s2 - k * s1 * s2;
  }
  return 10 * Math.log10(acc);
}

/** A sampler with one noise zone (keys 0..127) on instrument "n". */
function setup(zone: Record<string, unknown> = {}): { sampler: Sampler; inst: Instrument } {
  const sampler = Sampler.open({ sampleRate: RATE });
  const sample = sampler.createSample(noise(RATE), { channels: 1, sampleRate: RATE });
  const inst = sampler.createInstrument("n");
  inst.addZone(sample, { rootKey: 60, ...zone });
  return { sampler, inst };
}

/** dB at 4 kHz of note slot `k` relative to slot 0 (the unfiltered reference). */
function drop(audio: Float32Array, k: number): number {
  return levelDb(audio, 4000, k * SLOT + 2000, NOTE - 4000) -
    levelDb(audio, 4000, 2000, NOTE - 4000);
}

const lowPassed = (db: number) => db < -18 && db > -30;

Deno.test("noteOn controls: a 1 kHz low-pass on one note only; bad values are RangeErrors naming the control", () => {
  const { sampler, inst } = setup();
  using _ = sampler;
  inst.noteOn(60, 100, { at: 0 });
  inst.noteOff(60, { at: NOTE });
  inst.noteOn(60, 100, { at: SLOT, controls: { cutoff: 1000, resonance: 0 } });
  inst.noteOff(60, { at: SLOT + NOTE });
  inst.noteOn(60, 100, { at: 2 * SLOT });
  inst.noteOff(60, { at: 2 * SLOT + NOTE });
  const audio = sampler.process(3 * SLOT);
  assert.ok(lowPassed(drop(audio, 1)), `4 kHz ${drop(audio, 1).toFixed(1)} dB`);
  assert.ok(Math.abs(drop(audio, 2)) < 1, "the next note plays without the filter");
  assert.throws(
    () => inst.noteOn(60, 100, { controls: { cutoff: 30000 } }),
    /Cannot play note 60 on "n": cutoff 30000 is outside 5\.\.24000 Hz/,
  );
  assert.throws(
    () => inst.noteOn(60, 100, { controls: { vowel: "x" } as never }),
    /vowel "x" is not one of a e i o u/,
  );
  assert.throws(() => inst.noteOn(60, 100, { controls: { lpf: 1 } as never }), /no control "lpf"/);
});

Deno.test("zone controls: the zone's notes play them, a note's own win", () => {
  const sampler = Sampler.open({ sampleRate: RATE });
  using _ = sampler;
  const sample = sampler.createSample(noise(RATE), { channels: 1, sampleRate: RATE });
  const inst = sampler.createInstrument("n");
  inst.addZone(sample, { rootKey: 60, keys: [0, 60] });
  inst.addZone(sample, { rootKey: 61, keys: [61, 61], controls: { cutoff: 1000, resonance: 0 } });
  inst.noteOn(60, 100, { at: 0 });
  inst.noteOff(60, { at: NOTE });
  inst.noteOn(61, 100, { at: SLOT });
  inst.noteOff(61, { at: SLOT + NOTE });
  inst.noteOn(61, 100, { at: 2 * SLOT, controls: { cutoff: 20000 } });
  inst.noteOff(61, { at: 2 * SLOT + NOTE });
  const audio = sampler.process(3 * SLOT);
  assert.ok(lowPassed(drop(audio, 1)), `zone: 4 kHz ${drop(audio, 1).toFixed(1)} dB`);
  assert.ok(drop(audio, 2) > -3, `the note's cutoff wins: ${drop(audio, 2).toFixed(1)} dB`);
});

Deno.test("instrument controls: setControl applies to later notes, clearControl removes it", () => {
  const { sampler, inst } = setup();
  using _ = sampler;
  inst.noteOn(60, 100, { at: 0 });
  inst.noteOff(60, { at: NOTE });
  inst.setControl("cutoff", 1000, { at: SLOT - 100 });
  inst.setControl("resonance", 0, { at: SLOT - 100 });
  inst.noteOn(60, 100, { at: SLOT });
  inst.noteOff(60, { at: SLOT + NOTE });
  inst.clearControl("cutoff", { at: 2 * SLOT - 100 });
  inst.noteOn(60, 100, { at: 2 * SLOT });
  inst.noteOff(60, { at: 2 * SLOT + NOTE });
  const audio = sampler.process(3 * SLOT);
  assert.ok(lowPassed(drop(audio, 1)), `setControl: 4 kHz ${drop(audio, 1).toFixed(1)} dB`);
  assert.ok(Math.abs(drop(audio, 2)) < 1, `cleared: ${drop(audio, 2).toFixed(1)} dB`);
  assert.throws(() => inst.setControl("cutoff", 1), /cutoff 1 is outside 5\.\.24000 Hz/);
});

Deno.test("MIDI: a layer's controls and a controller targeting a control reach the notes", () => {
  const { sampler } = setup();
  using _ = sampler;
  // reference note, then a map whose layer low-passes
  sampler.midi.send([0x90, 60, 100], { at: 0 });
  sampler.midi.send([0x80, 60, 0], { at: NOTE });
  sampler.midi.setMap({ layers: [{ instrument: "n" }] });
  const ref = sampler.process(SLOT);
  sampler.midi.setMap({ layers: [{ instrument: "n", controls: { cutoff: 1000, resonance: 0 } }] });
  sampler.midi.send([0x90, 60, 100], { at: SLOT });
  sampler.midi.send([0x80, 60, 0], { at: SLOT + NOTE });
  const layer = sampler.process(SLOT);
  // a controller: CC 74 sets the cutoff from 1000 (0) to 20000 (127); the layer's is cleared
  sampler.midi.setMap({
    layers: [{ instrument: "n" }],
    controllers: [{ cc: 74, control: "cutoff", range: [1000, 20000] }],
  });
  sampler.midi.send([0xb0, 74, 0], { at: 2 * SLOT });
  sampler.midi.send([0x90, 60, 100], { at: 2 * SLOT + 100 });
  sampler.midi.send([0x80, 60, 0], { at: 2 * SLOT + NOTE });
  const cc = sampler.process(SLOT);
  const audio = new Float32Array([...ref, ...layer, ...cc]);
  assert.ok(lowPassed(drop(audio, 1)), `layer: 4 kHz ${drop(audio, 1).toFixed(1)} dB`);
  assert.ok(drop(audio, 2) < -15, `controller: 4 kHz ${drop(audio, 2).toFixed(1)} dB`);
  assert.throws(
    () =>
      sampler.midi.setMap({
        layers: [{ instrument: "n" }],
        controllers: [{ cc: 74, control: "cutoff", range: [1, 20000] }],
      }),
    /range.*outside cutoff's 5\.\.24000/,
  );
});

Deno.test("many notes with many controls in one window: none dropped (a note's controls count against the ring budget)", () => {
  const { sampler, inst } = setup();
  using _ = sampler;
  const controls = {
    cutoff: 3000,
    resonance: 2,
    hcutoff: 50,
    attack: 0.001,
    decay: 0.05,
    sustain: 0.5,
    release: 0.02,
    crush: 12,
    shape: 0.2,
    postgain: 0.8,
    begin: 0.1,
    end: 0.5,
  };
  for (let i = 0; i < 1500; i++) {
    inst.noteOn(60, 100, { at: i * 16, controls });
    inst.noteOff(60, { at: i * 16 + 8 });
  }
  sampler.process(48000);
  assert.equal(sampler.stats().eventsDropped, 0);
});
