/**
 * General MIDI through a SoundFont: scan a MIDI file's program changes and
 * bank selects (CC0/CC32) per channel, load only the presets it uses, and
 * build the MIDI map that plays each channel's program on its preset —
 * drums on channel 10 from bank 128.
 *
 * The MIDI map selects a layer by channel and program (lib/midi's layers
 * with `program`); the bank is the one in force at the program change that
 * selected it, so a channel that plays one program from two banks keeps the
 * first (reported). The GM controllers (CC1 vibrato, CC7 volume, CC10 pan,
 * CC11 expression, CC64 sustain, pitch bend with range 2) reach the
 * instruments through the map's controller pass-through.
 *
 * Thread: CT.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * @module
 */
import type { MidiMapInput } from "../../midi/schema.ts";
import type { MidiFileEvents } from "../../midi/smf.ts";
import { shownPath } from "../../util/path.ts";
import {
  loadSoundFontPreset,
  readSoundFont,
  type Sf2InstrumentLike,
  type Sf2SampleLike,
  type Sf2SamplerLike,
} from "./load.ts";
import { findPreset } from "./zones.ts";

/** The GM percussion channel, 0-based (channel 10). */
export const DRUM_CHANNEL = 9;

/** One channel × program a song plays, with the bank it asked for. */
export interface GmSlot {
  /** 0..15. */
  channel: number;
  program: number;
  bank: number;
}

/**
 * The channel × program slots a song plays notes on (bank from CC0 × 128 + CC32,
 * 128 on channel 10), in order of first note.
 *
 * @param song The parsed MIDI file.
 * @returns The slots, and one line per channel × program asked for from more than one bank.
 * @example
 * ```ts
 * import { gmSlots } from "./gm.ts";
 * import assert from "node:assert/strict";
 * const song = { seconds: 1, tempos: [], events: [
 *   { seconds: 0, bytes: [0xc0, 33] }, { seconds: 0, bytes: [0x90, 40, 100] },
 *   { seconds: 0, bytes: [0x99, 36, 100] },
 * ] };
 * assert.deepEqual(gmSlots(song).slots, [
 *   { channel: 0, program: 33, bank: 0 }, { channel: 9, program: 0, bank: 128 },
 * ]);
 * ```
 */
export function gmSlots(song: MidiFileEvents): { slots: GmSlot[]; conflicts: string[] } {
  const msb: number[] = new Array(16).fill(0), lsb: number[] = new Array(16).fill(0);
  const program: number[] = new Array(16).fill(0);
  const bankAt: number[] = Array.from({ length: 16 }, (_, c) => (c === DRUM_CHANNEL ? 128 : 0));
  const slots = new Map<string, GmSlot>();
  const conflicts: string[] = [];
  for (const { bytes } of song.events) {
    const status = bytes[0]! & 0xf0, ch = bytes[0]! & 0x0f;
    if (status === 0xb0 && bytes[1] === 0) msb[ch] = bytes[2]!;
    else if (status === 0xb0 && bytes[1] === 32) lsb[ch] = bytes[2]!;
    else if (status === 0xc0) {
      program[ch] = bytes[1]!;
      bankAt[ch] = ch === DRUM_CHANNEL ? 128 : msb[ch]! * 128 + lsb[ch]!;
    } else if (status === 0x90 && bytes[2]! > 0) {
      const prog = program[ch]!, bank = bankAt[ch]!;
      const key = `${ch}:${prog}`;
      const known = slots.get(key);
      if (!known) slots.set(key, { channel: ch, program: prog, bank });
      else if (known.bank !== bank) {
        conflicts.push(
          `channel ${
            ch + 1
          } program ${prog} is asked for from banks ${known.bank} and ${bank}: bank ${known.bank} plays both`,
        );
      }
    }
  }
  return { slots: [...slots.values()], conflicts: [...new Set(conflicts)] };
}

/** Options of {@linkcode loadGmMap}. */
export interface GmMapOptions {
  /** Called with what cannot be played as asked (missing presets, bank conflicts, generators not played yet). */
  onWarning?: (warning: string) => void;
  /** The presets' reverb and chorus sends play (see loadSoundFontPreset); false renders dry. @default true */
  effects?: boolean;
}

/**
 * Load the presets a song uses from a GM SoundFont and return the MIDI map
 * that plays it (give it to `sampler.midi.setMap`).
 *
 * @param sampler The sampler.
 * @param fontPath The .sf2/.sf3 bank.
 * @param song The parsed MIDI file.
 * @param options Warning callback, effect sends.
 * @returns The map, the instruments loaded by name (`"sf2 <bank>:<program>"`),
 *   and the GM reset to send before the song (channel volume CC7 = 100 on
 *   every channel used, as GM and FluidSynth start; the engine starts at 127).
 * @throws {InstrumentDefinitionError} when the font cannot be read.
 */
export async function loadGmMap<S extends Sf2SampleLike, I extends Sf2InstrumentLike<S>>(
  sampler: Sf2SamplerLike<S, I>,
  fontPath: string,
  song: MidiFileEvents,
  options: GmMapOptions = {},
): Promise<{ map: MidiMapInput; instruments: Map<string, I>; reset: number[][] }> {
  const font = await readSoundFont(fontPath, options.onWarning);
  const { slots, conflicts } = gmSlots(song);
  for (const c of conflicts) options.onWarning?.(c);
  const instruments = new Map<string, I>();
  const layers: MidiMapInput["layers"] = [];
  const seen = new Set<string>();
  for (const slot of slots) {
    const index = findPreset(font, slot.bank, slot.program);
    if (index < 0) {
      options.onWarning?.(
        `${
          shownPath(fontPath)
        } has no preset ${slot.bank}:${slot.program} (nor a fallback): channel ${
          slot.channel + 1
        } program ${slot.program} stays silent`,
      );
      continue;
    }
    const p = font.presets[index]!;
    const name = `sf2 ${p.bank}:${p.program}`;
    if (!instruments.has(name)) {
      instruments.set(
        name,
        await loadSoundFontPreset(sampler, fontPath, {
          bank: p.bank,
          program: p.program,
          exact: true,
          name,
          effects: options.effects ?? true,
          ...(options.onWarning
            ? {
              onWarning: (w: string) => {
                if (!seen.has(w)) options.onWarning!(w);
                seen.add(w);
              },
            }
            : {}),
        }),
      );
    }
    layers.push({ instrument: name, channels: [slot.channel + 1], program: slot.program });
  }
  const channels = [...new Set(slots.map((s) => s.channel))].sort((a, b) => a - b);
  const reset = channels.map((c) => [0xb0 | c, 7, 100]);
  return { map: { layers, bendRange: 2 }, instruments, reset };
}
