/**
 * SoundFonts through the runners: `render song.mid --sf2 FONT` (the example
 * song as General MIDI on TimGM6mb), a performance script naming presets as
 * `"font.sf2#bank:program"`, and the CLI's usage errors for --sf2. Skipped
 * with the reason when TimGM6mb is not installed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { InstrumentDefinitionError } from "../lib/errors.ts";
import { loadMidiFile } from "../lib/midi/smf.ts";
import { runPerformance } from "../lib/runners/performance.ts";
import { renderMidiFile } from "../lib/runners/render_midi.ts";
import { renderSet } from "../lib/runners/render_set.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SONG = `${ROOT}/examples/midi/song.mid`;
const FONT = "/usr/share/sounds/sf2/TimGM6mb.sf2";
const ignore = (() => {
  try {
    return !Deno.statSync(FONT).isFile;
  } catch {
    return true;
  }
})();
if (ignore) {
  console.log(`sf2_render_test: skipped: no ${FONT} (apt-get install timgm6mb-soundfont)`);
}

Deno.test({
  name: "render --sf2: the example song plays as General MIDI on TimGM6mb",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const song = await loadMidiFile(SONG);
      const warnings: string[] = [];
      const r = await renderMidiFile(SONG, {
        out: `${dir}/song.wav`,
        sf2: FONT,
        onWarning: (w) => warnings.push(w),
      });
      assert.equal(r.frames, Math.round((song.seconds + 2) * 48000));
      assert.ok(r.peak > 0.01 && r.peakDb < 0, `peak ${r.peakDb} dBFS`);
      assert.ok(r.voicesPeak >= 4, `${r.voicesPeak} voices at most`);
      assert.equal(r.eventsDropped, 0);
      // what is not played yet is said once per font and family, never per preset or zone
      assert.equal(new Set(warnings).size, warnings.length);
      const families = warnings.map((w) => w.replace(/ \(first in .*\)$/, ""));
      assert.equal(new Set(families).size, families.length, warnings.join("\n"));
      for (const w of warnings) {
        assert.match(
          w,
          /TimGM6mb\.sf2: (.* not played yet|approximated: .*) \(first in #\d+:\d+ ".*", \d+ zones?\)$/,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    'a performance script plays presets named "font.sf2#bank:program"; a missing one is located',
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/p.ts`,
        `export default async function (ctx) {
  const piano = await ctx.instrument("${FONT}#0:0");
  const kit = await ctx.instrument("${FONT}#128:0");
  piano.noteOn(60, 100, { at: { seconds: 0.1 } });
  kit.noteOn(36, 120, { at: { seconds: 0.5 } });
}
`,
      );
      const r = await runPerformance(`${dir}/p.ts`, { out: `${dir}/p.wav`, seconds: 1.5 });
      assert.ok(r.peak > 0.01, `peak ${r.peakDb} dBFS`);
      assert.ok(r.voicesPeak >= 2);
      await Deno.writeTextFile(
        `${dir}/missing.ts`,
        `export default async function (ctx) { await ctx.instrument("${dir}/none.sf2#0:0"); }\n`,
      );
      await assert.rejects(
        runPerformance(`${dir}/missing.ts`, { out: `${dir}/m.wav`, seconds: 0.1 }),
        (e: unknown) =>
          e instanceof InstrumentDefinitionError &&
          /Cannot load SoundFont ".*none\.sf2": no such file/.test(e.message),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "Strudel's gm_* names load the GM bank's presets in sets and scripts (MS_GM_FONT)",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const before = Deno.env.get("MS_GM_FONT");
    Deno.env.set("MS_GM_FONT", FONT);
    try {
      await Deno.writeTextFile(
        `${dir}/set.ts`,
        `import { defineSet, note } from "${ROOT}/lib/live/mod.ts";
export default defineSet((set) => {
  // the default sound table does not list gm_* names yet: declared here
  for (const n of ["gm_electric_bass_finger", "gm_synth_strings_1"]) set.sound(n, { instrument: n });
  set.play("bass", note("c2 eb2 g2 bb1").s("gm_electric_bass_finger"));
  set.play("pad", note("<[c4,eb4,g4]>").s("gm_synth_strings_1").legato(1));
});
`,
      );
      const warnings: string[] = [];
      const r = await renderSet(`${dir}/set.ts`, {
        out: `${dir}/set.wav`,
        cycles: 2,
        onWarning: (w) => warnings.push(w),
      });
      assert.ok(r.peak > 0.01, `peak ${r.peakDb} dBFS`);
      assert.ok(r.voicesPeak >= 4, `${r.voicesPeak} voices: a bass note and a three-note pad`);
      // the presets came from the font: what they report names it with bank:program
      // (once per font and family in a process: another test may have said it first)
      for (const w of warnings) assert.match(w, /TimGM6mb\.sf2: .*#\d+:\d+ "/);
      // and in performance scripts: ctx.instrument("gm_...") is that preset, named so
      await Deno.writeTextFile(
        `${dir}/p.ts`,
        `export default async function (ctx) {
  const p = await ctx.instrument("gm_acoustic_grand_piano");
  if (p.name !== "gm_acoustic_grand_piano") throw new Error("named " + p.name);
  p.noteOn(60, 100, { at: { seconds: 0 } });
}
`,
      );
      const q = await runPerformance(`${dir}/p.ts`, { out: `${dir}/p.wav`, seconds: 1 });
      assert.ok(q.peak > 0.01, `peak ${q.peakDb} dBFS`);
    } finally {
      if (before === undefined) Deno.env.delete("MS_GM_FONT");
      else Deno.env.set("MS_GM_FONT", before);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("render CLI: --sf2 goes with a .mid file and not with --map (exit 2)", async () => {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${ROOT}/deno.json`, `${ROOT}/scripts/render.ts`, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, err: new TextDecoder().decode(out.stderr) };
  };
  const a = await run(SONG, "/tmp/x.wav", "--sf2", FONT, "--map", "m.ts");
  assert.equal(a.code, 2);
  assert.match(a.err, /give --map or --sf2, not both/);
  const b = await run(`${ROOT}/examples/hello.ts`, "/tmp/x.wav", "--sf2", FONT);
  assert.equal(b.code, 2);
  assert.match(b.err, /--sf2 goes with a \.mid file/);
});
