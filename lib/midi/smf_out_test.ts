/**
 * An offline render of a set with `.midi()` parts writes what they sent as
 * a Standard MIDI File: a track per output, notes on their beats (960
 * ticks per beat), the set's tempo, channels and velocities as sent; the
 * audio of the other parts renders as before; more messages than a capture
 * ring holds (4096) all arrive, drained every chunk, from a set and from a
 * performance script's `noteOn(..., { midiOut })`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseMidi } from "midi-file";
import { PROJECT_ROOT } from "../ffi/build.ts";
import { renderSet } from "../runners/render_set.ts";
import { runPerformance } from "../runners/performance.ts";
import { encodeMidiOut } from "./smf_out.ts";

async function withSet<T>(body: string, fn: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    const live = new URL(`file://${join(PROJECT_ROOT, "lib", "live", "mod.ts")}`).href;
    const file = join(dir, "set.ts");
    await Deno.writeTextFile(
      file,
      `import { defineSet, note, s } from "${live}";\nexport default defineSet((set) => {\n${body}\n});\n`,
    );
    return await fn(file, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("render --midi-out: .midi() notes as a MIDI file, a track per output, on their beats", async () => {
  await withSet(
    `  set.tempo(90);\n  set.play("lead", note("c4 [e4 g4]").midi("lead").midichan(5));\n` +
      `  set.play("bass", note("c2").midi("bass").velocity(0.5));\n  set.play("drums", s("bd*2"));`,
    async (file, dir) => {
      const mid = join(dir, "out.mid");
      const r = await renderSet(file, { out: join(dir, "out.wav"), cycles: 2, midiOut: mid });
      assert.ok(r.peakDb > -40, "the drums still render");
      const data = parseMidi(await Deno.readFile(mid));
      assert.equal(data.header.ticksPerBeat, 960);
      const names = data.tracks.map((t) =>
        (t.find((e) => e.type === "trackName") as { text: string }).text
      );
      assert.deepEqual(names, ["tempo", "lead", "bass"]);
      const tempo = data.tracks[0]!.find((e) => e.type === "setTempo") as {
        microsecondsPerBeat: number;
      };
      assert.equal(tempo.microsecondsPerBeat, Math.round(6e7 / 90));
      const notes = (track: number) => {
        let t = 0;
        return data.tracks[track]!.flatMap((e) => {
          t += e.deltaTime;
          return e.type === "noteOn" || e.type === "noteOff"
            ? [[t, e.type, e.channel, e.noteNumber, e.velocity]]
            : [];
        });
      };
      // a cycle = 4 beats = 3840 ticks: c4 for 2 beats, e4 and g4 a beat each
      const lead: unknown[] = [];
      for (const c of [0, 3840]) {
        lead.push([c, "noteOn", 4, 60, 114], [c + 1920, "noteOff", 4, 60, 0]);
        lead.push([c + 1920, "noteOn", 4, 64, 114], [c + 2880, "noteOff", 4, 64, 0]);
        lead.push([c + 2880, "noteOn", 4, 67, 114], [c + 3840, "noteOff", 4, 67, 0]);
      }
      const order = (x: unknown[]) =>
        [...x].sort((a, b) => {
          const [ta, ka] = a as [number, string], [tb, kb] = b as [number, string];
          return ta - tb || (ka === kb ? 0 : ka === "noteOff" ? -1 : 1);
        });
      assert.deepEqual(order(notes(1)), order(lead));
      assert.deepEqual(notes(2).map((n) => n[4]), [64, 0, 64, 0]); // 0.5 * 127, rounded
    },
  );
});

Deno.test("render: more .midi() messages than a capture ring holds all reach the file", async () => {
  await withSet(
    `  set.tempo(120);\n  set.play("fast", note("c4*64").midi());`,
    async (file, dir) => {
      const mid = join(dir, "out.mid");
      await renderSet(file, { out: join(dir, "out.wav"), cycles: 40, midiOut: mid });
      const data = parseMidi(await Deno.readFile(mid));
      const ons = data.tracks[1]!.filter((e) => e.type === "noteOn").length;
      const offs = data.tracks[1]!.filter((e) => e.type === "noteOff").length;
      assert.equal(ons, 64 * 40);
      assert.equal(offs, 64 * 40);
    },
  );
});

Deno.test("encodeMidiOut: channel messages of every kind, real-time ones left out", () => {
  const bytes = encodeMidiOut(
    new Map([["o", [
      { frame: 0, bytes: [0xfa] },
      { frame: 0, bytes: [0xc1, 7] },
      { frame: 24000, bytes: [0xb1, 74, 64] },
      { frame: 24000, bytes: [0xf8] },
      { frame: 48000, bytes: [0xe1, 0, 64] },
      { frame: 48000, bytes: [0xd1, 99] },
    ]]]),
    (f) => f / 24000,
    () => 120,
  );
  const t = parseMidi(bytes).tracks[1]!.filter((e) => !("meta" in e && e.meta));
  assert.deepEqual(t.map((e) => [e.deltaTime, e.type]), [
    [0, "programChange"],
    [960, "controller"],
    [960, "pitchBend"],
    [0, "channelAftertouch"],
  ]);
});

Deno.test("a performance script's noteOn(..., { midiOut }) renders into the MIDI file, all 6000 notes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = join(dir, "piece.ts");
    await Deno.writeTextFile(
      script,
      `export default async function (ctx) {\n` +
        `  ctx.clock.setTempo(120);\n  const piano = ctx.sampler.createInstrument("p");\n` +
        `  for (let i = 0; i < 6000; i++) {\n` +
        `    piano.noteOn(60 + (i % 12), 100, { at: { beats: i / 64 }, midiOut: "keys", channel: 3 });\n` +
        `    piano.noteOff(60 + (i % 12), { at: { beats: (i + 1) / 64 }, midiOut: "keys", channel: 3 });\n` +
        `  }\n}\n`,
    );
    const mid = join(dir, "out.mid");
    await runPerformance(script, { out: join(dir, "out.wav"), seconds: 60, midiOut: mid });
    const data = parseMidi(await Deno.readFile(mid));
    const track = data.tracks[1]!;
    assert.equal((track[0] as { text: string }).text, "keys");
    const ons = track.filter((e) => e.type === "noteOn");
    assert.equal(ons.length, 6000);
    assert.ok(ons.every((e) => (e as { channel: number }).channel === 3));
    assert.equal(track.filter((e) => e.type === "noteOff").length, 6000);
    let t = 0, last = -1;
    for (const e of track) {
      t += e.deltaTime;
      if (e.type === "noteOn") {
        assert.equal(t - last, last < 0 ? t - last : 15); // 960 / 64 ticks apart
        last = t;
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
