/**
 * MIDI out on offline renders through capture outputs: messages leave on
 * the frames they were scheduled for (beats and seconds through the clock),
 * from `MidiOut` and from `Instrument.noteOn(..., { midiOut })`; a panic
 * answers every sounding note; bad values are RangeErrors before anything
 * reaches the engine.
 */
import assert from "node:assert/strict";
import { Sampler } from "../engine/sampler.ts";

Deno.test("MidiOut: notes, a CC and clock leave on their exact frames, in order", () => {
  using s = Sampler.open({ sampleRate: 48000, tempo: 120 });
  const synth = s.midi.output("synth");
  assert.equal(synth.kind, "capture"); // no live output
  assert.equal(s.midi.output("synth"), synth);
  synth.noteOn(1, 60, 100, { at: { beats: 1 } }); // 24000
  synth.noteOff(1, 60, { at: { beats: 1.5 } }); // 36000
  synth.cc(16, 74, 64, { at: 12345 });
  synth.send(0xf8, 0, 0, { at: 7 });
  synth.send(0xc3, 5, 0, { at: 8 });
  s.process(48000);
  assert.deepEqual(synth.read(), [
    { frame: 7, bytes: [0xf8] },
    { frame: 8, bytes: [0xc3, 5] },
    { frame: 12345, bytes: [0xbf, 74, 64] },
    { frame: 24000, bytes: [0x90, 60, 100] },
    { frame: 36000, bytes: [0x80, 60, 0] },
  ]);
  assert.deepEqual(synth.counts(), { sent: 5, dropped: 0, sounding: 0 });
});

Deno.test("noteOn(..., { midiOut }) sends the note instead of playing it; panic answers what sounds", () => {
  using s = Sampler.open({ sampleRate: 48000 });
  const piano = s.createInstrument("piano");
  piano.noteOn(64, 90, { at: 100, midiOut: "keys", channel: 2 });
  piano.noteOn(67, 80, { at: 200, midiOut: "keys", channel: 2 });
  piano.noteOff(64, { at: 300, midiOut: "keys", channel: 2 });
  const keys = s.midi.output("keys");
  keys.panic({ at: 400 });
  const audio = s.process(1000);
  assert.ok(audio.every((x) => x === 0), "nothing played on the instrument");
  assert.deepEqual(keys.read(), [
    { frame: 100, bytes: [0x92, 64, 90] },
    { frame: 200, bytes: [0x92, 67, 80] },
    { frame: 300, bytes: [0x82, 64, 0] },
    { frame: 400, bytes: [0x82, 67, 0] }, // the panic: only 67 still sounded
  ]);
  assert.equal(keys.counts().sounding, 0);
  // the same output's messages and a second output's stay apart
  const other = s.midi.output("other");
  other.noteOn(1, 1, 1, { at: 1100 });
  s.midi.panicOutputs(1200);
  s.process(400);
  assert.deepEqual(keys.read(), []);
  assert.deepEqual(other.read().map((m) => [m.frame, ...m.bytes]), [[1100, 0x90, 1, 1], [
    1200,
    0x80,
    1,
    0,
  ]]);
});

Deno.test("MidiOut: values out of range are RangeErrors naming the output", () => {
  using s = Sampler.open();
  const o = s.midi.output("o");
  assert.throws(
    () => o.noteOn(0, 60, 100),
    /MIDI output "o": channel must be an integer 1..16, got "0"/,
  );
  assert.throws(() => o.noteOn(1, 128, 100), /data1 must be an integer 0..127, got "128"/);
  assert.throws(() => o.send(0xf0), /status "0xf0" is not a channel message/);
  assert.throws(() => s.midi.output("o", { kind: "jack" }), /it is open as "capture"/);
  assert.throws(
    () => s.midi.output("j", { kind: "jack" }),
    /Cannot open JACK MIDI output "j": the sampler has no live output open/,
  );
  assert.throws(() => s.midi.output("a:b"), /without ":"/);
});
