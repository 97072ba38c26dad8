/**
 * SoundFont modulators (spec 2.04, section 8.2 and 9.5) as far as an engine
 * zone can hold them: the default modulators, an instrument's (local ones
 * replacing global ones and defaults of the same identity) and a preset's
 * (added to identical ones), then each turned into what plays it.
 *
 * - Velocity to attenuation with its default identity becomes the zone's
 *   velocity curve (any amount; 960 cB is the engine's square law).
 * - The controller defaults the engine plays itself (CC7, CC10, CC11, pitch
 *   bend) are left to it. CC1 to vibrato is played by the zone's vibrato
 *   LFO row scaled by CC1 (zones.ts), with the font's amount. The send
 *   modulators (CC91, CC93) read their controllers' initial value, 0 (as
 *   FluidSynth's channels start): they add nothing to the sends.
 * - Any other modulator is evaluated once per zone, with velocity and key at
 *   the middle of the zone's ranges (zones whose modulators read velocity
 *   are split into velocity bands of 16 first: zones.ts) and controllers at
 *   their initial values (CC7 100, CC10 64, CC11 127, others 0), and added to
 *   its generator; what is fixed that way is reported.
 *
 * Source curves as FluidSynth computes them (fluid_conv.c, read for the
 * formulas; nothing copied): concave -(20/96)·log10((1-x)²), convex its
 * mirror, switch at 0.5.
 *
 * Thread: CT. Pure.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * @module
 */
import type { Sf2Modulator } from "./riff.ts";

const ATTENUATION = 48;
/** Velocity (general controller 2), unipolar, negative, concave: the default velocity source. */
const VEL_CONCAVE_NEG = 0x0502;

/** The SF2.01 default modulators (identity and amount). */
export const DEFAULT_MODULATORS: readonly Sf2Modulator[] = [
  { src: VEL_CONCAVE_NEG, dest: ATTENUATION, amount: 960, amtSrc: 0, trans: 0 },
  // velocity to cutoff: FluidSynth 2.3 leaves it out (measured: TimGM6mb's
  // piano at velocity 64 sounds alike without it); a font can still set it
  { src: 0x0102, dest: 8, amount: 0, amtSrc: 0x0d02, trans: 0 },
  { src: 0x0587, dest: ATTENUATION, amount: 960, amtSrc: 0, trans: 0 }, // CC7
  { src: 0x058b, dest: ATTENUATION, amount: 960, amtSrc: 0, trans: 0 }, // CC11
  { src: 0x028a, dest: 17, amount: 1000, amtSrc: 0, trans: 0 }, // CC10 pan
  { src: 0x0081, dest: 6, amount: 50, amtSrc: 0, trans: 0 }, // CC1 vibrato
  { src: 0x00db, dest: 16, amount: 200, amtSrc: 0, trans: 0 }, // CC91 reverb
  { src: 0x00dd, dest: 15, amount: 200, amtSrc: 0, trans: 0 }, // CC93 chorus
  { src: 0x020e, dest: 52, amount: 12700, amtSrc: 0x0010, trans: 0 }, // pitch wheel
];

/** Identities the engine plays itself (or that are sends): left alone. */
const ENGINE_PLAYED = new Set(DEFAULT_MODULATORS.slice(2).map((m) => key(m)));
/** CC1 to vibLfoToPitch: its amount is the vibrato row's depth at full wheel. */
const WHEEL_TO_VIBRATO = key(DEFAULT_MODULATORS[5]!);
/** CC91 / CC93 to the sends: at the controllers' initial 0 they add nothing, whatever the amount. */
const SENDS = new Set([key(DEFAULT_MODULATORS[6]!), key(DEFAULT_MODULATORS[7]!)]);

function key(m: Sf2Modulator): string {
  return `${m.src}:${m.dest}:${m.amtSrc}:${m.trans}`;
}

/**
 * The modulators in force for one zone.
 *
 * @param instrument The instrument zone's modulators, global zone's first (local ones replace them).
 * @param preset The preset zone's modulators, global zone's first.
 * @returns The final list: defaults replaced by the instrument's, preset amounts added.
 */
export function mergeModulators(
  instrument: readonly (readonly Sf2Modulator[])[],
  preset: readonly (readonly Sf2Modulator[])[],
): Sf2Modulator[] {
  const out = new Map<string, Sf2Modulator>(DEFAULT_MODULATORS.map((m) => [key(m), m]));
  for (const list of instrument) for (const m of list) out.set(key(m), m);
  const added = new Map<string, Sf2Modulator>();
  for (const list of preset) for (const m of list) added.set(key(m), m); // local replaces global
  for (const [k, m] of added) {
    const base = out.get(k);
    out.set(k, base ? { ...base, amount: base.amount + m.amount } : m);
  }
  return [...out.values()];
}

/** A source's value 0..1 (bipolar -1..1) from its raw 0..1 input, by its direction, polarity and curve. */
export function sourceValue(src: number, x: number): number {
  if (src & 0x100) x = 1 - x;
  const curve = src >> 10;
  let y: number;
  switch (curve) {
    case 1: // concave
      y = x >= 1 ? 1 : Math.min(1, Math.max(0, -(400 / 960) * Math.log10(1 - x)));
      break;
    case 2: // convex
      y = x <= 0 ? 0 : Math.min(1, Math.max(0, 1 + (400 / 960) * Math.log10(x)));
      break;
    case 3: // switch
      y = x >= 0.5 ? 1 : 0;
      break;
    default:
      y = x;
  }
  return src & 0x200 ? 2 * y - 1 : y;
}

/** Initial controller values (GM reset): CC7 100, CC10 64, CC11 127, others 0. */
const CC_INITIAL: Readonly<Record<number, number>> = { 7: 100, 10: 64, 11: 127 };

/** What a source reads at a note's start (velocity, key, initial controllers); undefined for a link. */
function sourceInput(src: number, velocity: number, note: number): number | undefined {
  const index = src & 0x7f;
  if (src & 0x80) return (CC_INITIAL[index] ?? 0) / 127;
  switch (index) {
    case 0:
      return undefined; // no controller
    case 2:
      return velocity / 127;
    case 3:
      return note / 127;
    case 14:
      return 0.5; // pitch wheel at centre
    case 16:
      return 2 / 127; // pitch wheel sensitivity: 2 semitones
    case 127:
      return undefined; // linked modulators: not read
    default:
      return 0; // pressures
  }
}

/**
 * Whether a modulator list reads velocity anywhere but in the velocity
 * curve or the engine-played defaults (then a zone is split by velocity).
 *
 * @param mods From {@linkcode mergeModulators}.
 * @returns True when some modulator with a non-zero amount has velocity as a source.
 */
export function readsVelocity(mods: readonly Sf2Modulator[]): boolean {
  const isVel = (s: number) => !(s & 0x80) && (s & 0x7f) === 2;
  return mods.some((m) =>
    m.amount !== 0 && !ENGINE_PLAYED.has(key(m)) &&
    !(m.src === VEL_CONCAVE_NEG && m.dest === ATTENUATION && m.amtSrc === 0 && m.trans === 0) &&
    (isVel(m.src) || isVel(m.amtSrc))
  );
}

/** How the modulators of one zone play. */
export interface ZoneModulation {
  /** Amounts added to generators (attenuation in cB, not scaled by the EMU factor). */
  readonly add: Map<number, number>;
  /** The velocity-to-attenuation amount in cB (960 is the default). */
  readonly velocityToAttenuation: number;
  /** Cents of vibrato (vibLfoToPitch) at full mod wheel: CC1's modulator amount (50 by default). */
  readonly wheelToVibrato: number;
  /** What is not played ("linked modulators") or approximated ("approximated: ..."), for the report. */
  readonly fixed: string[];
}

/**
 * Evaluate a zone's modulators.
 *
 * @param mods From {@linkcode mergeModulators}.
 * @param velocity The velocity to evaluate velocity sources at (the zone's middle).
 * @param note The key to evaluate key sources at (the zone's middle).
 * @returns Generator additions, the velocity-to-attenuation amount, and what was fixed.
 */
export function evaluateModulators(
  mods: readonly Sf2Modulator[],
  velocity: number,
  note: number,
): ZoneModulation {
  const add = new Map<number, number>();
  const fixed: string[] = [];
  let velocityToAttenuation = 0, wheelToVibrato = 0;
  for (const m of mods) {
    const k = key(m);
    if (k === WHEEL_TO_VIBRATO) {
      wheelToVibrato += m.amount;
      continue;
    }
    if (SENDS.has(k)) continue;
    if (m.src === VEL_CONCAVE_NEG && m.dest === ATTENUATION && m.amtSrc === 0 && m.trans === 0) {
      velocityToAttenuation += m.amount;
      continue;
    }
    if (ENGINE_PLAYED.has(k)) {
      const d = DEFAULT_MODULATORS.find((x) => key(x) === k)!;
      if (d.amount !== m.amount) {
        fixed.push("approximated: controller modulators with other amounts play the default");
      }
      continue;
    }
    if (m.amount === 0 || m.src === 0) continue;
    const a = sourceInput(m.src, velocity, note);
    const b = m.amtSrc === 0 ? 1 : sourceInput(m.amtSrc, velocity, note);
    if (a === undefined || b === undefined) {
      fixed.push("linked modulators");
      continue;
    }
    let v = m.amount * sourceValue(m.src, a) * (m.amtSrc === 0 ? 1 : sourceValue(m.amtSrc, b));
    if (m.trans === 2) v = Math.abs(v);
    add.set(m.dest, (add.get(m.dest) ?? 0) + v);
    const fromNote = [m.src, m.amtSrc].some((s) =>
      !(s & 0x80) && ((s & 0x7f) === 2 || (s & 0x7f) === 3)
    );
    const fromCc = [m.src, m.amtSrc].some((s) => (s & 0x80) !== 0);
    if (fromNote) {
      fixed.push(
        "approximated: velocity/key modulators, per velocity band of 16 at the zone's middle key",
      );
    }
    if (fromCc) {
      fixed.push("approximated: controller modulators, fixed at the controllers' initial values");
    }
  }
  return { add, velocityToAttenuation, wheelToVibrato, fixed };
}

/**
 * The velocity curve of a velocity-to-attenuation amount: gain per velocity
 * 0..127 as [velocity, gain] points for the zone's `velocityCurve`.
 *
 * @param amount cB at full effect (960: the square law).
 * @returns 128 points.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { velocityCurvePoints } from "./modulators.ts";
 * const p = velocityCurvePoints(960);
 * assert(Math.abs(p[64]![1] - (64 / 127) ** 2) < 1e-9);
 * ```
 */
export function velocityCurvePoints(amount: number): [number, number][] {
  return Array.from({ length: 128 }, (_, v) => {
    const cb = amount * sourceValue(VEL_CONCAVE_NEG, v / 127);
    return [v, Math.min(4, Math.pow(10, -cb / 200))] as [number, number];
  });
}
