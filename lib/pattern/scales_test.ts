/** Note names, Strudel's scale names through @strudel/tonal, per-event scale failures. */
import assert from "node:assert/strict";
import { BadValue } from "./bad_value.ts";
import { noteNameToMidi, scaleNote, scaleProblem } from "./scales.ts";

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

Deno.test("scale degrees in Strudel's names: note names as tonal gives them", () => {
  const notes = (scale: string, degrees: number[]) =>
    degrees.map((d) => scaleNote(scale, d)).map((x) => noteNameToMidi(String(x)));
  assert.deepEqual(notes("C:major", [0, 1, 2, 3, 4, 5, 6, 7, 8]), [
    48,
    50,
    52,
    53,
    55,
    57,
    59,
    60,
    62,
  ]);
  assert.deepEqual(notes("C:major", [-1, -7, -8]), [47, 36, 35]);
  assert.deepEqual(notes("D4:minor:pentatonic", [0, 1, 2, 3, 4, 5]), [62, 65, 67, 69, 72, 74]);
  assert.deepEqual(notes("A2 minor pentatonic", [0, 1, 2]), [45, 48, 50]);
  assert.deepEqual(notes("C minor", [0, 1, 2, 3, 4, 5, 6]), [48, 50, 51, 53, 55, 56, 58]);
  assert.deepEqual(notes("C:minor", [2]), [51]);
  // hirajoshi: 1 2 b3 5 b6 (tonal's scale type)
  assert.deepEqual(notes("D3 hirajoshi", [0, 1, 2, 3, 4, 5]), [50, 52, 53, 57, 58, 62]);
  assert.deepEqual(notes("C2:minor", [2]), [39]);
  assert.equal(scaleNote("C:major", "2"), "E3"); // note names, as Strudel gives them
  assert.equal(scaleNote("Eb:major", 2), "G3");
  assert.equal(noteNameToMidi(String(scaleNote("C:major", "3#"))), 54); // a sharp on a degree
});

Deno.test("scaleProblem: Strudel's names pass, the rest say why", () => {
  for (const ok of ["C:major", "C minor", "D3 hirajoshi", "C4 bebop major", "F#:dorian", "major"]) {
    assert.equal(scaleProblem(ok), undefined, ok);
  }
  assert.equal(scaleProblem(["C", "major"]), undefined); // mini-notation's "C:major"
  assert.match(
    scaleProblem("C:nope")!,
    /^Cannot use scale "C:nope": no scale "nope", use one of Strudel's scale names \(major, /,
  );
  assert.match(scaleProblem(["C", "nope"])!, /^Cannot use scale "C:nope": no scale "nope"/);
  assert.match(scaleProblem("X:major")!, /^Cannot use scale "X:major": give a root and a name/);
});

Deno.test("scaleNote: a note, or a BadValue saying why, never a throw", () => {
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
