/** One event's controls to what the engine plays: keys, notes, gain, pan, tuning, errors. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BadValue } from "./bad_value.ts";
import {
  CONTROLS,
  DEFAULT_SOUNDS,
  KNOWN_CONTROLS,
  type NoteRequest,
  resolveControls,
} from "./controls.ts";

const play = (value: Record<string, unknown>): NoteRequest => {
  const r = resolveControls(value, DEFAULT_SOUNDS);
  assert.ok(r !== null && typeof r === "object", `expected a note, got ${JSON.stringify(r)}`);
  return r;
};

Deno.test("drum sounds: n indexes the keys (wrapping), name:i is n, note overrides the key", () => {
  assert.deepEqual([0, 1, 2, 3, -1].map((n) => play({ s: "hh", n }).note), [42, 44, 46, 42, 46]);
  assert.equal(play({ s: "hh:1" }).note, 44);
  assert.equal(play({ s: "hh:1", n: 2 }).note, 46); // an explicit n wins
  assert.equal(play({ s: "bd", n: 1.7 }).note, 36);
  assert.equal(play({ s: "drums", n: "3" }).note, 42);
  const r = play({ s: "sd", note: 40 });
  assert.deepEqual([r.sound, r.instrument, r.note], ["sd", "drums", 40]);
});

Deno.test("pitched sounds: note names and numbers, n without note, the default note, detune", () => {
  assert.equal(play({ s: "epiano", note: "c3" }).note, 48);
  assert.equal(play({ s: "epiano", note: "64" }).note, 64);
  assert.equal(play({ s: "bass", n: 40 }).note, 40);
  assert.equal(play({ s: "bass" }).note, 36);
  assert.equal(play({ note: 62 }).instrument, "epiano"); // no sound: the default
  const detuned = play({ s: "piano", note: 60.25 });
  assert.deepEqual([detuned.note, detuned.tuneCents], [60, 25]);
  const up = play({ s: "piano", note: 60.5 }); // rounds to the nearer key
  assert.deepEqual([up.note, up.tuneCents], [61, -50]);
});

Deno.test("gain, velocity, pan, speed, begin, legato and cut become engine parameters", () => {
  const r = play({
    s: "epiano",
    note: 60,
    gain: 0.5,
    velocity: 0.5,
    pan: 0.75,
    speed: 2,
    begin: 0.25,
    legato: 0.5,
    cut: 1,
  });
  assert.ok(Math.abs(r.gainDb - 20 * Math.log10(0.5)) < 1e-12);
  assert.equal(r.velocity, 64);
  assert.equal(r.pan, 0.5);
  assert.equal(r.tuneCents, 1200);
  assert.equal(r.begin, 0.25);
  assert.equal(r.legato, 0.5);
  assert.equal(r.cut, 1);
  const plain = play({ s: "epiano" });
  assert.deepEqual(
    [plain.gainDb, plain.velocity, plain.pan, plain.tuneCents, plain.begin, plain.legato],
    [0, 100, 0, 0, 0, 1],
  );
  assert.equal("cut" in plain, false);
  assert.equal(play({ s: "epiano", clip: 0.25 }).legato, 0.25);
  // clamped: velocity 1..127, pan -1..1, gain +24 dB, tuning ±2400 cents, begin 0..1
  const loud = play({ s: "epiano", gain: 1000, velocity: 2, pan: 3, speed: 100, begin: 7 });
  assert.deepEqual([loud.gainDb, loud.velocity, loud.pan, loud.tuneCents, loud.begin], [
    24,
    127,
    1,
    2400,
    1,
  ]);
  assert.equal(play({ s: "epiano", velocity: 0 }).velocity, 1);
});

Deno.test("gain 0 is a silent event (null); problems are texts that name the value", () => {
  assert.equal(resolveControls({ s: "bd", gain: 0 }, DEFAULT_SOUNDS), null);
  assert.match(
    resolveControls({ s: "nope" }, DEFAULT_SOUNDS) as string,
    /^no sound "nope": use one of bd, kick, /,
  );
  assert.equal(resolveControls({ s: 5 }, DEFAULT_SOUNDS), 'sound must be a name, got "5"');
  assert.equal(
    resolveControls({ s: "piano", note: 130 }, DEFAULT_SOUNDS),
    "note 130 is outside 0..127",
  );
  assert.equal(
    resolveControls({ s: "piano", speed: -1 }, DEFAULT_SOUNDS),
    'speed must be > 0 (reverse is not supported), got "-1"',
  );
  assert.equal(
    resolveControls({ s: "piano", note: "h2" }, DEFAULT_SOUNDS),
    'Cannot read note "h2": use a name like "c3", "eb4" or "f#2"',
  );
});

Deno.test("a NaN or a BadValue in a supported control drops the event with the reason", () => {
  assert.equal(resolveControls({ s: "bd", pan: NaN }, DEFAULT_SOUNDS), "pan is NaN");
  assert.equal(resolveControls({ s: "bd", gain: NaN }, DEFAULT_SOUNDS), "gain is NaN");
  assert.equal(resolveControls({ s: "piano", note: NaN }, DEFAULT_SOUNDS), "note is NaN");
  assert.equal(
    resolveControls({ s: "piano", note: new BadValue('no scale "x"') }, DEFAULT_SOUNDS),
    'no scale "x"',
  );
  // a control this runtime ignores does not drop the event
  assert.equal(play({ s: "bd", room: NaN }).note, 36);
});

Deno.test("the documented controls are the known ones; every default sound has an instrument file", () => {
  assert.deepEqual([...KNOWN_CONTROLS].sort(), Object.keys(CONTROLS).sort());
  const dir = join(import.meta.dirname!, "..", "..", "instruments");
  for (const [name, m] of Object.entries(DEFAULT_SOUNDS)) {
    assert.ok(existsSync(join(dir, `${m.instrument}.ts`)), `${name}: ${m.instrument}`);
    assert.ok(
      m.keys === undefined || m.keys.every((k) => Number.isInteger(k) && k >= 0 && k < 128),
    );
  }
});
