/**
 * What the live tests (tests/live_test.ts) and the live benchmark
 * (scripts/bench.ts, section `live`) share: a private JACK dummy server
 * started and stopped by PID, a garbage-collection storm on the JavaScript
 * thread, and render-time histogram arithmetic.
 *
 * Thread: CT. Starts subprocesses (needs --allow-run); never prints.
 *
 * @module
 */
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { histogramPercentile } from "../lib/util/histogram.ts";

/**
 * True when `name` is an executable on PATH.
 *
 * @param name A command name, e.g. "jackd".
 * @returns Whether it was found.
 */
export function hasCommand(name: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      const st = Deno.statSync(`${dir}/${name}`);
      if (st.isFile && ((st.mode ?? 0o111) & 0o111)) return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * Run tests/link_child.ts (a live session against a Link peer program) in a
 * fresh private network namespace (`unshare -n`) with loopback up and
 * multicast routed to it, so Link's discovery never leaves the machine: what
 * tests/link_live_test.ts and `deno task bench`'s `link` section share.
 *
 * @param peer Path of the Link peer program (engine/tests/link/link_peer.cpp's build).
 * @param extra Further arguments for link_child.ts (e.g. `--bench`, seconds).
 * @param env Extra environment for the child (added to this process's).
 * @returns Exit code and the decoded stdout and stderr.
 */
export async function runLinkChild(
  peer: string,
  extra: readonly string[],
  env?: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  const script = 'ip link set lo up && ip route add 224.0.0.0/4 dev lo && exec "$0" "$@"';
  const out = await new Deno.Command("unshare", {
    args: [
      "-n",
      "bash",
      "-c",
      script,
      Deno.execPath(),
      "run",
      "-A",
      "tests/link_child.ts",
      peer,
      ...extra,
    ],
    cwd: PROJECT_ROOT,
    env: env ?? {},
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout), err: dec.decode(out.stderr) };
}

/** A JACK dummy server of our own. */
export interface JackServer extends AsyncDisposable {
  /** Server name: give it to clients as JACK_DEFAULT_SERVER. */
  readonly name: string;
  readonly pid: number;
  readonly rate: number;
  readonly periodFrames: number;
  /** SIGTERM by PID (SIGKILL after 5 s); idempotent. */
  stop(): Promise<void>;
}

let serial = 0;

/**
 * Start `jackd -R -P 80 -d dummy` under a unique name and wait until it answers.
 *
 * @param options Period (frames), rate (Hz), name prefix.
 * @returns The running server; stop it (or `await using`).
 * @throws {Error} when jackd is missing or does not come up within 10 s.
 */
export async function startJackDummy(
  options: { periodFrames?: number; rate?: number; prefix?: string } = {},
): Promise<JackServer> {
  const periodFrames = options.periodFrames ?? 64;
  const rate = options.rate ?? 48000;
  const name = `${options.prefix ?? "ms-live"}-${Deno.pid}-${++serial}`;
  const child = new Deno.Command("jackd", {
    args: [
      "-n",
      name,
      "-R",
      "-P",
      "80",
      "-d",
      "dummy",
      "-r",
      String(rate),
      "-p",
      String(periodFrames),
    ],
    env: { JACK_NO_AUDIO_RESERVATION: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stopped = false;
  const status = child.status;
  const errText = new Response(child.stderr).text();
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((r) => {
      timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
        r();
      }, 5000);
    });
    await Promise.race([status, killed]);
    await status;
    clearTimeout(timer);
    await errText;
  };
  const wait = await new Deno.Command("jack_wait", {
    args: ["-w", "-s", name, "-t", "10"],
    stdout: "null",
    stderr: "null",
  }).output();
  const up = wait.success && await Promise.race([
    status.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), 50)),
  ]);
  if (!up) {
    await stop();
    throw new Error(
      `Cannot start JACK dummy server "${name}": jackd did not answer within 10 s: ${
        (await errText).trim().split("\n").slice(-3).join(" / ")
      }`,
    );
  }
  return {
    name,
    pid: child.pid,
    rate,
    periodFrames,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** What a GC storm did. */
export interface GcStormResult {
  seconds: number;
  /** Nominal bytes allocated per second (element payload, not V8's exact figure). */
  bytesPerSecond: number;
  /** Longest the JavaScript thread went without yielding to the event loop, ms. */
  longestSliceMs: number;
}

/**
 * Allocate short-lived objects on the JavaScript thread as fast as it can
 * for `ms` milliseconds, in slices of `sliceMs` separated by a yield to the
 * event loop (so timers, like the output's pump, still run between slices).
 * A ring of recent objects survives a while, so some reach the old
 * generation and major collections happen too.
 *
 * @param ms Duration.
 * @param sliceMs Busy time between yields. @default 5
 * @returns Allocation rate and the longest slice.
 */
export async function gcStorm(ms: number, sliceMs = 5): Promise<GcStormResult> {
  const keep: unknown[] = new Array(4096);
  let bytes = 0;
  let k = 0;
  let longest = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  while (performance.now() < end) {
    const s0 = performance.now();
    const sliceEnd = s0 + sliceMs;
    while (performance.now() < sliceEnd) {
      for (let i = 0; i < 256; i++) {
        const arr = new Array(32);
        for (let j = 0; j < 32; j++) arr[j] = { i, j, v: i * j + 0.5 };
        keep[k++ & 4095] = arr;
        bytes += 32 * 40 + 280; // ~40 bytes per small object, the array itself
      }
    }
    longest = Math.max(longest, performance.now() - s0);
    await new Promise((r) => setTimeout(r, 0));
  }
  keep.fill(undefined);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, bytesPerSecond: bytes / seconds, longestSliceMs: longest };
}

/** Upper edge in ns of histogram bucket i (see ms_stats_t.render_ns_hist). */
function bucketEdge(i: number): number {
  const next = i + 1;
  return 1000 * 2 ** Math.floor(next / 8) * (1 + (next % 8) / 8);
}

/** Render-block time distribution from histogram counts. */
export interface BlockTimes {
  blocks: number;
  p50Ns: number;
  p99Ns: number;
  /** Upper edge of the highest non-empty bucket. */
  maxNs: number;
}

/**
 * p50, p99 and max of the blocks counted between two histogram snapshots.
 *
 * @param before Snapshot taken first (or all zeros).
 * @param after Snapshot taken later.
 * @returns The distribution of the blocks in between.
 */
export function blockTimes(before: readonly number[], after: readonly number[]): BlockTimes {
  const d = after.map((v, i) => v - (before[i] ?? 0));
  let max = 0;
  d.forEach((v, i) => {
    if (v > 0) max = bucketEdge(i);
  });
  return {
    blocks: d.reduce((a, b) => a + b, 0),
    p50Ns: histogramPercentile(d, 0.5),
    p99Ns: histogramPercentile(d, 0.99),
    maxNs: max,
  };
}
