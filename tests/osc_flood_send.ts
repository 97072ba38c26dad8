/**
 * The sender of the OSC flood (tests/osc_flood_live_test.ts), its own
 * process so that sending does not compete with perform's input: RATE
 * packets a second for SECONDS, every other one malformed (random bytes, a
 * truncated bundle, a bundle whose element size lies, a `/dirt/play` whose
 * arguments do not pair, a string without its terminator), the valid ones
 * Tidal-shaped `/dirt/play` bundles tagged AHEAD seconds on: quiet notes
 * panned right, and ten times a second a probe (a sine blip, hard left)
 * whose time tag the test finds again in the recording. Then, after a second
 * of calm, five more probes 0.1 s apart.
 *
 * Usage: deno run -A --unstable-net tests/osc_flood_send.ts PORT RATE SECONDS AHEAD
 * Prints `{"sent", "valid", "malformed", "probes", "after"}` (the probes' tags in unix seconds).
 *
 * @module
 */
import { OSC } from "../lib/osc/decode.ts";
import { dirtBundle } from "../scripts/bench_osc_send.ts";
import { mulberry32 } from "../scripts/make_samples.ts";

/** One malformed packet of five kinds, in turn. */
function malformed(i: number, r: () => number, at: number): Uint8Array {
  switch (i % 5) {
    case 0: { // random bytes
      const b = new Uint8Array(1 + Math.floor(r() * 200));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(r() * 256);
      return b;
    }
    case 1: { // a valid bundle cut short, inside its element (16 bytes would be a valid empty bundle)
      const b = dirtBundle(at, [["s", "sine"], ["note", 0]]);
      return b.subarray(0, 17 + Math.floor(r() * (b.length - 18)));
    }
    case 2: { // a bundle whose element size says more than there is
      const b = dirtBundle(at, [["s", "sine"]]).slice();
      new DataView(b.buffer).setInt32(16, 100000, false);
      return b;
    }
    case 3: { // /dirt/play arguments that do not pair (a name without its value)
      const m = new OSC.Message("/dirt/play");
      m.types = "sfs";
      m.args = ["s", 1.5, "note"];
      return m.pack();
    }
    default: { // an address string with no terminator or padding
      return new TextEncoder().encode("/dirt/play,ss");
    }
  }
}

/** Send the flood; returns what was sent. */
export async function flood(
  port: number,
  rate: number,
  seconds: number,
  ahead: number,
): Promise<
  { sent: number; valid: number; malformed: number; probes: number[]; after: number[] }
> {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
  const r = mulberry32(17);
  const start = (performance.timeOrigin + performance.now()) / 1000;
  const total = Math.round(rate * seconds);
  const probeEvery = Math.round(rate / 10);
  const probes: number[] = [];
  let i = 0, valid = 0, bad = 0;
  while (i < total) {
    const now = (performance.timeOrigin + performance.now()) / 1000;
    const due = Math.min(total, Math.floor((now - start + 0.005) * rate));
    for (; i < due; i++) {
      const at = start + i / rate + ahead;
      let packet: Uint8Array;
      if (i % probeEvery === 0) {
        probes.push(at);
        packet = dirtBundle(at, [["s", "sine"], ["note", 24], ["gain", 1], ["pan", 0], [
          "delta",
          0.02,
        ]]);
        valid++;
      } else if (i % 2 === 1) {
        packet = malformed(i >> 1, r, at);
        bad++;
      } else {
        packet = dirtBundle(at, [["s", "sine"], ["note", i % 24], ["gain", 0.2], ["pan", 1], [
          "delta",
          0.005,
        ]]);
        valid++;
      }
      await sock.send(packet, to);
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  // after the flood, a second of calm, then five probes 0.1 s apart: the input must be itself again
  await new Promise((res) => setTimeout(res, 1000));
  const after: number[] = [];
  for (let k = 0; k < 5; k++) {
    const at = (performance.timeOrigin + performance.now()) / 1000 + ahead;
    after.push(at);
    await sock.send(
      dirtBundle(at, [["s", "sine"], ["note", 24], ["gain", 1], ["pan", 0], ["delta", 0.02]]),
      to,
    );
    await new Promise((res) => setTimeout(res, 100));
  }
  sock.close();
  return { sent: total + 5, valid: valid + 5, malformed: bad, probes, after };
}

if (import.meta.main) {
  const [port, rate, seconds, ahead] = Deno.args.map(Number);
  console.log(JSON.stringify(await flood(port!, rate!, seconds!, ahead!)));
}
