/**
 * MIDI out in an offline render: the capture outputs (`sampler.midi.output`
 * without a live output) are read every chunk, since each holds 4096
 * messages; at the end the notes still sounding are answered on the last
 * frame and, when asked, everything sent is written as a Standard MIDI File
 * (lib/midi/smf_out.ts). Used by renderSet and runPerformance.
 *
 * Thread: CT.
 *
 * @module
 */
import type { Sampler } from "../engine/sampler.ts";
import type { MidiOutMessage } from "../midi/out.ts";
import { encodeMidiOut } from "../midi/smf_out.ts";

/** What a render's MIDI outputs sent, collected chunk by chunk. */
export class MidiCapture {
  readonly #sampler: Sampler;
  readonly #sent = new Map<string, MidiOutMessage[]>();

  constructor(sampler: Sampler) {
    this.#sampler = sampler;
  }

  /** Read what every capture output sent since the last call. */
  drain(): void {
    if (!this.#sampler.open) return;
    for (const out of this.#sampler.midi.outputs) {
      const got = out.read();
      if (!got.length) continue;
      const list = this.#sent.get(out.name) ?? [];
      for (const m of got) list.push(m);
      this.#sent.set(out.name, list);
    }
  }

  /**
   * After the last chunk (the sampler rendered `total` frames): a note-off for
   * every note still sounding, on frame `total` (one more frame is rendered,
   * past the written file, to carry them; note-ons queued from there on are
   * dropped), then the file.
   *
   * @param total Frames rendered.
   * @param file Where to write the MIDI file. @default not written
   */
  async finish(total: number, file?: string): Promise<void> {
    const sampler = this.#sampler;
    if (sampler.open && sampler.midi.outputs.length) {
      sampler.midi.hushOutputs(total);
      sampler.flush(total + 1);
      sampler.process(1);
    }
    this.drain();
    if (!file) return;
    const clock = sampler.clock;
    await Deno.writeFile(
      file,
      encodeMidiOut(this.#sent, (f) => clock.beatsAtFrame(f), (b) => clock.bpmAt(b)),
    );
  }
}
