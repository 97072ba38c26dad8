import assert from "node:assert/strict";
import { decodeStruct, encodeEvent, encodeStruct, EVENT, ZONE } from "./layout.ts";

Deno.test("encodeEvent writes each field at its header offset; -1 is MS_FRAME_NOW", () => {
  const buf = new Uint8Array(EVENT.size * 2);
  const view = new DataView(buf.buffer);
  const rec = {
    frame: 2 ** 40 + 5,
    instrument: 7,
    type: 1,
    note: 60,
    velocity: 100,
    number: 9,
    value: 0.5,
    gainDb: -6,
    pan: 0.25,
    tuneCents: 12,
    offsetFrames: 99,
  };
  encodeEvent(view, EVENT.size, rec);
  assert.equal(view.getBigUint64(EVENT.size + 0, true), 2n ** 40n + 5n);
  assert.equal(view.getUint32(EVENT.size + 8, true), 7);
  assert.equal(view.getUint16(EVENT.size + 12, true), 1);
  assert.equal(view.getUint8(EVENT.size + 14), 60);
  assert.equal(view.getUint8(EVENT.size + 15), 100);
  assert.equal(view.getUint32(EVENT.size + 16, true), 9);
  assert.equal(view.getFloat32(EVENT.size + 20, true), 0.5);
  assert.equal(view.getFloat32(EVENT.size + 24, true), -6);
  assert.equal(view.getFloat32(EVENT.size + 28, true), 0.25);
  assert.equal(view.getFloat32(EVENT.size + 32, true), 12);
  assert.equal(view.getUint32(EVENT.size + 36, true), 99);
  encodeEvent(view, 0, { ...rec, frame: -1 });
  assert.equal(view.getBigUint64(0, true), 2n ** 64n - 1n);
});

Deno.test("encodeStruct/decodeStruct round-trip a zone", () => {
  const b = new Uint8Array(ZONE.size);
  encodeStruct(ZONE, b, { lo_key: 36, hi_key: 48, gain_db: -3, offset_frames: 1234 });
  const z = decodeStruct(ZONE, b);
  assert.equal(z.lo_key, 36);
  assert.equal(z.hi_key, 48);
  assert.equal(z.gain_db, -3);
  assert.equal(z.offset_frames, 1234);
  assert.equal(z.pan, 0);
});
