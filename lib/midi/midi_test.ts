/**
 * MIDI mappings on offline renders: each feature declared in TypeScript,
 * compiled into the engine and played by MS_EV_MIDI records at exact frames,
 * with an audible assertion (pitch by zero crossings, level by peak);
 * malformed mappings fail with the field path; Standard MIDI Files honour
 * their tempo map.
 */
import assert from "node:assert/strict";
import { risingCrossingHz, twoSineInstruments } from "../../tests/audio_analysis.ts";
import { writeMidi } from "midi-file";
import { MidiMapError } from "./errors.ts";
import { parseMidiFile, scheduleMidiFile } from "./smf.ts";
import { keyNumber } from "./schema.ts";

const RATE = 48000;

const hz = (root: number, key: number) => 440 * 2 ** ((key - root) / 12);

const freq = (audio: Float32Array, from: number, to: number) =>
  risingCrossingHz(audio, from, to, RATE);

function peak(audio: Float32Array, from: number, to: number): number {
  let p = 0;
  for (let i = from; i < to; i++) p = Math.max(p, Math.abs(audio[2 * i]!));
  return p;
}

Deno.test("split with transpose: keys below C4 play 'a' an octave up, from C4 'b'", () => {
  using s = twoSineInstruments(RATE);
  s.midi.setMap({
    layers: [
      { instrument: "a", keys: [0, "B3"], transpose: 12 },
      { instrument: "b", keys: ["C4", 127] },
    ],
  });
  s.midi.send([0x90, 57, 100], { at: 0 });
  s.midi.send([0x80, 57, 0], { at: 9600 });
  s.midi.send([0x90, 60, 100], { at: 19200 });
  const audio = s.process(28800);
  assert.ok(Math.abs(freq(audio, 500, 9000) - hz(69, 69)) < 1, "57 + 12 on 'a'");
  assert.ok(Math.abs(freq(audio, 20000, 28000) - hz(57, 60)) < 1, "60 on 'b'");
});

Deno.test("layers: a hard note adds 'a' an octave down under 'b'", () => {
  using s = twoSineInstruments(RATE);
  s.midi.setMap({
    layers: [{ instrument: "b" }, { instrument: "a", velocities: [100, 127], transpose: -12 }],
  });
  s.midi.send([0x90, 69, 50], { at: 0 });
  s.process(4800);
  assert.equal(s.stats().voicesActive, 1);
  s.midi.send([0x80, 69, 0, 0x90, 69, 110]);
  s.process(4800);
  assert.equal(s.stats().voicesActive, 2);
  s.midi.send([0x80, 69, 0]);
  s.process(4800);
  assert.equal(s.stats().voicesActive, 0, "the note-off released both layers");
});

Deno.test("velocity curves: soft is louder than linear at a low velocity, fixed ignores velocity", () => {
  const level = (curve: unknown, vel: number): number => {
    using s = twoSineInstruments(RATE);
    s.midi.setMap({ layers: [{ instrument: "b", velocityCurve: curve as "linear" }] });
    s.midi.send([0x90, 57, vel], { at: 0 });
    return peak(s.process(4800), 1000, 4800);
  };
  const linear = level("linear", 40), soft = level("soft", 40), hard = level("hard", 40);
  assert.ok(
    soft > linear * 1.5 && hard < linear / 1.5,
    `soft ${soft} linear ${linear} hard ${hard}`,
  );
  assert.ok(Math.abs(level({ fixed: 127 }, 10) - level("linear", 127)) < 1e-3);
  const table = Array.from({ length: 128 }, (_, v) => (v > 0 ? 127 - v + 1 : 0));
  assert.ok(level({ table }, 127) < level({ table }, 1) / 10, "an inverted table");
});

Deno.test("sustain: CC64 holds a released note until the pedal lifts", () => {
  using s = twoSineInstruments(RATE);
  s.midi.setMap({ layers: [{ instrument: "b" }] });
  s.midi.send([0xb0, 64, 127, 0x90, 57, 100], { at: 0 });
  s.midi.send([0x80, 57, 0], { at: 2400 });
  s.midi.send([0xb0, 64, 0], { at: 24000 });
  const audio = s.process(36000);
  assert.ok(peak(audio, 20000, 24000) > 0.1, "held by the pedal");
  assert.ok(peak(audio, 30000, 36000) < 1e-4, "released at pedal up");
});

Deno.test("pitch bend with a declared range of 7 semitones", () => {
  using s = twoSineInstruments(RATE);
  s.midi.setMap({ layers: [{ instrument: "b" }], channels: [{ channel: 1, bendRange: 7 }] });
  s.midi.send([0x90, 57, 100], { at: 0 });
  s.midi.send([0xe0, 0x00, 0x00], { at: 9600 }); // full down: -7 semitones
  const audio = s.process(24000);
  assert.ok(Math.abs(freq(audio, 1000, 9000) - 440) < 1);
  assert.ok(Math.abs(freq(audio, 12000, 23000) - hz(57, 50)) < 1, `${freq(audio, 12000, 23000)}`);
});

Deno.test("program change selects the layer; a CC mapped to pan with a range", () => {
  using s = twoSineInstruments(RATE);
  s.midi.setMap({
    layers: [{ instrument: "a", program: 0 }, { instrument: "b", program: 3 }],
    controllers: [{ cc: 74, param: "pan", range: [-1, 1] }],
  });
  s.midi.send([0xc0, 3, 0x90, 57, 100, 0xb0, 74, 0], { at: 0 });
  const audio = s.process(4800);
  assert.ok(Math.abs(freq(audio, 2000, 4800) - 440) < 1, "program 3: 'b' plays key 57 at 440 Hz");
  let right = 0;
  for (let i = 2000; i < 4800; i++) right = Math.max(right, Math.abs(audio[2 * i + 1]!));
  assert.ok(right < 0.01 && peak(audio, 2000, 4800) > 0.1, "panned hard left by CC74 = 0");
});

Deno.test("a malformed mapping fails with the field path", () => {
  using s = twoSineInstruments(RATE);
  const fails = (map: unknown, path: (string | number)[], text: string) =>
    assert.throws(
      () => s.midi.setMap(map as never, "mapping.ts"),
      (e: unknown) =>
        e instanceof MidiMapError && JSON.stringify(e.path) === JSON.stringify(path) &&
        e.message.includes(text) && e.message.startsWith('Cannot set MIDI map "mapping.ts": '),
    );
  fails({ layers: [{ instrument: "a" }, { instrument: "b", keys: [60, 200] }] }, [
    "layers",
    1,
    "keys",
    1,
  ], "layers[1].keys[1]");
  fails({ layers: [{ instrument: "a", keys: [72, 60] }] }, ["layers", 0, "keys"], "low key");
  fails({ layers: [{ instrument: "nope" }] }, ["layers", 0, "instrument"], '"nope"');
  fails(
    { layers: [], controllers: [{ cc: 7, param: "volumeDb", range: [-200, 0] }] },
    ["controllers", 0, "range", 0],
    "outside",
  );
  fails({ layers: [{ instrument: "a", velocityCurve: "medium" }] }, [
    "layers",
    0,
    "velocityCurve",
  ], "velocityCurve");
  fails({ layers: [{ instrument: "a", channels: [0] }] }, ["layers", 0, "channels", 0], ">=1");
});

Deno.test("note names", () => {
  assert.deepEqual(["C4", "A4", "C-1", "G9", "F#3", "Bb2"].map(keyNumber), [
    60,
    69,
    0,
    127,
    54,
    46,
  ]);
  assert.equal(keyNumber("H2"), undefined);
});

Deno.test("a Standard MIDI File plays on its tempo map", () => {
  const bytes = new Uint8Array(writeMidi({
    header: { format: 1, numTracks: 2, ticksPerBeat: 480 },
    tracks: [
      [
        { deltaTime: 0, meta: true, type: "setTempo", microsecondsPerBeat: 500000 }, // 120
        { deltaTime: 960, meta: true, type: "setTempo", microsecondsPerBeat: 250000 }, // 240 from beat 2
        { deltaTime: 0, meta: true, type: "endOfTrack" },
      ],
      [
        { deltaTime: 480, type: "noteOn", channel: 0, noteNumber: 57, velocity: 100 }, // 0.5 s
        { deltaTime: 480, type: "noteOff", channel: 0, noteNumber: 57, velocity: 0 }, // 1.0 s
        { deltaTime: 480, type: "noteOn", channel: 0, noteNumber: 69, velocity: 100 }, // 1.25 s
        { deltaTime: 480, type: "noteOff", channel: 0, noteNumber: 69, velocity: 0 }, // 1.5 s
        { deltaTime: 0, meta: true, type: "endOfTrack" },
      ],
    ],
  }));
  const song = parseMidiFile(bytes);
  assert.deepEqual(song.events.map((e) => e.seconds), [0.5, 1, 1.25, 1.5]);
  assert.deepEqual(song.tempos, [{ seconds: 0, beat: 0, bpm: 120 }, {
    seconds: 1,
    beat: 2,
    bpm: 240,
  }]);
  using s = twoSineInstruments(RATE);
  s.midi.setMap({ layers: [{ instrument: "b" }] });
  assert.equal(scheduleMidiFile(s, song), 1.5);
  assert.equal(s.clock.bpmAt(3), 240, "the clock follows the file's tempo map");
  const audio = s.process(RATE * 2);
  const onset = (from: number) => {
    for (let i = from; i < audio.length / 2; i++) if (Math.abs(audio[2 * i]!) > 0.01) return i;
    return -1;
  };
  assert.ok(Math.abs(onset(0) - 0.5 * RATE) <= 2);
  assert.ok(Math.abs(onset(Math.round(1.1 * RATE)) - 1.25 * RATE) <= 2);
  assert.ok(Math.abs(freq(audio, 1.3 * RATE, 1.45 * RATE) - hz(57, 69)) < 1);
});
