/** The TypeScript control rows agree with the engine's (ms_field_info, MS_FIELDS_CONTROL). */
import assert from "node:assert/strict";
import {
  CONTROL_ROWS,
  controlRangeError,
  CONTROLS_BLOCK_SIZE,
  controlsBlock,
  controlValue,
} from "./control_table.ts";
import { fieldTable } from "./native.ts";

/** MS_FIELDS_CONTROL. */
const FIELDS_CONTROL = 4;
/** MS_FIELD_ENUM, MS_FIELD_ORBIT, MS_FIELD_FX. */
const FLAG = { enum: 1, orbit: 8, fx: 16 } as const;

Deno.test("one TypeScript row per engine control: id, name, unit, default, range and flags agree", () => {
  const c = fieldTable(FIELDS_CONTROL);
  assert.equal(c.length, CONTROL_ROWS.length, "row count");
  c.forEach((f, i) => {
    const r = CONTROL_ROWS[i]!;
    const what = `row ${i} (${f.name})`;
    assert.equal(r.id, i, what);
    assert.equal(f.id, i, what);
    assert.equal(r.name, f.name, what);
    assert.equal(r.unit, f.unit, what);
    assert.equal(Math.fround(r.default), Math.fround(f.defaultValue), `${what} default`);
    assert.equal(Math.fround(r.min), Math.fround(f.min), `${what} min`);
    assert.equal(Math.fround(r.max), Math.fround(f.max), `${what} max`);
    const flags = (r.flags as readonly string[]).reduce(
      (m, k) => m | FLAG[k as keyof typeof FLAG],
      0,
    );
    assert.equal(flags, f.flags & (FLAG.enum | FLAG.orbit | FLAG.fx), `${what} flags`);
  });
});

Deno.test("control values: names to indices, range messages name the control and its range", () => {
  assert.equal(controlValue("vowel", "u"), 4);
  assert.equal(controlValue("vowel", "ø"), 7);
  assert.equal(controlValue("ftype", "ladder"), 1);
  assert.equal(controlValue("ftype", 5), 5); // the range check refuses it
  assert.equal(controlValue("tremoloshape", "saw"), 3);
  assert.equal(controlValue("unit", "c"), 1);
  assert.equal(
    controlValue("vowel", "x"),
    'vowel "x" is not one of a e i o u ae aa oe ue y uh un en an on',
  );
  assert.equal(controlValue("cutoff", "loud"), 'cutoff must be a number, got "loud"');
  const cutoff = CONTROL_ROWS.find((r) => r.name === "cutoff")!;
  assert.equal(controlRangeError(cutoff, 800), undefined);
  assert.equal(controlRangeError(cutoff, 30000), "cutoff 30000 is outside 5..24000 Hz");
  const vowel = CONTROL_ROWS.find((r) => r.name === "vowel")!;
  assert.equal(controlRangeError(vowel, 1.5), "vowel 1.5 is not an integer 0..14");
});

Deno.test("an ms_controls_t block: presence bit per id, the float at 16 + 4·id", () => {
  const b = controlsBlock([[0, 0.25], [33, 800], [76, 0.5]]);
  assert.equal(b.length, CONTROLS_BLOCK_SIZE);
  const dv = new DataView(b.buffer);
  assert.deepEqual([0, 1, 2, 3].map((w) => dv.getUint32(w * 4, true)), [1, 2, 1 << 12, 0]);
  assert.equal(dv.getFloat32(16, true), 0.25);
  assert.equal(dv.getFloat32(16 + 33 * 4, true), 800);
  assert.equal(dv.getFloat32(16 + 76 * 4, true), 0.5);
});
