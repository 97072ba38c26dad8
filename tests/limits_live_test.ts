/**
 * The memory-lock limit reached in the middle of a live session: `perform`
 * under `prlimit --memlock` without CAP_IPC_LOCK (dropped with setpriv) on a
 * JACK dummy server of our own starts with a small set (its memory locks),
 * then a save brings a sample pack bigger than the limit: the engine locks
 * what the limit allows and holds the rest unlocked, the music goes on, and
 * perform says it once with the sizes and the fix (lib/live/overload.ts;
 * before, a pack past the limit stayed unlocked without a word). Skipped
 * without jackd, prlimit or setpriv, or when not root.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hasCommand, startJackDummy } from "../scripts/live_support.ts";
import { HAVE_JACK, lineReader, spawnPerformArgs } from "./perform_live_support.ts";
import { withTempDir } from "./perform_support.ts";
import { sineWav } from "./sample_fixtures.ts";

const IS_ROOT = (() => {
  const id = new Deno.Command("id", { args: ["-u"], stdout: "piped" }).outputSync();
  return new TextDecoder().decode(id.stdout).trim() === "0";
})();
const CAN = HAVE_JACK && hasCommand("prlimit") && hasCommand("setpriv") && IS_ROOT;

Deno.test({
  name: `a reload past the memory-lock limit: loads unlocked, said once${
    CAN ? "" : " (skipped: needs jackd, prlimit, setpriv and root)"
  }`,
  ignore: !CAN,
  async fn() {
    await using jack = await startJackDummy({ periodFrames: 256, prefix: "memlock" });
    await withTempDir(async (dir) => {
      // 16 files of 2 s: 6.1 MB of float samples, for a 4 MiB limit
      Deno.mkdirSync(join(dir, "big", "pad"), { recursive: true });
      for (let f = 0; f < 16; f++) {
        Deno.writeFileSync(join(dir, "big", "pad", `${f}.wav`), sineWav(220 + 10 * f, 2));
      }
      const file = join(dir, "set.strudel");
      await Deno.writeTextFile(file, `setcps(1)\n$: note("c4").s("sine").gain(.1)\n`);
      const limit = 4 * 1024 * 1024;
      const child = spawnPerformArgs(jack.name, [file, "--backend", "jack", "--seconds", "30"], {
        wrapper: [
          "prlimit",
          `--memlock=${limit}:${limit}`,
          "setpriv",
          "--inh-caps=-ipc_lock",
          "--bounding-set=-ipc_lock",
        ],
      });
      const out = lineReader(child.stdout);
      const err = lineReader(child.stderr);
      try {
        await out.waitFor(/^loaded v1 /, 60_000);
        // the small set locked: no word about memory yet
        assert.ok(!err.lines.some((l) => /lock/i.test(l)), err.lines.join("\n"));
        await Deno.writeTextFile(
          file,
          `setcps(1)\nsamples('./big')\n$: s("pad*2").n("<0 1 2 3>").gain(.2)\n`,
        );
        await out.waitFor(/^reload v2 /, 60_000);
        const said = await err.waitFor(/^warning: Cannot lock all the engine's memory/, 10_000);
        assert.match(
          said,
          /: 4\.\d MB of \d+\.\d MB locked, the memory-lock limit reached: .*ulimit -l/,
        );
        // the music goes on: the pack's notes are scheduled after the reload
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        child.kill("SIGINT");
      }
      const status = await child.status;
      assert.equal(status.code, 130, err.lines.join("\n"));
      const played = await out.waitFor(/^played /);
      assert.match(played, /v2, \d+ notes/);
      assert.equal(err.lines.filter((l) => /Cannot lock all/.test(l)).length, 1);
    });
  },
});
