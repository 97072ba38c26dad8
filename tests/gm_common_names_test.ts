/**
 * Common instrument names (lib/instrument/resolve.ts): `piano`, `strings`,
 * `kit`, ... play General MIDI presets when a bank is installed, the shipped
 * instruments keep their names, and without a bank `piano` is the epiano as
 * before; each stand-in is said once. The renders compare bytes: a set's
 * `s("piano")` against the same set on the preset named by path (GM) or on
 * `s("epiano")` (no bank). The GM half is skipped with the reason when
 * TimGM6mb is not installed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { resolveInstrument } from "../lib/instrument/resolve.ts";
import { runPerformance } from "../lib/runners/performance.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SHIPPED = `${ROOT}instruments`;
const FONT = "/usr/share/sounds/sf2/TimGM6mb.sf2";
const noFont = (() => {
  try {
    return !Deno.statSync(FONT).isFile;
  } catch {
    return true;
  }
})();
if (noFont) {
  console.log(
    `gm_common_names_test: GM renders skipped: no ${FONT} (apt-get install timgm6mb-soundfont)`,
  );
}

Deno.test("resolveInstrument: shipped names win, common names find GM presets or stand-ins", () => {
  const font = "/fonts/gm.sf2";
  for (const own of ["drums", "epiano", "bass"]) {
    const r = resolveInstrument(own, SHIPPED, { font });
    assert.equal(r.kind, "definition");
    assert.equal(r.kind === "definition" && r.path, `${SHIPPED}/${own}.ts`);
    assert.equal(r.note, undefined);
  }
  const piano = resolveInstrument("piano", SHIPPED, { font });
  assert.deepEqual([piano.kind, piano.kind === "soundfont" && piano.spec], [
    "soundfont",
    `${font}#0:0`,
  ]);
  assert.match(
    piano.note!,
    /piano.*program 0 \(Acoustic Grand Piano\).*closer than the shipped epiano/,
  );
  const kit = resolveInstrument("kit", SHIPPED, { font });
  assert.equal(kit.kind === "soundfont" && kit.spec, `${font}#128:0`);
  assert.equal(resolveInstrument("strings", SHIPPED, { font }).kind === "soundfont", true);
  assert.equal(
    (resolveInstrument("strings", SHIPPED, { font }) as { spec: string }).spec,
    `${font}#0:48`,
  );
  // no bank: piano and kit fall back to the shipped instruments, strings has no stand-in
  const epiano = resolveInstrument("piano", SHIPPED, { font: null });
  assert.equal(epiano.kind === "definition" && epiano.path, `${SHIPPED}/epiano.ts`);
  assert.match(epiano.note!, /no General MIDI SoundFont installed: playing "epiano" instead/);
  const kitNoBank = resolveInstrument("kit", SHIPPED, { font: null });
  assert.equal(kitNoBank.kind === "definition" && kitNoBank.path, `${SHIPPED}/drums.ts`);
  const strings = resolveInstrument("strings", SHIPPED, { font: null });
  assert.equal(strings.kind === "definition" && strings.path, `${SHIPPED}/strings.ts`);
  assert.throws(
    () => resolveInstrument("gm_flute", SHIPPED, { font: null }),
    /no General MIDI SoundFont installed/,
  );
  // a definition of that name wins over the GM preset
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/strings.sfz`, "<region> sample=x.wav\n");
    const own = resolveInstrument("strings", dir, { font });
    assert.equal(own.kind === "definition" && own.path, `${dir}/strings.sfz`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** Render `code` (a .strudel file) for 2 s with MS_GM_FONT = `font`; bytes and notes. */
async function render(code: string, font: string): Promise<{ bytes: Uint8Array; notes: string[] }> {
  const dir = await Deno.makeTempDir();
  const before = Deno.env.get("MS_GM_FONT");
  Deno.env.set("MS_GM_FONT", font);
  try {
    await Deno.writeTextFile(`${dir}/t.strudel`, code);
    const notes: string[] = [];
    await runPerformance(`${dir}/t.strudel`, {
      out: `${dir}/t.wav`,
      seconds: 2,
      onWarning: (w) => notes.push(w),
    });
    return { bytes: await Deno.readFile(`${dir}/t.wav`), notes };
  } finally {
    if (before === undefined) Deno.env.delete("MS_GM_FONT");
    else Deno.env.set("MS_GM_FONT", before);
    await Deno.remove(dir, { recursive: true });
  }
}

const SET = (sound: string) => `note("c4 e4 g4 c5").s("${sound}")\n`;

Deno.test({
  name: "a set's piano plays GM program 0 of TimGM6mb, said once",
  ignore: noFont,
  async fn() {
    const piano = await render(SET("piano"), FONT);
    const gm = await render(SET("gm_piano"), FONT);
    const epiano = await render(SET("epiano"), FONT);
    assert.deepEqual(piano.bytes, gm.bytes);
    assert.notDeepEqual(piano.bytes, epiano.bytes);
    const said = piano.notes.filter((n) => n.includes(`instrument "piano"`));
    assert.equal(said.length, 1, piano.notes.join("\n"));
    assert.match(said[0]!, /program 0 \(Acoustic Grand Piano\) of .*TimGM6mb\.sf2/);
  },
});

Deno.test("without a GM bank a set's piano is the epiano, said once", async () => {
  const piano = await render(SET("piano"), "/nonexistent/none.sf2");
  const epiano = await render(SET("epiano"), "/nonexistent/none.sf2");
  assert.deepEqual(piano.bytes, epiano.bytes);
  const said = piano.notes.filter((n) => n.includes(`instrument "piano"`));
  assert.equal(said.length, 1, piano.notes.join("\n"));
  assert.match(said[0]!, /playing "epiano" instead/);
});

Deno.test({
  name: "a script's ctx.instrument('strings') and ('kit') load TimGM6mb presets",
  ignore: noFont,
  async fn() {
    const dir = await Deno.makeTempDir();
    Deno.env.set("MS_GM_FONT", FONT);
    try {
      const script = `export default async (ctx) => {
  const s = await ctx.instrument("strings"), k = await ctx.instrument("kit");
  s.noteOn(60, 100, { at: { seconds: 0.05 } });
  k.noteOn(36, 100, { at: { seconds: 0.05 } });
};\n`;
      await Deno.writeTextFile(`${dir}/s.ts`, script);
      const notes: string[] = [];
      const r = await runPerformance(`${dir}/s.ts`, {
        out: `${dir}/s.wav`,
        seconds: 1,
        onWarning: (w) => notes.push(w),
      });
      assert.ok(r.peak > 0.01, `peak ${r.peak}`);
      assert.ok(notes.some((n) => /"strings".*program 48/.test(n)), notes.join("\n"));
      assert.ok(notes.some((n) => /"kit".*kit 0 \(Standard Kit\)/.test(n)), notes.join("\n"));
    } finally {
      Deno.env.delete("MS_GM_FONT");
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "make demo's examples/hello_gm.ts plays GM piano, strings, bass and kit from TimGM6mb",
  ignore: noFont,
  async fn() {
    const dir = await Deno.makeTempDir();
    Deno.env.set("MS_GM_FONT", FONT);
    try {
      const notes: string[] = [];
      const render = (out: string) =>
        runPerformance(`${ROOT}examples/hello_gm.ts`, {
          out: `${dir}/${out}`,
          seconds: 10,
          onWarning: (w) => notes.push(w),
        });
      const r = await render("a.wav");
      await render("b.wav");
      assert.deepEqual(await Deno.readFile(`${dir}/a.wav`), await Deno.readFile(`${dir}/b.wav`));
      assert.ok(r.peak > 0.1 && r.peak <= 1, `peak ${r.peak}`);
      assert.ok(r.voicesPeak >= 8, `voices ${r.voicesPeak}`);
      // the common name "kit" said which preset of the bank stood in, once per render;
      // the GM names (gm_acoustic_grand_piano, ...) are what they say: no note
      const said = notes.filter((n) => n.startsWith(`instrument "kit"`));
      assert.equal(said.length, 2, notes.join("\n"));
      assert.ok(said[0]!.includes("kit 0 ") && said[0]!.includes("TimGM6mb.sf2"), said[0]);
      assert.ok(!notes.some((n) => /^instrument "gm_/.test(n)), notes.join("\n"));
    } finally {
      Deno.env.delete("MS_GM_FONT");
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: 'a .strudel file\'s s("strings") and s("organ") play the GM presets',
  ignore: noFont,
  async fn() {
    const named = await render(`note("c3 e3").s("<strings organ>")\n`, FONT);
    const explicit = await render(
      `note("c3 e3").s("<gm_string_ensemble_1 gm_drawbar_organ>")\n`,
      FONT,
    );
    assert.deepEqual(named.bytes, explicit.bytes);
    assert.ok(named.notes.some((n) => /"organ".*program 16/.test(n)), named.notes.join("\n"));
  },
});

Deno.test({
  name: 'a TypeScript set\'s s("strings") and s("gm_flute") play the GM presets',
  ignore: noFont,
  async fn() {
    const dir = await Deno.makeTempDir();
    Deno.env.set("MS_GM_FONT", FONT);
    try {
      const bytes: Uint8Array[] = [];
      for (const sound of ["<strings gm_flute>", "<gm_string_ensemble_1 gm_flute>"]) {
        await Deno.writeTextFile(
          `${dir}/set.ts`,
          `import { defineSet, note } from "${ROOT}lib/live/mod.ts";
export default defineSet((set) => set.play("x", note("c4 e4").s("${sound}")));\n`,
        );
        const r = await runPerformance(`${dir}/set.ts`, { out: `${dir}/x.wav`, seconds: 4 });
        assert.ok(r.peak > 0.01, `${sound}: peak ${r.peak}`);
        bytes.push(await Deno.readFile(`${dir}/x.wav`));
      }
      assert.deepEqual(bytes[0], bytes[1]);
    } finally {
      Deno.env.delete("MS_GM_FONT");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
