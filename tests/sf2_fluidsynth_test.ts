/**
 * SoundFont playback against FluidSynth on TimGM6mb (6 MB, Debian's
 * timgm6mb-soundfont): a GM song written by tests/sf2_compare.ts, rendered by
 * both, measured note by note. Limits: the note starts within one FluidSynth
 * block (64 frames) of FluidSynth's, pitch within 1 cent, level within 2 dB,
 * octave bands (those within 40 dB of the loudest) within 3 dB after the
 * level difference. FluidSynth plays a full-scale sine 1.1 dB above the
 * SoundFont level (measured: -10.94 against -12.04 dBFS RMS, centre pan, no
 * attenuation); we play the specified level, so most notes measure ~1.1 dB
 * under FluidSynth's, inside the limit. Both render dry (FluidSynth -R 0 -C 0,
 * ours `effects: false`): the sends would add each side's own reverb. Three
 * notes play LFOs (vibrato, tremolo, cutoff wobble) and are held 2 to 2.5 s,
 * measured over whole LFO cycles. Notes marked `approximate` are measured and
 * printed, not held to the limits.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  addedDb,
  compareNote,
  renderFluidSynth,
  renderOurs,
  SONG,
  songBytes,
} from "./sf2_compare.ts";

const FONT = "/usr/share/sounds/sf2/TimGM6mb.sf2";
const RATE = 48000;
const have = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};
const fluidsynth = (() => {
  try {
    return new Deno.Command("fluidsynth", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();
const ignore = !have(FONT) || !fluidsynth;
if (ignore) {
  console.log(
    `sf2_fluidsynth_test: skipped: ${
      !have(FONT) ? `no ${FONT} (apt-get install timgm6mb-soundfont)` : "no fluidsynth on PATH"
    }`,
  );
}

/**
 * Render the GM song on `font` with FluidSynth and with us, compare note by
 * note: `each` prints a note's measures and returns what is off; every note
 * must sound in both renders, and nothing may be off.
 */
async function againstFluidSynth(
  font: string,
  each: (note: typeof SONG[number], c: ReturnType<typeof compareNote>, what: string) => string[],
): Promise<void> {
  const mid = await Deno.makeTempFile({ suffix: ".mid" });
  const bytes = songBytes();
  await Deno.writeFile(mid, bytes);
  try {
    const ref = (await renderFluidSynth(font, mid, RATE))!;
    const ours = await renderOurs(font, bytes, RATE, ref.audio.length / 2 / RATE);
    const failures: string[] = [];
    for (const note of SONG) {
      const c = compareNote(ours.audio, ref.audio, note, RATE);
      const what = `ch${
        note.channel + 1
      } program ${note.program} key ${note.key} vel ${note.velocity}`;
      failures.push(...each(note, c, what));
      assert.ok(c.onsetOurs >= 0 && c.onsetRef >= 0, `${what}: silent in one render`);
    }
    assert.deepEqual(failures, []);
  } finally {
    await Deno.remove(mid);
  }
}

Deno.test({
  name: "TimGM6mb: a GM song matches FluidSynth note by note (onset, pitch, level, bands)",
  ignore,
  async fn() {
    await againstFluidSynth(FONT, (note, c, what) => {
      const failures: string[] = [];
      const low = c.bandsDb.slice(0, 5).filter((x) => !Number.isNaN(x));
      const high = c.bandsDb.slice(5).filter((x) => !Number.isNaN(x));
      const worstBand = Math.max(0, ...low.map(Math.abs));
      const worstHigh = Math.max(0, ...high.map(Math.abs));
      // a looped sustained note lines up at any multiple of its period: its threshold onset counts
      const start = note.pitched ? c.onsetDiff : c.lag;
      console.log(
        `${what}: start ${start} frames, pitch ${c.pitchCents?.toFixed(2) ?? "-"} cents, level ${
          c.levelDb.toFixed(2)
        } dB, worst band to 2 kHz ${worstBand.toFixed(1)} dB, above ${worstHigh.toFixed(1)} dB${
          note.approximate ? " (approximate)" : ""
        }`,
      );
      if (note.approximate) return failures;
      if (Math.abs(start) > 64) {
        failures.push(`${what}: starts ${start} frames from FluidSynth's`);
      }
      if (c.pitchCents !== undefined && Math.abs(c.pitchCents) > 1) {
        failures.push(`${what}: pitch ${c.pitchCents.toFixed(2)} cents off`);
      }
      if (Math.abs(c.levelDb) > 2) failures.push(`${what}: level ${c.levelDb.toFixed(2)} dB off`);
      if (Math.max(worstBand, worstHigh) > 3) {
        failures.push(`${what}: a band ${Math.max(worstBand, worstHigh).toFixed(1)} dB off`);
      }
      return failures;
    });
  },
});

const SF3 = "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3";
/**
 * Notes of the song that MuseScore's SF3 plays apart from FluidSynth, with
 * what was measured (printed each run, not held to the limits): the closed
 * hat 3 dB over; the square lead 15 cents flat in one window and 5.5 dB off
 * in one band (a resonant filter swept by the modulation envelope: ours
 * falls exponentially, FluidSynth's linearly, so the resonance crosses the
 * harmonics at other times).
 */
const SF3_KNOWN = new Set([
  "ch10 program 0 key 42 vel 100",
  "ch6 program 80 key 64 vel 100",
]);

Deno.test({
  name:
    "MuseScore_General_Lite.sf3 (SF3, Ogg Vorbis samples, modulators): the GM song against FluidSynth",
  ignore: !have(SF3) || !fluidsynth,
  async fn() {
    await againstFluidSynth(SF3, (note, c, what) => {
      const failures: string[] = [];
      const worst = Math.max(0, ...c.bandsDb.filter((x) => !Number.isNaN(x)).map(Math.abs));
      const start = note.pitched ? c.onsetDiff : c.lag;
      console.log(
        `${what}: start ${start}, pitch ${c.pitchCents?.toFixed(2) ?? "-"} cents, level ${
          c.levelDb.toFixed(2)
        } dB, worst band ${worst.toFixed(1)} dB${SF3_KNOWN.has(what) ? " (known)" : ""}`,
      );
      if (SF3_KNOWN.has(what)) return failures;
      if (c.pitchCents !== undefined && Math.abs(c.pitchCents) > 1) {
        failures.push(`${what}: pitch ${c.pitchCents.toFixed(2)} cents off`);
      }
      if (Math.abs(c.levelDb) > 2) failures.push(`${what}: level ${c.levelDb.toFixed(2)} dB off`);
      if (worst > 3) failures.push(`${what}: a band ${worst.toFixed(1)} dB off`);
      return failures;
    });
  },
});

/**
 * One note (channel 0, velocity 100, from 0.5 s) rendered `seconds` long dry
 * and with one effect on, by FluidSynth (`fsSetting` set with -o) and by us
 * (`ours`, renderOurs's options): what the chorus and reverb tests compare.
 */
async function dryAndWet(
  note: { program: number; key: number; length: number; pitched: boolean },
  fsSetting: string,
  seconds: number,
  ours: { sends?: boolean; chorusOnly?: boolean },
): Promise<{ fsDry: Float32Array; fsWet: Float32Array; dry: Float32Array; wet: Float32Array }> {
  const bytes = songBytes([{ seconds: 0.5, channel: 0, velocity: 100, ...note }]);
  const mid = await Deno.makeTempFile({ suffix: ".mid" });
  await Deno.writeFile(mid, bytes);
  try {
    return {
      fsDry: (await renderFluidSynth(FONT, mid, RATE))!.audio,
      fsWet: (await renderFluidSynth(FONT, mid, RATE, ["-o", fsSetting]))!.audio,
      dry: (await renderOurs(FONT, bytes, RATE, seconds)).audio,
      wet: (await renderOurs(FONT, bytes, RATE, seconds, ours)).audio,
    };
  } finally {
    await Deno.remove(mid);
  }
}

Deno.test({
  name:
    "TimGM6mb: the chorus send (Strings, Pad) adds as much over the dry note as FluidSynth's default chorus, within 2 dB",
  ignore,
  async fn() {
    for (const [program, key] of [[48, 69], [88, 60]] as const) {
      const r = await dryAndWet(
        { program, key, length: 2, pitched: true },
        "synth.chorus.active=1",
        3,
        { chorusOnly: true },
      );
      const theirs = addedDb(r.fsWet, r.fsDry, RATE * 0.6, RATE * 2.4);
      const ours = addedDb(r.wet, r.dry, RATE * 0.6, RATE * 2.4);
      console.log(
        `program ${program}: the chorus adds ${ours.toFixed(2)} dB (FluidSynth ${
          theirs.toFixed(2)
        } dB) over the dry note`,
      );
      assert.ok(theirs > -20, `FluidSynth's preset ${program} has a chorus send`);
      assert.ok(Math.abs(ours - theirs) < 2, `program ${program}: ${ours} against ${theirs} dB`);
    }
  },
});

/** Mean power of (a - b) over [t0, t1) seconds, dBFS: the wet part of a render. */
function wetDbfs(a: Float32Array, b: Float32Array, t0: number, t1: number): number {
  let e = 0;
  for (let i = Math.round(RATE * t0); i < RATE * t1; i++) {
    e += (a[2 * i]! - b[2 * i]!) ** 2 + (a[2 * i + 1]! - b[2 * i + 1]!) ** 2;
  }
  return 10 * Math.log10(e / (RATE * (t1 - t0) * 2) + 1e-30);
}

Deno.test({
  name:
    "TimGM6mb: the reverb send (piano, flute, bass) is as loud as FluidSynth's reverb during the note (2 dB) and after it (5 dB)",
  ignore,
  async fn() {
    for (const [program, key] of [[0, 60], [73, 72], [33, 40]] as const) {
      const r = await dryAndWet(
        { program, key, length: 1, pitched: false },
        "synth.reverb.active=1",
        4,
        { sends: true },
      );
      const during = [
        wetDbfs(r.wet, r.dry, 0.6, 1.4),
        wetDbfs(r.fsWet, r.fsDry, 0.6, 1.4),
      ] as const;
      const after = [wetDbfs(r.wet, r.dry, 1.6, 2.5), wetDbfs(r.fsWet, r.fsDry, 1.6, 2.5)] as const;
      console.log(
        `program ${program}: reverb during the note ${during[0].toFixed(1)} dBFS (FluidSynth ${
          during[1].toFixed(1)
        }), 0.1..1 s after it ${after[0].toFixed(1)} (FluidSynth ${after[1].toFixed(1)})`,
      );
      assert.ok(during[1] > -80, `FluidSynth's preset ${program} has a reverb send`);
      assert.ok(Math.abs(during[0] - during[1]) < 2, `program ${program} during: ${during}`);
      assert.ok(Math.abs(after[0] - after[1]) < 5, `program ${program} after: ${after}`);
    }
  },
});
