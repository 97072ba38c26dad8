/** Note names and scale degrees against known MIDI numbers; per-event scale failures. */
import assert from "node:assert/strict";
import { BadValue } from "./bad_value.ts";
import { noteNameToMidi, scaleDegree, scaleNote, SCALES } from "./scales.ts";

Deno.test("note names: c4 = 60, octave 3 by default, accidentals # s b f", () => {
  const cases: [string, number][] = [
    ["c4", 60],
    ["a4", 69],
    ["c3", 48],
    ["c", 48],
    ["C3", 48],
    ["eb3", 51],
    ["ef3", 51],
    ["f#2", 42],
    ["fs2", 42],
    ["bb", 58],
    ["c##4", 62],
    ["c-1", 0],
    ["g9", 127],
    [" d5 ", 74],
  ];
  for (const [name, midi] of cases) assert.equal(noteNameToMidi(name), midi, name);
});

Deno.test("a text that is no note name is a RangeError that quotes it", () => {
  for (const bad of ["h3", "", "c3.5", "3c", "cx"]) {
    assert.throws(() => noteNameToMidi(bad), (err: unknown) => {
      assert.ok(err instanceof RangeError);
      assert.equal(err.message, `Cannot read note "${bad}": use a name like "c3", "eb4" or "f#2"`);
      return true;
    });
  }
});

Deno.test("scale degrees: C major, minor pentatonic, negative and fractional degrees", () => {
  const major = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((d) => scaleDegree("C:major", d));
  assert.deepEqual(major, [48, 50, 52, 53, 55, 57, 59, 60, 62]);
  assert.deepEqual([-1, -7, -8].map((d) => scaleDegree("C:major", d)), [47, 36, 35]);
  assert.equal(scaleDegree("C:major", 0.5), 48.5); // the fraction adds semitones
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((d) => scaleDegree("D4:minor:pentatonic", d)),
    [62, 65, 67, 69, 72, 74],
  );
  assert.deepEqual(
    [0, 1, 2].map((d) => scaleDegree("A2 minor pentatonic", d)),
    [45, 48, 50],
  );
  assert.equal(scaleDegree("C2:minor", 2), 39);
  assert.equal(scaleDegree("Eb", 2), 55); // no name: major
  assert.equal(scaleDegree("C:Harmonic:Minor", 6), 59); // names are case-insensitive
});

Deno.test("every scale starts on its root and climbs within an octave", () => {
  for (const [name, steps] of Object.entries(SCALES)) {
    assert.equal(steps[0], 0, name);
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i]! > steps[i - 1]!, name);
    assert.ok(steps[steps.length - 1]! < 12, name);
  }
});

Deno.test("an unknown scale or root is a RangeError naming it and the known scales", () => {
  assert.throws(() => scaleDegree("C:nope", 0), (err: unknown) => {
    assert.ok(err instanceof RangeError);
    assert.match(err.message, /^Cannot use scale "C:nope": no scale "nope", use one of major, /);
    return true;
  });
  assert.throws(() => scaleDegree("X:major", 0), /Cannot read note "X"/);
});

Deno.test("scaleNote: a note, or a BadValue saying why, never a throw", () => {
  assert.equal(scaleNote("C:major", 2), 52);
  assert.equal(scaleNote("C:major", "4"), 55);
  const unknown = scaleNote("C:nope", 0);
  assert.ok(unknown instanceof BadValue);
  assert.match(unknown.reason, /^Cannot use scale "C:nope": no scale "nope"/);
  const notNumber = scaleNote("C:major", "x");
  assert.ok(notNumber instanceof BadValue);
  assert.equal(notNumber.reason, 'Cannot use scale "C:major": degree "x" is not a number');
  assert.ok(scaleNote("C:major", NaN) instanceof BadValue);
  assert.ok(scaleNote("C:major", undefined) instanceof BadValue);
  const earlier = new BadValue("earlier");
  assert.equal(scaleNote("C:major", earlier), earlier); // passed on, not wrapped
});
