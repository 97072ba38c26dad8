/** Evaluating set functions: what they declare, and the declarations they refuse. */
import assert from "node:assert/strict";
import { s } from "../pattern/pattern.ts";
import { defineSet, evaluateSet, type SetContext, setFunctionOf } from "./set.ts";
import { everyBar } from "./source.ts";

Deno.test("a set's declarations become a snapshot; defaults for what it leaves out", async () => {
  const drums = s("bd sd");
  const gen = everyBar(() => {});
  const snap = await evaluateSet((set) => {
    set.tempo(96, { rampBeats: 8 });
    set.beatsPerCycle(3);
    set.beatsPerBar(6);
    set.swap("bar");
    set.sound("rim", { instrument: "drums", keys: [37] });
    set.play("drums", drums);
    set.play("gen-1", gen);
    set.midi({ layers: [{ instrument: "bass" }] });
  }, 5);
  assert.deepEqual([...snap.parts.keys()], ["drums", "gen-1"]);
  assert.equal(snap.parts.get("drums"), drums);
  assert.equal(snap.parts.get("gen-1"), gen);
  assert.deepEqual(
    [snap.tempo, snap.rampBeats, snap.beatsPerCycle, snap.beatsPerBar, snap.swap],
    [96, 8, 3, 6, "bar"],
  );
  assert.deepEqual(snap.sounds, { rim: { instrument: "drums", keys: [37] } });
  assert.equal(snap.midiMap?.layers[0]?.instrument, "bass");
  // where each part was declared: this file, for locating its query errors
  assert.match(snap.declaredAt?.get("drums") ?? "", /set_test\.ts:\d+:\d+/);

  const empty = await evaluateSet(() => {}, 1);
  assert.deepEqual(
    [empty.parts.size, empty.tempo, empty.beatsPerCycle, empty.beatsPerBar, empty.swap],
    [0, undefined, 4, 4, undefined],
  );
  assert.deepEqual(empty.sounds, {});
  assert.equal(empty.midiMap, undefined);
});

Deno.test("the seed reaches the set; an async set function is awaited", async () => {
  let seen = -1;
  const snap = await evaluateSet(async (set) => {
    seen = set.seed;
    await Promise.resolve();
    set.play("late", s("hh"));
  }, 42);
  assert.equal(seen, 42);
  assert.deepEqual([...snap.parts.keys()], ["late"]);
});

Deno.test("declarations out of range are RangeErrors with the value", async () => {
  const refuse = async (f: (set: SetContext) => void, message: string) => {
    await assert.rejects(evaluateSet(f, 1), (err: unknown) => {
      assert.ok(err instanceof RangeError, String(err));
      assert.equal(err.message, message);
      return true;
    });
  };
  await refuse(
    (set) => set.play("no spaces", s("bd")),
    'Cannot play part "no spaces": use 1..32 letters, digits, _ or -',
  );
  await refuse((set) => {
    set.play("a", s("bd"));
    set.play("a", s("sd"));
  }, 'Cannot play part "a": the set declares it twice');
  await refuse((set) => set.tempo(0), 'Cannot set tempo: bpm must be 1..1000, got "0"');
  await refuse((set) => set.tempo(NaN), 'Cannot set tempo: bpm must be 1..1000, got "NaN"');
  await refuse(
    (set) => set.tempo(120, { rampBeats: -1 }),
    'Cannot set tempo: rampBeats must be > 0, got "-1"',
  );
  await refuse(
    (set) => set.beatsPerCycle(1.5),
    'Cannot set beatsPerCycle: use an integer 1..64, got "1.5"',
  );
  await refuse(
    (set) => set.beatsPerBar(65),
    'Cannot set beatsPerBar: use an integer 1..64, got "65"',
  );
  await refuse(
    (set) => set.swap("never" as "bar"),
    'Cannot set swap mode: use "cycle", "bar", "beat" or "immediate", got "never"',
  );
  await refuse(
    (set) => set.sound("rim", {} as { instrument: string }),
    'Cannot define sound "rim": give { instrument: "name" }',
  );
  await refuse((set) => {
    set.midi({ layers: [] });
    set.midi({ layers: [] });
  }, "Cannot set the MIDI mapping: the set declares it twice");
});

Deno.test("defineSet marks its function; anything else is not a set", async () => {
  const fn = (set: SetContext) => set.tempo(100);
  const def = defineSet(fn);
  assert.equal(setFunctionOf(def), fn);
  for (const x of [fn, undefined, null, {}, async () => {}]) {
    assert.equal(setFunctionOf(x), undefined);
  }
  // deno-lint-ignore no-explicit-any
  await assert.rejects(def({} as any), TypeError);
});

Deno.test("set.link asks to join Ableton Link; start/stop only when said", async () => {
  assert.equal((await evaluateSet(() => {}, 1)).link, undefined);
  assert.deepEqual((await evaluateSet((set) => set.link(), 1)).link, { startStop: false });
  assert.deepEqual(
    (await evaluateSet((set) => set.link({ startStop: true }), 1)).link,
    { startStop: true },
  );
  await assert.rejects(
    evaluateSet((set) => set.link(5 as unknown as { startStop?: boolean }), 1),
    RangeError,
  );
});
