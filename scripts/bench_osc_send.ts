/**
 * The sender of the `osc` bench (scripts/bench_osc.ts), run as its own
 * process so that sending does not compete with the input on one JavaScript
 * thread: Tidal-shaped `/dirt/play` bundles to a UDP port at a given rate.
 *
 * Usage: deno run --unstable-net --allow-net scripts/bench_osc_send.ts PORT RATE SECONDS AHEAD
 * Prints `{"sent": N}` when done. Imports only the OSC codec (lib/osc/decode.ts, dirt.ts).
 *
 * @module
 */
import { OSC } from "../lib/osc/decode.ts";
import { ntpFromUnix } from "../lib/osc/dirt.ts";

/** Tidal's default latency (superdirtTarget's oLatency): how far ahead bundles are tagged. */
export const TIDAL_LATENCY_S = 0.2;

/**
 * A `/dirt/play` bundle: named parameters (strings, or numbers sent as
 * floats) in one message, tagged `unixSeconds`.
 *
 * @param unixSeconds The time tag, in unix seconds.
 * @param params Name and value pairs, in order.
 * @returns The packed bundle.
 */
export function dirtBundle(unixSeconds: number, params: [string, string | number][]): Uint8Array {
  const m = new OSC.Message("/dirt/play");
  m.types = params.map(([, v]) => (typeof v === "string" ? "ss" : "sf")).join("");
  m.args = params.flat();
  const b = new OSC.Bundle([m]);
  const t = ntpFromUnix(unixSeconds);
  b.timetag.value.seconds = t.seconds;
  b.timetag.value.fractions = t.fraction;
  return b.pack();
}

/** A /dirt/play bundle as Tidal sends one: named parameters, floats, a time tag. */
export function tidalBundle(unixSeconds: number, i: number): Uint8Array {
  return dirtBundle(unixSeconds, [
    ["_id_", "1"],
    ["cps", 0.5625],
    ["cycle", i / 8],
    ["delta", 0.02],
    ["orbit", 0],
    ["s", "sine"],
    ["note", i % 24],
    ["gain", 0.6],
  ]);
}

/**
 * The sender: `bench_osc_send.ts PORT RATE SECONDS AHEAD`: one bundle per event, events
 * evenly spaced at RATE per second, each tagged AHEAD seconds after it is
 * sent; sent in 10 ms batches (Tidal sends a batch per 50 ms frame).
 */
export async function send(
  port: number,
  rate: number,
  seconds: number,
  ahead: number,
): Promise<void> {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
  const start = (performance.timeOrigin + performance.now()) / 1000;
  const total = Math.round(rate * seconds);
  let i = 0;
  while (i < total) {
    const now = (performance.timeOrigin + performance.now()) / 1000;
    const due = Math.min(total, Math.floor((now - start + 0.01) * rate));
    for (; i < due; i++) {
      await sock.send(tidalBundle(start + i / rate + ahead, i), to);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  sock.close();
  console.log(JSON.stringify({ sent: total }));
}

if (import.meta.main) {
  const [port, rate, seconds, ahead] = Deno.args.map(Number);
  await send(port!, rate!, seconds!, ahead!);
}
