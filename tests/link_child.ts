/**
 * The inside of tests/link_live_test.ts (and of `deno task bench`'s Link
 * entry): run only in a private network namespace, where loopback is the
 * only interface. A Link peer (engine/tests/link/link_peer) runs a session
 * at 125 bpm; a live session (lib/live/perform.ts, as `perform --link
 * --link-start-stop` runs it) on a JACK dummy server joins it late, and the
 * checks run against the peer:
 *   - the session takes the peer's tempo (0.01 bpm) and phase (1 ms: the
 *     beat each side says is heard at the same host time, within the quantum);
 *   - every note is placed on the frame where the shared timeline's beat
 *     equals the note's beat (1 ms), so cycle N starts where the peer's does;
 *   - a tempo set in the session reaches the peer, the peer's reaches the
 *     session's clock, and notes after it are spaced at that tempo (within
 *     0.5 ms: the clock re-pins to the timeline when the output's clock and
 *     the host's drift apart by half a frame);
 *   - start/stop: the session's start reaches the peer; the peer's stop
 *     silences the session, its start brings it back; the REPL's
 *     `link stop` reaches the peer.
 * Prints one JSON line with the figures; exits 1 on a failed check.
 * With `--bench SECONDS` it instead samples the phase error every 10 ms for
 * that long and prints p50/p99/max.
 *
 * Usage (inside `unshare -n`): deno run -A tests/link_child.ts LINK_PEER [--bench S]
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { startSession } from "../lib/live/perform.ts";
import { runCommand } from "../lib/live/repl.ts";
import type { ScheduledNote } from "../lib/live/session.ts";
import { startJackDummy } from "../scripts/live_support.ts";
import { toFileUrl } from "./perform_support.ts";

const QUANTUM = 4;
/** Tolerance of a beat's length in frames (0.5 ms at 48 kHz). */
const SPACING_FRAMES = 24;
const [peerPath, flag, benchArg] = Deno.args;
if (!peerPath) throw new Error("usage: link_child.ts LINK_PEER [--bench SECONDS]");
const benchSeconds = flag === "--bench" ? Number(benchArg) : 0;

// Link multicasts on every interface that is up: refuse anything but a private namespace
const ifaces = Deno.readTextFileSync("/proc/self/net/dev").split("\n").slice(2)
  .map((l) => l.split(":")[0]!.trim()).filter(Boolean);
if (ifaces.some((i) => i !== "lo")) {
  console.error(`link_child: refusing to join Link: interfaces besides loopback (${ifaces})`);
  Deno.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Link peer program, one command line at a time. */
class Peer {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  #buf = "";
  constructor(path: string) {
    this.#child = new Deno.Command(path, { stdin: "piped", stdout: "piped" }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream())[Symbol.asyncIterator]();
  }
  async ask(cmd: string): Promise<string> {
    await this.#writer.write(new TextEncoder().encode(cmd + "\n"));
    for (;;) {
      const i = this.#buf.indexOf("\n");
      if (i >= 0) {
        const line = this.#buf.slice(0, i);
        this.#buf = this.#buf.slice(i + 1);
        if (line.startsWith("error")) throw new Error(`link_peer: ${line}`);
        return line;
      }
      const r = await this.#lines.next();
      if (r.done) throw new Error("link_peer ended");
      this.#buf += r.value;
    }
  }
  async state(hostUs: bigint) {
    const [peers, bpm, beat, phase, playing] = (await this.ask(`state ${hostUs} ${QUANTUM}`))
      .split(" ").map(Number);
    return { peers: peers!, bpm: bpm!, beat: beat!, phase: phase!, playing: playing === 1 };
  }
  async close() {
    await this.ask("quit").catch(() => "");
    await this.#writer.close().catch(() => {});
    await this.#child.status;
  }
}

/** Wait until cond holds (checked every 20 ms) or `ms` pass; returns whether it held. */
async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(20);
  }
  return await cond();
}

/** Phase difference within the quantum, in ms at `bpm`: wrapped to +-quantum/2. */
function phaseMs(a: number, b: number, bpm: number): number {
  let d = (a - b) % QUANTUM;
  if (d > QUANTUM / 2) d -= QUANTUM;
  if (d < -QUANTUM / 2) d += QUANTUM;
  return d * 60000 / bpm;
}

const peer = new Peer(peerPath);
await peer.ask("enable 1");
await peer.ask("sync 1");
await peer.ask("tempo 125");
await sleep(1000); // the session runs before the performance joins it

const jack = await startJackDummy({ periodFrames: 256, prefix: "ms-link" });
Deno.env.set("JACK_DEFAULT_SERVER", jack.name);
Deno.env.set("JACK_NO_START_SERVER", "1");
const dir = Deno.makeTempDirSync({ prefix: "ms-link-" });
const file = join(dir, "link-set.ts");
const LIVE = toFileUrl(join(PROJECT_ROOT, "lib", "live", "mod.ts"));
Deno.writeTextFileSync(
  file,
  `import { defineSet, s } from "${LIVE}";\nexport default defineSet((set) => {\n` +
    `  set.tempo(90);\n  set.play("drums", s("bd*4"));\n});\n`,
);
const notes: ScheduledNote[] = [];
/** The server, the peer and the temp dir go however this ends (a leaked jackd keeps a slot of JACK's 8). */
const cleanup = async () => {
  await peer.close();
  await jack.stop();
  Deno.removeSync(dir, { recursive: true });
};
const live = await startSession(file, {
  output: { backend: "jack", rtPriority: 0 },
  link: { startStop: true },
  watch: false,
  onNote: (n) => notes.push(n),
}).catch(async (err) => {
  await cleanup();
  throw err;
});
const link = live.sampler.link!;
const rate = live.sampler.sampleRate;
const figures: Record<string, number> = {};
let failed = false;
const check = (name: string, fn: () => void) => {
  try {
    fn();
  } catch (err) {
    failed = true;
    console.error(`FAILED ${name}: ${err instanceof Error ? err.message : err}`);
  }
};

/** Worst phase error (ms) engine vs peer over n samples at host times 20 ms ahead. */
async function worstPhase(n: number, all?: number[]): Promise<number> {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const t = link.hostNow() + 20000n;
    const e = link.beatAtHost(t);
    const p = await peer.state(t);
    const err = Math.abs(phaseMs(e, p.beat, link.tempo));
    all?.push(err);
    worst = Math.max(worst, err);
    await sleep(10);
  }
  return worst;
}

/** Notes released from now on, once `ms` have passed. */
async function notesDuring(ms: number): Promise<ScheduledNote[]> {
  const from = notes.length;
  await sleep(ms);
  return notes.slice(from);
}

/** The largest distance (ms) between a note's beat and the shared timeline's beat on its frame. */
function worstPlacement(ns: ScheduledNote[]): number {
  const bpm = link.tempo;
  return Math.max(...ns.map((n) => Math.abs(link.beatAtFrame(n.frame) - n.beat) * 60000 / bpm));
}

/** Frame distances between consecutive notes (one per beat). */
const spacing = (ns: ScheduledNote[]) => ns.slice(1).map((n, i) => n.frame - ns[i]!.frame);

try {
  const joined = await until(
    () => link.ready && link.peers === 1 && Math.abs(link.tempo - 125) < 0.01,
    8000,
  );
  check(
    "late joiner takes the session's tempo",
    () => assert.ok(joined, `tempo ${link.ready ? link.tempo : "?"}`),
  );
  await sleep(1000);
  if (benchSeconds > 0) {
    const errs: number[] = [];
    await worstPhase(Math.round(benchSeconds * 100), errs);
    errs.sort((a, b) => a - b);
    const q = (p: number) => errs[Math.min(errs.length - 1, Math.floor(p * errs.length))]! * 1000;
    console.log(JSON.stringify({
      bench: "link_phase_perform",
      seconds: benchSeconds,
      samples: errs.length,
      p50_us: +q(0.5).toFixed(3),
      p99_us: +q(0.99).toFixed(3),
      max_us: +(errs[errs.length - 1]! * 1000).toFixed(3),
    }));
  } else {
    figures.joinPhaseMs = await worstPhase(40);
    check(
      "late joiner's phase",
      () => assert.ok(figures.joinPhaseMs! < 1, `${figures.joinPhaseMs} ms`),
    );
    const placed = await notesDuring(2500); // 5 beats at 125 bpm
    figures.placementMs = worstPlacement(placed);
    check("notes on the shared beat", () => {
      assert.ok(placed.length >= 3, `${placed.length} notes`);
      assert.ok(figures.placementMs! < 1, `${figures.placementMs} ms`);
      // cycle starts (beat 0 of 4) are on the peer's cycle starts
      assert.ok(placed.some((n) => n.beat % QUANTUM === 0));
    });

    live.session.setTempo(140);
    const reached = await until(
      async () => Math.abs((await peer.state(link.hostNow())).bpm - 140) < 0.01,
      5000,
    );
    check("a tempo set in the session reaches the peer", () => assert.ok(reached));
    await sleep(600); // notes scheduled before the change have been released
    let ns = await notesDuring(1500);
    check("notes at 140 bpm", () => {
      const exp = 60 / 140 * rate;
      assert.ok(ns.length >= 3, `${ns.length} notes`);
      for (const d of spacing(ns)) {
        assert.ok(Math.abs(d - exp) <= SPACING_FRAMES, `spacing ${d}, expected ${exp}`);
      }
      assert.ok(worstPlacement(ns) < 1);
    });

    await peer.ask("tempo 100");
    const followed = await until(
      () =>
        Math.abs(link.tempo - 100) < 0.01 &&
        Math.abs(
            live.sampler.clock.bpmAt(live.session.beatOfTick(live.session.cursorTicks)) - 100,
          ) < 0.01,
      5000,
    );
    check("the peer's tempo reaches the session's clock", () => assert.ok(followed));
    await sleep(600);
    ns = await notesDuring(1500);
    check("notes at 100 bpm", () => {
      const exp = 60 / 100 * rate;
      assert.ok(ns.length >= 2, `${ns.length} notes`);
      for (const d of spacing(ns)) {
        assert.ok(Math.abs(d - exp) <= SPACING_FRAMES, `spacing ${d}, expected ${exp}`);
      }
      assert.ok(worstPlacement(ns) < 1);
    });
    figures.afterTempoPhaseMs = await worstPhase(40);
    check("phase after both tempo changes", () => assert.ok(figures.afterTempoPhaseMs! < 1));

    const started = await until(async () => (await peer.state(link.hostNow())).playing, 3000);
    check("the session's start reaches the peer", () => assert.ok(started));
    await peer.ask("play 0");
    const stopped = await until(() => !link.playing, 3000);
    check("the peer's stop reaches the session", () => assert.ok(stopped));
    await sleep(400); // what was scheduled before the stop is released
    const during = await notesDuring(1000);
    check("nothing plays while stopped", () => assert.equal(during.length, 0));
    await peer.ask("play 1");
    const resumed = await until(() => link.playing, 3000);
    const after = await notesDuring(1000);
    check("the peer's start brings it back", () => {
      assert.ok(resumed);
      assert.ok(after.length >= 1, `${after.length} notes`);
    });
    // the REPL's `link stop` reaches the peer
    const said = await runCommand("link stop", {
      session: live.session,
      instruments: live.instruments,
      reload: () => Promise.resolve(""),
      stats: () => "",
      quit: () => {},
    });
    const peerStopped = await until(async () => !(await peer.state(link.hostNow())).playing, 3000);
    check("the session's stop reaches the peer", () => assert.ok(peerStopped, said));
    figures.late = live.sampler.stats().eventsLate;
    console.log(JSON.stringify({ link: "ok", ...figures, failed }));
  }
} finally {
  await live.stop();
  await cleanup();
}
Deno.exit(failed ? 1 : 0);
