import assert from "node:assert/strict";
import { Clock } from "./clock.ts";

Deno.test("Clock converts beats and seconds with one Math.round of the exact frame", () => {
  const c = new Clock(44100, 120);
  assert.equal(c.framesFor({ beats: 1 }), 22050);
  assert.equal(c.framesFor({ seconds: 1 / 3 }), Math.round(44100 / 3));
  assert.equal(c.framesFor(12.4), 12);
  // triplets: positions are rounded once, never accumulated
  const c2 = new Clock(48000, 140);
  for (let i = 0; i < 1000; i++) {
    const beats = i / 3;
    assert.equal(c2.beatsToFrames(beats), Math.round(beats * 60 / 140 * 48000));
  }
});

Deno.test("Clock tempo map: later segments continue from the exact position", () => {
  const c = new Clock(48000, 120);
  c.setTempo(60, 4); // 4 beats at 120 = 2 s, then 1 s per beat
  assert.equal(c.beatsToFrames(4), 96000);
  assert.equal(c.beatsToFrames(5), 144000);
  assert.equal(c.beatsToFrames(2), 48000);
  c.setTempo(240, 0); // first segment faster: beat 4 at 1 s
  assert.equal(c.beatsToFrames(4), 48000);
  assert.equal(c.beatsToFrames(5), 96000);
  c.setTempo(100);
  assert.equal(c.bpm, 100);
  assert.equal(c.beatsToFrames(5), Math.round(5 * 0.6 * 48000));
});

Deno.test("Clock rejects negative, non-finite and malformed times with RangeError", () => {
  const c = new Clock(48000);
  assert.throws(() => c.framesFor(-1), RangeError);
  assert.throws(() => c.framesFor(NaN), RangeError);
  assert.throws(() => c.framesFor({ seconds: -0.5 }), RangeError);
  assert.throws(() => c.framesFor({ beats: Infinity }), RangeError);
  assert.throws(() => c.framesFor({} as { beats: number }), RangeError);
  assert.throws(() => c.setTempo(0), RangeError);
  assert.throws(() => new Clock(0), RangeError);
});

Deno.test("Clock.follow: pins a beat to a frame, keeps the past, ignores sub-frame wander", () => {
  const clock = new Clock(48000, 120);
  const before = clock.beatsToFrames(3);
  clock.follow(4, 100000.25, 90); // a phase correction and a new tempo from beat 4
  assert.equal(clock.beatsToFrames(3), before);
  assert.equal(clock.exactFramesForBeats(4), 100000.25);
  assert.equal(clock.beatsToFrames(5), Math.round(100000.25 + 32000));
  assert.equal(clock.bpmAt(4.5), 90);
  assert.ok(Math.abs(clock.beatsAtFrame(100000.25 + 16000) - 4.5) < 1e-9);
  // the same line within half a frame: nothing changes
  clock.follow(6, 100000.25 + 64000 + 0.4, 90);
  assert.equal(clock.exactFramesForBeats(6), 100000.25 + 64000);
  // a later local change starts from the pinned segment, which keeps its frame
  clock.setTempo(60, 8);
  assert.equal(clock.exactFramesForBeats(4), 100000.25);
  assert.equal(clock.beatsToFrames(9), Math.round(100000.25 + 4 * 32000 + 48000));
  // a change planned after the followed beat is dropped, even on the same line
  clock.follow(9, clock.exactFramesForBeats(9), 60);
  clock.setTempo(200, 12);
  clock.follow(10, clock.exactFramesForBeats(10), 60);
  assert.equal(clock.bpmAt(13), 60);
  assert.throws(() => clock.follow(-1, 0, 120), RangeError);
  assert.throws(() => clock.follow(1, 0, 0), RangeError);
});
