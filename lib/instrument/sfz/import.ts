/**
 * importSfz: read an SFZ file (and its includes), map it to the instrument
 * model and validate it with the same zod schema as TypeScript definitions.
 * Lenient as sfizz is: a bad line, a bad value or a region the model rejects
 * is a warning with file:line (`file.sfz:12: lokey="x": is not a note
 * (ignored)`) and the rest imports; warnings come back as data (only the CLI
 * prints). The import fails only when no playable region is left, with a
 * message saying why.
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
import { convertSfz, type SfzController, type SfzConversion } from "./map.ts";
import { parseSfz, type ReadText, type SfzOrigin, type SfzProblem } from "./parse.ts";

/** An SFZ file as an instrument definition. */
export interface SfzInstrument {
  /** The SFZ file, absolute. */
  file: string;
  /** The validated definition; sample paths are relative to the SFZ file's directory. */
  definition: InstrumentDefinition;
  /** For each zone, the <region> it came from. */
  regions: SfzOrigin[];
  /** What was skipped, ignored or approximated (families once), in file order. */
  warnings: SfzProblem[];
  /** Controllers the file names or sets (label_ccN, set_ccN). */
  controllers: SfzController[];
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
 * @returns the unvalidated conversion, with its warnings
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
 * @returns the validated definition, each zone's region, the warnings and the controllers named
 * @throws {InstrumentDefinitionError} when the file cannot be read, when no playable region is left (the
 *   message says why: includes not read, directives swallowed by a value,
 *   regions skipped), or when an instrument-wide value is rejected
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
  const warnings = [...conv.warnings];
  // the file itself could not be read (parse.ts's one message without "#include"): say so, not "no <region>"
  const unread = warnings.find((w) => w.file === file && w.message.startsWith("cannot be read ("));
  if (unread) {
    throw new InstrumentDefinitionError(
      `Cannot import ${JSON.stringify(shown)}: ${
        unread.message.replace(/^cannot be read/, "cannot read it")
      }`,
      { file, path: [], value: undefined, hint: "Check the path, and that the file is readable" },
    );
  }
  let definition = conv.definition, regions = conv.regions;
  // A region the model rejects is left out with a warning at its line (as a
  // bad line is); the file fails only when no region is left.
  for (let pass = 0; pass < 2 && definition.zones.length; pass++) {
    const r = InstrumentSchema.safeParse(definition);
    if (r.success) {
      return { file, definition: r.data, regions, warnings, controllers: conv.controllers };
    }
    const issues = fromZodIssues(r.error.issues, definition);
    const bad = new Set<number>();
    for (const issue of issues) {
      const [top, index, ...rest] = issue.path;
      if (top !== "zones" || typeof index !== "number" || !regions[index]) {
        const p = formatPath(issue.path);
        throw new InstrumentDefinitionError(`${shown}: ${p ? `${p}: ` : ""}${issue.problem}`, {
          file,
          path: issue.path,
          value: issue.value,
          cause: r.error,
          hint: "The model rejects this value; see lib/instrument/schema.ts for each field's range",
        });
      }
      bad.add(index);
      const field = formatPath(rest);
      warnings.push({
        ...regions[index],
        message: `<region> ${field ? `${field}: ` : ""}${issue.problem} (region skipped)`,
      });
    }
    definition = { ...definition, zones: definition.zones.filter((_, i) => !bad.has(i)) };
    regions = regions.filter((_, i) => !bad.has(i));
  }
  throw new InstrumentDefinitionError(
    `Cannot import ${JSON.stringify(shown)}: no playable <region> is left: ${
      whyNothingPlays(conv, warnings)
    }`,
    {
      file,
      path: ["zones"],
      value: undefined,
      hint: warnings.length
        ? `What the importer skipped or ignored:\n${warnings.map(formatSfzProblem).join("\n")}`
        : "Each <region> needs sample=, and keys and velocities it plays",
    },
  );
}

/** Why a conversion has no zone, in a few words each (most telling first). */
function whyNothingPlays(conv: SfzConversion, warnings: readonly SfzProblem[]): string {
  const { summary } = conv;
  const why: string[] = [];
  const at = (o: SfzOrigin) => `${shownPath(o.file)}:${o.line}`;
  if (summary.swallowed.length) {
    const op = summary.swallowed[0]!;
    why.push(
      `${summary.swallowed.length} directive${
        summary.swallowed.length > 1 ? "s were" : " was"
      } swallowed by an opcode value (first: ${op.name}= at ${
        at(op)
      }; put a blank or a line break before #include)`,
    );
  }
  if (summary.includeFailures.length) {
    const f = summary.includeFailures[0]!;
    why.push(
      `${summary.includeFailures.length} #include${
        summary.includeFailures.length > 1 ? "s" : ""
      } could not be read (first: ${JSON.stringify(shownPath(f.path))} at ${at(f)})`,
    );
  }
  if (!summary.regions) why.push("the file has no <region> header");
  else {
    // skipped as never playing (map.ts), or rejected by the model (importSfz)
    const rejected = warnings.filter((w) => w.message.endsWith("(region skipped)"));
    const skips = [...summary.skipped, ...rejected];
    const skipped = skips.length;
    if (summary.silentAtRest) {
      why.push(
        `${summary.silentAtRest} of ${summary.regions} regions cannot sound at the controllers' initial values (set_ccN)`,
      );
    }
    if (skipped) {
      why.push(
        `${skipped} of ${summary.regions} regions were skipped (first: ${at(skips[0]!)}: ${
          skips[0]!.message.replace(/ \(region skipped\)$/, "")
        })`,
      );
    }
    const generated = summary.regions - summary.silentAtRest - skipped;
    if (!skipped && !summary.silentAtRest && generated > 0) {
      why.push(`${generated} regions play generated waveforms (sample=*...), not supported`);
    }
  }
  return why.join("; ");
}
