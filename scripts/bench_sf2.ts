/**
 * `deno run -A scripts/bench_sf2.ts [font.sf2] [--seconds N] [--runs N]`: render speed of
 * a General MIDI song on a SoundFont, FluidSynth against us, one core each
 * (FluidSynth: `-ni -R 0 -C 0`, its default 4th-order interpolation; us: the
 * GM map of lib/instrument/sf2/gm.ts, offline). The song is written here: 8
 * channels of GM programs playing 4-note chords every half beat plus drums,
 * about 40 voices sounding.
 *
 * Each side is timed twice: on the song and on an empty song (loading the
 * font and starting up), and the difference is the render time. Reports
 * seconds and ratios, best of `--runs` (3); asserts nothing (benchmarks report, tests assert).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { renderFluidSynth, renderOurs, songBytes, type SongNote } from "../tests/sf2_compare.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { seconds: { type: "string" }, rate: { type: "string" }, runs: { type: "string" } },
});
const font = positionals[0] ?? "/usr/share/sounds/sf2/FluidR3_GM.sf2";
const seconds = Number(values.seconds ?? 30);
const rate = Number(values.rate ?? 48000);

try {
  Deno.statSync(font);
} catch {
  console.error(
    `Cannot benchmark: no SoundFont at "${font}": apt-get install fluid-soundfont-gm, or give a font`,
  );
  Deno.exit(2);
}

/** A busy song: chords on 8 programs, drums every half beat. */
function busySong(length: number): SongNote[] {
  const programs = [0, 4, 24, 33, 48, 61, 73, 81];
  const notes: SongNote[] = [];
  for (let t = 0.25, i = 0; t < length - 1; t += 0.25, i++) {
    const ch = i % programs.length;
    for (const step of [0, 4, 7, 12]) {
      notes.push({
        seconds: t,
        channel: ch,
        program: programs[ch]!,
        key: 48 + ((i * 5) % 24) + step,
        velocity: 70 + (i * 13) % 50,
        length: 1.5,
        pitched: false,
      });
    }
    notes.push({
      seconds: t,
      channel: 9,
      program: 0,
      key: [36, 42, 38, 42][i % 4]!,
      velocity: 100,
      length: 0.2,
      pitched: false,
    });
  }
  return notes;
}

const song = songBytes(busySong(seconds));
const empty = songBytes([
  { seconds: 0, channel: 0, program: 0, key: 60, velocity: 1, length: 0.01, pitched: false },
]);
const dir = await Deno.makeTempDir();
const songFile = `${dir}/song.mid`, emptyFile = `${dir}/empty.mid`;
await Deno.writeFile(songFile, song);
await Deno.writeFile(emptyFile, empty);

// best of `runs` for each side (the machine is shared: the minimum is the least disturbed)
const runs = Number(values.runs ?? 3);
type Fs = Awaited<ReturnType<typeof renderFluidSynth>>;
let fsSong: Fs, fsEmpty: Fs, ours: Awaited<ReturnType<typeof renderOurs>> | undefined;
for (let i = 0; i < runs; i++) {
  const a = await renderFluidSynth(font, songFile, rate);
  const b = await renderFluidSynth(font, emptyFile, rate);
  if (!a || !b) {
    console.error("Cannot benchmark: no fluidsynth on PATH: apt-get install fluidsynth");
    Deno.exit(2);
  }
  if (!fsSong || a.seconds < fsSong.seconds) fsSong = a;
  if (!fsEmpty || b.seconds < fsEmpty.seconds) fsEmpty = b;
  const o = await renderOurs(font, song, rate, a.audio.length / 2 / rate);
  if (!ours || o.seconds < ours.seconds) {
    // load: the first run's (later runs find the font already parsed in this process)
    ours = { ...o, loadSeconds: ours?.loadSeconds ?? o.loadSeconds };
  }
}
const audioSeconds = fsSong!.audio.length / 2 / rate;
await Deno.remove(dir, { recursive: true });

const fsRender = Math.max(1e-6, fsSong!.seconds - fsEmpty!.seconds);
const row = (name: string, load: number, render: number) =>
  console.log(
    `${name.padEnd(11)} load ${load.toFixed(3)} s  render ${render.toFixed(3)} s  ${
      (audioSeconds / render).toFixed(0)
    }x real time`,
  );
console.log(`${font}: ${audioSeconds.toFixed(1)} s of audio at ${rate} Hz`);
row("fluidsynth", fsEmpty!.seconds, fsRender);
row("ours", ours!.loadSeconds, ours!.seconds);
console.log(
  `ratio (fluidsynth / ours): render ${(fsRender / ours!.seconds).toFixed(2)}, load ${
    (fsEmpty!.seconds / ours!.loadSeconds).toFixed(2)
  } (fluidsynth loads the whole font; we load the ${
    new Set(busySong(seconds).map((n) => `${n.channel}:${n.program}`)).size
  } presets the song uses)`,
);
