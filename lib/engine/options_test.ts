import assert from "node:assert/strict";
import { parseOptions, SamplerOptionsSchema, ZoneOptionsSchema } from "./options.ts";

Deno.test("SamplerOptions: defaults are the engine's", () => {
  const o = parseOptions(SamplerOptionsSchema, {}, "Cannot open sampler");
  assert.deepEqual(o, {
    sampleRate: 48000,
    channels: 2,
    maxPolyphony: 64,
    bufferSize: 128,
    ringCapacity: 4096,
    maxInstruments: 128,
    interpolation: "cubic",
    seed: 1,
    sampleBits: 32,
    tempo: 120,
    orbitOutputs: false,
    limiter: true,
  });
});

Deno.test("ZoneOptions: per-note controls take the control table's ranges and names", () => {
  const z = parseOptions(
    ZoneOptionsSchema,
    { controls: { cutoff: 800, vowel: "o", ftype: "24db" } },
    "Cannot add zone",
  );
  assert.deepEqual(z.controls, { cutoff: 800, vowel: "o", ftype: "24db" });
  assert.throws(
    () => parseOptions(ZoneOptionsSchema, { controls: { cutoff: 30000 } }, "Cannot add zone"),
    (e: unknown) => e instanceof RangeError && /controls\.cutoff/.test(e.message),
  );
  assert.throws(
    () => parseOptions(ZoneOptionsSchema, { controls: { lpf: 800 } }, "Cannot add zone"),
    (e: unknown) => e instanceof RangeError && /lpf/.test(e.message),
  );
});

Deno.test("options out of range are RangeErrors naming the option and value", () => {
  assert.throws(
    () => parseOptions(SamplerOptionsSchema, { ringCapacity: 1000 }, "Cannot open sampler"),
    (e: unknown) =>
      e instanceof RangeError &&
      /^Cannot open sampler: option "ringCapacity" .*1000/.test(e.message),
  );
  assert.throws(
    () => parseOptions(SamplerOptionsSchema, { sampleRat: 1 }, "Cannot open sampler"),
    RangeError,
  );
  assert.throws(
    () => parseOptions(ZoneOptionsSchema, { keys: [70, 60] }, "Cannot add zone"),
    (e: unknown) => e instanceof RangeError && e.message.includes('"keys"'),
  );
  assert.throws(
    () => parseOptions(ZoneOptionsSchema, { envelope: { attack: -1 } }, "Cannot add zone"),
    (e: unknown) => e instanceof RangeError && e.message.includes('"envelope.attack"'),
  );
  assert.deepEqual(parseOptions(ZoneOptionsSchema, { rootKey: 60 }, "x"), { rootKey: 60 });
});
