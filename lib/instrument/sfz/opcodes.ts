/**
 * SFZ region opcodes by family: each family reads its opcodes into a
 * {@linkcode RegionState} and writes its fields of the zone. A new opcode is
 * one handler in its family (and, when it adds a zone field, one line in
 * that family's `toZone`).
 *
 * Families: sample (sample, offset), key and velocity ranges (with MIDI
 * channels), pitch, amplitude (volume, pan, velocity, envelope), loop,
 * alternatives (round robin, random), exclusive groups and chokes, triggers
 * and keyswitches, filter.
 *
 * Thread: CT. Pure.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { zoneRange } from "../../ffi/layout.ts";
import type { LoopMode, ZoneDefinitionInput } from "../schema.ts";
import type { SfzContext } from "./context.ts";
import type { SfzOpcode, SfzOrigin } from "./parse.ts";
import { lowestVelocity, type RegionState, type Setter, type ZoneDraft } from "./region.ts";
import type { ZoneMod } from "../../engine/zone_mods.ts";
import { generatorSource } from "../generators.ts";

/**
 * Read one opcode (recording errors and warnings in `ctx`) and return its
 * effect on a region, or undefined when the value was not usable.
 */
export type Handler = (op: SfzOpcode, ctx: SfzContext) => Setter | undefined;

/** Opcodes with a number in their name (amp_velcurve_N, cutoff_ccN). */
export interface NumberedOpcode {
  /** Matches the lower-case name; group 1 is the number. */
  pattern: RegExp;
  /**
   * @param op the opcode as written
   * @param name its lower-case name
   * @param n the number in the name
   * @param ctx the conversion
   */
  handle(op: SfzOpcode, name: string, n: number, ctx: SfzContext): Setter | undefined;
}

/** One family of opcodes: how they read, and which zone fields they give. */
export interface OpcodeFamily {
  /** Handlers by lower-case opcode name (SFZ v1 spellings included). */
  opcodes: Readonly<Record<string, Handler>>;
  /** Opcodes named with a number. */
  numbered?: readonly NumberedOpcode[];
  /**
   * Write the family's zone fields from a playable region.
   *
   * @param r the region, all opcodes applied
   * @param zone the zone being built
   * @param ctx the conversion (for warnings)
   * @param at the <region> header
   */
  toZone(r: RegionState, zone: ZoneDraft, ctx: SfzContext, at: SfzOrigin): void;
}

/** The setter applying a read value, or undefined when the value was unusable. */
function set<T>(value: T | undefined, apply: (r: RegionState, v: T) => void): Setter | undefined {
  return value === undefined ? undefined : (r: RegionState) => apply(r, value);
}

/** ARIA's per-level opcodes (group_volume, master_tune, ...): one field per header level. */
function levelOpcodes(
  what: string,
  key: "levelVolume" | "levelAmplitude" | "levelTune",
  [lo, hi]: [number, number],
): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const level of ["global", "master", "group"] as const) {
    out[`${level}_${what}`] = (op, ctx) => set(ctx.ranged(op, lo, hi), (r, v) => r[key][level] = v);
  }
  return out;
}

/** Names and labels (region_label, group_label, sw_label, ...): no sound of their own. */
const LABELS: Record<string, Handler> = Object.fromEntries(
  ["region_label", "group_label", "master_label", "global_label", "sw_label"].map((n) => [
    n,
    () => () => {},
  ]),
);

/** sample= and offset=: what plays, from where. */
const sample: OpcodeFamily = {
  opcodes: {
    sample: (op, ctx) => {
      if (op.value === "") return void ctx.fail(op, "is empty");
      if (generatorSource(op.value)) {
        // a generator the engine's oscillators play (the loader reads "*sine" as source "sine")
        return (r) => {
          r.sample = op.value.toLowerCase();
          delete r.generator;
        };
      }
      if (op.value.startsWith("*")) {
        ctx.warnOnce(
          `generator:${op.value}`,
          op,
          `sample=${op.value}: generated waveforms are not supported (region skipped)`,
        );
        return (r) => {
          r.generator = op.value;
          delete r.sample;
        };
      }
      const path = (ctx.defaultPath + op.value).replaceAll("\\", "/");
      return (r) => {
        r.sample = path;
        delete r.generator;
      };
    },
    offset: (op, ctx) => set(ctx.int(op, 0, 0xffffffff), (r, v) => r.offset = v),
    ...LABELS,
  },
  toZone(r, zone) {
    if (r.offset !== undefined && r.offset !== 0) zone.offset = r.offset;
  },
};

/** Key, velocity and MIDI channel ranges. */
const ranges: OpcodeFamily = {
  opcodes: {
    lokey: (op, ctx) => set(ctx.note(op), (r, v) => r.lokey = v),
    hikey: (op, ctx) => set(ctx.note(op), (r, v) => r.hikey = v),
    key: (op, ctx) =>
      set(ctx.note(op), (r, v) => {
        r.lokey = r.hikey = v;
        r.keycenter = v;
      }),
    lovel: (op, ctx) => set(ctx.int(op, 0, 127), (r, v) => r.lovel = v),
    hivel: (op, ctx) => set(ctx.int(op, 0, 127), (r, v) => r.hivel = v),
    lochan: (op, ctx) => set(ctx.int(op, 1, 16), (r, v) => r.lochan = v),
    hichan: (op, ctx) => set(ctx.int(op, 1, 16), (r, v) => r.hichan = v),
  },
  toZone(r, zone) {
    if (r.lokey !== 0 || r.hikey !== 127) {
      zone.keys = r.lokey === r.hikey ? r.lokey : [r.lokey, r.hikey];
    }
    const lovel = lowestVelocity(r);
    if (lovel !== 1 || r.hivel !== 127) zone.velocities = [lovel, r.hivel];
    if (r.lochan !== 1 || r.hichan !== 16) zone.midiChannels = [r.lochan - 1, r.hichan - 1];
  },
};

/** Root key, tuning, key tracking. */
const pitch: OpcodeFamily = {
  opcodes: {
    pitch_keycenter: (op, ctx) =>
      op.value.toLowerCase() === "sample"
        ? (r) => r.keycenter = "sample"
        : set(ctx.note(op), (r, v) => r.keycenter = v < 0 ? 60 : v),
    tune: (op, ctx) => set(ctx.ranged(op, ...zoneRange("tuneCents")), (r, v) => r.tune = v),
    pitch: (op, ctx) => set(ctx.ranged(op, ...zoneRange("tuneCents")), (r, v) => r.tune = v), // SFZ v1 tune
    transpose: (op, ctx) => set(ctx.int(op, -127, 127), (r, v) => r.transpose = v),
    ...levelOpcodes("tune", "levelTune", [-9600, 9600]),
    pitch_keytrack: (op, ctx) =>
      set(ctx.ranged(op, ...zoneRange("pitchKeytrack")), (r, v) => r.pitchKeytrack = v),
    // the pitch envelope: depth in cents (the engine's penv control holds +-96 semitones)
    pitcheg_depth: (op, ctx) => set(ctx.ranged(op, -9600, 9600), (r, v) => r.pitchEg.depth = v),
    pitcheg_delay: (op, ctx) => set(ctx.seconds(op), (r, v) => r.pitchEg.delay = v),
    pitcheg_attack: (op, ctx) => set(ctx.seconds(op), (r, v) => r.pitchEg.attack = v),
    pitcheg_hold: (op, ctx) => set(ctx.seconds(op), (r, v) => r.pitchEg.hold = v),
    pitcheg_decay: (op, ctx) => set(ctx.seconds(op), (r, v) => r.pitchEg.decay = v),
    pitcheg_sustain: (op, ctx) => set(ctx.percent(op), (r, v) => r.pitchEg.sustain = v),
    pitcheg_release: (op, ctx) => set(ctx.seconds(op), (r, v) => r.pitchEg.release = v),
  },
  toZone(r, zone) {
    // SFZ's default root is 60, not the zone's key; "sample" leaves it to the file
    if (r.keycenter !== "sample") zone.rootKey = r.keycenter;
    const [lo, hi] = zoneRange("tuneCents");
    const levels = r.levelTune.global + r.levelTune.master + r.levelTune.group;
    const tune = Math.max(lo, Math.min(hi, r.tune + levels + 100 * r.transpose));
    if (tune !== 0) zone.tuneCents = tune;
    if (r.pitchKeytrack !== undefined) zone.pitchKeytrack = r.pitchKeytrack;
    const eg = r.pitchEg;
    if (eg.depth !== undefined && eg.depth !== 0) {
      // sfizz's EG: linear attack, hold, a linear fall to sustain over the whole decay time and
      // from the note-off level to 0 over the release time, which the linear `penv` envelope
      // plays as given (its defaults, superdough's, are replaced); sustain 100 % as in sfizz
      zone.controls = { // the only per-note controls an SFZ zone sets
        penv: eg.depth / 100,
        pattack: eg.attack ?? 0,
        pdecay: eg.decay ?? 0,
        psustain: eg.sustain ?? 1,
        prelease: eg.release ?? 0,
      };
      if (eg.delay) zone.penvDelay = eg.delay;
      if (eg.hold) zone.penvHold = eg.hold;
    }
  },
};

/** Gain, pan, velocity response and the amplitude envelope. */
const amplitude: OpcodeFamily = {
  opcodes: {
    volume: (op, ctx) => set(ctx.ranged(op, ...zoneRange("gainDb")), (r, v) => r.volume = v),
    amplitude: (op, ctx) => set(ctx.ranged(op, 0, 100), (r, v) => r.amplitude = v),
    ...levelOpcodes("volume", "levelVolume", [-144, 6]),
    ...levelOpcodes("amplitude", "levelAmplitude", [0, 100]),
    pan: (op, ctx) => set(ctx.ranged(op, -100, 100), (r, v) => r.pan = v),
    amp_veltrack: (op, ctx) => {
      const v = ctx.ranged(op, -100, 100);
      if (v !== undefined && v < 0) {
        ctx.warnOnce(
          "amp_veltrack<0",
          op,
          `amp_veltrack=${op.value}: negative tracking is not supported: using 0`,
        );
      }
      return set(v, (r, x) => r.ampVeltrack = Math.max(0, x));
    },
    ampeg_delay: (op, ctx) => set(ctx.seconds(op), (r, v) => r.env.delay = v),
    ampeg_attack: (op, ctx) => set(ctx.seconds(op), (r, v) => r.env.attack = v),
    ampeg_hold: (op, ctx) => set(ctx.seconds(op), (r, v) => r.env.hold = v),
    ampeg_decay: (op, ctx) => set(ctx.seconds(op), (r, v) => r.env.decay = v),
    ampeg_sustain: (op, ctx) => set(ctx.percent(op), (r, v) => r.env.sustain = v),
    ampeg_release: (op, ctx) => set(ctx.seconds(op), (r, v) => r.env.release = v),
  },
  numbered: [{
    pattern: /^amp_velcurve_(\d+)$/,
    handle(op, _name, vel, ctx) {
      if (vel > 127) return void ctx.fail(op, "names a velocity above 127");
      return set(ctx.ranged(op, 0, 4), (r, g) => r.velcurve.set(vel, g));
    },
  }],
  toZone(r, zone) {
    const v = r.levelVolume, a = r.levelAmplitude;
    const amplitude = (r.amplitude * a.global * a.master * a.group) / 1e6;
    const gain = r.volume + v.global + v.master + v.group +
      (amplitude > 0 ? 20 * Math.log10(amplitude / 100) : -144);
    const [lo, hi] = zoneRange("gainDb");
    if (gain !== 0) zone.gainDb = Math.max(lo, Math.min(hi, gain));
    if (r.pan !== 0) zone.pan = r.pan / 100;
    if (r.velcurve.size) {
      zone.velocityCurve = [...r.velcurve].sort((a, b) => a[0] - b[0]);
    } else if (r.ampVeltrack !== undefined) {
      zone.velocityTrack = r.ampVeltrack / 100;
    }
    if (Object.keys(r.env).length) zone.envelope = { ...r.env };
  },
};

const LOOP_MODES: Record<string, LoopMode> = {
  no_loop: "none",
  one_shot: "one-shot",
  loop_continuous: "forward",
  loop_sustain: "sustain",
};

const loopMode: Handler = (op, ctx) => {
  const mode = LOOP_MODES[op.value];
  if (!mode) {
    return void ctx.fail(op, "is not one of no_loop, one_shot, loop_continuous, loop_sustain");
  }
  return (r) => r.loopMode = mode;
};
const loopStart: Handler = (op, ctx) => set(ctx.int(op, 0, 0xfffffffe), (r, v) => r.loopStart = v);
const loopEnd: Handler = (op, ctx) => set(ctx.int(op, 0, 0xfffffffe), (r, v) => r.loopEnd = v);

/** Loop mode and points. */
const loop: OpcodeFamily = {
  opcodes: {
    loop_mode: loopMode,
    loop_start: loopStart,
    loop_end: loopEnd,
    // SFZ v1 spellings
    loopmode: loopMode,
    loopstart: loopStart,
    loopend: loopEnd,
  },
  toZone(r, zone) {
    if (r.loopMode === undefined && r.loopStart === undefined && r.loopEnd === undefined) return;
    zone.loop = { mode: r.loopMode ?? "auto" };
    if (r.loopStart !== undefined) zone.loop.start = r.loopStart;
    // SFZ's loop_end is the last frame of the loop; the model's end is exclusive
    if (r.loopEnd !== undefined) zone.loop.end = r.loopEnd + 1;
  },
};

/** Round robin (seq_length, seq_position) and random alternatives (lorand, hirand). */
const alternatives: OpcodeFamily = {
  opcodes: {
    // no cap of the importer's own: the engine's alternative groups grow with the instrument
    seq_length: (op, ctx) => set(ctx.int(op, 1, 0x7fffffff), (r, v) => r.seqLength = v),
    seq_position: (op, ctx) => set(ctx.int(op, 1, 0x7fffffff), (r, v) => r.seqPosition = v),
    lorand: (op, ctx) => set(ctx.ranged(op, ...zoneRange("random")), (r, v) => r.lorand = v),
    hirand: (op, ctx) => set(ctx.ranged(op, ...zoneRange("random")), (r, v) => r.hirand = v),
  },
  toZone(r, zone) {
    if (r.seqLength > 1) {
      // regions alternate when they answer the same notes the same way
      zone.altGroup = `sfz-seq:${r.seqLength}:${r.lokey}-${r.hikey}:${
        lowestVelocity(r)
      }-${r.hivel}:${r.trigger ?? "attack"}:${r.swLast ?? ""}:${r.lochan}-${r.hichan}`;
      zone.seq = r.seqPosition;
    }
    if (r.lorand !== 0 || r.hirand !== 1) zone.random = [r.lorand, Math.max(r.lorand, r.hirand)];
  },
};

/** Exclusive groups and what chokes them (group, off_by, off_mode). */
const groups: OpcodeFamily = {
  opcodes: {
    group: (op, ctx) => set(ctx.int(op, -2147483648, 4294967294), (r, v) => r.group = v),
    off_by: (op, ctx) => set(ctx.int(op, -2147483648, 4294967294), (r, v) => r.offBy = v),
    off_time: (op, ctx) => set(ctx.ranged(op, ...zoneRange("offTime")), (r, v) => r.offTime = v),
    off_mode: (op, ctx) => {
      if (op.value === "fast" || op.value === "normal") {
        const mode = op.value;
        return (r) => r.offMode = mode;
      }
      if (op.value === "time") return (r) => r.offMode = "time";
      return void ctx.fail(op, "is not one of fast, normal, time");
    },
  },
  toZone(r, zone) {
    const groupName = (g: number): number | string => (g >= 1 ? g : `sfz-group:${g}`);
    if (r.group !== 0) zone.exclusiveGroup = groupName(r.group);
    // SFZ chokes only through off_by; the model's default ("own") would choke by group alone
    if (r.offBy === undefined || (r.offBy === 0 && r.group !== 0)) zone.offBy = "none";
    else if (r.offBy === r.group) zone.offBy = "own";
    else zone.offBy = groupName(r.offBy);
    if (r.offMode) zone.offMode = r.offMode;
    if (r.offMode === "time" && r.offTime !== undefined) zone.offTime = r.offTime;
  },
};

/** What starts a region: note-on or note-off, and the keyswitch it answers. */
const triggers: OpcodeFamily = {
  opcodes: {
    trigger: (op, ctx) => {
      const v = op.value;
      if (v === "attack" || v === "release") return (r) => r.trigger = v;
      if (v === "first" || v === "legato" || v === "release_key") {
        const to = v === "release_key" ? "release" : "attack";
        ctx.warnOnce(`trigger=${v}`, op, `trigger=${v} is not supported: using ${to}`);
        return (r) => r.trigger = to;
      }
      return void ctx.fail(op, "is not one of attack, release, first, legato, release_key");
    },
    sw_lokey: (op, ctx) => set(ctx.note(op), (r, v) => r.swLokey = v),
    sw_hikey: (op, ctx) => set(ctx.note(op), (r, v) => r.swHikey = v),
    sw_last: (op, ctx) => set(ctx.note(op), (r, v) => r.swLast = v),
    // instrument-wide: the last sw_default read wins, wherever it stands
    sw_default: (op, ctx) => {
      const n = ctx.note(op);
      if (n !== undefined && n >= 0) ctx.keyswitchDefault = n;
      return () => {};
    },
  },
  toZone(r, zone) {
    if (r.trigger) zone.trigger = r.trigger;
    if (r.swLast !== undefined && r.swLast >= 0) {
      zone.keyswitch = r.swLast;
      const lo = r.swLokey ?? r.swLast, hi = r.swHikey ?? r.swLast;
      zone.keyswitchRange = lo >= 0 && hi >= 0 && lo <= hi ? [lo, hi] : r.swLast;
    } else if (r.swLokey !== undefined && r.swHikey !== undefined && r.swLokey >= 0) {
      if (r.swLokey <= r.swHikey) zone.keyswitchRange = [r.swLokey, r.swHikey];
    }
  },
};

/** SFZ filter types: the engine's nearest, and whether that is an approximation. */
const FILTER_TYPES: Record<string, ["lowpass" | "highpass" | "bandpass", boolean]> = {
  lpf_2p: ["lowpass", false],
  lpf_1p: ["lowpass", true],
  lpf_4p: ["lowpass", true],
  lpf_6p: ["lowpass", true],
  lpf_2p_sv: ["lowpass", false],
  hpf_2p: ["highpass", false],
  hpf_1p: ["highpass", true],
  hpf_4p: ["highpass", true],
  hpf_6p: ["highpass", true],
  hpf_2p_sv: ["highpass", false],
  bpf_2p: ["bandpass", false],
  bpf_1p: ["bandpass", true],
  bpf_4p: ["bandpass", true],
  bpf_6p: ["bandpass", true],
  bpf_2p_sv: ["bandpass", false],
};

const filterType: Handler = (op, ctx) => {
  const t = FILTER_TYPES[op.value];
  if (!t) {
    ctx.warnOnce(
      `fil_type=${op.value}`,
      op,
      `fil_type=${op.value} is not supported: the region plays unfiltered`,
    );
    return (r) => r.filter.type = "off";
  }
  if (t[1]) {
    ctx.warnOnce(
      `fil_type=${op.value}`,
      op,
      `fil_type=${op.value} is approximated by the engine's 12 dB/octave ${t[0]}`,
    );
  }
  return (r) => r.filter.type = t[0];
};

/** The filter, its tracking, its envelope and its controller. */
const filter: OpcodeFamily = {
  opcodes: {
    fil_type: filterType,
    filtype: filterType, // SFZ v1
    cutoff: (op, ctx) =>
      set(ctx.ranged(op, ...zoneRange("filter", "cutoffHz")), (r, v) => r.filter.cutoff = v),
    resonance: (op, ctx) =>
      set(ctx.ranged(op, ...zoneRange("filter", "resonanceDb")), (r, v) => r.filter.resonance = v),
    fil_veltrack: (op, ctx) =>
      set(
        ctx.ranged(op, ...zoneRange("filter", "velocityTrackCents")),
        (r, v) => r.filter.veltrack = v,
      ),
    fil_keytrack: (op, ctx) =>
      set(ctx.ranged(op, ...zoneRange("filter", "keyTrackCents")), (r, v) => r.filter.keytrack = v),
    fil_keycenter: (op, ctx) => set(ctx.note(op), (r, v) => r.filter.keycenter = v < 0 ? 60 : v),
    fileg_depth: (op, ctx) =>
      set(
        ctx.ranged(op, ...zoneRange("filter", "envelope", "depthCents")),
        (r, v) => r.filter.egDepth = v,
      ),
    fileg_delay: (op, ctx) => set(ctx.seconds(op), (r, v) => r.filter.egDelay = v),
    fileg_attack: (op, ctx) => set(ctx.seconds(op), (r, v) => r.filter.egAttack = v),
    fileg_hold: (op, ctx) => set(ctx.seconds(op), (r, v) => r.filter.egHold = v),
    fileg_decay: (op, ctx) => set(ctx.seconds(op), (r, v) => r.filter.egDecay = v),
    fileg_sustain: (op, ctx) => set(ctx.percent(op), (r, v) => r.filter.egSustain = v),
    fileg_release: (op, ctx) => set(ctx.seconds(op), (r, v) => r.filter.egRelease = v),
  },
  numbered: [{
    pattern: /^cutoff_(?:on)?cc(\d+)$/,
    handle(op, name, cc, ctx) {
      const cents = ctx.ranged(op, ...zoneRange("filter", "cc", "cents"));
      if (cc < 1 || cc > 127) {
        ctx.warnOnce(
          `cutoff_cc:${cc}`,
          op,
          `${name}: controller ${cc} is outside 1..127 (ignored)`,
        );
        return undefined;
      }
      return set(cents, (r, v) => r.filter.cc = { controller: cc, cents: v });
    },
  }],
  toZone(r, zone, ctx, at) {
    const f = r.filter;
    if (f.cutoff === undefined || f.type === "off") {
      if (f.type !== undefined && f.type !== "off") {
        ctx.warnOnce(
          "fil_type-without-cutoff",
          at,
          "fil_type without cutoff: the filter stays off (as in SFZ)",
        );
      }
      return;
    }
    const out: NonNullable<ZoneDefinitionInput["filter"]> = {
      type: f.type ?? "lowpass",
      cutoffHz: f.cutoff,
    };
    if (f.resonance !== undefined) out.resonanceDb = f.resonance;
    if (f.veltrack !== undefined) out.velocityTrackCents = f.veltrack;
    if (f.keytrack !== undefined) out.keyTrackCents = f.keytrack;
    if (f.keycenter !== undefined) out.keyCenter = f.keycenter;
    if (
      f.egDepth !== undefined || f.egDelay !== undefined || f.egAttack !== undefined ||
      f.egHold !== undefined || f.egDecay !== undefined || f.egSustain !== undefined ||
      f.egRelease !== undefined
    ) {
      out.envelope = { depthCents: f.egDepth ?? 0 };
      if (f.egDelay !== undefined) out.envelope.delay = f.egDelay;
      if (f.egAttack !== undefined) out.envelope.attack = f.egAttack;
      if (f.egHold !== undefined) out.envelope.hold = f.egHold;
      if (f.egDecay !== undefined) out.envelope.decay = f.egDecay;
      if (f.egSustain !== undefined) out.envelope.sustain = f.egSustain;
      if (f.egRelease !== undefined) out.envelope.release = f.egRelease;
    }
    if (f.cc) out.cc = f.cc;
    zone.filter = out;
  },
};

/** Controller numbers sfizz knows: MIDI's 0..127 and its extended ones up to 511. */
const MAX_CC = 511;

/** A controller number 0..511 from an opcode name, or undefined (with a warning). */
function controller(op: SfzOpcode, cc: number, ctx: SfzContext): number | undefined {
  if (cc <= MAX_CC) return cc;
  ctx.fail(op, `names controller ${cc} (give 0..${MAX_CC})`);
  return undefined;
}

/** loccN/hiccN (on_ and start_ spellings for triggers), 0..127; the hd forms 0..1. */
function ccRange(
  key: "ccRanges" | "ccTriggers",
  end: 0 | 1,
  hd: boolean,
): NumberedOpcode["handle"] {
  return (op, _name, n, ctx) => {
    const cc = controller(op, n, ctx);
    const v = hd ? ctx.ranged(op, 0, 1) : ctx.ranged(op, 0, 127);
    if (cc === undefined || v === undefined) return undefined;
    const value = hd ? v * 127 : v;
    if (cc > 127) ctx.unsupported(op, true); // extended controllers: not played
    return (r) => {
      const range: [number, number] = [...(r[key].get(cc) ?? [0, 127])];
      range[end] = value;
      r[key].set(cc, range);
    };
  };
}

/**
 * Opcodes the engine plays as zone modulation rows (the controllers
 * family's toZone): crossfades, levels, pan and pitch from CCs (MIDI's
 * 0..127), their curves, pitch_random, width and width_onccN.
 */
const PLAYED = [
  /^xf(?:in|out)_(?:lo|hi)(?:vel|key)$/,
  /^xf_(?:vel|key|cc)curve$/,
  /^xf(?:in|out)_(?:lo|hi)cc(\d+)$/,
  /^(?:amplitude|volume|gain|pan|pitch|tune|width)_(?:on)?cc(\d+)$/,
  /^(?:amplitude|volume|gain|pan|pitch|tune|width)_curvecc(\d+)$/,
  /^width$/,
  /^pitch_random$/,
  /^pitch_veltrack$/,
  /^amp_random$/,
  /^amp_key(?:track|center)$/,
  /^(?:pitch|amp|fil)lfo_(?:freq|depth|delay|fade)$/,
  /^(?:pitch|amp|fil)lfo_depth(?:_on)?cc(\d+)$/,
  /^offset_random$/,
  /^bend_(?:up|down)$/,
  /^rt_decay$/,
  /^note_polyphony$/,
  /^offset_(?:on)?cc(\d+)$/,
  /^ampeg_(?:delay|attack|hold|decay|sustain|release)_?(?:on)?cc(\d+)$/,
  /^ampeg_vel2(?:delay|attack|hold|decay|sustain|release)$/,
  /^ampeg_dynamic$/,
  /^lfo\d+_(?:freq|wave|delay|fade|pitch|volume|amplitude|pan|cutoff)$/,
  /^lfo\d+_(?:pitch|volume|amplitude|pan|cutoff|freq)_oncc(\d+)$/,
];

/** True when the engine plays this (lower-case) opcode. */
function played(name: string): boolean {
  for (const p of PLAYED) {
    const m = p.exec(name);
    if (m) return m[1] === undefined || Number(m[1]) <= 127;
  }
  return false;
}

/** An opcode kept on the region (for toZone), counted as not played yet unless the engine plays it. */
const keep: NumberedOpcode["handle"] = (op, name, _n, ctx) => {
  if (!played(name)) ctx.unsupported(op, true);
  const value = op.value;
  return (r) => r.unplayed.set(name, value);
};
const keepNamed: Handler = (op, ctx) => keep(op, op.name, 0, ctx);
/** A key opcode kept as its note number (names read, note_offset applied). */
const keepNote: Handler = (op, ctx) => {
  const n = ctx.note(op);
  return n === undefined ? undefined : (r) => r.unplayed.set(op.name, String(n));
};

/** Initial controller values and names: instrument-wide, wherever they stand. */
function ccSetting(kind: "set" | "sethd" | "label"): NumberedOpcode["handle"] {
  return (op, _name, n, ctx) => {
    const cc = controller(op, n, ctx);
    if (cc === undefined) return undefined;
    if (kind === "label") ctx.ccLabels.set(cc, op.value);
    else {
      const v = kind === "set" ? ctx.ranged(op, 0, 127) : ctx.ranged(op, 0, 1);
      if (v !== undefined) ctx.ccDefaults.set(cc, kind === "set" ? v : v * 127);
    }
    return () => {};
  };
}

/** Kept opcodes whose value is a note (a name like c4 read as its number). */
const NOTE_VALUED = /^(?:xf(?:in|out)_(?:lo|hi)key|amp_keycenter)$/;

/**
 * CC-driven and modulation opcodes, read into the region: set_ccN/label_ccN
 * kept for the instrument; loccN/hiccN and on_loccN/on_hiccN as ranges;
 * the rest by name. toZone writes what the engine plays as the zone's
 * modulation rows (zoneMods); the others are counted as not played.
 */
const controllers: OpcodeFamily = {
  opcodes: Object.fromEntries(
    [
      "xfin_lovel",
      "xfin_hivel",
      "xfout_lovel",
      "xfout_hivel",
      "xfin_lokey",
      "xfin_hikey",
      "xfout_lokey",
      "xfout_hikey",
      "xf_velcurve",
      "xf_keycurve",
      "xf_cccurve",
      "ampeg_dynamic",
      "width",
      "curve_index",
      "bend_up",
      "bend_down",
      "bend_step",
      "bend_smooth",
      "pitch_random",
      "pitch_veltrack",
      "amp_random",
      "offset_random",
      "amp_keytrack",
      "amp_keycenter",
      ...["pitch", "amp", "fil"].flatMap((k) =>
        ["freq", "depth", "delay", "fade"].map((p) => `${k}lfo_${p}`)
      ),
      "note_polyphony",
      "note_selfmask",
      "polyphony",
      "rt_decay",
      "ampeg_vel2delay",
      "ampeg_vel2attack",
      "ampeg_vel2hold",
      "ampeg_vel2decay",
      "ampeg_vel2sustain",
      "ampeg_vel2release",
    ].map((name) => [name, NOTE_VALUED.test(name) ? keepNote : keepNamed]),
  ),
  numbered: [
    { pattern: /^set_cc(\d+)$/, handle: ccSetting("set") },
    { pattern: /^set_hdcc(\d+)$/, handle: ccSetting("sethd") },
    { pattern: /^label_cc(\d+)$/, handle: ccSetting("label") },
    { pattern: /^locc(\d+)$/, handle: ccRange("ccRanges", 0, false) },
    { pattern: /^hicc(\d+)$/, handle: ccRange("ccRanges", 1, false) },
    { pattern: /^lohdcc(\d+)$/, handle: ccRange("ccRanges", 0, true) },
    { pattern: /^hihdcc(\d+)$/, handle: ccRange("ccRanges", 1, true) },
    { pattern: /^(?:on|start)_locc(\d+)$/, handle: ccRange("ccTriggers", 0, false) },
    { pattern: /^(?:on|start)_hicc(\d+)$/, handle: ccRange("ccTriggers", 1, false) },
    { pattern: /^(?:on|start)_lohdcc(\d+)$/, handle: ccRange("ccTriggers", 0, true) },
    { pattern: /^(?:on|start)_hihdcc(\d+)$/, handle: ccRange("ccTriggers", 1, true) },
    { pattern: /^xf(?:in|out)_(?:lo|hi)cc(\d+)$/, handle: keep },
    // amplitude_onccN, volume_onccN, pan_onccN, pitch_onccN, ampeg_attack_onccN, lfo1_pitch_onccN,
    // their v1 spellings (amplitude_ccN, ampeg_attackccN) and modifiers (_curveccN, _smoothccN)
    { pattern: /^[a-z0-9_]*_(?:on)?cc(\d+)$/, handle: keep },
    { pattern: /^[a-z0-9_]*_(?:curve|smooth|step)cc(\d+)$/, handle: keep },
    { pattern: /^ampeg_(?:delay|start|attack|hold|decay|sustain|release)cc(\d+)$/, handle: keep },
    { pattern: /^lfo(\d+)_[a-z0-9_]+$/, handle: keep },
    { pattern: /^(?:pitch|amp|fil)lfo_(?:depth|freq)(?:_on)?cc(\d+)$/, handle: keep },
  ],
  toZone(r, zone, ctx, at) {
    const mods = zoneMods(r, (index) => {
      const custom = ctx.customCurves.get(index);
      if (custom === undefined) {
        ctx.warnOnce(
          "curve-index",
          at,
          `curve ${index} is neither built in (0..5) nor a <curve> header: played as linear`,
        );
      }
      return custom;
    });
    // amp_keytrack: dB per key from amp_keycenter (sfizz: default 60) as a key row, its
    // linear curve rising (or inverted, falling) from 0, and the rest in the zone's gain (<= 0 dB)
    const keytrack = Number(r.unplayed.get("amp_keytrack") ?? "0");
    if (Number.isFinite(keytrack) && keytrack !== 0) {
      const center = Number(r.unplayed.get("amp_keycenter") ?? "60");
      const c = Number.isFinite(center) ? Math.max(0, Math.min(127, center)) : 60;
      const kt = Math.max(-144 / 127, Math.min(144 / 127, keytrack));
      mods.push({
        source: "key",
        target: "volume",
        curve: kt > 0 ? "linear" : "inverted",
        depth: Math.abs(kt) * 127,
      });
      const [lo, hi] = zoneRange("gainDb");
      const rest = kt > 0 ? -kt * c : kt * (127 - c);
      zone.gainDb = Math.max(lo, Math.min(hi, (zone.gainDb ?? 0) + rest));
    }
    if (mods.length) zone.mods = mods;
    if (
      Number(r.unplayed.get("ampeg_dynamic")) === 1 &&
      mods.some((m) => m.target.startsWith("ampeg"))
    ) {
      zone.envelope = { ...zone.envelope, dynamic: 1 }; // its CC rows followed while the note plays
    }
    const width = Number(r.unplayed.get("width") ?? "100"); // percent of a stereo sample's width
    if (Number.isFinite(width) && width !== 100) zone.width = Math.max(-100, Math.min(100, width));
    const voices = Number(r.unplayed.get("note_polyphony"));
    if (Number.isFinite(voices) && voices >= 1) {
      zone.notePolyphony = Math.min(255, Math.round(voices));
    }
  },
};

/** SFZ lfoN_wave 0..7 by the names of lib/engine/zone_mods.ts. */
const LFO_WAVES = [
  "triangle",
  "sine",
  "pulse75",
  "square",
  "pulse25",
  "pulse12",
  "sawUp",
  "sawDown",
] as const;

/** sfizz's built-in curves 0..5 by the names of lib/engine/zone_mods.ts. */
const BUILTIN_CURVES = [
  "linear",
  "bipolar",
  "inverted",
  "invertedBipolar",
  "square",
  "sqrt",
] as const;

/**
 * A region's CC ranges, triggers, crossfades and CC levels as zone
 * modulation rows (lib/engine/zone_mods.ts), in engine units.
 *
 * @param r the region, all opcodes applied
 * @param customCurve the instrument's curve (8..255) for a curve index that is not built in, or undefined (linear)
 * @returns the rows (none for a region without such opcodes)
 */
export function zoneMods(
  r: RegionState,
  customCurve: (index: number) => number | undefined,
): ZoneMod[] {
  const mods: ZoneMod[] = [];
  for (const [cc, [lo, hi]] of r.ccRanges) {
    if (cc <= 127 && (lo > 0 || hi < 127)) mods.push({ source: cc, target: "range", lo, hi });
  }
  for (const [cc, [lo, hi]] of r.ccTriggers) {
    if (cc <= 127) mods.push({ source: cc, target: "trigger", lo: Math.min(lo, hi), hi });
  }
  const num = (name: string): number | undefined => {
    const v = r.unplayed.get(name);
    if (v === undefined || v.trim() === "") return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  const xfCurve = (kind: "vel" | "key" | "cc") =>
    r.unplayed.get(`xf_${kind}curve`)?.trim().toLowerCase() === "gain"
      ? "gain" as const
      : "power" as const;
  // crossfades: velocity and key (source named), then each CC
  const fades: [ZoneMod["source"], string, "vel" | "key" | "cc"][] = [
    ["velocity", "vel", "vel"],
    ["key", "key", "key"],
  ];
  const ccs = new Set<number>();
  for (const name of r.unplayed.keys()) {
    const m = /^xf(?:in|out)_(?:lo|hi)cc(\d+)$/.exec(name);
    if (m && Number(m[1]) <= 127) ccs.add(Number(m[1]));
  }
  for (const cc of [...ccs].sort((a, b) => a - b)) fades.push([cc, `cc${cc}`, "cc"]);
  for (const [source, suffix, kind] of fades) {
    for (const dir of ["in", "out"] as const) {
      const lo = num(`xf${dir}_lo${suffix}`), hi = num(`xf${dir}_hi${suffix}`);
      if (lo === undefined && hi === undefined) continue;
      const dl = dir === "in" ? 0 : 127; // SFZ's defaults: xfin 0..0, xfout 127..127
      const a = clamp(lo ?? dl, 0, 127), b = clamp(hi ?? dl, 0, 127);
      if (dir === "in" && b <= 0 && a <= 0) continue; // always full
      if (dir === "out" && a >= 127 && b >= 127) continue;
      mods.push({
        source,
        target: dir === "in" ? "xfin" : "xfout",
        curve: xfCurve(kind),
        lo: Math.min(a, b),
        hi: b,
      });
    }
  }
  // levels, pan, pitch and stereo width from CCs, each through its curve
  const TARGET = {
    amplitude: ["amplitude", 0.01, 10],
    volume: ["volume", 1, 144],
    gain: ["volume", 1, 144],
    pan: ["pan", 0.01, 2],
    pitch: ["pitch", 1, 9600],
    tune: ["pitch", 1, 9600],
    width: ["width", 0.01, 2],
  } as const;
  for (const name of r.unplayed.keys()) {
    const m = /^(amplitude|volume|gain|pan|pitch|tune|width)_(?:on)?cc(\d+)$/.exec(name);
    if (!m || Number(m[2]) > 127) continue;
    const depth = num(name);
    if (depth === undefined) continue;
    const [target, scale, limit] = TARGET[m[1] as keyof typeof TARGET];
    const kind = m[1] === "gain" ? "volume" : m[1] === "tune" ? "pitch" : m[1]!;
    const index = num(`${m[1]}_curvecc${m[2]}`) ?? num(`${kind}_curvecc${m[2]}`) ?? 0;
    const curve = BUILTIN_CURVES[index] ?? customCurve(index);
    mods.push({
      source: Number(m[2]),
      target,
      curve: curve ?? "linear",
      depth: clamp(depth * scale, -limit, limit),
    });
  }
  // start offset from CCs at note-on
  for (const name of r.unplayed.keys()) {
    const m = /^offset_(?:on)?cc(\d+)$/.exec(name);
    const depth = num(name);
    if (!m || Number(m[1]) > 127 || depth === undefined || depth <= 0) continue;
    mods.push({
      source: Number(m[1]),
      target: "offset",
      curve: "linear",
      depth: clamp(depth, 0, 2 ** 31),
    });
  }
  // amplitude envelope stages from CCs (read at note-on) and velocity
  const STAGES = ["delay", "attack", "hold", "decay", "sustain", "release"] as const;
  const stageTarget = (st: typeof STAGES[number]) =>
    `ampeg${st[0]!.toUpperCase()}${st.slice(1)}` as "ampegAttack";
  for (const name of r.unplayed.keys()) {
    const m = /^ampeg_(delay|attack|hold|decay|sustain|release)_?(?:on)?cc(\d+)$/.exec(name);
    const depth = num(name);
    if (!m || Number(m[2]) > 127 || depth === undefined) continue;
    const sustain = m[1] === "sustain";
    mods.push({
      source: Number(m[2]),
      target: stageTarget(m[1] as typeof STAGES[number]),
      curve: "linear",
      depth: sustain ? clamp(depth / 100, -1, 1) : clamp(depth, -100, 100),
    });
  }
  for (const st of STAGES) {
    const depth = num(`ampeg_vel2${st}`);
    if (depth === undefined || depth === 0) continue;
    mods.push({
      source: "velocity",
      target: stageTarget(st),
      curve: "linear",
      depth: st === "sustain" ? clamp(depth / 100, -1, 1) : clamp(depth, -100, 100),
    });
  }
  // v2 LFOs: each target row carries its LFO (freq, wave, delay, fade)
  const lfos = new Set<string>();
  for (const name of r.unplayed.keys()) {
    const m = /^lfo(\d+)_(?:pitch|volume|amplitude|pan|cutoff)(?:_oncc\d+)?$/.exec(name);
    if (m) lfos.add(m[1]!);
  }
  for (const n of [...lfos].sort((a, b) => Number(a) - Number(b))) {
    // lfoN_freq_onccM: Hz added at CC M = 127; the LFO's rows keep a phase so the rate moves without a jump
    const rates: ZoneMod[] = [];
    for (const name of r.unplayed.keys()) {
      const m = new RegExp(`^lfo${n}_freq_oncc(\\d+)$`).exec(name);
      const d = num(name);
      if (
        !m || Number(m[1]) > 127 || d === undefined || d === 0 || Number(n) < 1 || Number(n) > 255
      ) continue;
      rates.push({
        source: Number(m[1]),
        target: "lfoHz",
        depth: clamp(d, -100, 100),
        lfoIndex: Number(n),
      });
    }
    const hz = num(`lfo${n}_freq`) ?? 0;
    if (hz <= 0 && !rates.length) continue; // a still LFO (its rate may come from a CC)
    const wave = Math.round(num(`lfo${n}_wave`) ?? 1);
    const lfo = {
      hz: clamp(hz, 0.001, 100),
      wave: LFO_WAVES[wave] ?? "sine",
      delay: clamp(num(`lfo${n}_delay`) ?? 0, 0, 100),
      fade: clamp(num(`lfo${n}_fade`) ?? 0, 0, 100),
    };
    const index = rates.length ? { lfoIndex: Number(n) } : {};
    const LFO_TARGETS = {
      pitch: ["pitch", 1, 9600],
      cutoff: ["cutoff", 1, 9600],
      pan: ["pan", 0.01, 2],
      volume: ["volume", 1, 144],
      // percent: the gain swings by depth / 100 around 1 (the engine's amplitude row on an LFO)
      amplitude: ["amplitude", 0.01, 10],
    } as const;
    for (const kind of ["pitch", "volume", "amplitude", "pan", "cutoff"] as const) {
      const [target, scale, limit] = LFO_TARGETS[kind];
      const depth = num(`lfo${n}_${kind}`);
      if (depth !== undefined && depth !== 0) {
        mods.push({
          source: "lfo",
          lfo,
          target,
          depth: clamp(depth * scale, -limit, limit),
          ...index,
        });
      }
      // lfoN_<kind>_onccM: depth added at CC M = 127, a second row of the same LFO scaled by the CC
      const ccs: number[] = [];
      for (const name of r.unplayed.keys()) {
        const m = new RegExp(`^lfo${n}_${kind}_oncc(\\d+)$`).exec(name);
        if (m && Number(m[1]) <= 127) ccs.push(Number(m[1]));
      }
      for (const cc of ccs.sort((a, b) => a - b)) {
        const d = num(`lfo${n}_${kind}_oncc${cc}`);
        if (d === undefined || d === 0) continue;
        mods.push({
          source: "lfo",
          lfo,
          target,
          depth: clamp(d * scale, -limit, limit),
          depthCc: cc,
          ...index,
        });
      }
    }
    mods.push(...rates);
  }
  // SFZ v1 LFOs (sfizz: a sine each, depth in cents on the pitch and cutoff, dB on the volume;
  // _depthccN adds depth scaled by the CC, a second row of the same LFO)
  const V1_LFOS = [["pitch", "pitch", 1200], ["amp", "volume", 10], [
    "fil",
    "cutoff",
    1200,
  ]] as const;
  for (const [kind, target, limit] of V1_LFOS) {
    const hz = num(`${kind}lfo_freq`) ?? 0;
    if (hz <= 0) continue;
    const lfo = {
      hz: clamp(hz, 0.001, 100),
      wave: "sine" as const,
      delay: clamp(num(`${kind}lfo_delay`) ?? 0, 0, 100),
      fade: clamp(num(`${kind}lfo_fade`) ?? 0, 0, 100),
    };
    const depth = num(`${kind}lfo_depth`);
    if (depth !== undefined && depth !== 0) {
      mods.push({ source: "lfo", lfo, target, depth: clamp(depth, -limit, limit) });
    }
    const ccs: number[] = [];
    for (const name of r.unplayed.keys()) {
      const m = new RegExp(`^${kind}lfo_depth(?:_on)?cc(\\d+)$`).exec(name);
      if (m && Number(m[1]) <= 127) ccs.push(Number(m[1]));
    }
    for (const cc of ccs.sort((a, b) => a - b)) {
      const d = num(`${kind}lfo_depthcc${cc}`) ?? num(`${kind}lfo_depth_oncc${cc}`);
      if (d === undefined || d === 0) continue;
      mods.push({ source: "lfo", lfo, target, depth: clamp(d, -limit, limit), depthCc: cc });
    }
  }
  const up = num("bend_up"), down = num("bend_down");
  if (up !== undefined || down !== undefined) {
    // the zone's bend rows replace the instrument's bend range (SFZ's defaults: 200, -200)
    mods.push({
      source: "bend",
      target: "pitch",
      curve: "upper",
      depth: clamp(up ?? 200, -9600, 9600),
    });
    mods.push({
      source: "bend",
      target: "pitch",
      curve: "lower",
      depth: clamp(down ?? -200, -9600, 9600),
    });
  }
  const decay = num("rt_decay");
  if (decay !== undefined && decay > 0 && r.trigger === "release") {
    // release samples lose rt_decay dB per second the note was held
    mods.push({ source: "heldSeconds", target: "volume", depth: -clamp(decay, 0, 144) });
  }
  const veltrack = num("pitch_veltrack");
  if (veltrack !== undefined && veltrack !== 0) {
    // cents at velocity 127, linear in velocity (sfizz: pitch_veltrack x velocity / 127)
    mods.push({
      source: "velocity",
      target: "pitch",
      curve: "linear",
      depth: clamp(veltrack, -9600, 9600),
    });
  }
  // sfizz: volume + a uniform draw in 0..amp_random dB, offset + a whole draw in 0..offset_random
  // frames, each note (the engine's seeded random source: the same script plays the same draws)
  const ampRandom = num("amp_random");
  if (ampRandom !== undefined && ampRandom > 0) {
    mods.push({ source: "random", target: "volume", depth: clamp(ampRandom, 0, 144) });
  }
  const offsetRandom = num("offset_random");
  if (offsetRandom !== undefined && offsetRandom >= 1) {
    // the start moves by the whole frames of depth x r, r in [0, 1): depth + 1 reaches offset_random
    mods.push({
      source: "random",
      target: "offset",
      depth: clamp(Math.floor(offsetRandom) + 1, 0, 2 ** 31),
    });
  }
  const random = num("pitch_random");
  if (random !== undefined && random !== 0) {
    mods.push({
      source: "randomBipolar",
      target: "pitch",
      depth: clamp(Math.abs(random), 0, 9600),
    });
  }
  return mods;
}

/** Every family, in the order their zone fields are written. */
export const FAMILIES: readonly OpcodeFamily[] = [
  sample,
  ranges,
  pitch,
  amplitude,
  loop,
  alternatives,
  groups,
  triggers,
  filter,
  controllers, // last: its catch-all patterns come after cutoff_ccN
];

/** Every region opcode's handler, by lower-case name. */
export const OPCODES: Readonly<Record<string, Handler>> = Object.assign(
  {},
  ...FAMILIES.map((f) => f.opcodes),
);

/** Every opcode named with a number. */
export const NUMBERED_OPCODES: readonly NumberedOpcode[] = FAMILIES.flatMap((f) =>
  f.numbered ?? []
);
