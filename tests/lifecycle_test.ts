/**
 * Lifecycle across the boundary: leaving a `using` block stops the engine and
 * frees it, so a script exits on its own (no thread keeps the process alive);
 * a render file left open is finished by the sampler's close.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ensureLibrary } from "../lib/ffi/build.ts";

const MOD = new URL("../lib/mod.ts", import.meta.url).href;
const PERMS = ["--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-run"];

/** Run a TypeScript snippet in a fresh Deno; kill it after `timeoutMs`. */
async function runSnippet(
  source: string,
  timeoutMs = 30_000,
  env: Record<string, string> = { MS_ENGINE_LIB: ensureLibrary() },
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/snippet.ts`;
  await Deno.writeTextFile(file, source);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...PERMS,
      "--config",
      fileURLToPath(new URL("../deno.json", import.meta.url)),
      file,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  await Deno.remove(dir, { recursive: true });
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    timedOut,
  };
}

Deno.test("a script with `using sampler = Sampler.open()` exits on its own", async () => {
  const r = await runSnippet(`
    import { Sampler } from ${JSON.stringify(MOD)};
    {
      using sampler = Sampler.open();
      const inst = sampler.createInstrument("x");
      inst.addZone(sampler.createSample(new Float32Array(4800).fill(0.1)));
      inst.noteOn(60, 100);
      sampler.process(4800);
      console.log("rendered", sampler.now());
    }
    console.log("left the block");
  `);
  assert.equal(r.timedOut, false, "the process did not exit by itself");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rendered 4800\nleft the block/);
});

Deno.test("leaving `using` finishes an open render file and frees the engine", async () => {
  const dir = await Deno.makeTempDir();
  const wav = `${dir}/out.wav`;
  const r = await runSnippet(`
    import { EngineStateError, Sampler } from ${JSON.stringify(MOD)};
    let keep;
    {
      using sampler = Sampler.open();
      keep = sampler;
      const file = sampler.renderToFile(${JSON.stringify(wav)}, { bits: 16 });
      file.write(4800);
    }
    try { keep.process(1); } catch (e) { console.log(e instanceof EngineStateError ? "closed" : "other"); }
  `);
  assert.equal(r.timedOut, false);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "closed");
  const bytes = await Deno.readFile(wav);
  const v = new DataView(bytes.buffer);
  assert.equal(v.getUint32(4, true), bytes.length - 8, "WAV header not finished");
  assert.equal(bytes.length, 44 + 4800 * 2 * 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a script that throws inside `using` still frees the engine and exits", async () => {
  const r = await runSnippet(`
    import { Sampler } from ${JSON.stringify(MOD)};
    {
      using sampler = Sampler.open();
      sampler.createInstrument("x").noteOn(128, 1);
    }
  `);
  assert.equal(r.timedOut, false);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /RangeError: Cannot play note on "x": note must be an integer 0\.\.127, got "128"/,
  );
});

Deno.test("a missing engine library is an EngineLibraryError that names the build command", async () => {
  const r = await runSnippet(
    `
    import { EngineLibraryError, Sampler } from ${JSON.stringify(MOD)};
    try { Sampler.open(); } catch (e) {
      console.log(e instanceof EngineLibraryError, e.code);
      console.log(e.message);
      console.log(e.hint);
    }
  `,
    30_000,
    { MS_ENGINE_LIB: "/nonexistent/libmidisampler.so" },
  );
  assert.equal(r.code, 0, r.stderr);
  const [kind, message, hint] = r.stdout.trim().split("\n");
  assert.equal(kind, "true ENGINE_LIBRARY");
  assert.match(
    message!,
    /^Cannot load the engine library: MS_ENGINE_LIB is "\/nonexistent\/libmidisampler\.so"/,
  );
  assert.match(hint!, /cmake -S engine -B build\/engine && cmake --build build\/engine -j2/);
});
