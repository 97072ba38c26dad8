/**
 * The sampler: opens the engine, owns its instruments and samples, sends
 * scheduled events ahead in windows, renders, and reads live telemetry.
 *
 * Thread: CT. Telemetry (`now()`, `stats()`) is read straight from the
 * engine's stats block: no FFI call. Leaving a `using` block (or `close()`)
 * finishes open render files and frees the engine and everything it holds.
 *
 * @module
 */
import { resolve } from "node:path";
import { AUDIO, EV, eventRecord, INTERP } from "../ffi/layout.ts";
import { type AudioConfigRecord, NativeSampler } from "../ffi/native.ts";
import type { Clock, Time } from "./clock.ts";
import { LinkClock, type LinkOptions } from "./link.ts";
import { EngineStateError } from "../errors.ts";
import { Instrument } from "./instrument.ts";
import { LiveOutput, type OutputOptions, probeRate } from "./output.ts";
import {
  parseOptions,
  type ResolvedSamplerOptions,
  type SamplerOptions,
  SamplerOptionsSchema,
} from "./options.ts";
import { Recorder, type RecordOptions } from "./recorder.ts";
import { RenderFile, type RenderFileOptions } from "./render_file.ts";
import { Sample } from "./sample.ts";
import { SamplerCore } from "./sampler_core.ts";
import { histogramPercentile } from "../util/histogram.ts";
import { Midi } from "../midi/midi.ts";

/** Live counters of a sampler (read without an FFI call). */
export interface SamplerStats {
  /** Frames rendered: the engine's "now". */
  framesRendered: number;
  blocksRendered: number;
  xruns: number;
  /** Events the render thread took from the rings. */
  eventsReceived: number;
  /** Events refused because a ring or the engine's queue was full. */
  eventsDropped: number;
  /** Events stamped before the block that played them. */
  eventsLate: number;
  /** Events still waiting in TypeScript to be sent. */
  eventsPending: number;
  voicesActive: number;
  voicesPeak: number;
  voicesStolen: number;
  /** Wall time of the last block, ns. */
  renderNsLast: number;
  /** Mean wall time per block, ns. */
  renderNsMean: number;
  renderNsMax: number;
  /** Median render time per ms_process call, ns (upper edge of its histogram bucket, within 12.5 %). */
  renderNsP50: number;
  /** 99th percentile render time per ms_process call, ns (likewise). */
  renderNsP99: number;
  /** Last block's render time over its duration (1 = all of it). */
  dspLoad: number;
  dspLoadMax: number;
  memoryLockedBytes: number;
  memoryBytes: number;
  instrumentsRetired: number;
}

/**
 * A sampler engine instance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sampler } from "./sampler.ts";
 * using sampler = Sampler.open({ sampleRate: 48000 });
 * const sine = new Float32Array(4800).map((_, i) => Math.sin(i / 48000 * 2 * Math.PI * 440));
 * const inst = sampler.createInstrument("sine");
 * inst.addZone(sampler.createSample(sine), { rootKey: 69 });
 * inst.noteOn(69, 100, { at: 0 });
 * const audio = sampler.process(480);
 * assert(audio.length === 960 && sampler.now() === 480);
 * ```
 */
export class Sampler implements Disposable {
  /** Output rate in Hz. */
  readonly sampleRate: number;
  /** Interleaved output channels. */
  readonly channels: number;
  /** The options in force (defaults filled in). */
  readonly options: Readonly<ResolvedSamplerOptions>;
  readonly #core: SamplerCore;
  readonly #instruments = new Set<Instrument>();
  #output: LiveOutput | undefined;
  #midi: Midi | undefined;
  #link: LinkClock | undefined;

  private constructor(core: SamplerCore, options: ResolvedSamplerOptions) {
    this.#core = core;
    this.options = Object.freeze({ ...options });
    this.sampleRate = core.native.config.sample_rate;
    this.channels = core.native.config.channels;
    core.midiOutputIndex = (name) => this.midi.output(name).index; // noteOn(..., { midiOut })
  }

  /**
   * Open a sampler (loads and, if needed, builds the engine library).
   *
   * @param options Rate, channels, polyphony, ring size, interpolation, seed, tempo.
   * @returns The sampler; close it with `using` or `close()`.
   * @throws {RangeError} for an option out of range (the message names it).
   * @throws {EngineLibraryError} when the engine library cannot be loaded or built.
   * @throws {OutOfMemoryError} when the engine cannot allocate its pools.
   */
  static open(options: SamplerOptions = {}): Sampler {
    const o = parseOptions(SamplerOptionsSchema, options, "Cannot open sampler");
    const config: Partial<AudioConfigRecord> = {
      sample_rate: o.sampleRate,
      channels: o.channels,
      max_polyphony: o.maxPolyphony,
      buffer_size: o.bufferSize,
      ring_capacity: o.ringCapacity,
      max_instruments: o.maxInstruments,
      interpolation: o.interpolation === "linear" ? INTERP.LINEAR : INTERP.CUBIC,
      seed: o.seed,
      flags: (o.orbitOutputs ? AUDIO.ORBIT_OUTPUTS : 0) |
        (o.limiter ? 0 : AUDIO.NO_LIMITER),
    };
    if (o.orbitOutputs && o.channels % 2) {
      throw new RangeError(
        `Cannot open sampler: orbitOutputs needs an even channel count, got "${o.channels}"`,
      );
    }
    const native = NativeSampler.create(config);
    if (o.sampleBits === 16) native.setSampleBits(16);
    return new Sampler(new SamplerCore(native, o.tempo), o);
  }

  /**
   * Open a sampler at the rate the output device runs at (probed with
   * ms_output_probe_rate: the JACK server's rate, or the ALSA device's
   * nearest to 48000), ready for {@linkcode Sampler.startOutput}.
   *
   * @param output Backend and device to probe (pass the same to startOutput).
   * @param options Other sampler options.
   * @returns The sampler.
   * @throws {DeviceError} when the device is missing or busy, or no JACK server runs.
   * @throws {RangeError} for an option out of range.
   */
  static openForOutput(
    output: OutputOptions = {},
    options: Omit<SamplerOptions, "sampleRate"> = {},
  ): Sampler {
    return Sampler.open({ ...options, sampleRate: probeRate(output) });
  }

  /**
   * Open a live output without starting it (add listeners, then `start()`).
   *
   * @param options Backend, device, period, RT priority, look-ahead.
   * @returns The output; close it with `using` or `close()`.
   * @throws {RangeError} for an option out of range.
   * @throws {DeviceError} when the device is missing (the message names it) or busy,
   *   or no JACK server runs.
   * @throws {EngineStateError} when this sampler already has an output open.
   * @throws {UnsupportedError} when the device cannot run at the sampler's rate or format.
   */
  openOutput(options: OutputOptions = {}): LiveOutput {
    this.#core.native.assertAlive("Cannot open audio output");
    const out = LiveOutput.open(this.#core, options, () => {
      if (this.#output === out) this.#output = undefined;
    });
    this.#output = out;
    return out;
  }

  /**
   * Play live: open the output device and start it. Events scheduled from
   * frame 0 play from the start; the pump sends them `lookaheadMs` ahead.
   * Real-time permission denied is not thrown: see `output.warnings`.
   *
   * @param options Backend, device, period, RT priority, look-ahead.
   * @returns The running output; close it with `using` or `close()`.
   * @throws {RangeError} for an option out of range.
   * @throws {DeviceError} when the device is missing, busy, or no JACK server runs.
   * @throws {EngineStateError} when an output or a render file is already open.
   */
  startOutput(options: OutputOptions = {}): LiveOutput {
    const out = this.openOutput(options);
    try {
      out.start();
    } catch (err) {
      out.close();
      throw err;
    }
    return out;
  }

  /** The open live output, if any. */
  get output(): LiveOutput | undefined {
    return this.#output;
  }

  #assertNotLive(action: string): void {
    if (this.#output?.running) {
      throw new EngineStateError(`${action}: the sampler is playing live`, {
        hint: "Stop the live output first (output.stop() or close())",
      });
    }
  }

  /**
   * MIDI: mappings compiled into the engine, inputs, handlers, external
   * clock, input latency (lib/midi). Created on first use.
   *
   * @throws {EngineStateError} when the sampler is closed.
   */
  get midi(): Midi {
    this.#core.native.assertAlive("Cannot use MIDI");
    if (!this.#midi) {
      const midi = new Midi(
        this.#core,
        (name) => [...this.#instruments].find((i) => i.name === name && i.alive)?.id,
        () => this.#output?.info.backend, // open (not yet started) counts: ports register before
      );
      this.#core.closables.add(midi);
      this.#midi = midi;
    }
    return this.#midi;
  }

  /** The sampler's clock: converts seconds and beats to frames. */
  get clock(): Clock {
    return this.#core.clock;
  }

  /**
   * Join an Ableton Link session (lib/engine/link.ts): the render thread
   * then publishes the shared beat timeline each call; a live session
   * (lib/live/session.ts `followLink`) schedules on it. Link finds peers by
   * UDP multicast on every network interface that is up. Left when the
   * sampler closes.
   *
   * @param options Quantum (beats per cycle), start/stop sync, first tempo.
   * @returns The session.
   * @throws {UnsupportedError} when the engine was built without Link.
   * @throws {EngineStateError} when closed or already in a session.
   */
  joinLink(options: LinkOptions = {}): LinkClock {
    this.#core.native.assertAlive("Cannot join Link");
    if (this.#link) {
      throw new EngineStateError("Cannot join Link: this sampler is in a Link session already");
    }
    const link = new LinkClock(this.#core.native, this.clock.bpm, options);
    this.#core.closables.add(link);
    this.#link = link;
    return link;
  }

  /** The Link session joined with {@linkcode Sampler.joinLink}, if any. */
  get link(): LinkClock | undefined {
    return this.#link;
  }

  /** True until closed. */
  get open(): boolean {
    return this.#core.native.alive;
  }

  /**
   * The engine's "now": the next frame it will render.
   *
   * @returns A frame index (read from the stats block, no FFI call).
   */
  now(): number {
    return this.#core.native.now();
  }

  /**
   * Every live counter.
   *
   * @returns A snapshot (read from the stats block, no FFI call).
   * @throws {EngineStateError} when the sampler is closed.
   */
  stats(): SamplerStats {
    this.#core.native.assertAlive("Cannot read sampler stats");
    const s = this.#core.native.statsSnapshot();
    const hist = this.#core.native.renderHistogram();
    return {
      framesRendered: s.frames_rendered,
      blocksRendered: s.blocks_rendered,
      xruns: s.xruns,
      eventsReceived: s.events_received,
      eventsDropped: s.events_dropped,
      eventsLate: s.events_late,
      eventsPending: this.#core.queue.size,
      voicesActive: s.voices_active,
      voicesPeak: s.voices_peak,
      voicesStolen: s.voices_stolen,
      renderNsLast: s.render_ns_last,
      renderNsMean: s.blocks_rendered ? s.render_ns_total / s.blocks_rendered : 0,
      renderNsMax: s.render_ns_max,
      renderNsP50: histogramPercentile(hist, 0.5),
      renderNsP99: histogramPercentile(hist, 0.99),
      dspLoad: s.dsp_load_ppm / 1e6,
      dspLoadMax: s.dsp_load_max_ppm / 1e6,
      memoryLockedBytes: s.memory_locked_bytes,
      memoryBytes: s.memory_bytes,
      instrumentsRetired: s.instruments_retired,
    };
  }

  /**
   * The engine's peak meters (read from the stats block, no FFI call): the
   * output after the limiter and each orbit (its effect return; with orbit
   * outputs its whole pair), as linear peaks (1 = 0 dBFS) held and falling
   * 20 dB per second; `awake` has bit k set while orbit k's effects run.
   *
   * @returns The meters.
   * @throws {EngineStateError} when the sampler is closed.
   */
  meters(): { awake: number; output: number; orbits: number[] } {
    this.#core.native.assertAlive("Cannot read the meters");
    return this.#core.native.meters();
  }

  /**
   * The engine's render-time histogram: calls to the render path counted in
   * eighth-octave buckets (see {@linkcode histogramPercentile}).
   *
   * @returns 128 bucket counts (read from the stats block, no FFI call).
   * @throws {EngineStateError} when the sampler is closed.
   */
  renderHistogram(): number[] {
    this.#core.native.assertAlive("Cannot read the render histogram");
    return this.#core.native.renderHistogram();
  }

  /**
   * Create an empty instrument.
   *
   * @param name 1..63 bytes of UTF-8.
   * @returns The instrument.
   * @throws {RangeError} for an empty or too long name.
   * @throws {LimitError} when maxInstruments are in use.
   */
  createInstrument(name: string): Instrument {
    const len = new TextEncoder().encode(name).length;
    if (typeof name !== "string" || len < 1 || len > 63) {
      throw new RangeError(
        `Cannot create instrument "${name}": the name must be 1..63 bytes, got ${len}`,
      );
    }
    const inst = new Instrument(this.#core, this.#core.native.createInstrument(name), name);
    this.#instruments.add(inst);
    return inst;
  }

  /** Instruments created and not disposed. */
  get instruments(): readonly Instrument[] {
    return [...this.#instruments].filter((i) => i.alive);
  }

  /**
   * Decode an audio file (WAV, AIFF, FLAC, OGG, ...) into the engine.
   *
   * @param path File path; relative paths resolve against the current directory.
   * @returns The sample.
   * @throws {SampleLoadError} when the file is missing, unreadable or not audio.
   */
  loadSample(path: string): Sample {
    const abs = resolve(path);
    return new Sample(this.#core.native.loadSample(abs), abs);
  }

  /**
   * Decode an audio file on a helper thread (Deno's blocking pool), so that
   * several files decode at once; see lib/instrument's `loadInstrument` jobs.
   *
   * @param path File path; relative paths resolve against the current directory.
   * @returns The sample, once decoded.
   * @throws {SampleLoadError} when the file is missing, unreadable or not audio.
   * @throws {EngineStateError} when the sampler is closed before the decode ends.
   */
  async loadSampleAsync(path: string): Promise<Sample> {
    const abs = resolve(path);
    return new Sample(await this.#core.native.loadSampleAsync(abs), abs);
  }

  /**
   * A sample from interleaved float data (copied).
   *
   * @param data Interleaved samples, -1..1.
   * @param options Channels (1 or 2) and rate. @default { channels: 1, sampleRate: this.sampleRate }
   * @returns The sample.
   * @throws {RangeError} for empty data, a partial frame, a bad channel count or rate.
   */
  createSample(
    data: Float32Array<ArrayBuffer>,
    options: { channels?: 1 | 2; sampleRate?: number } = {},
  ): Sample {
    const channels = options.channels ?? 1;
    const rate = options.sampleRate ?? this.sampleRate;
    if (channels !== 1 && channels !== 2) {
      throw new RangeError(`Cannot create sample: channels must be 1 or 2, got "${channels}"`);
    }
    if (data.length < channels || data.length % channels !== 0) {
      throw new RangeError(
        `Cannot create sample: data must hold whole frames of ${channels} channel(s), got ${data.length} values`,
      );
    }
    if (!Number.isInteger(rate) || rate < 1000 || rate > 384000) {
      throw new RangeError(`Cannot create sample: sampleRate must be 1000..384000, got "${rate}"`);
    }
    return new Sample(this.#core.native.createSample(data, channels, rate), "(data)");
  }

  /**
   * Render audio into memory (for tests and custom outputs).
   *
   * @param frames Frames to render (integer >= 0).
   * @returns A new Float32Array of frames * channels interleaved samples.
   * @throws {RangeError} for a bad frame count.
   * @throws {EngineStateError} when the sampler is closed.
   */
  process(frames: number): Float32Array<ArrayBuffer> {
    if (!Number.isInteger(frames) || frames < 0) {
      throw new RangeError(`Cannot render audio: frames must be an integer >= 0, got "${frames}"`);
    }
    this.#assertNotLive("Cannot render audio");
    const native = this.#core.native;
    const out = new Float32Array(frames * this.channels);
    let done = 0;
    while (done < frames) {
      const now = native.now();
      const bound = this.#core.pump(now + (frames - done));
      const n = bound - now;
      native.process(out.subarray(done * this.channels, (done + n) * this.channels), n);
      done += n;
    }
    return out;
  }

  /**
   * Open a file and render into it with `.write(frames)`.
   *
   * @param path Output path.
   * @param options Format and sample format.
   * @returns The open file; close it (or `using`) to finish the header.
   * @throws {OutputFileError} when the file cannot be created.
   * @throws {UnsupportedError} for FLAC with float samples.
   */
  renderToFile(path: string, options: RenderFileOptions = {}): RenderFile {
    this.#core.native.assertAlive(`Cannot open output file "${path}"`);
    this.#assertNotLive(`Cannot open output file "${path}"`);
    return new RenderFile(this.#core, path, options);
  }

  /**
   * Record what the sampler plays (live or offline) into a WAV or FLAC file,
   * written off the render thread, from the next block on.
   *
   * @param path Output path.
   * @param options Format, sample format, ring size in seconds.
   * @returns The recording; `stop()` (or `using`) finishes the file.
   * @throws {OutputFileError} when the file cannot be created.
   * @throws {EngineStateError} when a recording is already running.
   */
  record(path: string, options: RecordOptions = {}): Recorder {
    this.#core.native.assertAlive(`Cannot record to "${path}"`);
    return Recorder.start(this.#core, path, options);
  }

  /**
   * Send the events due before `until` now (all pending ones by default),
   * regardless of the window budget. Rendering does this by itself.
   *
   * @param until A time; events before it are sent.
   * @throws {EngineStateError} when the sampler is closed.
   */
  flush(until?: Time): void {
    const u = until === undefined ? Infinity : this.clock.framesFor(until);
    this.#core.pump(u, Infinity);
  }

  /**
   * Engine housekeeping: publish instrument changes and free retired data.
   * Renderers call it between chunks.
   *
   * @throws {EngineStateError} when the sampler is closed.
   */
  collect(): void {
    this.#core.commitDirty();
    this.#core.native.collect();
  }

  /**
   * Release every note of every instrument.
   *
   * @param at When. @default the next block
   */
  allNotesOff(at?: Time): void {
    this.#sampler_event(EV.ALL_NOTES_OFF, at);
  }

  /**
   * Silence everything within 2 ms (voices fade out, no release tails).
   *
   * @param at When. @default the next block
   */
  allSoundOff(at?: Time): void {
    this.#sampler_event(EV.ALL_SOUND_OFF, at);
  }

  /**
   * The tempo in cycles per second from `at` on: orbit delay times in cycles
   * (`lock`, `delaysync`) follow it. A live session sends it on every tempo change.
   *
   * @param cps Cycles per second, 0.001..1000.
   * @param at When. @default the next block
   * @throws {RangeError} for a rate out of range.
   */
  setCyclesPerSecond(cps: number, at?: Time): void {
    if (!(cps >= 0.001 && cps <= 1000)) {
      throw new RangeError(`Cannot set the cycle rate: cps must be 0.001..1000, got "${cps}"`);
    }
    this.#core.native.setCpsAt(at === undefined ? -1 : this.clock.framesFor(at), cps);
  }

  /**
   * Allocate an orbit's delay and reverb memory now (about 2 MiB), so the first
   * note sending to it does not; notes sent from scripts prepare their orbit.
   *
   * @param orbit 0..15.
   * @throws {MidiSamplerError} for an orbit out of range or no memory.
   */
  prepareOrbit(orbit: number): void {
    this.#core.prepareOrbit(orbit);
  }

  /** Bit k set while orbit k has input or a tail above -120 dBFS (as of the last block). */
  get orbitsAwake(): number {
    return this.#core.native.orbitsAwake();
  }

  #sampler_event(type: number, at: Time | undefined): void {
    this.#core.native.assertAlive("Cannot stop notes");
    this.#core.enqueue(
      eventRecord({ frame: at === undefined ? -1 : this.clock.framesFor(at), type }),
    );
  }

  /**
   * Finish open render files, free the engine and everything it holds.
   * Idempotent; every handle of this sampler becomes unusable.
   *
   * @throws {OutputFileError} when finishing an open render file fails (the engine is freed anyway).
   */
  close(): void {
    if (!this.#core.native.alive) return;
    let failure: unknown;
    for (const f of [...this.#core.closables]) {
      try {
        f.close();
      } catch (err) {
        failure ??= err;
      }
    }
    this.#core.queue.clear();
    this.#core.native.destroy();
    this.#instruments.clear();
    if (failure) throw failure;
  }

  /** Same as {@linkcode Sampler.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
