/**
 * The `osc` section of `deno task bench`: the SuperDirt-compatible OSC input
 * (lib/osc/input.ts) under load, on a JACK dummy server of its own.
 *
 * - the cost of decoding one Tidal-shaped `/dirt/play` bundle (pure, osc-js)
 *   against a bare FFI call measured alongside;
 * - events per second accepted with zero late events at the default
 *   look-ahead (100 ms) and Tidal's default latency (bundles 0.2 s ahead):
 *   a sender in another process (scripts/bench_osc_send.ts) sends one
 *   bundle per event, as Tidal does, at rising rates for a few seconds each;
 *   each step reports events sent, played, late (the input's count and the
 *   engine's), and the time from a packet's arrival in JavaScript to its
 *   events in the ring (p50, p99, max).
 *
 * Xruns are reported, never judged (this VM has host stalls of several ms).
 * Thread: CT. Prints (it is part of the bench CLI).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { engine } from "../lib/ffi/native.ts";
import { startSession } from "../lib/live/perform.ts";
import { decodeOsc } from "../lib/osc/decode.ts";
import { listenDirt } from "../lib/osc/input.ts";
import { startJackDummy } from "./live_support.ts";
import { TIDAL_LATENCY_S, tidalBundle } from "./bench_osc_send.ts";

const SENDER = fileURLToPath(new URL("./bench_osc_send.ts", import.meta.url));

const EMPTY_SET = fileURLToPath(new URL("../lib/osc/empty_set.ts", import.meta.url));

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** One load step's figures. */
interface Step {
  rate: number;
  sent: number;
  played: number;
  late: number;
  engineLate: number;
  dropped: number;
  xruns: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Run the osc section.
 *
 * @param quick Shorter steps, fewer rates.
 */
export async function benchOsc(quick: boolean): Promise<void> {
  console.log("\n== osc: SuperDirt's /dirt/play into the ring (lib/osc/input.ts) ==");
  // decoding, pure, against a bare FFI call
  const symbols = engine();
  const packet = tidalBundle(2e9, 3);
  const n = quick ? 20_000 : 100_000;
  const time = (fn: () => void) => {
    const t: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      t.push((performance.now() - t0) * 1e6 / n);
    }
    return t.sort((a, b) => a - b)[3]!;
  };
  const bare = time(() => symbols.ms_version());
  const decode = time(() => decodeOsc(packet));
  console.log(
    `decode a Tidal /dirt/play bundle (${packet.length} bytes): ${(decode / 1000).toFixed(2)} µs ` +
      `(${(decode / bare).toFixed(0)}x a bare FFI call of ${bare.toFixed(1)} ns)`,
  );

  await using server = await startJackDummy({ periodFrames: 64, prefix: "ms-bench-osc" });
  const before = Deno.env.get("JACK_DEFAULT_SERVER");
  Deno.env.set("JACK_DEFAULT_SERVER", server.name);
  const live = await startSession(EMPTY_SET, {
    output: { backend: "jack", rtPriority: 0 },
    watch: false,
  });
  const times: number[] = [];
  const listener = listenDirt({
    session: live.session,
    port: 0,
    pump: () => live.output.pump(),
    immediateFrame: () => live.sampler.now() + live.output.info.periodFrames,
    onHandled: (ms) => times.push(ms),
  });
  try {
    await live.session.loadSoundOf({ s: "sine" });
    const rates = quick ? [1000, 4000, 16000] : [1000, 2000, 4000, 8000, 16000, 32000];
    const seconds = quick ? 2 : 4;
    const steps: Step[] = [];
    const run = async (rate: number, ahead: number): Promise<Step> => {
      const st0 = { ...listener.input.stats };
      const s0 = live.sampler.stats();
      times.length = 0;
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--unstable-net",
          SENDER,
          String(listener.addr.port),
          String(rate),
          String(seconds),
          String(ahead),
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      await new Promise((r) => setTimeout(r, 600)); // the last bundles play
      const sent = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!)
        .sent as number;
      const st = listener.input.stats, s1 = live.sampler.stats();
      times.sort((a, b) => a - b);
      return {
        rate,
        sent,
        played: st.played - st0.played,
        late: st.late - st0.late,
        engineLate: s1.eventsLate - s0.eventsLate,
        dropped: s1.eventsDropped - s0.eventsDropped,
        xruns: s1.xruns - s0.xruns,
        p50: percentile(times, 0.5),
        p99: percentile(times, 0.99),
        max: times.at(-1) ?? 0,
      };
    };
    const show = (label: string, x: Step) =>
      console.log(
        `${label} ${String(x.rate).padStart(5)} events/s: ${x.played}/${x.sent} played, ` +
          `late ${x.late} (engine ${x.engineLate}), dropped ${x.dropped}, xruns ${x.xruns} | ` +
          `packet->ring p50 ${(x.p50 * 1000).toFixed(0)} µs, p99 ${
            (x.p99 * 1000).toFixed(0)
          } µs, max ${x.max.toFixed(2)} ms (p50 ${
            (x.p50 * 1e6 / bare).toFixed(0)
          }x a bare FFI call)`,
      );
    // events due at once (5 ms ahead, inside the look-ahead): each packet's notes reach the ring
    // while it is handled, so its handling time is the packet-to-ring time
    show("due at once,", await run(1000, 0.005));
    for (const rate of rates) {
      const x = await run(rate, TIDAL_LATENCY_S);
      show("0.2 s ahead,", x);
      steps.push(x);
      if (x.late || x.engineLate || x.played < x.sent) break;
    }
    const ok = steps.filter((x) => !x.late && !x.engineLate && x.played === x.sent);
    console.log(
      `accepted with zero late events (look-ahead ${
        (live.output.lookaheadFrames / live.sampler.sampleRate * 1000).toFixed(0)
      } ms, bundles ${TIDAL_LATENCY_S * 1000} ms ahead): ${
        ok.length ? `${ok.at(-1)!.rate} events/s` : "none of the rates"
      }${ok.length === steps.length ? " (the highest rate tried)" : ""}`,
    );
  } finally {
    listener.close();
    await live.stop();
    if (before === undefined) Deno.env.delete("JACK_DEFAULT_SERVER");
    else Deno.env.set("JACK_DEFAULT_SERVER", before);
  }
}

if (import.meta.main) await benchOsc(Deno.args.includes("--quick"));
