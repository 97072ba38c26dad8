/**
 * SFZ headers and opcodes (from parse.ts) to the instrument definition model
 * of lib/instrument/schema.ts, with the format's inheritance: a region takes
 * the opcodes of the current <global>, <master> and <group>, then its own,
 * applied in that order (a later opcode wins). A new <global> clears master
 * and group opcodes, a new <master> clears group opcodes.
 *
 * Opcodes the model cannot express are warnings, one per family (the name
 * with its numbers as `*`) with its count and first place, and ignored;
 * values that are not numbers or notes are warnings with file:line and the
 * opcode is ignored (sfizz does the same). Out-of-range numbers are clamped,
 * with a warning. CC ranges and triggers, crossfades, CC levels, pan and
 * pitch become the zone's modulation rows, played live by the engine
 * (opcodes.ts zoneMods); set_ccN gives the instrument's controllers their
 * initial values. Only amplitude_onccN/volume_onccN of sfizz's extended
 * controllers (128..511), which the engine does not read, are applied at
 * their initial values.
 *
 * Thread: CT. Pure.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import type { InstrumentDefinitionInput } from "../schema.ts";
import { SfzContext } from "./context.ts";
import { FAMILIES, NUMBERED_OPCODES, type NumberedOpcode, OPCODES } from "./opcodes.ts";
import type { SfzHeader, SfzOpcode, SfzOrigin, SfzParse, SfzProblem } from "./parse.ts";
import type { RegionState } from "./region.ts";
import {
  type CcCurve,
  curveOf,
  freshRegion,
  levelAtRest,
  neverPlays,
  type Setter,
  type ZoneDraft,
} from "./region.ts";
import { zoneRange } from "../../ffi/layout.ts";

/** What convertSfz returns: the definition as an author would write it, and what was found on the way. */
export interface SfzConversion {
  /** The definition (not yet validated). */
  definition: InstrumentDefinitionInput;
  /** For each zone, the <region> header it came from. */
  regions: SfzOrigin[];
  /** Skipped lines, ignored opcodes (by family) and values, clamped values, skipped regions; in file order. */
  warnings: SfzProblem[];
  /** Controllers the file names or sets (label_ccN, set_ccN), by number. */
  controllers: SfzController[];
  /** What was read, for the message when nothing is playable. */
  summary: {
    /** <region> headers read. */
    regions: number;
    /** Regions left out because they cannot sound at the controllers' initial values. */
    silentAtRest: number;
    /** Includes that could not be read. */
    includeFailures: SfzParse["includeFailures"];
    /** Values that swallowed a directive (`label_cc1=x#include "a.sfz"`). */
    swallowed: SfzOpcode[];
    /** Regions skipped because they can never play, each with its reason. */
    skipped: SfzProblem[];
  };
}

/** A controller an SFZ file names or gives an initial value. */
export interface SfzController {
  /** CC number, 0..127. */
  cc: number;
  /** label_ccN. */
  label?: string;
  /** set_ccN (0..127). */
  initial?: number;
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
  const summary: SfzConversion["summary"] = {
    regions: 0,
    silentAtRest: 0,
    includeFailures: parsed.includeFailures,
    swallowed: [],
    skipped: ctx.skipped,
  };
  const atRest: { entry?: SfzProblem; first?: string } = {};
  const headerCounts = new Map<string, { entry: SfzProblem; count: number }>();

  // <curve> headers (usually last in the file) before any region uses them
  const curves = new Map<number, CcCurve>();
  for (const header of parsed.headers) {
    if (header.name !== "curve") continue;
    let index: number | undefined;
    const points = new Map<number, number>();
    for (const op of header.opcodes) {
      const name = op.name.toLowerCase(), v = Number(op.value);
      if (op.value.trim() === "" || !Number.isFinite(v)) continue;
      if (name === "curve_index") index = v;
      const m = /^v(\d{1,3})$/.exec(name);
      if (m && Number(m[1]) <= 127) points.set(Number(m[1]), v);
    }
    if (index !== undefined) curves.set(index, curveOf(points));
  }
  // the ones beyond the built-in 0..5 become the instrument's curves 8, 9, ...
  const customCurves: { index: number; values: number[] }[] = [];
  for (const [index, curve] of [...curves].sort((a, b) => a[0] - b[0])) {
    if (index <= 5 || customCurves.length >= 248) continue;
    const engineIndex = 8 + customCurves.length;
    ctx.customCurves.set(index, engineIndex);
    customCurves.push({
      index: engineIndex,
      values: Array.from({ length: 128 }, (_, v) => curve(v)),
    });
  }
  for (const header of parsed.headers) {
    for (const op of header.opcodes) {
      if (/#(?:include|define)\b/.test(op.value)) {
        summary.swallowed.push(op);
        ctx.warnings.push({
          file: op.file,
          line: op.line,
          message: `the value of ${op.name}= runs into ${
            JSON.stringify(/#(?:include|define)\b.*/.exec(op.value)![0])
          }: not read as a directive (put a blank or a line break before it)`,
        });
      }
    }
  }

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
      case "curve": // read above
        break;
      case "region": {
        summary.regions++;
        const own = compile(ctx, header.opcodes);
        const r = regionOf([...global, ...master, ...group, ...own]);
        const initial = (cc: number) => ctx.initialCc(cc);
        const playable = r.sample !== undefined && !r.generator;
        // extended controllers (128..511) are not read by the engine: their levels at rest
        const xfGain = 1;
        const level = playable
          ? levelAtRest(r, initial, curves, (cc) => cc > 127)
          : { amplitude: 1, db: 0 };
        const rest = playable && level.amplitude === 0
          ? "is silent (amplitude_onccN of an extended controller) at the controllers' initial values"
          : undefined;
        if (rest !== undefined) {
          summary.silentAtRest++;
          if (!atRest.entry) {
            atRest.entry = { file: header.file, line: header.line, message: "" };
            atRest.first = rest;
            ctx.warnings.push(atRest.entry);
          }
          break;
        }
        const zone = buildZone(ctx, header, r);
        const restDb = 20 * Math.log10(xfGain * level.amplitude) + level.db;
        if (zone && restDb !== 0) {
          // crossfades and CC levels at rest: that gain, until they are played
          const [lo, hi] = zoneRange("gainDb");
          zone.gainDb = Math.max(lo, Math.min(hi, (zone.gainDb ?? 0) + restDb));
          if (zone.gainDb === 0) delete zone.gainDb;
        }
        if (zone) {
          zones.push(zone);
          regions.push({ file: header.file, line: header.line });
        }
        break;
      }
      default: {
        const seen = headerCounts.get(header.name);
        if (seen) {
          seen.count++;
          break;
        }
        const entry = { file: header.file, line: header.line, message: "" };
        headerCounts.set(header.name, { entry, count: 1 });
        ctx.warnings.push(entry);
      }
    }
  }
  for (const [h, { entry, count }] of headerCounts) {
    const n = count > 1 ? `; ${count} headers` : "";
    entry.message = h === "curve"
      ? `<curve> is not played: its controllers follow a linear curve${
        count > 1 ? ` (${count} headers)` : ""
      }`
      : IGNORED_HEADERS.has(h)
      ? `<${h}> is not supported (its opcodes are ignored${n})`
      : `<${h}> is not an SFZ header (its opcodes are ignored${n})`;
  }
  if (atRest.entry) {
    atRest.entry.message = `${summary.silentAtRest} <region>${
      summary.silentAtRest > 1 ? "s" : ""
    } cannot sound at the controllers' initial values (the first ${atRest.first}): left out`;
  }
  ctx.finishFamilies();

  orderRoundRobins(zones, regions);
  const definition: InstrumentDefinitionInput = {
    name,
    zones: zones.map(({ seq: _seq, ...zone }) => zone),
    // sfizz plays no vibrato of its own: CC1 moves only what the file's rows say
    modWheelVibratoCents: 0,
  };
  if (ctx.keyswitchDefault !== undefined) definition.keyswitchDefault = ctx.keyswitchDefault;
  if (customCurves.length) definition.curves = customCurves;
  const initials = [...ctx.ccDefaults].filter(([cc]) => cc <= 127).sort((a, b) => a[0] - b[0]);
  if (initials.length) definition.controllers = initials.map(([cc, initial]) => ({ cc, initial }));
  const fileOrder = new Map(parsed.files.map((f, i) => [f, i]));
  const warnings = ctx.warnings
    .map((w, i) => ({ w, i }))
    .sort((a, b) =>
      ((fileOrder.get(a.w.file) ?? 0) - (fileOrder.get(b.w.file) ?? 0)) ||
      (a.w.line - b.w.line) || (a.i - b.i)
    )
    .map(({ w }) => w);
  const ccs = [...new Set([...ctx.ccLabels.keys(), ...ctx.ccDefaults.keys()])].sort((a, b) =>
    a - b
  );
  const controllers = ccs.map((cc) => {
    const c: SfzController = { cc };
    const label = ctx.ccLabels.get(cc), initial = ctx.ccDefaults.get(cc);
    if (label !== undefined) c.label = label;
    if (initial !== undefined) c.initial = initial;
    return c;
  });
  return { definition, regions, warnings, controllers, summary };
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
      else ctx.unsupported(op, false);
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
  } else if (/^(?:set_cc|set_hdcc|label_cc)\d+$/.test(name)) {
    numberedOpcode(name)!.opcode.handle(op, name, Number(/\d+$/.exec(name)![0]), ctx);
    return;
  } else {
    ctx.warnOnce(`control:${name}`, op, `<control> opcode "${name}" is not supported (ignored)`);
    return;
  }
  ctx.noteOffset = shift.note + shift.octave;
}

/** A region: its inherited and own setters applied to SFZ's defaults. */
function regionOf(setters: readonly Setter[]): RegionState {
  const r = freshRegion();
  for (const s of setters) s(r);
  return r;
}

/**
 * The zone of one <region>: each family's fields; undefined (with a warning,
 * except for generated waveforms, already reported) when the region can
 * never play.
 */
function buildZone(
  ctx: SfzContext,
  header: SfzHeader,
  r: RegionState,
): ZoneDraft | undefined {
  const at = { file: header.file, line: header.line };
  if (r.generator) return undefined;
  const why = neverPlays(r);
  if (why !== undefined) {
    // one line per kind of reason (numbers aside), counted
    ctx.warnCounted(`skip\n${why.replace(/\d+/g, "#")}`, at, `<region> ${why} (skipped)`);
    ctx.skipped.push({ ...at, message: `<region> ${why}` });
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
