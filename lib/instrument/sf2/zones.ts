/**
 * A SoundFont preset as engine zones: preset zones × instrument zones layered
 * as the SoundFont 2.04 specification says (section 9.4: an instrument's
 * global zone gives defaults to its local zones, a preset's generators are
 * added to the instrument's, key and velocity ranges intersect, the preset
 * level may not set sample offsets, loop mode, root key, exclusive class,
 * fixed key or velocity), then each generator turned into the zone option of
 * lib/ffi/layout.ts's ZONE_OPTIONS that plays it the way FluidSynth's
 * fluid_voice.c does (read for reference; nothing copied).
 *
 * Generators the engine cannot play yet are counted and reported once per
 * family ({@linkcode PresetZones.unsupported}), never dropped silently.
 *
 * Thread: CT. Pure.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * @module
 */
import type { Controls } from "../../engine/controls.ts";
import type { ZoneOptions } from "../../engine/options.ts";
import type { ZoneMod } from "../../engine/zone_mods.ts";
import type { Sf2Generator, Sf2Modulator, Sf2Sample, Sf2Zone, SoundFont } from "./riff.ts";
import {
  evaluateModulators,
  mergeModulators,
  readsVelocity,
  velocityCurvePoints,
  type ZoneModulation,
} from "./modulators.ts";

/** SF2 generator numbers used here (spec 2.04, section 8.1.3). */
export const GEN = {
  startAddrsOffset: 0,
  endAddrsOffset: 1,
  startloopAddrsOffset: 2,
  endloopAddrsOffset: 3,
  startAddrsCoarseOffset: 4,
  modLfoToPitch: 5,
  vibLfoToPitch: 6,
  modEnvToPitch: 7,
  initialFilterFc: 8,
  initialFilterQ: 9,
  modLfoToFilterFc: 10,
  modEnvToFilterFc: 11,
  endAddrsCoarseOffset: 12,
  modLfoToVolume: 13,
  chorusEffectsSend: 15,
  reverbEffectsSend: 16,
  pan: 17,
  delayModLFO: 21,
  freqModLFO: 22,
  delayVibLFO: 23,
  freqVibLFO: 24,
  keynumToModEnvHold: 31,
  keynumToModEnvDecay: 32,
  delayModEnv: 25,
  attackModEnv: 26,
  holdModEnv: 27,
  decayModEnv: 28,
  sustainModEnv: 29,
  releaseModEnv: 30,
  delayVolEnv: 33,
  attackVolEnv: 34,
  holdVolEnv: 35,
  decayVolEnv: 36,
  sustainVolEnv: 37,
  releaseVolEnv: 38,
  keynumToVolEnvHold: 39,
  keynumToVolEnvDecay: 40,
  instrument: 41,
  keyRange: 43,
  velRange: 44,
  startloopAddrsCoarseOffset: 45,
  keynum: 46,
  velocity: 47,
  initialAttenuation: 48,
  endloopAddrsCoarseOffset: 50,
  coarseTune: 51,
  fineTune: 52,
  sampleID: 53,
  sampleModes: 54,
  scaleTuning: 56,
  exclusiveClass: 57,
  overridingRootKey: 58,
} as const;

/** Generator defaults that are not 0 (spec 8.1.3). */
const DEFAULTS: Readonly<Record<number, number>> = {
  [GEN.initialFilterFc]: 13500,
  21: -12000, // delayModLFO
  23: -12000, // delayVibLFO
  25: -12000, // delayModEnv
  26: -12000, // attackModEnv
  27: -12000, // holdModEnv
  28: -12000, // decayModEnv
  30: -12000, // releaseModEnv
  [GEN.delayVolEnv]: -12000,
  [GEN.attackVolEnv]: -12000,
  [GEN.holdVolEnv]: -12000,
  [GEN.decayVolEnv]: -12000,
  [GEN.releaseVolEnv]: -12000,
  [GEN.keynum]: -1,
  [GEN.velocity]: -1,
  [GEN.scaleTuning]: 100,
  [GEN.overridingRootKey]: -1,
};

/** Generators a preset zone may not set (spec 8.5: ignored there). */
const INSTRUMENT_ONLY = new Set<number>([
  GEN.startAddrsOffset,
  GEN.endAddrsOffset,
  GEN.startloopAddrsOffset,
  GEN.endloopAddrsOffset,
  GEN.startAddrsCoarseOffset,
  GEN.endAddrsCoarseOffset,
  GEN.startloopAddrsCoarseOffset,
  GEN.keynum,
  GEN.velocity,
  GEN.endloopAddrsCoarseOffset,
  GEN.sampleModes,
  GEN.exclusiveClass,
  GEN.overridingRootKey,
]);

/**
 * Families of generators the engine does not play yet, by generator number:
 * what `unsupported` reports. A generator at its default is not reported.
 */
const UNSUPPORTED_FAMILY: Readonly<Record<number, string>> = {
  [GEN.keynumToModEnvHold]: "key to modulation envelope hold/decay",
  [GEN.keynumToModEnvDecay]: "key to modulation envelope hold/decay",
};

/** One engine zone of a preset: which SF2 sample it plays and its options. */
export interface Sf2EngineZone {
  /** Index into `font.samples`. */
  readonly sample: number;
  /** Frames cut from the sample's end (endAddrsOffset, with coarse): the loader trims the data. */
  readonly endOffset: number;
  /** Zone options for Instrument.addZone (loop points relative to the sample's start). */
  readonly options: ZoneOptions;
}

/** What {@linkcode presetZones} returns. */
export interface PresetZones {
  readonly zones: Sf2EngineZone[];
  /** Family → number of zones that use it (generators the engine does not play yet). */
  readonly unsupported: Map<string, number>;
  /**
   * The instrument's custom curves the zones' rows name (128 values each,
   * curve number {@linkcode FIRST_CURVE} + index): per-key envelope times
   * (delayVolEnv, keynumToVolEnvHold/Decay).
   */
  readonly curves: number[][];
}

/** Options of {@linkcode presetZones}. */
export interface PresetZonesOptions {
  /**
   * Play reverbEffectsSend as the zone's `room` send into its orbit's reverb
   * (with FluidSynth's reverb character) and chorusEffectsSend as its
   * `chorus` send into the orbit's chorus. False leaves every send off: a dry
   * render, as `fluidsynth -R 0 -C 0` plays. @default true
   */
  effects?: boolean;
}

/** The first custom curve number (MS_CURVE_FIRST_CUSTOM); the engine has 8..255. */
export const FIRST_CURVE = 8;
const MAX_CURVES = 256 - FIRST_CURVE;

/**
 * FluidSynth's default reverb (fluid_rev.c, read for the numbers; nothing
 * copied: roomsize 0.2, damp 0, width 0.5, level 0.9) in the orbit reverb's
 * controls: roomsize 0.2 is a loop gain of 0.756 on FluidSynth's longest line
 * (1617 frames at 44.1 kHz), a DC reverberation time of 0.9 s, and measured on
 * its renders of TimGM6mb the tail falls 60 dB in about 1.05 s; damp 0 is no
 * high-frequency damping (roomdim and roomlp at 20 kHz); its tail has no
 * fade-in (roomfade 0). Its loudness: see {@linkcode FLUID_REVERB_SEND}.
 */
export const FLUID_REVERB: Readonly<Controls> = {
  roomsize: 1.05,
  roomdim: 20000,
  roomlp: 20000,
  roomfade: 0,
};

/**
 * `room` per unit of reverbEffectsSend (capped at 1): the orbit reverb (whose
 * loudness is superdough's) as loud as FluidSynth's at its level 0.9,
 * measured on TimGM6mb's piano, flute and bass (their wet part 8 dB under
 * FluidSynth's with `room` = the send).
 */
export const FLUID_REVERB_SEND = 2.5;

/** Generators that scale the modulation envelope's time by key (reported only where it acts). */
const MOD_ENV_STAGES = new Set<number>([GEN.keynumToModEnvHold, GEN.keynumToModEnvDecay]);

type GenMap = Map<number, Sf2Generator>;

function genMap(zone: Sf2Zone | undefined): GenMap {
  const m: GenMap = new Map();
  for (const g of zone?.generators ?? []) m.set(g.oper, g);
  return m;
}

/** A zone is global when it is first and does not end with its terminal generator (spec 7.3, 7.7). */
function isGlobal(zone: Sf2Zone, terminal: number): boolean {
  return !zone.generators.some((g) => g.oper === terminal);
}

/**
 * Timecents to seconds. -12000 (the default) is 1 ms, as the specification
 * and FluidSynth have it; values below are clamped there.
 */
export function timecents(tc: number): number {
  return Math.pow(2, Math.max(-12000, tc) / 1200);
}

/**
 * A modulation envelope's delay or hold (timecents) in seconds, 0..60: under
 * one FluidSynth block (64 frames at 48 kHz) it is 0, as FluidSynth counts
 * these stages in whole blocks (the default -12000, 1 ms, is none).
 */
function modEnvStage(tc: number): number {
  const t = timecents(tc);
  return t < 64 / 48000 ? 0 : Math.min(60, t);
}

/** Absolute cents (8.176 Hz × 2^(cents/1200)) to Hz. */
export function absCentsHz(cents: number): number {
  return 8.176 * Math.pow(2, cents / 1200);
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/**
 * FluidSynth (and the EMU hardware SoundFonts were made for) scale the
 * initialAttenuation generator by 0.4 when loading it (fluid_defsfont.c,
 * EMU_ATTENUATION_FACTOR); most banks are voiced for that, so we do too.
 */
export const EMU_ATTENUATION_FACTOR = 0.4;

/**
 * The engine zones of a preset.
 *
 * @param font The parsed font.
 * @param presetIndex Index into `font.presets`.
 * @returns The zones and the unsupported generator families with their zone counts.
 * @throws {RangeError} when a zone names an instrument or sample the font does not have.
 */
export function presetZones(
  font: SoundFont,
  presetIndex: number,
  options: PresetZonesOptions = {},
): PresetZones {
  const preset = font.presets[presetIndex];
  if (!preset) {
    throw new RangeError(`Cannot read preset ${presetIndex}: the font has ${font.presets.length}`);
  }
  const zones: Sf2EngineZone[] = [];
  const unsupported = new Map<string, number>();
  const note = (family: string) => unsupported.set(family, (unsupported.get(family) ?? 0) + 1);
  const curves: number[][] = [];
  const curveIndex = new Map<string, number>();
  /** The curve number of these 128 values (shared by equal ones); undefined when the 248 are taken. */
  const curve = (values: number[]): number | undefined => {
    const k = values.join(",");
    let i = curveIndex.get(k);
    if (i === undefined) {
      if (curves.length >= MAX_CURVES) {
        note("per-key envelope times beyond the instrument's 248 curves");
        return undefined;
      }
      i = curves.length;
      curves.push(values);
      curveIndex.set(k, i);
    }
    return FIRST_CURVE + i;
  };
  const effects = options.effects ?? true;
  let pZones = preset.zones;
  let pGlobal: GenMap = new Map();
  let pGlobalMods: readonly Sf2Modulator[] = [];
  if (pZones[0] && isGlobal(pZones[0], GEN.instrument)) {
    pGlobal = genMap(pZones[0]);
    pGlobalMods = pZones[0].modulators;
    pZones = pZones.slice(1);
  }
  for (const pz of pZones) {
    const pLocal = genMap(pz);
    const instGen = pLocal.get(GEN.instrument);
    if (!instGen) continue; // a local zone without an instrument is ignored (spec 7.3)
    const inst = font.instruments[instGen.amount & 0xffff];
    if (!inst) {
      throw new RangeError(
        `Cannot read preset "${preset.name}": it names instrument ${
          instGen.amount & 0xffff
        }, the font has ${font.instruments.length}`,
      );
    }
    const pGen = new Map([...pGlobal, ...pLocal]);
    let iZones = inst.zones;
    let iGlobal: GenMap = new Map();
    let iGlobalMods: readonly Sf2Modulator[] = [];
    if (iZones[0] && isGlobal(iZones[0], GEN.sampleID)) {
      iGlobal = genMap(iZones[0]);
      iGlobalMods = iZones[0].modulators;
      iZones = iZones.slice(1);
    }
    for (const iz of iZones) {
      const iLocal = genMap(iz);
      const sampleGen = iLocal.get(GEN.sampleID);
      if (!sampleGen) continue;
      const sampleIndex = sampleGen.amount & 0xffff;
      const sample = font.samples[sampleIndex];
      if (!sample) {
        throw new RangeError(
          `Cannot read instrument "${inst.name}": it names sample ${sampleIndex}, the font has ${font.samples.length}`,
        );
      }
      if (sample.type & 0x8000) continue; // ROM sample: no data in the file
      const iGen = new Map([...iGlobal, ...iLocal]);
      const value = (oper: number): number => {
        const i = iGen.get(oper)?.amount ?? DEFAULTS[oper] ?? 0;
        if (INSTRUMENT_ONLY.has(oper)) return i;
        return i + (pGen.get(oper)?.amount ?? 0);
      };
      const range = (oper: number): [number, number] | undefined => {
        const a = iGen.get(oper), b = pGen.get(oper);
        const lo = Math.max(a?.lo ?? 0, b?.lo ?? 0), hi = Math.min(a?.hi ?? 127, b?.hi ?? 127);
        return lo <= hi ? [lo, hi] : undefined;
      };
      const keys = range(GEN.keyRange), vels = range(GEN.velRange);
      if (!keys || !vels || vels[1] < 1) continue;
      // the modulation envelope's key scaling matters only where it acts
      const modEnvUsed = value(GEN.modEnvToPitch) !== 0 || value(GEN.modEnvToFilterFc) !== 0;
      for (const [oper, family] of Object.entries(UNSUPPORTED_FAMILY)) {
        const o = Number(oper);
        const v = value(o);
        if (v === (DEFAULTS[o] ?? 0)) continue;
        if (MOD_ENV_STAGES.has(o) && !modEnvUsed) continue;
        note(family);
      }
      const mods = mergeModulators([iGlobalMods, iz.modulators], [pGlobalMods, pz.modulators]);
      // A zone whose modulators read velocity (beyond the velocity curve) is
      // split into velocity bands of 16, each evaluated at its middle.
      const bands: [number, number][] = [];
      if (readsVelocity(mods)) {
        for (let lo = Math.max(1, vels[0]); lo <= vels[1]; lo = (Math.floor(lo / 16) + 1) * 16) {
          bands.push([lo, Math.min(vels[1], (Math.floor(lo / 16) + 1) * 16 - 1)]);
        }
      } else bands.push([Math.max(1, vels[0]), vels[1]]);
      for (const band of bands) {
        const modulation = evaluateModulators(
          mods,
          Math.round((band[0] + band[1]) / 2),
          Math.round((keys[0] + keys[1]) / 2),
        );
        for (const family of new Set(modulation.fixed)) note(family);
        const withMods = (oper: number) => {
          const add = oper === GEN.initialAttenuation ? 0 : modulation.add.get(oper) ?? 0;
          // sample offsets count whole frames
          return value(oper) + (INSTRUMENT_ONLY.has(oper) ? Math.round(add) : add);
        };
        zones.push(
          engineZone(sampleIndex, sample, withMods, keys, band, modulation, curve, effects),
        );
      }
    }
  }
  return { zones, unsupported, curves };
}

function engineZone(
  sampleIndex: number,
  sample: Sf2Sample,
  value: (oper: number) => number,
  keys: [number, number],
  vels: [number, number],
  modulation: ZoneModulation,
  curve: (values: number[]) => number | undefined,
  effects: boolean,
): Sf2EngineZone {
  const root = value(GEN.overridingRootKey);
  const rootKey = root >= 0 && root <= 127 ? root : clamp(sample.originalPitch, 0, 127);
  const startOffset = value(GEN.startAddrsOffset) + 32768 * value(GEN.startAddrsCoarseOffset);
  const endOffset = value(GEN.endAddrsOffset) + 32768 * value(GEN.endAddrsCoarseOffset);
  const frames = sample.vorbis ? undefined : sample.end - sample.start;
  const base = sample.vorbis ? 0 : sample.start; // SF3: loop points are relative to the sample
  const loopStart = sample.loopStart - base + value(GEN.startloopAddrsOffset) +
    32768 * value(GEN.startloopAddrsCoarseOffset);
  const loopEnd = sample.loopEnd - base + value(GEN.endloopAddrsOffset) +
    32768 * value(GEN.endloopAddrsCoarseOffset);
  const mode = value(GEN.sampleModes) & 3;
  const options: ZoneOptions = {
    keys,
    velocities: [Math.max(1, vels[0]), vels[1]],
    rootKey,
    tuneCents: clamp(
      100 * value(GEN.coarseTune) + value(GEN.fineTune) + sample.pitchCorrection,
      -12800,
      12800,
    ),
    pitchKeytrack: clamp(value(GEN.scaleTuning), -1200, 1200),
    // FluidSynth scales the generator by 0.4, not what modulators add
    gainDb: clamp(
      -(EMU_ATTENUATION_FACTOR * clamp(value(GEN.initialAttenuation), -1440, 1440) +
        (modulation.add.get(GEN.initialAttenuation) ?? 0)) / 10,
      -144,
      24,
    ),
    pan: clamp(value(GEN.pan), -500, 500) / 500,
    // SF2.01's default modulator: velocity to attenuation, concave, 960 cB —
    // 40·log10(v/127) dB, the engine's square law (velocityTrack 1); another
    // amount is a velocity curve
    velocityTrack: 1,
  };
  if (modulation.velocityToAttenuation !== 960) {
    delete options.velocityTrack;
    options.velocityCurve = velocityCurvePoints(modulation.velocityToAttenuation);
  }
  // Fixed velocity (generator 47): every note plays at the gain of that
  // velocity (a flat velocity curve); fixed key (46): every key at that key's
  // pitch (no key tracking, the tuning of that key from the root)
  const fixedVelocity = value(GEN.velocity);
  if (fixedVelocity >= 1 && fixedVelocity <= 127) {
    const gain = velocityCurvePoints(modulation.velocityToAttenuation)[fixedVelocity]![1];
    delete options.velocityTrack;
    options.velocityCurve = Array.from({ length: 128 }, (_, v) => [v, gain] as [number, number]);
  }
  const fixedKey = value(GEN.keynum);
  if (fixedKey >= 0 && fixedKey <= 127) {
    options.tuneCents = clamp(
      (options.tuneCents ?? 0) + (fixedKey - rootKey) * (options.pitchKeytrack ?? 100),
      -12800,
      12800,
    );
    options.pitchKeytrack = 0;
  }
  const loopOk = loopStart >= 0 && loopEnd > loopStart + 1 &&
    (frames === undefined || loopEnd <= frames + Math.min(0, endOffset));
  if ((mode === 1 || mode === 3) && loopOk) {
    options.loop = { mode: mode === 1 ? "forward" : "sustain", start: loopStart, end: loopEnd };
  } else {
    options.loop = { mode: "none" };
  }
  if (startOffset > 0) options.offset = startOffset;
  const exclusive = value(GEN.exclusiveClass);
  if (exclusive > 0) options.exclusiveGroup = exclusive;
  // Volume envelope. SF2 decay and release are linear in dB over 96 dB; the
  // engine's are exponential and timed to -60 dB: the same slope is T·60/96.
  const sustainCb = clamp(value(GEN.sustainVolEnv), 0, 1440);
  options.envelope = {
    attack: clamp(timecents(value(GEN.attackVolEnv)), 0, 60),
    hold: clamp(timecents(value(GEN.holdVolEnv)), 0, 60),
    decay: clamp(timecents(value(GEN.decayVolEnv)) * 60 / 96, 0, 60),
    sustain: sustainCb >= 960 ? 0 : Math.pow(10, -sustainCb / 200),
    release: clamp(timecents(value(GEN.releaseVolEnv)) * 60 / 96, 0, 60),
  };
  const mods: ZoneMod[] = [];
  // The volume envelope's delay and its key scaling (keynumTo*: timecents per
  // key below 60) as envelope rows on the key, each through a custom curve of
  // the seconds it adds at each key: exact at every key of the zone.
  const delayS = timecents(value(GEN.delayVolEnv));
  const perKey = (
    target: "ampegDelay" | "ampegHold" | "ampegDecay",
    seconds: (key: number) => number,
  ) => {
    const values = Array.from({ length: 128 }, (_, k) => clamp(seconds(k), -100, 100));
    if (values.every((x) => Math.abs(x) < 1e-6)) return;
    const c = curve(values);
    if (c !== undefined) mods.push({ source: "key", target, curve: c, depth: 1 });
  };
  // under one FluidSynth block (64 frames at 48 kHz) FluidSynth plays no delay
  if (delayS >= 64 / 48000) perKey("ampegDelay", () => delayS);
  const keyScaled = (gen: number, keyGen: number, scale: number) => (key: number) =>
    (timecents(value(gen) + value(keyGen) * (60 - key)) - timecents(value(gen))) * scale;
  if (value(GEN.keynumToVolEnvHold) !== 0) {
    perKey("ampegHold", keyScaled(GEN.holdVolEnv, GEN.keynumToVolEnvHold, 1));
  }
  if (value(GEN.keynumToVolEnvDecay) !== 0) {
    perKey("ampegDecay", keyScaled(GEN.decayVolEnv, GEN.keynumToVolEnvDecay, 60 / 96));
  }
  // Initial filter: FluidSynth leaves the filter out at 13500 cents and above.
  const fc = value(GEN.initialFilterFc);
  const modEnvCents = value(GEN.modEnvToFilterFc);
  const modLfoCutoff = clamp(value(GEN.modLfoToFilterFc), -9600, 9600);
  if (
    fc < 13500 || (modEnvCents !== 0 && fc + modEnvCents < 13500) ||
    (modLfoCutoff !== 0 && fc - Math.abs(modLfoCutoff) < 13500)
  ) {
    options.filter = {
      type: "lowpass",
      cutoffHz: clamp(absCentsHz(fc), 10, 20000),
      resonanceDb: clamp(value(GEN.initialFilterQ) / 10, 0, 40),
    };
    // SF2 2.01 p. 59 (and FluidSynth): the gain drops by half the resonance
    // peak's height, so a resonant filter does not make the zone louder
    const q = options.filter.resonanceDb ?? 0;
    if (q > 0) options.gainDb = clamp((options.gainDb ?? 0) - q / 2, -144, 24);
    // The modulation envelope to the cutoff as the engine's filter envelope
    // (delay, linear attack, hold, decay to sustain, release).
    if (modEnvCents !== 0) {
      // SF2's modulation envelope falls linearly (decay T reaches sustain s
      // after T·(1-s)); the engine's filter envelope falls exponentially,
      // timed to -60 dB. Equal areas under the fall: T60 = 3.45·T·(1-s).
      const sus = 1 - clamp(value(GEN.sustainModEnv), 0, 1000) / 1000;
      const t60 = (t: number, span: number) => clamp(3.45 * t * Math.max(0.05, span), 0, 60);
      options.filter.envelope = {
        depthCents: clamp(modEnvCents, -12000, 12000),
        delay: modEnvStage(value(GEN.delayModEnv)),
        attack: clamp(timecents(value(GEN.attackModEnv)), 0, 60),
        hold: modEnvStage(value(GEN.holdModEnv)),
        decay: t60(timecents(value(GEN.decayModEnv)), 1 - sus),
        sustain: sus,
        release: t60(timecents(value(GEN.releaseModEnv)), sus),
      };
    }
  }
  // Per-note controls (the engine's superdough-style table): the modulation
  // envelope to pitch as the pitch envelope.
  const controls: Controls = {};
  const modEnvPitch = value(GEN.modEnvToPitch);
  if (modEnvPitch !== 0) {
    controls.penv = clamp(modEnvPitch / 100, -96, 96);
    // the control envelopes are linear: the time SF2's ramp takes
    const sus = 1 - clamp(value(GEN.sustainModEnv), 0, 1000) / 1000;
    controls.pattack = clamp(timecents(value(GEN.attackModEnv)), 0, 60);
    controls.pdecay = clamp(timecents(value(GEN.decayModEnv)) * (1 - sus), 0.001, 60);
    controls.psustain = sus;
    controls.prelease = clamp(timecents(value(GEN.releaseModEnv)) * sus, 0.001, 60);
    // the envelope's delay and hold: zone fields of the penv envelope
    const delay = modEnvStage(value(GEN.delayModEnv)), hold = modEnvStage(value(GEN.holdModEnv));
    if (delay > 0) options.penvDelay = delay;
    if (hold > 0) options.penvHold = hold;
  }
  // The two LFOs (spec 8.1.3: triangles from 0 rising, after their delay;
  // frequency in absolute cents, FluidSynth's range -16000..4500) as zone
  // rows on LFO sources: both rows of one LFO read the same wave (a row's
  // LFO is a function of the voice's age), so the vibrato LFO's own depth
  // and the mod wheel's (CC1's default modulator, 50 cents at 127) add up.
  const lfo = (delay: number, freq: number) => ({
    hz: clamp(absCentsHz(clamp(value(freq), -16000, 4500)), 0.001, 100),
    wave: "triangle" as const,
    delay: clamp(timecents(value(delay)), 0, 100),
  });
  const vib = lfo(GEN.delayVibLFO, GEN.freqVibLFO), mod = lfo(GEN.delayModLFO, GEN.freqModLFO);
  const vibCents = clamp(value(GEN.vibLfoToPitch), -9600, 9600);
  if (vibCents !== 0) mods.push({ source: "lfo", lfo: vib, target: "pitch", depth: vibCents });
  if (modulation.wheelToVibrato !== 0) {
    mods.push({
      source: "lfo",
      lfo: vib,
      target: "pitch",
      depth: clamp(modulation.wheelToVibrato, -9600, 9600),
      depthCc: 1,
    });
  }
  const modLfoCents = clamp(value(GEN.modLfoToPitch), -9600, 9600);
  if (modLfoCents !== 0) {
    mods.push({ source: "lfo", lfo: mod, target: "pitch", depth: modLfoCents });
  }
  if (modLfoCutoff !== 0 && options.filter) {
    mods.push({ source: "lfo", lfo: mod, target: "cutoff", depth: modLfoCutoff });
  }
  // modLfoToVolume in cB, as the spec has it: a positive amount raises the
  // volume on the LFO's positive half. (FluidSynth adds it to the voice's
  // attenuation before turning that into a gain, which it caps at 1: the swing
  // is symmetric while the attenuation exceeds the depth, as it nearly always
  // does; only a zone at full level loses the half that would exceed it.)
  const modLfoCb = clamp(value(GEN.modLfoToVolume), -960, 960);
  if (modLfoCb !== 0) {
    mods.push({ source: "lfo", lfo: mod, target: "volume", depth: modLfoCb / 10 });
  }
  if (mods.length) options.mods = mods;
  // reverbEffectsSend (0.1 % units) as the zone's send into its orbit's
  // reverb, with FluidSynth's reverb character (FLUID_REVERB)
  const reverb = clamp(value(GEN.reverbEffectsSend), 0, 1000) / 1000;
  if (effects && reverb > 0) {
    Object.assign(controls, FLUID_REVERB, { room: Math.min(1, FLUID_REVERB_SEND * reverb) });
  }
  // chorusEffectsSend likewise into the orbit's chorus (FluidSynth's default
  // chorus: rt_fx_chorus.h)
  const chorus = clamp(value(GEN.chorusEffectsSend), 0, 1000) / 1000;
  if (effects && chorus > 0) options.chorus = chorus;
  if (Object.keys(controls).length) options.controls = controls;
  return { sample: sampleIndex, endOffset: Math.min(0, endOffset), options };
}

/**
 * The preset for a bank and program: exact match, else (as FluidSynth does
 * for GM files) program on bank 0, or for drum banks (128) program 0 of bank 128.
 *
 * @param font The parsed font.
 * @param bank Bank 0..16383 (128 = percussion).
 * @param program Program 0..127.
 * @param exact Only an exact match. @default false
 * @returns The preset's index, or -1 when there is none.
 */
export function findPreset(font: SoundFont, bank: number, program: number, exact = false): number {
  const at = (b: number, p: number) =>
    font.presets.findIndex((x) => x.bank === b && x.program === p);
  let i = at(bank, program);
  if (i >= 0 || exact) return i;
  i = bank === 128 ? at(128, 0) : at(0, program);
  return i;
}
