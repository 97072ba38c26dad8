/**
 * Sample paths that match their files only when letter case is ignored:
 * resolved per component (directories and file), exact matches preferred,
 * absent files still reported missing, and one warning per instrument from
 * readDefinition however many zones are affected.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { InstrumentDefinitionError } from "../errors.ts";
import { readDefinition } from "./load.ts";
import { resolveSamplePaths } from "./sample_path.ts";

function tree(files: string[]): string {
  const dir = Deno.makeTempDirSync({ prefix: "ms_case_" });
  for (const f of files) {
    const path = join(dir, f);
    Deno.mkdirSync(join(path, ".."), { recursive: true });
    Deno.writeTextFileSync(path, "");
  }
  return dir;
}

Deno.test("sample paths: each missing component is matched ignoring case; exact names win", () => {
  const dir = tree(["Samples/Piano/C4 Soft.WAV", "Samples/Piano/c4.wav", "Samples/Piano/C4.wav"]);
  const r = resolveSamplePaths(dir, [
    "samples/PIANO/c4 soft.wav", // three components differ
    "Samples/Piano/c4.wav", // exact, though C4.wav exists too
    "SAMPLES/piano/C4.wav", // directories differ, file exact
    "samples/piano/none.wav", // absent: the exact path comes back
  ]);
  assert.deepEqual(r.paths, [
    join(dir, "Samples/Piano/C4 Soft.WAV"),
    join(dir, "Samples/Piano/c4.wav"),
    join(dir, "Samples/Piano/C4.wav"),
    join(dir, "samples/piano/none.wav"),
  ]);
  assert.deepEqual(r.byCase, [
    { written: "samples/PIANO/c4 soft.wav", found: "Samples/Piano/C4 Soft.WAV" },
    { written: "SAMPLES/piano/C4.wav", found: "Samples/Piano/C4.wav" },
  ]);
});

Deno.test("sample paths: an SFZ with case-mismatched paths loads, reported once for the instrument", async () => {
  const dir = tree(["Data/Kick.WAV", "Data/Snare.wav"]);
  Deno.writeTextFileSync(
    join(dir, "kit.sfz"),
    `<region> sample=data\\kick.wav key=36
<region> sample=data\\kick.wav key=35
<region> sample=DATA/snare.WAV key=38
<region> sample=Data/Snare.wav key=40`,
  );
  const warnings: string[] = [];
  const r = await readDefinition(join(dir, "kit.sfz"), { onWarning: (w) => warnings.push(w) });
  assert.deepEqual(r.samplePaths, [
    join(dir, "Data/Kick.WAV"),
    join(dir, "Data/Kick.WAV"),
    join(dir, "Data/Snare.wav"),
    join(dir, "Data/Snare.wav"),
  ]);
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(
    warnings[0]!,
    /kit\.sfz: 2 sample paths match their files only when letter case is ignored \(first: "data\/kick\.wav" is "Data\/Kick\.WAV"\): using the files found$/,
  );
  assert.deepEqual(r.warnings, warnings);

  // a file that is absent in any case is still an error naming it
  Deno.writeTextFileSync(join(dir, "bad.sfz"), "<region> sample=data/hat.wav key=42");
  await assert.rejects(
    () => readDefinition(join(dir, "bad.sfz")),
    (err: unknown) =>
      err instanceof InstrumentDefinitionError &&
      /"data\/hat\.wav" has no file at/.test(err.message),
  );
});
