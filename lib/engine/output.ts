/**
 * Live output: the sampler playing through ALSA or JACK in real time, with
 * TypeScript scheduling ahead of the render thread.
 *
 * Thread: CT. The engine renders on its own thread (ALSA) or in JACK's
 * process callback; nothing here runs there. A timer (the pump) wakes every
 * `pumpIntervalMs` and sends the events due before `now + lookahead` into
 * the engine's ring, then does the engine's housekeeping (collect). The pump
 * never blocks: it only pushes what is due and returns. Events already in
 * the ring play on their frame whatever JavaScript does meanwhile, so a
 * garbage-collection pause shorter than the look-ahead costs nothing.
 *
 * Errors: opening or starting fails with a typed error (DeviceError names
 * the device; `code` tells missing, busy and no-server apart). Real-time
 * permission denied is not a failure: audio plays at normal priority and the
 * RtPermissionError is kept in `warnings` (and sent as a "warning" event).
 * A device that fails while running (JACK server gone, ALSA device lost) is
 * sent as an "error" event and stops the pump.
 *
 * @module
 */
import { z } from "zod";
import { BACKEND, OUTPUT, PCM } from "../ffi/layout.ts";
import {
  NativeOutput,
  type OutputConfigRecord,
  type OutputInfoRecord,
  probeOutputRate,
} from "../ffi/native_output.ts";
import { EngineStateError, MidiSamplerError, RtPermissionError } from "../errors.ts";
import { parseOptions } from "./options.ts";
import { RenderFile } from "./render_file.ts";
import type { SamplerCore } from "./sampler_core.ts";

const deviceName = z.string().refine((s) => new TextEncoder().encode(s).length <= 103, {
  message: "must be at most 103 bytes",
});

/** Options of `Sampler.startOutput` / `openOutput` (and the device part of `openForOutput`). */
export const OutputOptionsSchema = z.strictObject({
  /** "jack" when a server runs, else "alsa" ("default" device). @default "auto" */
  backend: z.enum(["auto", "alsa", "jack"]).default("auto"),
  /** ALSA PCM name, or the JACK client name. @default "default" (ALSA), "midi-sampler" (JACK) */
  device: deviceName.optional(),
  /** ALSA period in frames, 16..8192 (JACK uses the server's). @default 128 */
  periodFrames: z.number().int().min(16).max(8192).default(128),
  /** ALSA periods per buffer, 2..32. @default 2 */
  periods: z.number().int().min(2).max(32).default(2),
  /**
   * SCHED_FIFO priority of the render thread, 0..99; 0 keeps normal priority
   * and leaves the engine's memory unlocked. When denied, audio plays anyway
   * and `warnings` says why. JACK's process thread takes the server's priority.
   * @default 80
   */
  rtPriority: z.number().int().min(0).max(99).default(80),
  /** ALSA sample format: "auto" is float when the device takes it, else s32, else s16. @default "auto" */
  pcmFormat: z.enum(["auto", "float", "s32", "s16"]).default("auto"),
  /** JACK: connect to the system playback ports. @default true */
  connect: z.boolean().default(true),
  /** JACK: also register a MIDI input port "midi_in", read by the render thread (see sampler.midi). @default false */
  midiIn: z.boolean().default(false),
  /** How far ahead of the render position events are sent, ms, 1..60000. @default 100 */
  lookaheadMs: z.number().min(1).max(60000).default(100),
  /** How often the pump sends events and collects, ms, 1..1000. @default 10 */
  pumpIntervalMs: z.number().min(1).max(1000).default(10),
});

/** What `Sampler.startOutput` accepts. */
export type OutputOptions = z.input<typeof OutputOptionsSchema>;
/** `OutputOptions` with defaults filled in. */
export type ResolvedOutputOptions = z.output<typeof OutputOptionsSchema>;

/** What the device actually gave (ms_output_info_t, refreshed). */
export interface OutputInfo {
  /** The backend in use (never "auto"). */
  backend: "alsa" | "jack";
  /** ALSA device or JACK client name in use. */
  device: string;
  sampleRate: number;
  /** Frames per period (ALSA) or per JACK callback. */
  periodFrames: number;
  periods: number;
  /** Output latency obtained, frames. */
  latencyFrames: number;
  /** The same in milliseconds. */
  latencyMs: number;
  /** ALSA sample format in use ("float" for JACK). */
  pcmFormat: "float" | "s32" | "s16";
  /** Scheduling policy of the render thread, read back. */
  schedPolicy: "fifo" | "rr" | "other" | "unknown";
  schedPriority: number;
  /** True when the render thread runs SCHED_FIFO or SCHED_RR. */
  realtime: boolean;
  running: boolean;
}

const PCM_NAMES = { [PCM.FLOAT]: "float", [PCM.S32]: "s32", [PCM.S16]: "s16" } as const;
const POLICY_NAMES: Record<number, OutputInfo["schedPolicy"]> = { 0: "other", 1: "fifo", 2: "rr" };

/** Turn the engine's ms_output_info_t into an {@linkcode OutputInfo}. */
export function toOutputInfo(r: OutputInfoRecord): OutputInfo {
  const policy = POLICY_NAMES[r.sched_policy] ?? "unknown";
  return {
    backend: r.backend === BACKEND.JACK ? "jack" : "alsa",
    device: r.device,
    sampleRate: r.sample_rate,
    periodFrames: r.period_frames,
    periods: r.periods,
    latencyFrames: r.latency_frames,
    latencyMs: r.sample_rate ? r.latency_frames * 1000 / r.sample_rate : 0,
    pcmFormat: PCM_NAMES[r.pcm_format as keyof typeof PCM_NAMES] ?? "float",
    schedPolicy: policy,
    schedPriority: r.sched_priority,
    realtime: policy === "fifo" || policy === "rr",
    running: r.running !== 0,
  };
}

/** The ms_output_config_t for resolved options. */
export function toOutputConfig(o: ResolvedOutputOptions): OutputConfigRecord {
  return {
    backend: o.backend === "jack"
      ? BACKEND.JACK
      : o.backend === "alsa"
      ? BACKEND.ALSA
      : BACKEND.AUTO,
    period_frames: o.periodFrames,
    periods: o.periods,
    rt_priority: o.rtPriority,
    pcm_format: o.pcmFormat === "float"
      ? PCM.FLOAT
      : o.pcmFormat === "s32"
      ? PCM.S32
      : o.pcmFormat === "s16"
      ? PCM.S16
      : PCM.AUTO,
    flags: (o.connect ? 0 : OUTPUT.NO_CONNECT) | (o.midiIn ? OUTPUT.MIDI_IN : 0),
    device: o.device ?? "",
  };
}

/**
 * Validate output options.
 *
 * @param options What the caller passed.
 * @param action Message head.
 * @returns The options with defaults.
 * @throws {RangeError} naming the first bad option.
 */
export function parseOutputOptions(
  options: OutputOptions | undefined,
  action = "Cannot open audio output",
): ResolvedOutputOptions {
  return parseOptions(OutputOptionsSchema, options ?? {}, action);
}

/**
 * The sample rate the chosen backend runs at (the JACK server's, or the ALSA
 * device's nearest to 48000), without opening it for playback.
 *
 * @param options Backend and device (other fields are ignored).
 * @returns Hz.
 * @throws {RangeError} for bad options.
 * @throws {DeviceError} when the device is missing or busy, or no JACK server runs.
 */
export function probeRate(options: OutputOptions = {}): number {
  const o = parseOutputOptions(options, "Cannot probe the output rate");
  return probeOutputRate(toOutputConfig(o));
}

/** Events a LiveOutput sends: "warning" (non-fatal) and "error" (the device failed while running). */
export interface LiveOutputEventMap {
  warning: CustomEvent<MidiSamplerError>;
  error: CustomEvent<MidiSamplerError>;
}

/**
 * A sampler's live output: an open device, the pump that feeds it, and what
 * was obtained. Get one from `sampler.startOutput()` (opened and started)
 * or `sampler.openOutput()` (call `start()` yourself, e.g. after adding
 * listeners). `using` (or `close()`) stops the audio and closes the device.
 *
 * @example
 * ```ts ignore
 * import { Sampler } from "../mod.ts";
 * using sampler = Sampler.openForOutput({ backend: "jack" });
 * // ... create instruments, schedule notes from frame 0 ...
 * using out = sampler.startOutput({ backend: "jack", lookaheadMs: 100 });
 * console.log(`${out.info.latencyMs.toFixed(1)} ms`, out.warnings.map((w) => w.message));
 * ```
 */
export class LiveOutput extends EventTarget implements Disposable {
  /** The options in force (defaults filled in). */
  readonly options: Readonly<ResolvedOutputOptions>;
  /** Look-ahead in frames at the sampler's rate. */
  readonly lookaheadFrames: number;
  readonly #core: SamplerCore;
  #native: NativeOutput;
  #timer: ReturnType<typeof setInterval> | undefined;
  #started = false;
  #warnings: MidiSamplerError[] = [];
  #failure: MidiSamplerError | undefined;
  #lastRefresh = 0;
  #onStop: (() => void) | undefined;

  private constructor(core: SamplerCore, native: NativeOutput, options: ResolvedOutputOptions) {
    super();
    this.#core = core;
    this.#native = native;
    this.options = Object.freeze({ ...options });
    this.lookaheadFrames = Math.max(
      1,
      Math.round(options.lookaheadMs * core.native.config.sample_rate / 1000),
    );
  }

  /**
   * @internal Open the device for a sampler (Sampler.openOutput calls this).
   * @param onClose Called once when the output closes (the sampler forgets it).
   */
  static open(core: SamplerCore, options: OutputOptions = {}, onClose?: () => void): LiveOutput {
    const o = parseOutputOptions(options);
    const native = NativeOutput.open(core.native, toOutputConfig(o));
    const out = new LiveOutput(core, native, o);
    out.#onStop = onClose;
    core.closables.add(out);
    return out;
  }

  /** Non-fatal problems so far (RtPermissionError: RT priority or memory locking denied). */
  get warnings(): readonly MidiSamplerError[] {
    return this.#warnings;
  }

  /** The failure that stopped the pump while running, if any. */
  get failure(): MidiSamplerError | undefined {
    return this.#failure;
  }

  /**
   * True from start() to stop() or close(): the render thread may be running
   * (even after a failure stopped the pump), so the sampler cannot render offline.
   */
  get running(): boolean {
    return this.#started;
  }

  /** True until closed. */
  get open(): boolean {
    return this.#native.open;
  }

  /**
   * What was obtained (refreshed from the engine: latency, period, thread policy).
   *
   * @throws {EngineStateError} when the output is closed.
   */
  get info(): OutputInfo {
    const { info, error } = this.#native.info();
    if (error) this.#fail(error);
    return toOutputInfo(info);
  }

  /**
   * Start playing: send the events due within the look-ahead, start the
   * device, then the pump. With `rtPriority` > 0 it first asks the engine
   * for real-time operation (locks its memory).
   *
   * @returns The non-fatal warnings of this start (also in `warnings`).
   * @throws {EngineStateError} when already running, closed, or a render file is open.
   * @throws {DeviceError} when the device fails to start.
   */
  start(): readonly MidiSamplerError[] {
    const action = "Cannot start audio output";
    if (this.running) {
      throw new EngineStateError(`${action}: it is already running`, {
        hint: "Stop it first with output.stop()",
      });
    }
    this.#core.native.assertAlive(action);
    for (const c of this.#core.closables) {
      if (c instanceof RenderFile) {
        throw new EngineStateError(`${action}: a render file is open on this sampler`, {
          hint:
            "Close the render file first: live output and offline rendering cannot share a sampler",
        });
      }
    }
    const found: MidiSamplerError[] = [];
    if (this.options.rtPriority > 0) {
      const w = this.#core.native.enableRt(this.options.rtPriority);
      if (w instanceof RtPermissionError) found.push(w);
    }
    this.#tick(false);
    const w = this.#native.start();
    if (w) {
      const i = found.findIndex((f) => f.code === w.code);
      if (i >= 0) found.splice(i, 1);
      found.push(w);
    }
    this.#started = true;
    this.#failure = undefined;
    this.#lastRefresh = performance.now();
    this.#timer = setInterval(() => this.#tick(true), this.options.pumpIntervalMs);
    for (const f of found) {
      this.#warnings.push(f);
      this.dispatchEvent(new CustomEvent("warning", { detail: f }));
    }
    return found;
  }

  /**
   * Send the events due within the look-ahead now (the pump does this every
   * `pumpIntervalMs`; call it after scheduling something urgent). Events
   * without a time (`noteOn(n, v)`) sound in the next block after this.
   */
  pump(): void {
    this.#tick(false);
  }

  #tick(fromTimer: boolean): void {
    try {
      const native = this.#core.native;
      if (!native.alive) return this.#stopPump();
      this.#core.pump(native.now() + this.lookaheadFrames);
      if (!fromTimer) return;
      native.collect();
      const t = performance.now();
      if (t - this.#lastRefresh >= 250) {
        this.#lastRefresh = t;
        const { error } = this.#native.info();
        if (error) this.#fail(error);
      }
    } catch (err) {
      if (!fromTimer) throw err;
      this.#fail(
        err instanceof MidiSamplerError
          ? err
          : new MidiSamplerError(`Cannot send events to the audio output: ${String(err)}`, "PUMP", {
            cause: err,
          }),
      );
    }
  }

  #fail(err: MidiSamplerError): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#stopPump();
    this.dispatchEvent(new CustomEvent("error", { detail: err }));
  }

  #stopPump(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Stop the audio (join the render thread / deactivate the JACK client).
   * Events not yet sent stay queued for a later start. Idempotent.
   */
  stop(): void {
    this.#stopPump();
    if (this.#native.open) this.#native.stop();
    this.#started = false;
  }

  /** Stop and close the device. Idempotent; the sampler stays usable (offline too). */
  close(): void {
    this.#stopPump();
    this.#core.closables.delete(this);
    if (this.#native.open) this.#native.close();
    this.#started = false;
    const cb = this.#onStop;
    this.#onStop = undefined;
    cb?.();
  }

  /** Same as {@linkcode LiveOutput.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  override addEventListener<K extends keyof LiveOutputEventMap>(
    type: K,
    listener: (ev: LiveOutputEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listen for "warning" and "error" (each a CustomEvent whose `detail` is the error). */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((ev: CustomEvent) => void),
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }
}
