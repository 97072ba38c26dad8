/**
 * Which file an instrument name plays: the one resolution every loader uses
 * (`ctx.instrument` in scripts, the live instrument cache of sets, the
 * prebake stand-ins).
 *
 * Order, first match wins:
 * 1. a SoundFont preset path (`font.sf2#bank:program`);
 * 2. a definition in the instruments directory (`<name>.ts`, `.sfz`,
 *    `.json`): the shipped `drums`, `epiano`, `bass` keep their names;
 * 3. Strudel's `gm_*` names: that program of the installed GM bank;
 * 4. common names (`piano`, `strings`, `organ`, `guitar`, `kit`, `pad`,
 *    `lead`, ...; {@linkcode COMMON_NAMES}): a GM preset when a bank is
 *    installed, else the project's own stand-in where there is one (`piano`
 *    → `epiano`), each said once by the caller through the returned note;
 * 5. otherwise the definition path, whose absence the loader reports.
 *
 * `piano` prefers the GM acoustic grand over the shipped `epiano`: Strudel's
 * `piano` is a sampled grand piano, which a GM grand is closer to.
 *
 * Thread: CT. Only checks files; loads nothing.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * @module
 */
import { InstrumentDefinitionError } from "../errors.ts";
import { findDefinition } from "./load.ts";
import { isSoundFontPath } from "./sf2/load.ts";
import { defaultGmFont, GM_FONTS, gmProgram } from "./sf2/gm_names.ts";

/** A common instrument name's GM preset, and the project's own stand-in without a bank. */
export interface CommonName {
  /** 0 (melodic) or 128 (drum kits). */
  readonly bank: number;
  /** GM program 0..127 (the kit number in bank 128). */
  readonly program: number;
  /** What the preset is, for the note. */
  readonly what: string;
  /** A definition in instruments/ that plays it when no GM bank is installed. */
  readonly fallback?: string;
}

/** Common names → GM presets (bank 128 holds the kits). */
export const COMMON_NAMES: ReadonlyMap<string, CommonName> = new Map<string, CommonName>([
  ["piano", { bank: 0, program: 0, what: "Acoustic Grand Piano", fallback: "epiano" }],
  ["grand_piano", { bank: 0, program: 0, what: "Acoustic Grand Piano", fallback: "epiano" }],
  ["electric_piano", { bank: 0, program: 4, what: "Electric Piano 1", fallback: "epiano" }],
  ["rhodes", { bank: 0, program: 4, what: "Electric Piano 1", fallback: "epiano" }],
  ["bass", { bank: 0, program: 33, what: "Electric Bass (finger)", fallback: "bass" }],
  ["synth_bass", { bank: 0, program: 38, what: "Synth Bass 1", fallback: "bass" }],
  ["drums", { bank: 128, program: 0, what: "Standard Kit", fallback: "drums" }],
  ["kit", { bank: 128, program: 0, what: "Standard Kit", fallback: "drums" }],
  ["strings", { bank: 0, program: 48, what: "String Ensemble 1" }],
  ["organ", { bank: 0, program: 16, what: "Drawbar Organ" }],
  ["guitar", { bank: 0, program: 25, what: "Acoustic Guitar (steel)" }],
  ["nylon_guitar", { bank: 0, program: 24, what: "Acoustic Guitar (nylon)" }],
  ["electric_guitar", { bank: 0, program: 27, what: "Electric Guitar (clean)" }],
  ["pad", { bank: 0, program: 89, what: "Pad 2 (warm)" }],
  ["lead", { bank: 0, program: 80, what: "Lead 1 (square)" }],
  ["choir", { bank: 0, program: 52, what: "Choir Aahs" }],
  ["brass", { bank: 0, program: 61, what: "Brass Section" }],
  ["trumpet", { bank: 0, program: 56, what: "Trumpet" }],
  ["sax", { bank: 0, program: 65, what: "Alto Sax" }],
  ["flute", { bank: 0, program: 73, what: "Flute" }],
  ["violin", { bank: 0, program: 40, what: "Violin" }],
  ["cello", { bank: 0, program: 42, what: "Cello" }],
  ["harp", { bank: 0, program: 46, what: "Orchestral Harp" }],
  ["vibraphone", { bank: 0, program: 11, what: "Vibraphone" }],
  ["marimba", { bank: 0, program: 12, what: "Marimba" }],
  ["bells", { bank: 0, program: 14, what: "Tubular Bells" }],
]);

/** What a name resolves to. */
export type ResolvedInstrument =
  | { readonly kind: "definition"; readonly path: string; readonly note?: string }
  | { readonly kind: "soundfont"; readonly spec: string; readonly note?: string };

/** Is there a definition file for `name` in `dir` (.ts, .sfz or .json)? */
export function definitionExists(dir: string, name: string): boolean {
  try {
    return Deno.statSync(findDefinition(dir, name)).isFile;
  } catch {
    return false;
  }
}

/**
 * Resolve an instrument name to a definition file or a SoundFont preset.
 *
 * @param name What a script or a set asks for ("piano", "gm_flute", "drums", "font.sf2#0:0").
 * @param dir The instruments directory.
 * @param options `registered`: a path given for the name (the REPL's `load`), which wins;
 *   `font`: the GM bank to use (default {@linkcode defaultGmFont}; null: none installed).
 * @returns The file or preset, with a note to say once when a stand-in plays.
 * @throws {InstrumentDefinitionError} for a `gm_*` name when no GM bank is installed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveInstrument } from "./resolve.ts";
 * const r = resolveInstrument("strings", "/nowhere", { font: "/fonts/gm.sf2" });
 * assert(r.kind === "soundfont" && r.spec === "/fonts/gm.sf2#0:48");
 * const shipped = new URL("../../instruments", import.meta.url).pathname;
 * const p = resolveInstrument("piano", shipped, { font: null });
 * assert(p.kind === "definition" && p.path.endsWith("epiano.ts") && p.note !== undefined);
 * ```
 */
export function resolveInstrument(
  name: string,
  dir: string,
  options: { registered?: string | undefined; font?: string | null } = {},
): ResolvedInstrument {
  if (isSoundFontPath(name)) return { kind: "soundfont", spec: name };
  if (options.registered) return { kind: "definition", path: options.registered };
  if (definitionExists(dir, name)) return { kind: "definition", path: findDefinition(dir, name) };
  const font = options.font === undefined ? defaultGmFont() : options.font ?? undefined;
  const gm = gmProgram(name);
  if (gm !== undefined) {
    if (!font) {
      throw new InstrumentDefinitionError(
        `Cannot load "${name}": no General MIDI SoundFont installed (looked for ${
          GM_FONTS.join(", ")
        })`,
        {
          file: findDefinition(dir, name),
          hint:
            "apt-get install timgm6mb-soundfont (6 MB) or fluid-soundfont-gm, or set MS_GM_FONT",
        },
      );
    }
    return { kind: "soundfont", spec: `${font}#0:${gm}` };
  }
  const common = COMMON_NAMES.get(name);
  if (common && font) {
    const why = name === "piano"
      ? " (Strudel's piano is a sampled grand: closer than the shipped epiano)"
      : "";
    return {
      kind: "soundfont",
      spec: `${font}#${common.bank}:${common.program}`,
      note: `instrument "${name}": no definition in ${dir}: playing General MIDI ${
        common.bank === 128 ? "kit" : "program"
      } ${common.program} (${common.what}) of ${font}${why}`,
    };
  }
  if (common?.fallback && definitionExists(dir, common.fallback)) {
    return {
      kind: "definition",
      path: findDefinition(dir, common.fallback),
      note:
        `instrument "${name}": no definition in ${dir} and no General MIDI SoundFont installed: playing "${common.fallback}" instead (apt-get install timgm6mb-soundfont for a GM ${common.what})`,
    };
  }
  return { kind: "definition", path: findDefinition(dir, name) };
}
