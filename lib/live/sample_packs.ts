/**
 * Sample packs in a set: what `samples(...)` adds (in a `.strudel` file, in
 * `set.strudel(code)` or as `set.samples(...)`), and the sounds Strudel's
 * REPL has without asking (its prebake).
 *
 * Thread: CT. Only lists files (lib/instrument/packs.ts): the sound names
 * map to pack instruments that the session loads when a part plays them.
 *
 * Strudel's prebake, looked for under the sample directory
 * (`--samples`, `$MS_SAMPLES`, `~/.local/share/midi-sampler/samples`):
 * `tidalcycles/uzu-drumkit` (bd, sd, hh, ...), `ritchse/tidal-drum-machines`
 * (`bank("RolandTR808")`, and the REPL's nicknames: `bank("TR808")`), and the
 * Dirt-Samples names the REPL registers
 * (`tidalcycles/dirt-samples`: casio, crow, insect, wind, jazz, metal, east,
 * space, numbers, num). A pack that is not there leaves its names to the
 * project's own sounds (bd, sd, hh, cp, oh from the shipped drums; piano from
 * the General MIDI grand when a GM bank is installed, else from the epiano:
 * lib/instrument/resolve.ts), each with one note when it first plays.
 *
 * @module
 */
import { join } from "node:path";
import { DEFAULT_SOUNDS, type SoundMapping } from "../pattern/controls.ts";
import {
  type Pack,
  packInstruments,
  type PackSound,
  readPack,
  readSampleMap,
  SAMPLE_ROOT_NOTE,
  samplesRoot,
} from "../instrument/packs.ts";
import { defaultGmFont, GM_PROGRAMS } from "../instrument/sf2/gm_names.ts";
import { COMMON_NAMES, definitionExists } from "../instrument/resolve.ts";
import { PROJECT_ROOT } from "../ffi/build.ts";

/** The shipped instruments (where a stand-in's definition is looked for). */
const INSTRUMENTS_DIR = join(PROJECT_ROOT, "instruments");

/** Sound names and notes a `samples()` call or the prebake adds. */
export interface PackSounds {
  /** Sound name (lower case) to mapping. */
  sounds: Record<string, SoundMapping>;
  /** Notes to say once (absent packs, files left out). */
  notes: string[];
}

function mappingOf(sound: PackSound, id: string): SoundMapping {
  const names = packInstruments(sound, id);
  // variants for a pitched sound too: `n` is then no note (superdough: an index into the
  // closest note's files, one here), and the note defaults to 36
  return { instrument: names[0]!, variants: names, defaultNote: SAMPLE_ROOT_NOTE };
}

function soundsOf(pack: Pack, only?: ReadonlySet<string>): Record<string, SoundMapping> {
  const out: Record<string, SoundMapping> = {};
  for (const [name, sound] of pack.sounds) {
    if (only && !only.has(name)) continue;
    out[name] = mappingOf(sound, `${pack.path}#${name}`);
  }
  return out;
}

/**
 * What a `samples(what, base)` call adds.
 *
 * @param what A folder, a JSON map file, `github:owner/repo`, a URL, or a sample map object.
 * @param base The base for the map's files (`samples(map, base)`).
 * @param baseDir The set's folder (relative paths start there).
 * @returns The sounds, and the notes to say (an absent pack names where to put it).
 * @throws {TypeError} for a sample map of the wrong shape; {SyntaxError} for bad JSON.
 */
export function samplesCall(what: unknown, base: unknown, baseDir: string): PackSounds {
  const b = typeof base === "string" && base !== "" ? base : undefined;
  if (typeof what === "string") {
    const pack = readPack(what, baseDir, b);
    if (!("sounds" in pack)) return { sounds: {}, notes: [pack.message] };
    return { sounds: soundsOf(pack), notes: pack.notes };
  }
  const read = readSampleMap(what, "samples({...})", baseDir, b);
  const pack: Pack = { source: "{...}", path: join(baseDir, "{map}"), ...read };
  return { sounds: soundsOf(pack), notes: read.notes };
}

/**
 * What `aliasBank(...)` adds: `aliasBank("RolandTR909", "909")`,
 * `aliasBank({ RolandTR909: ["909", "nine"] })`, or the REPL's alias file
 * (`aliasBank(".../tidal-drum-machines-alias.json")`, its table here: no
 * download) give every `Bank_sound` already loaded a `nick_sound` name too.
 *
 * @param args The call's arguments.
 * @param sounds The pack sounds loaded so far.
 * @returns The new names, and a note for an alias file other than the REPL's.
 */
export function aliasBankCall(args: unknown[], sounds: Record<string, SoundMapping>): PackSounds {
  let map: Map<string, string[]>;
  const notes: string[] = [];
  const [a, b] = args;
  if (args.length >= 2 && typeof a === "string") {
    map = new Map([[a.toLowerCase(), (Array.isArray(b) ? b : [b]).map((x) => String(x))]]);
  } else if (typeof a === "string") {
    if (!/tidal-drum-machines-alias\.json$/.test(a)) {
      return {
        sounds: {},
        notes: [
          `aliasBank("${a}"): only the REPL's tidal-drum-machines-alias.json is known here (give a map instead): ignored`,
        ],
      };
    }
    map = new Map([...BANK_NICKNAMES].map(([bank, nick]) => [bank, [nick]]));
  } else if (a && typeof a === "object") {
    map = new Map(
      Object.entries(a as Record<string, unknown>).map((
        [bank, nick],
      ) => [bank.toLowerCase(), (Array.isArray(nick) ? nick : [nick]).map((x) => String(x))]),
    );
  } else {
    return {
      sounds: {},
      notes: ["aliasBank(): give a bank and its alias, or a map of them: ignored"],
    };
  }
  const out: Record<string, SoundMapping> = {};
  for (const [name, mapping] of Object.entries(sounds)) {
    const cut = name.indexOf("_");
    if (cut <= 0) continue;
    for (const nick of map.get(name.slice(0, cut)) ?? []) {
      out[`${nick.toLowerCase()}${name.slice(cut)}`] = mapping;
    }
  }
  return { sounds: out, notes };
}

/** The Dirt-Samples names Strudel's REPL registers (its prebake's inline map). */
export const PREBAKE_DIRT = [
  "casio",
  "crow",
  "insect",
  "wind",
  "jazz",
  "metal",
  "east",
  "space",
  "numbers",
  "num",
] as const;

/**
 * The drum machines' nicknames Strudel's REPL registers (its
 * tidal-drum-machines-alias.json: bank name -> nickname), lower case.
 */
export const BANK_NICKNAMES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    AJKPercusyn: "Percysyn",
    AkaiLinn: "Linn",
    AkaiMPC60: "MPC60",
    AkaiXR10: "XR10",
    AlesisHR16: "HR16",
    AlesisSR16: "SR16",
    BossDR110: "DR110",
    BossDR220: "DR220",
    BossDR55: "DR55",
    BossDR550: "DR550",
    CasioRZ1: "RZ1",
    CasioSK1: "SK1",
    CasioVL1: "VL1",
    DoepferMS404: "MS404",
    EmuDrumulator: "Drumulator",
    EmuSP12: "SP12",
    KorgDDM110: "DDM110",
    KorgKPR77: "KPR77",
    KorgKR55: "KR55",
    KorgKRZ: "KRZ",
    KorgM1: "M1",
    KorgMinipops: "Minipops",
    KorgPoly800: "Poly800",
    KorgT3: "T3",
    Linn9000: "9000",
    LinnLM1: "LM1",
    LinnLM2: "LM2",
    MoogConcertMateMG1: "ConcertMateMG1",
    OberheimDMX: "DMX",
    RhodesPolaris: "Polaris",
    RhythmAce: "Ace",
    RolandCompurhythm1000: "Compurhythm1000",
    RolandCompurhythm78: "Compurhythm78",
    RolandCompurhythm8000: "Compurhythm8000",
    RolandD110: "D110",
    RolandD70: "D70",
    RolandDDR30: "DDR30",
    RolandJD990: "JD990",
    RolandMC202: "MC202",
    RolandMC303: "MC303",
    RolandMT32: "MT32",
    RolandR8: "R8",
    RolandS50: "S50",
    RolandSH09: "SH09",
    RolandSystem100: "System100",
    RolandTR505: "TR505",
    RolandTR606: "TR606",
    RolandTR626: "TR626",
    RolandTR707: "TR707",
    RolandTR727: "TR727",
    RolandTR808: "TR808",
    RolandTR909: "TR909",
    SakataDPM48: "DPM48",
    SequentialCircuitsDrumtracks: "CircuitsDrumtracks",
    SequentialCircuitsTom: "CircuitsTom",
    SergeModular: "Serge",
    SimmonsSDS400: "SDS400",
    SimmonsSDS5: "SDS5",
    SoundmastersR88: "R88",
    UnivoxMicroRhythmer12: "MicroRhythmer12",
    ViscoSpaceDrum: "SpaceDrum",
    XdrumLM8953: "LM8953",
    YamahaRM50: "RM50",
    YamahaRX21: "RX21",
    YamahaRX5: "RX5",
    YamahaRY30: "RY30",
    YamahaTG33: "TG33",
  }).map(([bank, nick]) => [bank.toLowerCase(), nick.toLowerCase()]),
);

/** The project's own sounds that stand in for a prebake name. */
const STAND_INS: Record<string, { from: string; as: string }> = {
  bd: { from: "tidalcycles/uzu-drumkit", as: "bd" },
  sd: { from: "tidalcycles/uzu-drumkit", as: "sd" },
  hh: { from: "tidalcycles/uzu-drumkit", as: "hh" },
  oh: { from: "tidalcycles/uzu-drumkit", as: "oh" },
  cp: { from: "tidalcycles/uzu-drumkit", as: "cp" },
  piano: { from: "felixroos/dough-samples (piano.json)", as: "piano" },
};

/**
 * The sounds Strudel's REPL has without a `samples()` call, from the sample
 * directory when the packs are there, else the project's stand-ins (each
 * with a note said when it first plays).
 *
 * @returns The sounds; `notes` is empty (the stand-ins carry theirs).
 */
export function prebakeSounds(): PackSounds {
  const root = samplesRoot();
  const sounds: Record<string, SoundMapping> = {};
  const found = (repo: string) => {
    const pack = readPack(`github:${repo}`, root);
    return "sounds" in pack ? pack : undefined;
  };
  const dirt = found("tidalcycles/dirt-samples");
  if (dirt) Object.assign(sounds, soundsOf(dirt, new Set(PREBAKE_DIRT)));
  const tdm = found("ritchse/tidal-drum-machines");
  if (tdm) {
    const machines = soundsOf(tdm);
    Object.assign(sounds, machines);
    // the REPL's aliasBank(tidal-drum-machines-alias.json): bank("TR909") is RolandTR909
    for (const [name, mapping] of Object.entries(machines)) {
      const cut = name.indexOf("_");
      const nick = cut > 0 ? BANK_NICKNAMES.get(name.slice(0, cut)) : undefined;
      if (nick) sounds[`${nick}${name.slice(cut)}`] ??= mapping;
    }
  }
  const uzu = found("tidalcycles/uzu-drumkit");
  if (uzu) Object.assign(sounds, soundsOf(uzu));
  for (const [name, { from, as }] of Object.entries(STAND_INS)) {
    if (sounds[name]) continue;
    const own = DEFAULT_SOUNDS[as];
    if (!own) continue;
    const where = join(root, ...from.split(" ")[0]!.split("/"));
    // a common name ("piano") resolves through lib/instrument/resolve.ts (the GM grand when a
    // bank is installed, else the epiano), and the instrument cache says once which one plays
    const resolved = COMMON_NAMES.has(own.instrument) &&
      !definitionExists(INSTRUMENTS_DIR, own.instrument);
    sounds[name] = {
      ...own,
      // a pitched stand-in plays as a sample sound would: n is no note, note 36 by default
      ...(own.keys ? {} : { variants: [own.instrument], defaultNote: SAMPLE_ROOT_NOTE }),
      ...(resolved ? {} : {
        note:
          `sound "${name}": Strudel plays it from ${from}, which is not in ${where}: playing the project's "${as}" (${own.instrument}) instead`,
      }),
    };
  }
  for (const [name, mapping] of Object.entries(gmSounds())) sounds[name] ??= mapping;
  return { sounds, notes: [] };
}

/**
 * The sounds a General MIDI bank gives every set when one is installed:
 * Strudel's `gm_*` names (its @strudel/soundfonts names; n picks a font
 * variant there, one here; the note defaults to c3 as there) and the common
 * names (`strings`, `organ`, `pad`, ...: lib/instrument/resolve.ts, said once
 * by the instrument cache). Names with a default sound of their own (`piano`,
 * `bass`, `drums`) keep it.
 *
 * @returns Sound name to mapping; empty without a bank.
 */
export function gmSounds(): Record<string, SoundMapping> {
  const font = defaultGmFont();
  const sounds: Record<string, SoundMapping> = {};
  if (!font) return sounds;
  for (const [name, program] of GM_PROGRAMS) {
    sounds[name] = {
      instrument: name,
      variants: [name],
      defaultNote: 48,
      note:
        `sound "${name}": Strudel plays its own General MIDI samples: playing program ${program} of ${font} instead`,
    };
  }
  for (const name of COMMON_NAMES.keys()) {
    if (DEFAULT_SOUNDS[name]) continue;
    sounds[name] = { instrument: name, variants: [name], defaultNote: 48 };
  }
  return sounds;
}
