/**
 * Limits (issue 17, part 5), offline through the same session a live
 * `perform` runs: every voice busy (the oldest fade out, counted and
 * reported), a set of 2000 parts (plays, every part on its frames), a sample
 * pack of 10,000 files (listed once, only what plays is loaded). The memory-
 * lock limit is tests/load_memory_test.ts; the full event ring is
 * engine/tests/test_ring.c and the warning lib/live/overload_test.ts; how
 * each is said: docs/realtime.md, "Limits".
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { s as sound } from "../lib/live/mod.ts";
import { PRELOAD_VARIANTS, type ScheduledNote } from "../lib/live/session.ts";
import { TICKS_PER_CYCLE } from "../lib/live/source.ts";
import { renderSet } from "../lib/runners/render_set.ts";
import { readWavF32 } from "./audio_analysis.ts";
import { withTempDir } from "./perform_support.ts";
import { sineWav } from "./sample_fixtures.ts";
import { applySet, openSession, playTo } from "./session_fixture.ts";

/** Largest |x[i+1] - x[i]| over the left channel. */
function maxStep(audio: Float32Array): number {
  let m = 0;
  for (let i = 2; i < audio.length; i += 2) m = Math.max(m, Math.abs(audio[i]! - audio[i - 2]!));
  return m;
}

/** Render a .strudel text for `cycles` cycles into 32-bit float; the result and the audio. */
async function render(
  dir: string,
  text: string,
  cycles: number,
  extra: Partial<Parameters<typeof renderSet>[1]> = {},
) {
  const file = join(dir, `set${Math.floor(Math.random() * 1e9)}.strudel`);
  await Deno.writeTextFile(file, text);
  const out = file.replace(/\.strudel$/, ".wav");
  const warnings: string[] = [];
  const r = await renderSet(file, {
    out,
    cycles,
    bits: "32f",
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  return { r, audio: readWavF32(await Deno.readFile(out)), warnings };
}

Deno.test("every voice busy: the oldest fade out (no click), counted in the render's result", async () => {
  await withTempDir(async (dir) => {
    // 16 sine notes a cycle, each held 2 s: about 32 sound at once, for 8 voices
    const set =
      `setcps(1)\n$: note("c4 e4 g4 b4".fast(4)).s("sine").sustain(1).release(2).gain(.1)\n`;
    const one = await render(dir, `setcps(1)\n$: note("b4").s("sine").sustain(1).gain(.1)\n`, 1);
    const notes: ScheduledNote[] = [];
    const busy = await render(dir, set, 3, {
      sampler: { maxPolyphony: 8 },
      onNote: (n) => notes.push(n),
    });
    const free = await render(dir, set, 3, { sampler: { maxPolyphony: 256 } });
    assert.ok(free.r.voicesPeak > 8 && free.r.voicesStolen === 0, JSON.stringify(free.r));
    assert.ok(busy.r.voicesPeak <= 8, JSON.stringify(busy.r));
    // each note after the eighth finds every voice busy (they ring 2 s): one steal each
    // (the render runs on into the tails: notes from cycle 3 on start no voice)
    const played = notes.filter((n) => n.frame < 3 * 48000).length;
    assert.equal(played, 48);
    assert.equal(busy.r.voicesStolen, played - 8);
    // eight voices add at most their own steps; a voice cut dead would step by its amplitude
    const step1 = maxStep(one.audio);
    assert.ok(step1 > 0);
    assert.ok(maxStep(busy.audio) <= 10 * step1, `a click: ${maxStep(busy.audio)} vs ${step1}`);
  });
});

Deno.test("2000 parts: every part plays, each note on its frame", async () => {
  await withTempDir(async (dir) => {
    const lines = ["setcps(0.5)"];
    for (let i = 0; i < 2000; i++) {
      lines.push(
        `p${i}: note("${40 + (i % 40)}").s("sine").decay(.02).sustain(0).gain(.001)` +
          `.late(${(i % 100) / 100})`,
      );
    }
    const notes: ScheduledNote[] = [];
    const t0 = performance.now();
    const { r } = await render(dir, lines.join("\n") + "\n", 1, { onNote: (n) => notes.push(n) });
    console.log(`2000 parts, 1 cycle: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // (the render runs on into the tails: the next cycle's first notes are scheduled too)
    const first = notes.filter((n) => n.frame < 96000);
    assert.equal(first.length, 2000);
    for (const n of first) {
      const i = Number(n.part.slice(1));
      // a cycle is 96000 frames; .late(x) moves the note x of a cycle on
      assert.equal(n.frame, Math.round((i % 100) / 100 * 96000), n.part);
      assert.equal(n.note, 40 + (i % 40));
    }
    assert.equal(new Set(first.map((n) => n.part)).size, 2000);
    assert.equal(r.eventsDropped, 0);
  });
});

Deno.test("a sample sound of 10,000 files in a live session: only what plays is loaded, on first use", async () => {
  await withTempDir(async (dir) => {
    const wav = sineWav(440, 0.01);
    Deno.mkdirSync(join(dir, "big"));
    for (let f = 0; f < 10000; f++) {
      Deno.writeFileSync(join(dir, "big", `${String(f).padStart(5, "0")}.wav`), wav);
    }
    const { sampler, session, notes, warnings } = openSession({ loadOnFirstUse: true });
    using _ = sampler;
    const t0 = performance.now();
    // file k plays in cycles 2k and 2k + 1: files 0..7 in the first 16 cycles (loaded with the
    // set), then 8..23, each loaded when first asked for
    const each = [...Array(24).keys()].flatMap((k) => [k, k]).join(" ");
    const report = await applySet(session, (set) => {
      set.samples(dir);
      set.play("b", sound("big*2").n(`<${each}>`));
    });
    console.log(`10,000 files listed, 8 loaded: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    assert.equal(report.instrumentsLoaded.length, 8);
    assert.ok(10000 > PRELOAD_VARIANTS);
    // play cycle by cycle, letting the background loads finish in between
    for (let c = 1; c <= 48; c++) {
      playTo(session, session.frameOfTick(c * TICKS_PER_CYCLE));
      await new Promise((r) => setTimeout(r, 30));
    }
    const inCycle = (c: number) => notes.filter((n) => Math.floor(n.beat / 4) === c).length;
    // loaded with the set: both notes of every cycle; later files: the cycle that first
    // asks for a file is silent, the next one plays it
    for (let c = 0; c < 48; c++) assert.equal(inCycle(c), c < 16 || c % 2 ? 2 : 0, `cycle ${c}`);
    assert.deepEqual(
      warnings.filter((w) => w.includes("files, more than")),
      [
        `sound "big" has 10000 files, more than the ${PRELOAD_VARIANTS} loaded with the set: ` +
        "each loads when a note first plays it, and that note is silent",
      ],
    );
  });
});
