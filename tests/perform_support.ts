/**
 * What tests/perform_test.ts and tests/perform_live_test.ts share.
 *
 * @module
 */
export { join } from "node:path";
export { pathToFileURL } from "node:url";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { renderSet } from "../lib/runners/render_set.ts";
import { readWavF32 } from "./audio_analysis.ts";
export * from "../lib/live/mod.ts";
export { renderSet } from "../lib/runners/render_set.ts";
export { evaluateSet as evaluateSetForTest } from "../lib/live/set.ts";

/** A file URL of an absolute path, as text. */
export function toFileUrl(path: string): string {
  return pathToFileURL(path).href;
}

/** Run `fn` with a new temporary directory, removed afterwards (also when `fn` throws). */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Render a set body (`set.play(...)` lines) at 120 bpm (0.5 cps, a cycle is
 * 2 s) for `cycles` cycles into a 32-bit float WAV in a temporary folder.
 *
 * @param stems a folder for `--stems` (one file per orbit that sounds)
 * @returns the interleaved stereo samples, the file's bytes, the warnings and the stem files
 */
export async function renderSetBody(
  body: string,
  cycles: number,
  stems?: string,
): Promise<
  { audio: Float32Array; bytes: Uint8Array; warnings: string[]; stems?: Record<number, string> }
> {
  const live = toFileUrl(join(PROJECT_ROOT, "lib", "live", "mod.ts"));
  return await withTempDir(async (dir) => {
    const file = join(dir, "set.ts");
    await Deno.writeTextFile(
      file,
      `import { defineSet, note, s } from "${live}";\nexport default defineSet((set) => {\n  set.tempo(120);\n${body}\n});\n`,
    );
    const warnings: string[] = [];
    const out = join(dir, "out.wav");
    const r = await renderSet(file, {
      out,
      cycles,
      bits: "32f",
      onWarning: (w) => warnings.push(w),
      ...(stems ? { stems } : {}),
    });
    const bytes = await Deno.readFile(out);
    const st = (r as { stems?: Record<number, string> }).stems;
    return { audio: readWavF32(bytes), bytes, warnings, ...(st ? { stems: st } : {}) };
  });
}
