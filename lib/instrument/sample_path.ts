/**
 * Sample paths as libraries write them: when the exact path is missing, each
 * missing component is looked up ignoring letter case (libraries made on
 * Windows or macOS often name `Samples/Piano_C4.wav` for `samples/piano_c4.WAV`).
 * Directory listings are read once per directory and kept for the call.
 *
 * Thread: CT (synchronous file-system reads).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { isAbsolute, join, parse, relative, resolve, sep } from "node:path";

/** What resolveSamplePaths returns. */
export interface ResolvedSamplePaths {
  /** Absolute path of each sample, in the order given (the exact path when nothing matched). */
  paths: string[];
  /** The samples found only by ignoring case: as written, and as found (relative to `dir`). */
  byCase: { written: string; found: string }[];
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolve sample paths against a directory, ignoring letter case where the
 * exact path is missing.
 *
 * @param dir the directory the paths are relative to (the definition file's)
 * @param samples the paths as written ("/" separated)
 * @returns each absolute path and the ones found only by ignoring case
 * @example
 * ```ts
 * import { resolveSamplePaths } from "./sample_path.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/Samples`);
 * Deno.writeTextFileSync(`${dir}/Samples/Piano C4.WAV`, "");
 * const r = resolveSamplePaths(dir, ["samples/piano c4.wav"]);
 * assert.equal(r.paths[0], `${dir}/Samples/Piano C4.WAV`);
 * assert.deepEqual(r.byCase, [{ written: "samples/piano c4.wav", found: "Samples/Piano C4.WAV" }]);
 * ```
 */
export function resolveSamplePaths(dir: string, samples: readonly string[]): ResolvedSamplePaths {
  const listings = new Map<string, Map<string, string> | undefined>();
  const found = new Map<string, string | undefined>();
  const listing = (d: string): Map<string, string> | undefined => {
    if (!listings.has(d)) {
      let names: Map<string, string> | undefined;
      try {
        names = new Map();
        // sorted: when names differ only in case, the choice is the same on every run
        const all = [...Deno.readDirSync(d)].map((e) => e.name).sort();
        for (const name of all) {
          const key = name.toLowerCase();
          if (!names.has(key)) names.set(key, name);
        }
      } catch {
        names = undefined;
      }
      listings.set(d, names);
    }
    return listings.get(d);
  };
  /** The path with each missing component replaced by a case-insensitive match, or undefined. */
  const lookup = (abs: string): string | undefined => {
    if (found.has(abs)) return found.get(abs);
    const root = parse(abs).root;
    let at = root;
    for (const part of abs.slice(root.length).split(sep).filter((p) => p)) {
      const exact = join(at, part);
      if (exists(exact)) {
        at = exact;
        continue;
      }
      const name = listing(at)?.get(part.toLowerCase());
      if (name === undefined) {
        found.set(abs, undefined);
        return undefined;
      }
      at = join(at, name);
    }
    found.set(abs, at);
    return at;
  };
  const out: ResolvedSamplePaths = { paths: [], byCase: [] };
  const reported = new Set<string>();
  for (const sample of samples) {
    const abs = isAbsolute(sample) ? sample : resolve(dir, sample);
    if (exists(abs)) {
      out.paths.push(abs);
      continue;
    }
    const other = lookup(abs);
    out.paths.push(other ?? abs);
    if (other !== undefined && !reported.has(abs)) {
      reported.add(abs);
      out.byCase.push({
        written: sample,
        found: isAbsolute(sample) ? other : relative(dir, other),
      });
    }
  }
  return out;
}
