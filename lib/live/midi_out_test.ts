/**
 * `.midi()` parts in a session, rendered offline into capture outputs: each
 * note-on on its onset's frame and its note-off at its end, on `midichan`
 * (1-based), velocity gain × velocity as @strudel/midi computes it; ccn/ccv,
 * midicmd, progNum; two ports by name and index; hush drops queued note-ons
 * and answers sounding notes; a muted or removed part's sounding notes end
 * on time; MIDI clock: 24 ticks per beat on exact frames,
 * following a tempo change.
 */
import assert from "node:assert/strict";
import { ccv, note, s } from "../pattern/pattern.ts";
import { applySet, openSession } from "../../tests/session_fixture.ts";

/** Render `frames` in 512-frame slices, scheduling ahead as the offline render does. */
function render(
  session: { advance(f: number): number; flush(f: number): number },
  sampler: { process(n: number): Float32Array; now(): number },
  frames: number,
) {
  for (let done = 0; done < frames; done += 512) {
    session.advance(sampler.now() + 2048);
    sampler.process(512);
  }
}

Deno.test('note("c4 e4 g4 -").midi().midichan(2) at 120 bpm: notes on the onsets\' exact frames', async () => {
  const { sampler, session, warnings } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120); // a cycle = 4 beats = 2 s = 96000 frames
    set.play("lead", note("c4 e4 g4 ~").midi().midichan(2).velocity("<1 0.5>").gain(0.5));
    set.play("drums", s("bd*2")); // plays on the sampler as before
  });
  render(session, sampler, 2 * 96000 + 512);
  const out = sampler.midi.output("midi");
  assert.equal(out.kind, "capture");
  const got = out.read().filter((m) => m.frame < 192000).map((m) => [m.frame, ...m.bytes]);
  const step = 96000 / 4;
  const want: number[][] = [];
  for (let c = 0; c < 2; c++) {
    const vel = c === 0 ? Math.round(0.5 * 127) : Math.round(0.25 * 127);
    [60, 64, 67].forEach((k, i) => {
      want.push([c * 96000 + i * step, 0x91, k, vel]);
      want.push([c * 96000 + (i + 1) * step, 0x81, k, 0]);
    });
  }
  want.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!); // at one frame: the note-off first
  assert.deepEqual(got, want);
  assert.deepEqual(warnings, []);
  assert.ok(session.notes >= 6 + 4);
});

Deno.test("ccn/ccv, midicmd, progNum; two ports by name and by index", async () => {
  const { sampler, session, warnings } = openSession({ midiOut: "main" });
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("cc", ccv("0 0.5").ccn(74).midi().midichan(16));
    set.play("prog", note("c2").progNum(5).midi("second"));
    set.play("cmd", note("c5").midicmd("<start stop>").midi(0)); // index 0: "main", opened first
  });
  sampler.midi.output("main"); // index 0
  render(session, sampler, 96000 * 2);
  const main = sampler.midi.output("main").read().map((m) => [m.frame, ...m.bytes]);
  assert.deepEqual(main.filter((m) => m[1] === 0xbf), [
    [0, 0xbf, 74, 0],
    [48000, 0xbf, 74, 64],
    [96000, 0xbf, 74, 0],
    [144000, 0xbf, 74, 64],
  ]);
  assert.deepEqual(main.filter((m) => m[1]! >= 0xf0), [[0, 0xfa], [96000, 0xfc]]);
  const second = sampler.midi.output("second").read().map((m) => [m.frame, ...m.bytes]);
  assert.deepEqual(second.slice(0, 3), [[0, 0xc0, 5], [0, 0x90, 36, 114], [96000, 0x80, 36, 0]]);
  assert.deepEqual(warnings, []);
});

Deno.test("hush: queued note-ons are dropped, every sounding note gets its note-off at once", async () => {
  const { sampler, session } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("pad", note("c3 e3").slow(4).midi()); // notes of 4 beats
  });
  session.advance(48000 + 4096); // queued ahead: the note-on at 96000 is not
  sampler.process(50000);
  session.hush();
  sampler.process(2048);
  session.advance(sampler.now() + 96000 * 3);
  sampler.process(96000 * 3);
  const got = sampler.midi.output("midi").read().map((m) => [m.frame, ...m.bytes]);
  // the note-on at 0, the panic's note-off at the first frame after hush; nothing more
  // (the queued note-off at 96000 goes out too: a second, harmless note-off)
  assert.deepEqual(got.slice(0, 2), [[0, 0x90, 48, 114], [50000, 0x80, 48, 0]]);
  assert.ok(got.slice(2).every((m) => m[1] === 0x80), JSON.stringify(got));
  assert.equal(sampler.midi.output("midi").counts().sounding, 0);
});

Deno.test("MIDI clock: 24 ticks per beat on exact frames after a start, following a tempo change", async () => {
  const { sampler, session } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120); // a beat = 24000 frames: a tick = 1000 frames
    set.play("p", s("bd"));
  });
  const clock = sampler.midi.output("clock");
  session.startMidiClock(clock);
  render(session, sampler, 48000);
  session.setTempo(60); // from the cursor on: a tick = 2000 frames
  render(session, sampler, 96000);
  session.stopMidiClock();
  render(session, sampler, 4096);
  const got = clock.read();
  assert.deepEqual(got[0], { frame: 0, bytes: [0xfa] });
  const ticks = got.filter((m) => m.bytes[0] === 0xf8).map((m) => m.frame);
  // tick k on the frame of beat k / 24 of the clock, before and after the tempo change
  assert.deepEqual(ticks, ticks.map((_, k) => sampler.clock.beatsToFrames(k / 24)));
  const steps = ticks.slice(1).map((f, i) => f - ticks[i]!);
  const fast = steps.filter((d) => d === 1000).length;
  const slow = steps.filter((d) => Math.abs(d - 2000) <= 1).length;
  assert.ok(fast >= 48 && slow >= 40 && fast + slow >= steps.length - 1, JSON.stringify(steps));
  const last = got[got.length - 1]!;
  assert.deepEqual(last.bytes, [0xfc]);
  assert.ok(last.frame > ticks[ticks.length - 1]!);
});

Deno.test("mute, and a reload that removes the part: the sounding note still gets its note-off, on time", async () => {
  const { sampler, session } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120); // a cycle = 96000 frames
    set.play("pad", note("c3").midi()); // a whole-cycle note
    set.play("lead", note("e4 g4").midi());
  });
  render(session, sampler, 24000); // c3 and e4 sound
  session.mute("pad");
  await applySet(session, (set) => { // lead removed at the next cycle
    set.tempo(120);
    set.play("pad", note("c3").midi());
  });
  render(session, sampler, 96000 * 3);
  const got = sampler.midi.output("midi").read().map((m) => [m.frame, ...m.bytes]);
  const ons = got.filter((m) => m[1] === 0x90), offs = got.filter((m) => m[1] === 0x80);
  // c3 at 0 (muted after: no more), e4 at 0, g4 at 48000; then nothing new
  assert.deepEqual(ons.map((m) => [m[0], m[2]]), [[0, 48], [0, 64], [48000, 67]]);
  assert.deepEqual(offs.map((m) => [m[0], m[2]]), [[48000, 64], [96000, 48], [96000, 67]]);
  assert.equal(sampler.midi.output("midi").counts().sounding, 0);
});

Deno.test("MIDI clock follows the clock's timeline when it moves (as Link moves it): ticks on the new beats, none repeated", async () => {
  const { sampler, session } = openSession();
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(120);
    set.play("p", s("bd"));
  });
  const clock = sampler.midi.output("clock");
  session.startMidiClock(clock);
  render(session, sampler, 48000); // scheduled up to ~50048: beat ~2.09
  // a Link peer: beat 3 is heard 600 frames later than this clock said, then 100 bpm
  const moved = sampler.clock.beatsToFrames(3) + 600;
  sampler.clock.follow(3, moved, 100);
  render(session, sampler, 96000);
  const ticks = clock.read().filter((m) => m.bytes[0] === 0xf8).map((m) => m.frame);
  // every tick from beat 3 on sits on the followed timeline: beat 3 + j/24 at 100 bpm
  const at3 = ticks.indexOf(moved);
  assert.ok(at3 > 0, `a tick on beat 3's new frame ${moved}`);
  ticks.slice(at3).forEach((f, j) =>
    assert.equal(f, Math.round(moved + j * 1200), `tick ${j} after beat 3`)
  );
  // frames only ever go forward: nothing repeated across the move
  assert.ok(ticks.every((f, i) => i === 0 || f > ticks[i - 1]!));
});
