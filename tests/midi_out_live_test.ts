/**
 * `perform --midi-out` on a JACK dummy server: a set whose part ends in
 * `.midi()` sends its notes out of a JACK MIDI port, recorded by
 * `jack_midi_dump -a` (absolute frame stamps): every note-on sits exactly
 * as many frames after the first as its onset is after the first onset at
 * the set's tempo, each note-off at its note's end, on channel midichan;
 * `--midi-clock-out` sends a start and 24 ticks per beat, 1000 frames apart
 * at 120 bpm; quitting answers the note still sounding (as many note-offs
 * as note-ons) and sends a stop. The JACK server and the dumps are ours,
 * stopped by PID.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { hasCommand, startJackDummy } from "../scripts/live_support.ts";
import { toFileUrl, withTempDir } from "./perform_support.ts";
import { HAVE_JACK, spawnPerform } from "./perform_live_support.ts";

const LIVE = toFileUrl(join(PROJECT_ROOT, "lib", "live", "mod.ts"));

/** A `jack_midi_dump -a` client named `name`: its lines (frame, bytes) once stopped. */
function dump(name: string, server: string) {
  const child = new Deno.Command("jack_midi_dump", {
    args: ["-a", name],
    env: { JACK_DEFAULT_SERVER: server, JACK_NO_START_SERVER: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const text = new Response(child.stdout).text();
  return {
    async stop(): Promise<{ frame: number; bytes: number[] }[]> {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      return (await text).split("\n").flatMap((line) => {
        const m = /^\s*(\d+):((?: [0-9a-f]{2})+)/.exec(line);
        return m
          ? [{ frame: Number(m[1]), bytes: m[2]!.trim().split(" ").map((h) => parseInt(h, 16)) }]
          : [];
      });
    },
  };
}

async function waitForPort(server: string, port: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = await new Deno.Command("jack_lsp", {
      env: { JACK_DEFAULT_SERVER: server, JACK_NO_START_SERVER: "1" },
      stdout: "piped",
      stderr: "null",
    }).output();
    if (new TextDecoder().decode(out.stdout).split("\n").includes(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`JACK port "${port}" did not appear`);
}

Deno.test({
  name:
    "perform --midi-out: .midi() notes and MIDI clock on their exact frames through JACK, none left hanging",
  ignore: !HAVE_JACK || !hasCommand("jack_midi_dump"),
  async fn() {
    await using jack = await startJackDummy({ periodFrames: 64, prefix: "ms-midiout" });
    await withTempDir(async (dir) => {
      const file = join(dir, "midi-set.ts");
      // 120 bpm, 4 beats a cycle: each note a beat (24000 frames), a3 the whole cycle 1,
      // sounding when perform quits at 3.5 s
      await Deno.writeTextFile(
        file,
        `import { defineSet, note } from "${LIVE}";\nexport default defineSet((set) => {\n` +
          `  set.tempo(120);\n` +
          `  set.play("lead", note("<[c4 e4 g4 c5] a3>").midi().midichan(3).velocity(1));\n` +
          `});\n`,
      );
      const notes = dump("ms-dump-notes", jack.name);
      const clock = dump("ms-dump-clock", jack.name);
      await waitForPort(jack.name, "ms-dump-notes:input");
      await waitForPort(jack.name, "ms-dump-clock:input");
      const child = spawnPerform(file, jack.name, [
        "--midi-out",
        "synth=ms-dump-notes:input,clock=ms-dump-clock:input",
        "--midi-clock-out",
        "clock",
        "--seconds",
        "3.5",
        "--quiet",
        "--no-watch",
      ]);
      const [status, stderr] = [await child.status, await new Response(child.stderr).text()];
      await new Response(child.stdout).text();
      const got = await notes.stop();
      const ticks = await clock.stop();
      assert.equal(status.code, 0, stderr);

      const ons = got.filter((m) => (m.bytes[0]! & 0xf0) === 0x90);
      const offs = got.filter((m) => (m.bytes[0]! & 0xf0) === 0x80);
      assert.ok(got.every((m) => (m.bytes[0]! & 0x0f) === 2), "channel 3");
      assert.equal(ons.length, 5, `${ons.length} note-ons: ${JSON.stringify(got)}`);
      // onsets at beats 0 1 2 3 (cycle 0), 4 (cycle 1): 24000 frames a beat
      const beats = [0, 1, 2, 3, 4];
      const keys = [60, 64, 67, 72, 57];
      ons.forEach((m, i) => {
        assert.equal(m.frame - ons[0]!.frame, beats[i]! * 24000, `note-on ${i}`);
        assert.deepEqual(m.bytes, [0x92, keys[i], 127]);
      });
      // each note ends a beat later; the a3 (a cycle) at quit, before its end
      assert.equal(offs.length, ons.length, `a note-off per note-on: ${JSON.stringify(got)}`);
      const lengths = [1, 1, 1, 1, 4];
      ons.forEach((on, i) => {
        const off = offs.find((o) => o.bytes[1] === on.bytes[1] && o.frame > on.frame)!;
        assert.ok(off, `note-off of note-on ${i}`);
        const end = on.frame + lengths[i]! * 24000;
        if (i < ons.length - 1) assert.equal(off.frame, end, `note-off ${i}`);
        else assert.ok(off.frame < end, `the last note ends at quit (${off.frame} < ${end})`);
      });

      // the clock: a start, ticks 1000 frames apart from the first, a stop at quit
      assert.deepEqual(ticks[0]?.bytes, [0xfa]);
      const f8 = ticks.filter((m) => m.bytes[0] === 0xf8).map((m) => m.frame);
      assert.ok(f8.length >= 24 * 6, `${f8.length} ticks`);
      assert.equal(f8[0], ticks[0]!.frame);
      f8.forEach((f, k) => assert.equal(f - f8[0]!, k * 1000, `tick ${k}`));
      assert.deepEqual(ticks[ticks.length - 1]?.bytes, [0xfc]);
      // (the two dumps count frames from their own start: no comparison across them;
      // lib/live/midi_out_test.ts puts each tick on its beat's frame)
    });
  },
});
