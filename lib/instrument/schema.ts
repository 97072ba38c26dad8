/**
 * The instrument definition: the zod schema that is the single source of
 * truth for its shape. `InstrumentDefinitionInput` is what an author writes
 * (notes as numbers or names, groups as numbers or names);
 * `InstrumentDefinition` is what validation returns (notes as numbers, key
 * and velocity ranges as pairs, groups as numbers), ready to become engine
 * zones (`ms_zone_t`, see engine/include/midi_sampler.h).
 *
 * Pure data checks; run on the control thread. No file or engine access here
 * (sample files are checked by load.ts).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { z } from "zod";
import { PARAMS } from "../engine/instrument.ts";
import { ZONE_OPTIONS } from "../ffi/layout.ts";
import { FilterOptionsSchema, ZoneOptionsSchema } from "../engine/options.ts";
import { noteName, noteNumber } from "./notes.ts";

/** Show a value the way error messages quote it: strings in quotes, arrays and objects as compact JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A number between min and max (inclusive), optionally whole. Messages come from the formatter. */
function range(min: number, max: number, whole = false) {
  const n = whole ? z.number().int() : z.number();
  return n.min(min).max(max);
}

/**
 * A MIDI note: a number 0..127 or a name ("C4" = 60, "c#3", "Eb2").
 * Validates to the note number.
 */
export const NoteSchema = z.custom<number | string>(() => true).transform((value, ctx) => {
  const fail = (message: string) => {
    ctx.addIssue({ code: "custom", message, input: value });
    return z.NEVER;
  };
  let note: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return fail(`${value} is not a note number`);
    if (!Number.isInteger(value)) return fail(`${value} is not a whole note number`);
    note = value;
    if (note > 127) return fail(`${value} is above 127`);
    if (note < 0) return fail(`${value} is below 0`);
    return note;
  }
  if (typeof value === "string") {
    const parsed = noteNumber(value);
    if (parsed === undefined) {
      return fail(
        `${showValue(value)} is not a note name (give 0..127 or a name like "C4", "F#3", "Eb2")`,
      );
    }
    if (parsed > 127) return fail(`${showValue(value)} is above 127 (it is note ${parsed})`);
    if (parsed < 0) return fail(`${showValue(value)} is below 0 (it is note ${parsed})`);
    return parsed;
  }
  if (value === undefined) return fail('missing (give a note: 0..127 or a name like "C4")');
  return fail(`${showValue(value)} is not a note (give 0..127 or a name like "C4")`);
});

/** Validate one note the way NoteSchema does, reporting issues at `path` below the current field. */
function checkNote(
  value: unknown,
  ctx: z.RefinementCtx,
  path: (string | number)[],
): number | undefined {
  const r = NoteSchema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    ctx.addIssue({ code: "custom", message: issue.message, path, input: value });
  }
  return undefined;
}

/** A key range: one note, or [low, high] inclusive. Validates to [low, high]. */
export const KeyRangeSchema = z
  .custom<number | string | [number | string, number | string]>(() => true)
  .transform((keys, ctx): [number, number] => {
    let pair: [number, number];
    if (Array.isArray(keys)) {
      if (keys.length !== 2) {
        ctx.addIssue({
          code: "custom",
          message: `${showValue(keys)} is not a key range (give one note or [low, high])`,
          input: keys,
        });
        return z.NEVER;
      }
      const lo = checkNote(keys[0], ctx, [0]), hi = checkNote(keys[1], ctx, [1]);
      if (lo === undefined || hi === undefined) return z.NEVER;
      pair = [lo, hi];
    } else {
      const note = checkNote(keys, ctx, []);
      if (note === undefined) return z.NEVER;
      pair = [note, note];
    }
    if (pair[0] > pair[1]) {
      ctx.addIssue({
        code: "custom",
        message: `${showValue(keys)} runs backwards: low ${noteName(pair[0])} (${
          pair[0]
        }) is above high ${noteName(pair[1])} (${pair[1]})`,
        input: keys,
      });
      return z.NEVER;
    }
    return pair;
  });

/**
 * An amplitude envelope (AHDSR). Times are seconds. Fields left out take the
 * instrument's envelope, then the engine default.
 */
export const EnvelopeSchema = ZoneOptionsSchema.shape.envelope.unwrap();

/** A velocity range [low, high], inclusive, 1..127. */
export const VelocityRangeSchema = ZoneOptionsSchema.shape.velocities.unwrap();

/**
 * How a zone's sample loops. Points are frames into the sample, `end`
 * exclusive; leave both out to use the file's `smpl` loop (or the whole
 * sample); give one and the other comes from the file's loop (else the
 * sample's start or end).
 */
export const LoopSchema = ZoneOptionsSchema.shape.loop.unwrap();

/** Loop modes, as the engine's MS_LOOP_* constants. */
export const LOOP_MODES = Object.keys(ZONE_OPTIONS.loop.rows.mode.names) as readonly (
  keyof typeof ZONE_OPTIONS.loop.rows.mode.names
)[];

/** A group name or number: zones sharing one are alternatives (altGroup) or choke each other (exclusiveGroup). */
export const GroupSchema = z.custom<number | string>(() => true).superRefine((g, ctx) => {
  const ok = (typeof g === "number" && Number.isInteger(g) && g >= 1 && g <= 0xffffffff) ||
    (typeof g === "string" && g.length >= 1 && g.length <= 63);
  if (!ok) {
    ctx.addIssue({
      code: "custom",
      message: `${showValue(g)} is not a group (give a whole number from 1 or a name like "hats")`,
      input: g,
    });
  }
});

/**
 * One zone: the engine's zone options (ZoneOptionsSchema, same ranges and
 * defaults) plus what a file adds on top: the sample path, note names for
 * keys, root key and keyswitches, and group names.
 */
export const ZoneSchema = ZoneOptionsSchema.extend({
  /** Sample file, relative to the definition file (WAV, AIFF, FLAC, OGG). */
  sample: z.string().min(1),
  /** Keys this zone answers: one note or [low, high], inclusive. @default [0, 127] */
  keys: KeyRangeSchema.optional(),
  /**
   * Key at which the sample plays at its recorded pitch.
   * @default the key when `keys` is one note, else the file's smpl root key (60 without one)
   */
  rootKey: NoteSchema.optional(),
  /** Zones with the same alternative group take turns (round robin) or are picked at random. */
  altGroup: GroupSchema.optional(),
  /** Choke group: a new note in the group fades out the others (closed hat chokes open hat). */
  exclusiveGroup: GroupSchema.optional(),
  /** Plays only while the last keyswitch pressed is this key. @default none: always plays */
  keyswitch: NoteSchema.optional(),
  /** Keys that act as keyswitches (pressing one selects it), one note or [low, high]. @default none */
  keyswitchRange: KeyRangeSchema.optional(),
  /**
   * Which group's new notes choke this zone: "own" (its exclusiveGroup),
   * "none" (never choked), or a group (number or name, same names as
   * exclusiveGroup). @default "own"
   */
  offBy: GroupSchema.optional(),
  /** Per-voice filter (state-variable, 12 dB/octave); keyCenter may be a note name. @default none */
  filter: FilterOptionsSchema.extend({ keyCenter: NoteSchema.optional() }).optional(),
});

type GroupKey = "altGroup" | "exclusiveGroup" | "offBy";

/**
 * Replace group names with numbers above every number already used, in
 * order of first use; `keys` share one namespace. "own" and "none" are kept
 * as they are for offBy.
 */
function numberGroups<T extends { [K in GroupKey]?: number | string | undefined }>(
  zones: T[],
  keys: GroupKey[],
): Map<GroupKey, Map<number, number | "own" | "none" | undefined>> {
  const reserved = (k: GroupKey, g: unknown) => k === "offBy" && (g === "own" || g === "none");
  const used = zones.flatMap((z) => keys.map((k) => z[k])).filter((g): g is number =>
    typeof g === "number"
  );
  let next = used.length ? Math.max(...used) + 1 : 1;
  const byName = new Map<string, number>();
  const out = new Map(keys.map((k) => [k, new Map<number, number | "own" | "none" | undefined>()]));
  zones.forEach((zone, i) => {
    for (const k of keys) {
      const g = zone[k];
      if (typeof g === "string" && reserved(k, g)) {
        out.get(k)!.set(i, g as "own" | "none");
      } else if (typeof g === "string") {
        if (!byName.has(g)) byName.set(g, next++);
        out.get(k)!.set(i, byName.get(g));
      } else {
        out.get(k)!.set(i, g);
      }
    }
  });
  return out;
}

/**
 * A whole instrument definition, as exported (default) by a file in
 * instruments/. Validation returns key ranges as pairs, notes as numbers and
 * group names replaced by numbers.
 */
export const InstrumentSchema = z
  .strictObject({
    /** Instrument name, 1..63 bytes (shown in errors and telemetry). */
    name: z.string().min(1).superRefine((s, ctx) => {
      const bytes = new TextEncoder().encode(s).length;
      if (bytes > 63) {
        ctx.addIssue({
          code: "custom",
          message: `${showValue(s)} is longer than 63 bytes (${bytes})`,
          input: s,
        });
      }
    }),
    /** Voices this instrument may hold at once, 1..4096. @default the sampler's polyphony */
    polyphony: range(PARAMS.polyphony.min, PARAMS.polyphony.max, true).optional(),
    /**
     * Gain added to every zone's gain, -144..24 dB (the sum is kept within
     * -144..24): sets the instrument's level in a mix. @default 0
     */
    gainDb: ZoneOptionsSchema.shape.gainDb,
    /** Default envelope of every zone (a zone's own envelope fields win). */
    envelope: EnvelopeSchema.optional(),
    /** The keyswitch in force before any is pressed (SFZ sw_default). @default none */
    keyswitchDefault: NoteSchema.optional(),
    /**
     * Depth of the engine's own mod-wheel vibrato at CC1 127, 0..1200 cents. Imported SFZ
     * files set 0: sfizz has no built-in vibrato, and libraries use CC1 for their own rows
     * (dynamics crossfades, pitch_oncc1). @default 50
     */
    modWheelVibratoCents: range(PARAMS.vibratoDepth.min, PARAMS.vibratoDepth.max).optional(),
    /**
     * Controllers the instrument names or starts at a value (SFZ label_ccN,
     * set_ccN): `initial` is what zone modulation rows read until the CC
     * arrives. @default none
     */
    // (curves, above: the instrument's custom curves 8..255 for zone rows, SFZ <curve>; 128 values each)
    curves: z.array(z.strictObject({
      index: z.number().int().min(8).max(255),
      values: z.array(z.number().min(-1000).max(1000)).length(128),
    })).optional(),
    controllers: z.array(z.strictObject({
      cc: z.number().int().min(0).max(127),
      label: z.string().optional(),
      initial: z.number().min(0).max(127).optional(),
    })).optional(),
    /** The zones; at least one. */
    zones: z.array(ZoneSchema).min(1),
  })
  .transform((def) => {
    const alt = numberGroups(def.zones, ["altGroup"]).get("altGroup")!;
    const chokes = numberGroups(def.zones, ["exclusiveGroup", "offBy"]);
    const exclusive = chokes.get("exclusiveGroup")!, offBy = chokes.get("offBy")!;
    return {
      ...def,
      zones: def.zones.map((zone, i) => {
        const { altGroup: _a, exclusiveGroup: _e, offBy: _o, ...rest } = zone;
        const a = alt.get(i) as number | undefined;
        const e = exclusive.get(i) as number | undefined;
        const o = offBy.get(i);
        return {
          ...rest,
          ...(a !== undefined ? { altGroup: a } : {}),
          ...(e !== undefined ? { exclusiveGroup: e } : {}),
          ...(o !== undefined ? { offBy: o } : {}),
        };
      }),
    };
  });

/** What an instrument author writes (the schema's input). */
export type InstrumentDefinitionInput = z.input<typeof InstrumentSchema>;
/** A validated definition (the schema's output): notes as numbers, groups as numbers. */
export type InstrumentDefinition = z.infer<typeof InstrumentSchema>;
/** One zone as an author writes it (handy to type zones built in a loop). */
export type ZoneDefinitionInput = z.input<typeof ZoneSchema>;
/** One validated zone. */
export type ZoneDefinition = InstrumentDefinition["zones"][number];
/** A validated envelope. */
export type EnvelopeDefinition = z.infer<typeof EnvelopeSchema>;
/** A loop mode name. */
export type LoopMode = (typeof LOOP_MODES)[number];
