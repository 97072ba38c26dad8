/**
 * Every note a session scheduled, as a Standard MIDI File (format 1), and
 * back: `perform --record-midi out.mid`.
 *
 * Thread: CT. Encoding and parsing are npm `midi-file`'s. One track per
 * part (named after it), one channel per instrument (drums on channel 10),
 * 960 ticks per beat, tempo events from the session's tempo changes. Times
 * are beats rounded to ticks; with a constant tempo `readMidiNotes` turns
 * them back into the same frames.
 *
 * @module
 */
import { type MidiData, type MidiEvent, parseMidi, writeMidi } from "midi-file";
import { smfTrack } from "../midi/smf_out.ts";
import type { ScheduledNote } from "./session.ts";

/** Ticks per beat (quarter note). */
export const TICKS_PER_BEAT = 960;

/** Collects scheduled notes and writes them as a MIDI file. */
export class MidiRecorder {
  readonly #notes: ScheduledNote[] = [];
  readonly #tempos: { beat: number; bpm: number }[] = [];

  /** Remember a note (pass this as the session's onNote). */
  add(note: ScheduledNote): void {
    this.#notes.push(note);
  }

  /** Remember a tempo from a beat on. */
  tempo(beat: number, bpm: number): void {
    this.#tempos.push({ beat, bpm });
  }

  /** Notes recorded. */
  get size(): number {
    return this.#notes.length;
  }

  /**
   * The Standard MIDI File bytes.
   *
   * @returns The file.
   */
  encode(): Uint8Array {
    const parts = [...new Set(this.#notes.map((n) => n.part))].sort();
    const instruments = [...new Set(this.#notes.map((n) => n.instrument))].sort();
    const channels = new Map<string, number>();
    let next = 0;
    for (const inst of instruments) {
      if (inst === "drums") {
        channels.set(inst, 9);
        continue;
      }
      if (next === 9) next++;
      channels.set(inst, Math.min(15, next++));
    }
    const tick = (beat: number) => Math.max(0, Math.round(beat * TICKS_PER_BEAT));
    const conductor: { t: number; ev: MidiEvent }[] = [];
    const tempos = this.#tempos.length ? this.#tempos : [{ beat: 0, bpm: 120 }];
    for (const t of tempos) {
      conductor.push({
        t: tick(t.beat),
        ev: {
          deltaTime: 0,
          meta: true,
          type: "setTempo",
          microsecondsPerBeat: Math.round(6e7 / t.bpm),
        },
      });
    }
    const tracks: MidiEvent[][] = [smfTrack(conductor, "tempo")];
    for (const part of parts) {
      const evs: { t: number; order: number; ev: MidiEvent }[] = [];
      for (const n of this.#notes) {
        if (n.part !== part) continue;
        const channel = channels.get(n.instrument) ?? 0;
        evs.push({
          t: tick(n.beat),
          order: 1,
          ev: { deltaTime: 0, type: "noteOn", channel, noteNumber: n.note, velocity: n.velocity },
        });
        evs.push({
          t: Math.max(tick(n.offBeat), tick(n.beat)),
          order: 0,
          ev: { deltaTime: 0, type: "noteOff", channel, noteNumber: n.note, velocity: 0 },
        });
      }
      evs.sort((a, b) => a.t - b.t || a.order - b.order);
      tracks.push(smfTrack(evs, part));
    }
    const data: MidiData = {
      header: { format: 1, numTracks: tracks.length, ticksPerBeat: TICKS_PER_BEAT },
      tracks,
    };
    return new Uint8Array(writeMidi(data));
  }

  /**
   * Write the file.
   *
   * @param path Output path.
   */
  async write(path: string): Promise<void> {
    await Deno.writeFile(path, this.encode());
  }
}

/** A note read back from a MIDI file. */
export interface MidiNote {
  /** Track name (the part). */
  part: string;
  channel: number;
  note: number;
  velocity: number;
  /** Start and end in beats (ticks / ticks per beat). */
  beat: number;
  offBeat: number;
}

/**
 * Read the notes of a MIDI file (as written by {@linkcode MidiRecorder}).
 *
 * @param bytes The file.
 * @returns Notes, and the tempo events in beats.
 */
export function readMidiNotes(
  bytes: Uint8Array,
): { notes: MidiNote[]; tempos: { beat: number; bpm: number }[] } {
  const data = parseMidi(bytes);
  const tpb = data.header.ticksPerBeat ?? TICKS_PER_BEAT;
  const notes: MidiNote[] = [];
  const tempos: { beat: number; bpm: number }[] = [];
  for (const track of data.tracks) {
    let t = 0;
    let name = "";
    const open = new Map<string, MidiNote[]>();
    for (const ev of track) {
      t += ev.deltaTime;
      if (ev.type === "trackName") name = ev.text;
      else if (ev.type === "setTempo") {
        tempos.push({ beat: t / tpb, bpm: 6e7 / ev.microsecondsPerBeat });
      } else if (ev.type === "noteOn" && ev.velocity > 0) {
        const n: MidiNote = {
          part: name,
          channel: ev.channel,
          note: ev.noteNumber,
          velocity: ev.velocity,
          beat: t / tpb,
          offBeat: t / tpb,
        };
        notes.push(n);
        const k = `${ev.channel}:${ev.noteNumber}`;
        open.set(k, [...(open.get(k) ?? []), n]);
      } else if (ev.type === "noteOff" || (ev.type === "noteOn" && ev.velocity === 0)) {
        const k = `${ev.channel}:${ev.noteNumber}`;
        const n = open.get(k)?.shift();
        if (n) n.offBeat = t / tpb;
      }
    }
  }
  notes.sort((a, b) => a.beat - b.beat || a.part.localeCompare(b.part) || a.note - b.note);
  return { notes, tempos };
}
