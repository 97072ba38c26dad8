/**
 * Generated sample packs for tests: sines of chosen frequencies written as
 * 16-bit WAV files, so a render's pitch tells which file played.
 *
 * @module
 */
import { join } from "node:path";
import { wavHeader } from "../lib/util/wav.ts";

/** A mono 16-bit WAV of a sine (frequency 0: silence), `seconds` long. */
export function sineWav(hz: number, seconds = 0.25, rate = 48000): Uint8Array {
  const n = Math.round(seconds * rate);
  const bytes = new Uint8Array(44 + 2 * n);
  const v = new DataView(bytes.buffer);
  bytes.set(wavHeader(2 * n, { channels: 1, rate, bits: 16 }));
  for (let i = 0; i < n; i++) {
    v.setInt16(44 + 2 * i, Math.round(16000 * Math.sin(2 * Math.PI * hz * i / rate)), true);
  }
  return bytes;
}

/**
 * Write files under dir: relative path -> a sine's frequency (0.25 s), or
 * [frequency, seconds], or text for other files.
 */
export function writeTree(
  dir: string,
  files: Record<string, number | [number, number] | string>,
): void {
  for (const [rel, what] of Object.entries(files)) {
    const path = join(dir, rel);
    Deno.mkdirSync(join(path, ".."), { recursive: true });
    if (typeof what === "number") Deno.writeFileSync(path, sineWav(what));
    else if (Array.isArray(what)) Deno.writeFileSync(path, sineWav(what[0], what[1]));
    else Deno.writeTextFileSync(path, what);
  }
}
