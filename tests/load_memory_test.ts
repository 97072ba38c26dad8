/**
 * Big libraries against memory (lib/instrument/memory_budget.ts): the
 * loader's estimate matches what the engine holds; a library over the
 * memory budget is refused with the numbers before anything is decoded; a
 * library over the memory-lock limit (a child process under `prlimit
 * --memlock` without CAP_IPC_LOCK, playing live on ALSA's null PCM with
 * real-time operation) loads unlocked with a warning, never a crash.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { OutOfMemoryError } from "../lib/errors.ts";
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument } from "../lib/instrument/load.ts";
import { decodedBytes, memoryFacts, planMemory } from "../lib/instrument/memory_budget.ts";
import { wavHeader } from "../lib/util/wav.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A 48 kHz stereo 24-bit WAV of `seconds` of a quiet ramp. */
function wav24(seconds: number): Uint8Array {
  const frames = Math.round(seconds * 48000), data = frames * 6;
  const out = new Uint8Array(44 + data);
  out.set(wavHeader(data, { channels: 2, rate: 48000, bits: 24 }));
  for (let i = 0; i < frames * 2; i++) out[44 + i * 3 + 1] = i & 0x3f; // small values
  return out;
}

/** An SFZ library of `files` WAVs, `seconds` each, in a new directory. */
function library(files: number, seconds: number): { dir: string; sfz: string } {
  const dir = Deno.makeTempDirSync();
  const lines: string[] = [];
  for (let i = 0; i < files; i++) {
    Deno.writeFileSync(`${dir}/s${i}.wav`, wav24(seconds));
    lines.push(`<region> sample=s${i}.wav key=${40 + i}`);
  }
  Deno.writeTextFileSync(`${dir}/lib.sfz`, lines.join("\n") + "\n");
  return { dir, sfz: `${dir}/lib.sfz` };
}

Deno.test("the loader's estimate is what the engine holds for the samples (float and int16)", async () => {
  const { dir, sfz } = library(3, 0.5);
  try {
    for (const bits of [32, 16] as const) {
      using sampler = Sampler.open({ sampleBits: bits });
      const before = sampler.stats().memoryBytes;
      await loadInstrument(sampler, sfz, { jobs: 1 });
      const held = sampler.stats().memoryBytes - before;
      const estimate = [0, 1, 2].reduce((n, i) => n + decodedBytes(`${dir}/s${i}.wav`, bits), 0);
      assert.equal(estimate, 3 * 24000 * 2 * (bits / 8));
      // the engine adds padding frames, headers and the zones' own records
      assert.ok(
        held >= estimate && held < estimate * 1.05 + 65536,
        `${bits}: ${held} vs ${estimate}`,
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a library over the memory budget is refused with the numbers, nothing decoded", async () => {
  const { dir, sfz } = library(4, 1);
  try {
    using sampler = Sampler.open({});
    const before = sampler.stats().memoryBytes;
    await assert.rejects(
      () => loadInstrument(sampler, sfz, { memoryBudget: 1_000_000 }),
      (e: unknown) => {
        assert.ok(e instanceof OutOfMemoryError, String(e));
        assert.match(
          e.message,
          /^Cannot load instrument "lib": its samples need about 1\.5 MB decoded and 1\.0 MB is free for them \(the loader's memory budget\): load it with 16-bit samples/,
        );
        return true;
      },
    );
    assert.equal(sampler.stats().memoryBytes, before);
    // with 16-bit samples it fits (0.77 MB)
    using half = Sampler.open({ sampleBits: 16 });
    const inst = await loadInstrument(half, sfz, { memoryBudget: 1_000_000 });
    assert.equal(inst.zoneCount, 4);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("MemAvailable is the default budget: a request beyond it is refused, within it not", () => {
  const facts = memoryFacts();
  assert.ok(facts.available !== undefined && facts.available > 0);
  const over = planMemory("big", facts.available! * 2, facts);
  assert.match(over.refuse!, /MemAvailable .* MB less a 268\.4 MB reserve/);
  assert.deepEqual(planMemory("small", 1e6, facts), {});
});

const CAN_DROP = (() => {
  for (const cmd of ["prlimit", "setpriv"]) {
    try {
      if (!new Deno.Command(cmd, { args: ["--version"] }).outputSync().success) return false;
    } catch {
      return false;
    }
  }
  // root (the test drops CAP_IPC_LOCK from it)
  const id = new Deno.Command("id", { args: ["-u"], stdout: "piped" }).outputSync();
  return new TextDecoder().decode(id.stdout).trim() === "0";
})();
if (!CAN_DROP) {
  console.log("load_memory_test: lock-limit child skipped: needs root, prlimit and setpriv");
}

Deno.test({
  name: "over RLIMIT_MEMLOCK without CAP_IPC_LOCK: loads unlocked with a warning, no crash",
  ignore: !CAN_DROP,
  async fn() {
    const { dir, sfz } = library(8, 2); // 8 x 0.77 MB = 6.1 MB of float samples
    try {
      const limit = 4 * 1024 * 1024;
      const deno = Deno.execPath();
      const r = await new Deno.Command("prlimit", {
        args: [
          `--memlock=${limit}:${limit}`,
          "setpriv",
          "--inh-caps=-ipc_lock",
          "--bounding-set=-ipc_lock",
          deno,
          "run",
          "--allow-all",
          "--no-check",
          `${ROOT}tests/load_memory_child.ts`,
          sfz,
        ],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(r.stdout);
      assert.equal(r.code, 0, new TextDecoder().decode(r.stderr) + text);
      const out = JSON.parse(text.trim().split("\n").at(-1)!);
      assert.equal(out.facts.lockLimit, limit);
      assert.equal(out.facts.canLockAll, false);
      assert.equal(out.error, "");
      assert.equal(out.zones, 8);
      const said = out.warnings.filter((w: string) => w.startsWith(`Cannot lock instrument "lib"`));
      assert.equal(said.length, 1, JSON.stringify(out));
      assert.match(
        said[0],
        /need about 6\.1 MB and the memory-lock limit leaves .* \(RLIMIT_MEMLOCK 4\.2 MB,/,
      );
      // the engine locked what the limit allowed and held the rest unlocked
      assert.ok(out.lockedAfter <= limit && out.memoryAfter > limit, JSON.stringify(out));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("integer PCM skips the NaN scan; a float file with NaN is still refused", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const frames = 64, out = new Uint8Array(44 + frames * 4);
    const v = new DataView(out.buffer);
    const ascii = (at: number, s: string) =>
      [...s].forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
    ascii(0, "RIFF");
    v.setUint32(4, 36 + frames * 4, true);
    ascii(8, "WAVE");
    ascii(12, "fmt ");
    v.setUint32(16, 16, true);
    v.setUint16(20, 3, true); // IEEE float
    v.setUint16(22, 1, true);
    v.setUint32(24, 48000, true);
    v.setUint32(28, 48000 * 4, true);
    v.setUint16(32, 4, true);
    v.setUint16(34, 32, true);
    ascii(36, "data");
    v.setUint32(40, frames * 4, true);
    v.setFloat32(44 + 10 * 4, NaN, true);
    Deno.writeFileSync(`${dir}/nan.wav`, out);
    Deno.writeFileSync(`${dir}/int.wav`, wav24(0.01));
    using sampler = Sampler.open({});
    assert.throws(
      () => sampler.loadSample(`${dir}/nan.wav`),
      /NaN or infinite values \(frame 10\)/,
    );
    assert.equal(sampler.loadSample(`${dir}/int.wav`).info.frames, 480);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("deno task instrument load --memory-mb: the refusal on stderr, exit code 1", async () => {
  const { dir, sfz } = library(2, 1);
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-env",
        "--allow-ffi",
        "--no-check",
        `${ROOT}scripts/instrument.ts`,
        "load",
        sfz,
        "--memory-mb",
        "0.5",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.notEqual(r.code, 0);
    assert.match(
      err,
      /Cannot load instrument "lib": its samples need about 0\.8 MB decoded and 0\.5 MB is free/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
