/**
 * The reload storm (issue 17): a live `perform --record` of a `.strudel`
 * file on a JACK dummy server of our own, while the file is saved over and
 * over with good edits, syntax errors, parts that throw when queried, parts
 * added and removed, and new sample packs (folders of tiny generated WAVs).
 * Used by tests/reload_storm_live_test.ts (a short run in CI, the full 100
 * saves in 60 s with `MS_LONG=1`).
 *
 * What "no dropped frame, no gap" means here, precisely:
 * - the recording's WAV holds exactly as many frames as the engine rendered
 *   while recording (perform's summary line names both) and the recorder
 *   dropped none;
 * - a part that never changes ("steady", a sine blip four times a cycle,
 *   hard left) plays throughout: the recording's left channel equals, frame
 *   for frame, an offline render of the steady part alone (every other part
 *   is hard right and dry, so nothing else reaches the left channel), within
 *   the 24-bit recording's rounding. A frame lost, repeated or shifted, a
 *   note late or missing, or a failed reload that stopped the music would
 *   each show there.
 *
 * Every save waits for its reload line before the next one, so each
 * save's outcome is checked: a good save gives `reload v<n>` with the parts
 * added and removed as planned, a bad one `reload failed, still playing
 * v<n-1>: <file>:<line>:<column>: ...` naming the broken line.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readMidiNotes } from "../lib/live/midi_record.ts";
import { renderSet } from "../lib/runners/render_set.ts";
import { startJackDummy } from "../scripts/live_support.ts";
import { mulberry32 } from "../scripts/make_samples.ts";
import { readWavF32, wavChunks } from "./audio_analysis.ts";
import { lineReader, spawnPerform } from "./perform_live_support.ts";
import { writeTree } from "./sample_fixtures.ts";

/** 0.5 cycles a second: a cycle is 2 s = 96000 frames at 48 kHz. */
const HEAD = "setcps(0.5)";
const STEADY = `steady: note("c5*4").s("sine").decay(.05).sustain(0).gain(.3).pan(0)`;

/** What a save does. */
export type SaveKind = "edit" | "syntax" | "throw" | "pack";

/** One planned save: the file's text and what perform must answer. */
export interface Save {
  kind: SaveKind;
  text: string;
  /** Parts of the file (good saves). */
  parts: string[];
  /** For a bad save: the 1-based line the error must name. */
  badLine?: number;
  /** For a pack save: the pack folder to create before saving. */
  pack?: { dir: string; sound: string };
}

/**
 * Right-hand parts a good edit picks from (all hard right, dry), quiet enough
 * together that the output never reaches the master limiter's knee (-1 dBFS):
 * the limiter is linked across channels and would touch the left one too.
 */
const POOL: ((r: () => number) => string)[] = [
  (r) =>
    `bass: note("c2 <g2 eb2>").s("sawtooth").lpf(${400 + Math.floor(r() * 2000)}).gain(.3).pan(1)`,
  // not the drums' hh: its zone pans it left of centre, so some reaches the left channel
  (r) =>
    `ticks: note("a6*${[4, 8, 16][Math.floor(r() * 3)]}").s("square").decay(.02).sustain(0)` +
    `.gain(.${1 + Math.floor(r() * 3)}).pan(1)`,
  (r) => `keys: note("<c4 e4> [g4 b4]").s("triangle").crush(${4 + Math.floor(r() * 8)}).pan(1)`,
  (r) => `kick: s("bd ~ bd ~").speed(${(0.8 + r() * 0.4).toFixed(2)}).gain(.25).pan(1)`,
  (r) =>
    `lead: n("0 2 4 <7 9>").scale("C4:minor").s("square").gain(.2).shape(.${
      Math.floor(r() * 5)
    }).pan(1)`,
  (r) => `snare: s("~ sd").gain(.${1 + Math.floor(r() * 2)}).pan(1)`,
];

/**
 * The saves of a storm: `count` of them, about a tenth syntax errors, a
 * tenth query-time throws, a tenth new sample packs, the rest edits that add,
 * change and remove parts.
 *
 * @param count Saves.
 * @param seed Seed of the plan.
 * @returns The saves; a pack save names the folder (beside the set) to make first.
 */
export function planStorm(count: number, seed = 17): Save[] {
  const r = mulberry32(seed);
  const saves: Save[] = [];
  const packs: { dir: string; sound: string }[] = [];
  let good: string[] = []; // the last good version's right-hand part lines
  const compose = (lines: string[], extra: string[] = []) => {
    const head = [HEAD, ...packs.map((p) => `samples('./${p.dir}')`), STEADY];
    return { head, text: [...head, ...lines, ...extra].join("\n") + "\n" };
  };
  for (let i = 0; i < count; i++) {
    const roll = r();
    // the first save is an edit, so every kind of failure has a version to keep
    const kind: SaveKind = i === 0
      ? "edit"
      : roll < 0.1
      ? "syntax"
      : roll < 0.2
      ? "throw"
      : roll < 0.3
      ? "pack"
      : "edit";
    if (kind === "edit") {
      // each pool part in with probability 1/2, pack parts kept with 1/2: adds and removes
      const lines = POOL.filter(() => r() < 0.5).map((f) => f(r));
      for (const p of packs) if (r() < 0.5) lines.push(packPart(p.sound, r));
      if (lines.length === 0) lines.push(POOL[0]!(r));
      good = lines;
      saves.push({ kind, text: compose(lines).text, parts: ["steady", ...names(lines)] });
    } else if (kind === "pack") {
      const pack = { dir: `pack${packs.length + 1}`, sound: `kk${packs.length + 1}` };
      packs.push(pack);
      const lines = [...good, packPart(pack.sound, r)];
      good = lines;
      saves.push({ kind, text: compose(lines).text, parts: ["steady", ...names(lines)], pack });
    } else {
      const bad = kind === "syntax"
        ? `broken: s("bd*2")).gain(.5).pan(1)` // one parenthesis too many
        : `boom: s("bd*2").fmap((v) => { if (v) throw new Error('boom at query'); return v }).pan(1)`;
      const { head } = compose(good);
      // the bad line goes among the good ones, at a random place after the steady part
      const at = Math.floor(r() * (good.length + 1));
      const lines = [...good.slice(0, at), bad, ...good.slice(at)];
      saves.push({
        kind,
        text: compose(lines).text,
        parts: [],
        badLine: head.length + at + 1,
      });
    }
  }
  return saves;
}

function packPart(sound: string, r: () => number): string {
  return `${sound}: s("${sound}*${[2, 4][Math.floor(r() * 2)]}").n("<0 1>").gain(.2).pan(1)`;
}

function names(lines: string[]): string[] {
  return lines.map((l) => l.slice(0, l.indexOf(":")));
}

/** What a storm measured. */
export interface StormResult {
  saves: number;
  seconds: number;
  goodSaves: number;
  failedSaves: number;
  packs: number;
  /** Frames in the recorded WAV. */
  wavFrames: number;
  /** Frames the engine rendered while recording, and those the recorder dropped (perform's summary). */
  renderedFrames: number;
  droppedFrames: number;
  /** Steady blips found in the recording at their frames (every 24000 frames). */
  steadyOnsets: number;
  /** Largest |recorded - offline| on the left channel. */
  maxLeftError: number;
  /** Peak of the right channel (the storm's parts), full scale 1. */
  rightPeak: number;
  rssWarmKiB: number;
  rssEndKiB: number;
  rssMaxKiB: number;
  /** RSS after each save. */
  rssKiB: number[];
  fdWarm: number;
  fdEnd: number;
  late: number;
  xruns: number;
  summary: string;
}

/** RSS (KiB) and open file descriptors of a process, read by `sh` (Deno asks --allow-all for /proc). */
function procFigures(pid: number): { rssKiB: number; fds: number } {
  const r = new Deno.Command("sh", {
    args: ["-c", `grep '^VmRSS:' /proc/${pid}/status; ls /proc/${pid}/fd | wc -l`],
  }).outputSync();
  const text = new TextDecoder().decode(r.stdout);
  const m = /^VmRSS:\s+(\d+) kB\n(\d+)/m.exec(text);
  if (!r.success || !m) throw new Error(`cannot read /proc/${pid}: ${text}`);
  return { rssKiB: Number(m[1]), fds: Number(m[2]) };
}

/** Interleaved stereo float samples of a 24-bit PCM WAV (what perform records). */
export function readWav24(bytes: Uint8Array): Float32Array {
  for (const { id, at, size, view } of wavChunks(bytes)) {
    if (id === "fmt ") assert.equal(view.getUint16(at + 14, true), 24, "a 24-bit recording");
    if (id === "data") {
      const n = Math.floor(Math.min(size, bytes.length - at) / 3);
      const out = new Float32Array(n);
      for (let i = 0, q = at; i < n; i++, q += 3) {
        const v = bytes[q]! | (bytes[q + 1]! << 8) | (bytes[q + 2]! << 16);
        out[i] = ((v << 8) >> 8) / 8388608;
      }
      return out;
    }
  }
  throw new Error("no data chunk");
}

/**
 * Run a storm: `saves` saves spread over about `seconds` seconds (a save
 * waits for the previous one's reload line, so a slow machine stretches it).
 *
 * @param dir An empty temporary folder.
 */
export async function runStorm(dir: string, saves: number, seconds: number): Promise<StormResult> {
  await using jack = await startJackDummy({ periodFrames: 256, prefix: "storm" });
  const plan = planStorm(saves);
  const file = join(dir, "storm.strudel");
  const wav = join(dir, "take.wav");
  await Deno.writeTextFile(file, [HEAD, STEADY].join("\n") + "\n");
  // a look-ahead longer than a reload takes on a busy machine: the notes are queued
  // ahead, so a reload's work on the JavaScript thread is never heard
  const mid = join(dir, "take.mid");
  const child = spawnPerform(file, jack.name, [
    "--record",
    wav,
    "--record-midi",
    mid,
    "--lookahead-ms",
    "500",
  ]);
  const out = lineReader(child.stdout);
  const err = new Response(child.stderr).text();
  const reloadLines = () => out.lines.filter((l) => /^reload (v\d+|failed)/.test(l));
  let version = 1;
  let rssWarm = 0, fdWarm = 0, rssMax = 0;
  const rssSeries: number[] = [];
  let lastGood = { parts: ["steady"], swapCycle: 0 };
  let t0 = performance.now();
  const warmAt = Math.floor(saves / 3);
  try {
    await out.waitFor(/^loaded v1 .*added steady/, 60000);
    t0 = performance.now();
    for (let i = 0; i < plan.length; i++) {
      const s = plan[i]!;
      const due = t0 + (i * seconds * 1000) / plan.length;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (s.pack) {
        writeTree(join(dir, s.pack.dir), {
          [`${s.pack.sound}/a.wav`]: [220 * (1 + (i % 5)), 0.03],
          [`${s.pack.sound}/b.wav`]: [330 * (1 + (i % 4)), 0.03],
        });
      }
      await Deno.writeTextFile(file, s.text);
      const lines = await waitForCount(out, reloadLines, i + 1);
      const line = lines[i]!;
      if (s.kind === "syntax" || s.kind === "throw") {
        const what = s.kind === "syntax" ? "SyntaxError" : "PartQueryError";
        assert.match(
          line,
          new RegExp(
            `^reload failed, still playing v${version}: .*storm\\.strudel:${s.badLine}:\\d+: ${what}`,
          ),
          `save ${i + 1} (${s.kind})`,
        );
      } else {
        version++;
        assert.match(line, new RegExp(`^reload v${version} `), `save ${i + 1} (${s.kind})`);
        // a reload is told against what plays at its swap and what is pending for it, so
        // only this is certain: what it adds or replaces is in it, what it removes is not
        const listed = (what: string) =>
          (new RegExp(`${what} ([^;]+)`).exec(line)?.[1] ?? "").split(", ").filter(Boolean);
        for (const p of [...listed("added"), ...listed("replaced")]) {
          assert.ok(s.parts.includes(p), `${p} in save ${i + 1}: ${line}`);
        }
        for (const p of listed("removed")) {
          assert.ok(!s.parts.includes(p), `${p} removed in save ${i + 1}: ${line}`);
        }
        assert.doesNotMatch(line, /\bsteady\b/);
        lastGood = { parts: s.parts, swapCycle: Number(/ at cycle (\d+)/.exec(line)![1]) };
        if (s.pack) assert.match(line, new RegExp(`loaded .*${s.pack.dir}/`));
      }
      const now = procFigures(child.pid);
      rssMax = Math.max(rssMax, now.rssKiB);
      rssSeries.push(now.rssKiB);
      if (i === warmAt) {
        rssWarm = now.rssKiB;
        fdWarm = now.fds;
      }
    }
    // two more cycles: the last version plays a whole cycle after its swap
    await new Promise((r) => setTimeout(r, 4500));
  } catch (e) {
    try {
      child.kill("SIGINT");
    } catch {
      // already ended
    }
    await child.status;
    throw new Error(`${e}\nstdout:\n${out.lines.join("\n")}\nstderr:\n${await err}`);
  }
  const { rssKiB: rssEnd, fds: fdEnd } = procFigures(child.pid);
  const elapsed = (performance.now() - t0) / 1000;
  child.kill("SIGINT");
  const status = await child.status;
  const stderr = await err;
  assert.equal(status.code, 130, stderr);
  const summary = await out.waitFor(/^played /);
  const m = /recorded .*take\.wav \((\d+) frames rendered, (\d+) dropped\)/.exec(summary);
  assert.ok(m, summary);
  const renderedFrames = Number(m[1]), droppedFrames = Number(m[2]);

  // the last good version plays alone from its swap: its parts, every one of them, in the
  // whole cycles from the swap to the end (a cycle is 2 s)
  const endCycle = Math.floor(renderedFrames / 96000);
  assert.ok(endCycle > lastGood.swapCycle, `ended at cycle ${endCycle}: ${summary}`);
  const { notes } = readMidiNotes(await Deno.readFile(mid));
  const heard = new Set(
    notes.filter((n) => n.beat >= 4 * lastGood.swapCycle && n.beat < 4 * endCycle).map((n) =>
      n.part
    ),
  );
  assert.deepEqual([...heard].sort(), [...lastGood.parts].sort(), "the parts of the last version");

  // the recording against the steady part alone, rendered offline
  const rec = readWav24(await Deno.readFile(wav));
  const wavFrames = rec.length / 2;
  const cycles = Math.ceil(wavFrames / 96000) + 1;
  const ref = join(dir, "steady.strudel"), refWav = join(dir, "steady.wav");
  await Deno.writeTextFile(ref, [HEAD, STEADY].join("\n") + "\n");
  await renderSet(ref, { out: refWav, cycles, bits: "32f" });
  const expected = readWavF32(await Deno.readFile(refWav));
  let maxErr = 0, firstBad = -1, peak = 0;
  for (let f = 0; f < wavFrames; f++) {
    peak = Math.max(peak, Math.abs(rec[2 * f + 1]!));
    const e = Math.abs(rec[2 * f]! - expected[2 * f]!);
    if (e > maxErr) maxErr = e;
    if (e > 1e-5 && firstBad < 0) firstBad = f;
  }
  // onsets: a blip every 24000 frames, silent in between (its 50 ms decay is over by then)
  let onsets = 0;
  for (let k = 0; k * 24000 + 2400 < wavFrames; k++) {
    let peak = 0;
    for (let f = k * 24000; f < k * 24000 + 2400; f++) peak = Math.max(peak, Math.abs(rec[2 * f]!));
    if (peak > 0.05) onsets++;
  }
  const summaryLate = Number(/(\d+) late events/.exec(summary)?.[1] ?? NaN);
  const summaryXruns = Number(/(\d+) xruns/.exec(summary)?.[1] ?? NaN);
  const result: StormResult = {
    saves: plan.length,
    seconds: elapsed,
    goodSaves: plan.filter((s) => s.kind === "edit" || s.kind === "pack").length,
    failedSaves: plan.filter((s) => s.kind === "syntax" || s.kind === "throw").length,
    packs: plan.filter((s) => s.pack).length,
    wavFrames,
    renderedFrames,
    droppedFrames,
    steadyOnsets: onsets,
    maxLeftError: maxErr,
    rightPeak: peak,
    rssWarmKiB: rssWarm,
    rssEndKiB: rssEnd,
    rssMaxKiB: rssMax,
    rssKiB: rssSeries,
    fdWarm,
    fdEnd,
    late: summaryLate,
    xruns: summaryXruns,
    summary,
  };
  if (firstBad >= 0) {
    throw new Error(
      `the steady part differs from its offline render from frame ${firstBad} ` +
        `(${(firstBad / 48000).toFixed(3)} s): ${JSON.stringify(result)}`,
    );
  }
  return result;
}

async function waitForCount(
  out: ReturnType<typeof lineReader>,
  lines: () => string[],
  n: number,
  ms = 60000,
): Promise<string[]> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const l = lines();
    if (l.length >= n) return l;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no reload line for save ${n} within ${ms} ms; got:\n${out.lines.join("\n")}`);
}
