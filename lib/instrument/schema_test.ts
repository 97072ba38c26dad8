/**
 * Unit tests of the definition schema, note names and error formatting.
 * No engine, no files.
 */

import assert from "node:assert/strict";
import { InstrumentDefinitionError } from "../errors.ts";
import { validateDefinition } from "./load.ts";
import { noteName, noteNumber } from "./notes.ts";

const FILE = "instruments/drums.ts";

/** The message validateDefinition throws for `def`. */
function messageOf(def: unknown): string {
  try {
    validateDefinition(def, FILE);
  } catch (err) {
    assert.ok(err instanceof InstrumentDefinitionError, `not an InstrumentDefinitionError: ${err}`);
    return err.message;
  }
  assert.fail("the definition was accepted");
}

Deno.test("note names: C4 is 60, sharps, flats, either case, octave -1", () => {
  assert.equal(noteNumber("C4"), 60);
  assert.equal(noteNumber("c4"), 60);
  assert.equal(noteNumber("c#3"), 49);
  assert.equal(noteNumber("Eb2"), 39);
  assert.equal(noteNumber("bb1"), 34);
  assert.equal(noteNumber("B#3"), 60);
  assert.equal(noteNumber("C-1"), 0);
  assert.equal(noteNumber("G9"), 127);
  assert.equal(noteNumber("H2"), undefined);
  assert.equal(noteNumber("C"), undefined);
  assert.equal(noteNumber("60"), undefined);
  assert.equal(noteName(60), "C4");
  assert.equal(noteName(42), "F#2");
  for (let n = 0; n < 128; n++) assert.equal(noteNumber(noteName(n)), n);
});

Deno.test("valid definition: notes become numbers, one key becomes a pair", () => {
  const def = validateDefinition(
    {
      name: "kit",
      polyphony: 16,
      envelope: { release: 0.1 },
      zones: [
        { sample: "kick.wav", keys: "C2" },
        { sample: "pad.wav", keys: ["c#3", "Eb4"], velocities: [1, 64], rootKey: "D3" },
        { sample: "pad.wav", keys: [0, 127], loop: { mode: "forward", start: 10, end: 20 } },
      ],
    },
    FILE,
  );
  assert.deepEqual(def.zones[0]?.keys, [36, 36]);
  assert.deepEqual(def.zones[1]?.keys, [49, 63]);
  assert.equal(def.zones[1]?.rootKey, 50);
  assert.deepEqual(def.zones[2]?.loop, { mode: "forward", start: 10, end: 20 });
});

Deno.test("group names become numbers above the numbers already used", () => {
  const def = validateDefinition(
    {
      name: "g",
      zones: [
        { sample: "a", exclusiveGroup: "hats" },
        { sample: "b", exclusiveGroup: 3, altGroup: "snare" },
        { sample: "c", exclusiveGroup: "hats", altGroup: "snare" },
        { sample: "d", altGroup: 7 },
      ],
    },
    FILE,
  );
  assert.deepEqual(def.zones.map((z) => z.exclusiveGroup), [4, 3, 4, undefined]);
  assert.deepEqual(def.zones.map((z) => z.altGroup), [undefined, 8, 8, 7]);
});

Deno.test("a key above 127 gives the file, the zone path and the value, exactly", () => {
  const zones = [{ sample: "a.wav" }, { sample: "a.wav" }, { sample: "a.wav" }, {
    sample: "a.wav",
    keys: [36, 130],
  }];
  assert.equal(
    messageOf({ name: "drums", zones }),
    "instruments/drums.ts: zones[3].keys[1]: 130 is above 127",
  );
});

Deno.test("the error carries file, path and value of the first problem", () => {
  try {
    validateDefinition({ name: "x", zones: [{ sample: "a", velocities: [0, 100] }] }, FILE);
    assert.fail("accepted");
  } catch (err) {
    assert.ok(err instanceof InstrumentDefinitionError);
    assert.ok(err.file.endsWith("instruments/drums.ts"));
    assert.deepEqual(err.path, ["zones", 0, "velocities", 0]);
    assert.equal(err.value, 0);
  }
});

Deno.test("several problems: one line each, each naming file, field and value", () => {
  const msg = messageOf({
    name: "",
    polyphony: 0,
    envelop: {},
    zones: [{
      sample: "a",
      keys: ["C4", "C3"],
      velocities: [1, 200],
      gainDb: "loud",
      pan: NaN,
      rootKey: "H2",
      sampel: 1,
      envelope: { attack: -1 },
      loop: { mode: "loopy" },
    }],
  });
  const lines = msg.split("\n");
  for (
    const expected of [
      'instruments/drums.ts: name: "" is empty',
      "instruments/drums.ts: polyphony: 0 is below 1",
      'instruments/drums.ts: zones[0].keys: ["C4","C3"] runs backwards: low C4 (60) is above high C3 (48)',
      "instruments/drums.ts: zones[0].velocities[1]: 200 is above 127",
      'instruments/drums.ts: zones[0].gainDb: "loud" is a string, not a number',
      "instruments/drums.ts: zones[0].pan: NaN is not a finite number",
      'instruments/drums.ts: zones[0].rootKey: "H2" is not a note name (give 0..127 or a name like "C4", "F#3", "Eb2")',
      'instruments/drums.ts: zones[0].sampel: unknown field (did you mean "sample"?)',
      'instruments/drums.ts: envelop: unknown field (did you mean "envelope"?)',
      "instruments/drums.ts: zones[0].envelope.attack: -1 is below 0",
      'instruments/drums.ts: zones[0].loop.mode: "loopy" is not one of "auto", "none", "one-shot", "forward", "sustain"',
    ]
  ) {
    assert.ok(lines.includes(expected), `missing line:\n${expected}\nin:\n${msg}`);
  }
  assert.equal(lines.length, 11);
});

Deno.test("note names out of range, loops, missing fields, wrong shapes", () => {
  assert.equal(
    messageOf({ name: "x", zones: [{ sample: "a", keys: "C#10" }] }),
    'instruments/drums.ts: zones[0].keys: "C#10" is above 127 (it is note 133)',
  );
  assert.equal(
    messageOf({
      name: "x",
      zones: [{ sample: "a", loop: { mode: "forward", start: 10, end: 5 } }],
    }),
    "instruments/drums.ts: zones[0].loop.end: 5 is not after the loop start 10",
  );
  // one point alone is valid: the other comes from the file's loop at load time
  assert.deepEqual(
    validateDefinition(
      { name: "x", zones: [{ sample: "a", loop: { mode: "forward", start: 10 } }] },
      FILE,
    ).zones[0]?.loop,
    { mode: "forward", start: 10 },
  );
  assert.equal(
    messageOf({ name: "x", zones: [{ keys: 60 }] }),
    "instruments/drums.ts: zones[0].sample: missing (expected a string)",
  );
  assert.equal(
    messageOf({ name: "x", zones: [{ sample: "a", keys: [1, 2, 3] }] }),
    "instruments/drums.ts: zones[0].keys: [1,2,3] is not a key range (give one note or [low, high])",
  );
  assert.equal(
    messageOf({ name: "x", zones: [{ sample: "a", keys: [60.5, 61] }] }),
    "instruments/drums.ts: zones[0].keys[0]: 60.5 is not a whole note number",
  );
  assert.equal(
    messageOf({ name: "x", zones: [] }),
    "instruments/drums.ts: zones: [] is empty (give at least one)",
  );
  assert.equal(messageOf(42), "instruments/drums.ts: 42 is a number, not an object");
  assert.equal(
    messageOf({ name: "x".repeat(64), zones: [{ sample: "a" }] }),
    `instruments/drums.ts: name: "${"x".repeat(64)}" is longer than 63 bytes (64)`,
  );
});

Deno.test("zone controls: accepted with names for enum controls; out of range names the zone's control", () => {
  const def = validateDefinition({
    name: "pad",
    zones: [{ sample: "a.wav", controls: { cutoff: 2000, attack: 0.2, vowel: "o", room: 0.3 } }],
  }, FILE);
  assert.deepEqual(def.zones[0]!.controls, { cutoff: 2000, attack: 0.2, vowel: "o", room: 0.3 });
  const msg = messageOf({ name: "pad", zones: [{ sample: "a.wav", controls: { cutoff: 1 } }] });
  assert.match(msg, /zones\[0\]\.controls\.cutoff/);
  assert.match(
    messageOf({ name: "pad", zones: [{ sample: "a.wav", controls: { lpf: 1 } }] }),
    /lpf/,
  );
});
