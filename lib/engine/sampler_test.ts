import assert from "node:assert/strict";
import {
  EngineStateError,
  LimitError,
  OutputFileError,
  SampleLoadError,
  UnsupportedError,
  WrongSamplerError,
} from "../errors.ts";
import { Sampler } from "./sampler.ts";

const RATE = 48000;

function sine(frames: number, hz = 440, rate = RATE): Float32Array<ArrayBuffer> {
  return new Float32Array(frames).map((_, i) => 0.5 * Math.sin(2 * Math.PI * hz * i / rate));
}

function firstNonZeroFrame(audio: Float32Array, channels: number): number {
  for (let i = 0; i < audio.length; i++) if (audio[i] !== 0) return Math.floor(i / channels);
  return -1;
}

Deno.test("a note scheduled at a frame starts sounding on exactly that frame", () => {
  using sampler = Sampler.open({ sampleRate: RATE });
  const inst = sampler.createInstrument("sine");
  inst.addZone(sampler.createSample(sine(RATE)), {
    rootKey: 69,
    loop: { mode: "one-shot" },
    envelope: { attack: 0 },
  });
  inst.noteOn(69, 127, { at: 1000 });
  const audio = sampler.process(3000);
  assert.equal(audio.length, 3000 * 2);
  // a sine starts at 0: the first non-zero sample is the first or second frame of the note
  const first = firstNonZeroFrame(audio, 2);
  assert.ok(first === 1000 || first === 1001, `first sound at frame ${first}`);
  assert.equal(sampler.now(), 3000);
  const st = sampler.stats();
  assert.equal(st.framesRendered, 3000);
  assert.equal(st.eventsReceived, 1);
  assert.equal(st.eventsPending, 0);
  assert.equal(st.voicesPeak, 1);
});

Deno.test("beats and seconds schedule through the sampler's clock", () => {
  using sampler = Sampler.open({ sampleRate: RATE, tempo: 240 }); // a beat = 12000 frames
  const inst = sampler.createInstrument("sine");
  inst.addZone(sampler.createSample(sine(RATE)), { rootKey: 69, envelope: { attack: 0 } });
  inst.noteOn(69, 127, { at: { beats: 1 } });
  const audio = sampler.process(14000);
  const first = firstNonZeroFrame(audio, 2);
  assert.ok(first === 12000 || first === 12001, `first sound at frame ${first}`);
  assert.equal(sampler.clock.framesFor({ seconds: 0.25 }), 12000);
});

Deno.test("note 128 and velocity -1 are RangeErrors before anything reaches C", () => {
  using sampler = Sampler.open();
  const inst = sampler.createInstrument("x");
  assert.throws(() => inst.noteOn(128, 100), RangeError);
  assert.throws(() => inst.noteOn(60, -1), RangeError);
  assert.throws(() => inst.noteOn(60.5, 100), RangeError);
  assert.throws(() => inst.noteOff(-1), RangeError);
  assert.throws(() => inst.cc(128, 0), RangeError);
  assert.throws(() => inst.pitchBend(8192), RangeError);
  assert.throws(() => inst.setParam("volumeDb", 30), RangeError);
  assert.throws(() => inst.noteOn(60, 100, { at: -5 }), RangeError);
  assert.equal(sampler.stats().eventsPending, 0);
  sampler.process(256);
  assert.equal(sampler.stats().eventsReceived, 0);
});

Deno.test("thousands of events in a window are sent in slices no bigger than half the ring", () => {
  using sampler = Sampler.open({ ringCapacity: 64, maxPolyphony: 16 });
  const inst = sampler.createInstrument("sine");
  inst.addZone(sampler.createSample(sine(4800)), { rootKey: 69 });
  for (let i = 0; i < 5000; i++) {
    inst.noteOn(60 + (i % 12), 100, { at: i * 4 });
    inst.noteOff(60 + (i % 12), { at: i * 4 + 2 });
  }
  sampler.process(5000 * 4 + 100);
  const st = sampler.stats();
  assert.equal(st.eventsDropped, 0);
  assert.equal(st.eventsReceived, 10000);
  assert.equal(st.eventsLate, 0);
});

Deno.test("typed errors: missing and corrupt samples, bad output files", () => {
  using sampler = Sampler.open();
  assert.throws(
    () => sampler.loadSample("/nonexistent/kick.wav"),
    (e: unknown) =>
      e instanceof SampleLoadError && e.code === "MS_ERR_FILE_NOT_FOUND" &&
      e.message.includes("/nonexistent/kick.wav"),
  );
  const junk = Deno.makeTempFileSync({ suffix: ".wav" });
  Deno.writeTextFileSync(junk, "this is not audio");
  try {
    assert.throws(
      () => sampler.loadSample(junk),
      (e: unknown) => e instanceof SampleLoadError && e.code === "MS_ERR_FILE_FORMAT",
    );
  } finally {
    Deno.removeSync(junk);
  }
  assert.throws(() => sampler.renderToFile("/nonexistent/dir/out.wav"), OutputFileError);
  const dir = Deno.makeTempDirSync();
  try {
    assert.throws(
      () => sampler.renderToFile(`${dir}/x.flac`, { bits: "32f" }),
      UnsupportedError,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("after close every handle is an EngineStateError, and close is idempotent", () => {
  const sampler = Sampler.open();
  const inst = sampler.createInstrument("x");
  const sample = sampler.createSample(sine(100));
  sampler.close();
  sampler.close();
  assert.equal(sampler.open, false);
  assert.throws(() => sampler.process(10), EngineStateError);
  assert.throws(() => sampler.createInstrument("y"), EngineStateError);
  assert.throws(() => inst.noteOn(60, 100), EngineStateError);
  assert.throws(() => inst.addZone(sample), EngineStateError);
  assert.throws(() => sampler.stats(), EngineStateError);
  inst.dispose(); // no-op, no crash
  sample.dispose();
});

Deno.test("disposing an instrument drops its pending events; others play on", () => {
  using sampler = Sampler.open();
  const a = sampler.createInstrument("a");
  const b = sampler.createInstrument("b");
  const s = sampler.createSample(sine(4800));
  a.addZone(s);
  b.addZone(s);
  a.noteOn(60, 100, { at: 100 });
  b.noteOn(60, 100, { at: 100 });
  a.dispose();
  assert.throws(() => a.noteOn(60, 100), EngineStateError);
  sampler.process(1000);
  assert.equal(sampler.stats().eventsReceived, 1);
  assert.equal(sampler.instruments.length, 1);
});

Deno.test("renderToFile writes a WAV whose header matches its length", () => {
  const dir = Deno.makeTempDirSync();
  try {
    using sampler = Sampler.open({ channels: 2 });
    const inst = sampler.createInstrument("sine");
    inst.addZone(sampler.createSample(sine(RATE)), { rootKey: 69 });
    inst.noteOn(69, 100, { at: 0 });
    inst.noteOff(69, { at: { seconds: 0.5 } });
    const file = sampler.renderToFile(`${dir}/out.wav`, { bits: 16 });
    file.write(RATE);
    assert.equal(file.frames, RATE);
    assert.ok(file.peak > 0.1 && file.peak <= 1, `peak ${file.peak}`);
    file.close();
    const bytes = Deno.readFileSync(`${dir}/out.wav`);
    const v = new DataView(bytes.buffer);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "RIFF");
    assert.equal(v.getUint32(4, true), bytes.length - 8);
    assert.ok(bytes.length >= RATE * 2 * 2 + 44);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a note an octave above the root plays at twice the frequency", () => {
  using sampler = Sampler.open();
  const inst = sampler.createInstrument("p");
  inst.addZone(sampler.createSample(sine(RATE)), { rootKey: 69, envelope: { attack: 0 } });
  inst.noteOn(81, 127, { at: 0 });
  const o = sampler.process(24000);
  let crossings = 0;
  for (let i = 2; i < o.length; i += 2) if ((o[i - 2]! < 0) !== (o[i]! < 0)) crossings++;
  const hz = crossings / 2 / 0.5;
  assert.ok(Math.abs(hz - 880) <= 2, `measured ${hz} Hz`);
});

Deno.test("a 32-bit float file holds exactly what process() returns for the same events", () => {
  const perform = (s: Sampler) => {
    const inst = s.createInstrument("a");
    inst.addZone(s.createSample(sine(RATE)), { rootKey: 69 });
    for (let i = 0; i < 50; i++) {
      inst.noteOn(60 + (i % 20), 100, { at: 37 * i + 5 });
      inst.noteOff(60 + (i % 20), { at: 37 * i + 300 });
    }
    inst.setParam("volumeDb", -6, { at: 1000 });
    inst.pitchBend(4000, { at: 1500 });
  };
  using s1 = Sampler.open();
  perform(s1);
  const mem = s1.process(4000);
  const dir = Deno.makeTempDirSync();
  try {
    using s2 = Sampler.open();
    perform(s2);
    const f = s2.renderToFile(`${dir}/x.wav`, { bits: "32f" });
    f.write(4000);
    f.close();
    assert.ok(f.peak > 0); // readable after close
    const bytes = Deno.readFileSync(`${dir}/x.wav`);
    const view = new DataView(bytes.buffer);
    let off = 12;
    let data: Float32Array | undefined;
    while (off + 8 <= bytes.length) {
      const id = new TextDecoder().decode(bytes.subarray(off, off + 4));
      const len = view.getUint32(off + 4, true);
      if (id === "data") {
        data = new Float32Array(bytes.slice(off + 8, off + 8 + len).buffer);
        break;
      }
      off += 8 + len + (len & 1);
    }
    assert.ok(data, "no data chunk");
    assert.deepEqual(data, mem);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("allNotesOff and allSoundOff end every voice; a past event counts as late", () => {
  using sampler = Sampler.open();
  const inst = sampler.createInstrument("x");
  inst.addZone(sampler.createSample(sine(RATE)), { loop: { mode: "forward" } });
  for (let n = 60; n < 70; n++) inst.noteOn(n, 100, { at: 0 });
  sampler.process(1000);
  assert.equal(sampler.stats().voicesActive, 10);
  sampler.allNotesOff(1000);
  sampler.process(RATE);
  assert.equal(sampler.stats().voicesActive, 0);
  for (let n = 60; n < 70; n++) inst.noteOn(n, 100);
  sampler.process(500);
  sampler.allSoundOff();
  sampler.process(500);
  assert.equal(sampler.stats().voicesActive, 0);
  inst.noteOn(60, 100, { at: 10 });
  sampler.process(128);
  assert.equal(sampler.stats().eventsLate, 1);
});

Deno.test("LimitError past maxInstruments; WrongSamplerError for another sampler's sample", () => {
  using a = Sampler.open({ maxInstruments: 1 });
  const one = a.createInstrument("one");
  assert.throws(() => a.createInstrument("two"), LimitError);
  using b = Sampler.open();
  assert.throws(() => one.addZone(b.createSample(sine(100))), WrongSamplerError);
  assert.throws(() => a.createInstrument(""), RangeError);
  assert.throws(() => a.createSample(new Float32Array(0)), RangeError);
  assert.throws(() => a.createSample(new Float32Array(3), { channels: 2 }), RangeError);
  assert.throws(() => a.createInstrument("x".repeat(64)), RangeError);
});

Deno.test("the render-time histogram counts every call; p50 <= p99 <= max bucket", () => {
  using sampler = Sampler.open({ bufferSize: 64 });
  const inst = sampler.createInstrument("h");
  inst.addZone(sampler.createSample(new Float32Array(48000).fill(0.2)), { rootKey: 60 });
  for (let i = 0; i < 8; i++) inst.noteOn(60 + i, 100, { at: i * 500 });
  for (let i = 0; i < 300; i++) sampler.process(64);
  const s = sampler.stats();
  const hist = sampler.renderHistogram();
  assert.equal(hist.length, 128);
  assert.equal(hist.reduce((a, b) => a + b, 0), s.blocksRendered, "one count per render call");
  assert.ok(s.renderNsP50 > 0, "p50 is positive once blocks were rendered");
  assert.ok(s.renderNsP50 <= s.renderNsP99, `p50 ${s.renderNsP50} <= p99 ${s.renderNsP99}`);
  // p99 is a bucket's upper edge: at most 12.5 % (plus the 1 us floor) above the slowest call
  assert.ok(s.renderNsP99 <= Math.max(s.renderNsMax * 1.125, 1000) + 1);
});

Deno.test("sampleBits 16 halves sample memory and sounds the same within 16-bit rounding", () => {
  const render = (bits: 16 | 32) => {
    using sampler = Sampler.open({ sampleBits: bits });
    const sine = new Float32Array(4800).map((_, i) =>
      0.5 * Math.sin(2 * Math.PI * 100 * i / 48000)
    );
    const sample = sampler.createSample(sine);
    const inst = sampler.createInstrument("w");
    inst.addZone(sample, { rootKey: 60, loop: { mode: "forward", start: 0, end: 4800 } });
    inst.noteOn(64, 100, { at: 0 });
    return { out: sampler.process(4800), bytes: sample.info.bytes };
  };
  const f = render(32), h = render(16);
  assert.equal(h.bytes * 2, f.bytes, "int16 holds half the bytes");
  let worst = 0;
  for (let i = 0; i < f.out.length; i++) worst = Math.max(worst, Math.abs(f.out[i]! - h.out[i]!));
  assert.ok(worst < 3 / 32768, `within 3 LSB (${worst})`);
  assert.ok(worst > 0, "the 16-bit path really ran (some rounding differs)");
});
