/**
 * Unit tests of the live output's TypeScript side: option checks, the
 * config and info records, and the state rules (one output per sampler, no
 * offline rendering while live). The device is ALSA's `null` PCM (part of
 * every ALSA install, not paced) at normal priority; servers and
 * end-to-end checks are in tests/live_test.ts.
 */
import assert from "node:assert/strict";
import { BACKEND, OUTPUT, PCM } from "../ffi/layout.ts";
import { DeviceError, EngineStateError, RtPermissionError } from "../errors.ts";
import { OutputOptionsSchema, parseOutputOptions, toOutputConfig, toOutputInfo } from "./output.ts";
import { Sampler } from "./sampler.ts";

const hasAlsa = (() => {
  try {
    return Deno.statSync("/usr/share/alsa/alsa.conf").isFile;
  } catch {
    return false;
  }
})();

Deno.test("output options: defaults", () => {
  const o = OutputOptionsSchema.parse({});
  assert.deepEqual(o, {
    backend: "auto",
    periodFrames: 128,
    periods: 2,
    rtPriority: 80,
    pcmFormat: "auto",
    connect: true,
    midiIn: false,
    lookaheadMs: 100,
    pumpIntervalMs: 10,
  });
});

Deno.test("output options: out of range is a RangeError naming the option", () => {
  assert.throws(
    () => parseOutputOptions({ periodFrames: 8 }),
    (e: Error) => e instanceof RangeError && e.message.includes('"periodFrames"'),
  );
  assert.throws(
    () => parseOutputOptions({ backend: "pulse" as "alsa" }),
    (e: Error) => e instanceof RangeError && e.message.includes('"backend"'),
  );
  assert.throws(
    () => parseOutputOptions({ rtPriority: 100 }),
    (e: Error) => e instanceof RangeError && e.message.includes('"rtPriority"'),
  );
  assert.throws(
    () => parseOutputOptions({ device: "x".repeat(104) }),
    (e: Error) => e instanceof RangeError && e.message.includes('"device"'),
  );
  assert.throws(() => parseOutputOptions({ extra: 1 } as never), RangeError);
});

Deno.test("output config record", () => {
  assert.deepEqual(
    toOutputConfig(
      parseOutputOptions({
        backend: "jack",
        connect: false,
        pcmFormat: "s16",
        device: "me",
        periodFrames: 64,
        periods: 3,
        rtPriority: 0,
      }),
    ),
    {
      backend: BACKEND.JACK,
      period_frames: 64,
      periods: 3,
      rt_priority: 0,
      pcm_format: PCM.S16,
      flags: OUTPUT.NO_CONNECT,
      device: "me",
    },
  );
  const d = toOutputConfig(parseOutputOptions({}));
  assert.equal(d.backend, BACKEND.AUTO);
  assert.equal(d.flags, 0);
  assert.equal(d.device, "");
});

Deno.test("output info record", () => {
  const info = toOutputInfo({
    backend: BACKEND.ALSA,
    sample_rate: 48000,
    period_frames: 128,
    periods: 2,
    latency_frames: 256,
    pcm_format: PCM.S32,
    sched_policy: 1,
    sched_priority: 80,
    running: 1,
    reserved: 0,
    device: "hw:0",
  });
  assert.equal(info.backend, "alsa");
  assert.equal(info.latencyMs.toFixed(3), "5.333");
  assert.equal(info.pcmFormat, "s32");
  assert.equal(info.schedPolicy, "fifo");
  assert.equal(info.realtime, true);
  assert.equal(info.running, true);
  assert.equal(toOutputInfo({ ...rec(), sched_policy: 0 }).realtime, false);
});

function rec() {
  return {
    backend: BACKEND.JACK,
    sample_rate: 48000,
    period_frames: 64,
    periods: 0,
    latency_frames: 192,
    pcm_format: PCM.FLOAT,
    sched_policy: 1,
    sched_priority: 75,
    running: 0,
    reserved: 0,
    device: "midi-sampler",
  };
}

Deno.test({
  name: "output: a missing ALSA device is a DeviceError naming it; the sampler stays usable",
  ignore: !hasAlsa,
  fn() {
    using sampler = Sampler.open();
    assert.throws(
      () => sampler.startOutput({ backend: "alsa", device: "no-such-pcm-here", rtPriority: 0 }),
      (e: Error) =>
        e instanceof DeviceError && e.code === "MS_ERR_DEVICE" &&
        e.message.includes('"no-such-pcm-here"'),
    );
    assert.equal(sampler.output, undefined);
    assert.equal(sampler.process(256).length, 512);
  },
});

Deno.test({
  name: "output: ALSA null device: state rules while live, then offline again",
  ignore: !hasAlsa,
  async fn() {
    using sampler = Sampler.open();
    const out = sampler.startOutput({ backend: "alsa", device: "null", rtPriority: 0 });
    try {
      assert.ok(out.running && sampler.output === out);
      assert.deepEqual(out.warnings.filter((w) => !(w instanceof RtPermissionError)), []);
      const info = out.info;
      assert.equal(info.backend, "alsa");
      assert.equal(info.device, "null");
      assert.equal(info.sampleRate, 48000);
      assert.ok(info.latencyFrames > 0);
      assert.throws(() => sampler.process(64), EngineStateError);
      assert.throws(() => sampler.renderToFile("/tmp/never.wav"), EngineStateError);
      assert.throws(
        () => sampler.openOutput({ backend: "alsa", device: "null" }),
        EngineStateError,
      );
      assert.throws(() => out.start(), EngineStateError);
      // the render thread advances the clock by itself
      const t0 = sampler.now();
      for (let i = 0; i < 200 && sampler.now() === t0; i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.ok(sampler.now() > t0);
    } finally {
      out.close();
    }
    assert.equal(out.running, false);
    assert.equal(sampler.output, undefined);
    out.close(); // idempotent
    const before = sampler.now();
    assert.equal(sampler.process(128).length, 256);
    assert.equal(sampler.now(), before + 128);
  },
});

Deno.test({
  name: "output: closing the sampler closes its output first",
  ignore: !hasAlsa,
  fn() {
    const sampler = Sampler.open();
    const out = sampler.startOutput({ backend: "alsa", device: "null", rtPriority: 0 });
    sampler.close();
    assert.equal(out.open, false);
    assert.equal(out.running, false);
  },
});
