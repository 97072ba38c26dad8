/** One event's controls to what the engine plays: keys, notes, gain, pan, tuning, errors. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BadValue } from "./bad_value.ts";
import {
  CATALOG,
  CONTROL_ALIASES,
  CONTROLS,
  DEFAULT_SOUNDS,
  ftypeIndex,
  KNOWN_CONTROLS,
  type NoteRequest,
  resolveControls,
  SYNTH_PREFIX,
  SYNTH_SOUNDS,
  tremoloShapeIndex,
  unitCycleRate,
  unsupportedReason,
  vowelIndex,
} from "./controls.ts";
import { strudel } from "./strudel.ts";
import { CONTROL_BY_NAME, CONTROL_ROWS } from "../ffi/control_table.ts";

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
  // clamped: velocity 1..127, pan -1..1, gain +24 dB, begin 0..1; speed 100 is the engine's
  const loud = play({ s: "epiano", gain: 1000, velocity: 2, pan: 3, speed: 100, begin: 7 });
  assert.deepEqual([loud.gainDb, loud.velocity, loud.pan, loud.tuneCents, loud.begin], [
    24,
    127,
    1,
    0,
    1,
  ]);
  assert.equal(loud.controls.speed, 100);
  assert.equal(play({ s: "epiano", speed: 4 }).tuneCents, 2400);
  assert.equal(play({ s: "epiano", velocity: 0 }).velocity, 1);
});

Deno.test("gain 0 is a silent event (null); problems are texts that name the value", () => {
  assert.equal(resolveControls({ s: "bd", gain: 0 }, DEFAULT_SOUNDS), null);
  assert.match(
    resolveControls({ s: "nope" }, DEFAULT_SOUNDS) as string,
    /^no sound "nope": the closest of the \d+ sounds are /,
  );
  assert.equal(resolveControls({ s: 5 }, DEFAULT_SOUNDS), 'sound must be a name, got "5"');
  assert.equal(
    resolveControls({ s: "piano", note: 130 }, DEFAULT_SOUNDS),
    "note 130 is outside 0..127",
  );
  assert.equal(
    resolveControls({ s: "piano", note: "h2" }, DEFAULT_SOUNDS),
    'Cannot read note "h2": use a name like "c3", "eb4" or "f#2"',
  );
});

Deno.test("two bad session controls: the same reason whatever order the event's keys come in", () => {
  const session = [...CONTROL_ALIASES].filter(([, m]) => CATALOG[m]!.status === "session")
    .map(([n]) => n);
  assert.ok(session.includes("gain") && session.includes("note") && session.includes("pan"));
  let pairs = 0;
  for (const a of ["gain", "pan", "note", "velocity", "legato"]) {
    for (const b of ["gain", "pan", "note", "velocity", "legato"]) {
      if (a === b) continue;
      const bad = (k: string) => k === "note" ? new BadValue(`bad ${k}`) : NaN;
      const ab = resolveControls({ s: "piano", [a]: bad(a), [b]: bad(b) }, DEFAULT_SOUNDS);
      const ba = resolveControls({ s: "piano", [b]: bad(b), [a]: bad(a) }, DEFAULT_SOUNDS);
      // the first of the two in the catalog's order of session names, as before
      const first = session.indexOf(a) < session.indexOf(b) ? a : b;
      const reason = first === "note" ? "bad note" : `${first} is NaN`;
      assert.equal(ab, reason, `${a}, ${b}`);
      assert.equal(ba, reason, `${b}, ${a}`);
      pairs++;
    }
  }
  assert.equal(pairs, 20);
  // a good value beside a bad one is no reason; a bad value of an unknown key none either
  assert.equal(resolveControls({ s: "bd", gain: 0.5, pan: NaN }, DEFAULT_SOUNDS), "pan is NaN");
  assert.equal(play({ s: "bd", gain: 0.5, foo: NaN }).note, 36);
});

Deno.test("note names read again give the same keys; a bad name is an error every time", () => {
  const names = ["c3", "eb4", "f#2", "C3", " a1 ", "bss5", "g-1"];
  const first = names.map((n) =>
    play({ s: "piano", note: n }).note + play({ s: "piano", note: n }).tuneCents
  );
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(
      names.map((n) =>
        play({ s: "piano", note: n }).note + play({ s: "piano", note: n }).tuneCents
      ),
      first,
    );
  }
  assert.deepEqual(first, [48, 63, 42, 48, 33, 85, 7]); // bss5: b + 2, octave 5
  for (let i = 0; i < 3; i++) {
    assert.equal(
      resolveControls({ s: "piano", note: "h2" }, DEFAULT_SOUNDS),
      'Cannot read note "h2": use a name like "c3", "eb4" or "f#2"',
    );
  }
});

Deno.test("a NaN or a BadValue in a supported control drops the event with the reason", () => {
  assert.equal(resolveControls({ s: "bd", pan: NaN }, DEFAULT_SOUNDS), "pan is NaN");
  assert.equal(resolveControls({ s: "bd", gain: NaN }, DEFAULT_SOUNDS), "gain is NaN");
  assert.equal(resolveControls({ s: "piano", note: NaN }, DEFAULT_SOUNDS), "note is NaN");
  assert.equal(
    resolveControls({ s: "piano", note: new BadValue('no scale "x"') }, DEFAULT_SOUNDS),
    'no scale "x"',
  );
  // an effect control with a bad value is left out with a problem; the note plays
  const r = play({ s: "bd", room: NaN, vowel: "x" });
  assert.equal(r.note, 36);
  assert.deepEqual(r.controls, {});
  assert.deepEqual(r.problems, [
    'room must be a finite number, got "NaN": ignored',
    'vowel "x" is not one of a e i o u ae aa oe ue y uh un en an on: ignored',
  ]);
});

Deno.test("the documented controls are the known ones; every default sound has an instrument file", () => {
  assert.deepEqual([...KNOWN_CONTROLS].sort(), Object.keys(CONTROLS).sort());
  const dir = join(import.meta.dirname!, "..", "..", "instruments");
  for (const [name, m] of Object.entries(DEFAULT_SOUNDS)) {
    // synths are the engine's oscillators (lib/live/instruments.ts builds them)
    if (m.instrument.startsWith(SYNTH_PREFIX)) {
      assert.ok(SYNTH_SOUNDS[name], `${name}: ${m.instrument}`);
      continue;
    }
    // "piano" is a common name (lib/instrument/resolve.ts): the GM grand, else the epiano
    const file = m.instrument === "piano" ? "epiano" : m.instrument;
    assert.ok(existsSync(join(dir, `${file}.ts`)), `${name}: ${m.instrument}`);
    assert.ok(
      m.keys === undefined || m.keys.every((k) => Number.isInteger(k) && k >= 0 && k < 128),
    );
  }
});

/** Every control name @strudel/core registers, with the main name its setter writes. */
function registeredControls(): Map<string, string> {
  const names = new Set<string>();
  for (const k of Object.keys(strudel)) if (strudel.isControlName(k)) names.add(k);
  // aliases that are only on the Pattern prototype (trem, tremdepth, duckatt, ...)
  for (const k of Object.getOwnPropertyNames(strudel.Pattern.prototype)) {
    if (strudel.isControlName(k)) names.add(k);
  }
  const out = new Map<string, string>();
  for (const name of names) {
    const pat = strudel.pure({ probe: 0 })[name](1);
    const value = pat.queryArc(0, 1)[0].value as Record<string, unknown>;
    const keys = Object.keys(value).filter((k) => k !== "probe");
    assert.equal(keys.length, 1, `${name} sets ${keys.join(", ")}`);
    out.set(name, keys[0]!);
  }
  return out;
}

Deno.test("the catalog holds every control @strudel/core registers, under its main name, each mapped or with a reason", () => {
  const registered = registeredControls();
  assert.ok(registered.size > 300, `only ${registered.size} controls found`);
  const missing: string[] = [];
  const wrongMain: string[] = [];
  for (const [name, main] of registered) {
    const ours = CONTROL_ALIASES.get(name);
    if (ours === undefined) missing.push(name);
    else if (ours !== main) wrongMain.push(`${name}: ${ours} here, ${main} in Strudel`);
  }
  assert.deepEqual(missing, []);
  assert.deepEqual(wrongMain, []);
  // nothing listed that Strudel does not register
  assert.deepEqual([...CONTROL_ALIASES.keys()].filter((n) => !registered.has(n)), []);
  for (const [main, e] of Object.entries(CATALOG)) {
    assert.ok(e.does.length > 10, `${main} says what it does or why not`);
    if (e.status === "engine") assert.ok(e.unit, `${main} has superdough's unit`);
  }
  for (
    const [alias, main] of [
      ["lpf", "cutoff"],
      ["ctf", "cutoff"],
      ["lp", "cutoff"],
      ["lpq", "resonance"],
      ["hpf", "hcutoff"],
      ["bpf", "bandf"],
      ["delayfb", "delayfeedback"],
      ["dt", "delaytime"],
      ["size", "roomsize"],
      ["sz", "roomsize"],
      ["ph", "phaserrate"],
      ["legato", "clip"],
    ]
  ) assert.equal(CONTROL_ALIASES.get(alias!), main, alias);
  assert.equal(unsupportedReason("lpf"), undefined);
  assert.match(unsupportedReason("fmvelocity")!, /FM synthesis/);
  assert.equal(unsupportedReason("nonsense"), "not a superdough control");
});

Deno.test("effect controls: aliases resolve, names become engine indices, delaysync is delaytime in cycles with lock", () => {
  const r = play({
    s: "bd",
    lpf: 800,
    lpq: 4,
    hpf: 100,
    size: 2,
    room: 0.3,
    delayfb: 0.6,
    dt: 0.25,
    vowel: "o",
    ftype: "24db",
    tremoloshape: "square",
    tremolosync: 4,
  });
  assert.deepEqual(r.controls, {
    cutoff: 800,
    resonance: 4,
    hcutoff: 100,
    roomsize: 2,
    room: 0.3,
    delayfeedback: 0.6,
    delaytime: 0.25,
    vowel: 3,
    ftype: 2,
    tremoloshape: 2,
    tremolo: 4 * 0.5,
  });
  assert.equal(play({ s: "bd", tremolosync: 4 }).controls.tremolo, 2); // 4 per cycle at 0.5 cps
  const fast = resolveControls({ s: "bd", tremolosync: 4 }, DEFAULT_SOUNDS, { cps: 1 });
  assert.equal((fast as NoteRequest).controls.tremolo, 4);
  // delay sync and unit "c" carry the tempo for the engine
  assert.deepEqual(play({ s: "bd", delay: 0.5, delaysync: 0.375 }).controls, {
    delay: 0.5,
    delaysync: 0.375,
    cps: 0.5,
  });
  const locked = resolveControls({ s: "bd", delaytime: 0.5, lock: 1 }, DEFAULT_SOUNDS, { cps: 2 });
  assert.deepEqual((locked as NoteRequest).controls, { delaytime: 0.5, lock: 1, cps: 2 });
  assert.deepEqual(play({ s: "bd", decay: 0.2, sus: 0.5 }).controls, { decay: 0.2, sustain: 0.5 });
  // out of range: clamped, and said
  const wild = play({ s: "bd", lpf: 30000, delayfeedback: 1.5, orbit: 40 });
  assert.deepEqual(wild.controls, { cutoff: 24000, delayfeedback: 0.98, orbit: 15 });
  assert.deepEqual(wild.problems, [
    "cutoff 30000 is outside 5..24000 Hz: clamped",
    "delayfeedback 1.5 is outside 0..0.98: clamped",
    "orbit 40 is outside 0..16: clamped",
  ]);
  // superdough's orbits count from 1 (its default): the engine's from 0
  assert.deepEqual([0, 1, 2, 16].map((orbit) => play({ s: "bd", orbit }).controls.orbit), [
    0,
    0,
    1,
    15,
  ]);
  // vowel names and IPA aliases; ftype numbers wrap like superdough's
  assert.deepEqual(["a", "e", "i", "o", "u", "æ", "ø"].map(vowelIndex), [0, 1, 2, 3, 4, 5, 7]);
  assert.deepEqual(["12db", "ladder", "24db", 0, 1, 2, 3, -1, "2", "x"].map(ftypeIndex), [
    0,
    1,
    2,
    0,
    1,
    2,
    0,
    2,
    2,
    undefined,
  ]);
  assert.deepEqual(["sine", "tri", "square", "saw", "ramp", 9].map(tremoloShapeIndex), [
    0,
    1,
    2,
    3,
    4,
    undefined,
  ]);
});

Deno.test("speed: negative plays in reverse at |speed|; unit c hands the speed in cycles and the tempo to the engine", () => {
  const back = play({ s: "epiano", speed: -2 });
  assert.deepEqual([back.tuneCents, back.controls.speed], [0, -2]);
  const far = play({ s: "epiano", speed: 200 });
  assert.deepEqual([far.controls.speed, far.problems], [128, [
    "speed 200 is outside -128..128: clamped",
  ]]);
  assert.equal(play({ s: "epiano", speed: 0.1 }).controls.speed, 0.1);
  assert.equal(play({ s: "epiano", speed: 2 }).controls.speed, undefined);
  assert.equal(resolveControls({ s: "epiano", speed: 0 }, DEFAULT_SOUNDS), null);
  const c = play({ s: "epiano", speed: 0.5, unit: "c" });
  assert.deepEqual([c.tuneCents, c.controls], [0, { speed: 0.5, unit: 1, cps: 0.5 }]);
  assert.deepEqual(play({ s: "epiano", speed: 2, unit: "r" }).controls, {});
  // superdough's rate for unit c: a 3 s sample at 0.5 cps lasts one cycle at rate 1.5
  assert.equal(unitCycleRate(1, 3, 0.5), 1.5);
  assert.equal(unitCycleRate(-2, 3, 0.5), -3);
});

Deno.test("bank picks the sound bank_name when the set has one", () => {
  const sounds = { ...DEFAULT_SOUNDS, tr909_bd: { instrument: "drums", keys: [35] } };
  const r = resolveControls({ s: "bd", bank: "tr909" }, sounds) as NoteRequest;
  assert.deepEqual([r.sound, r.note, r.problems], ["tr909_bd", 35, []]);
  const other = resolveControls({ s: "sd", bank: "tr909" }, sounds) as NoteRequest;
  assert.deepEqual([other.sound, other.problems], ["sd", [
    'bank "tr909": no sound "tr909_sd", playing "sd"',
  ]]);
});

Deno.test("every engine entry of the catalog is a row of the engine's control table, and every row is reached", () => {
  const targets = new Set<string>();
  for (const [main, e] of Object.entries(CATALOG)) {
    if (e.status !== "engine") continue;
    const t = e.engine ?? main;
    assert.ok(CONTROL_BY_NAME.has(t), `${main}: no engine control "${t}"`);
    targets.add(t);
  }
  // rows the session fills itself: cps (tempo), duration (for accelerate);
  // velocity stays the MIDI velocity; shapevol is no registered Strudel control
  const bySession = ["cps", "duration", "velocity", "shapevol"];
  assert.deepEqual(
    CONTROL_ROWS.map((r) => r.name).filter((n) => !targets.has(n) && !bySession.includes(n)),
    [],
  );
});

Deno.test("synth sounds: pitch from note only (C2 without), n is a supersaw's detune, superdough's envelope unless set", () => {
  const sine = play({ s: "sine", n: 4 });
  assert.equal(sine.instrument, `${SYNTH_PREFIX}sine`);
  assert.equal(sine.note, 36);
  assert.deepEqual(
    [sine.controls.attack, sine.controls.decay, sine.controls.sustain, sine.controls.release],
    [0.001, 0.05, 0.6, 0.01],
  );
  assert.equal(play({ s: "sawtooth", note: "c3" }).note, 48);
  const ss = play({ s: "supersaw", n: 0.5, note: 60 });
  assert.equal(ss.note, 60);
  assert.equal(ss.controls.detune, 0.5);
  assert.equal(play({ s: "supersaw", n: 0.5, detune: 1 }).controls.detune, 1);
  const own = play({ s: "saw", decay: 0.2 });
  assert.equal(own.controls.decay, 0.2);
  assert.equal(own.controls.sustain, undefined);
});
