/**
 * A small reader for SoundFont 2 (.sf2) and SoundFont 3 (.sf3) files: the
 * RIFF chunks `INFO`, `sdta` (`smpl`, `sm24`) and `pdta` (`phdr` `pbag`
 * `pmod` `pgen`, `inst` `ibag` `imod` `igen`, `shdr`), as the SoundFont 2.04
 * specification lays them out (FluidSynth's src/sfloader/fluid_sffile.c was
 * read for the structure and for SF3; nothing is copied).
 *
 * Why our own reader: the npm SoundFont parsers either stopped being
 * maintained or do not read SF3 (one Ogg Vorbis stream per sample), and the
 * engine wants each sample as PCM (16-bit + sm24 turned into floats, or the
 * Ogg bytes handed to libsndfile). Reading RIFF is ~200 lines; the sample data
 * is not copied here: {@linkcode samplePcm} and {@linkcode sampleOgg} slice it
 * when a preset is loaded.
 *
 * Thread: CT. Pure: bytes in, records out. Malformed files raise a
 * `RangeError` naming the chunk and the byte offset.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * @module
 */

/** One generator: its operator (SF2 generator number) and amount (signed, or lo/hi bytes for ranges). */
export interface Sf2Generator {
  readonly oper: number;
  /** Signed 16-bit amount. */
  readonly amount: number;
  /** Low byte (ranges: lo). */
  readonly lo: number;
  /** High byte (ranges: hi). */
  readonly hi: number;
}

/** One modulator (spec 2.04, 8.2): sources as SFModulator words, destination generator, amount. */
export interface Sf2Modulator {
  /** Source: bits 0-6 index, bit 7 CC, bit 8 negative, bit 9 bipolar, bits 10-15 curve. */
  readonly src: number;
  readonly dest: number;
  readonly amount: number;
  /** Amount source, same encoding (0: none, 1). */
  readonly amtSrc: number;
  /** Transform: 0 linear, 2 absolute value. */
  readonly trans: number;
}

/** One zone (bag): its generators and modulators. */
export interface Sf2Zone {
  readonly generators: readonly Sf2Generator[];
  readonly modulators: readonly Sf2Modulator[];
}

/** A preset header with its zones. */
export interface Sf2Preset {
  readonly name: string;
  readonly program: number;
  readonly bank: number;
  readonly zones: readonly Sf2Zone[];
}

/** An instrument with its zones. */
export interface Sf2Instrument {
  readonly name: string;
  readonly zones: readonly Sf2Zone[];
}

/** A sample header (`shdr`). Frames are indices into `smpl` (SF2) or byte offsets of the Ogg stream (SF3). */
export interface Sf2Sample {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly loopStart: number;
  readonly loopEnd: number;
  readonly sampleRate: number;
  readonly originalPitch: number;
  /** Cents, -99..99. */
  readonly pitchCorrection: number;
  readonly link: number;
  readonly type: number;
  /** SF3: the sample is an Ogg Vorbis stream (type bit 0x10). */
  readonly vorbis: boolean;
}

/** A parsed SoundFont: its headers and where its sample data lies in `bytes`. */
export interface SoundFont {
  /** INAM, else "". */
  readonly name: string;
  /** ifil major version: 2 for SF2, 3 for SF3. */
  readonly version: number;
  /** What the reader skipped in a file it could still read (trailing junk), one line each. */
  readonly notes: readonly string[];
  readonly presets: readonly Sf2Preset[];
  readonly instruments: readonly Sf2Instrument[];
  readonly samples: readonly Sf2Sample[];
  /** The whole file. */
  readonly bytes: Uint8Array;
  /** Byte range of `smpl`'s data. */
  readonly smpl: { readonly offset: number; readonly size: number };
  /** Byte range of `sm24`'s data, when present and usable. */
  readonly sm24?: { readonly offset: number; readonly size: number };
}

interface Chunk {
  id: string;
  offset: number;
  size: number;
}

const ascii = (b: Uint8Array, at: number, n: number): string => {
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = b[at + i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
};

/** Four printable ASCII bytes at `at`, as every chunk id is. */
function isChunkId(b: Uint8Array, at: number): boolean {
  if (at + 4 > b.length) return false;
  for (let i = 0; i < 4; i++) {
    const c = b[at + i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function chunksIn(
  b: Uint8Array,
  view: DataView,
  from: number,
  to: number,
  where: string,
  lenient?: (problem: string, sofar: readonly Chunk[]) => boolean,
): Chunk[] {
  const out: Chunk[] = [];
  let at = from;
  while (at + 8 <= to) {
    const id = ascii(b, at, 4);
    const size = view.getUint32(at + 4, true);
    if (at + 8 + size > to) {
      const problem = `chunk "${id}" in ${where} at byte ${at} runs ${
        at + 8 + size - to
      } bytes past its end`;
      if (lenient?.(problem, out)) break;
      throw new RangeError(
        `Cannot read SoundFont: chunk "${id}" in ${where} at byte ${at} runs ${
          at + 8 + size - to
        } bytes past its end (truncated file?)`,
      );
    }
    out.push({ id, offset: at + 8, size });
    // RIFF pads an odd-sized chunk with one byte; some writers (MuseScore's
    // SF3 tools) leave it out: a non-zero pad byte starting a chunk id means
    // the next chunk begins right there.
    const unpadded = at + 8 + size;
    at = unpadded + ((size & 1) && (b[unpadded] === 0 || !isChunkId(b, unpadded)) ? 1 : 0);
  }
  return out;
}

/**
 * Parse a SoundFont file's structure.
 *
 * @param bytes The whole .sf2 or .sf3 file.
 * @returns Its presets, instruments and sample headers (sample data stays in `bytes`).
 * @throws {RangeError} when the file is not a SoundFont or a chunk is malformed (the message names it).
 * @example
 * ```ts
 * import { parseSoundFont } from "./riff.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => parseSoundFont(new Uint8Array(4)), /not a RIFF/);
 * ```
 */
export function parseSoundFont(bytes: Uint8Array): SoundFont {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== "RIFF") {
    throw new RangeError('Cannot read SoundFont: not a RIFF file (no "RIFF" at byte 0)');
  }
  if (ascii(bytes, 8, 4).toLowerCase() !== "sfbk") {
    throw new RangeError(
      `Cannot read SoundFont: the RIFF form is "${ascii(bytes, 8, 4)}", expected "sfbk"`,
    );
  }
  const end = Math.min(bytes.length, 8 + view.getUint32(4, true));
  const lists = new Map<string, Chunk[]>();
  const notes: string[] = [];
  // Junk after the lists a font needs is ignored and noted, as FluidSynth
  // does (MuseScore_General_Lite.sf3 ends with a chunk whose size is garbage).
  const trailing = (problem: string, sofar: readonly Chunk[]) => {
    const kinds = sofar.filter((c) => c.id === "LIST").map((c) => ascii(bytes, c.offset, 4));
    if (!kinds.includes("sdta") || !kinds.includes("pdta")) return false;
    notes.push(`ignored what follows the sample and preset data: ${problem}`);
    return true;
  };
  for (const c of chunksIn(bytes, view, 12, end, "the file", trailing)) {
    if (c.id !== "LIST" || c.size < 4) continue;
    const kind = ascii(bytes, c.offset, 4);
    const info = (problem: string) => {
      if (kind !== "INFO") return false;
      notes.push(`ignored the rest of LIST "INFO": ${problem}`);
      return true;
    };
    lists.set(
      kind,
      chunksIn(bytes, view, c.offset + 4, c.offset + c.size, `LIST "${kind}"`, info),
    );
  }
  for (const kind of ["sdta", "pdta"]) {
    if (!lists.has(kind)) {
      throw new RangeError(`Cannot read SoundFont: it has no LIST "${kind}" chunk`);
    }
  }
  const info = lists.get("INFO") ?? [];
  const find = (list: Chunk[], id: string): Chunk | undefined => list.find((c) => c.id === id);
  const ifil = find(info, "ifil");
  const version = ifil && ifil.size >= 2 ? view.getUint16(ifil.offset, true) : 2;
  const inam = find(info, "INAM");
  const name = inam ? ascii(bytes, inam.offset, inam.size) : "";

  const sdta = lists.get("sdta")!;
  const smplChunk = find(sdta, "smpl");
  if (!smplChunk) throw new RangeError('Cannot read SoundFont: LIST "sdta" has no "smpl" chunk');
  const sm24Chunk = find(sdta, "sm24");

  const pdta = lists.get("pdta")!;
  const records = (id: string, size: number): Chunk & { count: number } => {
    const c = find(pdta, id);
    if (!c) throw new RangeError(`Cannot read SoundFont: LIST "pdta" has no "${id}" chunk`);
    if (c.size % size !== 0) {
      throw new RangeError(
        `Cannot read SoundFont: chunk "${id}" at byte ${c.offset} is ${c.size} bytes, not a multiple of ${size}`,
      );
    }
    return { ...c, count: c.size / size };
  };
  const gens = (id: string): Sf2Generator[] => {
    const c = records(id, 4);
    const out: Sf2Generator[] = [];
    for (let i = 0; i < c.count; i++) {
      const at = c.offset + 4 * i;
      out.push({
        oper: view.getUint16(at, true),
        amount: view.getInt16(at + 2, true),
        lo: bytes[at + 2]!,
        hi: bytes[at + 3]!,
      });
    }
    return out;
  };
  const bags = (id: string): { gen: number; mod: number }[] => {
    const c = records(id, 4);
    const out = [];
    for (let i = 0; i < c.count; i++) {
      const at = c.offset + 4 * i;
      out.push({ gen: view.getUint16(at, true), mod: view.getUint16(at + 2, true) });
    }
    return out;
  };
  const zonesOf = (
    bagList: { gen: number; mod: number }[],
    genList: Sf2Generator[],
    modList: Sf2Modulator[],
    from: number,
    to: number,
    what: string,
  ): Sf2Zone[] => {
    const zones: Sf2Zone[] = [];
    for (let b = from; b < to; b++) {
      const cur = bagList[b], next = bagList[b + 1];
      if (!cur || !next || next.gen < cur.gen || next.gen > genList.length) {
        throw new RangeError(`Cannot read SoundFont: ${what} zone ${b - from} has a bad bag index`);
      }
      zones.push({
        generators: genList.slice(cur.gen, next.gen),
        modulators: next.mod >= cur.mod ? modList.slice(cur.mod, next.mod) : [],
      });
    }
    return zones;
  };

  const pgen = gens("pgen"), igen = gens("igen");
  const pbag = bags("pbag"), ibag = bags("ibag");
  const mods = (id: string): Sf2Modulator[] => {
    const c = records(id, 10);
    const out: Sf2Modulator[] = [];
    for (let i = 0; i < c.count; i++) {
      const at = c.offset + 10 * i;
      out.push({
        src: view.getUint16(at, true),
        dest: view.getUint16(at + 2, true),
        amount: view.getInt16(at + 4, true),
        amtSrc: view.getUint16(at + 6, true),
        trans: view.getUint16(at + 8, true),
      });
    }
    return out;
  };
  const pmod = mods("pmod"), imod = mods("imod");

  const phdr = records("phdr", 38);
  const presets: Sf2Preset[] = [];
  for (let i = 0; i + 1 < phdr.count; i++) {
    const at = phdr.offset + 38 * i;
    const from = view.getUint16(at + 24, true), to = view.getUint16(at + 38 + 24, true);
    const pname = ascii(bytes, at, 20);
    if (to < from) {
      throw new RangeError(
        `Cannot read SoundFont: preset "${pname}" has bag indices running backwards`,
      );
    }
    presets.push({
      name: pname,
      program: view.getUint16(at + 20, true),
      bank: view.getUint16(at + 22, true),
      zones: zonesOf(pbag, pgen, pmod, from, to, `preset "${pname}"`),
    });
  }
  const instHdr = records("inst", 22);
  const instruments: Sf2Instrument[] = [];
  for (let i = 0; i + 1 < instHdr.count; i++) {
    const at = instHdr.offset + 22 * i;
    const from = view.getUint16(at + 20, true), to = view.getUint16(at + 22 + 20, true);
    const iname = ascii(bytes, at, 20);
    if (to < from) {
      throw new RangeError(
        `Cannot read SoundFont: instrument "${iname}" has bag indices running backwards`,
      );
    }
    instruments.push({
      name: iname,
      zones: zonesOf(ibag, igen, imod, from, to, `instrument "${iname}"`),
    });
  }
  const shdr = records("shdr", 46);
  const samples: Sf2Sample[] = [];
  for (let i = 0; i + 1 < shdr.count; i++) {
    const at = shdr.offset + 46 * i;
    const type = view.getUint16(at + 44, true);
    samples.push({
      name: ascii(bytes, at, 20),
      start: view.getUint32(at + 20, true),
      end: view.getUint32(at + 24, true),
      loopStart: view.getUint32(at + 28, true),
      loopEnd: view.getUint32(at + 32, true),
      sampleRate: view.getUint32(at + 36, true),
      originalPitch: bytes[at + 40]!,
      pitchCorrection: view.getInt8(at + 41),
      link: view.getUint16(at + 42, true),
      type,
      vorbis: (type & 0x10) !== 0,
    });
  }
  const font: SoundFont = {
    name,
    version,
    notes,
    presets,
    instruments,
    samples,
    bytes,
    smpl: { offset: smplChunk.offset, size: smplChunk.size },
    // sm24 is only meaningful when it holds one byte per 16-bit sample (spec 2.04, 7.2)
    ...(sm24Chunk && version >= 2 && sm24Chunk.size >= Math.floor(smplChunk.size / 2)
      ? { sm24: { offset: sm24Chunk.offset, size: sm24Chunk.size } }
      : {}),
  };
  return font;
}

/**
 * A sample's frames start..end of an uncompressed SoundFont as floats in
 * -1..1 (16-bit `smpl`, with `sm24`'s low bytes when present).
 *
 * @param font The parsed font.
 * @param start First frame (index into smpl).
 * @param end Frame after the last.
 * @returns Mono float data.
 * @throws {RangeError} when the range lies outside `smpl`.
 */
export function samplePcm(font: SoundFont, start: number, end: number): Float32Array<ArrayBuffer> {
  const frames = end - start;
  if (frames <= 0 || (start + frames) * 2 > font.smpl.size) {
    throw new RangeError(
      `Cannot read SoundFont sample data: frames ${start}..${end} lie outside "smpl" (${
        font.smpl.size / 2
      } frames)`,
    );
  }
  const b = font.bytes;
  const view = new DataView(b.buffer, b.byteOffset + font.smpl.offset + start * 2, frames * 2);
  const out = new Float32Array(frames);
  const lsb = font.sm24;
  if (lsb) {
    for (let i = 0; i < frames; i++) {
      out[i] = (view.getInt16(i * 2, true) * 256 + b[lsb.offset + start + i]!) / 8388608;
    }
  } else {
    for (let i = 0; i < frames; i++) out[i] = view.getInt16(i * 2, true) / 32768;
  }
  return out;
}

/**
 * The Ogg Vorbis stream of an SF3 sample (its `start`..`end` are byte offsets into `smpl`).
 *
 * @param font The parsed font.
 * @param sample A sample with `vorbis` set.
 * @returns The Ogg bytes (a view into the file).
 * @throws {RangeError} when the range lies outside `smpl`.
 */
export function sampleOgg(font: SoundFont, sample: Sf2Sample): Uint8Array {
  if (sample.end <= sample.start || sample.end > font.smpl.size) {
    throw new RangeError(
      `Cannot read SoundFont sample "${sample.name}": its Ogg bytes ${sample.start}..${sample.end} lie outside "smpl" (${font.smpl.size} bytes)`,
    );
  }
  return font.bytes.subarray(font.smpl.offset + sample.start, font.smpl.offset + sample.end);
}
