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
      // what is not played yet is said once per preset and family, never per zone
      assert.equal(new Set(warnings).size, warnings.length);
      for (const w of warnings) {
        assert.match(w, /TimGM6mb\.sf2#\d+:\d+ ".*": .* not played yet \(\d+ zones?\)/);
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
