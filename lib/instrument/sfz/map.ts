/**
 * SFZ headers and opcodes (from parse.ts) to the instrument definition model
 * of lib/instrument/schema.ts, with the format's inheritance: a region takes
 * the opcodes of the current <global>, <master> and <group>, then its own,
 * applied in that order (a later opcode wins). A new <global> clears master
 * and group opcodes, a new <master> clears group opcodes.
 *
 * Opcodes the model cannot express are warnings, each listed once (the first
 * place it appears), and ignored; values that are not numbers or notes are
 * errors with file:line. Out-of-range numbers are clamped, with a warning.
 *
 * Thread: CT. Pure.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import type { InstrumentDefinitionInput } from "../schema.ts";
import { SfzContext } from "./context.ts";
import { FAMILIES, NUMBERED_OPCODES, type NumberedOpcode, OPCODES } from "./opcodes.ts";
import type { SfzHeader, SfzOpcode, SfzOrigin, SfzParse, SfzProblem } from "./parse.ts";
import { freshRegion, neverPlays, type Setter, type ZoneDraft } from "./region.ts";

/** What convertSfz returns: the definition as an author would write it, and what was found on the way. */
export interface SfzConversion {
  /** The definition (not yet validated). */
  definition: InstrumentDefinitionInput;
  /** For each zone, the <region> header it came from. */
  regions: SfzOrigin[];
  /** Ignored opcodes and headers (each once), clamped values, skipped regions. */
  warnings: SfzProblem[];
  /** Malformed lines and values: the import fails with all of them. */
  errors: SfzProblem[];
}

/**
 * Turn parsed SFZ into an instrument definition.
 *
 * @param parsed the output of parseSfz
 * @param name the instrument's name (usually the file name without .sfz)
 * @returns the definition, each zone's region, warnings and errors
 */
export function convertSfz(parsed: SfzParse, name: string): SfzConversion {
  const ctx = new SfzContext(parsed.errors);
  const zones: ZoneDraft[] = [];
  const regions: SfzOrigin[] = [];
  let global: Setter[] = [], master: Setter[] = [], group: Setter[] = [];
  const shift = { note: 0, octave: 0 }; // <control> note_offset, octave_offset * 12

  for (const w of parsed.orphans) {
    ctx.warnOnce(`orphan:${w.name}`, w, `${w.name}= appears before any header (ignored)`);
  }
  for (const header of parsed.headers) {
    switch (header.name) {
      case "control":
        for (const op of header.opcodes) controlOpcode(ctx, op, shift);
        break;
      case "global":
        global = compile(ctx, header.opcodes);
        master = [];
        group = [];
        break;
      case "master":
        master = compile(ctx, header.opcodes);
        group = [];
        break;
      case "group":
        group = compile(ctx, header.opcodes);
        break;
      case "region": {
        const own = compile(ctx, header.opcodes);
        const zone = buildZone(ctx, header, [...global, ...master, ...group, ...own]);
        if (zone) {
          zones.push(zone);
          regions.push({ file: header.file, line: header.line });
        }
        break;
      }
      default:
        ctx.warnOnce(
          `header:${header.name}`,
          header,
          IGNORED_HEADERS.has(header.name)
            ? `<${header.name}> is not supported (its opcodes are ignored)`
            : `<${header.name}> is not an SFZ header (its opcodes are ignored)`,
        );
    }
  }

  orderRoundRobins(zones, regions);
  const definition: InstrumentDefinitionInput = {
    name,
    zones: zones.map(({ seq: _seq, ...zone }) => zone),
  };
  if (ctx.keyswitchDefault !== undefined) definition.keyswitchDefault = ctx.keyswitchDefault;
  return { definition, regions, warnings: ctx.warnings, errors: ctx.errors };
}

/** SFZ headers the model has no use for (as opposed to unknown ones). */
const IGNORED_HEADERS = new Set(["curve", "effect", "midi", "sample"]);

/** A header's opcodes as setters, in order; unknown opcodes warn once. */
function compile(ctx: SfzContext, ops: readonly SfzOpcode[]): Setter[] {
  const out: Setter[] = [];
  for (const op of ops) {
    const name = op.name.toLowerCase();
    let setter: Setter | undefined;
    if (Object.hasOwn(OPCODES, name)) {
      setter = OPCODES[name]!({ ...op, name }, ctx);
    } else {
      const numbered = numberedOpcode(name);
      if (numbered) setter = numbered.opcode.handle(op, name, numbered.n, ctx);
      else ctx.warnOnce(`opcode:${name}`, op, `opcode "${name}" is not supported (ignored)`);
    }
    if (setter) out.push(setter);
  }
  return out;
}

function numberedOpcode(name: string): { opcode: NumberedOpcode; n: number } | undefined {
  for (const opcode of NUMBERED_OPCODES) {
    const m = opcode.pattern.exec(name);
    if (m) return { opcode, n: Number(m[1]) };
  }
  return undefined;
}

/** <control> opcodes: sample path prefix and note offsets for what follows. */
function controlOpcode(
  ctx: SfzContext,
  op: SfzOpcode,
  shift: { note: number; octave: number },
): void {
  const name = op.name.toLowerCase();
  if (name === "default_path") {
    ctx.defaultPath = op.value.replaceAll("\\", "/");
  } else if (name === "note_offset") {
    const v = ctx.int(op, -127, 127);
    if (v !== undefined) shift.note = v;
  } else if (name === "octave_offset") {
    const v = ctx.int(op, -10, 10);
    if (v !== undefined) shift.octave = v * 12;
  } else {
    ctx.warnOnce(`control:${name}`, op, `<control> opcode "${name}" is not supported (ignored)`);
    return;
  }
  ctx.noteOffset = shift.note + shift.octave;
}

/**
 * The zone of one <region>: its inherited and own setters applied to SFZ's
 * defaults, then each family's fields; undefined (with a warning, except for
 * generated waveforms, already reported) when the region can never play.
 */
function buildZone(
  ctx: SfzContext,
  header: SfzHeader,
  setters: readonly Setter[],
): ZoneDraft | undefined {
  const r = freshRegion();
  for (const s of setters) s(r);
  const at = { file: header.file, line: header.line };
  if (r.generator) return undefined;
  const why = neverPlays(r);
  if (why !== undefined) {
    ctx.warnings.push({ ...at, message: `<region> ${why} (skipped)` });
    return undefined;
  }
  const zone: ZoneDraft = { sample: r.sample! }; // neverPlays checked it
  for (const family of FAMILIES) family.toZone(r, zone, ctx, at);
  return zone;
}

/**
 * The engine takes round-robin alternatives in zone order: sort each group's
 * zones by seq_position, in the slots they already hold.
 */
function orderRoundRobins(zones: ZoneDraft[], regions: SfzOrigin[]): void {
  const slots = new Map<string, number[]>();
  zones.forEach((z, i) => {
    if (typeof z.altGroup !== "string") return;
    const list = slots.get(z.altGroup) ?? [];
    list.push(i);
    slots.set(z.altGroup, list);
  });
  for (const idx of slots.values()) {
    const sorted = idx.map((i) => [zones[i]!, regions[i]!] as const)
      .sort((a, b) => (a[0].seq ?? 1) - (b[0].seq ?? 1));
    idx.forEach((slot, k) => {
      zones[slot] = sorted[k]![0];
      regions[slot] = sorted[k]![1];
    });
  }
}
