/**
 * What MIDI outputs sent, as a Standard MIDI File (format 1): one track per
 * output, named after it, 960 ticks per beat, tempo events where the
 * clock's tempo changes. What an offline render of a set with `.midi()`
 * parts writes (`deno task render set.ts out.wav --midi-out out.mid`).
 *
 * Thread: CT. Encoding is npm `midi-file`'s. Times are the clock's beats at
 * each message's frame, rounded to ticks; system real-time messages (clock,
 * start, stop) have no place in a file and are left out.
 *
 * @module
 */
import { type MidiData, type MidiEvent, writeMidi } from "midi-file";
import type { MidiOutMessage } from "./out.ts";

/** Ticks per beat of the written file. */
export const SMF_TICKS_PER_BEAT = 960;

/** One channel message as a `midi-file` event, or undefined (real-time and unknown). */
function toEvent(bytes: number[]): MidiEvent | undefined {
  const [st = 0, d1 = 0, d2 = 0] = bytes;
  const channel = st & 0x0f;
  switch (st & 0xf0) {
    case 0x80:
      return { deltaTime: 0, type: "noteOff", channel, noteNumber: d1, velocity: d2 };
    case 0x90:
      return { deltaTime: 0, type: "noteOn", channel, noteNumber: d1, velocity: d2 };
    case 0xa0:
      return { deltaTime: 0, type: "noteAftertouch", channel, noteNumber: d1, amount: d2 };
    case 0xb0:
      return { deltaTime: 0, type: "controller", channel, controllerType: d1, value: d2 };
    case 0xc0:
      return { deltaTime: 0, type: "programChange", channel, programNumber: d1 };
    case 0xd0:
      return { deltaTime: 0, type: "channelAftertouch", channel, amount: d1 };
    case 0xe0:
      return { deltaTime: 0, type: "pitchBend", channel, value: (d1 | d2 << 7) - 8192 };
    default:
      return undefined;
  }
}

/**
 * Encode the messages of each output.
 *
 * @param outputs Output name to its messages, in the order they were sent.
 * @param beatAt The clock's beat at a frame.
 * @param bpmAt The clock's tempo at a beat.
 * @returns The file's bytes.
 */
export function encodeMidiOut(
  outputs: ReadonlyMap<string, readonly MidiOutMessage[]>,
  beatAt: (frame: number) => number,
  bpmAt: (beat: number) => number,
): Uint8Array {
  const tick = (frame: number) => Math.max(0, Math.round(beatAt(frame) * SMF_TICKS_PER_BEAT));
  const tempo: { t: number; ev: MidiEvent }[] = [];
  const all = [...outputs.values()].flat().map((m) => m.frame).sort((a, b) => a - b);
  let bpm = NaN;
  for (const frame of [0, ...all]) {
    const b = bpmAt(beatAt(frame));
    if (b === bpm) continue;
    bpm = b;
    tempo.push({
      t: tick(frame),
      ev: { deltaTime: 0, meta: true, type: "setTempo", microsecondsPerBeat: Math.round(6e7 / b) },
    });
  }
  const tracks: MidiEvent[][] = [smfTrack(tempo, "tempo")];
  for (const [name, messages] of outputs) {
    const evs: { t: number; ev: MidiEvent }[] = [];
    for (const m of messages) {
      const ev = toEvent(m.bytes);
      if (ev) evs.push({ t: tick(m.frame), ev });
    }
    tracks.push(smfTrack(evs, name));
  }
  const data: MidiData = {
    header: { format: 1, numTracks: tracks.length, ticksPerBeat: SMF_TICKS_PER_BEAT },
    tracks,
  };
  return new Uint8Array(writeMidi(data));
}

/**
 * One SMF track: a track name, the events with their absolute ticks turned
 * into delta times, an end of track. Also what lib/live/midi_record.ts writes.
 *
 * @param evs Events in time order, `t` in ticks from the start.
 * @param name The track's name.
 * @returns The track's events for `midi-file`'s writeMidi.
 */
export function smfTrack(evs: { t: number; ev: MidiEvent }[], name: string): MidiEvent[] {
  const out: MidiEvent[] = [{ deltaTime: 0, meta: true, type: "trackName", text: name }];
  let last = 0;
  for (const { t, ev } of evs) {
    out.push({ ...ev, deltaTime: t - last });
    last = t;
  }
  out.push({ deltaTime: 0, meta: true, type: "endOfTrack" });
  return out;
}
