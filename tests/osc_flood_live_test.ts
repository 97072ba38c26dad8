/**
 * The OSC flood (issue 17): `perform --osc --record` on a JACK dummy server
 * of our own while another process (tests/osc_flood_send.ts) sends 10,000
 * packets a second, every other one malformed, for 2 s (CI) or the issue's
 * 10 s (`MS_LONG=1`). Asserted: perform ends normally (exit 0); its OSC
 * summary adds up (every packet received is a played or skipped event, a
 * malformed packet or an unknown address) and counts malformed packets; five
 * probes (a sine blip, hard left) sent after a second of calm all sound, as
 * far apart as their time tags to within a frame of rounding: the flood left
 * the input working. Printed, not asserted (they depend on how busy the
 * machine is): packets lost by the socket, late events, and how many of the
 * flood's own probes (ten a second) sounded on their frames. Skipped without
 * jackd.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { startJackDummy } from "../scripts/live_support.ts";
import { HAVE_JACK, lineReader, spawnPerformArgs } from "./perform_live_support.ts";
import { withTempDir } from "./perform_support.ts";
import { readWav24 } from "./reload_storm.ts";

const LONG = Deno.env.get("MS_LONG") === "1";
const SECONDS = LONG ? 10 : 2;
const RATE = 10000;

Deno.test({
  name: `OSC flood: ${RATE} packets/s for ${SECONDS} s, half malformed, while perform records${
    HAVE_JACK ? "" : " (skipped: jackd not installed)"
  }`,
  ignore: !HAVE_JACK,
  async fn() {
    await using jack = await startJackDummy({ periodFrames: 256, prefix: "oscflood" });
    await withTempDir(async (dir) => {
      const wav = join(dir, "flood.wav");
      const perform = spawnPerformArgs(
        jack.name,
        ["--osc", "0", "--backend", "jack", "--rt-priority", "0", "--record", wav]
          .concat(["--seconds", String(SECONDS + 6)]),
        { denoFlags: ["--unstable-net"] },
      );
      const out = lineReader(perform.stdout);
      const err = lineReader(perform.stderr);
      try {
        const line = await out.waitFor(/^osc: listening on 127\.0\.0\.1:\d+/, 60_000);
        const port = Number(/:(\d+) /.exec(line)![1]);
        const sender = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--unstable-net", "tests/osc_flood_send.ts"]
            .concat([String(port), String(RATE), String(SECONDS), "0.3"]),
          cwd: PROJECT_ROOT,
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.ok(sender.success, new TextDecoder().decode(sender.stderr));
        const sent = JSON.parse(new TextDecoder().decode(sender.stdout)) as {
          sent: number;
          valid: number;
          malformed: number;
          probes: number[];
          after: number[];
        };
        const status = await perform.status;
        assert.equal(status.code, 0, err.lines.slice(-20).join("\n"));
        const osc = await out.waitFor(/^osc 127\.0\.0\.1:\d+: /);
        const played = await out.waitFor(/^played /);
        const m =
          /: (\d+) packets, (\d+) events \((\d+) late\), (\d+) malformed, (\d+) unknown, (\d+) skipped, (\d+) handshakes/
            .exec(osc);
        assert.ok(m, osc);
        const [packets, events, late, malformed, unknown, skipped] = m.slice(1).map(Number) as [
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        assert.ok(packets <= sent.sent, osc);
        assert.equal(events + skipped + malformed + unknown, packets, osc);
        assert.ok(malformed > 0 && malformed <= sent.malformed, osc);
        assert.ok(events <= sent.valid, osc);

        // the probes that arrived: onsets on the left (all else is panned right)
        const rec = readWav24(await Deno.readFile(wav));
        const frames = rec.length / 2;
        const onsets: number[] = [];
        let quiet = 0;
        for (let f = 0; f < frames; f++) {
          const loud = Math.abs(rec[2 * f]!) > 1e-3;
          if (loud && quiet >= 960) onsets.push(f);
          quiet = loud ? 0 : quiet + 1;
        }
        // the five probes after the flood: all heard, as far apart as their time tags
        // (the time-tag map is one anchor: differences between tags are exact frames)
        const frameOf = (tag: number, anchor: { onset: number; tag: number }) =>
          anchor.onset + Math.round((tag - anchor.tag) * 48000);
        const last = onsets.slice(-5);
        assert.equal(last.length, 5, `onsets ${onsets}`);
        const calm = { onset: last[0]!, tag: sent.after[0]! };
        for (let k = 1; k < 5; k++) {
          const off = last[k]! - frameOf(sent.after[k]!, calm);
          assert.ok(Math.abs(off) <= 1, `probe ${k} after the flood ${off} frames off its tag`);
        }
        // during the flood: probes on their frames (same anchor), the rest lost or late
        const during = onsets.slice(0, -5);
        const onFrame = during.filter((o) =>
          sent.probes.some((t) => Math.abs(o - frameOf(t, calm)) <= 1)
        ).length;
        console.log(
          `sent ${sent.sent} (${sent.valid} valid, ${sent.malformed} malformed, ` +
            `${sent.probes.length} + 5 probes); ${osc}; flood probes heard ${during.length}, ` +
            `${onFrame} on their frames; ${played}`,
        );
        assert.ok(late <= events, osc);
      } finally {
        try {
          perform.kill("SIGKILL");
        } catch {
          // ended
        }
        await perform.status;
      }
    });
  },
});
