/**
 * The session scheduler: exact engine frames of known patterns, chunked and
 * one-shot scheduling agreeing, reloads swapping parts, and query errors
 * surfacing (a reload whose part throws fails and keeps the old version, a
 * part that throws while playing is muted from that cycle, a bad value
 * drops only its event).
 */
import assert from "node:assert/strict";
import { n, note, s, seq, stack } from "../pattern/pattern.ts";
import { PartQueryError, type ScheduledNote } from "./session.ts";
import { evaluateSet, type SetFunction } from "./set.ts";
import { everyBar, TICKS_PER_CYCLE } from "./source.ts";
import { applySet, notesOf, openSession, playTo } from "../../tests/session_fixture.ts";

const brief = (ns: ScheduledNote[]) => ns.map((x) => [x.sound, x.note, x.frame, x.offFrame]);

Deno.test('s("bd [sd sd] <hh cp> bd(3,8)") at 120 bpm: exact frames for two cycles', async () => {
  const notes = await notesOf((set) => {
    set.tempo(120);
    set.play("drums", s("bd [sd sd] <hh cp> bd(3,8)"));
  }, 2);
  // one cycle = 4 beats = 2 s = 96000 frames
  assert.deepEqual(notes.map((x) => [x.sound, x.note, x.frame]), [
    ["bd", 36, 0],
    ["sd", 38, 24000],
    ["sd", 38, 36000],
    ["hh", 42, 48000],
    ["bd", 36, 72000],
    ["bd", 36, 81000],
    ["bd", 36, 90000],
    ["bd", 36, 96000],
    ["sd", 38, 120000],
    ["sd", 38, 132000],
    ["cp", 39, 144000],
    ["bd", 36, 168000],
    ["bd", 36, 177000],
    ["bd", 36, 186000],
  ]);
});

Deno.test('note("c3 e3 g3").fast(2) on epiano at 90 bpm: pitches, frames and lengths', async () => {
  const notes = await notesOf((set) => {
    set.tempo(90);
    set.play("keys", note("c3 e3 g3").fast(2).s("epiano").legato(0.5).velocity(0.5).gain(0.5));
  }, 1);
  // a cycle = 4 beats at 90 bpm = 128000 frames; six notes of 128000/6 frames
  const step = 128000 / 6;
  assert.deepEqual(
    brief(notes),
    [48, 52, 55, 48, 52, 55].map((k, i) => [
      "epiano",
      k,
      Math.round(i * step),
      Math.round(i * step + step / 2),
    ]),
  );
  assert.ok(notes.every((x) => x.velocity === 64 && Math.abs(x.gainDb + 6.0206) < 1e-3));
});

Deno.test("scales, every and controls become engine parameters", async () => {
  const notes = await notesOf((set) => {
    set.tempo(120);
    set.play("bass", n("0 2 4 <6 7>").scale("C2:minor").s("bass").every(2, (p) => p.fast(2)));
    set.play("hats", s("hh:2").pan(1).speed(2).begin(0.5));
  }, 2);
  const bass = notes.filter((x) => x.part === "bass").map((x) => x.note);
  // cycle 0: every(2) applies (fast(2)); cycle 1 plain; C2 minor = 36 38 39 41 43 44 46 48
  // `<6 7>` advances with the (fast) inner cycle: 6 then 7 in cycle 0, 7 in cycle 1
  assert.deepEqual(bass, [36, 39, 43, 46, 36, 39, 43, 48, 36, 39, 43, 48]);
  const hat = notes.find((x) => x.part === "hats")!;
  assert.equal(hat.note, 46); // hh:2 = the open hat
  assert.equal(hat.pan, 1);
  assert.equal(hat.tuneCents, 1200);
  assert.ok(hat.offset > 0);
});

Deno.test("a generator per bar: seeded, at exact beats, same notes for the same seed", async () => {
  const fn: SetFunction = (set) => {
    set.tempo(120);
    set.play(
      "gen",
      everyBar((bar) => {
        for (let b = 0; b < 4; b++) bar.play(bar.random.chance(0.5) ? "bd" : "sd", { at: b });
      }),
    );
  };
  const a = await notesOf(fn, 3, 7), b = await notesOf(fn, 3, 7), c = await notesOf(fn, 3, 8);
  assert.deepEqual(a.map((x) => x.frame), [...Array(12).keys()].map((i) => i * 24000));
  assert.deepEqual(brief(a), brief(b));
  assert.notDeepEqual(a.map((x) => x.note), c.map((x) => x.note));
});

Deno.test("chunked scheduling (live) gives the same events as one query (offline)", async () => {
  const { sampler, session, notes } = openSession();
  using _ = sampler;
  const fn: SetFunction = (set) => {
    set.tempo(133);
    set.play("d", s("bd*3 [sd cp]*5 hh(5,8)").sometimes((p) => p.gain(0.5)));
  };
  await session.apply(await evaluateSet(fn, 1));
  for (let f = 0; f < 400000; f += 997) session.advance(f);
  playTo(session, 400000);
  const once = await notesOf(fn, 400000 / session.frameOfTick(TICKS_PER_CYCLE));
  assert.deepEqual(brief(notes), brief(once.filter((x) => x.frame < 400000)));
});

Deno.test("a removed part stops at the swap; an unchanged part keeps its phase", async () => {
  const { sampler, session, notes } = openSession();
  using _ = sampler;
  const v1: SetFunction = (set) => {
    set.tempo(120);
    set.play("drums", s("bd*4"));
    set.play("hats", s("hh*5 oh").slow(3)); // a 3-cycle phrase
  };
  const v2: SetFunction = (set) => {
    set.tempo(120);
    set.play("hats", s("hh*5 oh").slow(3));
  };
  await session.apply(await evaluateSet(v1, 1));
  session.advance(96000 + 30000); // into cycle 1
  const r = await session.apply(await evaluateSet(v2, 1));
  assert.deepEqual([r.removed, r.unchanged, r.replaced, r.swapCycle], [["drums"], ["hats"], [], 2]);
  playTo(session, 6 * 96000);
  assert.ok(notes.filter((x) => x.part === "drums").every((x) => x.frame < 2 * 96000));
  assert.ok(notes.some((x) => x.part === "drums" && x.frame === 96000 + 72000));
  const reference = await notesOf(v1, 6);
  assert.deepEqual(
    brief(notes.filter((x) => x.part === "hats")),
    brief(reference.filter((x) => x.part === "hats" && x.frame < 6 * 96000)),
  );
});

/** `bd*4` whose withValue throws from cycle `from` on (`n` counts the cycles). */
function throwsFrom(from: number, message: string) {
  const cycles = `<${[...Array(64).keys()].join(" ")}>`;
  return s("bd*4").n(cycles).withValue((v: { n: number }) => {
    if (v.n >= from) throw new Error(message);
    return v;
  });
}

Deno.test("a reload whose part throws in its first cycles fails, naming the part; the old version plays on", async () => {
  const { sampler, session, notes, warnings } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("k", s("bd*4"));
  });
  session.advance(96000 + 1000); // into cycle 1: the reload would swap at cycle 2
  await assert.rejects(
    applySet(session, (set) => {
      set.tempo(120);
      set.play("k", s("sd*4"));
      set.play("lead", throwsFrom(5, "boom at five"));
    }),
    (err: unknown) => {
      assert.ok(err instanceof PartQueryError);
      assert.equal(err.part, "lead");
      assert.equal(err.cycle, 5);
      assert.equal(err.message, 'Cannot play part "lead" at cycle 5: Error: boom at five');
      assert.match(err.stack ?? "", /session_test\.ts:\d+:\d+/); // where it threw
      return true;
    },
  );
  assert.equal(session.version, 1);
  assert.deepEqual(session.parts, ["k"]);
  playTo(session, 4 * 96000);
  assert.deepEqual(
    notes.map((x) => [x.sound, x.frame]),
    [...Array(16).keys()].map((i) => ["bd", i * 24000]),
  );
  assert.deepEqual(warnings, []);
});

Deno.test("a part that starts throwing while playing is muted from that cycle, once; the others play on", async () => {
  const errors: PartQueryError[] = [];
  const { sampler, session, notes, warnings } = openSession({
    onPartError: (e) => errors.push(e),
  });
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("hats", s("hh*2"));
    set.play("lead", throwsFrom(20, "boom at twenty"));
  });
  // live-like slices across the failure, then more cycles
  for (let f = 0; f < 24 * 96000; f += 7001) session.advance(f);
  playTo(session, 24 * 96000);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.part, "lead");
  assert.equal(errors[0]!.cycle, 20);
  assert.match(errors[0]!.message, /^Cannot play part "lead" at cycle 20: Error: boom at twenty$/);
  const lead = notes.filter((x) => x.part === "lead").map((x) => x.frame);
  assert.deepEqual(lead, [...Array(80).keys()].map((i) => i * 24000)); // cycles 0..19
  const hats = notes.filter((x) => x.part === "hats").map((x) => x.frame);
  assert.deepEqual(hats, [...Array(48).keys()].map((i) => i * 48000)); // all 24 cycles
  assert.deepEqual(warnings, []);
});

Deno.test('a part whose .ply("<1!20 1e92>") reaches 1e92 at cycle 20 is muted from there, once; the others play on', async () => {
  const errors: PartQueryError[] = [];
  const { sampler, session, notes, warnings } = openSession({ onPartError: (e) => errors.push(e) });
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("hats", s("hh*2"));
    set.play("lead", s("bd*2").ply("<1!20 1e92>"));
  });
  for (let f = 0; f < 24 * 96000; f += 7001) session.advance(f);
  playTo(session, 24 * 96000);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.part, "lead");
  assert.equal(errors[0]!.cycle, 20);
  assert.match(
    errors[0]!.message,
    /^Cannot play part "lead" at cycle 20: RangeError: Cannot ply\("1e\+92"\): it would make more than 10000 /,
  );
  const lead = notes.filter((x) => x.part === "lead").map((x) => x.frame);
  assert.deepEqual(lead, [...Array(40).keys()].map((i) => i * 48000)); // cycles 0..19
  const hats = notes.filter((x) => x.part === "hats").map((x) => x.frame);
  assert.deepEqual(hats, [...Array(48).keys()].map((i) => i * 48000)); // all 24 cycles
  assert.deepEqual(warnings, []);
});

Deno.test("without onPartError, the mute is one warning naming the part and the error", async () => {
  const { sampler, session, warnings } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("lead", throwsFrom(17, "late boom"));
  });
  for (let c = 1; c <= 20; c++) session.advance(c * 96000);
  assert.deepEqual(warnings, [
    'Cannot play part "lead" at cycle 17: Error: late boom: muted until the set is reloaded',
  ]);
});

Deno.test("a reload replaces a muted part, which plays again from the swap", async () => {
  const { sampler, session, notes } = openSession({ onPartError: () => {} });
  using _ = sampler;
  const fn: SetFunction = (set) => {
    set.tempo(120);
    set.play("lead", throwsFrom(17, "boom"));
  };
  await session.apply(await evaluateSet(fn, 1));
  session.advance(18 * 96000);
  const r = await applySet(session, (set) => {
    set.tempo(120);
    set.play("lead", s("sd*2"));
  });
  assert.deepEqual(r.replaced, ["lead"]);
  playTo(session, 21 * 96000);
  const sd = notes.filter((x) => x.sound === "sd").map((x) => x.frame / 96000);
  assert.deepEqual(sd, [18, 18.5, 19, 19.5, 20, 20.5]); // the swap is the cursor's cycle, 18
});

Deno.test("one bad event in a stack drops only that event, with one warning per cause", async () => {
  const { sampler, session, notes, warnings } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play(
      "all",
      stack(
        s("hh*4"),
        n("0 1 2 3").scale("C2:major C2:major C2:nope C2:major").s("bass"),
        s("bd*4").pan(seq(0.5, NaN, 0.5, 0.5)),
      ),
    );
  });
  playTo(session, 2 * 96000);
  const at = (sound: string) =>
    notes.filter((x) => x.sound === sound).map((x) => [x.note, x.frame / 24000]);
  assert.deepEqual(at("hh"), [...Array(8).keys()].map((i) => [42, i]));
  // C2 major degrees 0, 1, 3 = 36, 38, 41; degree 2 had the unknown scale
  assert.deepEqual(at("bass"), [[36, 0], [38, 1], [41, 3], [36, 4], [38, 5], [41, 7]]);
  assert.deepEqual(at("bd"), [[36, 0], [36, 2], [36, 3], [36, 4], [36, 6], [36, 7]]);
  // events in time order: the NaN pan (beat 1) comes before the unknown scale (beat 2)
  assert.equal(warnings.length, 2);
  assert.equal(warnings[0], 'part "all": pan is NaN: skipped');
  assert.match(
    warnings[1]!,
    /^part "all": Cannot use scale "C2:nope": no scale "nope", use one of /,
  );
});

Deno.test("swap points: cycle, bar, beat and immediate, counted from the cursor", async () => {
  const swapAt = async (mode: "cycle" | "bar" | "beat" | "immediate", beatsPerBar = 4) => {
    const { sampler, session } = openSession();
    using _ = sampler;
    await applySet(session, (set) => {
      set.tempo(120);
      set.beatsPerBar(beatsPerBar);
      set.play("a", s("bd"));
    });
    session.advance(126000); // beat 5.25 = cycle 1.3125
    const r = await applySet(session, (set) => {
      set.tempo(120);
      set.beatsPerBar(beatsPerBar);
      set.play("a", s("sd"));
    }, mode);
    return [r.swapCycle, r.swapFrame];
  };
  assert.deepEqual(await swapAt("cycle"), [2, 192000]);
  assert.deepEqual(await swapAt("bar"), [2, 192000]);
  assert.deepEqual(await swapAt("bar", 3), [1.5, 144000]); // bars of 3 beats: beat 6
  assert.deepEqual(await swapAt("beat"), [1.5, 144000]);
  assert.deepEqual(await swapAt("immediate"), [1.3125, 126000]);
});

Deno.test("a tempo change in a reload applies at the swap", async () => {
  const { sampler, session, notes } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("a", s("bd"));
  });
  session.advance(1000);
  const r = await applySet(session, (set) => {
    set.tempo(60);
    set.play("a", s("bd"));
  });
  assert.deepEqual([r.unchanged, r.tempo, r.swapCycle, r.swapFrame], [["a"], 60, 1, 96000]);
  playTo(session, 96000 + 3 * 192000);
  // 2 s per cycle before the swap, 4 s after
  assert.deepEqual(notes.map((x) => x.frame), [0, 96000, 288000, 480000]);
});

Deno.test("notes of one frame are released in a canonical order: part name, then note", async () => {
  const { sampler, session, notes } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("zeta", s("sd"));
    set.play("alpha", note("[e3,c3]").s("epiano")); // a chord, written high to low
    set.play("mid", s("bd"));
  });
  playTo(session, 96000);
  assert.deepEqual(notes.map((x) => [x.part, x.note]), [
    ["alpha", 48],
    ["alpha", 52],
    ["mid", 36],
    ["zeta", 38],
  ]);
});

Deno.test("mute, solo, clearSolo and hush act on what is not yet scheduled", async () => {
  const { sampler, session, notes } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("a", s("bd"));
    set.play("b", s("sd"));
  });
  const cycle = (c: number) => {
    playTo(session, c * 96000);
  };
  cycle(1); // both
  session.mute("a");
  cycle(2); // b
  session.solo("a");
  assert.deepEqual([session.muted, session.soloed], [["a"], ["a"]]);
  cycle(3); // a is soloed but muted: nothing
  session.clearSolo();
  cycle(4); // both
  session.hush();
  cycle(6); // nothing
  assert.deepEqual(session.parts, []);
  const by = (c: number) =>
    notes.filter((x) => x.frame >= c * 96000 && x.frame < (c + 1) * 96000).map((x) => x.part);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(by), [["a", "b"], ["b"], [], ["a", "b"], [], []]);
  assert.throws(
    () => session.mute("nope"),
    (err: unknown) =>
      err instanceof RangeError &&
      err.message === 'Cannot mute "nope": no such part, the set plays nothing',
  );
});

Deno.test("an unknown sound or an unsupported control warns once, the event is skipped or played", async () => {
  const { sampler, session, notes, warnings } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("a", s("bd nope bd nope").withValue((v) => ({ ...v, fmvelocity: 2 })));
    set.play("b", s("bd").withValue((v) => ({ ...v, fmvelocity: 2, squiz: 1 })));
  });
  playTo(session, 2 * 96000);
  assert.equal(notes.length, 6); // the bd of both parts, with fm and squiz ignored
  // once per part and control
  assert.deepEqual(warnings.filter((w) => w.includes("not supported")), [
    'part "a": control "fmvelocity" is not supported (FM synthesis control: FM velocity scaling is not implemented): ignored',
    'part "b": control "fmvelocity" is not supported (FM synthesis control: FM velocity scaling is not implemented): ignored',
    'part "b": control "squiz" is not supported (SuperDirt\'s squiz pitch-raiser: not implemented): ignored',
  ]);
  const unknown = warnings.filter((w) => w.includes("no sound"));
  assert.equal(unknown.length, 1);
  assert.match(unknown[0]!, /^part "a": no sound "nope": the closest of the \d+ sounds are /);
});

Deno.test("the engine's cycle rate follows the session: from the first delay note on, at each tempo change", async () => {
  const { sampler, session } = openSession();
  using _ = sampler;
  const sent: [number, number][] = [];
  const send = sampler.setCyclesPerSecond.bind(sampler);
  sampler.setCyclesPerSecond = (cps, at) => {
    sent.push([cps, at as number]);
    send(cps, at);
  };
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("plain", s("bd*2"));
  });
  session.advance(96000);
  assert.deepEqual(sent, []); // no note has used the tempo: nothing sent
  session.setTempo(90);
  assert.deepEqual(sent, []);
  session.setTempo(120);
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("echo", s("hh ~").delay(0.5).delaytime(0.25).lock(1));
  });
  session.advance(4 * 96000);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]![0], 0.5); // 120 bpm, 4 beats a cycle
  const beat = session.setTempo(60);
  assert.deepEqual(sent.at(-1), [0.25, sampler.clock.beatsToFrames(beat)]);
  playTo(session, 8 * 96000);
  assert.equal(sent.length, 2); // later notes at the same rate send nothing more
});
