/**
 * Zone modulation rows as instrument definitions and `addZone` write them
 * (SFZ's CC-driven opcodes: loccN/hiccN, on_loccN, crossfades, *_onccN,
 * pitch_random), and their conversion to the engine's `ms_zone_mod_t`
 * records (lib/ffi/layout.ts `ZONE_MOD`; the engine checks them again in
 * ms_instrument_set_zone_mods).
 *
 * Thread: CT. Pure.
 *
 * @module
 */

import { z } from "zod";
import { CURVE, LFO, MOD, MOD_DEPTH, XF, type ZoneModRecord } from "../ffi/layout.ts";

/** Sources beyond the CCs 0..127, by name. */
const SOURCES = {
  bend: MOD.SRC_BEND,
  velocity: MOD.SRC_VELOCITY,
  key: MOD.SRC_KEY,
  random: MOD.SRC_RANDOM,
  randomBipolar: MOD.SRC_RANDOM_BIPOLAR,
  heldSeconds: MOD.SRC_HELD_SECONDS,
  lfo: MOD.SRC_LFO,
} as const;

/** LFO waves by name (SFZ lfoN_wave 0..7). */
const WAVES = {
  triangle: LFO.TRIANGLE,
  sine: LFO.SINE,
  pulse75: LFO.PULSE75,
  square: LFO.SQUARE,
  pulse25: LFO.PULSE25,
  pulse12: LFO.PULSE12,
  sawUp: LFO.SAW_UP,
  sawDown: LFO.SAW_DOWN,
} as const;

/** A row's LFO (source `lfo`): -1..1 from the voice's start. */
export const ZoneLfoSchema = z.strictObject({
  /** Rate, 0.001..100 Hz. */
  hz: z.number().min(0.001).max(100),
  /** @default "sine" */
  wave: z.enum(Object.keys(WAVES) as [keyof typeof WAVES]).optional(),
  /** Seconds at 0 after note-on, 0..100. @default 0 */
  delay: z.number().min(0).max(100).optional(),
  /** Seconds to reach full depth after the delay, 0..100. @default 0 */
  fade: z.number().min(0).max(100).optional(),
});

/** Targets by name. */
const TARGETS = {
  range: MOD.RANGE,
  trigger: MOD.TRIGGER,
  xfin: MOD.XFIN,
  xfout: MOD.XFOUT,
  amplitude: MOD.AMPLITUDE,
  volume: MOD.VOLUME_DB,
  pan: MOD.PAN,
  pitch: MOD.PITCH_CENTS,
  cutoff: MOD.CUTOFF_CENTS,
  ampegDelay: MOD.AMPEG_DELAY_S,
  ampegAttack: MOD.AMPEG_ATTACK_S,
  ampegHold: MOD.AMPEG_HOLD_S,
  ampegDecay: MOD.AMPEG_DECAY_S,
  ampegSustain: MOD.AMPEG_SUSTAIN,
  ampegRelease: MOD.AMPEG_RELEASE_S,
  offset: MOD.OFFSET_FRAMES,
  width: MOD.WIDTH,
  lfoHz: MOD.LFO_HZ,
} as const;

/** Curves by name: the depth targets' (sfizz's built-in 0..5) and the crossfades' (power, gain). */
const CURVES = {
  linear: CURVE.LINEAR,
  bipolar: CURVE.BIPOLAR,
  inverted: CURVE.INVERTED,
  invertedBipolar: CURVE.INVERTED_BIPOLAR,
  square: CURVE.SQUARE,
  sqrt: CURVE.SQRT,
  upper: CURVE.UPPER,
  lower: CURVE.LOWER,
  power: XF.POWER,
  gain: XF.GAIN,
} as const;

const CROSSFADES = new Set(["xfin", "xfout"]);
const RANGED = new Set(["range", "trigger", "xfin", "xfout"]);

/**
 * One modulation row of a zone: a source (a CC number 0..127, or `bend`,
 * `velocity`, `key`, `random` 0..1, `randomBipolar` -1..1, `heldSeconds`:
 * how long the key was held, for release zones) acting on a
 * target:
 * - `range`: the zone plays a note only while the CC is in lo..hi (loccN/hiccN);
 * - `trigger`: a CC message with its value in lo..hi starts the zone (on_loccN/on_hiccN);
 * - `xfin` / `xfout`: a crossfade over lo..hi, curve `power` (default) or `gain`;
 * - `amplitude` (gain factor, -10..10), `volume` (dB, -144..144), `pan` (-2..2),
 *   `pitch` (cents), `cutoff` (cents): depth times the curve of the source
 *   (`linear` by default; `bipolar`, `inverted`, `invertedBipolar`, `square`, `sqrt`;
 *   `upper` and `lower`, the halves of a bipolar source: bend_up, bend_down; or a number
 *   8..255, one of the instrument's `curves`).
 * - `ampegDelay`, `ampegAttack`, `ampegHold`, `ampegDecay`, `ampegRelease` (seconds
 *   added, -100..100) and `ampegSustain` (level added, -1..1): the amplitude envelope,
 *   read at note-on whatever the source (ampeg_*_onccN, ampeg_vel2*).
 * An `lfo` source is the row's own LFO (`lfo: { hz, wave, delay, fade }`), -1..1 from
 * the voice's start, followed like a CC; on an `amplitude` row it scales the gain by
 * 1 + depth * lfo (kept >= 0; SFZ lfoN_amplitude / 100). `depthCc` scales an lfo row's
 * value by that CC / 127, followed like a CC (SFZ lfoN_pitch_onccN, _volume_, _pan_, _cutoff_).
 * - `offset`: frames added to the start offset at note-on (offset_onccN), 0..2^31.
 * - `width`: added to a stereo zone's width / 100 (width_onccN / 100), -2..2; the sum kept in -1..1.
 * - `lfoHz`: Hz added (-100..100) to the rate of the zone's lfo rows with the same `lfoIndex`, from a CC
 *   or the bend, followed: those rows keep their phase as the rate moves (SFZ lfoN_freq_onccN).
 * CC and bend sources are followed while the note plays; the others are read at note-on.
 * A zone with `pitch` rows on `bend` bends by them, not by the instrument's bend range.
 */
export const ZoneModSchema = z.strictObject({
  /** A CC 0..127 or a named source. */
  source: z.union([
    z.number().int().min(0).max(127),
    z.enum(Object.keys(SOURCES) as [keyof typeof SOURCES]),
  ]),
  /** What the row acts on. */
  target: z.enum(Object.keys(TARGETS) as [keyof typeof TARGETS]),
  /** @default "linear" (depth targets), "power" (crossfades) */
  curve: z.union([
    z.enum(Object.keys(CURVES) as [keyof typeof CURVES]),
    z.number().int().min(CURVE.FIRST_CUSTOM).max(255),
  ]).optional(),
  /** The target's amount at curve value 1. @default 0 */
  depth: z.number().finite().optional(),
  /** Range start, in the source's unit (range, trigger, crossfades). @default 0 */
  lo: z.number().min(-1).max(127).optional(),
  /** Range end. @default 127 */
  hi: z.number().min(-1).max(127).optional(),
  /** The LFO of a row whose source is `lfo` (SFZ lfoN_freq, _wave, _delay, _fade). */
  lfo: ZoneLfoSchema.optional(),
  /** An lfo row only: its value is scaled by this CC (0..127) / 127. @default none (a fixed depth) */
  depthCc: z.number().int().min(0).max(127).optional(),
  /** An lfo row: its LFO's number (1..255), for `lfoHz` rows to name; an `lfoHz` row: the LFO it speeds up. @default none */
  lfoIndex: z.number().int().min(1).max(255).optional(),
}).superRefine((m, ctx) => {
  const depthRange = (MOD_DEPTH as Record<number, readonly [number, number]>)[TARGETS[m.target]];
  if (depthRange && m.depth !== undefined && (m.depth < depthRange[0] || m.depth > depthRange[1])) {
    ctx.addIssue({
      code: "custom",
      path: ["depth"],
      message: `${m.target} depth ${m.depth} is outside ${depthRange[0]}..${depthRange[1]}`,
    });
  }
  if (RANGED.has(m.target) && (m.lo ?? 0) > (m.hi ?? 127)) {
    ctx.addIssue({
      code: "custom",
      path: ["lo"],
      message: `lo ${m.lo} is above hi ${m.hi ?? 127}`,
    });
  }
  if ((m.source === "lfo") !== (m.lfo !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["lfo"],
      message: 'an lfo row (source "lfo") and only it has `lfo`',
    });
  }
  if (m.depthCc !== undefined && m.source !== "lfo") {
    ctx.addIssue({
      code: "custom",
      path: ["depthCc"],
      message: 'only an lfo row (source "lfo") has `depthCc`',
    });
  }
  if (
    m.target === "lfoHz"
      ? m.lfoIndex === undefined || (typeof m.source !== "number" && m.source !== "bend")
      : m.lfoIndex !== undefined && m.source !== "lfo"
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["lfoIndex"],
      message:
        'an lfoHz row reads a CC or "bend" and names its lfoIndex; only lfo rows have one otherwise',
    });
  }
  if ((m.target === "range" || m.target === "trigger") && typeof m.source !== "number") {
    ctx.addIssue({
      code: "custom",
      path: ["source"],
      message: `a ${m.target} row reads a CC (0..127)`,
    });
  }
  if (
    m.curve !== undefined &&
    CROSSFADES.has(m.target) !== (m.curve === "power" || m.curve === "gain")
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["curve"],
      message: CROSSFADES.has(m.target)
        ? `a crossfade's curve is "power" or "gain"`
        : `"${m.curve}" is a crossfade curve`,
    });
  }
});

/** A zone modulation row as written. */
export type ZoneMod = z.input<typeof ZoneModSchema>;

/**
 * Rows as the engine's records.
 *
 * @param rows parsed rows
 * @returns the `ms_zone_mod_t` values, in order
 */
export function zoneModRecords(rows: readonly ZoneMod[]): ZoneModRecord[] {
  return rows.map((m) => ({
    source: typeof m.source === "number" ? m.source : SOURCES[m.source],
    target: TARGETS[m.target],
    curve: typeof m.curve === "number"
      ? m.curve
      : CURVES[m.curve ?? (CROSSFADES.has(m.target) ? "power" : "linear")],
    depth: m.depth ?? 0,
    lo: m.lo ?? 0,
    hi: m.hi ?? 127,
    ...(m.lfo
      ? {
        lfoHz: m.lfo.hz,
        lfoWave: WAVES[m.lfo.wave ?? "sine"],
        lfoDelay: m.lfo.delay ?? 0,
        lfoFade: m.lfo.fade ?? 0,
        ...(m.depthCc !== undefined ? { lfoDepthCc: m.depthCc + 1 } : {}),
      }
      : {}),
    ...(m.lfoIndex !== undefined ? { lfoIndex: m.lfoIndex } : {}),
  }));
}
