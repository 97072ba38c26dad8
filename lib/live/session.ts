/**
 * A live session: named parts, a beat clock, and the scheduler that turns
 * what the parts play into frame-stamped engine events just ahead of the
 * render position.
 *
 * Thread: CT. `advance(untilFrame)` is the whole scheduler: it queries every
 * part for the cycles up to `untilFrame`, resolves sound names to
 * instruments, and queues note-ons and note-offs on the sampler, which sends
 * them to the engine's ring (the live output's pump, or the offline render).
 * Events are released in a canonical order (frame, offs before ons, part
 * name, note) and only once every event of their frame is known, so the
 * engine receives the same events in the same order however the calls were
 * sliced: a live session and an offline render of the same set agree byte
 * for byte.
 *
 * Reloads (`apply`) never stop the music: the new parts take over at the
 * next cycle (bar, beat, or at once) after what was already scheduled; a
 * part whose events did not change keeps playing untouched; a part no
 * longer declared stops there. Never prints: warnings go to `onWarning`.
 *
 * Query errors surface. A part whose pattern or generator throws while the
 * reload looks at its first cycles fails the reload with a
 * {@linkcode PartQueryError} naming the part (nothing changes: the previous
 * version keeps playing). A part that starts throwing later, while playing,
 * is muted from the cycle that threw, with one `onPartError` call; the
 * other parts play on. A value wrong for one event only (a NaN, an unknown
 * scale) drops that event, with one warning per cause.
 *
 * @module
 */
import type { Controls } from "../engine/controls.ts";
import type { Instrument, NoteOnOptions } from "../engine/instrument.ts";
import type { Sampler } from "../engine/sampler.ts";
import type { MidiOut } from "../midi/out.ts";
import { noteNameToMidi } from "../pattern/scales.ts";
import type { LinkTimeline } from "../engine/link.ts";
import {
  CONTROL_ALIASES,
  DEFAULT_SOUNDS,
  KNOWN_CONTROLS,
  type NoteRequest,
  resolveControls,
  type SoundMapping,
  unsupportedReason,
} from "../pattern/controls.ts";
import type { CachedInstrument, InstrumentCache } from "./instruments.ts";
import type { SetSnapshot, SwapMode } from "./set.ts";
import { type Source, type SourceEvent, TICKS_PER_CYCLE, toSource } from "./source.ts";

/** A note as scheduled (what --record-midi writes). */
export interface ScheduledNote {
  part: string;
  sound: string;
  instrument: string;
  note: number;
  velocity: number;
  /** Note-on frame. */
  frame: number;
  /** Note-off frame. */
  offFrame: number;
  /** Note-on and note-off positions in beats (exact, unrounded). */
  beat: number;
  offBeat: number;
  gainDb: number;
  pan: number;
  tuneCents: number;
  offset: number;
  /** Per-note engine controls (filters, envelopes, effects, orbit), converted and clamped. */
  controls?: Controls;
}

/** What a reload changed. */
export interface ReloadReport {
  /** 1 for the first load. */
  version: number;
  added: string[];
  removed: string[];
  replaced: string[];
  unchanged: string[];
  /** Cycle (from the start) where the new parts take over. */
  swapCycle: number;
  swapFrame: number;
  /** Instruments loaded anew (changed or first used). */
  instrumentsLoaded: string[];
  /** Tempo change applied at the swap, if any. */
  tempo?: number;
  /** The set asked to join Ableton Link (set.link; perform acts on the first load's). */
  link?: { startStop: boolean };
}

/** Options of a {@linkcode Session}. */
export interface SessionOptions {
  /** Loads instruments by name (cached by content). */
  instruments: InstrumentCache;
  /**
   * The Ableton Link timeline to follow. @default the sampler's session
   * (`sampler.joinLink()`), if it joined one
   */
  link?: LinkTimeline;
  /** Seed of generators' random numbers. @default 1 */
  seed?: number;
  /** Swap mode for sets that do not choose one. @default "cycle" */
  swap?: SwapMode;
  /** The MIDI output `.midi()` without a port name sends to. @default "midi" */
  midiOut?: string;
  /** Called for every note released to the engine. */
  onNote?: (note: ScheduledNote) => void;
  /** Non-fatal problems: unknown sounds, ignored controls, bad values (each once). */
  onWarning?: (text: string) => void;
  /**
   * A playing part threw while it was queried: it is muted from that cycle
   * until a reload replaces it. Called once per failure, from `advance`; what
   * it throws propagates out of `advance` (an offline render fails so).
   * @default onWarning with the error's message and "muted until the set is reloaded"
   */
  onPartError?: (error: PartQueryError) => void;
  /**
   * Live sessions: a sample sound with more than {@linkcode PRELOAD_VARIANTS}
   * files loads each file when a note first plays it (that note is silent),
   * instead of every file with the set. Off for offline renders, which stay
   * deterministic by loading every file first.
   * @default false
   */
  loadOnFirstUse?: boolean;
}

/**
 * A part's pattern or generator threw while it was queried. The message
 * names the part and the cycle; `stack` ends with the stack of what it threw
 * and of where the part was declared, so a set loader can point at the
 * set's file:line:column.
 */
export class PartQueryError extends Error {
  /** The part's name. */
  readonly part: string;
  /** The cycle (from the start) whose query threw. */
  readonly cycle: number;
  /**
   * @param part The part's name.
   * @param cycle The cycle whose query threw.
   * @param cause What the query threw.
   * @param declaredAt Stack text of the part's declaration (`set.play`), if known.
   */
  constructor(part: string, cycle: number, cause: unknown, declaredAt?: string) {
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`Cannot play part "${part}" at cycle ${cycle}: ${what}`, { cause });
    this.name = "PartQueryError";
    this.part = part;
    this.cycle = cycle;
    const inner = cause instanceof Error ? cause.stack ?? "" : "";
    this.stack = [`${this.name}: ${this.message}`, inner, declaredAt ?? ""]
      .filter(Boolean).join("\n");
  }
}

interface Part {
  name: string;
  current: Source | null;
  /** Stack text of where `current` was declared (for errors). */
  declaredAt?: string | undefined;
  /** `current` threw while playing: muted until a reload replaces it. */
  failed?: boolean;
  /** Fingerprint of `current` (its events over a few cycles). */
  print: string;
  next?: Next | undefined;
}

interface Next {
  source: Source | null;
  print: string;
  atTick: number;
  declaredAt?: string | undefined;
}

interface Pending {
  frame: number;
  /** 0 note-off, 1 note-on. */
  kind: 0 | 1;
  part: string;
  inst: Instrument;
  note: ScheduledNote;
}

interface Anchor {
  tick: number;
  beat: number;
  beatsPerCycle: number;
}

/**
 * Files of a sample sound loaded with the set in a live session (option
 * `loadOnFirstUse`): a sound with more (a folder of thousands, more than the
 * sampler has instrument slots) loads a file when a note first plays it, in
 * the background; that note is silent.
 */
export const PRELOAD_VARIANTS = 128;

/** The beat of a cycle position in an anchor's meter. */
function beatInAnchor(a: Anchor, cycle: number): number {
  return a.beat + (cycle - a.tick / TICKS_PER_CYCLE) * a.beatsPerCycle;
}

/** Cycles of events compared to decide whether a part changed. */
const FINGERPRINT_CYCLES = 16;
/** Events after which a reload looks at no further cycle of a part (see firstCycles). */
const FINGERPRINT_EVENTS = 4096;

/** A session of named parts on one sampler. */
export class Session {
  readonly sampler: Sampler;
  readonly #opts: SessionOptions;
  readonly #parts = new Map<string, Part>();
  readonly #pending: Pending[] = [];
  /** Instruments of big sample sounds being loaded on first use. */
  readonly #loading = new Set<string>();
  readonly #muted = new Set<string>();
  readonly #solo = new Set<string>();
  readonly #warned = new Set<string>();
  readonly #instruments = new Map<string, CachedInstrument>();
  readonly #retired: { inst: Instrument; after: number }[] = [];
  readonly #lastFrame = new Map<Instrument, number>();
  readonly #cut = new Map<number, { inst: Instrument; note: ScheduledNote }>();
  #anchors: Anchor[] = [{ tick: 0, beat: 0, beatsPerCycle: 4 }];
  #beatsPerBar = 4;
  #midiMapped = false;
  #sounds: Record<string, SoundMapping> = { ...DEFAULT_SOUNDS };
  #cursor = 0;
  #released = 0;
  #version = 0;
  #declaredTempo: number | undefined;
  /** Cycles per second last sent to the engine (after the first note that needs it). */
  #sentCps: number | undefined;
  #swap: SwapMode;
  /** Notes released to the engine so far. */
  notes = 0;
  /** MIDI clock out (startMidiClock): the next tick (24 per beat) and the last frame sent. */
  #midiClock: { out: MidiOut; tick: number; started: boolean; lastFrame?: number } | undefined;

  constructor(sampler: Sampler, options: SessionOptions) {
    this.sampler = sampler;
    this.#opts = options;
    this.#swap = options.swap ?? "cycle";
  }

  /** Ticks scheduled so far (TICKS_PER_CYCLE per cycle). */
  get cursorTicks(): number {
    return this.#cursor;
  }

  /** Cycles scheduled so far. */
  get cycle(): number {
    return this.#cursor / TICKS_PER_CYCLE;
  }

  /** Names of the parts playing or about to. */
  get parts(): string[] {
    return [...this.#parts.keys()];
  }

  /** Muted parts. */
  get muted(): string[] {
    return [...this.#muted];
  }

  /** Soloed parts. */
  get soloed(): string[] {
    return [...this.#solo];
  }

  /** The version of the set playing (1 after the first load). */
  get version(): number {
    return this.#version;
  }

  /** Beats per cycle in force at the cursor. */
  get beatsPerCycle(): number {
    return this.#anchorAt(this.#cursor).beatsPerCycle;
  }

  /** Beat position of a tick (exact). */
  beatOfTick(tick: number): number {
    const a = this.#anchorAt(tick);
    return a.beat + (tick - a.tick) / TICKS_PER_CYCLE * a.beatsPerCycle;
  }

  /** Frame of a tick (the clock's rounding rule). */
  frameOfTick(tick: number): number {
    return this.sampler.clock.beatsToFrames(this.beatOfTick(tick));
  }

  #anchorAt(tick: number): Anchor {
    let a = this.#anchors[0]!;
    for (const x of this.#anchors) {
      if (x.tick <= tick) a = x;
      else break;
    }
    return a;
  }

  /**
   * The anchor in force at a beat: the last at or before it; the first before them all (a
   * Link timeline starts below beat 0: ticks before 0).
   */
  #anchorAtBeat(beat: number): Anchor {
    const anchors = this.#anchors;
    for (let i = anchors.length - 1; i > 0; i--) if (anchors[i]!.beat <= beat) return anchors[i]!;
    return anchors[0]!;
  }

  #tickOfFrame(frame: number): number {
    const beat = this.sampler.clock.beatsAtFrame(frame);
    const anchor = this.#anchorAtBeat(beat);
    return anchor.tick +
      Math.floor((beat - anchor.beat) / anchor.beatsPerCycle * TICKS_PER_CYCLE + 1e-9);
  }

  /**
   * Load a set's declarations: the first time at once, later as a reload at
   * the next swap point after what is already scheduled.
   *
   * @param snap What the set declared (from evaluateSet).
   * @param swap Override the swap mode for this reload.
   * @returns What changed.
   * @throws {InstrumentDefinitionError} when an instrument it needs cannot be loaded;
   *   nothing changes then (the previous version keeps playing).
   * @throws {TypeError} for a part that is neither a pattern nor a generator.
   */
  async apply(snap: SetSnapshot, swap?: SwapMode): Promise<ReloadReport> {
    const first = this.#version === 0;
    const mode = swap ?? snap.swap ?? this.#swap;
    const cur = this.#cursor;
    const curAnchor = this.#anchorAt(cur);
    const ticksPerBeat = TICKS_PER_CYCLE / curAnchor.beatsPerCycle;
    const quantum = first || mode === "immediate"
      ? 1
      : mode === "beat"
      ? ticksPerBeat
      : mode === "bar"
      ? ticksPerBeat * this.#beatsPerBar
      : TICKS_PER_CYCLE;
    // bars and beats count from the last meter change
    const rel = cur - curAnchor.tick;
    const swapTick = curAnchor.tick + Math.ceil(rel / quantum - 1e-9) * quantum;

    // pack sounds (samples(), Strudel's prebake) load when played: not in `needed` below
    const sounds = { ...DEFAULT_SOUNDS, ...snap.packSounds, ...snap.sounds };
    const meter = { beatsPerCycle: snap.beatsPerCycle, beatsPerBar: snap.beatsPerBar };
    const seed = this.#opts.seed ?? 1;
    // the first cycles of every part: a part that throws there fails the reload
    const fresh = new Map<string, { source: Source; print: string; declaredAt?: string }>();
    const needed = new Set<string>();
    for (const [name, def] of snap.parts) {
      const source = toSource(def, meter, seed, name);
      const declaredAt = snap.declaredAt?.get(name);
      const { events, error } = firstCycles(source, swapTick);
      if (error) throw new PartQueryError(name, error.cycle, error.cause, declaredAt);
      fresh.set(name, { source, print: printOf(events), ...(declaredAt ? { declaredAt } : {}) });
      // instruments: every sound the new parts use soon
      for (const ev of events) {
        const r = resolveControls(ev.value, sounds);
        if (r && typeof r === "object") {
          needed.add(r.instrument);
          // every file of a sample sound, unless it has very many: those load on first use
          if (!this.#loadsOnFirstUse(sounds, r.sound)) {
            for (const v of sounds[r.sound]?.variants ?? []) needed.add(v);
          }
        }
      }
    }
    // and the set's own sounds
    for (const m of Object.values(snap.sounds)) needed.add(m.instrument);
    for (const l of snap.midiMap?.layers ?? []) needed.add(l.instrument);
    for (const c of snap.midiMap?.controllers ?? []) {
      if (c.instrument !== undefined) needed.add(c.instrument);
    }
    const loaded: CachedInstrument[] = [];
    const before = new Map(this.#instruments);
    this.#opts.instruments.prefetch(needed); // sample files decode in parallel
    for (const name of needed) {
      loaded.push(await this.#opts.instruments.get(name, (old) => this.#retire(old)));
    }
    // nothing can fail from here on but an instrument name the map cannot
    // resolve, checked first: commit
    if (snap.midiMap) {
      this.sampler.midi.setMap(snap.midiMap); // swapped in between two blocks
      this.#midiMapped = true;
    } else if (this.#midiMapped) {
      this.sampler.midi.setMap({ layers: [] }); // the set no longer declares one
      this.#midiMapped = false;
    }
    const instrumentsLoaded = loaded.filter((c) => before.get(c.name) !== c).map((c) => c.name);
    for (const c of loaded) this.#instruments.set(c.name, c);
    this.#sounds = sounds;
    this.#version++;

    if (snap.beatsPerCycle !== curAnchor.beatsPerCycle) {
      this.#anchors = this.#anchors.filter((a) => a.tick < swapTick);
      this.#anchors.push({
        tick: swapTick,
        beat: this.beatOfTick(swapTick),
        beatsPerCycle: snap.beatsPerCycle,
      });
    }
    this.#beatsPerBar = snap.beatsPerBar;

    const report: ReloadReport = {
      version: this.#version,
      added: [],
      removed: [],
      replaced: [],
      unchanged: [],
      swapCycle: swapTick / TICKS_PER_CYCLE,
      swapFrame: this.frameOfTick(swapTick),
      instrumentsLoaded,
    };
    for (const [name, n] of fresh) {
      const part = this.#parts.get(name);
      if (!part) {
        this.#parts.set(name, {
          name,
          current: null,
          print: "",
          next: { source: n.source, print: n.print, atTick: swapTick, declaredAt: n.declaredAt },
        });
        report.added.push(name);
      } else {
        const removing = part.next?.source === null;
        const playing = part.next && !removing ? part.next.source : part.current;
        const failed = !part.next && part.failed; // a muted failure is replaced
        if (playing && !failed && fingerprintOrNull(playing, swapTick) === n.print) {
          if (removing) part.next = undefined; // declared again before it stopped
          report.unchanged.push(name);
        } else {
          part.next = {
            source: n.source,
            print: n.print,
            atTick: swapTick,
            declaredAt: n.declaredAt,
          };
          report.replaced.push(name);
        }
      }
    }
    for (const [name, part] of this.#parts) {
      if (fresh.has(name)) continue;
      if (part.next?.source === null) continue;
      part.next = { source: null, print: "", atTick: swapTick };
      report.removed.push(name);
    }

    if (snap.tempo !== undefined && snap.tempo !== this.#declaredTempo) {
      const beat = this.beatOfTick(swapTick);
      if (snap.rampBeats && !first) {
        this.sampler.clock.rampTempo(snap.tempo, beat, beat + snap.rampBeats);
      } else {
        this.sampler.clock.setTempo(snap.tempo, beat);
      }
      report.tempo = snap.tempo;
      report.swapFrame = this.frameOfTick(swapTick);
      // a reload's tempo is committed to a Link session; the first load's is
      // only where this peer starts (a joined session keeps its own tempo)
      if (!first && this.#link) {
        try {
          this.#link.requestTempo(snap.tempo, report.swapFrame);
        } catch (err) {
          // the reload is committed already: the session keeps Link's tempo
          this.#opts.onWarning?.(
            `${err instanceof Error ? err.message : err}: the Link session keeps its tempo`,
          );
        }
      }
      this.#tempoChanged(beat, snap.rampBeats && !first ? snap.rampBeats : 0);
    }
    this.#declaredTempo = snap.tempo;
    if (snap.link) report.link = snap.link;
    return report;
  }

  /**
   * Change the tempo live, from what is already scheduled on. In an Ableton
   * Link session the tempo is committed to the session at once (a ramp
   * jumps to its end tempo: the session has one tempo at a time).
   *
   * @param bpm Beats per minute, 1..1000.
   * @param rampBeats Reach it gradually over this many beats. @default 0 (at once)
   * @returns The beat where the change starts.
   * @throws {RangeError} for a tempo out of range.
   */
  setTempo(bpm: number, rampBeats = 0): number {
    const beat = this.beatOfTick(this.#cursor);
    // in a Link session the tempo is the session's: committed there, at once
    this.#link?.requestTempo(bpm, this.frameOfTick(this.#cursor));
    if (rampBeats > 0) this.sampler.clock.rampTempo(bpm, beat, beat + rampBeats);
    else this.sampler.clock.setTempo(bpm, beat);
    this.#tempoChanged(beat, rampBeats);
    return beat;
  }

  /**
   * Tell the engine the new cycle rate (orbit delays in cycles follow it) at a
   * tempo change, and at the end of a ramp; within a ramp, notes update it.
   * Nothing until a note has used the tempo (#syncCps).
   */
  #tempoChanged(beat: number, rampBeats: number): void {
    if (this.#sentCps === undefined) return;
    const bpc = this.beatsPerCycle;
    for (const b of rampBeats > 0 ? [beat, beat + rampBeats] : [beat]) {
      const cps = this.sampler.clock.bpmAt(b) / 60 / bpc;
      this.sampler.setCyclesPerSecond(cps, this.sampler.clock.beatsToFrames(b));
      this.#sentCps = cps;
    }
  }

  /**
   * Mute or unmute a part (takes effect from what is not yet scheduled).
   *
   * @throws {RangeError} for an unknown part.
   */
  mute(name: string, on = true): void {
    this.#checkPart(name, on ? "mute" : "unmute");
    if (on) this.#muted.add(name);
    else this.#muted.delete(name);
  }

  /**
   * Solo a part (several may be soloed); `solo(name, false)` unsolos it.
   *
   * @throws {RangeError} for an unknown part.
   */
  solo(name: string, on = true): void {
    this.#checkPart(name, on ? "solo" : "unsolo");
    if (on) this.#solo.add(name);
    else this.#solo.delete(name);
  }

  /** Clear every solo and mute. */
  clearSolo(): void {
    this.#solo.clear();
    this.#muted.clear();
  }

  /**
   * Stop every part now and release sounding notes (MIDI outputs too: their
   * queued note-ons are dropped and every sounding note gets its note-off);
   * the next reload brings the set back.
   */
  hush(): void {
    for (const part of this.#parts.values()) {
      part.next = { source: null, print: "", atTick: this.#cursor };
    }
    this.#declaredTempo = undefined;
    this.sampler.allNotesOff();
    this.sampler.midi.hushOutputs();
  }

  #checkPart(name: string, action: string): void {
    if (!this.#parts.has(name)) {
      throw new RangeError(
        `Cannot ${action} "${name}": no such part, the set plays ${
          this.parts.map((p) => `"${p}"`).join(", ") || "nothing"
        }`,
      );
    }
  }

  #warn(key: string, text: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#opts.onWarning?.(text);
  }

  /** Whether a sound's files load when a note first plays each (option loadOnFirstUse). */
  #loadsOnFirstUse(sounds: Record<string, SoundMapping>, sound: string): boolean {
    return !!this.#opts.loadOnFirstUse && (sounds[sound]?.variants?.length ?? 0) > PRELOAD_VARIANTS;
  }

  /** Load a file of a big sample sound in the background; its notes play once it is in. */
  #loadOnFirstUse(name: string, sound: string): void {
    if (this.#loading.has(name)) return;
    this.#loading.add(name);
    const files = this.#sounds[sound]?.variants?.length ?? 0;
    this.#warn(
      `lazy:${sound}`,
      `sound "${sound}" has ${files} files, more than the ${PRELOAD_VARIANTS} loaded with the set: ` +
        `each loads when a note first plays it, and that note is silent`,
    );
    this.#opts.instruments.get(name, (old) => this.#retire(old)).then(
      (c) => this.#instruments.set(name, c),
      (err) =>
        this.#warn(
          `lazyfail:${sound}`,
          `Cannot load a file of sound "${sound}": ${
            err instanceof Error ? err.message : err
          }: its notes stay silent`,
        ),
    );
  }

  #retire(inst: Instrument): void {
    const last = this.#lastFrame.get(inst) ?? 0;
    // after its last note-off plus 10 s of release tail
    this.#retired.push({ inst, after: last + 10 * this.sampler.sampleRate });
  }

  /**
   * Schedule everything due before `untilFrame`: query the parts, queue the
   * notes on the sampler. Call it with the render position plus the
   * look-ahead (live) or the end of the next chunk (offline).
   *
   * @param untilFrame Frame up to which events must be queued.
   * @returns Notes released to the sampler by this call.
   */
  advance(untilFrame: number): number {
    const link = this.#link;
    if (link && !this.#followLink(link)) return 0; // no timeline yet: nothing can be placed
    const target = this.#tickOfFrame(untilFrame);
    if (target > this.#cursor && link?.startStop && !link.playing) {
      this.#cursor = target; // the shared transport is stopped: time passes, nothing plays
    } else if (target > this.#cursor) {
      for (const part of [...this.#parts.values()]) this.#queryPart(part, this.#cursor, target);
      this.#cursor = target;
    }
    // release what cannot get company any more: frames before the cursor's, minus one
    const safe = Math.max(0, this.frameOfTick(this.#cursor) - 1);
    this.#clockTicks(untilFrame);
    const released = this.#release(safe);
    const now = this.sampler.now();
    for (let i = this.#retired.length - 1; i >= 0; i--) {
      const r = this.#retired[i]!;
      if (now > r.after) {
        r.inst.dispose();
        this.#retired.splice(i, 1);
      }
    }
    return released;
  }

  /**
   * Put the clock on Ableton Link's timeline from the cursor on: a cycle is
   * beatsPerCycle beats of it (the quantum), so cycle boundaries fall where
   * every peer's do; the tempo is the session's. When the timeline would
   * place the cursor in the past (joining, a peer moving the phase) the
   * cursor skips to the beat heard now. False until the render thread has
   * published the timeline.
   */
  #followLink(link: LinkTimeline): boolean {
    if (!link.ready) return false;
    link.setQuantum(this.beatsPerCycle);
    const clock = this.sampler.clock;
    const bpm = link.tempo;
    let beat = this.beatOfTick(this.#cursor);
    const now = this.sampler.now();
    if (link.frameAtBeat(beat) < now) {
      this.#cursor = this.#tickAtOrAfterBeat(link.beatAtFrame(now));
      beat = this.beatOfTick(this.#cursor);
    }
    const changed = clock.bpmAt(beat) !== bpm;
    clock.follow(beat, link.frameAtBeat(beat), bpm);
    if (changed) this.#tempoChanged(beat, 0);
    return true;
  }

  /** The Link timeline followed: the options' (tests), else the sampler's session. */
  get #link(): LinkTimeline | undefined {
    return this.#opts.link ?? this.sampler.link;
  }

  /** The Ableton Link timeline this session follows, if any (the REPL's `link` command). */
  get link(): LinkTimeline | undefined {
    return this.#link;
  }

  /** The first tick at or after a beat (the anchors' meter). */
  #tickAtOrAfterBeat(beat: number): number {
    const a = this.#anchorAtBeat(beat);
    return Math.max(
      this.#cursor,
      a.tick + Math.ceil((beat - a.beat) / a.beatsPerCycle * TICKS_PER_CYCLE - 1e-9),
    );
  }

  /** Release every queued note before `untilFrame` (the end of an offline render). */
  flush(untilFrame: number): number {
    return this.#release(untilFrame);
  }

  #queryPart(part: Part, from: number, to: number): void {
    const next = part.next;
    if (next && next.atTick < to) {
      this.#play(part, from, Math.max(from, next.atTick));
      part.current = next.source;
      part.print = next.print;
      part.declaredAt = next.declaredAt;
      part.failed = false;
      part.next = undefined;
      if (!part.current) {
        this.#parts.delete(part.name);
        this.#muted.delete(part.name);
        this.#solo.delete(part.name);
        return;
      }
      this.#play(part, Math.max(from, next.atTick), to);
    } else {
      this.#play(part, from, to);
    }
  }

  /** Emit what the part's current source plays in [from, to); mute it from a cycle that throws. */
  #play(part: Part, from: number, to: number): void {
    if (!part.current || part.failed || to <= from) return;
    const { events, error } = queryUntilError(part.current, from, to);
    this.#emit(part.name, events);
    if (!error) return;
    part.failed = true;
    const err = new PartQueryError(part.name, error.cycle, error.cause, part.declaredAt);
    if (this.#opts.onPartError) this.#opts.onPartError(err);
    else this.#opts.onWarning?.(`${err.message}: muted until the set is reloaded`);
  }

  #emit(partName: string, events: SourceEvent[]): void {
    if (!events.length) return;
    if (this.#muted.has(partName) || (this.#solo.size && !this.#solo.has(partName))) return;
    for (const ev of events) {
      if (ev.value.midiport !== undefined) { // `.midi()`: sent, not played here
        this.#sendMidi(partName, ev);
        continue;
      }
      const cps = this.#cpsAtCycle(ev.cycle);
      const hit = this.#resolve(partName, ev.value, cps);
      if (hit) this.#schedule(partName, ev, hit.r, hit.cached, cps);
    }
  }

  /**
   * One event's value to the note it plays and its loaded instrument, or
   * undefined (silent, skipped or not loaded), warning once per cause.
   */
  #resolve(
    partName: string,
    value: Record<string, unknown>,
    cps: number,
  ): { r: NoteRequest; cached: CachedInstrument } | undefined {
    for (const key of Object.keys(value)) {
      if (KNOWN_CONTROLS.has(key)) continue;
      const main = CONTROL_ALIASES.get(key) ?? key;
      this.#warn(
        `control:${partName}:${main}`,
        `part "${partName}": control "${key}" is not supported (${
          unsupportedReason(key)
        }): ignored`,
      );
    }
    const r = resolveControls(value, this.#sounds, { cps });
    if (r === null) return undefined;
    if (typeof r === "string") {
      this.#warn(`part:${partName}:${r}`, `part "${partName}": ${r}: skipped`);
      return undefined;
    }
    for (const problem of r.problems) {
      this.#warn(`part:${partName}:${problem}`, `part "${partName}": ${problem}`);
    }
    const said = this.#sounds[r.sound]?.note;
    if (said) this.#warn(`sound:${r.sound}`, said);
    const cached = this.#instruments.get(r.instrument);
    if (!cached && this.#loadsOnFirstUse(this.#sounds, r.sound)) {
      this.#loadOnFirstUse(r.instrument, r.sound);
      return undefined;
    }
    if (!cached) {
      this.#warn(
        `inst:${r.instrument}`,
        `part "${partName}": instrument "${r.instrument}" (sound "${r.sound}") is not loaded: reload the set to load it`,
      );
      return undefined;
    }
    if (cached.covers && !cached.covers(r.note)) {
      this.#warn(
        `range:${r.instrument}`,
        `part "${partName}": note ${r.note} is outside the keys instrument "${r.instrument}" plays (sound "${r.sound}"): it sounds nothing`,
      );
    }
    return { r, cached };
  }

  /** Queue a part's event; `cps` is the rate at its onset ({@linkcode Session.#cpsAtCycle}). */
  #schedule(
    partName: string,
    ev: SourceEvent,
    r: NoteRequest,
    cached: CachedInstrument,
    cps: number,
  ): void {
    const clock = this.sampler.clock;
    const a = this.#anchorOfCycle(ev.cycle);
    const beat = beatInAnchor(a, ev.cycle);
    const cycles = r.duration ?? ev.cycles * r.legato;
    const offBeat = beat + Math.max(0, cycles) * a.beatsPerCycle;
    const frame = clock.beatsToFrames(beat);
    const offFrame = Math.max(frame, clock.beatsToFrames(offBeat));
    const needsCps = this.#sentCps !== undefined || r.controls.delay !== undefined ||
      r.controls.cps !== undefined;
    this.#queue(partName, r, cached, {
      frame,
      offFrame,
      beat,
      offBeat,
      cps: needsCps ? cps : undefined,
    });
  }

  /**
   * An event of `.midi()` out of its MIDI output, as @strudel/midi sends it:
   * note-on at the onset and note-off at its end (× `clip`) on `midichan`,
   * velocity `gain` × `velocity` (0.9) × 127; `ccn` with `ccv` a control
   * change, `midicmd` clock/start/stop/continue, `progNum`, `midibend`,
   * `miditouch` at the onset. The messages go straight onto the sampler's
   * event queue (frame-ordered), so every note-off sent is sent even when
   * the part is muted, removed or hushed after.
   */
  #sendMidi(partName: string, ev: SourceEvent): void {
    const v = ev.value as Record<string, unknown>;
    const warn = (what: string) =>
      this.#warn(`midi:${partName}:${what}`, `part "${partName}": ${what}: not sent`);
    let out: MidiOut;
    try {
      out = this.#midiOutput(v.midiport);
    } catch (err) {
      warn((err as Error).message);
      return;
    }
    const chan = v.midichan ?? 1;
    if (!Number.isInteger(chan) || (chan as number) < 1 || (chan as number) > 16) {
      warn(`midichan "${chan}" is not 1..16`);
      return;
    }
    const ch = chan as number;
    const clock = this.sampler.clock;
    const a = this.#anchorOfCycle(ev.cycle);
    const beat = beatInAnchor(a, ev.cycle);
    const frame = clock.beatsToFrames(beat);
    const at = { at: frame };
    const unit = (x: unknown) => Math.round(Math.min(1, Math.max(0, Number(x))) * 127);
    if (typeof v.midicmd === "string") {
      const cmd = MIDI_COMMANDS[v.midicmd];
      if (cmd === undefined) warn(`midicmd "${v.midicmd}" is not clock, start, stop or continue`);
      else out.send(cmd, 0, 0, at);
    }
    if (v.ccn !== undefined && v.ccv !== undefined) {
      const n = Number(v.ccn), x = Number(v.ccv);
      if (!Number.isInteger(n) || n < 0 || n > 127 || !(x >= 0 && x <= 1)) {
        warn(`ccn "${v.ccn}" / ccv "${v.ccv}" are not 0..127 / 0..1`);
      } else out.cc(ch, n, unit(x), at);
    }
    if (
      typeof v.progNum === "number" && Number.isInteger(v.progNum) && v.progNum >= 0 &&
      v.progNum < 128
    ) {
      out.send(0xc0 | (ch - 1), v.progNum, 0, at);
    }
    if (typeof v.midibend === "number" && Number.isFinite(v.midibend)) {
      const b = Math.round((Math.min(1, Math.max(-1, v.midibend)) + 1) * 8191.5);
      out.send(0xe0 | (ch - 1), b & 0x7f, b >> 7, at);
    }
    if (typeof v.miditouch === "number") out.send(0xd0 | (ch - 1), unit(v.miditouch), 0, at);
    if (v.note === undefined) return;
    let key: number;
    try {
      key = Math.round(typeof v.note === "string" ? noteNameToMidi(v.note) : Number(v.note));
    } catch (err) {
      warn((err as Error).message);
      return;
    }
    if (!(key >= 0 && key <= 127)) {
      warn(`note "${v.note}" is not 0..127`);
      return;
    }
    const gain = typeof v.gain === "number" ? v.gain : 1;
    const vel = typeof v.velocity === "number" ? v.velocity : 0.9;
    const velocity = Math.max(1, unit(gain * vel)); // 0 would be a note-off
    const clip = typeof v.clip === "number" ? v.clip : typeof v.legato === "number" ? v.legato : 1;
    const offFrame = Math.max(
      frame,
      clock.beatsToFrames(beat + ev.cycles * clip * a.beatsPerCycle),
    );
    out.noteOn(ch, key, velocity, at);
    out.noteOff(ch, key, { at: offFrame });
    this.notes++;
  }

  /** The output a `.midi()` event names: a name, an index in the outputs opened, or "" the default. */
  #midiOutput(port: unknown): MidiOut {
    const midi = this.sampler.midi;
    if (typeof port === "number") {
      const out = midi.outputs[port];
      if (!out) {
        throw new RangeError(
          `MIDI output index ${port} is not open (${midi.outputs.length} are: ${
            midi.outputs.map((o) => `"${o.name}"`).join(", ") || "none"
          })`,
        );
      }
      return out;
    }
    const name = typeof port === "string" && port !== "" ? port : this.#opts.midiOut ?? "midi";
    return midi.output(name);
  }

  /**
   * Send MIDI clock on `out` from now on: 24 ticks per beat of the session's
   * clock (its tempo, ramps, and Link's timeline when it follows Link), each
   * on its frame, after a start message on the next beat. `stopMidiClock`
   * ends it with a stop message.
   *
   * @param out The output the clock goes to.
   */
  startMidiClock(out: MidiOut): void {
    const beat = Math.ceil(this.sampler.clock.beatsAtFrame(this.#clockFrom()) - 1e-9);
    this.#midiClock = { out, tick: beat * 24, started: false };
  }

  /**
   * End the MIDI clock with a stop message: at the first frame not yet
   * scheduled, or at `frame` (quitting), dropping the ticks still queued
   * (those already handed to the engine before `frame` go out before it).
   *
   * @param frame Where the stop goes. @default the first frame not yet scheduled
   */
  stopMidiClock(frame?: number): void {
    const c = this.#midiClock;
    if (!c) return;
    this.#midiClock = undefined;
    if (frame !== undefined) c.out.dropQueued((status) => status === 0xf8);
    if (c.started) c.out.send(0xfc, 0, 0, { at: frame ?? this.#clockFrom() });
  }

  /** The first frame nothing has been scheduled for yet. */
  #clockFrom(): number {
    return Math.max(this.sampler.now(), this.frameOfTick(this.#cursor));
  }

  /** Clock ticks (and the start) with frames before `until`. */
  #clockTicks(until: number): void {
    const c = this.#midiClock;
    if (!c) return;
    const clock = this.sampler.clock;
    const now = this.sampler.now();
    for (;;) {
      const frame = clock.beatsToFrames(c.tick / 24);
      if (frame >= until) break;
      // a timeline that moved (Link's phase) skips ticks already past, never repeats one
      if (frame >= now && (c.lastFrame === undefined || frame > c.lastFrame)) {
        if (!c.started) {
          c.out.send(0xfa, 0, 0, { at: frame });
          c.started = true;
        }
        c.out.send(0xf8, 0, 0, { at: frame });
        c.lastFrame = frame;
      }
      c.tick++;
    }
  }

  /**
   * Play one event at a frame, outside the parts: what an OSC input
   * (lib/osc/input.ts) plays. The value goes through the same resolution as
   * a part's event (sound names, controls, units, ranges, warnings, under
   * the part name given); the note is queued and released to the engine by
   * the next {@linkcode Session.advance} (or {@linkcode Session.releaseDue})
   * that passes its frame. A frame already passed plays at once (the engine
   * counts it late).
   *
   * @param partName Name warnings and scheduled notes carry (not a part of the set).
   * @param value The event's controls, superdough's names and units.
   * @param frame Note-on frame, >= 0.
   * @param seconds How long the note is held (a sample without clip, legato or
   *   duration plays whole, as in a part).
   * @param cps Cycles per second of the sender (tremolosync, unit "c", delay sync).
   * @returns The note queued; undefined when the event is silent or skipped (warned),
   *   or its instrument is not loaded yet ({@linkcode Session.loadSoundOf} first).
   */
  playAt(
    partName: string,
    value: Record<string, unknown>,
    frame: number,
    seconds: number,
    cps: number,
  ): ScheduledNote | undefined {
    const hit = this.#resolve(partName, value, cps);
    if (!hit) return undefined;
    const clock = this.sampler.clock;
    const held = hit.r.duration !== undefined ? hit.r.duration / cps : seconds;
    const offFrame = frame + Math.max(0, Math.round(held * clock.sampleRate));
    return this.#queue(partName, hit.r, hit.cached, {
      frame,
      offFrame,
      beat: clock.beatsAtFrame(frame),
      offBeat: clock.beatsAtFrame(offFrame),
      cps,
    });
  }

  /**
   * Load the instrument an event's value plays, if it is not loaded yet (a
   * sound no part played so far: {@linkcode Session.playAt}'s events).
   *
   * @param value The event's controls.
   * @returns undefined when the instrument is ready (or the event is silent), else why not.
   * @throws {InstrumentDefinitionError} when the instrument cannot be loaded.
   */
  async loadSoundOf(value: Record<string, unknown>): Promise<string | undefined> {
    const r = resolveControls(value, this.#sounds);
    if (r === null) return undefined;
    if (typeof r === "string") return r;
    if (this.#instruments.has(r.instrument)) return undefined;
    const cached = await this.#opts.instruments.get(r.instrument, (old) => this.#retire(old));
    this.#instruments.set(r.instrument, cached);
    return undefined;
  }

  /**
   * The instrument an event's value plays when it is not loaded yet.
   *
   * @param value The event's controls.
   * @returns Its name, or undefined when it is loaded (or the event plays nothing).
   */
  soundToLoad(value: Record<string, unknown>): string | undefined {
    const r = resolveControls(value, this.#sounds);
    if (r === null || typeof r === "string") return undefined;
    return this.#instruments.has(r.instrument) ? undefined : r.instrument;
  }

  /**
   * Whether a sound name is known: the shipped names, the set's, its packs'.
   *
   * @param sound A sound name as in `s` (":n" and letter case as resolveControls takes them).
   * @returns true when an event naming it resolves to an instrument.
   */
  hasSound(sound: string): boolean {
    const name = sound.split(":")[0]!;
    return (this.#sounds[name] ?? this.#sounds[name.toLowerCase()]) !== undefined;
  }

  /**
   * Whether a sound name plays pitched notes (an instrument over the keys, a
   * synth) rather than drum keys or sample files.
   *
   * @param sound A sound name as in `s` (":n" and letter case as resolveControls takes them).
   * @returns false for an unknown name.
   */
  isPitchedSound(sound: string): boolean {
    const name = sound.split(":")[0]!;
    const map = this.#sounds[name] ?? this.#sounds[name.toLowerCase()];
    return map !== undefined && !map.keys?.length && !map.variants?.length;
  }

  /**
   * Release to the engine every queued note up to what is already scheduled
   * (the frames {@linkcode Session.advance} covered), without querying the
   * parts: an OSC input's events reach the ring at once.
   *
   * @returns Notes released.
   */
  releaseDue(): number {
    return this.#release(Math.max(0, this.frameOfTick(this.#cursor) - 1));
  }

  /** Queue a resolved note's on and off on their frames. */
  #queue(
    partName: string,
    r: NoteRequest,
    cached: CachedInstrument,
    at: {
      frame: number;
      offFrame: number;
      beat: number;
      offBeat: number;
      cps?: number | undefined;
    },
  ): ScheduledNote {
    const clock = this.sampler.clock;
    const rate = clock.sampleRate;
    const { frame, beat, offBeat } = at;
    let offFrame = at.offFrame;
    if (r.whole && r.controls.unit === undefined) { // superdough plays a sample whole
      const seconds = cached.playSeconds?.(r.note, r.tuneCents);
      const part = (r.controls.end ?? 1) - r.begin;
      if (seconds) offFrame = Math.max(offFrame, frame + Math.ceil(seconds * part * rate));
    }
    let offset = 0;
    if (r.begin > 0) {
      const frames = cached.framesForKey(r.note);
      if (frames) offset = Math.min(frames - 1, Math.round(r.begin * frames));
    }
    const note: ScheduledNote = {
      part: partName,
      sound: r.sound,
      instrument: r.instrument,
      note: r.note,
      velocity: r.velocity,
      frame,
      offFrame,
      beat,
      offBeat,
      gainDb: r.gainDb,
      pan: r.pan,
      tuneCents: r.tuneCents,
      offset,
    };
    if (Object.keys(r.controls).length) {
      if (r.controls.accelerate !== undefined) {
        // accelerate reaches speed × (1 + accelerate) at the note's end
        r.controls.duration = Math.min(3600, (offFrame - frame) / rate);
      }
      note.controls = r.controls as Controls;
      if (at.cps !== undefined) this.#syncCps(at.cps, frame);
    }
    const inst = cached.instrument;
    if (r.cut !== undefined) {
      const prev = this.#cut.get(r.cut);
      if (prev && prev.note.offFrame > frame) {
        this.#pending.push({
          frame,
          kind: 0,
          part: prev.note.part,
          inst: prev.inst,
          note: prev.note,
        });
      }
      this.#cut.set(r.cut, { inst, note });
    }
    this.#pending.push({ frame, kind: 1, part: partName, inst, note });
    this.#pending.push({ frame: offFrame, kind: 0, part: partName, inst, note });
    const last = this.#lastFrame.get(inst) ?? 0;
    if (offFrame > last) this.#lastFrame.set(inst, offFrame);
    return note;
  }

  /** Cycles per second at a cycle position (the tempo there over the beats per cycle). */
  #cpsAtCycle(cycle: number): number {
    const a = this.#anchorOfCycle(cycle);
    return this.sampler.clock.bpmAt(beatInAnchor(a, cycle)) / 60 / a.beatsPerCycle;
  }

  /** The anchor in force at a cycle position (an event's start, in cycles). */
  #anchorOfCycle(cycle: number): Anchor {
    return this.#anchorAt(Math.floor(cycle * TICKS_PER_CYCLE + 1e-6));
  }

  /**
   * Keep the engine's cycle rate (delay sync) equal to the session's: sent at
   * the first note that uses an orbit delay or the tempo, and again at any
   * later note where it changed. `cps` is the rate at the note (undefined
   * when nothing needs it yet).
   */
  #syncCps(cps: number, frame: number): void {
    if (this.#sentCps !== undefined && Math.abs(cps - this.#sentCps) < 1e-12) return;
    this.sampler.setCyclesPerSecond(cps, frame);
    this.#sentCps = cps;
  }

  #release(before: number): number {
    const due: Pending[] = [];
    let w = 0;
    for (const p of this.#pending) {
      if (p.frame < before) due.push(p);
      else this.#pending[w++] = p;
    }
    this.#pending.length = w;
    if (!due.length) return 0;
    due.sort((a, b) =>
      a.frame - b.frame || a.kind - b.kind || (a.part < b.part ? -1 : a.part > b.part ? 1 : 0) ||
      a.note.note - b.note.note || a.inst.id - b.inst.id || a.note.velocity - b.note.velocity
    );
    let n = 0;
    for (const p of due) {
      if (!p.inst.alive) continue;
      const ev = p.note;
      if (p.kind === 1) {
        const opts: NoteOnOptions = {
          at: p.frame,
          gainDb: ev.gainDb,
          pan: ev.pan,
          tuneCents: ev.tuneCents,
          offset: ev.offset,
        };
        if (ev.controls) opts.controls = ev.controls;
        p.inst.noteOn(ev.note, ev.velocity, opts);
        this.notes++;
        n++;
        this.#opts.onNote?.(ev);
      } else {
        p.inst.noteOff(ev.note, { at: p.frame });
      }
    }
    this.#released = Math.max(this.#released, before);
    return n;
  }
}

/** `midicmd` names and their status bytes. */
const MIDI_COMMANDS: Record<string, number> = {
  clock: 0xf8,
  start: 0xfa,
  continue: 0xfb,
  stop: 0xfc,
};

/** Events as text: equal text = same music. */
function printOf(events: SourceEvent[]): string {
  return JSON.stringify(events.map((e) => [e.cycle, e.cycles, e.value]));
}

/** The fingerprint of a source's first cycles from `tick`, or null when its query throws. */
function fingerprintOrNull(source: Source, tick: number): string | null {
  const { events, error } = firstCycles(source, tick);
  return error ? null : printOf(events);
}

/**
 * A part's first cycles from `tick`, as a reload looks at them (does it
 * throw, which sounds it needs, has it changed): FINGERPRINT_CYCLES cycles,
 * or fewer whole ones (at least one) once FINGERPRINT_EVENTS events are in,
 * so a very dense part (thousands of notes a cycle) does not stall the reload
 * and the music with it. Stops at the first cycle that throws.
 */
function firstCycles(
  source: Source,
  tick: number,
): { events: SourceEvent[]; error?: { cycle: number; cause: unknown } } {
  const events: SourceEvent[] = [];
  for (let c = 0; c < FINGERPRINT_CYCLES; c++) {
    const r = queryUntilError(source, tick + c * TICKS_PER_CYCLE, tick + (c + 1) * TICKS_PER_CYCLE);
    for (const e of r.events) events.push(e);
    if (r.error) return { events, error: r.error };
    if (events.length >= FINGERPRINT_EVENTS) break;
  }
  return { events };
}

/**
 * Events of a source in [from, to) ticks. When the query throws, the span is
 * queried again cycle by cycle: the events of the cycles before the first
 * one that throws, and that cycle with what it threw.
 */
function queryUntilError(
  source: Source,
  from: number,
  to: number,
): { events: SourceEvent[]; error?: { cycle: number; cause: unknown } } {
  try {
    return { events: source.query(from, to) };
  } catch (whole) {
    const events: SourceEvent[] = [];
    for (let a = from; a < to;) {
      const cycle = Math.floor(a / TICKS_PER_CYCLE);
      const b = Math.min(to, (cycle + 1) * TICKS_PER_CYCLE);
      try {
        events.push(...source.query(a, b));
      } catch (cause) {
        return { events, error: { cycle, cause } };
      }
      a = b;
    }
    // only the whole span throws: report it at its start, with nothing played
    return { events: [], error: { cycle: Math.floor(from / TICKS_PER_CYCLE), cause: whole } };
  }
}
