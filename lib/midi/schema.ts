/**
 * The MIDI mapping a script or a mapping file declares: which channels,
 * keys and velocities play which instruments (splits and layers, with
 * transpose and a velocity curve), which controllers drive which instrument
 * parameters (range and curve), and per-channel settings (pitch-bend range,
 * initial program, pass-through of unmapped controllers).
 *
 * Thread: CT. Pure data: the zod schema is the single source of truth for
 * the shape (`MidiMap` is inferred from it). Channels are numbered 1..16 as
 * on a controller's display; keys are MIDI numbers 0..127 or note names
 * ("C4" = 60, "F#2", "Bb-1").
 *
 * @module
 */
import { z } from "zod";
import { PARAMS } from "../engine/instrument.ts";
import { ControlsSchema } from "../engine/controls.ts";
import { CONTROL_ROWS, type ControlName } from "../ffi/control_table.ts";

const NOTE_RE = /^([A-Ga-g])([#b]?)(-?\d)$/;
const PITCH: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };

/**
 * A key as a MIDI number, from a number or a note name ("C4" = 60).
 *
 * @param key 0..127 or a name like "F#3".
 * @returns The MIDI key, or undefined when it is neither.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyNumber } from "./schema.ts";
 * assert(keyNumber("C4") === 60 && keyNumber("A4") === 69 && keyNumber(21) === 21);
 * ```
 */
export function keyNumber(key: number | string): number | undefined {
  if (typeof key === "number") {
    return Number.isInteger(key) && key >= 0 && key <= 127 ? key : undefined;
  }
  const m = NOTE_RE.exec(key.trim());
  if (!m) return undefined;
  const n = (Number(m[3]) + 1) * 12 + PITCH[m[1]!.toLowerCase()]! +
    (m[2] === "#" ? 1 : m[2] === "b" ? -1 : 0);
  return n >= 0 && n <= 127 ? n : undefined;
}

const Key = z.union([z.number(), z.string()]).refine((k) => keyNumber(k) !== undefined, {
  message: 'must be a key 0..127 or a note name like "C4" (60)',
});

const Channel = z.number().int().min(1).max(16);
/** Channels a rule answers: "all", one channel 1..16, or a list. */
export const ChannelsSchema = z.union([z.literal("all"), Channel, z.array(Channel).min(1)]);

const Velocity = z.number().int().min(1).max(127);

/** How input velocity becomes the velocity the instrument plays. */
export const VelocityCurveSchema = z.union([
  z.enum(["linear", "soft", "hard"]),
  z.object({ fixed: Velocity }).strict(),
  z.object({ table: z.array(z.number().int().min(0).max(127)).length(128) }).strict(),
]);

/** One keyboard layer: a split when its keys are a part of the keyboard, a layer when it overlaps another. */
export const LayerSchema = z.object({
  /** Name of an instrument of the sampler. */
  instrument: z.string().min(1),
  /** @default "all" */
  channels: ChannelsSchema.default("all"),
  /** Inclusive input key range. @default [0, 127] */
  keys: z.tuple([Key, Key]).default([0, 127]),
  /** Inclusive input velocity range. @default [1, 127] */
  velocities: z.tuple([Velocity, Velocity]).default([1, 127]),
  /** Semitones added to the key. @default 0 */
  transpose: z.number().int().min(-127).max(127).default(0),
  /** @default "linear" */
  velocityCurve: VelocityCurveSchema.default("linear"),
  /** Plays only while the channel's program (program change) is this, 0..127. @default any program */
  program: z.number().int().min(0).max(127).optional(),
  /**
   * Per-note controls its notes play (`{ cutoff: 1200, room: 0.3 }`), set as
   * the instrument's control values when the map is set: they sit over the
   * zones' and under a note's own; layers of one instrument share them. @default none
   */
  controls: ControlsSchema.optional(),
}).strict().superRefine((l, ctx) => {
  const lo = keyNumber(l.keys[0]), hi = keyNumber(l.keys[1]);
  if (lo !== undefined && hi !== undefined && lo > hi) {
    ctx.addIssue({
      code: "custom",
      path: ["keys"],
      message: `is ${lo}..${hi}: the low key is above the high key`,
    });
  }
  if (l.velocities[0] > l.velocities[1]) {
    ctx.addIssue({
      code: "custom",
      path: ["velocities"],
      message: `is ${l.velocities[0]}..${l.velocities[1]}: the low velocity is above the high one`,
    });
  }
});

const ParamName = z.enum(Object.keys(PARAMS) as [keyof typeof PARAMS, ...(keyof typeof PARAMS)[]]);

const ControlName = z.enum(CONTROL_ROWS.map((r) => r.name) as [ControlName, ...ControlName[]]);

/** A controller (CC) driving an instrument parameter or a per-note control. */
export const ControllerSchema = z.object({
  /** Controller number 0..127 (1 mod wheel, 7 volume, 10 pan, 11 expression, 64 sustain, ...). */
  cc: z.number().int().min(0).max(127),
  /** Parameter it sets (see PARAMS of lib/engine/instrument.ts); give this or `control`. */
  param: ParamName.optional(),
  /**
   * Per-note control it sets for the instrument's next notes (`"cutoff"`,
   * `"room"`, ...; lib/ffi/control_table.ts); give this or `param`.
   */
  control: ControlName.optional(),
  /** Values at controller 0 and 127. @default the parameter's or control's full range */
  range: z.tuple([z.number(), z.number()]).optional(),
  /** linear; exp (x², fine control at the low end); log (√x); switch (127 at 64 and above). @default "linear" */
  curve: z.union([
    z.enum(["linear", "exp", "log", "switch"]),
    z.object({ table: z.array(z.number()).length(128) }).strict(),
  ]).default("linear"),
  /** @default "all" */
  channels: ChannelsSchema.default("all"),
  /** Only this instrument. @default every instrument the channel's layers play */
  instrument: z.string().min(1).optional(),
}).strict().superRefine((c, ctx) => {
  if ((c.param === undefined) === (c.control === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["param"],
      message: "give either param or control",
    });
  }
});

/** Settings of one channel. */
export const ChannelSettingsSchema = z.object({
  channel: Channel,
  /** Pitch-bend range in semitones 0..48. @default the map's bendRange, else the instrument's (2) */
  bendRange: z.number().min(0).max(48).optional(),
  /** Program in force until a program change arrives. @default 0 */
  program: z.number().int().min(0).max(127).default(0),
  /** Unmapped controllers reach the channel's instruments as control changes. @default true */
  passControllers: z.boolean().default(true),
}).strict();

/** A whole MIDI mapping. */
export const MidiMapSchema = z.object({
  layers: z.array(LayerSchema).max(256),
  /** @default [] */
  controllers: z.array(ControllerSchema).max(128).default([]),
  /** @default [] */
  channels: z.array(ChannelSettingsSchema).default([]),
  /** Pitch-bend range in semitones for every channel without its own. @default the instrument's (2) */
  bendRange: z.number().min(0).max(48).optional(),
}).strict();

/** A mapping as written (defaults optional). */
export type MidiMapInput = z.input<typeof MidiMapSchema>;
/** A validated mapping (defaults filled in). */
export type MidiMap = z.output<typeof MidiMapSchema>;
/** One layer as written. */
export type LayerInput = z.input<typeof LayerSchema>;
