import assert from "node:assert/strict";
import { type EventRecord, eventRecord } from "../ffi/layout.ts";
import { EventQueue } from "./scheduler.ts";

const ev = (frame: number, note: number, instrument = 1): EventRecord =>
  eventRecord({ frame, instrument, type: 1, note, velocity: 100 });

Deno.test("EventQueue pops by frame, same-frame events in insertion order, NOW (-1) first", () => {
  const q = new EventQueue();
  const frames = [50, 10, 10, 30, -1, 10, 0, 50];
  frames.forEach((f, i) => q.push(ev(f, i)));
  const out: [number, number][] = [];
  while (q.size) {
    const e = q.pop()!;
    out.push([e.frame, e.note]);
  }
  assert.deepEqual(out, [[-1, 4], [0, 6], [10, 1], [10, 2], [10, 5], [30, 3], [50, 0], [50, 7]]);
  assert.equal(q.peekFrame(), Infinity);
});

Deno.test("EventQueue.removeWhere keeps the order of the rest", () => {
  const q = new EventQueue();
  for (let i = 0; i < 100; i++) q.push(ev((i * 37) % 11, i, i % 2 ? 1 : 2));
  assert.equal(q.removeWhere((e) => e.instrument === 2), 50);
  let last = -Infinity;
  let lastNote = -1;
  while (q.size) {
    const e = q.pop()!;
    assert.equal(e.instrument, 1);
    assert.ok(e.frame > last || (e.frame === last && e.note > lastNote));
    last = e.frame;
    lastNote = e.note;
  }
});
