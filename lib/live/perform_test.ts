/**
 * A live session's error paths on the ALSA null device (unpaced: the clock
 * runs as fast as the engine renders): a reload whose part throws keeps the
 * old version and says where; a part that throws while playing is muted
 * with one warning and the others play on. No timing assertions: the test
 * waits for states, with a generous bound. Skipped without ALSA's config.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../ffi/build.ts";
import { SetLoadError } from "./loader.ts";
import { readMidiNotes } from "./midi_record.ts";
import { startSession } from "./perform.ts";

const hasAlsa = (() => {
  try {
    return Deno.statSync("/usr/share/alsa/alsa.conf").isFile;
  } catch {
    return false;
  }
})();

const LIVE = pathToFileURL(join(PROJECT_ROOT, "lib", "live", "mod.ts")).href;
const setText = (body: string) =>
  `import { defineSet, s } from "${LIVE}";\nexport default defineSet((set) => {\n  set.tempo(1000);\n${body}\n});\n`;
const output = { backend: "alsa", device: "null", rtPriority: 0 } as const;

/** Wait until `ok()` holds, checking every 10 ms, for at most 30 s. */
async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), `gave up waiting for ${what}`);
}

Deno.test({
  name:
    "perform: a reload whose part throws keeps the old version and names file:line:column and the part",
  ignore: !hasAlsa,
  async fn() {
    const dir = await Deno.makeTempDir();
    const file = join(dir, "set.ts");
    try {
      await Deno.writeTextFile(file, setText(`  set.play("k", s("bd*4"));`));
      const live = await startSession(file, { output, watch: false });
      try {
        await Deno.writeTextFile(
          file,
          setText(
            `  set.play("k", s("sd*4"));\n  set.play("lead", s("hh").withValue(() => {\n    throw new Error("boom");\n  }));`,
          ),
        );
        const r = await live.reload();
        assert.ok(r instanceof SetLoadError);
        const where = `${relative(Deno.cwd(), file)}:6:11`;
        assert.equal(r.location, where);
        assert.match(
          r.message,
          new RegExp(
            `^${where}: PartQueryError: Cannot play part "lead" at cycle \\d+: Error: boom$`,
          ),
        );
        assert.equal(live.session.version, 1);
        assert.deepEqual(live.session.parts, ["k"]);
      } finally {
        await live.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "perform: a part that throws while playing is muted with one warning; the others play on",
  ignore: !hasAlsa,
  async fn() {
    const dir = await Deno.makeTempDir();
    const file = join(dir, "set.ts");
    const warnings: string[] = [];
    try {
      const cycles = `<${[...Array(64).keys()].join(" ")}>`;
      await Deno.writeTextFile(
        file,
        setText(
          `  set.play("k", s("bd*4"));\n  set.play("lead", s("hh*2").n("${cycles}").withValue((v: { n: number }) => {\n    if (v.n >= 20) throw new Error("late");\n    return v;\n  }));`,
        ),
      );
      const live = await startSession(file, {
        output,
        watch: false,
        onWarning: (w) => warnings.push(w),
        recordMidi: join(dir, "take.mid"), // the notes are kept only to be written
      });
      try {
        await until(() => live.session.cycle > 30, "cycle 30");
      } finally {
        await live.stop();
      }
      const where = `${relative(Deno.cwd(), file)}:6:26`;
      assert.deepEqual(warnings, [
        `${where}: PartQueryError: Cannot play part "lead" at cycle 20: Error: late: muted until the set is reloaded`,
      ]);
      const notes = readMidiNotes(live.midi.encode()).notes;
      const cycleOf = (beat: number) => Math.floor(beat / 4 + 1e-9);
      const lead = notes.filter((x) => x.part === "lead").map((x) => cycleOf(x.beat));
      assert.deepEqual([...new Set(lead)], [...Array(20).keys()]); // cycles 0..19, then muted
      const k = notes.filter((x) => x.part === "k").map((x) => cycleOf(x.beat));
      assert.ok(k.filter((c) => c >= 20 && c < 30).length === 40, "k plays on past cycle 20");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
