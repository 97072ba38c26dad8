/**
 * importSfz: read an SFZ file (and its includes), map it to the instrument
 * model and validate it with the same zod schema as TypeScript definitions.
 * Errors are one InstrumentDefinitionError listing every malformed line as
 * `file.sfz:12: lokey="x": is not a note`; warnings come back as data (only
 * the CLI prints).
 *
 * Thread: CT (synchronous file reads).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { basename, extname, resolve } from "node:path";
import { InstrumentDefinitionError } from "../../errors.ts";
import { formatPath, fromZodIssues } from "../issues.ts";
import { shownPath } from "../../util/path.ts";
import { type InstrumentDefinition, InstrumentSchema } from "../schema.ts";
import { convertSfz, type SfzConversion } from "./map.ts";
import { parseSfz, type ReadText, type SfzOrigin, type SfzProblem } from "./parse.ts";

/** An SFZ file as an instrument definition. */
export interface SfzInstrument {
  /** The SFZ file, absolute. */
  file: string;
  /** The validated definition; sample paths are relative to the SFZ file's directory. */
  definition: InstrumentDefinition;
  /** For each zone, the <region> it came from. */
  regions: SfzOrigin[];
  /** What was ignored or approximated, each listed once, in file order. */
  warnings: SfzProblem[];
}

/** Options of importSfz. */
export interface ImportSfzOptions {
  /** Read a file's text (for tests). @default Deno.readTextFileSync */
  read?: ReadText;
  /** The instrument's name. @default the file name without ".sfz" (at most 63 bytes) */
  name?: string;
}

/**
 * "file.sfz:12: message", the file shown relative to the working directory.
 *
 * @param p a warning or error
 * @returns one line
 */
export function formatSfzProblem(p: SfzProblem): string {
  return `${shownPath(p.file)}:${p.line}: ${p.message}`;
}

function nameOf(file: string): string {
  let name = basename(file, extname(file)) || "sfz";
  while (new TextEncoder().encode(name).length > 63) name = name.slice(0, -1);
  return name;
}

/**
 * Parse and map without validating or throwing (the fuzz test's entry).
 *
 * @param path the SFZ file
 * @param options read function and name
 * @returns the unvalidated conversion, with warnings and errors
 */
export function convertSfzFile(path: string, options: ImportSfzOptions = {}): SfzConversion {
  const file = resolve(path);
  const read = options.read ?? ((p: string) => Deno.readTextFileSync(p));
  return convertSfz(parseSfz(file, read), options.name ?? nameOf(file));
}

/**
 * Import an SFZ instrument: headers `<control>` (default_path, note_offset,
 * octave_offset), `<global>`, `<master>`, `<group>`, `<region>` with their
 * inheritance; `#define`, `#include`; the opcodes listed in
 * instruments/README.md ("SFZ instruments"). Does not open sample files (the loader does).
 *
 * @param path the .sfz file
 * @param options read function and name
 * @returns the validated definition, each zone's region and the warnings
 * @throws {InstrumentDefinitionError} listing every malformed line and every
 *   value the model rejects, one per line as `file.sfz:LINE: problem`
 * @example
 * ```ts
 * import { importSfz } from "./import.ts";
 * import assert from "node:assert/strict";
 * const text = "<group> lovel=64 <region> sample=piano\\c4.wav key=c4 tune=-5 foo=1";
 * const sfz = importSfz("/lib/piano.sfz", { read: () => text });
 * assert.deepEqual(sfz.definition.zones[0], {
 *   sample: "piano/c4.wav",
 *   keys: [60, 60],
 *   velocities: [64, 127],
 *   rootKey: 60,
 *   tuneCents: -5,
 *   offBy: "none",
 * });
 * assert.equal(sfz.warnings[0]?.message, 'opcode "foo" is not supported (ignored)');
 * ```
 */
export function importSfz(path: string, options: ImportSfzOptions = {}): SfzInstrument {
  const file = resolve(path);
  const shown = shownPath(file);
  const conv = convertSfzFile(file, options);
  if (conv.errors.length) {
    conv.errors.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
    const first = conv.errors[0]!;
    throw new InstrumentDefinitionError(conv.errors.map(formatSfzProblem).join("\n"), {
      file,
      path: [`line ${first.line}`],
      value: undefined,
      hint:
        "Fix the lines named above (an SFZ opcode is name=value; notes are 0..127 or names like c#4)",
    });
  }
  if (!conv.definition.zones.length) {
    throw new InstrumentDefinitionError(
      `${shown}: has no playable <region> (each needs sample=, a key and a velocity range)`,
      {
        file,
        path: ["zones"],
        value: undefined,
        hint: conv.warnings.length
          ? `The importer skipped or ignored: ${conv.warnings.map(formatSfzProblem).join("; ")}`
          : undefined,
      },
    );
  }
  const r = InstrumentSchema.safeParse(conv.definition);
  if (!r.success) {
    const issues = fromZodIssues(r.error.issues, conv.definition);
    const lines = issues.map((issue) => {
      const [top, index, ...rest] = issue.path;
      if (top === "zones" && typeof index === "number" && conv.regions[index]) {
        const at = conv.regions[index];
        const field = formatPath(rest);
        return `${shownPath(at.file)}:${at.line}: <region> ${
          field ? `${field}: ` : ""
        }${issue.problem}`;
      }
      const path = formatPath(issue.path);
      return `${shown}: ${path ? `${path}: ` : ""}${issue.problem}`;
    });
    throw new InstrumentDefinitionError(lines.join("\n"), {
      file,
      path: issues[0]?.path ?? [],
      value: issues[0]?.value,
      cause: r.error,
      hint: "The model rejects these values; see lib/instrument/schema.ts for each field's range",
    });
  }
  return { file, definition: r.data, regions: conv.regions, warnings: conv.warnings };
}
