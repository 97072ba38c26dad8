/**
 * `deno task render` end to end: reproducible bytes, seeds, the summary line,
 * and typed errors on the CLI.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ensureLibrary } from "../lib/ffi/build.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RENDER = `${ROOT}/scripts/render.ts`;
const PERMS = ["--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-run"];

async function render(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMS, "--config", `${ROOT}/deno.json`, RENDER, ...args],
    cwd: ROOT,
    env: { MS_ENGINE_LIB: ensureLibrary() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function renderBytes(script: string, args: string[], name = "out.wav"): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir();
  try {
    const r = await render([script, `${dir}/${name}`, ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^rendered \d+\.\d\d s to .+: peak (-?\d+\.\d dBFS|silent), \d+ voices peak, [\d.]+x real time/,
    );
    return await Deno.readFile(`${dir}/${name}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

Deno.test("render examples/hello.ts twice gives byte-identical files", async () => {
  const a = await renderBytes("examples/hello.ts", ["--seconds", "3"]);
  const b = await renderBytes("examples/hello.ts", ["--seconds", "3"]);
  assert.equal(a.length, 44 + 3 * 48000 * 2 * 3); // 24-bit stereo by default
  assert.ok(same(a, b), "two renders differ");
});

Deno.test("render options: FLAC, 16-bit, other rate, reproducible too", async () => {
  const args = ["--seconds", "2", "--rate", "44100", "--bits", "16"];
  const a = await renderBytes("examples/hello.ts", args, "a.flac");
  const b = await renderBytes("examples/hello.ts", args, "a.flac");
  assert.equal(new TextDecoder().decode(a.subarray(0, 4)), "fLaC");
  assert.ok(same(a, b));
});

Deno.test("examples/generative.ts: same seed same bytes, another seed other bytes", async () => {
  const one = await renderBytes("examples/generative.ts", ["--seconds", "4", "--seed", "1"]);
  const again = await renderBytes("examples/generative.ts", ["--seconds", "4", "--seed", "1"]);
  const two = await renderBytes("examples/generative.ts", ["--seconds", "4", "--seed", "2"]);
  assert.ok(same(one, again), "same seed rendered differently");
  assert.ok(!same(one, two), "another seed rendered the same bytes");
});

Deno.test("render CLI: typed error and hint for a missing script, usage errors exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await render(["examples/no_such_script.ts", `${dir}/x.wav`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Cannot load performance ".*no_such_script\.ts": /);
    assert.match(r.stderr, /\nhint: /);
    const u = await render(["examples/hello.ts"]);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /Usage: deno task render/);
    const b = await render(["examples/hello.ts", `${dir}/x.wav`, "--bits", "12"]);
    assert.equal(b.code, 2);
    const f = await render([
      "examples/hello.ts",
      `${dir}/x.flac`,
      "--bits",
      "32f",
      "--seconds",
      "1",
    ]);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /^error: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
