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
  [GEN.modLfoToFilterFc]: "modulation LFO to filter/volume",
  [GEN.modLfoToVolume]: "modulation LFO to filter/volume",
  [GEN.delayModLFO]: "LFO delay",
  [GEN.delayVibLFO]: "LFO delay",
  [GEN.delayModEnv]: "modulation envelope delay/hold",
  [GEN.holdModEnv]: "modulation envelope delay/hold",
  [GEN.chorusEffectsSend]: "chorus send",
  [GEN.reverbEffectsSend]: "reverb send",
  [GEN.delayVolEnv]: "volume envelope delay",
  [GEN.keynumToVolEnvHold]: "key to volume envelope hold/decay",
  [GEN.keynumToVolEnvDecay]: "key to volume envelope hold/decay",
  [GEN.keynum]: "fixed key/velocity",
  [GEN.velocity]: "fixed key/velocity",
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
   * The vibrato LFO's rate (freqVibLFO of the first zone, 8.176 Hz by
   * default): the SF2 default modulator sends CC1 to it, 50 cents at full
   * wheel, which is the engine's instrument vibrato (vibratoDepth 50).
   */
  readonly vibratoRateHz: number;
}

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
export function presetZones(font: SoundFont, presetIndex: number): PresetZones {
  const preset = font.presets[presetIndex];
  if (!preset) {
    throw new RangeError(`Cannot read preset ${presetIndex}: the font has ${font.presets.length}`);
  }
  const zones: Sf2EngineZone[] = [];
  const unsupported = new Map<string, number>();
  const note = (family: string) => unsupported.set(family, (unsupported.get(family) ?? 0) + 1);
  let pZones = preset.zones;
  let pGlobal: GenMap = new Map();
  let pGlobalMods: readonly Sf2Modulator[] = [];
  if (pZones[0] && isGlobal(pZones[0], GEN.instrument)) {
    pGlobal = genMap(pZones[0]);
    pGlobalMods = pZones[0].modulators;
    pZones = pZones.slice(1);
  }
  let vibratoRateHz: number | undefined;
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
      for (const [oper, family] of Object.entries(UNSUPPORTED_FAMILY)) {
        const o = Number(oper);
        const v = value(o);
        // a delay under 10 ms (-7973 timecents) is not worth a warning
        const timed = o === GEN.delayVolEnv || o === GEN.delayModLFO || o === GEN.delayVibLFO ||
          o === GEN.delayModEnv || o === GEN.holdModEnv;
        if (v !== (DEFAULTS[o] ?? 0) && !(timed && v <= -7973)) note(family);
        // a modulation LFO to pitch beside a vibrato LFO: only the vibrato plays
        if (o === GEN.modLfoToPitch && v !== 0 && value(GEN.vibLfoToPitch) !== 0) {
          note("modulation LFO to pitch beside the vibrato LFO");
        }
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
        vibratoRateHz ??= absCentsHz(withMods(GEN.freqVibLFO));
        zones.push(engineZone(sampleIndex, sample, withMods, keys, band, modulation));
      }
    }
  }
  return { zones, unsupported, vibratoRateHz: vibratoRateHz ?? absCentsHz(0) };
}

function engineZone(
  sampleIndex: number,
  sample: Sf2Sample,
  value: (oper: number) => number,
  keys: [number, number],
  vels: [number, number],
  modulation: ZoneModulation,
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
  // Initial filter: FluidSynth leaves the filter out at 13500 cents and above.
  const fc = value(GEN.initialFilterFc);
  const modEnvCents = value(GEN.modEnvToFilterFc);
  if (fc < 13500 || (modEnvCents !== 0 && fc + modEnvCents < 13500)) {
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
    // (linear attack, decay to sustain, release; no delay or hold stage).
    if (modEnvCents !== 0) {
      // SF2's modulation envelope falls linearly (decay T reaches sustain s
      // after T·(1-s)); the engine's filter envelope falls exponentially,
      // timed to -60 dB. Equal areas under the fall: T60 = 3.45·T·(1-s).
      const sus = 1 - clamp(value(GEN.sustainModEnv), 0, 1000) / 1000;
      const t60 = (t: number, span: number) => clamp(3.45 * t * Math.max(0.05, span), 0, 60);
      options.filter.envelope = {
        depthCents: clamp(modEnvCents, -12000, 12000),
        attack: clamp(timecents(value(GEN.attackModEnv)), 0, 60),
        decay: t60(timecents(value(GEN.decayModEnv)), 1 - sus),
        sustain: sus,
        release: t60(timecents(value(GEN.releaseModEnv)), sus),
      };
    }
  }
  // Per-note controls (the engine's superdough-style table): the modulation
  // envelope to pitch as the pitch envelope, the vibrato LFO (else the
  // modulation LFO to pitch) as vibrato. SF2 LFOs are triangles, the
  // engine's vibrato a sine; LFO delays are not played (reported).
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
  }
  const vibCents = value(GEN.vibLfoToPitch), modLfoCents = value(GEN.modLfoToPitch);
  if (vibCents !== 0 || modLfoCents !== 0) {
    const [cents, freq] = vibCents !== 0
      ? [vibCents, value(GEN.freqVibLFO)]
      : [modLfoCents, value(GEN.freqModLFO)];
    controls.vib = clamp(absCentsHz(freq), 0, 100);
    controls.vibmod = clamp(Math.abs(cents) / 100, 0, 48);
  }
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
