/**
 * The fuzz targets of tests/fuzz/harness.ts, one per parser that takes input
 * written by others, each with real-looking seeds and what counts as an
 * expected error (the project's typed, located ones):
 *
 * - `sfz`: importSfz on bundles of files (a main .sfz and its #include
 *   files; `#define`, `$VAR`): InstrumentDefinitionError naming the file;
 *   every warning has a file and line; convertSfzFile never throws.
 * - `sf2`: parseSoundFont, presetZones for every preset and the sample data
 *   each zone reads (PCM or SF3's Ogg bytes) on small SoundFonts written
 *   here (layered presets, modulators, a stereo pair, SF3) and a cut of
 *   TimGM6mb (its preset data, 4 KB of samples): RangeError "Cannot read
 *   ..."; zone options the loader builds pass the engine's ZoneOptionsSchema.
 * - `osc`: decodeOsc never throws (every failure is `{ error }` with an
 *   offset in the packet); /dirt/play messages through dirtParams and
 *   dirtEvent return an event or a reason.
 * - `strudel`: evaluateStrudel on edited tunes (examples/*.strudel and tunes
 *   in the style of Strudel's documentation), then every part queried for
 *   two cycles: an Error whose stack names the file's line:column, or a
 *   "Cannot ..." error, or it plays; a thrown non-Error, an unlocated error
 *   or a hang is a finding.
 *
 * Thread: CT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InstrumentDefinitionError } from "../../lib/errors.ts";
import { convertSfzFile, importSfz } from "../../lib/instrument/sfz/import.ts";
import { parseSoundFont, sampleOgg, samplePcm } from "../../lib/instrument/sf2/riff.ts";
import { GEN, presetZones } from "../../lib/instrument/sf2/zones.ts";
import { ZoneOptionsSchema } from "../../lib/engine/options.ts";
import { cat, chunk, list } from "../riff_fixtures.ts";
import type { FuzzTarget } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string) => enc.encode(s);

/** An error message with quoted values and numbers blurred: one outcome kind per message shape. */
export function kindOf(err: Error): string {
  const msg = err.message.split("\n")[0]!
    .replace(/\(first: [^)]*\)?/g, "")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\/[^ :]*/g, "/…")
    .replace(/\d+(\.\d+)?/g, "N");
  return `${err.name}: ${msg.slice(0, 110)}`;
}

// ------------------------------------------------------------------ SFZ

/** The line separating the files of an SFZ bundle (a comment to SFZ). */
const FILE_MARK = "//@file ";
const SFZ_DIR = "/fuzz/sfz";

function bundleOf(dir: string, top: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) walk(p);
      else if (/\.(sfz|txt)$/.test(e.name) && p !== join(dir, top)) files.push(p);
    }
  };
  walk(dir);
  files.sort();
  return [join(dir, top), ...files]
    .map((p) => `${FILE_MARK}${relative(dir, p)}\n${Deno.readTextFileSync(p)}`)
    .join("\n");
}

const SFZ_OWN = [
  `//@file main.sfz
<control> default_path=samples\\ note_offset=-3 octave_offset=0
#define $V 100
#define $REL 0.3
#include "common.sfz"
<global> ampeg_release=$REL amp_velcurve_64=0.7 sw_lokey=c1 sw_hikey=d1 sw_default=c1
<master> sw_last=c1 fil_type=lpf_2p cutoff=1200 fileg_depth=1200 cutoff_cc74=600 resonance=3
<group> lovel=1 hivel=$V seq_length=2 group=3 off_by=3 trigger=attack
<region> sample=a b.wav lokey=c3 hikey=f#3 pitch_keycenter=d3 seq_position=1 loop_mode=loop_continuous loop_start=10 loop_end=400
<region> sample=c.wav key=61 seq_position=2 tune=-20 pan=30 lorand=0.2 hirand=0.8 // comment
/* block */ <region> sample=d.wav key=62 trigger=release lochan=2 hichan=9 offset=5
<group> lovel=$V hivel=127 amp_veltrack=80 xfin_lovel=90 xfin_hivel=127
<region> sample=e.wav lokey=a0 hikey=c8 pitch_keytrack=50 transpose=12 volume=-6 width=50
  lfo1_freq=5 lfo1_pitch=20 lfo1_freq_oncc1=3 ampeg_attack=0.01 ampeg_hold=0.1 ampeg_decay=1 ampeg_sustain=60
//@file common.sfz
<control> label_cc1=Mod label_cc74=Bright set_cc74=64
#define $KEY 36
`,
  `//@file kit.sfz
#define $KICK 36
#define $SNARE 38
<global> loop_mode=one_shot ampeg_release=0.05
<group> key=$KICK
<region> sample=kick_1.wav seq_length=2 seq_position=1
<region> sample=kick_2.wav seq_length=2 seq_position=2
<group> key=$SNARE amp_velcurve_127=1 polyphony=4
<region> sample=snare.wav hivel=90
<region> sample=snare_hard.wav lovel=91 note_polyphony=2
<group> group=1 off_by=2 key=42
<region> sample=hh_closed.wav
<group> group=2 key=46 off_mode=time off_time=0.1
<region> sample=hh_open.wav
<region> sample=*sine key=80
`,
  `//@file piano.sfz
<control> default_path=../Samples/ #define $EXT wav
<global> amp_veltrack=94 ampeg_release=0.8 ampeg_dynamic=1 pitch_keytrack=100
<master> locc64=0 hicc64=63 trigger=attack
<group> ampeg_release_oncc64=3
<region> sample=A0_$EXT.$EXT lokey=21 hikey=22 pitch_keycenter=21 hivel=60
<region> sample=A0_loud.$EXT lokey=21 hikey=22 pitch_keycenter=21 lovel=61
<master> trigger=release rt_decay=3 volume=-20
<region> sample=rel1.$EXT lokey=21 hikey=108 pitch_keycenter=60
<control> octave_offset=1
<region> sample=up.$EXT key=c#9 lfo2_freq=0.5 lfo2_volume=3 lfo2_volume_oncc11=2 eg1_time1=0.1
`,
];

const SFZ_TOKENS = [
  "<region>",
  "<group>",
  "<control>",
  "<global>",
  "<master>",
  "<curve>",
  "<effect>",
  "<",
  ">",
  "=",
  "#define $V 5 ",
  "#define",
  '#include "common.sfz"',
  '#include "Data/kick.sfz"',
  "#include",
  '"',
  "/*",
  "*/",
  "//",
  "$V",
  "$KICK",
  "$",
  "\\",
  " ",
  "\n",
  "\r\n",
  "-1",
  "0",
  "127",
  "128",
  "999999999999",
  "NaN",
  "1e400",
  "-0",
  "c#",
  "c-1",
  "g9",
  "key=",
  "sample=",
  "lokey=",
  "hikey=",
  "lovel=",
  "hivel=",
  "pitch_keycenter=",
  "loop_end=0",
  "loop_start=",
  "seq_position=9",
  "seq_length=0",
  "offset=-5",
  "tune=",
  "volume=",
  "cutoff=",
  "off_by=",
  "group=",
  "sw_last=",
  "sw_lokey=",
  "amp_velcurve_0=",
  "lfo1_freq=",
  "lfo99_pitch=",
  "cutoff_cc128=",
  "set_cc200=",
  "label_cc=",
  "default_path=",
  "note_offset=",
  "octave_offset=",
  "trigger=release",
  "loop_mode=loop_sustain",
  "\u0000",
  "é",
  "\uFEFF",
  FILE_MARK,
].map(bytes);

/** The SFZ bundle's files: path (absolute, under SFZ_DIR) to text. */
function splitBundle(text: string): Map<string, string> {
  const files = new Map<string, string>();
  const parts = text.split(FILE_MARK);
  // text before the first mark (after mutation) belongs to main.sfz
  let first = true;
  for (const part of parts) {
    if (first) {
      first = false;
      if (!part.trim()) continue;
      files.set(`${SFZ_DIR}/main.sfz`, part);
      continue;
    }
    const nl = part.indexOf("\n");
    const name = (nl < 0 ? part : part.slice(0, nl)).trim().replaceAll("\\", "/");
    const body = nl < 0 ? "" : part.slice(nl + 1);
    const path = resolve(SFZ_DIR, name || "unnamed.sfz"); // as the importer resolves it
    if (!files.has(path)) files.set(path, body);
  }
  return files;
}

/** The SFZ importer on a bundle of files: the first is the instrument. */
export function sfzTarget(): FuzzTarget {
  const seeds = [
    ...SFZ_OWN,
    bundleOf(join(ROOT, "tests/fixtures/sfz/rock_kit"), "Rock Kit.sfz"),
    bundleOf(join(ROOT, "tests/fixtures/sfz/upright"), "Upright Piano.sfz"),
    `${FILE_MARK}stage.sfz\n${Deno.readTextFileSync(join(ROOT, "instruments/stage.sfz"))}`,
  ].map(bytes);
  return {
    name: "sfz",
    seeds,
    dictionary: SFZ_TOKENS,
    text: true,
    exec(input) {
      const files = splitBundle(dec.decode(input));
      const top = files.keys().next().value ?? `${SFZ_DIR}/main.sfz`;
      const read = (p: string) => {
        const t = files.get(p);
        if (t === undefined) throw new Deno.errors.NotFound(`no such file "${p}"`);
        return t;
      };
      const known = (file: string) => files.has(file) || file.startsWith(SFZ_DIR);
      // the unvalidated conversion never throws at all
      const conv = convertSfzFile(top, { read });
      for (const w of conv.warnings) {
        if (!known(w.file) || !(w.line >= 1)) {
          throw new Error(`a warning is not located: ${JSON.stringify(w)}`);
        }
      }
      try {
        const r = importSfz(top, { read });
        for (const w of r.warnings) {
          if (!known(w.file) || !(w.line >= 1) || !w.message) {
            throw new Error(`a warning is not located: ${JSON.stringify(w)}`);
          }
        }
        if (!r.definition.zones.length) throw new Error("an import with no zone succeeded");
        return "ok";
      } catch (err) {
        // the message names the file (JSON-quoted: a damaged name keeps its escapes)
        if (
          err instanceof InstrumentDefinitionError && err.file === top &&
          err.message.includes(JSON.stringify(basename(top)).slice(1, -1))
        ) {
          return kindOf(err);
        }
        throw err;
      }
    },
  };
}

// ------------------------------------------------------------------ SF2

/** Little-endian records from [kind, value] fields: u8, u16, i16, u32, or a fixed-size name. */
type Field = ["u8" | "u16" | "i16" | "u32", number] | ["name", string, number];
function records(...rows: Field[][]): Uint8Array {
  const size = (f: Field) => f[0] === "u8" ? 1 : f[0] === "u32" ? 4 : f[0] === "name" ? f[2] : 2;
  const n = rows.reduce((s, r) => s + r.reduce((t, f) => t + size(f), 0), 0);
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  let at = 0;
  for (const row of rows) {
    for (const f of row) {
      if (f[0] === "u8") v.setUint8(at, f[1]);
      else if (f[0] === "u16") v.setUint16(at, f[1], true);
      else if (f[0] === "i16") v.setInt16(at, f[1], true);
      else if (f[0] === "u32") v.setUint32(at, f[1], true);
      else out.set(bytes(String(f[1])).subarray(0, f[2]), at);
      at += size(f);
    }
  }
  return out;
}

interface SynthZone {
  gens: [number, number][];
  mods?: [number, number, number, number, number][];
}

/** A small SoundFont: presets and instruments as zone lists, samples as headers over one smpl. */
function writeFont(
  presets: { name: string; bank: number; program: number; zones: SynthZone[] }[],
  instruments: { name: string; zones: SynthZone[] }[],
  samples: {
    name: string;
    start: number;
    end: number;
    loop: [number, number];
    rate: number;
    pitch: number;
    link: number;
    type: number;
  }[],
  smpl: Uint8Array,
  version = 2,
): Uint8Array {
  const hydra = (heads: { zones: SynthZone[] }[]) => {
    const bag: Field[][] = [], gen: Field[][] = [], mod: Field[][] = [];
    const starts: number[] = [];
    for (const h of heads) {
      starts.push(bag.length);
      for (const z of h.zones) {
        bag.push([["u16", gen.length], ["u16", mod.length]]);
        for (const [o, a] of z.gens) gen.push([["u16", o], ["i16", a]]);
        for (const m of z.mods ?? []) {
          mod.push([["u16", m[0]], ["u16", m[1]], ["i16", m[2]], ["u16", m[3]], ["u16", m[4]]]);
        }
      }
    }
    starts.push(bag.length);
    bag.push([["u16", gen.length], ["u16", mod.length]]);
    gen.push([["u16", 0], ["i16", 0]]);
    mod.push([["u16", 0], ["u16", 0], ["i16", 0], ["u16", 0], ["u16", 0]]);
    return { bag: records(...bag), gen: records(...gen), mod: records(...mod), starts };
  };
  const p = hydra(presets), i = hydra(instruments);
  const phdr = records(
    ...presets.map((pr, k): Field[] => [
      ["name", pr.name, 20],
      ["u16", pr.program],
      ["u16", pr.bank],
      ["u16", p.starts[k]!],
      ["u32", 0],
      ["u32", 0],
      ["u32", 0],
    ]),
    [["name", "EOP", 20], ["u16", 0], ["u16", 0], ["u16", p.starts.at(-1)!], ["u32", 0], [
      "u32",
      0,
    ], ["u32", 0]],
  );
  const inst = records(
    ...instruments.map((ins, k): Field[] => [["name", ins.name, 20], ["u16", i.starts[k]!]]),
    [["name", "EOI", 20], ["u16", i.starts.at(-1)!]],
  );
  const shdr = records(
    ...samples.map((s): Field[] => [
      ["name", s.name, 20],
      ["u32", s.start],
      ["u32", s.end],
      ["u32", s.loop[0]],
      ["u32", s.loop[1]],
      ["u32", s.rate],
      ["u8", s.pitch],
      ["u8", 0],
      ["u16", s.link],
      ["u16", s.type],
    ]),
    [
      ["name", "EOS", 20],
      ["u32", 0],
      ["u32", 0],
      ["u32", 0],
      ["u32", 0],
      ["u32", 0],
      ["u8", 0],
      [
        "u8",
        0,
      ],
      ["u16", 0],
      ["u16", 0],
    ],
  );
  const body = cat(
    bytes("sfbk"),
    list(
      "INFO",
      chunk("ifil", records([["u16", version], ["u16", 1]])),
      chunk("INAM", bytes("Fuzz Font\0")),
      chunk("isng", bytes("EMU8000\0")),
    ),
    list("sdta", chunk("smpl", smpl)),
    list(
      "pdta",
      chunk("phdr", phdr),
      chunk("pbag", p.bag),
      chunk("pmod", p.mod),
      chunk("pgen", p.gen),
      chunk("inst", inst),
      chunk("ibag", i.bag),
      chunk("imod", i.mod),
      chunk("igen", i.gen),
      chunk("shdr", shdr),
    ),
  );
  return chunk("RIFF", body);
}

const range = (lo: number, hi: number) => (hi << 8 | lo) << 16 >> 16;

/** Two small fonts written here: an SF2 (layered presets, modulators, a stereo pair) and its SF3 twin. */
export function synthFonts(): Uint8Array[] {
  const frames = 400;
  const pcm = new Int16Array(frames * 3);
  for (let k = 0; k < pcm.length; k++) pcm[k] = Math.round(12000 * Math.sin(k * 0.06));
  const smpl = new Uint8Array(pcm.buffer);
  const samples = [
    {
      name: "sine",
      start: 0,
      end: 300,
      loop: [50, 290] as [number, number],
      rate: 44100,
      pitch: 69,
      link: 0,
      type: 1,
    },
    {
      name: "left",
      start: 400,
      end: 700,
      loop: [420, 690] as [number, number],
      rate: 32000,
      pitch: 60,
      link: 2,
      type: 4,
    },
    {
      name: "right",
      start: 800,
      end: 1100,
      loop: [820, 1090] as [number, number],
      rate: 32000,
      pitch: 60,
      link: 1,
      type: 2,
    },
  ];
  const instruments = [
    {
      name: "Layered",
      zones: [
        {
          gens: [[GEN.attackVolEnv, -7000], [GEN.releaseVolEnv, -2000], [
            GEN.initialFilterFc,
            9000,
          ]] as [
            number,
            number,
          ][],
        },
        {
          gens: [
            [GEN.keyRange, range(0, 63)],
            [GEN.velRange, range(0, 100)],
            [GEN.sampleModes, 1],
            [
              GEN.overridingRootKey,
              60,
            ],
            [GEN.sampleID, 0],
          ] as [number, number][],
          mods: [[0x0502, 48, 960, 0, 0], [0x0081, 8, -2400, 0, 0]] as [
            number,
            number,
            number,
            number,
            number,
          ][],
        },
        {
          gens: [
            [GEN.keyRange, range(64, 127)],
            [GEN.pan, -500],
            [GEN.coarseTune, 12],
            [GEN.fineTune, -7],
            [GEN.sustainVolEnv, 200],
            [GEN.keynumToVolEnvDecay, 50],
            [GEN.sampleID, 1],
          ] as [number, number][],
        },
        {
          gens: [[GEN.keyRange, range(64, 127)], [GEN.pan, 500], [GEN.sampleModes, 3], [
            GEN.exclusiveClass,
            1,
          ], [GEN.sampleID, 2]] as [number, number][],
        },
      ],
    },
    {
      name: "Vibrato",
      zones: [
        {
          gens: [
            [GEN.vibLfoToPitch, 50],
            [GEN.freqVibLFO, -725],
            [GEN.delayVibLFO, -5000],
            [GEN.modLfoToPitch, 20],
            [GEN.freqModLFO, 0],
            [GEN.modEnvToFilterFc, 2400],
            [GEN.attackModEnv, -3000],
            [GEN.decayModEnv, 0],
            [GEN.reverbEffectsSend, 200],
            [GEN.chorusEffectsSend, 100],
            [GEN.initialAttenuation, 40],
            [GEN.scaleTuning, 50],
            [GEN.startAddrsOffset, 3],
            [GEN.sampleModes, 1],
            [GEN.sampleID, 0],
          ] as [number, number][],
          mods: [[0x0081, 6, 50, 0, 0]] as [number, number, number, number, number][],
        },
      ],
    },
  ];
  const presets = [
    {
      name: "Piano",
      bank: 0,
      program: 0,
      zones: [
        { gens: [[GEN.initialAttenuation, 20]] as [number, number][] },
        { gens: [[GEN.keyRange, range(20, 100)], [GEN.instrument, 0]] as [number, number][] },
      ],
    },
    {
      name: "Strings",
      bank: 0,
      program: 48,
      zones: [{
        gens: [[GEN.velRange, range(1, 127)], [GEN.coarseTune, -12], [GEN.instrument, 1]] as [
          number,
          number,
        ][],
      }],
    },
    {
      name: "Kit",
      bank: 128,
      program: 0,
      zones: [{ gens: [[GEN.instrument, 0]] as [number, number][] }],
    },
  ];
  const sf2 = writeFont(presets, instruments, samples, smpl);
  // SF3: the same hydra, samples flagged Ogg Vorbis (byte ranges into smpl)
  const ogg = bytes("OggS\0\x02" + "\0".repeat(300));
  const sf3 = writeFont(
    presets,
    instruments,
    samples.map((s, k) => ({
      ...s,
      start: k * 100,
      end: k * 100 + 90,
      loop: [5, 80] as [number, number],
      type: s.type | 0x10,
    })),
    ogg,
    3,
  );
  return [sf2, sf3];
}

/** TimGM6mb's INFO and preset data with its first 4 KB of samples, when the font is installed. */
function timCut(): Uint8Array | undefined {
  let b: Uint8Array;
  try {
    b = Deno.readFileSync("/usr/share/sounds/sf2/TimGM6mb.sf2");
  } catch {
    return undefined;
  }
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const lists = new Map<string, Uint8Array>();
  for (let at = 12; at + 8 <= b.length;) {
    const size = v.getUint32(at + 4, true);
    if (dec.decode(b.subarray(at, at + 4)) === "LIST") {
      lists.set(dec.decode(b.subarray(at + 8, at + 12)), b.subarray(at + 12, at + 8 + size));
    }
    at += 8 + size + (size & 1);
  }
  const info = lists.get("INFO"), pdta = lists.get("pdta");
  if (!info || !pdta) return undefined;
  // keep the first few presets' worth of pdta? The hydra is indexed: keep it whole
  return chunk(
    "RIFF",
    cat(
      bytes("sfbk"),
      chunk("LIST", cat(bytes("INFO"), info)),
      list("sdta", chunk("smpl", new Uint8Array(4096))),
      chunk("LIST", cat(bytes("pdta"), pdta)),
    ),
  );
}

const SF2_TOKENS = [
  "RIFF",
  "sfbk",
  "LIST",
  "INFO",
  "sdta",
  "pdta",
  "smpl",
  "sm24",
  "phdr",
  "pbag",
  "pmod",
  "pgen",
  "inst",
  "ibag",
  "imod",
  "igen",
  "shdr",
  "ifil",
  "INAM",
  "EOP\0",
  "EOS\0",
].map(bytes).concat([
  new Uint8Array([0xff, 0xff, 0xff, 0xff]),
  new Uint8Array([0, 0, 0, 0]),
  new Uint8Array([41, 0, 0, 0]), // instrument 0
  new Uint8Array([53, 0, 9, 0]), // sampleID 9
  new Uint8Array([43, 0, 127, 0]), // keyRange 0..127 backwards
  new Uint8Array([54, 0, 3, 0]), // sampleModes 3
  new Uint8Array([0x10, 0]), // vorbis flag
]);

/** parseSoundFont, presetZones of every preset and each zone's sample data. */
export function sf2Target(options: { withTim?: boolean } = {}): FuzzTarget {
  const seeds = synthFonts();
  const tim = options.withTim === false ? undefined : timCut();
  if (tim) seeds.push(tim);
  return {
    name: "sf2",
    seeds,
    // the TimGM6mb cut takes ~35 ms an input (its whole preset data): 1 input in 64
    weights: seeds.map((_, k) => (tim && k === seeds.length - 1 ? 1 : 63 / (seeds.length - 1))),
    dictionary: SF2_TOKENS,
    text: false,
    exec(input) {
      const expected = (err: unknown) =>
        err instanceof RangeError && /^Cannot read /.test(err.message);
      let font;
      try {
        font = parseSoundFont(input);
      } catch (err) {
        if (expected(err)) return kindOf(err as Error);
        throw err;
      }
      let zones = 0, rejected = 0;
      const presets = Math.min(font.presets.length, 12);
      for (let p = 0; p < presets; p++) {
        let pz;
        try {
          pz = presetZones(font, p, { effects: true });
        } catch (err) {
          if (expected(err)) {
            rejected++;
            continue;
          }
          throw err;
        }
        for (const z of pz.zones) {
          zones++;
          const s = font.samples[z.sample];
          if (!s) {
            throw new Error(`zone names sample ${z.sample}, the font has ${font.samples.length}`);
          }
          let frames: number;
          try {
            if (s.vorbis) frames = sampleOgg(font, s).length; // the loader decodes these bytes
            else {frames =
                samplePcm(font, s.start, Math.max(s.start + 1, s.end + z.endOffset)).length;}
          } catch (err) {
            if (expected(err)) {
              rejected++;
              continue;
            }
            throw err;
          }
          // what loadSoundFontPreset hands to addZone
          const opts = { ...z.options } as Record<string, unknown> & {
            offset?: number;
            loop?: { mode?: string; end?: number };
          };
          if (opts.offset !== undefined && opts.offset >= frames) delete opts.offset;
          if (opts.loop?.end !== undefined && opts.loop.end > frames) opts.loop = { mode: "none" };
          const ok = ZoneOptionsSchema.safeParse(opts);
          if (!ok.success) {
            throw new Error(
              `preset ${p} zone options rejected by the engine's schema: ${
                ok.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
              } in ${JSON.stringify(opts)}`,
            );
          }
        }
      }
      return rejected ? "ok (some zones refused)" : zones ? "ok" : "ok (no zones)";
    },
  };
}

// ------------------------------------------------------------------ OSC

/** A padded OSC string. */
function oscString(s: string): Uint8Array {
  const b = bytes(s);
  const out = new Uint8Array((b.length + 4) & ~3);
  out.set(b);
  return out;
}

function oscMessage(
  address: string,
  args: (number | string | [string, number | bigint])[],
): Uint8Array {
  let types = ",";
  const parts: Uint8Array[] = [];
  for (const a of args) {
    if (typeof a === "string") {
      types += "s";
      parts.push(oscString(a));
    } else if (typeof a === "number") {
      types += Number.isInteger(a) ? "i" : "f";
      const b = new Uint8Array(4);
      const v = new DataView(b.buffer);
      if (Number.isInteger(a)) v.setInt32(0, a);
      else v.setFloat32(0, a);
      parts.push(b);
    } else {
      types += a[0];
      const b = new Uint8Array(a[0] === "d" || a[0] === "h" || a[0] === "t" ? 8 : 4);
      const v = new DataView(b.buffer);
      if (a[0] === "d") v.setFloat64(0, Number(a[1]));
      else if (a[0] === "h" || a[0] === "t") v.setBigUint64(0, BigInt(a[1]));
      else v.setInt32(0, Number(a[1]));
      parts.push(b);
    }
  }
  return cat(oscString(address), oscString(types), ...parts);
}

function oscBundle(seconds: number, fraction: number, ...elements: Uint8Array[]): Uint8Array {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, seconds);
  new DataView(head.buffer).setUint32(4, fraction);
  const els = elements.map((e) => {
    const n = new Uint8Array(4);
    new DataView(n.buffer).setInt32(0, e.length);
    return cat(n, e);
  });
  return cat(oscString("#bundle"), head, ...els);
}

/** decodeOsc on SuperDirt traffic: messages, bundles, nested bundles, every type tag. */
export async function oscTarget(): Promise<FuzzTarget> {
  const { decodeOsc } = await import("../../lib/osc/decode.ts");
  const { dirtParams, dirtEvent } = await import("../../lib/osc/dirt.ts");
  const play = oscMessage("/dirt/play", [
    "_id_",
    "1",
    "cps",
    0.5625,
    "cycle",
    12.5,
    "delta",
    0.44444,
    "orbit",
    0,
    "s",
    "bd",
    "n",
    3,
    "gain",
    1.1,
    "room",
    0.3,
    "speed",
    ["d", -1.5],
  ]);
  const note = oscMessage("/dirt/play", [
    "s",
    "superpiano",
    "note",
    7,
    "velocity",
    0.7,
    "legato",
    2,
  ]);
  const seeds = [
    play,
    note,
    oscMessage("/dirt/handshake", []),
    oscBundle(3900000000, 0x80000000, play, note),
    oscBundle(
      0,
      1,
      oscBundle(3900000001, 5, play),
      oscMessage("/dirt/play", ["s", "hh", "n", ["h", 2n]]),
    ),
    oscMessage("/dirt/play", ["s", "x", "b", ["t", 1n], "c", ["i", -1], "d", "string with spaces"]),
    cat(
      oscString("/weird"),
      oscString(",TFNIbc"),
      new Uint8Array([0, 0, 0, 3, 1, 2, 3, 0]),
      new Uint8Array([0, 0, 0, 65]),
    ),
  ];
  const tokens = [
    "/dirt/play",
    "#bundle",
    ",",
    "s",
    "i",
    "f",
    "d",
    "h",
    "t",
    "b",
    "T",
    "F",
    "N",
    "I",
    "[",
    "]",
    "m",
    "r",
    "c",
    "\0",
    "\0\0\0\0",
  ].map((t) => oscString(t)).concat([
    new Uint8Array([0x7f, 0xff, 0xff, 0xff]),
    new Uint8Array([0xff, 0xff, 0xff, 0xfc]),
    new Uint8Array([0, 0, 0, 4]),
    new Uint8Array([0, 0, 0, 0]),
  ]);
  return {
    name: "osc",
    seeds,
    dictionary: tokens,
    text: false,
    align: 4,
    exec(input) {
      const r = decodeOsc(input);
      if ("error" in r) {
        const e = r.error;
        if (
          !(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= input.length) || !e.message
        ) {
          throw new Error(`decodeOsc's error is not located: ${JSON.stringify(e)}`);
        }
        return `error: ${e.message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, "N").slice(0, 120)}`;
      }
      let played = 0;
      for (const m of r.messages) {
        if (m.address !== "/dirt/play") continue;
        const p = dirtParams(m);
        if (typeof p === "string") continue;
        const ev = dirtEvent(p, (s) => s.startsWith("super"));
        if (typeof ev !== "string") {
          if (!Number.isFinite(ev.seconds)) throw new Error(`dirtEvent gave seconds ${ev.seconds}`);
          played++;
        }
      }
      return played ? "ok (played)" : "ok";
    },
  };
}

// ------------------------------------------------------------------ Strudel

/** Tunes in the style of Strudel's documentation (strudel.cc's "learn" pages), written here. */
export const STRUDEL_OWN = [
  `setcps(0.6)
note("c a f e").s("piano")`,
  `$: s("bd*2, ~ sd, hh*4").bank("RolandTR909")
$: note("<c2 g1 a1 f1>").s("sawtooth").lpf(sine.range(300, 2000).slow(4))`,
  `stack(
  s("bd [~ bd] sd ~").gain(.8),
  n("0 2 4 <6 7>").scale("C:major").s("triangle").room(.3)
).slow(2)`,
  `const melody = n("0 [2 4] <3 5> ~").scale("D:dorian")
$: melody.s("sine").add(n(7)).delay(.25)
$: melody.s("square").lpf(800).struct("x ~ x x")`,
  `note("c3 [e3 g3]*2 <a3 b3>").sound("gm_acoustic_bass").jux(rev).every(3, fast(2))`,
  `$: s("hh*8").gain(perlin.range(.4, .9)).pan(rand)
$: s("bd(3,8), sd(<2 3>,8,2)").sometimesBy(.3, x => x.speed(2))
$: chord("<C^7 A7 Dm7 G7>").voicing().s("gm_epiano1").euclidLegato(3, 8)`,
  `setcpm(120/4)
arrange([4, n("0 1 2 3").s("bass")], [2, s("bd sd")]).mask("<1 [1 0]>")`,
  `n(run(8)).scale("A:minor:pentatonic").s("piano").off(1/8, x => x.add(n(2))).ply("<1 2>")`,
];

const STRUDEL_TOKENS = [
  '"',
  "'",
  "`",
  "(",
  ")",
  "[",
  "]",
  "<",
  ">",
  "{",
  "}",
  ",",
  ".",
  "*2",
  "/3",
  "!",
  "?",
  "@3",
  "~",
  ":",
  "$:",
  "_$:",
  "\n",
  " ",
  "bd",
  "sd",
  "0",
  "-1",
  "1e9",
  "0.5",
  "NaN",
  "Infinity",
  ".fast(",
  ".slow(",
  ".s(",
  ".n(",
  ".note(",
  ".scale(",
  ".add(",
  ".gain(",
  ".room(",
  ".lpf(",
  ".every(",
  ".jux(rev)",
  ".euclid(",
  "(3,8)",
  ".voicing()",
  ".struct(",
  ".mask(",
  ".ply(",
  ".range(",
  "sine",
  "rand",
  "x => x",
  "stack(",
  "cat(",
  "seq(",
  "silence",
  "setcps(",
  "setcpm(",
  "samples(",
  "await ",
  "const ",
  "let ",
  "=",
  "//",
  "/*",
  "*/",
  "undefined",
  "null",
  ".chop(",
  ".segment(",
  ".pianoroll()",
  ".midi()",
  "hush()",
  "all(x => x)",
  "new ",
].map(bytes);

/** Parts of a Strudel evaluation, and what it noted. */
interface Collected {
  parts: { name: string; pattern: unknown; declaredAt: string }[];
}

/** The Strudel targets' seeds: the examples' tunes and the ones above. */
function strudelSeeds(): Uint8Array[] {
  return [
    ...["examples/tune.strudel", "examples/from_strudel.strudel"].map((f) =>
      Deno.readTextFileSync(join(ROOT, f))
    ),
    ...STRUDEL_OWN,
  ].map(bytes);
}

/** evaluateStrudel on edited tunes, then each part queried for two cycles. */
export async function strudelTarget(): Promise<FuzzTarget> {
  const { evaluateStrudel } = await import("../../lib/live/strudel_file.ts");
  const { queryPattern } = await import("../../lib/pattern/query.ts");
  const seeds = strudelSeeds();
  const file = "/fuzz/tune.strudel";
  const located = (err: Error) =>
    (err.stack ?? "").includes(`${file}:`) || /^Cannot /.test(err.message);
  return {
    name: "strudel",
    seeds,
    dictionary: STRUDEL_TOKENS,
    text: true,
    maxEdits: 2,
    async exec(input) {
      const got: Collected = { parts: [] };
      const sink = partsSink((name, pattern, declaredAt) =>
        got.parts.push({ name, pattern, declaredAt })
      );
      try {
        await evaluateStrudel(dec.decode(input), sink, { file, cps: 0.5 });
      } catch (err) {
        if (!(err instanceof Error)) {
          throw new Error(`evaluation threw a non-Error: ${String(err)}`);
        }
        if (!located(err)) {
          throw new Error(`evaluation error not located in the file: ${err.stack}`, { cause: err });
        }
        return `eval ${err.name}`;
      }
      let events = 0;
      for (const part of got.parts) {
        if (!part.declaredAt.includes(file)) {
          throw new Error(
            `part "${part.name}" does not say where it was declared: ${part.declaredAt}`,
          );
        }
        try {
          // the session queries small windows; two cycles in quarters
          for (let c = 0; c < 8; c++) {
            events += queryPattern(part.pattern as never, c / 4, (c + 1) / 4).length;
            if (events > 20000) return "ok (dense)";
          }
        } catch (err) {
          // the session keeps the last good version and names the part's declaration
          if (!(err instanceof Error)) throw new Error(`query threw a non-Error: ${String(err)}`);
          return `query ${err.name}`;
        }
      }
      return got.parts.length ? (events ? "ok" : "ok (silent)") : "ok (no parts)";
    },
  };
}

/** Puts back the global properties `before` had (values and presence), as evaluated code may change them. */
function restoreGlobals(before: PropertyDescriptorMap): void {
  const g = globalThis as Record<PropertyKey, unknown>;
  for (const k of Reflect.ownKeys(globalThis)) {
    const was = before[k as string];
    const now = Object.getOwnPropertyDescriptor(globalThis, k);
    if (!was) {
      if (now?.configurable) delete g[k];
    } else if (now && "value" in was && now.value !== was.value && now.configurable) {
      Object.defineProperty(globalThis, k, was);
    }
  }
}

/**
 * A sink for evaluateStrudel that hands each part to `play` and the tempo to `cps`, and
 * accepts everything else (notes, piano rolls, sample packs, bank aliases) silently.
 */
export function partsSink(
  play: (name: string, pattern: unknown, declaredAt: string) => void,
  cps: (cps: number) => void = () => {},
) {
  return { play, cps, note: () => {}, draw: () => {}, samples: () => {}, aliasBank: () => {} };
}

/** A query window, in cycles (rationals or numbers). */
export type Window = readonly [unknown, unknown];

/**
 * Everything a tune does with the time arithmetic in place, as text: its parts and tempo,
 * each part's events in each window (spans exactly, onsets, values), what was thrown.
 *
 * @param maxEvents Stop after this many events (a fuzz input can be dense).
 */
async function traceTune(code: string, windows: readonly Window[], maxEvents: number) {
  const { evaluateStrudel } = await import("../../lib/live/strudel_file.ts");
  const { queryPattern } = await import("../../lib/pattern/query.ts");
  const exact = (f: { s: unknown; n: unknown; d: unknown }) =>
    `${BigInt(f.s as bigint) * BigInt(f.n as bigint)}/${BigInt(f.d as bigint)}`;
  const out: string[] = [];
  const parts: unknown[] = [];
  const sink = partsSink(
    (name, pattern) => {
      out.push(`part ${name}`);
      parts.push(pattern);
    },
    (v) => out.push(`cps ${v}`),
  );
  try {
    await evaluateStrudel(code, sink, { file: "/fuzz/time.strudel", cps: 0.5 });
  } catch (err) {
    return [`eval ${(err as Error).name}: ${(err as Error).message}`];
  }
  let events = 0;
  for (const part of parts) {
    for (const [b, e] of windows) {
      try {
        // deno-lint-ignore no-explicit-any
        for (const h of queryPattern(part as never, b as never, e as never) as any[]) {
          out.push(
            `${h.whole ? exact(h.whole.begin) + " " + exact(h.whole.end) : "-"} ` +
              `${exact(h.part.begin)} ${exact(h.part.end)} ${h.hasOnset()} ${
                JSON.stringify(h.value)
              }`,
          );
          if (++events > maxEvents) return out;
        }
      } catch (err) {
        out.push(`query ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
  }
  return out;
}

/**
 * A tune traced (see traceTune) with lib/pattern/fast_time.ts's arithmetic and again with
 * Strudel's own, each side building its own patterns, both from the same globals (code
 * may assign one: `x = ...` inside an arrow), which are put back afterwards.
 */
export async function traceBoth(
  code: string,
  windows: readonly Window[],
  maxEvents = Infinity,
): Promise<{ fast: string[]; own: string[] }> {
  const { useFastTime } = await import("../../lib/pattern/fast_time.ts");
  const globals = Object.getOwnPropertyDescriptors(globalThis);
  const fast = await traceTune(code, windows, maxEvents);
  restoreGlobals(globals);
  useFastTime(false);
  try {
    return { fast, own: await traceTune(code, windows, maxEvents) };
  } finally {
    useFastTime(true);
    restoreGlobals(globals);
  }
}

/**
 * Strudel's time on doubles (lib/pattern/fast_time.ts) against its own BigInt arithmetic:
 * each edited tune is evaluated and its parts queried once with each, in windows of a
 * third and a seventh of a cycle and far on (cycle 2^40); any difference in the events
 * (spans exactly, values), in what was thrown, or in the parts, is a finding.
 */
export async function strudelTimeTarget(): Promise<FuzzTarget> {
  const { strudel } = await import("../../lib/pattern/strudel.ts");
  const Frac = strudel.Fraction._original;
  const windows: Window[] = [];
  for (let i = 0; i < 6; i++) windows.push([Frac(i, 3), Frac(i + 1, 3)]);
  for (let i = 0; i < 4; i++) windows.push([Frac(i, 7), Frac(i + 1, 7)]);
  windows.push([Frac(2n ** 40n), Frac(2n ** 40n + 1n)]);
  return {
    name: "strudel-time",
    seeds: strudelSeeds(),
    dictionary: STRUDEL_TOKENS,
    text: true,
    maxEdits: 2,
    async exec(input) {
      const { fast, own } = await traceBoth(dec.decode(input), windows, 5000);
      const n = Math.max(fast.length, own.length);
      for (let i = 0; i < n; i++) {
        if (fast[i] !== own[i]) {
          throw new Error(
            `fast time differs from Strudel's at line ${i} of ${n}:\n  fast: ${fast[i]}\n  own:  ${
              own[i]
            }`,
          );
        }
      }
      const first = fast[0] ?? "";
      if (first.startsWith("eval ")) return `eval ${first.slice(5, first.indexOf(":"))}`;
      if (fast.some((l) => l.startsWith("query "))) return "ok (a query threw)";
      return fast.some((l) => !l.startsWith("part ") && !l.startsWith("cps "))
        ? "ok"
        : "ok (silent)";
    },
  };
}

/** Every target, by name. */
export const TARGETS: Record<string, () => FuzzTarget | Promise<FuzzTarget>> = {
  sfz: sfzTarget,
  sf2: () => sf2Target(),
  osc: oscTarget,
  strudel: strudelTarget,
  "strudel-time": strudelTimeTarget,
};

/** Where a finding's input is written: build/fuzz-ts/<target>-<seed>-<index>.bin. */
export function findingPath(target: string, seed: number, index: number): string {
  return join(ROOT, "build", "fuzz-ts", `${target}-${seed}-${index}.bin`);
}
