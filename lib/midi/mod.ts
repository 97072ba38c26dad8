/**
 * MIDI input and mappings: the public surface of lib/midi.
 *
 * @module
 */
export {
  type CCMessage,
  Midi,
  MidiInput,
  type MidiInputOptions,
  type MidiSourceName,
  type MidiStats,
  type NoteMessage,
  type RawMidiMessage,
} from "./midi.ts";
export { MidiOut, type MidiOutKind, type MidiOutMessage, type MidiOutOptions } from "./out.ts";
export { encodeMidiOut, SMF_TICKS_PER_BEAT } from "./smf_out.ts";
export {
  ChannelSettingsSchema,
  ControllerSchema,
  keyNumber,
  type LayerInput,
  LayerSchema,
  type MidiMap,
  type MidiMapInput,
  MidiMapSchema,
  VelocityCurveSchema,
} from "./schema.ts";
export { compileMidiMap, parseMidiMap, velocityTable } from "./compile.ts";
export { MidiMapError } from "./errors.ts";
export {
  loadMidiFile,
  type MidiFileEvents,
  parseMidiFile,
  playMidiFile,
  scheduleMidiFile,
} from "./smf.ts";
