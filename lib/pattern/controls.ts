/**
 * From a pattern event's controls to what the engine plays: which
 * instrument and key, and the per-note parameters.
 *
 * Thread: CT. Pure: no engine, no I/O. {@linkcode CATALOG} lists every control
 * @strudel/core registers, each played by the engine (a per-note control row of
 * the engine's control table), resolved here (sound, note, timing), or
 * unsupported with the reason; the session warns once per part for an
 * unsupported one. docs/live-coding.md's controls table is tested against it.
 *
 * @module
 */
import { BadValue } from "./bad_value.ts";
import { CONTROL_BY_NAME, controlRangeError, controlValue } from "../ffi/control_table.ts";
import { noteNameToMidi } from "./scales.ts";

/** Where a sound name plays: an instrument, and for drums the key(s). */
export interface SoundMapping {
  /** Instrument name: `instruments/<name>.ts`. */
  instrument: string;
  /**
   * Keys for `n` = 0, 1, 2, ... (`s("hh:1")` or `s("hh").n(1)` picks the
   * second, wrapping). Absent for pitched sounds: they play `note`.
   */
  keys?: readonly number[];
  /** Key a pitched sound plays without `note` or `n`. @default 60 */
  defaultNote?: number;
  /**
   * A sample sound's instruments, one per file: `n` picks one (rounded,
   * wrapping) and `note` repitches it from `defaultNote` (superdough's 36).
   */
  variants?: readonly string[];
  /** Said once when the sound first plays (a substituted sound, ...). */
  note?: string;
}

/**
 * Instrument names of the engine's oscillators: "synth:<source>" (an
 * oscillator zone over every key, lib/live/instruments.ts builds it).
 */
export const SYNTH_PREFIX = "synth:";
/** superdough's synth sound names and the engine source (MS_SOURCE_*) each plays. */
export const SYNTH_SOUNDS: Readonly<Record<string, string>> = {
  sine: "sine",
  sawtooth: "sawtooth",
  saw: "sawtooth",
  square: "square",
  triangle: "triangle",
  supersaw: "supersaw",
  white: "white",
  pink: "pink",
  brown: "brown",
};
/** superdough's synth envelope when a note sets none of attack, decay, sustain, release. */
export const SYNTH_ADSR = { attack: 0.001, decay: 0.05, sustain: 0.6, release: 0.01 } as const;

/** The synth sounds: pitched, C2 (superdough's note 36) without `note`. */
function synthSounds(): Record<string, SoundMapping> {
  return Object.fromEntries(
    Object.entries(SYNTH_SOUNDS).map(([name, source]) => [
      name,
      { instrument: `${SYNTH_PREFIX}${source}`, defaultNote: 36 },
    ]),
  );
}

/**
 * The shipped sound names: the drum kit's keys (General MIDI numbering) and
 * the pitched instruments. A set adds or overrides names with `set.sound()`.
 */
export const DEFAULT_SOUNDS: Readonly<Record<string, SoundMapping>> = {
  bd: { instrument: "drums", keys: [36] },
  kick: { instrument: "drums", keys: [36] },
  sd: { instrument: "drums", keys: [38] },
  snare: { instrument: "drums", keys: [38] },
  cp: { instrument: "drums", keys: [39] },
  clap: { instrument: "drums", keys: [39] },
  hh: { instrument: "drums", keys: [42, 44, 46] },
  ch: { instrument: "drums", keys: [42] },
  ph: { instrument: "drums", keys: [44] },
  oh: { instrument: "drums", keys: [46] },
  drums: { instrument: "drums", keys: [36, 38, 39, 42, 44, 46] },
  epiano: { instrument: "epiano", defaultNote: 60 },
  // "piano" resolves (lib/instrument/resolve.ts) to the GM grand when a bank is installed, else epiano
  piano: { instrument: "piano", defaultNote: 60 },
  bass: { instrument: "bass", defaultNote: 36 },
  ...synthSounds(),
};

// ---------------------------------------------------------------------------
// The superdough catalog: every control @strudel/core registers.

/** How a control is played here. */
export type ControlStatus = "engine" | "session" | "unsupported";

/** One superdough control (under its main name) and what this runtime does with it. */
export interface ControlEntry {
  /**
   * `engine`: a per-note engine control (the row of the same name, or `engine`, in
   * `CONTROL_TABLE`); `session`: resolved here, on the control thread, into the note,
   * its timing or other controls; `unsupported`: ignored with one warning per part.
   */
  readonly status: ControlStatus;
  /** Other names registered for it (`lpf` for `cutoff`). */
  readonly aliases: readonly string[];
  /** superdough's unit (what a pattern value means). */
  readonly unit?: string;
  /**
   * Session controls: the value when the event does not set it. Engine controls:
   * superdough's default, for reference (what plays is the engine row's default).
   */
  readonly default?: number | string;
  /** The engine control it sets when not the same name. */
  readonly engine?: string;
  /** What it does here (engine and session), or why it is not supported. */
  readonly does: string;
}

const eng = (
  does: string,
  unit: string,
  def?: number | string,
  aliases: readonly string[] = [],
  engine?: string,
): ControlEntry => ({
  status: "engine",
  aliases,
  unit,
  does,
  ...(def === undefined ? {} : { default: def }),
  ...(engine === undefined ? {} : { engine }),
});
const ses = (
  does: string,
  unit: string,
  aliases: readonly string[] = [],
  def?: number | string,
) => ({
  status: "session" as const,
  aliases,
  unit,
  does,
  ...(def === undefined ? {} : { default: def }),
});
const no = (does: string, aliases: readonly string[] = []): ControlEntry => ({
  status: "unsupported",
  aliases,
  does,
});

const SYNTH =
  "a superdough synth control the engine's oscillators do not have (pulse, partials, noise mix, bytebeat)";
const WAVETABLE = "wavetable oscillator control: needs a synth voice (a later issue)";
const FM = "FM synthesis control: FM velocity scaling is not implemented";
const ZZFX = "zzfx synth control: needs a synth voice (a later issue)";
const MIDI_OUT = "MIDI output (`.midi()`) message this runtime does not send (sysex, NRPN, maps)";
const OSC_OUT = "OSC output (`.osc()`): this runtime sends no OSC";
const VISUAL = "visual only (pianoroll, scope): no sound";
const SUPERDIRT_FX = "SuperDirt effect not in superdough: not implemented here";
const SUPERDIRT_SYNTH = "SuperDirt synth or note-model argument: not a sample-player control";
const VOICING = "voicing input read by `.voicing()` before an event is made: not a sound control";
const DUCK = "orbit ducking (sidechain): not implemented";
const COMP =
  "per-note compressor (Web Audio DynamicsCompressor): not implemented; the master has a soft limiter";
const IR = "convolution reverb with a sample: not implemented (the orbit reverb is an FDN)";
const WAVETABLE_ALIASES: Record<string, readonly string[]> = {
  wt: ["wavetablePosition"],
  wtattack: ["wtatt"],
  wtdecay: ["wtdec"],
  wtsustain: ["wtsus"],
  wtrelease: ["wtrel"],
  warp: ["wavetableWarp"],
  warpattack: ["warpatt"],
  warpdecay: ["warpdec"],
  warpsustain: ["warpsus"],
  warprelease: ["warprel"],
  warpmode: ["wavetableWarpMode"],
  wtphaserand: ["wavetablePhaseRand"],
};
const SUPERDIRT_ALIASES: Record<string, readonly string[]> = {
  gate: ["gat"],
  fadeTime: ["fadeOutTime"],
  lfo: ["repeatTime"],
};
const TIMECODE = "MIDI time code / song position output: not a sound control";

/**
 * Every control registered by @strudel/core 1.2.5 (controls.mjs), under its
 * main name, with its aliases. `tests` walk the registered names and fail on one
 * that is missing here.
 */
export const CATALOG: Readonly<Record<string, ControlEntry>> = {
  // --- sound selection and the note (session)
  s: ses('sound name: selects the instrument (and for drums the key); "name:i" sets n', "name", [
    "sound",
  ]),
  n: ses(
    "sample packs: the file (rounded, wrapping); drums: index into the sound's keys (wrapping); pitched: the MIDI note when there is no `note`; synths: no pitch (a supersaw's detune), as in superdough; with .scale(): a degree",
    "index",
  ),
  note: ses(
    'pitch: MIDI number or name ("c3" = 48, c4 = 60); a fraction detunes in cents',
    "MIDI note",
  ),
  bank: ses(
    'sound bank: `s("bd").bank("RolandTR909")` plays the sound "RolandTR909_bd" (any letter case) when a pack or the set has it, else "bd"',
    "name",
  ),
  gain: ses(
    "amplitude factor (1 = as is; superdough's default 0.8 is not applied, so shipped sets keep their level): the note's gain in dB, 20·log10(gain); 0 skips the note",
    "factor",
    [],
    1,
  ),
  velocity: ses(
    "0..1, the MIDI velocity ×127 (default 100/127): selects velocity layers and scales loudness by the zone's velocity tracking",
    "0..1",
    [],
    1,
  ),
  pan: ses("0 (left) .. 0.5 (centre) .. 1 (right): added to the zone's pan", "0..1", [], 0.5),
  clip: ses("note length as a fraction of the event's length (default 1)", "factor", ["legato"], 1),
  duration: ses("note length in cycles (instead of the event's length × clip)", "cycles", ["dur"]),
  cut: ses(
    "cut group: a note releases the previous note of the same group (one-shot zones play on)",
    "group",
  ),
  unit: eng(
    '`"c"`: `speed` is in cycles, the sample lasts 1/speed cycles (the engine sets the rate to speed × sample seconds × cps); `"r"` (default): a rate',
    "r | c",
    "r",
  ),
  lock: eng(
    "1: `delaytime` is in cycles and follows the tempo (the session sends the engine each tempo change)",
    "0 | 1",
    0,
  ),
  delaysync: eng("delay time in cycles, following the tempo", "cycles", 0.1875),
  cps: no("per-event tempo: the tempo is the set's (`set.tempo()`), not an event control"),
  nudge: no("timing offset in seconds: not implemented (shift the pattern with `.late()`)"),
  orbit: eng(
    "the orbit (effect bus: a delay and a reverb) the note plays into; superdough's orbits count from 1 (its default), the engine's from 0: orbit n plays on the engine's n - 1 (0 and 1 on its first), 1..16",
    "index",
    1,
  ),

  // --- sample playback (engine)
  begin: eng("start this far into the sample", "0..1", 0),
  end: eng("stop this far into the sample (1 = its end)", "0..1", 1),
  loop: eng("1: loop between loopBegin and loopEnd while the note is held", "0 | 1", 0),
  loopBegin: eng("loop start as a fraction of the sample", "0..1", 0, ["loopb"]),
  loopEnd: eng("loop end as a fraction of the sample", "0..1", 1, ["loope"]),
  speed: eng(
    'playback rate: 2 an octave up, negative plays backwards (read in reverse); with unit "c" fitted to the cycle',
    "factor",
    1,
  ),
  accelerate: eng(
    "speed grows linearly to speed × (1 + accelerate) over the note's length (the session sends it)",
    "factor",
    0,
  ),
  stretch: no("phase-vocoder time stretch: not implemented"),

  // --- amplitude envelope (engine)
  attack: eng("amplitude attack time (overrides the zone's)", "s", 0.001, ["att"]),
  decay: eng("amplitude decay time", "s", 0.05, ["dec"]),
  sustain: eng("amplitude sustain level (0 when decay is set alone, as in superdough)", "0..1", 1, [
    "sus",
  ]),
  release: eng("amplitude release time after the note's end", "s", 0.01, ["rel"]),
  hold: eng("time held at full level after the attack", "s", 0),

  // --- pitch envelope and vibrato (engine)
  penv: eng("pitch envelope depth in semitones (negative flips it)", "semitones"),
  pattack: eng("pitch envelope attack", "s", undefined, ["patt"]),
  pdecay: eng("pitch envelope decay", "s", undefined, ["pdec"]),
  psustain: eng("pitch envelope sustain level", "0..1", undefined, ["psus"]),
  prelease: eng("pitch envelope release", "s", undefined, ["prel"]),
  pcurve: no("pitch envelope curve: the engine's pitch envelope is linear (superdough's default)"),
  panchor: eng("pitch envelope anchor: 0 from the note up, 1 down to the note", "0..1", 0),
  vib: eng("vibrato rate", "Hz", undefined, ["vibrato", "v"]),
  vibmod: eng("vibrato depth (with vib)", "semitones", 0.15, ["vmod"]),

  // --- filters (engine)
  cutoff: eng("low-pass cutoff (12 or 24 dB per ftype)", "Hz", undefined, ["ctf", "lpf", "lp"]),
  resonance: eng("low-pass resonance (superdough's Web Audio Q, in dB)", "dB", 1, ["lpq"]),
  hcutoff: eng("high-pass cutoff", "Hz", undefined, ["hpf", "hp"]),
  hresonance: eng("high-pass resonance (dB, as resonance)", "dB", 1, ["hpq"]),
  bandf: eng("band-pass centre", "Hz", undefined, ["bpf", "bp"]),
  bandq: eng("band-pass Q", "Q", 1, ["bpq"]),
  ftype: eng(
    'filter slope: "12db" (0), "ladder" (1, played as 24 dB), "24db" (2)',
    "name | 0..2",
    "12db",
  ),
  fanchor: eng(
    "filter envelope anchor: 0 sweeps up from the cutoff, 0.5 around it, 1 down to it",
    "0..1",
    0,
  ),
  lpenv: eng("low-pass envelope depth in octaves", "octaves", undefined, ["lpe"]),
  lpattack: eng("low-pass envelope attack", "s", undefined, ["lpa"]),
  lpdecay: eng("low-pass envelope decay", "s", undefined, ["lpd"]),
  lpsustain: eng("low-pass envelope sustain", "0..1", undefined, ["lps"]),
  lprelease: eng("low-pass envelope release", "s", undefined, ["lpr"]),
  hpenv: eng("high-pass envelope depth in octaves", "octaves", undefined, ["hpe"]),
  hpattack: eng("high-pass envelope attack", "s", undefined, ["hpa"]),
  hpdecay: eng("high-pass envelope decay", "s", undefined, ["hpd"]),
  hpsustain: eng("high-pass envelope sustain", "0..1", undefined, ["hps"]),
  hprelease: eng("high-pass envelope release", "s", undefined, ["hpr"]),
  bpenv: eng("band-pass envelope depth in octaves", "octaves", undefined, ["bpe"]),
  bpattack: eng("band-pass envelope attack", "s", undefined, ["bpa"]),
  bpdecay: eng("band-pass envelope decay", "s", undefined, ["bpd"]),
  bpsustain: eng("band-pass envelope sustain", "0..1", undefined, ["bps"]),
  bprelease: eng("band-pass envelope release", "s", undefined, ["bpr"]),
  djf: eng("DJ filter: below 0.5 low-pass, above high-pass, 0.5 open", "0..1"),
  vowel: eng("formant filter: a e i o u ae aa oe ue y uh un en an on (and æ ø ɑ å ö ü ı)", "name"),
  drive: no("ladder filter drive: the engine plays ladder as its 24 dB filter, without drive"),

  // --- character (engine)
  coarse: eng("sample-rate reduction: holds every n-th sample", "factor ≥ 1"),
  crush: eng("bit depth (16 barely, 1 drastic)", "bits"),
  shape: eng("waveshaper amount", "0..1"),
  distort: eng("waveshaping distortion amount (loud)", "≥ 0", undefined, ["dist"]),
  distortvol: eng("volume after distort", "factor", 1, ["distvol"]),
  distorttype: no("distortion curve types other than superdough's default: not implemented", [
    "disttype",
  ]),
  tremolo: eng("tremolo rate (amplitude LFO)", "Hz", undefined, ["trem"]),
  tremolosync: eng(
    "tremolo rate in cycles (follows the tempo)",
    "cycles",
    undefined,
    ["tremsync"],
    "tremolo",
  ),
  tremolodepth: eng("tremolo depth", "0..1", 1, ["tremdepth"]),
  tremoloshape: eng("tremolo waveform: sine, tri, square, saw, ramp", "name", "sine", [
    "tremshape",
  ]),
  tremoloskew: no("tremolo waveform skew: not implemented", ["tremskew"]),
  tremolophase: no("tremolo phase offset: not implemented", ["tremphase"]),
  phaserrate: eng("phaser LFO rate", "Hz", undefined, ["phaser", "ph"]),
  phaserdepth: eng("phaser depth", "0..1", 0.75, ["phd", "phasdp"]),
  phasercenter: eng("phaser centre frequency", "Hz", 1000, ["phc"]),
  phasersweep: eng("phaser sweep range (superdough's detune amount)", "cents", 2000, ["phs"]),
  ring: eng("ring modulation amount (SuperDirt)", "0..1"),
  ringf: eng("ring modulation frequency (SuperDirt)", "Hz", 0),
  ringdf: no("ring modulation frequency slide: not implemented"),
  squiz: no("SuperDirt's squiz pitch-raiser: not implemented"),
  postgain: eng("gain after the effect chain", "factor", 1),
  amp: no("SuperDirt's linear amplitude: use gain"),

  // --- orbit effects (engine)
  delay: eng("delay send level into the note's orbit", "0..1", 0),
  delaytime: eng("delay time of the orbit (in cycles with lock)", "s", 0.1875, ["delayt", "dt"]),
  delayfeedback: eng("delay feedback of the orbit, clamped to 0.98", "0..1", 0.5, [
    "delayfb",
    "dfb",
  ]),
  delayspeed: no("pitch of the delay feedback: not implemented"),
  room: eng("reverb send level into the note's orbit", "0..1", 0),
  roomsize: eng("reverb size: its RT60 in seconds", "s", undefined, ["size", "sz", "rsize"]),
  roomlp: eng("reverb low-pass start frequency", "Hz", undefined, ["rlp"]),
  roomdim: eng("reverb low-pass frequency at -60 dB", "Hz", undefined, ["rdim"]),
  roomfade: eng("reverb fade-in time", "s", undefined, ["rfade"]),
  dry: eng(
    "SuperDirt's reverb dryness of the orbit: its reverb output × (1 - dry); the notes' own sound stays",
    "0..1",
    0,
  ),
  ir: no(IR, ["iresponse"]),
  irspeed: no(IR),
  irbegin: no(IR),
  duckorbit: no(DUCK, ["duck"]),
  duckattack: no(DUCK, ["duckatt"]),
  duckdepth: no(DUCK),
  duckonset: no(DUCK, ["duckons"]),
  compressor: no(COMP),
  compressorRatio: no(COMP),
  compressorKnee: no(COMP),
  compressorAttack: no(COMP),
  compressorRelease: no(COMP),
  channels: no(
    "browser output channel routing: use `--orbit-outputs` (each orbit its own port pair)",
    ["ch"],
  ),

  // --- synth voices (later issue)
  ...Object.fromEntries(
    [
      "wt",
      "wtenv",
      "wtattack",
      "wtdecay",
      "wtsustain",
      "wtrelease",
      "wtrate",
      "wtsync",
      "wtdepth",
      "wtshape",
      "wtdc",
      "wtskew",
      "warp",
      "warpattack",
      "warpdecay",
      "warpsustain",
      "warprelease",
      "warprate",
      "warpdepth",
      "warpshape",
      "warpdc",
      "warpskew",
      "warpmode",
      "wtphaserand",
      "warpenv",
      "warpsync",
    ].map((k) => [k, no(WAVETABLE, WAVETABLE_ALIASES[k] ?? [])]),
  ),
  // synth voices (oscillator zones, rt_osc.c): FM as superdough's applyFM
  fmi: eng(
    "FM index: the modulator deviates the carrier by fmi x fmh x its frequency",
    "index",
    0,
    ["fm"],
  ),
  fmh: eng("FM harmonicity: the modulator's frequency over the carrier's", "ratio", 1),
  fmenv: eng("FM envelope curve: lin or exp", "lin exp", "exp"),
  fmattack: eng("FM envelope attack (any FM envelope control turns it on)", "s"),
  fmdecay: eng("FM envelope decay", "s"),
  fmsustain: eng("FM envelope sustain level", "0..1"),
  fmrelease: eng("FM envelope release", "s"),
  fmwave: eng("FM modulator waveform: sine sawtooth square triangle", "waveform", "sine"),
  fmvelocity: no(FM),
  freq: eng("a synth's frequency in Hz, instead of note", "Hz"),
  unison: eng("supersaw: detuned saws", "voices", 5),
  detune: eng("supersaw: semitones between the outermost saws", "semitones", 0.18, ["det"]),
  spread: eng("supersaw: stereo spread of the saws", "0..1", 0.6),
  source: no("custom Web Audio source node: browser only", ["src"]),
  byteBeatExpression: no(SYNTH, ["bbexpr"]),
  byteBeatStartTime: no(SYNTH, ["bbst"]),
  ...Object.fromEntries(
    ["pw", "pwrate", "pwsweep", "noise", "density", "partials", "real", "imag"]
      .map((k) => [k, no(SYNTH)]),
  ),
  zzfx: no(ZZFX),
  ...Object.fromEntries(
    [
      "curve",
      "slide",
      "deltaSlide",
      "pitchJump",
      "pitchJumpTime",
      "zcrush",
      "zdelay",
      "zmod",
      "znoise",
      "zrand",
    ].map((k) => [k, no(ZZFX)]),
  ),
  chorus: no("superdough synth chorus: not implemented"),

  // --- SuperDirt effects and synth arguments
  ...Object.fromEntries(
    [
      "binshift",
      "comb",
      "enhance",
      "freeze",
      "hbrick",
      "lbrick",
      "krush",
      "kcutoff",
      "octer",
      "octersub",
      "octersubsub",
      "scram",
      "smear",
      "triode",
      "waveloss",
      "xsdelay",
      "tsdelay",
      "fshift",
      "fshiftnote",
      "fshiftphase",
      "leslie",
      "lrate",
      "lsize",
      "overgain",
      "overshape",
    ]
      .map((k) => [k, no(SUPERDIRT_FX)]),
  ),
  ...Object.fromEntries(
    [
      "octave",
      "voice",
      "harmonic",
      "stepsPerOctave",
      "octaveR",
      "semitone",
      "ctranspose",
      "mtranspose",
      "gate",
      "sustainpedal",
      "expression",
      "fadeTime",
      "fadeInTime",
      "lfo",
      "rate",
      "panspan",
      "pansplay",
      "panwidth",
      "panorient",
    ]
      .map((k) => [k, no(SUPERDIRT_SYNTH, SUPERDIRT_ALIASES[k] ?? [])]),
  ),
  // --- MIDI out (`.midi()`: lib/live/session.ts sends the event instead of playing it)
  midiport: ses(
    "the MIDI output an event goes to (`.midi(port)` sets it): a name, or an index in the outputs opened",
    "name",
  ),
  midichan: ses("MIDI channel of the event's messages", "1..16", [], 1),
  ccn: ses("controller number of a control change sent with `ccv`", "0..127"),
  ccv: ses("value of the control change (`ccn`), 0..1 scaled to 0..127", "0..1"),
  midicmd: ses("a clock, start, stop or continue message at the onset", "name"),
  progNum: ses("a program change at the onset", "0..127"),
  midibend: ses("a pitch bend at the onset, -1..1 to 0..16383", "-1..1"),
  miditouch: ses("channel pressure at the onset, 0..1 scaled to 0..127", "0..1"),
  // --- MIDI messages not sent, OSC, visuals, voicing input
  ...Object.fromEntries(
    [
      "midimap",
      "ctlNum",
      "nrpnn",
      "nrpv",
      "sysexid",
      "sysexdata",
      "polyTouch",
      "channel",
    ]
      .map((k) => [k, no(MIDI_OUT)]),
  ),
  ...Object.fromEntries(
    ["songPtr", "hours", "minutes", "seconds", "frames", "frameRate"].map((k) => [k, no(TIMECODE)]),
  ),
  oschost: no(OSC_OUT),
  oscport: no(OSC_OUT),
  ...Object.fromEntries(
    ["color", "activeLabel", "label", "analyze", "fft"].map((k) => [k, no(VISUAL)]),
  ),
  ...Object.fromEntries(
    ["anchor", "chord", "mode", "offset", "octaves", "degree"].map((k) => [k, no(VOICING)]),
  ),
  dictionary: no(VOICING, ["dict"]),
  uid: no("event id for outputs that track notes: not a sound control"),
  val: no("generic value slot: not a sound control"),
};

/** Alias or main name to the main name, for every registered control. */
export const CONTROL_ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries(CATALOG).flatMap(([main, e]) =>
    [main, ...e.aliases].map((a): [string, string] => [a, main])
  ),
);

/** The controls this runtime plays (main names and aliases), with what each does. */
export const CONTROLS: Readonly<Record<string, string>> = Object.fromEntries(
  [...CONTROL_ALIASES].filter(([, main]) => CATALOG[main]!.status !== "unsupported").map((
    [name, main],
  ) => [name, name === main ? CATALOG[main]!.does : `same as ${main}`]),
);

/** Controls the engine or the session plays (others are reported as ignored). */
export const KNOWN_CONTROLS: ReadonlySet<string> = new Set(Object.keys(CONTROLS));

/**
 * Why a control is ignored: its catalog reason, or that it is no superdough control.
 *
 * @param name A control name as it appears in an event.
 * @returns The text for the warning, or undefined for a control that is played.
 */
export function unsupportedReason(name: string): string | undefined {
  const main = CONTROL_ALIASES.get(name);
  if (main === undefined) return "not a superdough control";
  const e = CATALOG[main]!;
  return e.status === "unsupported" ? e.does : undefined;
}

// ---------------------------------------------------------------------------
// Conversions from superdough's units to the engine's.

export { FTYPES, TREMOLO_SHAPES, VOWELS } from "../ffi/control_table.ts";

const index = (name: string) => (v: unknown): number | undefined => {
  const r = controlValue(name, v);
  return typeof r === "number" ? r : undefined;
};
/**
 * The engine's index of a vowel name: a e i o u ae aa oe ue y uh un en an on,
 * or superdough's IPA spellings (æ ø ɑ å ö ü ı); undefined for another.
 */
export const vowelIndex: (v: unknown) => number | undefined = index("vowel");
/** "12db" 0, "ladder" 1, "24db" 2, a number modulo 3 (superdough's); undefined for another. */
export const ftypeIndex: (v: unknown) => number | undefined = (v) => {
  const i = index("ftype")(v);
  return i === undefined ? undefined : ((Math.floor(i) % 3) + 3) % 3;
};
/** sine 0, tri 1, square 2, saw 3, ramp 4; undefined for another. */
export const tremoloShapeIndex: (v: unknown) => number | undefined = (v) => {
  const i = index("tremoloshape")(v);
  return i !== undefined && Number.isInteger(i) && i >= 0 && i <= 4 ? i : undefined;
};

/**
 * superdough's `unit: "c"`: the playback rate at which a sample of
 * `sampleSeconds` lasts 1/|speed| cycles at `cps` cycles per second.
 *
 * @param speed The event's speed (cycles: 1 = one cycle, 2 = half a cycle; negative plays in reverse).
 * @param sampleSeconds The sample's length in seconds (at its own rate).
 * @param cps Cycles per second.
 * @returns The rate: speed × sampleSeconds × cps.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unitCycleRate } from "./controls.ts";
 * // a 2 s loop at 0.5 cycles per second already lasts one cycle
 * assert(unitCycleRate(1, 2, 0.5) === 1);
 * ```
 */
export function unitCycleRate(speed: number, sampleSeconds: number, cps: number): number {
  return speed * sampleSeconds * cps;
}

/** What one event asks the engine to play. */
export interface NoteRequest {
  /** The sound name as written (without ":n"; with the bank when the set has "bank_name"). */
  sound: string;
  /** The instrument it resolves to. */
  instrument: string;
  /** MIDI key 0..127. */
  note: number;
  /** MIDI velocity 1..127. */
  velocity: number;
  gainDb: number;
  /** -1..1 added to the zone's pan. */
  pan: number;
  /** Detune in cents: the note's fraction, and a speed in 0.25..4 (others go to controls.speed). */
  tuneCents: number;
  /** Fraction 0..1 of the sample to skip. */
  begin: number;
  /** Fraction of the event's length the note is held. */
  legato: number;
  /** Note length in cycles (`duration`), instead of the event's length × legato. */
  duration?: number;
  /** Cut group, if any. */
  cut?: number;
  /**
   * A sample sound without `clip`, `legato`, `duration` or `loop`: superdough
   * plays the sample whole, so the note lasts at least the sample's length.
   */
  whole?: boolean;
  /**
   * Engine controls by name (lib/ffi/control_table.ts), in the engine's units and
   * ranges: vowel, ftype, tremoloshape and unit as indices, tremolosync as tremolo
   * in Hz, cps added where the engine needs the tempo (unit "c", lock, delaysync),
   * speed when negative (reverse), beyond 0.25..4 or with unit "c" (a speed in
   * 0.25..4 is tuneCents, as before).
   */
  controls: Record<string, number>;
  /** Controls skipped for a bad value, each a message (the session warns once per part). */
  problems: string[];
}

const num = (v: unknown): number | undefined => {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/** Options of {@linkcode resolveControls}. */
export interface ResolveOptions {
  /** Sound of events that name none (a bare `note(...)`). @default "epiano" */
  defaultSound?: string;
  /** Cycles per second at the event (tremolosync, unit "c", delay sync). @default 0.5 */
  cps?: number;
}

/**
 * Resolve one event's controls.
 *
 * @param value The event's controls (e.g. `{ s: "hh", n: 1, gain: 0.5 }`).
 * @param sounds Sound names to mappings.
 * @param options The default sound (a string, as before) or {@linkcode ResolveOptions}.
 * @returns The note to play, `null` for a silent event (gain 0), or an error text: the
 *   event is dropped then (a note control that is NaN or a {@linkcode BadValue}
 *   drops it too, with the reason; an effect control with a bad value is left out and
 *   named in `problems`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SOUNDS, resolveControls } from "./controls.ts";
 * const r = resolveControls({ s: "hh", n: 2, gain: 0.5, pan: 1, lpf: 800 }, DEFAULT_SOUNDS);
 * assert(typeof r === "object" && r !== null && r.note === 46 && r.pan === 1);
 * assert(typeof r === "object" && r !== null && r.controls.cutoff === 800);
 * ```
 */
export function resolveControls(
  value: Record<string, unknown>,
  sounds: Readonly<Record<string, SoundMapping>>,
  options: string | ResolveOptions = {},
): NoteRequest | null | string {
  const opts = typeof options === "string" ? { defaultSound: options } : options;
  const defaultSound = opts.defaultSound ?? "epiano";
  const cps = opts.cps ?? 0.5;
  if (hasBadSessionValue(value)) {
    for (const key of SESSION_NAMES) {
      const v = value[key];
      if (v instanceof BadValue) return v.reason;
      if (typeof v === "number" && Number.isNaN(v)) return `${key} is NaN`;
    }
  }
  let sound = value.s ?? value.sound ?? defaultSound;
  let index = num(value.n);
  if (typeof sound === "string" && sound.includes(":")) {
    const [name, i] = sound.split(":");
    sound = name!;
    if (index === undefined && num(i) !== undefined) index = num(i);
  }
  if (typeof sound !== "string") return `sound must be a name, got "${JSON.stringify(sound)}"`;
  const problems: string[] = [];
  let name: string = sound;
  // a bank named by digits comes out of mini-notation as a number ("<909 808>")
  const bank = typeof value.bank === "number" ? String(value.bank) : value.bank;
  if (typeof bank === "string" && bank !== "") {
    const banked = `${bank}_${name}`;
    if (sounds[banked]) name = banked;
    else if (sounds[banked.toLowerCase()]) name = banked.toLowerCase();
    else problems.push(`bank "${bank}": no sound "${banked}", playing "${name}"`);
  }
  // superdough's names ignore letter case
  if (!sounds[name] && sounds[name.toLowerCase()]) name = name.toLowerCase();
  const map = sounds[name];
  if (!map) return `no sound "${name}": ${closestNames(name, Object.keys(sounds))}`;

  let key: number;
  let cents = 0;
  let instrument = map.instrument;
  if (map.variants && map.variants.length) {
    const count = map.variants.length;
    instrument = map.variants[((Math.round(index ?? 0) % count) + count) % count]!;
    const nv = value.note !== undefined ? noteValue(value.note) : map.defaultNote ?? 36;
    if (typeof nv === "string") return nv;
    key = nv;
  } else if (map.keys && map.keys.length) {
    const i = Math.floor(index ?? 0);
    key = map.keys[((i % map.keys.length) + map.keys.length) % map.keys.length]!;
    if (value.note !== undefined) {
      const nv = noteValue(value.note);
      if (typeof nv === "string") return nv;
      key = nv;
    }
  } else {
    // superdough's synths take their pitch from note alone (n is their partials, or a supersaw's detune)
    const synth = map.instrument.startsWith(SYNTH_PREFIX);
    const nv = value.note !== undefined
      ? noteValue(value.note)
      : (synth ? undefined : index) ?? map.defaultNote ?? 60;
    if (typeof nv === "string") return nv;
    key = nv;
  }
  const whole = Math.round(key);
  cents = (key - whole) * 100;
  key = whole;
  if (key < 0 || key > 127) return `note ${key} is outside 0..127`;

  const gain = num(value.gain) ?? 1;
  if (!(gain > 0)) return null;
  const gainDb = Math.max(-144, Math.min(24, 20 * Math.log10(gain)));
  const vel = num(value.velocity);
  const velocity = vel === undefined ? 100 : Math.max(1, Math.min(127, Math.round(vel * 127)));
  const panRaw = num(value.pan);
  const pan = panRaw === undefined ? 0 : Math.max(-1, Math.min(1, panRaw * 2 - 1));
  const controls: Record<string, number> = {};
  const speed = num(value.speed);
  if (speed !== undefined && speed === 0) return null;
  if (value.unit === "c") {
    // the engine fits the rate to the sample it picks: speed × sample seconds × cps
    controls.speed = speed ?? 1;
  } else if (speed !== undefined) {
    if (speed > 0 && speed >= 0.25 && speed <= 4) {
      cents += 1200 * Math.log2(speed); // as before the engine had a speed: the same bytes
    } else {
      // reverse, or beyond two octaves: the engine's speed (up to 128x either way)
      const max = CONTROL_BY_NAME.get("speed")!.max;
      if (Math.abs(speed) > max) {
        problems.push(`speed ${speed} is outside -${max}..${max}: clamped`);
      }
      controls.speed = Math.max(-max, Math.min(max, speed));
    }
  }
  const tuneCents = Math.max(-2400, Math.min(2400, cents));
  const begin = Math.max(0, Math.min(1, num(value.begin) ?? 0));
  const legato = Math.max(0, num(value.legato) ?? num(value.clip) ?? 1);
  engineControls(value, cps, controls, problems);
  if (instrument.startsWith(SYNTH_PREFIX)) {
    if (!["attack", "decay", "sustain", "release"].some((k) => controls[k] !== undefined)) {
      Object.assign(controls, SYNTH_ADSR); // superdough's synths: [0.001, 0.05, 0.6, 0.01]
    }
    // superdough's supersaw: detune = detune ?? n ?? 0.18
    if (
      instrument === `${SYNTH_PREFIX}supersaw` && controls.detune === undefined &&
      index !== undefined
    ) {
      const row = CONTROL_BY_NAME.get("detune")!;
      controls.detune = Math.max(row.min, Math.min(row.max, index));
    }
  }
  const duration = num(value.duration);
  const req: NoteRequest = {
    sound: name,
    instrument,
    note: key,
    velocity,
    gainDb,
    pan,
    tuneCents,
    begin,
    legato,
    controls,
    problems,
  };
  const cut = num(value.cut);
  if (cut !== undefined) req.cut = cut;
  if (
    map.variants && value.clip === undefined && value.legato === undefined &&
    value.duration === undefined && !value.loop
  ) req.whole = true;
  if (duration !== undefined && duration >= 0) req.duration = duration;
  return req;
}

/** Names the session resolves itself (a NaN or BadValue in one drops the event). */
const SESSION_NAMES: readonly string[] = [...CONTROL_ALIASES].filter(([, m]) =>
  CATALOG[m]!.status === "session"
).map(([n]) => n);

/** The same names as a set, for {@linkcode hasBadSessionValue}. */
const SESSION_SET: ReadonlySet<string> = new Set(SESSION_NAMES);

/**
 * Whether any of the event's own keys is a session control holding a BadValue or NaN:
 * a pass over the few keys an event has instead of a lookup of every session name
 * (most of them absent). Only when it finds one does resolveControls walk the names in
 * their order, so the reason it returns is the one it always returned.
 */
function hasBadSessionValue(value: Record<string, unknown>): boolean {
  for (const key in value) {
    if (!SESSION_SET.has(key)) continue;
    const v = value[key];
    if (v instanceof BadValue || (typeof v === "number" && Number.isNaN(v))) return true;
  }
  return false;
}

/** Controls whose engine value depends on the tempo: the note carries cps. */
const NEEDS_CPS: readonly string[] = ["unit", "lock", "delaysync"];

/**
 * The engine controls of an event, converted to the engine's units and clamped
 * to its ranges; a bad value is left out and a clamp noted, both in problems.
 */
function engineControls(
  value: Record<string, unknown>,
  cps: number,
  out: Record<string, number>,
  problems: string[],
): void {
  for (const name in value) { // own keys in Object.entries' order, without its arrays
    if (!Object.hasOwn(value, name)) continue;
    const raw = value[name];
    const main = CONTROL_ALIASES.get(name);
    if (main === undefined || main === "speed" || main === "begin") continue;
    const entry = CATALOG[main]!;
    if (entry.status !== "engine") continue;
    if (raw instanceof BadValue) {
      problems.push(`${main}: ${raw.reason}: ignored`);
      continue;
    }
    const target = entry.engine ?? main;
    let v = main === "ftype"
      ? ftypeIndex(raw) ?? controlValue(main, raw)
      : controlValue(target === "tremolo" ? main : target, raw);
    if (typeof v === "string") {
      problems.push(`${v}: ignored`);
      continue;
    }
    if (main === "tremolosync") {
      if (!(v > 0)) continue;
      v *= cps;
    }
    if (main === "orbit") {
      // superdough's orbit 1 (its default) is the engine's first, orbit 0
      if (v > 16) {
        problems.push(`orbit ${v} is outside 0..16: clamped`);
        v = 16;
      }
      v = Math.max(0, Math.round(v) - 1);
    }
    const row = CONTROL_BY_NAME.get(target);
    if (!row) continue;
    const err = controlRangeError(row, v);
    if (err !== undefined) {
      if (!(v >= row.min && v <= row.max)) {
        problems.push(`${err}: clamped`);
        v = Math.min(row.max, Math.max(row.min, v));
      }
      if (row.flags.includes("enum")) v = Math.round(v);
    }
    out[target] = v;
  }
  if (out.unit === 0) delete out.unit;
  if (NEEDS_CPS.some((k) => out[k] !== undefined)) {
    out.cps = Math.min(1000, Math.max(0.001, cps));
  }
}

/** "use one of a, b, c": every name when few, else the 8 closest (sample packs bring hundreds). */
function closestNames(name: string, names: string[]): string {
  if (names.length <= 16) return `use one of ${names.join(", ")}`;
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(
          row[j]! + 1,
          next[j - 1]! + 1,
          row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      row = next;
    }
    return row[b.length]!;
  };
  const near = names.map((n) => [distance(name.toLowerCase(), n.toLowerCase()), n] as const)
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)).slice(0, 8).map(([, n]) => n);
  return `the closest of the ${names.length} sounds are ${near.join(", ")}`;
}

function noteValue(v: unknown): number | string {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const asNum = num(v);
    if (asNum !== undefined) return asNum;
    const known = NOTE_NAMES.get(v);
    if (known !== undefined) return known;
    try {
      const midi = noteNameToMidi(v);
      if (NOTE_NAMES.size < 4096) NOTE_NAMES.set(v, midi);
      return midi;
    } catch (err) {
      return (err as Error).message;
    }
  }
  return `note must be a number or a name, got "${JSON.stringify(v)}"`;
}

/** Note names read so far ("c3" -> 48): noteNameToMidi is pure; a set has a few dozen. */
const NOTE_NAMES = new Map<string, number>();
