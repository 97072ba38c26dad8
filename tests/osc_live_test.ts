/**
 * `perform --osc` on a JACK dummy server, as TidalCycles meets it: no set
 * file, the handshake answered, time-tagged bundles recorded with their
 * onsets as far apart, to the frame, as their time tags (the time-tag map is
 * one anchor: differences between tags are exact frames), a bare message
 * from liblo's `oscsend` played at once, garbage counted in the summary and
 * the music going on around it. The JACK server is ours, stopped by PID.
 */
import assert from "node:assert/strict";
import { decodeOsc, OSC } from "../lib/osc/decode.ts";
import { ntpNow } from "../lib/osc/dirt.ts";
import type { NtpTime } from "../lib/osc/decode.ts";
import { hasCommand, startJackDummy } from "../scripts/live_support.ts";
import { lineReader, spawnPerformArgs } from "./perform_live_support.ts";

const HAVE_JACK = hasCommand("jackd") && hasCommand("jack_wait");
const HAVE_OSCSEND = hasCommand("oscsend");
const RATE = 48000;

function plusSeconds(t: NtpTime, s: number): NtpTime {
  const total = t.fraction / 4294967296 + s;
  const whole = Math.floor(total);
  return { seconds: t.seconds + whole, fraction: Math.round((total - whole) * 4294967296) };
}

function dirtBundle(t: NtpTime, params: Record<string, string | number>): Uint8Array {
  const m = new OSC.Message("/dirt/play");
  m.types = Object.values(params).map((v) => `s${typeof v === "string" ? "s" : "f"}`).join("");
  m.args = Object.entries(params).flat();
  const b = new OSC.Bundle([m]);
  b.timetag.value.seconds = t.seconds;
  b.timetag.value.fractions = t.fraction;
  return b.pack();
}

/** The left channel of a recording (24-bit PCM, what --record writes, or 32-bit float). */
function wavLeft(bytes: Uint8Array): { left: (i: number) => number; frames: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let channels = 2, bits = 24, p = 12;
  while (p + 8 <= bytes.length) {
    const id = new TextDecoder().decode(bytes.subarray(p, p + 4));
    const size = view.getUint32(p + 4, true);
    if (id === "fmt ") {
      channels = view.getUint16(p + 10, true);
      bits = view.getUint16(p + 22, true);
    }
    if (id === "data") {
      const at = p + 8, step = channels * bits / 8;
      const left = bits === 32
        ? (i: number) => view.getFloat32(at + i * step, true)
        : (i: number) =>
          ((view.getUint8(at + i * step) | (view.getUint16(at + i * step + 1, true) << 8)) << 8 >>
            8) / 8388608;
      return { left, frames: Math.floor(size / step) };
    }
    p += 8 + size + (size & 1);
  }
  throw new Error("no data chunk");
}

Deno.test({
  name: `perform --osc: handshake, bundles on their frames, oscsend, garbage counted${
    HAVE_JACK ? "" : " (skipped: jackd or jack_wait not installed; apt-get install jackd2)"
  }`,
  ignore: !HAVE_JACK,
  async fn() {
    await using server = await startJackDummy({ periodFrames: 64, prefix: "ms-osc-test" });
    const dir = await Deno.makeTempDir({ prefix: "ms-osc-" });
    const wav = `${dir}/osc.wav`;
    const proc = spawnPerformArgs(
      server.name,
      ["--osc", "0", "--backend", "jack", "--rt-priority", "0", "--seconds", "5", "--record", wav],
      { denoFlags: ["--unstable-net"] },
    );
    const out = lineReader(proc.stdout);
    const err = lineReader(proc.stderr);
    const client = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const line = await out.waitFor(/^osc: listening on 127\.0\.0\.1:\d+/, 60_000);
      const port = Number(/:(\d+) /.exec(line)![1]);
      const to = { transport: "udp" as const, hostname: "127.0.0.1", port };

      await client.send(new OSC.Message("/dirt/handshake").pack(), to);
      const [reply] = await client.receive();
      const r = decodeOsc(reply);
      assert.ok("messages" in r && r.messages[0]!.address === "/dirt/handshake/reply");

      // three notes 0.25 s + 7 frames apart, 0.4 s ahead (Tidal sends 0.2 s ahead by default)
      const t0 = plusSeconds(ntpNow(), 0.4);
      const steps = [0, 12_007, 24_014];
      const sine = { s: "sine", note: 0, delta: 0.05, cps: 0.5625 };
      await client.send(dirtBundle(plusSeconds(t0, steps[0]! / RATE), sine), to);
      await client.send(new Uint8Array([0x2f, 0x64, 0x69, 0x72, 0, 0, 0]), to); // truncated
      await client.send(dirtBundle(plusSeconds(t0, steps[1]! / RATE), sine), to);
      await client.send(new OSC.Message("/tidal/unknown", 1).pack(), to);
      await client.send(new Uint8Array(60_000).fill(0x23), to); // huge garbage
      await client.send(dirtBundle(plusSeconds(t0, steps[2]! / RATE), sine), to);
      if (HAVE_OSCSEND) {
        await new Promise((r) => setTimeout(r, 1200)); // after the bundles have played
        const sent = await new Deno.Command("oscsend", {
          args: ["127.0.0.1", String(port), "/dirt/play", "sssf", "s", "sine", "note", "12"],
          stdout: "null",
          stderr: "piped",
        }).output();
        assert.ok(sent.success, new TextDecoder().decode(sent.stderr));
      }

      const summary = await out.waitFor(/^osc 127\.0\.0\.1:\d+: /, 60_000);
      const status = await proc.status;
      assert.equal(status.code, 0, err.lines.join("\n"));
      const played = HAVE_OSCSEND ? 4 : 3;
      assert.match(summary, new RegExp(`: ${HAVE_OSCSEND ? 8 : 7} packets`), summary);
      assert.match(summary, new RegExp(`${played} events \\(0 late\\)`), summary);
      assert.match(summary, /2 malformed, 1 unknown, 0 skipped, 1 handshakes/, summary);
      assert.ok(
        err.lines.some((l) => /Cannot decode OSC packet/.test(l)),
        `no decode warning:\n${err.lines.join("\n")}`,
      );

      // onsets: first sound after silence (the sine starts at phase 0: one frame after the on)
      const { left, frames } = wavLeft(await Deno.readFile(wav));
      const onsets: number[] = [];
      for (let i = 1; i < frames && onsets.length < played; i++) {
        if (left(i) !== 0 && left(i - 1) === 0) {
          // silence before: 20 ms of zeros
          let quiet = true;
          for (let k = Math.max(0, i - 960); k < i; k++) if (left(k) !== 0) quiet = false;
          if (quiet) onsets.push(i);
        }
      }
      assert.equal(onsets.length, played, `onsets ${onsets}`);
      assert.deepEqual(
        onsets.slice(0, 3).map((o) => o - onsets[0]!),
        steps,
        `onsets ${onsets}: not as far apart as their time tags`,
      );
      console.log(`  onsets ${onsets.join(", ")}; ${summary}`);
    } finally {
      client.close();
      try {
        proc.kill("SIGKILL");
      } catch {
        // ended
      }
      await proc.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
