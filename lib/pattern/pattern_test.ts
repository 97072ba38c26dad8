/** The typed facade: exact event spans, values, `.scale()` per event, BadValue through arithmetic. */
import assert from "node:assert/strict";
import { BadValue } from "./bad_value.ts";
import {
  cat,
  type Hap,
  isPattern,
  mini,
  n,
  note,
  pure,
  rand,
  s,
  seq,
  silence,
  stack,
  timeCat,
} from "./pattern.ts";
import { queryPattern } from "./query.ts";
import { noteNameToMidi } from "./scales.ts";

/** Events with an onset, in time order (Strudel gives them in its own order). */
const onsets = (haps: Hap[]) =>
  haps.filter((h) => h.hasOnset()).sort((a, b) =>
    a.whole!.begin.valueOf() - b.whole!.begin.valueOf()
  );

/** [begin, end, value] of each event with an onset, as fractions, in time order. */
const spans = (haps: Hap[], key?: string) =>
  onsets(haps).map((h) => [
    h.whole!.begin.toFraction(),
    h.whole!.end.toFraction(),
    key ? h.value[key] : h.value,
  ]);

Deno.test('mini-notation: exact spans of s("bd [sd sd] <hh cp>") over two cycles', () => {
  assert.deepEqual(spans(queryPattern(s("bd [sd sd] <hh cp>"), 0, 2), "s"), [
    ["0", "1/3", "bd"],
    ["1/3", "1/2", "sd"],
    ["1/2", "2/3", "sd"],
    ["2/3", "1", "hh"],
    ["1", "4/3", "bd"],
    ["4/3", "3/2", "sd"],
    ["3/2", "5/3", "sd"],
    ["5/3", "2", "cp"],
  ]);
});

Deno.test("euclid, fast, slow, rev and every give the known rhythms", () => {
  const on = (p: Parameters<typeof queryPattern>[0], b = 0, e = 1) =>
    onsets(queryPattern(p, b, e)).map((h) => h.whole!.begin.toFraction());
  assert.deepEqual(on(s("bd(3,8)")), ["0", "3/8", "3/4"]);
  assert.deepEqual(on(s("bd sd").fast(2)), ["0", "1/4", "1/2", "3/4"]);
  assert.deepEqual(on(s("bd sd").slow(2), 0, 2), ["0", "1"]);
  assert.deepEqual(spans(queryPattern(s("a b c").rev(), 0, 1), "s").map((x) => x[2]), [
    "c",
    "b",
    "a",
  ]);
  // every(2, fast(2)): cycles 0 and 2 doubled
  assert.deepEqual(on(s("bd").every(2, (p) => p.fast(2)), 0, 3), ["0", "1/2", "1", "2", "5/2"]);
  assert.deepEqual(on(timeCat([1, s("a")], [3, s("b c")])), ["0", "1/4", "5/8"]);
});

Deno.test("stack, cat, seq, pure and silence", () => {
  const st = queryPattern(stack(s("bd"), note("c3 e3")), 0, 1).map((h) => h.value);
  assert.deepEqual(st, [{ s: "bd" }, { note: "c3" }, { note: "e3" }]);
  assert.deepEqual(spans(queryPattern(cat(pure(1), pure(2)), 0, 2)).map((x) => x[2]), [1, 2]);
  assert.deepEqual(spans(queryPattern(seq(1, 2, 3), 0, 1)).map((x) => x[0]), ["0", "1/3", "2/3"]);
  assert.deepEqual(queryPattern(silence, 0, 4), []);
  assert.deepEqual(spans(queryPattern(mini("60 62"), 0, 1)).map((x) => x[2]), [60, 62]);
});

Deno.test("controls chain into one value per event", () => {
  const v = queryPattern(s("hh").n(2).gain(0.5).pan(1).velocity(0.25).legato(0.5), 0, 1)[0]!.value;
  // Strudel stores legato under its alias clip
  assert.deepEqual(v, { s: "hh", n: 2, gain: 0.5, pan: 1, velocity: 0.25, clip: 0.5 });
});

Deno.test("random signals are a function of time: the same span gives the same values", () => {
  const a = queryPattern(s("hh*8").gain(rand), 3, 4).map((h) => h.value.gain);
  const b = queryPattern(s("hh*8").gain(rand), 3, 4).map((h) => h.value.gain);
  assert.deepEqual(a, b);
  assert.ok(a.every((g) => typeof g === "number" && g >= 0 && g < 1));
  assert.notDeepEqual(a, queryPattern(s("hh*8").gain(rand), 4, 5).map((h) => h.value.gain));
});

Deno.test("isPattern", () => {
  assert.equal(isPattern(s("bd")), true);
  assert.equal(isPattern(silence), true);
  for (const x of [null, undefined, 3, "bd", {}, { queryArc: 1 }]) {
    assert.equal(isPattern(x), false);
  }
});

Deno.test(".scale(name): degrees to notes, the name patterned per event", () => {
  // tonal gives note names ("E3"), as in Strudel; arithmetic reads them as MIDI numbers
  const midi = (x: unknown) => typeof x === "number" ? x : noteNameToMidi(String(x));
  const notes = (p: Parameters<typeof queryPattern>[0]) =>
    onsets(queryPattern(p, 0, 1)).map((h) => midi(h.value.note));
  assert.deepEqual(notes(n("0 1 2 7").scale("C:major")), [48, 50, 52, 60]);
  assert.deepEqual(notes(n("0 1 2").scale("C4:minor:pentatonic")), [60, 63, 65]);
  assert.deepEqual(notes(n("0 0").scale("<C:major>").add(note(12))), [60, 60]);
  assert.deepEqual(notes(n("2 2").scale("C:major D:major")), [52, 54]);
  assert.deepEqual(notes(n("0 2").scale("C minor")), [48, 51]); // one name with a space
  assert.deepEqual(notes(n("0 1").scale("D3 hirajoshi")), [50, 52]);
  assert.deepEqual(notes(n("2 2").scale("C:<major minor>").slow(2)), [52]); // cycle 0: major
  assert.deepEqual(notes(n("2").scale("C:<major minor>").early(1)), [51]); // cycle 1: minor
  // a bare value pattern becomes notes too
  assert.deepEqual(
    onsets(queryPattern(mini("0 4").scale("C2:minor"), 0, 1)).map((h) => midi(h.value)),
    [36, 43],
  );
  // scaleTranspose moves within the scale .scale set
  assert.deepEqual(notes(n("0 2").scale("C4:major").scaleTranspose(1)), [62, 65]);
});

Deno.test(".scale with an unknown name spoils only its own event", () => {
  const haps = onsets(queryPattern(n("0 1 2 3").scale("C:major C:major C:nope C:major"), 0, 1));
  const notes = haps.map((h) => h.value.note);
  assert.deepEqual([notes[0], notes[1], notes[3]], ["C3", "D3", "F3"]);
  assert.ok(notes[2] instanceof BadValue);
  assert.match((notes[2] as BadValue).reason, /^Cannot use scale "C:nope"/);
});

Deno.test("Strudel's arithmetic on a spoiled value throws for the whole query, naming the reason", () => {
  // add/sub/mul parse their operands as numerals and throw on NaN: the query
  // fails (the session names the part) and the message carries the cause
  assert.throws(
    () => queryPattern(n("0 1").scale("C:nope").add(note(12)), 0, 1),
    /cannot parse as numeral: "Cannot use scale "C:nope": no scale "nope"/,
  );
  assert.throws(() => queryPattern(note(seq(NaN, 1)).add(note(12)), 0, 1), /"NaN"/);
});

Deno.test("every played control is a typed pattern method, and Strudel has each", async () => {
  const { CONTROL_METHODS } = await import("./pattern.ts");
  const { KNOWN_CONTROLS } = await import("./controls.ts");
  const declared = ["s", "sound", "n", "note", "gain", "velocity", "pan", "speed", "begin"]
    .concat(["cut", "legato", "clip", "orbit"]);
  assert.deepEqual([...CONTROL_METHODS, ...declared].sort(), [...KNOWN_CONTROLS].sort());
  const p = s("bd");
  for (const name of CONTROL_METHODS) {
    assert.equal(typeof (p as unknown as Record<string, unknown>)[name], "function", name);
  }
  const v = s("bd").lpf(800).room(0.3).vowel("o").queryArc(0, 1)[0]!.value;
  assert.deepEqual(v, { s: "bd", cutoff: 800, room: 0.3, vowel: "o" });
});
