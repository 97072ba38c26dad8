/**
 * A live session on an audio device: load a set, play it, reload it when
 * its files change, record it. What `deno task perform` runs.
 *
 * Thread: CT. Never prints: reloads, warnings and failures are reported
 * through callbacks (scripts/perform.ts prints them). The scheduler wakes
 * every `scheduleIntervalMs` and queues what is due before `now +
 * look-ahead` (the session), then hands it to the output's pump; the engine
 * plays each event on its frame, so a JavaScript pause shorter than the
 * look-ahead is not heard. A reload that fails leaves the previous version
 * playing. Events the engine's ring refused, events that came late and
 * voices it stole are said as warnings (lib/live/overload.ts).
 *
 * @module
 */
import { dirname } from "node:path";
import type { Sampler, SamplerStats } from "../engine/sampler.ts";
import { Sampler as SamplerClass } from "../engine/sampler.ts";
import type { LiveOutput, OutputOptions } from "../engine/output.ts";
import type { SamplerOptions } from "../engine/options.ts";
import type { Recorder } from "../engine/recorder.ts";
import { InstrumentCache, SESSION_MAX_INSTRUMENTS } from "./instruments.ts";
import { loadInto, SetLoader, SetLoadError } from "./loader.ts";
import { MidiRecorder } from "./midi_record.ts";
import { OverloadNotes } from "./overload.ts";
import { type ReloadReport, type ScheduledNote, Session } from "./session.ts";
import type { SwapMode } from "./set.ts";
import { TICKS_PER_CYCLE } from "./source.ts";

/** Options of {@linkcode startSession}. */
export interface PerformOptions {
  /** Backend, device, period, RT priority, look-ahead (default 100 ms). */
  output?: OutputOptions;
  /** Seed of generators' random numbers and the engine's alternatives. @default 1 */
  seed?: number;
  /** Other sampler options (`{ channels: 32, orbitOutputs: true }`: a port pair per orbit). */
  sampler?: Omit<SamplerOptions, "sampleRate" | "seed">;
  /** Default swap point of reloads. @default "cycle" */
  swap?: SwapMode;
  /** Watch the set and its local imports and reload on save. @default true */
  watch?: boolean;
  /** Record the audio into this WAV/FLAC file. */
  record?: string;
  /** Write every scheduled note to this MIDI file when the session ends. */
  recordMidi?: string;
  /**
   * Join an Ableton Link session (or the set's `set.link()`): the session's
   * tempo and beat timeline drive the clock; `startStop` shares start/stop
   * with peers (this performance starts the transport). @default false
   */
  link?: boolean | { startStop?: boolean };
  /**
   * MIDI outputs to open with the audio output (lib/midi/out.ts): a JACK MIDI
   * port per name on JACK, connected to `connect` once playing. The first is
   * where `.midi()` without a port name sends. @default none (`.midi()` opens "midi")
   */
  midiOut?: { name: string; connect?: string }[];
  /** Send MIDI clock (24 per beat, start and stop) on this MIDI output. @default none */
  midiClockOut?: string;
  /** Called for every note released to the engine (after the MIDI recorder has it). */
  onNote?: (note: ScheduledNote) => void;
  /** Scheduler wake-up interval, ms. @default 10 */
  scheduleIntervalMs?: number;
  /** Directory of instrument definitions. @default "<project>/instruments" */
  instrumentsDir?: string;
  /** After a reload attempt: what changed, or why the old version keeps playing. */
  onReload?: (result: ReloadReport | SetLoadError) => void;
  /** Non-fatal problems. */
  onWarning?: (text: string) => void;
  /** A piano roll of the coming cycles, when the set asks for one (give it on a terminal). */
  onDraw?: (text: string) => void;
}

/**
 * Before the output closes: stop the MIDI clock and send a note-off for
 * every note sounding on a MIDI output, after everything already handed to
 * the engine (a look-ahead), then let the render thread play them out, so
 * no synth keeps a note hanging.
 */
async function silenceMidi(sampler: Sampler, session: Session, output: LiveOutput): Promise<void> {
  if (!sampler.open || !output.running || !sampler.midi.outputs.length) return;
  const period = output.info.periodFrames;
  const at = sampler.now() + output.lookaheadFrames + period;
  session.stopMidiClock(at);
  sampler.midi.hushOutputs(at);
  sampler.flush(at + 1);
  const waitMs = 1000 * (at - sampler.now() + 2 * period) / sampler.sampleRate + 200;
  const until = performance.now() + waitMs;
  while (output.running && sampler.now() <= at + period && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** How a live session ended. */
export interface SessionEnd {
  /** Counters at the end. */
  stats: SamplerStats;
  /** Notes scheduled. */
  notes: number;
  /** The device failure that ended it, if any. */
  failure?: Error;
}

/** A running live session. */
export interface LiveSession {
  readonly sampler: Sampler;
  readonly output: LiveOutput;
  readonly session: Session;
  readonly instruments: InstrumentCache;
  /** The tempo map, and the notes when `recordMidi` is given (else none: they are not kept). */
  readonly midi: MidiRecorder;
  readonly recorder: Recorder | undefined;
  /** What the first load did. */
  readonly first: ReloadReport;
  /** Reload the set file now. */
  reload(): Promise<ReloadReport | SetLoadError>;
  /** End: stop the audio, finish recordings, close everything. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when stopped (by stop() or a device failure). */
  readonly finished: Promise<SessionEnd>;
}

/**
 * Open the device, load the set and start playing it.
 *
 * @param file The set file.
 * @param options Output, seed, swap mode, watching, recording.
 * @returns The running session.
 * @throws {DeviceError} when there is no usable device (or no JACK server).
 * @throws {SetLoadError} when the set's first version fails to load.
 * @throws {InstrumentDefinitionError} when an instrument it needs cannot be loaded.
 */
export async function startSession(
  file: string,
  options: PerformOptions = {},
): Promise<LiveSession> {
  const seed = options.seed ?? 1;
  const loader = new SetLoader(file, { onWarning: options.onWarning, onDraw: options.onDraw });
  const sampler = SamplerClass.openForOutput(options.output ?? {}, {
    maxInstruments: SESSION_MAX_INSTRUMENTS, // sample packs: an instrument per file
    ...options.sampler,
    seed,
  });
  const midi = new MidiRecorder();
  const instruments = new InstrumentCache(sampler, options.instrumentsDir, options.onWarning);
  const sessionOpts: ConstructorParameters<typeof Session>[1] = {
    instruments,
    seed,
    swap: options.swap ?? "cycle",
    loadOnFirstUse: true, // a sound of thousands of files: each file when first played
    onNote: (n) => {
      // kept only to be written: a session of hours would otherwise hold every note it played
      if (options.recordMidi) midi.add(n);
      options.onNote?.(n);
    },
    // a part that throws while playing is muted: say where, in the set's files
    onPartError: (e) =>
      options.onWarning?.(`${loader.explain(e).message}: muted until the set is reloaded`),
  };
  if (options.onWarning) sessionOpts.onWarning = options.onWarning;
  if (options.midiOut?.length) sessionOpts.midiOut = options.midiOut[0]!.name;
  const session = new Session(sampler, sessionOpts);
  let busy: Promise<unknown> = Promise.resolve();

  const loadOnce = async (): Promise<ReloadReport> => {
    const report = await loadInto(loader, session, seed);
    if (report.tempo !== undefined) {
      midi.tempo(session.beatOfTick(Math.round(report.swapCycle * TICKS_PER_CYCLE)), report.tempo);
    }
    return report;
  };

  let first: ReloadReport;
  let output: LiveOutput;
  let recorder: Recorder | undefined;
  try {
    first = await loadOnce();
    const link = options.link === true ? {} : options.link || first.link;
    // joined after the first load: alone, the set's tempo is the session's
    if (link) sampler.joinLink({ startStop: link.startStop ?? false });
    output = sampler.openOutput(options.output ?? {});
    // the beat is placed where the sound leaves the output
    sampler.link?.setOutputLatency(output.info.latencyFrames);
    for (const m of options.midiOut ?? []) {
      sampler.midi.output(m.name, m.connect ? { connect: m.connect } : {});
    }
    if (options.midiClockOut) session.startMidiClock(sampler.midi.output(options.midiClockOut));
    session.advance(output.lookaheadFrames); // with Link: nothing before the first render call
    if (options.record) recorder = sampler.record(options.record);
    output.start();
    if (sampler.link?.startStop) sampler.link.requestPlaying(true, sampler.now());
  } catch (err) {
    recorder?.stop();
    sampler.close();
    await loader.dispose();
    throw err;
  }

  const reload = (): Promise<ReloadReport | SetLoadError> => {
    const run = busy.then(async () => {
      try {
        const r = await loadOnce();
        options.onReload?.(r);
        return r;
      } catch (err) {
        const e = err instanceof SetLoadError ? err : loader.explain(err);
        options.onReload?.(e);
        return e;
      }
    });
    busy = run;
    return run;
  };

  const interval = options.scheduleIntervalMs ?? 10;
  const tick = () => {
    if (!sampler.open || !output.running) return;
    session.advance(sampler.now() + output.lookaheadFrames);
    output.pump();
  };
  const timer = setInterval(tick, interval);
  // refused and late events, stolen voices: counted on the render thread, said here
  const overload = new OverloadNotes({
    voices: sampler.options.maxPolyphony,
    ringCapacity: sampler.options.ringCapacity,
  });
  const overloadTimer = setInterval(() => {
    if (!sampler.open) return;
    for (const w of overload.check(sampler.stats(), performance.now())) options.onWarning?.(w);
  }, 250);

  let watcher: Deno.FsWatcher | undefined;
  const watchLoop = async () => {
    let watched = new Set(loader.files);
    const dirs = () => [...new Set([...watched].map((f) => dirname(f)))];
    let debounce: ReturnType<typeof setTimeout> | undefined;
    while (!stopped) {
      watcher = Deno.watchFs(dirs(), { recursive: false });
      let restart = false;
      for await (const ev of watcher) {
        if (!ev.paths.some((p) => watched.has(p))) continue;
        clearTimeout(debounce);
        debounce = setTimeout(async () => {
          await reload();
          const now = new Set(loader.files);
          if ([...now].some((f) => !watched.has(f))) {
            watched = now;
            restart = true;
            watcher?.close();
          }
        }, 120);
      }
      clearTimeout(debounce);
      if (!restart) break;
    }
  };
  let stopped = false;
  let resolveFinished!: (v: SessionEnd) => void;
  const finished = new Promise<SessionEnd>((r) => (resolveFinished = r));
  let failure: Error | undefined;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    clearInterval(overloadTimer);
    try {
      watcher?.close();
    } catch {
      // already closed
    }
    await busy.catch(() => {});
    const end: SessionEnd = { stats: sampler.stats(), notes: session.notes };
    if (failure) end.failure = failure;
    if (!failure) await silenceMidi(sampler, session, output);
    output.close();
    try {
      recorder?.stop();
    } finally {
      if (options.recordMidi) await midi.write(options.recordMidi);
      sampler.close();
      await loader.dispose();
      resolveFinished(end);
    }
  };
  output.addEventListener("error", (ev) => {
    failure = ev.detail;
    stop();
  });
  if (options.watch ?? true) {
    watchLoop().catch((err) => options.onWarning?.(`watching stopped: ${err}`));
  }

  return {
    sampler,
    output,
    session,
    instruments,
    midi,
    recorder,
    first,
    reload,
    stop,
    finished,
  };
}

/**
 * One line saying what a reload did.
 *
 * @param r The report.
 * @param sampleRate To show the swap time.
 * @returns e.g. `v3 at cycle 12 (25.71 s): added bass; replaced drums; removed keys`.
 */
export function describeReload(r: ReloadReport, sampleRate: number): string {
  const what = [
    r.added.length ? `added ${r.added.join(", ")}` : "",
    r.replaced.length ? `replaced ${r.replaced.join(", ")}` : "",
    r.removed.length ? `removed ${r.removed.join(", ")}` : "",
    r.tempo !== undefined ? `tempo ${r.tempo}` : "",
    r.instrumentsLoaded.length ? `loaded ${r.instrumentsLoaded.join(", ")}` : "",
  ].filter(Boolean).join("; ") || "no change";
  return `v${r.version} at cycle ${+r.swapCycle.toFixed(3)} (${
    (r.swapFrame / sampleRate).toFixed(2)
  } s): ${what}`;
}
