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
import { startJackDummy } from "../scripts/live_support.ts";
import { withTempDir } from "./perform_support.ts";
import { assertHatsThenBass, HAVE_JACK, lineReader, spawnPerform } from "./perform_live_support.ts";

Deno.test({
  name: "perform tune.strudel on a JACK dummy server: reload on save, a broken save keeps v2",
  ignore: !HAVE_JACK,
  async fn() {
    await using jack = await startJackDummy({ periodFrames: 256, prefix: "s3" });
    await withTempDir(async (dir) => {
      const file = join(dir, "tune.strudel");
      await Deno.writeTextFile(
        file,
        `setcps(1)\nsamples('github:tidalcycles/dirt-samples')\n$: s("bd*4")\nhats: s("hh*8").gain(.5)\n`,
      );
      const mid = join(dir, "take.mid");
      const child = spawnPerform(file, jack.name, ["--record-midi", mid]);
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

      // setcps(1): 4 beats a second
      const bass = await assertHatsThenBass(mid, (beat) => beat / 4, swapSeconds);
      assert.ok(bass.every((n) => n.note === 36 || n.note === 43)); // c2 g2
    });
  },
});
