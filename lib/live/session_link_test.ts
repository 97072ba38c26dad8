// A session following an Ableton Link timeline, frame for frame, on a fake
// timeline (no network: tests/link_live_test.ts runs the real one in a
// private namespace).
import assert from "node:assert/strict";
import type { LinkTimeline } from "../engine/link.ts";
import { applySet, openSession, playTo } from "../../tests/session_fixture.ts";
import { s } from "../pattern/pattern.ts";
import { InstrumentCache } from "./instruments.ts";
import { runCommand } from "./repl.ts";

const RATE = 48000;

/** A linear timeline: `beat0` heard at frame `frame0`, then `bpm`; tempo changes keep the beat at their frame. */
class FakeTimeline implements LinkTimeline {
  ready = true;
  playing = true;
  startStop = false;
  quantum = 4;
  requests: { bpm: number; frame: number }[] = [];
  constructor(public beat0: number, public frame0: number, public tempo: number) {}
  setQuantum(beats: number): void {
    this.quantum = beats;
  }
  beatAtFrame(frame: number): number {
    return this.beat0 + (frame - this.frame0) / RATE * this.tempo / 60;
  }
  frameAtBeat(beat: number): number {
    return this.frame0 + (beat - this.beat0) * 60 / this.tempo * RATE;
  }
  /** A peer's change: `bpm` from `frame` on. */
  change(bpm: number, frame: number): void {
    this.beat0 = this.beatAtFrame(frame);
    this.frame0 = frame;
    this.tempo = bpm;
  }
  requestTempo(bpm: number, frame: number): void {
    this.requests.push({ bpm, frame });
    this.change(bpm, frame);
  }
  playRequests: { playing: boolean; frame: number }[] = [];
  requestPlaying(playing: boolean, frame: number): void {
    this.playRequests.push({ playing, frame });
  }
  status() {
    return { peers: 2, bpm: this.tempo, playing: this.playing, quantum: this.quantum };
  }
}

Deno.test("Link: notes fall on the frames the timeline gives their beats, through a peer's tempo change", async () => {
  // the shared timeline is at beat 6.25 when this session starts: it waits for beat 7
  const link = new FakeTimeline(6.25, 0, 125);
  const { sampler, session, notes } = openSession({ link });
  using _ = sampler;
  await applySet(session, (set) => {
    set.tempo(90); // this peer's own tempo: the session's wins
    set.play("drums", s("bd*4"));
  });
  playTo(session, 3 * RATE);
  assert.equal(link.quantum, 4);
  assert.ok(notes.length >= 5);
  assert.equal(notes[0]!.beat, 7); // the first beat heard after the start, not beat 0
  for (const n of notes) {
    assert.ok(Number.isInteger(n.beat));
    assert.equal(n.frame, Math.round(link.frameAtBeat(n.beat)));
  }
  // a peer sets 100 bpm from frame 150000 on: what is not scheduled yet follows
  const before = notes.length;
  link.change(100, 150000);
  playTo(session, 6 * RATE);
  const after = notes.slice(before).filter((n) => n.frame > 3 * RATE + 24000);
  assert.ok(after.length >= 3);
  for (const n of after) assert.equal(n.frame, Math.round(link.frameAtBeat(n.beat)));
  for (let i = 1; i < after.length; i++) {
    assert.ok(Math.abs(after[i]!.frame - after[i - 1]!.frame - 28800) <= 1);
  }
  assert.equal(sampler.clock.bpmAt(session.beatOfTick(session.cursorTicks)), 100);
  assert.equal(link.requests.length, 0); // the first load's tempo is not committed
});

Deno.test("Link: a local tempo is committed to the session at the cursor's frame", async () => {
  const link = new FakeTimeline(0, 0, 120);
  const { sampler, session, notes } = openSession({ link });
  using _ = sampler;
  await applySet(session, (set) => set.play("drums", s("bd*4")));
  playTo(session, RATE);
  const at = session.frameOfTick(session.cursorTicks);
  session.setTempo(150);
  assert.deepEqual(link.requests, [{ bpm: 150, frame: at }]);
  const from = notes.length;
  playTo(session, 4 * RATE);
  const later = notes.slice(from);
  assert.ok(later.length >= 4);
  for (const n of later) assert.equal(n.frame, Math.round(link.frameAtBeat(n.beat)));
  for (let i = 1; i < later.length; i++) {
    assert.ok(Math.abs(later[i]!.frame - later[i - 1]!.frame - 19200) <= 1);
  }
});

Deno.test("Link: nothing is scheduled before a timeline exists or while a synced transport is stopped", async () => {
  const link = new FakeTimeline(0, 0, 120);
  link.ready = false;
  const { sampler, session, notes } = openSession({ link });
  using _ = sampler;
  await applySet(session, (set) => set.play("drums", s("bd*4")));
  playTo(session, RATE);
  assert.equal(notes.length, 0);
  assert.equal(session.cursorTicks, 0);
  link.ready = true;
  link.startStop = true;
  link.playing = false;
  playTo(session, 2 * RATE);
  assert.equal(notes.length, 0); // time passed, nothing played
  assert.ok(session.cursorTicks > 0);
  link.playing = true;
  playTo(session, 4 * RATE);
  assert.ok(notes.length >= 3);
  assert.ok(notes.every((n) => n.frame >= 2 * RATE));
});

Deno.test("Link: a reload's tempo the session cannot take is a warning, the reload stands", async () => {
  const link = new FakeTimeline(0, 0, 120);
  link.requestTempo = () => {
    throw new RangeError('Cannot set the Link tempo: tempo must be 20..999 bpm, got "10"');
  };
  const { sampler, session, warnings } = openSession({ link });
  using _ = sampler;
  await applySet(session, (set) => set.play("drums", s("bd*4")));
  playTo(session, RATE);
  const r = await applySet(session, (set) => {
    set.tempo(10);
    set.play("hats", s("hh*8"));
  });
  assert.deepEqual(r.added, ["hats"]);
  assert.ok(
    warnings.some((w) => /20\.\.999.*the Link session keeps its tempo/.test(w)),
    warnings.join("\n"),
  );
  playTo(session, 3 * RATE);
  assert.equal(sampler.clock.bpmAt(session.beatOfTick(session.cursorTicks)), 120);
});

Deno.test("Link: the REPL's link command shows the session and asks its transport to start and stop", async () => {
  const link = new FakeTimeline(0, 0, 120);
  link.startStop = true;
  const { sampler, session } = openSession({ link });
  using _ = sampler;
  await applySet(session, (set) => set.play("drums", s("bd*4")));
  playTo(session, RATE);
  const ctx = {
    session,
    instruments: new InstrumentCache(sampler),
    reload: () => Promise.resolve(""),
    stats: () => "",
    quit: () => {},
  };
  assert.equal(
    await runCommand("link", ctx),
    "link: 2 peers, 120.00 bpm, quantum 4, transport playing",
  );
  assert.match(await runCommand("link stop", ctx), /^link: stop requested from cycle /);
  assert.deepEqual(link.playRequests, [{
    playing: false,
    frame: session.frameOfTick(session.cursorTicks),
  }]);
  assert.match(await runCommand("link sideways", ctx), /^error: link start, link stop or link/);
  const { session: alone, sampler: s2 } = openSession();
  using _2 = s2;
  assert.match(await runCommand("link", { ...ctx, session: alone }), /not in a Link session/);
});
