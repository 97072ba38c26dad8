/**
 * What the live `perform` tests share (tests/perform_live_test.ts,
 * tests/perform_strudel_live_test.ts): `perform` started on a JACK dummy
 * server, its stdout read line by line, and the check that a reload swapped
 * the parts at the cycle it names.
 *
 * @module
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { readMidiNotes } from "../lib/live/midi_record.ts";
import { hasCommand } from "../scripts/live_support.ts";

/** jackd and jack_wait are installed (the live tests are skipped otherwise). */
export const HAVE_JACK: boolean = hasCommand("jackd") && hasCommand("jack_wait");

/** Lines of a stream, awaited one condition at a time. */
export function lineReader(stream: ReadableStream<Uint8Array>): {
  lines: string[];
  waitFor(re: RegExp, ms?: number): Promise<string>;
} {
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  (async () => {
    let buf = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      wake?.();
    }
    wake?.();
  })();
  return {
    lines,
    async waitFor(re: RegExp, ms = 20000): Promise<string> {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const hit = lines.find((l) => re.test(l));
        if (hit) return hit;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
      throw new Error(`no line matching ${re} within ${ms} ms; got:\n${lines.join("\n")}`);
    },
  };
}

/**
 * Start `deno run -A [denoFlags] scripts/perform.ts ...args` with the JACK
 * server `jackName` as its default (never starting one), stdin closed, stdout
 * and stderr piped; `wrapper` runs it under another command (e.g. `prlimit`).
 */
export function spawnPerformArgs(
  jackName: string,
  args: readonly string[],
  options: { denoFlags?: readonly string[]; wrapper?: readonly string[] } = {},
): Deno.ChildProcess {
  const deno = [Deno.execPath(), "run", "-A", ...(options.denoFlags ?? [])];
  const [command, ...rest] = [...(options.wrapper ?? []), ...deno, "scripts/perform.ts", ...args];
  return new Deno.Command(command!, {
    args: rest,
    cwd: PROJECT_ROOT,
    env: { JACK_DEFAULT_SERVER: jackName, JACK_NO_START_SERVER: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Start `scripts/perform.ts file` on the JACK server `jackName` (no
 * real-time priority), stdout and stderr piped.
 */
export function spawnPerform(file: string, jackName: string, extra: string[]): Deno.ChildProcess {
  return spawnPerformArgs(jackName, [file, "--backend", "jack", "--rt-priority", "0", ...extra]);
}

/**
 * Check a recorded MIDI file of a v1 with "hats" reloaded into a v2 with
 * "bass": hats only before the swap, bass only after it.
 *
 * @param secondsOf a beat's time in seconds at the set's tempo
 * @param swapSeconds the swap's time as the reload line gives it
 * @returns the bass notes, for further checks
 */
export async function assertHatsThenBass(
  mid: string,
  secondsOf: (beat: number) => number,
  swapSeconds: number,
): Promise<{ note: number; beat: number }[]> {
  const { notes } = readMidiNotes(await Deno.readFile(mid));
  const hats = notes.filter((n) => n.part === "hats");
  const bass = notes.filter((n) => n.part === "bass");
  assert.ok(hats.length > 0 && bass.length > 0);
  assert.ok(hats.every((n) => secondsOf(n.beat) < swapSeconds + 1e-6));
  assert.ok(bass.every((n) => secondsOf(n.beat) >= swapSeconds - 1e-6));
  return bass;
}
