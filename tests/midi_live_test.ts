/**
 * MIDI input end to end: JACK MIDI from jack_midiseq into the engine's
 * "midi_in" port on our own JACK dummy server (the notes sound, mapped as
 * declared, on their frames: recorded with sampler.record and analysed),
 * raw MIDI through a FIFO with a JavaScript onNote handler, and the ALSA
 * sequencer (which cannot open here: no /dev/snd/seq; that test is ignored
 * with the reason, and the error it gives is checked).
 * The input-latency distribution is reported, never asserted (the VM has
 * host stalls of several ms).
 */
import assert from "node:assert/strict";
import { readWavF32, risingCrossingHz, twoSineInstruments } from "./audio_analysis.ts";
import { hasCommand, startJackDummy } from "../scripts/live_support.ts";
import { DeviceError } from "../lib/errors.ts";

const RATE = 48000;
const HAS_JACK = ["jackd", "jack_wait", "jack_midiseq", "jack_connect", "jack_lsp"].every(
  hasCommand,
);
const HAS_SEQ = (() => {
  try {
    Deno.statSync("/dev/snd/seq");
    return true;
  } catch {
    return false;
  }
})();

/** Onsets: frames where the left channel rises above 0.01 after 1000 quiet frames. */
function onsets(x: Float32Array): number[] {
  const out: number[] = [];
  let quiet = 1000;
  for (let i = 0; i < x.length / 2; i++) {
    if (Math.abs(x[2 * i]!) > 0.01) {
      if (quiet >= 1000) out.push(i);
      quiet = 0;
    } else quiet++;
  }
  return out;
}

const freq = (audio: Float32Array, from: number, to: number) =>
  risingCrossingHz(audio, from, to, RATE);

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name:
    `JACK MIDI: jack_midiseq notes sound transposed into the mapped instruments on their frames${
      HAS_JACK ? "" : " (skipped: jackd2 tools not installed)"
    }`,
  ignore: !HAS_JACK,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using server = await startJackDummy({ periodFrames: 128, prefix: "ms-midi" });
    const before = Deno.env.get("JACK_DEFAULT_SERVER");
    Deno.env.set("JACK_DEFAULT_SERVER", server.name);
    const dir = await Deno.makeTempDir();
    let seq: Deno.ChildProcess | undefined;
    try {
      using sampler = twoSineInstruments(RATE);
      // key 60 -> "b" + 9 = 69 (880 Hz); key 63 -> "a" + 6 = 69 (440 Hz)
      sampler.midi.setMap({
        layers: [
          { instrument: "b", keys: [0, 61], transpose: 9 },
          { instrument: "a", keys: [62, 127], transpose: 6 },
        ],
      });
      const client = `ms-midi-e2e-${Deno.pid}`;
      using out = sampler.startOutput({
        backend: "jack",
        device: client,
        midiIn: true,
        connect: false,
      });
      const rec = sampler.record(`${dir}/take.wav`, { bits: "32f" });
      seq = new Deno.Command("jack_midiseq", {
        args: ["Sequencer", "24000", "0", "60", "8000", "12000", "63", "8000"],
        env: { JACK_DEFAULT_SERVER: server.name },
        stdout: "null",
        stderr: "null",
      }).spawn();
      let connected = false;
      for (let i = 0; i < 100 && !connected; i++) {
        await delay(50);
        const c = await new Deno.Command("jack_connect", {
          args: ["Sequencer:out", `${client}:midi_in`],
          env: { JACK_DEFAULT_SERVER: server.name },
          stdout: "null",
          stderr: "null",
        }).output();
        connected = c.success;
      }
      assert.ok(connected, "jack_connect Sequencer:out -> midi_in failed for 5 s");
      // 2.5 s of recorded audio (5 sequencer loops), however slowly a loaded VM gets there
      const start = rec.frames;
      for (let i = 0; i < 300 && rec.frames - start < 120000; i++) await delay(50);
      rec.stop();
      const stats = sampler.midi.stats();
      const info = out.info;
      const audio = readWavF32(await Deno.readFile(`${dir}/take.wav`));
      const on = onsets(audio);
      assert.ok(on.length >= 4, `only ${on.length} onsets in ${audio.length / 2} frames`);
      const gaps = on.slice(1).map((f, i) => f - on[i]!);
      const exact = gaps.filter((g) => Math.abs(g - 12000) <= 1).length;
      // JACK places each event on its frame: the sequencer's 12000-frame spacing comes out
      // exactly, unless xruns of the dummy server dropped cycles in between: then a gap is short
      // by whole periods, and no more gaps are off than there were xruns
      const period = info.periodFrames;
      for (const g of gaps) {
        const d = 12000 - g;
        assert.ok(
          Math.abs(d - Math.round(d / period) * period) <= 1,
          `gap ${g} is not 12000 less whole ${period}-frame cycles (gaps ${gaps.join(", ")})`,
        );
      }
      const xruns = sampler.stats().xruns;
      assert.ok(
        gaps.length - exact <= Math.max(1, xruns),
        `${gaps.length - exact} gaps off with ${xruns} xruns (gaps ${gaps.join(", ")})`,
      );
      const pitches = on.slice(0, -1).map((f) => Math.round(freq(audio, f + 200, f + 7000)));
      for (const p of pitches) {
        assert.ok(Math.abs(p - 880) <= 2 || Math.abs(p - 440) <= 2, `${p} Hz`);
      }
      for (let i = 1; i < pitches.length; i++) {
        assert.notEqual(Math.abs(pitches[i]! - pitches[i - 1]!) <= 2, true, "60 and 63 alternate");
      }
      assert.ok(stats.messages >= 4 && stats.latency.count >= 4, JSON.stringify(stats.latency));
      console.log(
        `    JACK MIDI input latency (arrival to rendering, ${stats.latency.count} messages, period ${server.periodFrames}): ` +
          `p50 ${(stats.latency.p50Ns / 1e6).toFixed(2)} ms, p99 ${
            (stats.latency.p99Ns / 1e6).toFixed(2)
          } ms, max ${(stats.latency.maxNs / 1e6).toFixed(2)} ms, mean ${
            (stats.latency.meanNs / 1e6).toFixed(2)
          } ms; + output ${info.latencyMs.toFixed(2)} ms; xruns ${sampler.stats().xruns}`,
      );
    } finally {
      try {
        seq?.kill("SIGTERM");
        await seq?.status;
      } catch {
        // already gone
      }
      if (before === undefined) Deno.env.delete("JACK_DEFAULT_SERVER");
      else Deno.env.set("JACK_DEFAULT_SERVER", before);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "raw MIDI through a FIFO: the map plays it, onNote sees it",
  ignore: !hasCommand("mkfifo"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const fifo = `${dir}/midi.fifo`;
      assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
      using sampler = twoSineInstruments(RATE);
      sampler.midi.setMap({ layers: [{ instrument: "b", transpose: 12 }] });
      using _input = sampler.midi.openInput({ raw: fifo });
      const notes: { note: number; on: boolean; channel: number }[] = [];
      const remove = sampler.midi.onNote((n) => notes.push(n));
      const w = await Deno.open(fifo, { write: true });
      await w.write(new Uint8Array([0x93, 57, 100])); // channel 4
      let audio = new Float32Array(0);
      for (let i = 0; i < 400 && (notes.length === 0 || sampler.stats().voicesActive === 0); i++) {
        await delay(5);
        audio = sampler.process(256);
      }
      assert.deepEqual(notes.map(({ note, on, channel }) => ({ note, on, channel })), [
        { note: 57, on: true, channel: 4 },
      ]);
      audio = sampler.process(4800);
      assert.ok(Math.abs(freq(audio, 100, 4800) - 880) < 2, "57 + 12 on 'b'");
      await w.write(new Uint8Array([57, 0])); // running status, velocity 0
      for (let i = 0; i < 400 && notes.length < 2; i++) {
        await delay(5);
        sampler.process(256);
      }
      assert.equal(notes[1]?.on, false);
      w.close();
      remove();
      const s = sampler.midi.stats();
      assert.equal(s.messages, 2);
      assert.equal(s.latency.count, 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `ALSA sequencer: port midi-sampler:in${
    HAS_SEQ
      ? ""
      : " (skipped: /dev/snd/seq does not exist here: no sound hardware or snd-seq module)"
  }`,
  ignore: !HAS_SEQ,
  fn() {
    using sampler = twoSineInstruments(RATE);
    using input = sampler.midi.openInput({ alsaSeq: true });
    assert.ok(input.open);
  },
});

Deno.test({
  name: "ALSA sequencer without /dev/snd/seq: a DeviceError that says so",
  ignore: HAS_SEQ,
  fn() {
    using sampler = twoSineInstruments(RATE);
    assert.throws(
      () => sampler.midi.openInput({ alsaSeq: true, connect: "20:0" }),
      (e: unknown) =>
        e instanceof DeviceError && e.message.startsWith("Cannot open the ALSA sequencer: ") &&
        e.message.includes("/dev/snd/seq"),
    );
  },
});
