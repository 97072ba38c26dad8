/**
 * Strudel's General MIDI sound names (`gm_piano`, `gm_electric_bass_finger`,
 * `gm_synth_strings_1`, ...: the keys of Strudel's
 * packages/soundfonts/gm.mjs, in GM program order) as GM programs, and the
 * GM SoundFont they resolve to on this machine.
 *
 * Strudel folds programs 0..3 into `gm_piano`; the GM names of those four
 * (`gm_acoustic_grand_piano`, `gm_bright_acoustic_piano`,
 * `gm_electric_grand_piano`, `gm_honky_tonk_piano`) are accepted too.
 *
 * Thread: CT. Pure, but for {@linkcode defaultGmFont}'s file checks.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * @module
 */

/** Strudel's names for GM programs 4..127, in program order. */
const FROM_4 = [
  "epiano1",
  "epiano2",
  "harpsichord",
  "clavinet",
  "celesta",
  "glockenspiel",
  "music_box",
  "vibraphone",
  "marimba",
  "xylophone",
  "tubular_bells",
  "dulcimer",
  "drawbar_organ",
  "percussive_organ",
  "rock_organ",
  "church_organ",
  "reed_organ",
  "accordion",
  "harmonica",
  "bandoneon",
  "acoustic_guitar_nylon",
  "acoustic_guitar_steel",
  "electric_guitar_jazz",
  "electric_guitar_clean",
  "electric_guitar_muted",
  "overdriven_guitar",
  "distortion_guitar",
  "guitar_harmonics",
  "acoustic_bass",
  "electric_bass_finger",
  "electric_bass_pick",
  "fretless_bass",
  "slap_bass_1",
  "slap_bass_2",
  "synth_bass_1",
  "synth_bass_2",
  "violin",
  "viola",
  "cello",
  "contrabass",
  "tremolo_strings",
  "pizzicato_strings",
  "orchestral_harp",
  "timpani",
  "string_ensemble_1",
  "string_ensemble_2",
  "synth_strings_1",
  "synth_strings_2",
  "choir_aahs",
  "voice_oohs",
  "synth_choir",
  "orchestra_hit",
  "trumpet",
  "trombone",
  "tuba",
  "muted_trumpet",
  "french_horn",
  "brass_section",
  "synth_brass_1",
  "synth_brass_2",
  "soprano_sax",
  "alto_sax",
  "tenor_sax",
  "baritone_sax",
  "oboe",
  "english_horn",
  "bassoon",
  "clarinet",
  "piccolo",
  "flute",
  "recorder",
  "pan_flute",
  "blown_bottle",
  "shakuhachi",
  "whistle",
  "ocarina",
  "lead_1_square",
  "lead_2_sawtooth",
  "lead_3_calliope",
  "lead_4_chiff",
  "lead_5_charang",
  "lead_6_voice",
  "lead_7_fifths",
  "lead_8_bass_lead",
  "pad_new_age",
  "pad_warm",
  "pad_poly",
  "pad_choir",
  "pad_bowed",
  "pad_metallic",
  "pad_halo",
  "pad_sweep",
  "fx_rain",
  "fx_soundtrack",
  "fx_crystal",
  "fx_atmosphere",
  "fx_brightness",
  "fx_goblins",
  "fx_echoes",
  "fx_sci_fi",
  "sitar",
  "banjo",
  "shamisen",
  "koto",
  "kalimba",
  "bagpipe",
  "fiddle",
  "shanai",
  "tinkle_bell",
  "agogo",
  "steel_drums",
  "woodblock",
  "taiko_drum",
  "melodic_tom",
  "synth_drum",
  "reverse_cymbal",
  "guitar_fret_noise",
  "breath_noise",
  "seashore",
  "bird_tweet",
  "telephone",
  "helicopter",
  "applause",
  "gunshot",
] as const;

/** Sound name → GM program 0..127. */
export const GM_PROGRAMS: ReadonlyMap<string, number> = new Map<string, number>([
  ["gm_piano", 0],
  ["gm_acoustic_grand_piano", 0],
  ["gm_bright_acoustic_piano", 1],
  ["gm_electric_grand_piano", 2],
  ["gm_honky_tonk_piano", 3],
  ...FROM_4.map((n, i) => [`gm_${n}`, i + 4] as [string, number]),
]);

/**
 * The GM program of a Strudel `gm_*` sound name.
 *
 * @param name A sound name.
 * @returns 0..127, or undefined when it is not a GM name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gmProgram } from "./gm_names.ts";
 * assert(gmProgram("gm_electric_bass_finger") === 33);
 * assert(gmProgram("gm_synth_strings_1") === 50 && gmProgram("gm_gunshot") === 127);
 * assert(gmProgram("piano") === undefined);
 * ```
 */
export function gmProgram(name: string): number | undefined {
  return GM_PROGRAMS.get(name);
}

/** Where Debian puts its GM banks, best first. */
export const GM_FONTS = [
  "/usr/share/sounds/sf2/FluidR3_GM.sf2",
  "/usr/share/sounds/sf2/TimGM6mb.sf2",
  "/usr/share/sounds/sf3/MuseScore_General.sf3",
  "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3",
] as const;

/**
 * The GM SoundFont `gm_*` names play from: `$MS_GM_FONT`, else the first of
 * {@linkcode GM_FONTS} that exists.
 *
 * @returns Its path, or undefined when none is installed.
 */
export function defaultGmFont(): string | undefined {
  let env: string | undefined;
  try {
    env = Deno.env.get("MS_GM_FONT");
  } catch {
    // no --allow-env: the installed fonts only
  }
  for (const path of env ? [env] : GM_FONTS) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // try the next
    }
  }
  return undefined;
}
