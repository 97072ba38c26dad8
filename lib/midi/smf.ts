/**
 * Standard MIDI Files (npm `midi-file`): every channel message of every
 * track, timed in seconds through the file's tempo map (or SMPTE timing),
 * ready to be played through a sampler's MIDI mapping.
 *
 * Thread: CT. Reading the file is the only I/O.
 *
 * @module
 */
import { type MidiEvent, parseMidi } from "midi-file";
import type { Sampler } from "../engine/sampler.ts";

/** A file's channel messages in time order. */
export interface MidiFileEvents {
  /** Each message: seconds from the start and its bytes (status first). */
  events: { seconds: number; bytes: number[] }[];
  /** Length: the last event (end of track included), in seconds. */
  seconds: number;
  /** Tempo changes: seconds, beat (quarter notes) and beats per minute (the first at 0; 120 when the file has none). */
  tempos: { seconds: number; beat: number; bpm: number }[];
}

function channelBytes(e: MidiEvent): number[] | undefined {
  switch (e.type) {
    case "noteOn":
      return [0x90 | e.channel, e.noteNumber, e.velocity];
    case "noteOff":
      return [0x80 | e.channel, e.noteNumber, e.velocity];
    case "controller":
      return [0xb0 | e.channel, e.controllerType, e.value];
    case "programChange":
      return [0xc0 | e.channel, e.programNumber];
    case "pitchBend": {
      const v = e.value + 8192;
      return [0xe0 | e.channel, v & 0x7f, (v >> 7) & 0x7f];
    }
    case "channelAftertouch":
      return [0xd0 | e.channel, e.amount];
    case "noteAftertouch":
      return [0xa0 | e.channel, e.noteNumber, e.amount];
    default:
      return undefined;
  }
}

/**
 * Parse Standard MIDI File bytes.
 *
 * @param bytes The file's contents.
 * @returns Events in seconds, honouring every tempo change.
 * @throws {RangeError} when the bytes are not a MIDI file (the parser's message follows).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeMidi } from "midi-file";
 * import { parseMidiFile } from "./smf.ts";
 * const bytes = new Uint8Array(writeMidi({
 *   header: { format: 0, numTracks: 1, ticksPerBeat: 480 },
 *   tracks: [[
 *     { deltaTime: 0, meta: true, type: "setTempo", microsecondsPerBeat: 1000000 },
 *     { deltaTime: 480, type: "noteOn", channel: 0, noteNumber: 60, velocity: 100 },
 *     { deltaTime: 0, meta: true, type: "endOfTrack" },
 *   ]],
 * }));
 * assert(parseMidiFile(bytes).events[0]!.seconds === 1); // one beat at 60 BPM
 * ```
 */
export function parseMidiFile(bytes: Uint8Array): MidiFileEvents {
  let data;
  try {
    data = parseMidi(bytes);
  } catch (err) {
    throw new RangeError(
      `Cannot read MIDI file: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  // merge tracks by absolute tick; keep file order within a tick (tempo before notes)
  const all: { tick: number; order: number; e: MidiEvent }[] = [];
  let order = 0;
  for (const track of data.tracks) {
    let tick = 0;
    for (const e of track) {
      tick += e.deltaTime;
      all.push({ tick, order: order++, e });
    }
  }
  all.sort((a, b) => a.tick - b.tick || a.order - b.order);
  const h = data.header;
  const smpte = h.framesPerSecond !== undefined && h.ticksPerFrame !== undefined;
  const tpb = h.ticksPerBeat ?? 480;
  let usPerBeat = 500000;
  let lastTick = 0;
  let lastSec = 0;
  const secondsAt = (tick: number) =>
    smpte
      ? tick / (h.framesPerSecond! * h.ticksPerFrame!)
      : lastSec + (tick - lastTick) * usPerBeat / 1e6 / tpb;
  const out: MidiFileEvents = {
    events: [],
    seconds: 0,
    tempos: [{ seconds: 0, beat: 0, bpm: 120 }],
  };
  for (const { tick, e } of all) {
    const sec = secondsAt(tick);
    if (e.type === "setTempo") {
      lastSec = sec;
      lastTick = tick;
      usPerBeat = e.microsecondsPerBeat;
      const bpm = 60e6 / usPerBeat;
      const beat = smpte ? sec * 2 : tick / tpb;
      if (sec === 0) out.tempos[0] = { seconds: 0, beat: 0, bpm };
      else out.tempos.push({ seconds: sec, beat, bpm });
      continue;
    }
    out.seconds = Math.max(out.seconds, sec);
    const b = channelBytes(e);
    if (b) out.events.push({ seconds: sec, bytes: b });
  }
  return out;
}

/**
 * Read a Standard MIDI File.
 *
 * @param path The .mid file.
 * @returns Its events in seconds.
 * @throws {Deno.errors.NotFound} when there is no such file.
 * @throws {RangeError} when it is not a MIDI file.
 */
export async function loadMidiFile(path: string): Promise<MidiFileEvents> {
  return parseMidiFile(await Deno.readFile(path));
}

/**
 * Queue a file's events on a sampler, through its MIDI mapping (set one
 * first with `sampler.midi.setMap`), from a start time on.
 *
 * @param sampler The sampler.
 * @param song Events from loadMidiFile / parseMidiFile.
 * @param startSeconds When the file's time 0 plays, in sampler seconds. @default 0
 * @returns The song's length in seconds.
 */
export function scheduleMidiFile(sampler: Sampler, song: MidiFileEvents, startSeconds = 0): number {
  if (startSeconds === 0 && !sampler.now()) {
    // the sampler's clock follows the file's tempo map (beats in scripts line up with the song)
    for (const t of song.tempos) sampler.clock.setTempo(Math.min(1000, Math.max(1, t.bpm)), t.beat);
  }
  for (const ev of song.events) {
    sampler.midi.send(ev.bytes, { at: { seconds: startSeconds + ev.seconds } });
  }
  return song.seconds;
}

/**
 * Play a Standard MIDI File on a running sampler (live output) through its
 * MIDI mapping, starting `delaySeconds` after the engine's "now": the hook
 * for `perform --play song.mid`.
 *
 * @param sampler A sampler with a mapping set (sampler.midi.setMap).
 * @param path The .mid file.
 * @param delaySeconds Lead time before its first beat. @default 0.2
 * @returns The second (sampler time) at which the song ends.
 * @throws {Deno.errors.NotFound} when there is no such file.
 * @throws {RangeError} when it is not a MIDI file.
 */
export async function playMidiFile(
  sampler: Sampler,
  path: string,
  delaySeconds = 0.2,
): Promise<number> {
  const song = await loadMidiFile(path);
  const start = sampler.now() / sampler.sampleRate + delaySeconds;
  return start + scheduleMidiFile(sampler, song, start);
}
