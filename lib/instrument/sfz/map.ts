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

import { noteNumber } from "../notes.ts";
import type { InstrumentDefinitionInput, LoopMode, ZoneDefinitionInput } from "../schema.ts";
import type { SfzHeader, SfzOpcode, SfzOrigin, SfzParse, SfzProblem } from "./parse.ts";

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

/** Filter state of a region while its opcodes apply. */
interface FilterState {
  type?: "lowpass" | "highpass" | "bandpass" | "off";
  cutoff?: number;
  resonance?: number;
  veltrack?: number;
  keytrack?: number;
  keycenter?: number;
  egDepth?: number;
  egAttack?: number;
  egDecay?: number;
  egSustain?: number;
  egRelease?: number;
  cc?: { controller: number; cents: number };
}

/** A region while its inherited and own opcodes apply; SFZ units. */
interface RegionState {
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
  pan: number;
  ampVeltrack?: number;
  velcurve: Map<number, number>;
  env: { attack?: number; hold?: number; decay?: number; sustain?: number; release?: number };
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
  offMode?: "fast" | "normal";
  trigger?: "attack" | "release";
  lochan: number;
  hichan: number;
  swLokey?: number;
  swHikey?: number;
  swLast?: number;
  pitchKeytrack?: number;
  filter: FilterState;
}

type Setter = (r: RegionState) => void;

function freshRegion(): RegionState {
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
    pan: 0,
    velcurve: new Map(),
    env: {},
    seqLength: 1,
    seqPosition: 1,
    lorand: 0,
    hirand: 1,
    group: 0,
    lochan: 1,
    hichan: 16,
    filter: {},
  };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const LOOP_MODES: Record<string, LoopMode> = {
  no_loop: "none",
  one_shot: "one-shot",
  loop_continuous: "forward",
  loop_sustain: "sustain",
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

/**
 * Turn parsed SFZ into an instrument definition.
 *
 * @param parsed the output of parseSfz
 * @param name the instrument's name (usually the file name without .sfz)
 * @returns the definition, each zone's region, warnings and errors
 */
export function convertSfz(parsed: SfzParse, name: string): SfzConversion {
  const warnings: SfzProblem[] = [];
  const errors: SfzProblem[] = [...parsed.errors];
  const warnedOnce = new Set<string>();
  /** Warn once per key (an opcode name, a value), at its first place. */
  const warnOnce = (key: string, at: SfzOrigin, message: string) => {
    if (warnedOnce.has(key)) return;
    warnedOnce.add(key);
    warnings.push({ file: at.file, line: at.line, message });
  };
  const fail = (op: SfzOpcode, problem: string) =>
    errors.push({
      file: op.file,
      line: op.line,
      message: `${op.name}=${show(op.value)}: ${problem}`,
    });

  let defaultPath = "";
  let noteOffset = 0;
  let keyswitchDefault: number | undefined;

  // -- value readers: undefined after recording an error -------------------
  const num = (op: SfzOpcode): number | undefined => {
    if (!NUMBER.test(op.value)) {
      fail(op, "is not a number");
      return undefined;
    }
    return Number(op.value);
  };
  const clamp = (op: SfzOpcode, v: number, lo: number, hi: number): number => {
    if (v >= lo && v <= hi) return v;
    const c = Math.min(hi, Math.max(lo, v));
    warnOnce(
      `clamp:${op.file}:${op.line}:${op.name}`,
      op,
      `${op.name}=${op.value} is outside ${lo}..${hi}: using ${c}`,
    );
    return c;
  };
  const ranged = (op: SfzOpcode, lo: number, hi: number): number | undefined => {
    const v = num(op);
    return v === undefined ? undefined : clamp(op, v, lo, hi);
  };
  const int = (op: SfzOpcode, lo: number, hi: number): number | undefined => {
    const v = ranged(op, lo, hi);
    return v === undefined ? undefined : Math.round(v);
  };
  /** A note number or name, with note_offset; -1 is kept (SFZ "no key"). */
  const note = (op: SfzOpcode): number | undefined => {
    let n: number | undefined;
    if (/^[+-]?\d+$/.test(op.value)) n = Number(op.value);
    else n = noteNumber(op.value);
    if (n === undefined) {
      fail(op, 'is not a note (give 0..127 or a name like "c#4")');
      return undefined;
    }
    n += noteOffset;
    if (n === -1) return -1;
    return Math.round(clamp(op, n, 0, 127));
  };
  const seconds = (op: SfzOpcode) => ranged(op, 0, 60);
  const percent = (op: SfzOpcode) => {
    const v = ranged(op, 0, 100);
    return v === undefined ? undefined : v / 100;
  };

  // -- opcode table ---------------------------------------------------------
  type Handler = (op: SfzOpcode) => Setter | undefined;
  const set = <T>(value: T | undefined, apply: (r: RegionState, v: T) => void) =>
    value === undefined ? undefined : (r: RegionState) => apply(r, value);
  const handlers: Record<string, Handler> = {
    sample: (op) => {
      if (op.value === "") return void fail(op, "is empty");
      if (op.value.startsWith("*")) {
        warnOnce(
          `generator:${op.value}`,
          op,
          `sample=${op.value}: generated waveforms are not supported (region skipped)`,
        );
        return (r) => {
          r.generator = op.value;
          delete r.sample;
        };
      }
      const path = (defaultPath + op.value).replaceAll("\\", "/");
      return (r) => {
        r.sample = path;
        delete r.generator;
      };
    },
    lokey: (op) => set(note(op), (r, v) => r.lokey = v),
    hikey: (op) => set(note(op), (r, v) => r.hikey = v),
    key: (op) =>
      set(note(op), (r, v) => {
        r.lokey = r.hikey = v;
        r.keycenter = v;
      }),
    pitch_keycenter: (op) =>
      op.value.toLowerCase() === "sample"
        ? (r) => r.keycenter = "sample"
        : set(note(op), (r, v) => r.keycenter = v < 0 ? 60 : v),
    lovel: (op) => set(int(op, 0, 127), (r, v) => r.lovel = v),
    hivel: (op) => set(int(op, 0, 127), (r, v) => r.hivel = v),
    tune: (op) => set(ranged(op, -12800, 12800), (r, v) => r.tune = v),
    transpose: (op) => set(int(op, -127, 127), (r, v) => r.transpose = v),
    volume: (op) => set(ranged(op, -144, 24), (r, v) => r.volume = v),
    amplitude: (op) => set(ranged(op, 0, 100), (r, v) => r.amplitude = v),
    pan: (op) => set(ranged(op, -100, 100), (r, v) => r.pan = v),
    amp_veltrack: (op) => {
      const v = ranged(op, -100, 100);
      if (v !== undefined && v < 0) {
        warnOnce(
          "amp_veltrack<0",
          op,
          `amp_veltrack=${op.value}: negative tracking is not supported: using 0`,
        );
      }
      return set(v, (r, x) => r.ampVeltrack = Math.max(0, x));
    },
    ampeg_attack: (op) => set(seconds(op), (r, v) => r.env.attack = v),
    ampeg_hold: (op) => set(seconds(op), (r, v) => r.env.hold = v),
    ampeg_decay: (op) => set(seconds(op), (r, v) => r.env.decay = v),
    ampeg_sustain: (op) => set(percent(op), (r, v) => r.env.sustain = v),
    ampeg_release: (op) => set(seconds(op), (r, v) => r.env.release = v),
    loop_mode: (op) => {
      const mode = LOOP_MODES[op.value];
      if (!mode) {
        return void fail(op, "is not one of no_loop, one_shot, loop_continuous, loop_sustain");
      }
      return (r) => r.loopMode = mode;
    },
    loop_start: (op) => set(int(op, 0, 0xfffffffe), (r, v) => r.loopStart = v),
    loop_end: (op) => set(int(op, 0, 0xfffffffe), (r, v) => r.loopEnd = v),
    offset: (op) => set(int(op, 0, 0xffffffff), (r, v) => r.offset = v),
    seq_length: (op) => set(int(op, 1, 100), (r, v) => r.seqLength = v),
    seq_position: (op) => set(int(op, 1, 100), (r, v) => r.seqPosition = v),
    lorand: (op) => set(ranged(op, 0, 1), (r, v) => r.lorand = v),
    hirand: (op) => set(ranged(op, 0, 1), (r, v) => r.hirand = v),
    group: (op) => set(int(op, -2147483648, 4294967294), (r, v) => r.group = v),
    off_by: (op) => set(int(op, -2147483648, 4294967294), (r, v) => r.offBy = v),
    off_mode: (op) => {
      if (op.value === "fast" || op.value === "normal") {
        const mode = op.value;
        return (r) => r.offMode = mode;
      }
      if (op.value === "time") {
        warnOnce("off_mode=time", op, "off_mode=time is not supported: using normal (the release)");
        return (r) => r.offMode = "normal";
      }
      return void fail(op, "is not one of fast, normal, time");
    },
    trigger: (op) => {
      const v = op.value;
      if (v === "attack" || v === "release") return (r) => r.trigger = v;
      if (v === "first" || v === "legato" || v === "release_key") {
        const to = v === "release_key" ? "release" : "attack";
        warnOnce(`trigger=${v}`, op, `trigger=${v} is not supported: using ${to}`);
        return (r) => r.trigger = to;
      }
      return void fail(op, "is not one of attack, release, first, legato, release_key");
    },
    lochan: (op) => set(int(op, 1, 16), (r, v) => r.lochan = v),
    hichan: (op) => set(int(op, 1, 16), (r, v) => r.hichan = v),
    sw_lokey: (op) => set(note(op), (r, v) => r.swLokey = v),
    sw_hikey: (op) => set(note(op), (r, v) => r.swHikey = v),
    sw_last: (op) => set(note(op), (r, v) => r.swLast = v),
    sw_default: (op) => {
      const n = note(op);
      if (n !== undefined && n >= 0) keyswitchDefault = n;
      return () => {};
    },
    pitch_keytrack: (op) => set(ranged(op, -1200, 1200), (r, v) => r.pitchKeytrack = v),
    fil_type: (op) => {
      const t = FILTER_TYPES[op.value];
      if (!t) {
        warnOnce(
          `fil_type=${op.value}`,
          op,
          `fil_type=${op.value} is not supported: the region plays unfiltered`,
        );
        return (r) => r.filter.type = "off";
      }
      if (t[1]) {
        warnOnce(
          `fil_type=${op.value}`,
          op,
          `fil_type=${op.value} is approximated by the engine's 12 dB/octave ${t[0]}`,
        );
      }
      return (r) => r.filter.type = t[0];
    },
    cutoff: (op) => set(ranged(op, 10, 20000), (r, v) => r.filter.cutoff = v),
    resonance: (op) => set(ranged(op, 0, 40), (r, v) => r.filter.resonance = v),
    fil_veltrack: (op) => set(ranged(op, -9600, 9600), (r, v) => r.filter.veltrack = v),
    fil_keytrack: (op) => set(ranged(op, -1200, 1200), (r, v) => r.filter.keytrack = v),
    fil_keycenter: (op) => set(note(op), (r, v) => r.filter.keycenter = v < 0 ? 60 : v),
    fileg_depth: (op) => set(ranged(op, -12000, 12000), (r, v) => r.filter.egDepth = v),
    fileg_attack: (op) => set(seconds(op), (r, v) => r.filter.egAttack = v),
    fileg_decay: (op) => set(seconds(op), (r, v) => r.filter.egDecay = v),
    fileg_sustain: (op) => set(percent(op), (r, v) => r.filter.egSustain = v),
    fileg_release: (op) => set(seconds(op), (r, v) => r.filter.egRelease = v),
  };
  // SFZ v1 spellings
  handlers.loopmode = handlers.loop_mode!;
  handlers.loopstart = handlers.loop_start!;
  handlers.loopend = handlers.loop_end!;
  handlers.filtype = handlers.fil_type!;
  handlers.pitch = handlers.tune!;

  const compile = (ops: readonly SfzOpcode[]): Setter[] => {
    const out: Setter[] = [];
    for (const op of ops) {
      const name = op.name.toLowerCase();
      const h = handlers[name];
      let setter: Setter | undefined;
      let m: RegExpExecArray | null;
      if (h) {
        setter = h({ ...op, name });
      } else if ((m = /^amp_velcurve_(\d+)$/.exec(name))) {
        const vel = Number(m[1]);
        if (vel > 127) {
          fail(op, "names a velocity above 127");
        } else {
          const g = ranged(op, 0, 4);
          if (g !== undefined) setter = (r) => r.velcurve.set(vel, g);
        }
      } else if ((m = /^cutoff_(?:on)?cc(\d+)$/.exec(name))) {
        const cc = Number(m[1]);
        const cents = ranged(op, -9600, 9600);
        if (cc < 1 || cc > 127) {
          warnOnce(`cutoff_cc:${cc}`, op, `${name}: controller ${cc} is outside 1..127 (ignored)`);
        } else if (cents !== undefined) {
          setter = (r) => r.filter.cc = { controller: cc, cents };
        }
      } else {
        warnOnce(`opcode:${name}`, op, `opcode "${name}" is not supported (ignored)`);
      }
      if (setter) out.push(setter);
    }
    return out;
  };

  const zones: (ZoneDefinitionInput & { seq?: number })[] = [];
  const regions: SfzOrigin[] = [];
  let global: Setter[] = [], master: Setter[] = [], group: Setter[] = [];

  const controlOpcode = (op: SfzOpcode) => {
    const name = op.name.toLowerCase();
    if (name === "default_path") {
      defaultPath = op.value.replaceAll("\\", "/");
    } else if (name === "note_offset") {
      const v = int(op, -127, 127);
      if (v !== undefined) [noteShift, noteOffset] = [v, v + octaveShift];
    } else if (name === "octave_offset") {
      const v = int(op, -10, 10);
      if (v !== undefined) [octaveShift, noteOffset] = [v * 12, noteShift + v * 12];
    } else {
      warnOnce(`control:${name}`, op, `<control> opcode "${name}" is not supported (ignored)`);
    }
  };
  let noteShift = 0, octaveShift = 0;

  for (const w of parsed.orphans) {
    warnOnce(`orphan:${w.name}`, w, `${w.name}= appears before any header (ignored)`);
  }

  const buildRegion = (header: SfzHeader, own: Setter[]) => {
    const r = freshRegion();
    for (const s of global) s(r);
    for (const s of master) s(r);
    for (const s of group) s(r);
    for (const s of own) s(r);
    const at = { file: header.file, line: header.line };
    const skip = (why: string) => warnings.push({ ...at, message: `<region> ${why} (skipped)` });
    if (r.generator) return;
    if (r.sample === undefined) return skip("has no sample=");
    if (r.lokey < 0 || r.hikey < 0) return skip("plays no key (lokey or hikey is -1)");
    if (r.lokey > r.hikey) return skip(`plays no key (lokey ${r.lokey} is above hikey ${r.hikey})`);
    const lovel = Math.max(1, r.lovel);
    if (r.hivel < lovel) return skip(`plays no velocity (lovel ${r.lovel}, hivel ${r.hivel})`);
    if (r.seqPosition > r.seqLength) {
      return skip(
        `never plays (seq_position ${r.seqPosition} is beyond seq_length ${r.seqLength})`,
      );
    }
    if (r.lochan > r.hichan) {
      return skip(`plays no channel (lochan ${r.lochan}, hichan ${r.hichan})`);
    }

    const zone: ZoneDefinitionInput & { seq?: number } = { sample: r.sample };
    if (r.lokey !== 0 || r.hikey !== 127) {
      zone.keys = r.lokey === r.hikey ? r.lokey : [r.lokey, r.hikey];
    }
    if (lovel !== 1 || r.hivel !== 127) zone.velocities = [lovel, r.hivel];
    // SFZ's default root is 60, not the zone's key; "sample" leaves it to the file
    if (r.keycenter !== "sample") zone.rootKey = r.keycenter;
    const tune = Math.max(-12800, Math.min(12800, r.tune + 100 * r.transpose));
    if (tune !== 0) zone.tuneCents = tune;
    const gain = r.volume + (r.amplitude > 0 ? 20 * Math.log10(r.amplitude / 100) : -144);
    if (gain !== 0) zone.gainDb = Math.max(-144, Math.min(24, gain));
    if (r.pan !== 0) zone.pan = r.pan / 100;
    if (r.velcurve.size) {
      zone.velocityCurve = [...r.velcurve].sort((a, b) => a[0] - b[0]);
    } else if (r.ampVeltrack !== undefined) {
      zone.velocityTrack = r.ampVeltrack / 100;
    }
    if (Object.keys(r.env).length) zone.envelope = { ...r.env };
    if (r.loopMode !== undefined || r.loopStart !== undefined || r.loopEnd !== undefined) {
      zone.loop = { mode: r.loopMode ?? "auto" };
      if (r.loopStart !== undefined) zone.loop.start = r.loopStart;
      // SFZ's loop_end is the last frame of the loop; the model's end is exclusive
      if (r.loopEnd !== undefined) zone.loop.end = r.loopEnd + 1;
    }
    if (r.offset !== undefined && r.offset !== 0) zone.offset = r.offset;
    if (r.seqLength > 1) {
      zone.altGroup = `sfz-seq:${r.seqLength}:${r.lokey}-${r.hikey}:${lovel}-${r.hivel}:${
        r.trigger ?? "attack"
      }:${r.swLast ?? ""}:${r.lochan}-${r.hichan}`;
      zone.seq = r.seqPosition;
    }
    if (r.lorand !== 0 || r.hirand !== 1) zone.random = [r.lorand, Math.max(r.lorand, r.hirand)];
    const groupName = (g: number): number | string => (g >= 1 ? g : `sfz-group:${g}`);
    if (r.group !== 0) zone.exclusiveGroup = groupName(r.group);
    // SFZ chokes only through off_by; the model's default ("own") would choke by group alone
    if (r.offBy === undefined || (r.offBy === 0 && r.group !== 0)) zone.offBy = "none";
    else if (r.offBy === r.group) zone.offBy = "own";
    else zone.offBy = groupName(r.offBy);
    if (r.offMode) zone.offMode = r.offMode;
    if (r.trigger) zone.trigger = r.trigger;
    if (r.lochan !== 1 || r.hichan !== 16) zone.midiChannels = [r.lochan - 1, r.hichan - 1];
    if (r.swLast !== undefined && r.swLast >= 0) {
      zone.keyswitch = r.swLast;
      const lo = r.swLokey ?? r.swLast, hi = r.swHikey ?? r.swLast;
      zone.keyswitchRange = lo >= 0 && hi >= 0 && lo <= hi ? [lo, hi] : r.swLast;
    } else if (r.swLokey !== undefined && r.swHikey !== undefined && r.swLokey >= 0) {
      if (r.swLokey <= r.swHikey) zone.keyswitchRange = [r.swLokey, r.swHikey];
    }
    if (r.pitchKeytrack !== undefined) zone.pitchKeytrack = r.pitchKeytrack;
    const f = r.filter;
    if (f.cutoff !== undefined && f.type !== "off") {
      const filter: NonNullable<ZoneDefinitionInput["filter"]> = {
        type: f.type ?? "lowpass",
        cutoffHz: f.cutoff,
      };
      if (f.resonance !== undefined) filter.resonanceDb = f.resonance;
      if (f.veltrack !== undefined) filter.velocityTrackCents = f.veltrack;
      if (f.keytrack !== undefined) filter.keyTrackCents = f.keytrack;
      if (f.keycenter !== undefined) filter.keyCenter = f.keycenter;
      if (
        f.egDepth !== undefined || f.egAttack !== undefined || f.egDecay !== undefined ||
        f.egSustain !== undefined || f.egRelease !== undefined
      ) {
        filter.envelope = { depthCents: f.egDepth ?? 0 };
        if (f.egAttack !== undefined) filter.envelope.attack = f.egAttack;
        if (f.egDecay !== undefined) filter.envelope.decay = f.egDecay;
        if (f.egSustain !== undefined) filter.envelope.sustain = f.egSustain;
        if (f.egRelease !== undefined) filter.envelope.release = f.egRelease;
      }
      if (f.cc) filter.cc = f.cc;
      zone.filter = filter;
    } else if (f.type !== undefined && f.type !== "off") {
      warnOnce(
        "fil_type-without-cutoff",
        at,
        "fil_type without cutoff: the filter stays off (as in SFZ)",
      );
    }
    zones.push(zone);
    regions.push(at);
  };

  const ignoredHeaders = new Set(["curve", "effect", "midi", "sample"]);
  for (const header of parsed.headers) {
    switch (header.name) {
      case "control":
        for (const op of header.opcodes) controlOpcode(op);
        break;
      case "global":
        global = compile(header.opcodes);
        master = [];
        group = [];
        break;
      case "master":
        master = compile(header.opcodes);
        group = [];
        break;
      case "group":
        group = compile(header.opcodes);
        break;
      case "region":
        buildRegion(header, compile(header.opcodes));
        break;
      default:
        warnOnce(
          `header:${header.name}`,
          header,
          ignoredHeaders.has(header.name)
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
  if (keyswitchDefault !== undefined) definition.keyswitchDefault = keyswitchDefault;
  return { definition, regions, warnings, errors };
}

/**
 * The engine takes round-robin alternatives in zone order: sort each group's
 * zones by seq_position, in the slots they already hold.
 */
function orderRoundRobins(
  zones: (ZoneDefinitionInput & { seq?: number })[],
  regions: SfzOrigin[],
): void {
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

function show(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
