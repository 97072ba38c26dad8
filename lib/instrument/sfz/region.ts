/**
 * An SFZ region while its inherited and own opcodes apply, in SFZ units, and
 * the checks that skip a region that can never play.
 *
 * Thread: CT. Pure.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import type { LoopMode, ZoneDefinitionInput } from "../schema.ts";

/** Filter state of a region while its opcodes apply. */
export interface FilterState {
  type?: "lowpass" | "highpass" | "bandpass" | "off";
  cutoff?: number;
  resonance?: number;
  veltrack?: number;
  keytrack?: number;
  keycenter?: number;
  egDepth?: number;
  egDelay?: number;
  egAttack?: number;
  egHold?: number;
  egDecay?: number;
  egSustain?: number;
  egRelease?: number;
  cc?: { controller: number; cents: number };
}

/** The stages of an SFZ envelope as read: times in seconds, sustain 0..1. */
export interface EgStages {
  delay?: number;
  attack?: number;
  hold?: number;
  decay?: number;
  sustain?: number;
  release?: number;
}

/** A region while its inherited and own opcodes apply; SFZ units. */
export interface RegionState {
  sample?: string;
  generator?: string;
  lokey: number;
  hikey: number;
  keycenter: number | "sample";
  lovel: number;
  hivel: number;
  tune: number;
  transpose: number;
  volume: number;
  amplitude: number;
  /** ARIA's global_volume, master_volume, group_volume (dB, added to volume). */
  levelVolume: { global: number; master: number; group: number };
  /** ARIA's global_amplitude, master_amplitude, group_amplitude (percent, multiplied). */
  levelAmplitude: { global: number; master: number; group: number };
  /** ARIA's global_tune, master_tune, group_tune (cents, added to tune). */
  levelTune: { global: number; master: number; group: number };
  pan: number;
  ampVeltrack?: number;
  velcurve: Map<number, number>;
  /** ampeg_*: the amplitude envelope. */
  env: EgStages;
  /** pitcheg_*: the pitch envelope (depth in cents, times in seconds, sustain 0..1). */
  pitchEg: EgStages & { depth?: number; velDepth?: number };
  loopMode?: LoopMode;
  loopStart?: number;
  loopEnd?: number;
  offset?: number;
  seqLength: number;
  seqPosition: number;
  lorand: number;
  hirand: number;
  group: number;
  offBy?: number;
  offMode?: "fast" | "normal" | "time";
  /** off_time (s), with off_mode=time. */
  offTime?: number;
  trigger?: "attack" | "release";
  lochan: number;
  hichan: number;
  swLokey?: number;
  swHikey?: number;
  swLast?: number;
  pitchKeytrack?: number;
  filter: FilterState;
  /** loccN/hiccN: the region plays only while each controller is in its range (0..127). */
  ccRanges: Map<number, [number, number]>;
  /** on_loccN/on_hiccN: the region starts when the controller moves into the range, not on notes. */
  ccTriggers: Map<number, [number, number]>;
  /** Opcodes read but not played yet (crossfades, CC modulation, LFOs, ...): name to value. */
  unplayed: Map<string, string>;
}

/** One opcode's effect on a region (applied in header order: global, master, group, region). */
export type Setter = (r: RegionState) => void;

/** A zone being built, with its round-robin position (sorted on, then dropped). */
export type ZoneDraft = ZoneDefinitionInput & { seq?: number };

/** A region with SFZ's defaults. */
export function freshRegion(): RegionState {
  return {
    lokey: 0,
    hikey: 127,
    keycenter: 60,
    lovel: 1,
    hivel: 127,
    tune: 0,
    transpose: 0,
    volume: 0,
    amplitude: 100,
    levelVolume: { global: 0, master: 0, group: 0 },
    levelAmplitude: { global: 100, master: 100, group: 100 },
    levelTune: { global: 0, master: 0, group: 0 },
    pan: 0,
    velcurve: new Map(),
    env: {},
    pitchEg: {},
    seqLength: 1,
    seqPosition: 1,
    lorand: 0,
    hirand: 1,
    group: 0,
    lochan: 1,
    hichan: 16,
    filter: {},
    ccRanges: new Map(),
    ccTriggers: new Map(),
    unplayed: new Map(),
  };
}

/**
 * Why a region never sounds while every controller holds its initial value
 * (set_ccN, else sfizz's defaults: 100 for CC7, 64 for CC10, 127 for CC11,
 * 0 for the others), or undefined when it may: loccN/hiccN
 * are not played yet, so such a layer would otherwise sound with all others.
 *
 * @param r the region, all opcodes applied
 * @param initial the initial value of a controller
 * @returns the reason, as a warning words it
 */
export function silentAtRest(
  r: RegionState,
  initial: (cc: number) => number,
): string | undefined {
  if (r.ccTriggers.size) return "starts on a controller (on_loccN/on_hiccN), not on notes";
  for (const [cc, [lo, hi]] of r.ccRanges) {
    const v = initial(cc);
    if (v < lo || v > hi) return `plays only with CC${cc} in ${lo}..${hi}, which starts at ${v}`;
  }
  return undefined;
}

/** The lowest velocity a region plays (velocity 0 is a note-off). */
export function lowestVelocity(r: RegionState): number {
  return Math.max(1, r.lovel);
}

/**
 * Why a region with a sample never plays, or undefined when it can.
 *
 * @param r the region, all opcodes applied
 * @returns the reason, as a warning words it
 */
export function neverPlays(r: RegionState): string | undefined {
  if (r.sample === undefined) return "has no sample=";
  if (r.lokey < 0 || r.hikey < 0) return "plays no key (lokey or hikey is -1)";
  if (r.lokey > r.hikey) return `plays no key (lokey ${r.lokey} is above hikey ${r.hikey})`;
  if (r.hivel < lowestVelocity(r)) return `plays no velocity (lovel ${r.lovel}, hivel ${r.hivel})`;
  if (r.seqPosition > r.seqLength) {
    return `never plays (seq_position ${r.seqPosition} is beyond seq_length ${r.seqLength})`;
  }
  if (r.lochan > r.hichan) return `plays no channel (lochan ${r.lochan}, hichan ${r.hichan})`;
  return undefined;
}

/**
 * The gain of a region's controller crossfades (xfin_loccN/xfin_hiccN,
 * xfout_loccN/xfout_hiccN, xf_cccurve) while every controller holds its
 * initial value, 0..1, as sfizz computes it: 0 below xfin_lo, 1 from xfin_hi,
 * between them sqrt(x) (power, the default) or x (gain); xfout mirrored.
 *
 * @param r the region, all opcodes applied
 * @param initial the initial value of a controller
 * @returns the product of every crossfade's gain
 */
export function crossfadeGainAtRest(r: RegionState, initial: (cc: number) => number): number {
  const ranges = new Map<string, { lo?: number; hi?: number }>();
  for (const [name, value] of r.unplayed) {
    const m = /^xf(in|out)_(lo|hi)cc(\d+)$/.exec(name);
    const v = Number(value);
    if (!m || value.trim() === "" || !Number.isFinite(v)) continue;
    const key = `${m[1]}:${m[3]}`;
    const range = ranges.get(key) ?? {};
    range[m[2] as "lo" | "hi"] = v;
    ranges.set(key, range);
  }
  const gainCurve = r.unplayed.get("xf_cccurve") === "gain";
  const shape = (x: number) => (gainCurve ? x : Math.sqrt(x));
  let gain = 1;
  for (const [key, range] of ranges) {
    const [dir, cc] = key.split(":") as ["in" | "out", string];
    const value = initial(Number(cc));
    if (dir === "in") {
      const lo = range.lo ?? 0, hi = range.hi ?? 0;
      if (value < lo) gain = 0;
      else if (value < hi) gain *= shape((value - lo) / (hi - lo));
    } else {
      const lo = range.lo ?? 127, hi = range.hi ?? 127;
      if (value > hi) gain = 0;
      else if (value > lo) gain *= shape((hi - value) / (hi - lo));
    }
  }
  return gain;
}

/** A controller curve: a controller value 0..127 to a factor (SFZ <curve> or a built-in one). */
export type CcCurve = (value: number) => number;

/** sfizz's predefined curves 0..5 (linear, bipolar, inverted, inverted bipolar, x², √x). */
const BUILTIN_CURVES: readonly CcCurve[] = [
  (v) => v / 127,
  (v) => (2 * v) / 127 - 1,
  (v) => 1 - v / 127,
  (v) => 1 - (2 * v) / 127,
  (v) => (v / 127) ** 2,
  (v) => Math.sqrt(v / 127),
];

/**
 * A <curve>'s points (vNNN) as a function: linear between the points given,
 * v000 = 0 and v127 = 1 where they are not.
 *
 * @param points value 0..127 to factor
 * @returns the curve
 */
export function curveOf(points: ReadonlyMap<number, number>): CcCurve {
  const all = new Map(points);
  if (!all.has(0)) all.set(0, 0);
  if (!all.has(127)) all.set(127, 1);
  const xs = [...all.keys()].sort((a, b) => a - b);
  return (v) => {
    let i = 0;
    while (i < xs.length - 2 && xs[i + 1]! <= v) i++;
    const x0 = xs[i]!, x1 = xs[i + 1]!;
    const y0 = all.get(x0)!, y1 = all.get(x1)!;
    return x1 === x0 ? y1 : y0 + ((y1 - y0) * (Math.min(Math.max(v, x0), x1) - x0)) / (x1 - x0);
  };
}

/**
 * What amplitude_onccN (multiplied: `amplitude_oncc7=100` goes from silence
 * to full) and volume_onccN (dB, added) give while every controller holds its
 * initial value, each through its `_curveccN` (sfizz's built-in curves 0..5
 * or a <curve> header; linear without one).
 *
 * @param r the region, all opcodes applied
 * @param initial the initial value of a controller
 * @param curves the <curve> headers by curve_index
 * @param only which controllers to take (default: all)
 * @returns the amplitude factor and the dB to add
 */
export function levelAtRest(
  r: RegionState,
  initial: (cc: number) => number,
  curves: ReadonlyMap<number, CcCurve>,
  only: (cc: number) => boolean = () => true,
): { amplitude: number; db: number } {
  let amplitude = 1, db = 0;
  const curve = (kind: string, cc: number): CcCurve => {
    const index = Number(r.unplayed.get(`${kind}_curvecc${cc}`) ?? 0);
    return curves.get(index) ?? BUILTIN_CURVES[index] ?? BUILTIN_CURVES[0]!;
  };
  for (const [name, value] of r.unplayed) {
    const m = /^(amplitude|volume|gain)_(?:on)?cc(\d+)$/.exec(name);
    const depth = Number(value);
    if (!m || value.trim() === "" || !Number.isFinite(depth)) continue;
    const kind = m[1] === "gain" ? "volume" : m[1]!;
    const cc = Number(m[2]);
    if (!only(cc)) continue;
    const x = curve(kind, cc)(initial(cc));
    if (kind === "amplitude") amplitude *= Math.max(0, (depth / 100) * x);
    else db += depth * x;
  }
  return { amplitude, db };
}
