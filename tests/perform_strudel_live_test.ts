/**
 * A `.strudel` file played live on a JACK dummy server of our own (named
 * "s3-...", started and stopped by PID): a save reloads it at the next
 * cycle, a broken save names the `.strudel` file's line and column and
 * leaves the old version playing, notes are said once. No timing
 * assertions: the reload lines, the exit code and the recorded MIDI are
 * checked. Skipped when jackd is not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { readMidiNotes } from "../lib/live/midi_record.ts";
import { hasCommand, startJackDummy } from "../scripts/live_support.ts";

const HAVE_JACK = hasCommand("jackd") && hasCommand("jack_wait");

/** Lines of a stream, awaited one condition at a time. */
function lineReader(stream: ReadableStream<Uint8Array>) {
  const lines: string[] = [];
  (async () => {
    let buf = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    }
  })();
  return {
    lines,
    async waitFor(re: RegExp, ms = 20000): Promise<string> {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const hit = lines.find((l) => re.test(l));
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no line matching ${re} within ${ms} ms; got:\n${lines.join("\n")}`);
    },
  };
}

Deno.test({
  name: "perform tune.strudel on a JACK dummy server: reload on save, a broken save keeps v2",
  ignore: !HAVE_JACK,
  async fn() {
    await using jack = await startJackDummy({ periodFrames: 256, prefix: "s3" });
    const dir = await Deno.makeTempDir();
    try {
      const file = join(dir, "tune.strudel");
      await Deno.writeTextFile(
        file,
        `setcps(1)\nsamples('github:tidalcycles/dirt-samples')\n$: s("bd*4")\nhats: s("hh*8").gain(.5)\n`,
      );
      const mid = join(dir, "take.mid");
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "scripts/perform.ts",
          file,
          "--backend",
          "jack",
          "--rt-priority",
          "0",
          "--record-midi",
          mid,
        ],
        cwd: PROJECT_ROOT,
        env: { JACK_DEFAULT_SERVER: jack.name, JACK_NO_START_SERVER: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const out = lineReader(child.stdout);
      const err = new Response(child.stderr).text();
      let swapSeconds = NaN;
      try {
        await out.waitFor(/^loaded v1 .*added \$0, hats/);
        await new Promise((r) => setTimeout(r, 700));
        await Deno.writeTextFile(
          file,
          `setcps(1)\nsamples('github:tidalcycles/dirt-samples')\n$: s("bd*2")\nbass: note("c2 g2").s('bass')\n`,
        );
        const v2 = await out.waitFor(/^reload v2 /);
        assert.match(v2, /added bass; replaced \$0; removed hats/);
        swapSeconds = Number(/\(([\d.]+) s\)/.exec(v2)![1]);
        await new Promise((r) => setTimeout(r, 500));
        await Deno.writeTextFile(file, `setcps(1)\n$: s("bd*2"\nbass: note("c2")\n`);
        const failed = await out.waitFor(/^reload failed/);
        assert.match(
          failed,
          /still playing v2: .*tune\.strudel:3:1: SyntaxError: Unexpected token/,
        );
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        child.kill("SIGINT");
      }
      const status = await child.status;
      const stderr = await err;
      assert.equal(status.code, 130, stderr);
      // the note about sample packs, once over three loads
      assert.equal(stderr.split("\n").filter((l) => /samples\("github:/.test(l)).length, 1, stderr);

      const { notes } = readMidiNotes(await Deno.readFile(mid));
      const secondsOf = (beat: number) => beat / 4; // setcps(1): 4 beats a second
      const hats = notes.filter((n) => n.part === "hats");
      const bass = notes.filter((n) => n.part === "bass");
      assert.ok(hats.length > 0 && bass.length > 0);
      assert.ok(hats.every((n) => secondsOf(n.beat) < swapSeconds + 1e-6));
      assert.ok(bass.every((n) => secondsOf(n.beat) >= swapSeconds - 1e-6));
      assert.ok(bass.every((n) => n.note === 36 || n.note === 43)); // c2 g2
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
