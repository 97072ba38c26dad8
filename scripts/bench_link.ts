/**
 * The `link` section of `deno task bench`: beat-phase error between Ableton
 * Link peers over 60 s (10 s with --quick), every participant inside one
 * private network namespace (`unshare -n`, loopback only: Link's multicast
 * never leaves the machine).
 *
 * - engine: the engine's published timeline (render thread paced at real
 *   time, 256-frame calls) against a Link peer program, and in the same run
 *   a second peer against the first: Link's own floor on this machine (it
 *   moves between runs, 0 to about 10 µs), the baseline the engine's figure
 *   is read against, both as ratios of the 1 ms the tests allow
 *   (build/engine/tests/link/test_link --bench);
 * - perform: a live session as `perform --link` runs it, on a JACK dummy
 *   server, against a peer (tests/link_child.ts --bench).
 * Each error is the difference, within the quantum, between the beats both
 * sides say are heard at the same host time, sampled every 10 ms: p50, p99
 * and max in µs. Skipped with the reason when the engine has no Link or no
 * namespace can be created.
 *
 * Thread: CT. Prints (it is part of the bench CLI).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { buildEngine, locateLibrary } from "../lib/ffi/build.ts";
import { linkAvailable } from "../lib/engine/link.ts";
import { hasCommand, runLinkChild } from "./live_support.ts";

interface PhaseFigures {
  samples: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  peer_p50_us?: number;
  peer_p99_us?: number;
  peer_max_us?: number;
}

/** The JSON line a bench run printed (its "bench" field names it). */
function figuresOf(out: string, name: string): PhaseFigures {
  const line = out.split("\n").find((l) => l.startsWith(`{"bench":"${name}"`));
  if (!line) throw new Error(`no ${name} figures in:\n${out}`);
  return JSON.parse(line);
}

const row = (label: string, p50: number, p99: number, max: number) =>
  `${label.padEnd(34)} p50 ${p50.toFixed(2).padStart(8)} µs  p99 ${
    p99.toFixed(2).padStart(8)
  } µs  max ${max.toFixed(2).padStart(8)} µs`;

/**
 * Run the Link section.
 *
 * @param quick 10 s instead of 60 s per measurement.
 */
export async function benchLink(quick: boolean): Promise<void> {
  const seconds = quick ? 10 : 60;
  console.log(
    `\n== link: beat-phase error between Link peers over ${seconds} s (private network namespace) ==`,
  );
  if (!linkAvailable()) {
    console.log(
      "skipped: the engine was built without Ableton Link (ableton-link-dev, libasio-dev)",
    );
    return;
  }
  const probe = new Deno.Command("unshare", { args: ["-n", "true"], stderr: "null" }).outputSync();
  if (!probe.success) {
    console.log("skipped: cannot create a private network namespace (unshare -n)");
    return;
  }
  const lib = locateLibrary();
  if (lib.source === "build") buildEngine({ target: "test_link" });
  const dir = join(dirname(lib.path), "tests", "link");
  const peer = join(dir, "link_peer");
  const engineRun = await new Deno.Command(join(dir, "test_link"), {
    args: [peer, "--bench", String(seconds)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(engineRun.stdout);
  if (!engineRun.success) {
    throw new Error(
      `test_link --bench failed (${engineRun.code}):\n${out}${
        new TextDecoder().decode(engineRun.stderr)
      }`,
    );
  }
  const e = figuresOf(out, "link_phase");
  console.log(row("engine vs peer", e.p50_us, e.p99_us, e.max_us));
  console.log(row("peer vs peer (Link's floor)", e.peer_p50_us!, e.peer_p99_us!, e.peer_max_us!));
  // the floor moves between runs (0 to ~10 µs: Link's own estimate of the other peer's clock),
  // so the figures are read against the 1 ms the tests allow
  console.log(
    `the 1 ms budget is ${(1000 / Math.max(e.p99_us, 1e-3)).toFixed(0)}x the engine's p99, ${
      (1000 / Math.max(e.peer_p99_us!, 1e-3)).toFixed(0)
    }x the floor's (${e.samples} samples)`,
  );

  if (!hasCommand("jackd")) {
    console.log("perform vs peer: skipped (jackd not installed)");
    return;
  }
  const live = await runLinkChild(peer, ["--bench", String(seconds)], {
    MS_ENGINE_LIB: lib.path,
  });
  if (live.code !== 0) {
    throw new Error(`link_child --bench failed (${live.code}):\n${live.out}${live.err}`);
  }
  const p = figuresOf(live.out, "link_phase_perform");
  console.log(row("perform (JACK dummy) vs peer", p.p50_us, p.p99_us, p.max_us));
}
