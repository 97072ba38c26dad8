/**
 * The SuperDirt-compatible OSC input over real UDP on loopback, into an
 * offline session: a TypeScript client (osc-js, the codec Strudel sends
 * with) answers the handshake, sends time-tagged bundles with garbage
 * between them, and the offline render has every onset on the frame its
 * time tag names (the map's anchor is fixed, so frames are exact), with the
 * controls it carried (speed 2 an octave up, gain on SuperDirt's curve,
 * orbit from 0). Plus the pure parts: decoding, parameter translation.
 */
import assert from "node:assert/strict";
import { decodeOsc, OSC } from "../lib/osc/decode.ts";
import { dirtEvent, dirtParams, FrameTimeMap, ntpFromUnix } from "../lib/osc/dirt.ts";
import { listenDirt } from "../lib/osc/input.ts";
import type { NtpTime } from "../lib/osc/decode.ts";
import { applySet, openSession, playTo } from "./session_fixture.ts";
import { risingCrossingHz } from "./audio_analysis.ts";

const RATE = 48000;

/** A /dirt/play message with Tidal's types: strings as s, numbers as f (i for orbit). */
function dirtPlay(params: Record<string, string | number>): InstanceType<typeof OSC.Message> {
  const m = new OSC.Message("/dirt/play");
  const types: string[] = [];
  const args: (string | number)[] = [];
  for (const [k, v] of Object.entries(params)) {
    types.push("s", typeof v === "string" ? "s" : k === "orbit" ? "i" : "f");
    args.push(k, v);
  }
  m.types = types.join("");
  m.args = args;
  return m;
}

/** A bundle of messages at an NTP time. */
function bundleAt(t: NtpTime, ...msgs: InstanceType<typeof OSC.Message>[]): Uint8Array {
  const b = new OSC.Bundle(msgs);
  b.timetag.value.seconds = t.seconds;
  b.timetag.value.fractions = t.fraction;
  return b.pack();
}

/** The NTP time `frames` after `t0` (exact to 2^-32 s). */
function plusFrames(t0: NtpTime, frames: number): NtpTime {
  const total = t0.fraction / 4294967296 + frames / RATE;
  const whole = Math.floor(total);
  return { seconds: t0.seconds + whole, fraction: Math.round((total - whole) * 4294967296) };
}

Deno.test("decodeOsc: messages, bundles and their time tags; garbage is a located error", () => {
  const m = dirtPlay({ s: "bd", n: 3 });
  const t = ntpFromUnix(1_700_000_000.25);
  const ok = decodeOsc(bundleAt(t, m, m));
  assert.ok("messages" in ok);
  assert.equal(ok.messages.length, 2);
  assert.deepEqual(ok.messages[0], {
    address: "/dirt/play",
    types: "sssf",
    args: ["s", "bd", "n", 3],
    time: t,
  });
  const packed = bundleAt(t, m);
  const cases: [Uint8Array, RegExp][] = [
    [packed.subarray(0, packed.length - 4), /at byte 16: the element .* ends past its bundle/],
    [new Uint8Array(8), /starts with byte "0"/],
    [new Uint8Array(70_000).fill(0x2f), /more than 65507/],
    [m.pack().subarray(0, 14), /not a multiple of 4/],
    [
      (() => {
        const b = m.pack();
        b[b.indexOf(0x2c) + 1] = 0x7a; // type tag "z"
        return b;
      })(),
      /for "\/dirt\/play" at byte 0: .*unsupported argument type/,
    ],
  ];
  for (const [bytes, re] of cases) {
    const r = decodeOsc(bytes);
    assert.ok("error" in r, `decoded ${bytes.length} bytes of garbage`);
    assert.match(r.error.message, /^Cannot decode OSC packet/);
    assert.match(r.error.message, re);
  }
});

Deno.test("dirtEvent: SuperDirt's conventions become a set event's value", () => {
  const pitched = (s: string) => s === "superpiano";
  const e = dirtEvent({ s: "superpiano", n: 4, orbit: 0, gain: 0.5, delta: 0.25, cps: 1 }, pitched);
  assert.ok(typeof e === "object");
  assert.equal(e.value.note, 64); // n stands in for note on a pitched sound, 0 = middle C
  assert.equal(e.value.n, undefined);
  assert.equal(e.value.orbit, 1); // orbit 0 is superdough's 1
  assert.equal(e.value.gain, 0.0625); // SuperDirt's gain^4
  assert.equal(e.seconds, 0.25);
  const s = dirtEvent({ s: "bd", note: 12, speed: 0.5, legato: 0.5, delta: 1 }, pitched);
  assert.ok(typeof s === "object");
  assert.equal(s.value.speed, 1); // a sample transposed an octave: twice the speed
  assert.equal(s.value.note, undefined);
  assert.equal(s.seconds, 0.5);
  const m = dirtEvent({ s: "superpiano", midinote: 50, note: 3 }, pitched);
  assert.ok(typeof m === "object" && m.value.note === 50 && m.value.midinote === undefined);
  const a = dirtEvent({ s: "bd", gain: 0.5, amp: 0.8 }, pitched);
  assert.ok(typeof a === "object" && a.value.gain === 0.125 && a.value.amp === undefined);
  const mb = dirtEvent({ s: "bd", midinote: 48 }, pitched);
  assert.ok(typeof mb === "object" && mb.value.speed === 0.5); // an octave below middle C
  // SuperDirt's synth names play their stand-ins, unless the set names them itself
  const sp = dirtEvent({ s: "superpiano", n: 2 }, (x) => x === "piano", (x) => x === "piano");
  assert.ok(typeof sp === "object" && sp.value.s === "piano" && sp.value.note === 62);
  const own = dirtEvent({ s: "superpiano" }, pitched, () => true);
  assert.ok(typeof own === "object" && own.value.s === "superpiano");
  assert.match(String(dirtEvent({ n: 1 }, pitched)), /no sound/);
  const odd = dirtParams({ address: "/dirt/play", types: "sss", args: ["s", "bd", "n"] });
  assert.match(String(odd), /3 arguments, not name\/value pairs/);
  const noName = dirtParams({ address: "/dirt/play", types: "fs", args: [1, "bd"] });
  assert.match(String(noName), /argument 0 \(type "f"\) is no parameter name/);
});

Deno.test("FrameTimeMap: tags to frames from one anchor, rounded once; the anchor follows drift", () => {
  const t0 = ntpFromUnix(1_800_000_000.5);
  const map = new FrameTimeMap(RATE, t0, 1000);
  assert.equal(map.frameOf(t0), 1000);
  assert.equal(map.frameOf(plusFrames(t0, 123_457)), 124_457);
  assert.equal(map.frameOf(plusFrames(t0, -480)), 520); // before the anchor
  // an audio clock 1 % slow: the map moves once the averaged error passes 5 ms (240 frames)
  let moved = -1;
  for (let i = 1; i <= 400 && moved < 0; i++) {
    map.observe(plusFrames(t0, i * 12_000), 1000 + Math.round(i * 12_000 * 0.99));
    if (map.adjustments) moved = i;
  }
  assert.ok(moved > 0, "the anchor never moved");
  assert.ok(map.anchor.frame < 1000, `moved the wrong way: ${map.anchor.frame}`);
  // steady, jittered by a period: it stays
  const still = new FrameTimeMap(RATE, t0, 0);
  for (let i = 1; i <= 1000; i++) {
    still.observe(plusFrames(t0, i * 12_000), i * 12_000 + (i % 2) * 64);
  }
  assert.equal(still.adjustments, 0);
});

Deno.test("OSC input over UDP: handshake answered, bundles play on their frames with their controls, garbage counted", async () => {
  const { sampler, session, notes, warnings } = openSession();
  using _ = sampler;
  const t0 = ntpFromUnix(1_800_000_000.125);
  const map = new FrameTimeMap(RATE, t0, 0);
  const listener = listenDirt({
    session,
    port: 0,
    map,
    renderFrame: () => sampler.now(),
    onWarning: (w) => warnings.push(w),
  });
  const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: listener.addr.port };
    let sent = 0;
    const send = async (bytes: Uint8Array) => {
      await client.send(bytes, to);
      sent++;
    };

    // the handshake, as Tidal sends it: no arguments, answered with the control busses
    await send(new OSC.Message("/dirt/handshake").pack());
    const [reply] = await client.receive();
    const r = decodeOsc(reply);
    assert.ok("messages" in r);
    assert.equal(r.messages[0]!.address, "/dirt/handshake/reply");
    const args = r.messages[0]!.args;
    assert.equal(args[0], "&serverHostname");
    assert.ok(args.indexOf("&controlBusIndices") > 0);
    assert.ok(args.length > args.indexOf("&controlBusIndices") + 1, "no control bus indices");

    // events at odd frames; garbage between them
    const frames = [4_807, 24_013, 43_999, 64_001];
    const events = [
      { s: "sine", note: 0, delta: 0.1, cps: 0.5625, cycle: 1 }, // middle C
      { s: "sine", note: 0, speed: 2, delta: 0.1, cps: 0.5625, cycle: 1.25 }, // an octave up
      { s: "sine", note: 0, gain: 0.5, delta: 0.1, cps: 0.5625, cycle: 1.5 }, // 0.5^4
      { s: "sine", note: 7, orbit: 1, delta: 0.1, cps: 0.5625, cycle: 1.75 }, // G, orbit 1
    ];
    const packed = bundleAt(plusFrames(t0, frames[0]!), dirtPlay(events[0]!));
    const garbage: Uint8Array[] = [
      packed.subarray(0, packed.length - 8), // truncated
      (() => {
        const b = dirtPlay({ s: "sine" }).pack();
        b[b.indexOf(0x2c) + 2] = 0x7a; // wrong type tag
        return b;
      })(),
      new OSC.Message("/dirt/unknown", 1).pack(), // unknown address
      new Uint8Array(65_000).fill(0x2f), // huge
      (() => {
        const m = new OSC.Message("/dirt/play");
        m.types = "sss";
        m.args = ["s", "sine", "n"]; // odd name/value pairs
        return m.pack();
      })(),
    ];
    for (let i = 0; i < events.length; i++) {
      await send(bundleAt(plusFrames(t0, frames[i]!), dirtPlay(events[i]!)));
      if (garbage[i]) await send(garbage[i]!);
    }
    await send(garbage[4]!);
    // one late event: its time tag is before the render position
    await send(bundleAt(plusFrames(t0, -RATE), dirtPlay({ s: "sine", note: 24, delta: 0.01 })));

    const end = Date.now() + 10_000;
    while (listener.input.stats.packets < sent && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await listener.input.idle();
    const stats = { ...listener.input.stats };
    assert.equal(stats.packets, sent);
    assert.equal(stats.handshakes, 1);
    assert.equal(stats.played, 5);
    assert.equal(stats.late, 1);
    assert.equal(stats.malformed, 4, JSON.stringify(warnings)); // truncated, type tag, huge, odd pairs
    assert.equal(stats.unknown, 1);
    assert.equal(stats.cycle, 1.75);
    assert.ok(warnings.some((w) => /Cannot decode OSC packet/.test(w)), warnings.join("\n"));
    assert.ok(warnings.some((w) => /"\/dirt\/unknown"/.test(w)), warnings.join("\n"));

    // a flood of distinct garbage: counted, warned about a bounded number of times
    const before = warnings.length;
    const flood = Array.from(
      { length: 200 },
      (_, i) => new OSC.Message(`/flood/${i}/x${"y".repeat(i % 7)}`).pack(),
    );
    for (const b of flood) listener.input.handle(b);
    for (let i = 1; i <= 100; i++) listener.input.handle(new Uint8Array(4 * i + 1));
    assert.equal(listener.input.stats.unknown, stats.unknown + 200);
    assert.equal(listener.input.stats.malformed, stats.malformed + 100);
    assert.ok(warnings.length - before <= 60, `${warnings.length - before} warnings for a flood`);

    const total = 72_000;
    playTo(session, total);
    const audio = sampler.process(total);
    const played = notes.filter((n) => n.part === "osc").sort((a, b) => a.frame - b.frame);
    assert.deepEqual(played.map((n) => n.frame), [0, ...frames]);
    assert.equal(played[0]!.note, 84); // the late one, at once
    assert.equal(played[3]!.gainDb.toFixed(2), (20 * Math.log10(0.0625)).toFixed(2));
    assert.equal(played[4]!.controls?.orbit, 1);
    assert.equal(played[4]!.note, 67);

    // onsets: the first sound after silence is on the event's frame (the sine starts at phase
    // 0, so its first sample is 0: the next one sounds)
    const left = (i: number) => audio[2 * i]!;
    for (const f of frames) {
      let first = f - 2000;
      while (first < f + 100 && left(first) === 0) first++;
      assert.ok(first === f + 1, `onset at ${first}, its time tag names frame ${f}`);
    }
    const hz = (f: number) => risingCrossingHz(audio, f + 480, f + 4000, RATE);
    assert.ok(Math.abs(hz(frames[0]!) - 261.63) < 1, `middle C plays ${hz(frames[0]!)} Hz`);
    assert.ok(Math.abs(hz(frames[1]!) - 523.25) < 2, `speed 2 plays ${hz(frames[1]!)} Hz`);
    const peak = (f: number) => {
      let p = 0;
      for (let i = f; i < f + 4000; i++) p = Math.max(p, Math.abs(left(i)));
      return p;
    };
    const ratio = peak(frames[2]!) / peak(frames[0]!);
    assert.ok(Math.abs(ratio - 0.0625) < 0.005, `gain 0.5 gives ${ratio} of the level`);
  } finally {
    client.close();
    listener.close();
    await listener.closed;
  }
});

Deno.test("OSC input: sound names resolve as the set's (a sample pack), loaded at first use, in order", async () => {
  const { sampler, session, notes, warnings } = openSession();
  using _ = sampler;
  const pack = new URL("../examples/samples", import.meta.url).pathname;
  await applySet(session, (set) => set.samples(pack));
  const t0 = ntpFromUnix(1_800_000_000);
  const listener = listenDirt({
    session,
    port: 0,
    map: new FrameTimeMap(RATE, t0, 0),
    renderFrame: () => sampler.now(),
    onWarning: (w) => warnings.push(w),
  });
  const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: listener.addr.port };
    // Tidal's "hh:1", then n picking the third tom, transposed an octave by note, then a name
    // no pack has: each loads at its first event, and the events keep their order
    const sent = [
      bundleAt(plusFrames(t0, 4800), dirtPlay({ s: "hh:1", delta: 0.1 })),
      bundleAt(plusFrames(t0, 9600), dirtPlay({ s: "tom", n: 2, note: 12, delta: 0.1 })),
      bundleAt(plusFrames(t0, 14400), dirtPlay({ s: "nosuchsound", delta: 0.1 })),
      bundleAt(plusFrames(t0, 19200), dirtPlay({ s: "hh", n: 0, delta: 0.1 })),
    ];
    for (const b of sent) await client.send(b, to);
    const end = Date.now() + 10_000;
    while (listener.input.stats.packets < sent.length && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await listener.input.idle();
    assert.equal(listener.input.stats.played, 3);
    assert.equal(listener.input.stats.skipped, 1);
    assert.ok(warnings.some((w) => /no sound "nosuchsound"/.test(w)), warnings.join("\n"));
    playTo(session, 48000);
    const played = notes.filter((n) => n.part === "osc");
    assert.deepEqual(played.map((n) => [n.frame, n.sound]), [[4800, "hh"], [9600, "tom"], [
      19200,
      "hh",
    ]]);
    assert.match(played[0]!.instrument, /hh1_open/);
    assert.match(played[1]!.instrument, /tom2_high/);
    assert.match(played[2]!.instrument, /hh0_closed/);
    assert.equal(Math.round(played[1]!.tuneCents), 1200); // note 12: speed 2, an octave up
  } finally {
    client.close();
    listener.close();
    await listener.closed;
  }
});

Deno.test("OSC input: a bundle shaped as Strudel's .osc() sends it (osc-js types, a millisecond time tag)", async () => {
  const { sampler, session, notes } = openSession();
  using _ = sampler;
  const unixMs = 1_800_000_000_000;
  const map = new FrameTimeMap(RATE, ntpFromUnix(unixMs / 1000), 0);
  const listener = listenDirt({ session, port: 0, map, renderFrame: () => sampler.now() });
  const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    // as @strudel/osc builds it: key/value pairs with osc-js's own type inference (7 is an
    // int32, 0.5 a float), cps/cycle/delta first, the onset as milliseconds since 1970
    const keyvals = Object.entries({ cps: 0.5, cycle: 3, delta: 0.25, s: "sine", note: 7 })
      .flat();
    const message = new OSC.Message("/dirt/play", ...keyvals);
    const bundle = new OSC.Bundle([message], unixMs + 250);
    bundle.timestamp(unixMs + 250);
    await client.send(bundle.pack(), {
      transport: "udp",
      hostname: "127.0.0.1",
      port: listener.addr.port,
    });
    const end = Date.now() + 10_000;
    while (listener.input.stats.packets < 1 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await listener.input.idle();
    playTo(session, 48_000);
    const played = notes.filter((n) => n.part === "osc");
    assert.equal(played.length, 1);
    // 250 ms after the anchor, within osc-js's millisecond-to-NTP rounding (under a frame)
    assert.equal(played[0]!.frame, 12_000);
    assert.equal(played[0]!.note, 67); // note 7: G above middle C, as SuperDirt plays it
    assert.equal(played[0]!.offFrame - played[0]!.frame, 12_000); // delta 0.25 s
  } finally {
    client.close();
    listener.close();
    await listener.closed;
  }
});
