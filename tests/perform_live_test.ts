/**
 * A live session on a JACK dummy server of our own (started and stopped by
 * PID), driven by scripted edits to the set file: a reload replaces and
 * removes parts at the next cycle, a broken save leaves the old version
 * playing, and --record / --record-midi capture the session. No timing
 * assertions: the reload lines, the exit code and the recordings are
 * checked. Skipped when jackd is not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { startJackDummy } from "../scripts/live_support.ts";
import { toFileUrl, withTempDir } from "./perform_support.ts";
import { assertHatsThenBass, HAVE_JACK, lineReader, spawnPerform } from "./perform_live_support.ts";

const LIVE = toFileUrl(join(PROJECT_ROOT, "lib", "live", "mod.ts"));

const set = (body: string) =>
  `import { defineSet, note, s } from "${LIVE}";\nexport default defineSet((set) => {\n  set.tempo(240);\n${body}\n});\n`;

Deno.test({
  name: "perform on a JACK dummy server: reloads from file edits, a broken save, recordings",
  ignore: !HAVE_JACK,
  async fn() {
    await using jack = await startJackDummy({ periodFrames: 256, prefix: "ms-perform" });
    await withTempDir(async (dir) => {
      const file = join(dir, "live-set.ts");
      await Deno.writeTextFile(
        file,
        set(`  set.play("drums", s("bd*4"));\n  set.play("hats", s("hh*8").gain(0.5));`),
      );
      const wav = join(dir, "take.wav"), mid = join(dir, "take.mid");
      const child = spawnPerform(file, jack.name, ["--record", wav, "--record-midi", mid]);
      const out = lineReader(child.stdout);
      let swapSeconds = NaN;
      const err = new Response(child.stderr).text();
      try {
        await out.waitFor(/^loaded v1 .*added drums, hats/);
        await new Promise((r) => setTimeout(r, 700));
        await Deno.writeTextFile(
          file,
          set(`  set.play("drums", s("bd*2"));\n  set.play("bass", note("c2 g2").s("bass"));`),
        );
        const v2 = await out.waitFor(/^reload v2 /);
        assert.match(v2, /added bass; replaced drums; removed hats/);
        swapSeconds = Number(/\(([\d.]+) s\)/.exec(v2)![1]);
        await new Promise((r) => setTimeout(r, 500));
        await Deno.writeTextFile(file, set(`  set.play("drums", s("bd*2")) +;`));
        const failed = await out.waitFor(/^reload failed/);
        assert.match(failed, /still playing v2: .*live-set\.ts:\d+:\d+: SyntaxError/);
        await new Promise((r) => setTimeout(r, 700));
      } finally {
        child.kill("SIGINT");
      }
      const status = await child.status;
      const stderr = await err;
      assert.equal(status.code, 130, stderr);
      const summary = await out.waitFor(/^played /);
      assert.match(summary, /v2, \d+ notes/);

      // the MIDI file: hats only before the v2 swap, bass only after it
      await assertHatsThenBass(mid, (beat) => beat * 60 / 240, swapSeconds);
      const wavBytes = (await Deno.stat(wav)).size;
      assert.ok(wavBytes > 48000 * 2 * 3, `the recording has ${wavBytes} bytes`);
    });
  },
});
