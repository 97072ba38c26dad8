/**
 * `deno task render song.mid out.wav --map mapping.ts`: the example song
 * through the example mapping (lengths follow the song's tempo map), the
 * mapping script that sets no map, and the CLI's usage errors.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { renderMidiFile } from "../lib/runners/render_midi.ts";
import { MidiMapError } from "../lib/midi/errors.ts";
import { loadMidiFile } from "../lib/midi/smf.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SONG = `${ROOT}/examples/midi/song.mid`;
const MAP = `${ROOT}/examples/midi/mapping.ts`;

Deno.test("the example song renders through the example mapping, as long as its tempo map says", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const song = await loadMidiFile(SONG);
    // 8 beats at 100 BPM, then 130: the last note-off, 440 ticks into beat 15, ends the song
    assert.deepEqual(song.tempos.map((t) => [t.beat, Math.round(t.bpm)]), [[0, 100], [8, 130]]);
    const expected = 8 * 60 / 100 + (7 + 440 / 480) * 60 / 130;
    assert.ok(Math.abs(song.seconds - expected) < 0.001, `${song.seconds} vs ${expected}`);
    const r = await renderMidiFile(SONG, { out: `${dir}/song.wav`, map: MAP });
    assert.equal(r.frames, Math.round((song.seconds + 2) * 48000));
    assert.ok(r.peak > 0.05 && r.peakDb < 0, `peak ${r.peakDb} dBFS`);
    assert.ok(r.voicesPeak >= 4, "chords and bass sound together");
    assert.equal(r.eventsDropped, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a mapping script that sets no map is a MidiMapError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/empty.ts`, "export default function () {}\n");
    await assert.rejects(
      renderMidiFile(SONG, { out: `${dir}/x.wav`, map: `${dir}/empty.ts` }),
      (e: unknown) => e instanceof MidiMapError && e.message.includes("set no MIDI map"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("render CLI: a .mid without --map is a usage error (exit 2)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      `${ROOT}/deno.json`,
      `${ROOT}/scripts/render.ts`,
      SONG,
      "/tmp/x.wav",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /needs --map mapping\.ts/);
});
