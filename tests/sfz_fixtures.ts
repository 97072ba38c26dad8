/**
 * What the SFZ render tests share: a small SFZ kit written to a temporary
 * folder, its samples beside it.
 *
 * @module
 */
import { join } from "node:path";
import { encodeWav } from "../scripts/make_samples.ts";

/**
 * Write `sfz` as kit.sfz in a new temporary folder with its samples: a
 * Float64Array becomes a mono 48 kHz 16-bit WAV with root key 60
 * (scripts/make_samples.ts's encoder), bytes are written as they are.
 *
 * @param sfz The SFZ text.
 * @param files Sample file names (relative to the kit) and their contents.
 * @param prefix The temporary folder's name prefix.
 * @returns The path of kit.sfz.
 */
export async function sfzKit(
  sfz: string,
  files: Record<string, Uint8Array | Float64Array>,
  prefix = "ms_sfz_",
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  for (const [name, x] of Object.entries(files)) {
    await Deno.writeFile(
      join(dir, name),
      x instanceof Float64Array ? encodeWav(x, { rootKey: 60 }) : x,
    );
  }
  await Deno.writeTextFile(join(dir, "kit.sfz"), sfz);
  return join(dir, "kit.sfz");
}
