/**
 * Thin handles over libmidisampler: the only code that holds engine pointers.
 *
 * Thread: CT (Deno's JavaScript thread) for every call here. Each method makes
 * one or a few FFI calls and turns a negative status into a typed error
 * (lib/errors.ts) with the engine's own detail message. Handles check
 * that their sampler is still open, so a use after close is an
 * EngineStateError rather than a crash. No scheduling or policy lives here:
 * that is lib/engine.
 *
 * @module
 */
import { ensureLibrary } from "./build.ts";
import {
  AUDIO_CONFIG,
  decodeStruct,
  encodeStruct,
  FIELD_INFO,
  readCString,
  SAMPLE_INFO,
  STATS,
  ZONE,
} from "./layout.ts";
import type { StatsField, ZoneRecord } from "./layout.ts";
import {
  STATS_AWAKE_INDEX,
  STATS_FIELDS,
  STATS_HIST_BUCKETS,
  STATS_HIST_INDEX,
  STATS_ORBIT_PEAK_INDEX,
  STATS_ORBITS,
  STATS_OUTPUT_PEAK_INDEX,
} from "./layout.ts";
import { type EngineSymbols, SYMBOLS } from "./symbols.ts";
import { EngineLibraryError, EngineStateError, errorFromCode, OutputFileError } from "../errors.ts";

let library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/**
 * The engine's symbols, opening (and if needed building) the library on first use.
 *
 * @returns The symbol table.
 * @throws {EngineLibraryError} when the library cannot be found, built or opened.
 */
export function engine(): EngineSymbols {
  if (library) return library.symbols;
  const path = ensureLibrary();
  try {
    library = Deno.dlopen(path, SYMBOLS);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new EngineLibraryError(
      `Cannot open the engine library "${path}": ${msg}`,
      {
        hint: msg.includes("symbol")
          ? "The library is older than lib/ffi/symbols.ts: rebuild it with: deno task build"
          : "Check that it is a libmidisampler build for this machine: deno task build",
        cause: err,
      },
    );
  }
  return library.symbols;
}

/**
 * Static engine text for a status code (ms_strerror).
 *
 * @param code A status code.
 * @returns The engine's text, e.g. "ring full".
 */
export function strerror(code: number): string {
  const p = engine().ms_strerror(code);
  return p ? Deno.UnsafePointerView.getCString(p) : "unknown error";
}

/** The engine's version as "major.minor.patch". */
export function engineVersion(): string {
  const v = engine().ms_version();
  return `${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** One row of the engine's field tables (ms_field_info_t, decoded). */
export interface FieldInfo {
  name: string;
  unit: string;
  defaultValue: number;
  min: number;
  max: number;
  /** With FIELD.EXTRA in flags: one more accepted value. */
  extra: number;
  /** Byte offset in the struct, or the MS_PARAM_* number. */
  id: number;
  /** FIELD.U8 / U32 / F32. */
  type: number;
  /** FIELD.ENUM | EXTRA | PER_SAMPLE. */
  flags: number;
}

/**
 * Every row of one of the engine's field tables (ms_field_info), in order.
 *
 * @param table `FIELDS.ZONE`, `FIELDS.NOTE` or `FIELDS.PARAM`.
 * @returns The rows.
 */
export function fieldTable(table: number): FieldInfo[] {
  const out: FieldInfo[] = [];
  const buf = new Uint8Array(FIELD_INFO.size);
  for (let i = 0; engine().ms_field_info(table, i, buf) === 0; i++) {
    const f = decodeStruct(FIELD_INFO, buf);
    out.push({
      name: readCString(buf, FIELD_INFO.fields.name),
      unit: readCString(buf, FIELD_INFO.fields.unit),
      defaultValue: f.default_value,
      min: f.min,
      max: f.max,
      extra: f.extra,
      id: f.id,
      type: f.type,
      flags: f.flags,
    });
  }
  return out;
}

const encoder = new TextEncoder();

function cString(s: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(s).length + 1);
  encoder.encodeInto(s, bytes);
  return bytes;
}

/** Detail message of the last failure on `ptr` (null: this thread's last failure). */
function lastMessage(ptr: Deno.PointerValue): string {
  const sym = engine();
  const buf = new Uint8Array(512);
  const len = sym.ms_error_message(ptr, buf, buf.length);
  const end = Math.min(len, buf.length - 1);
  return new TextDecoder().decode(buf.subarray(0, end));
}

/** Throw the typed error for a negative status; `action` is the fallback message head. */
function check(code: number, ptr: Deno.PointerValue, action: string): void {
  if (code >= 0) return;
  const detail = lastMessage(ptr);
  throw errorFromCode(code, detail || `${action}: ${strerror(code)}`);
}

function outPointer(): { bytes: Uint8Array<ArrayBuffer>; get(): Deno.PointerValue } {
  const cell = new BigUint64Array(1);
  return {
    bytes: new Uint8Array(cell.buffer),
    get: () => Deno.UnsafePointer.create(cell[0]!),
  };
}

/** Effective sampler configuration, C field names. */
export type AudioConfigRecord = { -readonly [K in keyof typeof AUDIO_CONFIG.fields]: number };

/** Facts about a loaded sample, C field names. */
export type SampleInfoRecord = { -readonly [K in keyof typeof SAMPLE_INFO.fields]: number };

/** An open `ms_sampler_t`. */
export class NativeSampler {
  #ptr: Deno.PointerValue;
  #stats: BigUint64Array;
  #pushed = new Uint32Array(1);
  #scratch = new Uint8Array(AUDIO_CONFIG.size);
  /** loadSampleAsync calls still decoding on helper threads. */
  #pending = 0;
  /** Destroyed while decodes ran: freed when the last one returns. */
  #doomed: Deno.PointerValue = null;
  /** The configuration in force (defaults filled in by the engine). */
  readonly config: Readonly<AudioConfigRecord>;

  private constructor(ptr: Deno.PointerValue) {
    this.#ptr = ptr;
    const sym = engine();
    const statsPtr = sym.ms_sampler_stats_ptr(ptr);
    if (!statsPtr) {
      sym.ms_sampler_destroy(ptr);
      throw new EngineLibraryError(
        "Cannot open sampler: the engine returned no stats block",
        { hint: "Rebuild the engine: deno task build" },
      );
    }
    this.#stats = new BigUint64Array(
      Deno.UnsafePointerView.getArrayBuffer(statsPtr, STATS.size),
    );
    check(sym.ms_sampler_get_config(ptr, this.#scratch), ptr, "Cannot read sampler config");
    this.config = decodeStruct(AUDIO_CONFIG, this.#scratch);
  }

  /**
   * ms_sampler_create.
   *
   * @param config ms_audio_config_t fields; 0 or missing take the engine default.
   * @returns The open sampler.
   * @throws {MidiSamplerError} EngineRangeError, OutOfMemoryError, EngineLibraryError.
   */
  static create(config: Partial<AudioConfigRecord>): NativeSampler {
    const sym = engine();
    const bytes = new Uint8Array(AUDIO_CONFIG.size);
    encodeStruct(AUDIO_CONFIG, bytes, config);
    const out = outPointer();
    check(sym.ms_sampler_create(bytes, out.bytes), null, "Cannot open sampler");
    return new NativeSampler(out.get());
  }

  /** ms_sampler_set_sample_bits: width of samples loaded from now on (16 or 32). */
  setSampleBits(bits: 16 | 32): void {
    const ptr = this.assertAlive("Cannot set the sample width");
    check(engine().ms_sampler_set_sample_bits(ptr, bits), ptr, "Cannot set the sample width");
  }

  /** True until destroy(). */
  get alive(): boolean {
    return this.#ptr !== null;
  }

  /** Throw EngineStateError if destroyed; `what` names the attempted action. */
  assertAlive(what: string): Deno.PointerValue {
    if (this.#ptr === null) {
      throw new EngineStateError(`${what}: the sampler is closed`, {
        hint: "Open a new sampler with Sampler.open()",
      });
    }
    return this.#ptr;
  }

  /**
   * ms_sampler_destroy; idempotent. Every handle of this sampler becomes
   * dead at once; while loadSampleAsync decodes are running, the engine
   * object is freed when the last one returns.
   */
  destroy(): void {
    if (this.#ptr === null) return;
    const p = this.#ptr;
    this.#ptr = null;
    // the stats view points into freed memory from here on
    this.#stats = new BigUint64Array(STATS.size / 8);
    if (this.#pending > 0) {
      this.#doomed = p;
      engine().ms_midi_wake(p); // a pending ms_midi_wait returns at once
    } else {
      engine().ms_sampler_destroy(p);
    }
  }

  /**
   * @internal Keep the C sampler alive until `call`, a nonblocking FFI call on
   * it (ms_midi_wait), settles: destroy() then frees it when the last returns.
   */
  async holdWhile<T>(call: Promise<T>): Promise<T> {
    this.#pending++;
    try {
      return await call;
    } finally {
      if (--this.#pending === 0 && this.#doomed !== null) {
        const doomed = this.#doomed;
        this.#doomed = null;
        engine().ms_sampler_destroy(doomed);
      }
    }
  }

  /** One stats counter, read from the live block (no FFI call). */
  stat(field: StatsField): number {
    return Number(this.#stats[STATS_FIELDS.indexOf(field)]!);
  }

  /** frames_rendered: the engine's "now" (no FFI call). */
  now(): number {
    return Number(this.#stats[2]!);
  }

  /** Copy of every counter, from the live block (no FFI call). */
  statsSnapshot(): Record<StatsField, number> {
    const out = {} as Record<StatsField, number>;
    STATS_FIELDS.forEach((name, i) => out[name] = Number(this.#stats[i]!));
    return out;
  }

  /** Copy of the render-time histogram (ms_stats_t.render_ns_hist), no FFI call. */
  renderHistogram(): number[] {
    const out: number[] = [];
    for (let i = 0; i < STATS_HIST_BUCKETS; i++) {
      out.push(Number(this.#stats[STATS_HIST_INDEX + i]!));
    }
    return out;
  }

  /**
   * The meters (ms_stats_t: orbits_awake, output_peak_ppm, orbit_peak_ppm),
   * read from the live block (no FFI call): peaks as linear amplitudes
   * (1 = 0 dBFS), held and falling 20 dB per second.
   */
  meters(): { awake: number; output: number; orbits: number[] } {
    const orbits: number[] = [];
    for (let k = 0; k < STATS_ORBITS; k++) {
      orbits.push(Number(this.#stats[STATS_ORBIT_PEAK_INDEX + k]!) * 1e-6);
    }
    return {
      awake: Number(this.#stats[STATS_AWAKE_INDEX]!),
      output: Number(this.#stats[STATS_OUTPUT_PEAK_INDEX]!) * 1e-6,
      orbits,
    };
  }

  /** ms_process: render `frames` frames into `out` (frames * channels floats). */
  process(out: Float32Array<ArrayBuffer>, frames: number): void {
    const p = this.assertAlive("Cannot render audio");
    check(engine().ms_process(p, out, frames), p, "Cannot render audio");
  }

  /** ms_set_cps_at: the tempo in cycles per second from `frame` on (delay sync). */
  setCpsAt(frame: number, cps: number): void {
    const p = this.assertAlive("Cannot set the cycle rate");
    const f = frame < 0 ? 0xffffffffffffffffn : BigInt(Math.round(frame));
    check(engine().ms_set_cps_at(p, f, cps), p, "Cannot set the cycle rate");
  }

  /** ms_orbit_prepare: allocate orbit `orbit`'s delay and reverb memory now. */
  orbitPrepare(orbit: number): void {
    const p = this.assertAlive(`Cannot prepare orbit ${orbit}`);
    check(engine().ms_orbit_prepare(p, orbit), p, `Cannot prepare orbit ${orbit}`);
  }

  /** ms_orbits_awake: bit k set while orbit k has input or a tail. */
  orbitsAwake(): number {
    const p = this.assertAlive("Cannot read orbits");
    return engine().ms_orbits_awake(p) as number;
  }

  /** ms_sampler_collect. */
  collect(): void {
    const p = this.assertAlive("Cannot collect engine garbage");
    check(engine().ms_sampler_collect(p), p, "Cannot collect engine garbage");
  }

  /**
   * ms_push_events: push `count` records from `records`.
   *
   * @returns How many went in; fewer than `count` when the ring filled (the rest were dropped and counted).
   * @throws {MidiSamplerError} for any failure other than a full ring.
   */
  pushEvents(records: Uint8Array<ArrayBuffer>, count: number): number {
    const p = this.assertAlive("Cannot send events");
    this.#pushed[0] = 0;
    const rc = engine().ms_push_events(p, records, count, this.#pushed);
    if (rc === -6) return this.#pushed[0]!;
    check(rc, p, "Cannot send events");
    return count;
  }

  /** ms_sampler_set_interpolation. */
  setInterpolation(mode: number): void {
    const p = this.assertAlive("Cannot set interpolation");
    check(engine().ms_sampler_set_interpolation(p, mode), p, "Cannot set interpolation");
  }

  /**
   * ms_sampler_enable_rt. Non-fatal failures come back as the error instead of being thrown.
   *
   * @returns undefined on success, else the RtPermissionError to report.
   */
  enableRt(priority: number): Error | undefined {
    const p = this.assertAlive("Cannot enable real-time operation");
    const rc = engine().ms_sampler_enable_rt(p, priority);
    if (rc === -11 || rc === -12) {
      return errorFromCode(
        rc,
        lastMessage(p) || `Cannot enable real-time operation: ${strerror(rc)}`,
      );
    }
    check(rc, p, "Cannot enable real-time operation");
    return undefined;
  }

  /** ms_sampler_rt_status bits. */
  rtStatus(): number {
    return engine().ms_sampler_rt_status(this.assertAlive("Cannot read real-time status"));
  }

  /** ms_instrument_create. */
  createInstrument(name: string): NativeInstrument {
    const action = `Cannot create instrument "${name}"`;
    const p = this.assertAlive(action);
    const out = outPointer();
    check(engine().ms_instrument_create(p, cString(name), out.bytes), p, action);
    return new NativeInstrument(this, out.get());
  }

  /** ms_sample_load. */
  loadSample(path: string): NativeSample {
    const action = `Cannot load sample "${path}"`;
    const p = this.assertAlive(action);
    const out = outPointer();
    check(engine().ms_sample_load(p, cString(path), out.bytes), p, action);
    return new NativeSample(this, out.get());
  }

  /**
   * ms_sample_load_msg on Deno's blocking thread pool: several calls decode
   * at once (the engine allows it), each failure with its own message.
   */
  async loadSampleAsync(path: string): Promise<NativeSample> {
    const action = `Cannot load sample "${path}"`;
    const p = this.assertAlive(action);
    const out = outPointer();
    const name = cString(path);
    const msg = new Uint8Array(512);
    this.#pending++;
    let rc: number;
    try {
      rc = await engine().ms_sample_load_msg(p, name, out.bytes, msg, msg.length);
    } finally {
      if (--this.#pending === 0 && this.#doomed !== null) {
        const doomed = this.#doomed;
        this.#doomed = null;
        engine().ms_sampler_destroy(doomed);
      }
    }
    this.assertAlive(action);
    if (rc < 0) {
      const end = msg.indexOf(0);
      const detail = new TextDecoder().decode(msg.subarray(0, end < 0 ? msg.length : end));
      throw errorFromCode(rc, detail || `${action}: ${strerror(rc)}`);
    }
    return new NativeSample(this, out.get());
  }

  /** ms_sample_create from interleaved float data (copied by the engine). */
  createSample(
    data: Float32Array<ArrayBuffer>,
    channels: number,
    sampleRate: number,
  ): NativeSample {
    const action = "Cannot create sample from data";
    const p = this.assertAlive(action);
    const out = outPointer();
    const frames = Math.floor(data.length / channels);
    check(
      engine().ms_sample_create(p, data, BigInt(frames), channels, sampleRate, out.bytes),
      p,
      action,
    );
    return new NativeSample(this, out.get());
  }

  /** ms_render_file_open. */
  openRenderFile(path: string, fileFormat: number, sampleFormat: number): NativeRenderFile {
    const action = `Cannot open output file "${path}"`;
    const p = this.assertAlive(action);
    const out = outPointer();
    const rc = engine().ms_render_file_open(p, cString(path), fileFormat, sampleFormat, out.bytes);
    if (rc === -4) {
      throw new OutputFileError(lastMessage(p) || `${action}: ${strerror(rc)}`, {
        hint: "Check that the directory exists and is writable",
        status: rc,
      }, "MS_ERR_FILE_NOT_FOUND");
    }
    check(rc, p, action);
    return new NativeRenderFile(this, out.get());
  }

  /** @internal raw pointer for sibling handles in this module. */
  get pointer(): Deno.PointerValue {
    return this.#ptr;
  }
}

/** An `ms_instrument_t` of a NativeSampler. */
export class NativeInstrument {
  #ptr: Deno.PointerValue;
  #zone = new Uint8Array(ZONE.size);
  #index = new Uint32Array(1);
  /** ms_instrument_id: the id for event records; never 0. */
  readonly id: number;

  /** @internal */
  constructor(readonly sampler: NativeSampler, ptr: Deno.PointerValue) {
    this.#ptr = ptr;
    this.id = engine().ms_instrument_id(ptr);
  }

  #live(what: string): Deno.PointerValue {
    this.sampler.assertAlive(what);
    if (this.#ptr === null) {
      throw new EngineStateError(`${what}: the instrument was disposed`, {
        hint: "Create it again with sampler.createInstrument()",
      });
    }
    return this.#ptr;
  }

  /** True until destroy() or the sampler's close. */
  get alive(): boolean {
    return this.#ptr !== null && this.sampler.alive;
  }

  /** Throw EngineStateError (naming why) unless alive. */
  assertAlive(what: string): void {
    this.#live(what);
  }

  /** ms_zone_init's defaults, C field names. */
  static zoneDefaults(): ZoneRecord {
    const bytes = new Uint8Array(ZONE.size);
    engine().ms_zone_init(bytes);
    return decodeStruct(ZONE, bytes);
  }

  /**
   * ms_instrument_add_zone with `zone` over ms_zone_init's defaults.
   *
   * @returns The zone's index.
   */
  addZone(sample: NativeSample | null, zone: Partial<ZoneRecord>, action: string): number {
    const p = this.#live(action);
    const s = sample ? sample.livePointer(action) : null; /* null: an oscillator zone (source) */
    engine().ms_zone_init(this.#zone);
    encodeStruct(ZONE, this.#zone, zone);
    check(
      engine().ms_instrument_add_zone(p, s, this.#zone, this.#index),
      this.sampler.pointer,
      action,
    );
    return this.#index[0]!;
  }

  /** ms_instrument_set_zone_controls: the zone's per-note control values (an ms_controls_t block). */
  setZoneControls(zoneIndex: number, block: Uint8Array<ArrayBuffer>, action: string): void {
    const p = this.#live(action);
    check(
      engine().ms_instrument_set_zone_controls(p, zoneIndex, block),
      this.sampler.pointer,
      action,
    );
  }

  /** ms_instrument_set_zone_mods: the zone's modulation rows (consecutive ms_zone_mod_t records). */
  setZoneMods(
    zoneIndex: number,
    rows: Uint8Array<ArrayBuffer>,
    count: number,
    action: string,
  ): void {
    const p = this.#live(action);
    check(
      engine().ms_instrument_set_zone_mods(p, zoneIndex, rows, count),
      this.sampler.pointer,
      action,
    );
  }

  /** ms_instrument_set_curve: one of the instrument's custom curves (8..255), 128 values. */
  setCurve(curve: number, values: Float32Array<ArrayBuffer>, action: string): void {
    const p = this.#live(action);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    check(engine().ms_instrument_set_curve(p, curve, bytes), this.sampler.pointer, action);
  }

  /** ms_instrument_set_cc_init: what zone rows read from a CC until the instrument receives it. */
  setCcInit(controller: number, value: number, action: string): void {
    const p = this.#live(action);
    check(engine().ms_instrument_set_cc_init(p, controller, value), this.sampler.pointer, action);
  }

  /** ms_instrument_set_velocity_curve: 128 linear gains (index = velocity) for one zone. */
  setVelocityCurve(zoneIndex: number, gains: Float32Array<ArrayBuffer>, action: string): void {
    const p = this.#live(action);
    const bytes = new Uint8Array(gains.buffer, gains.byteOffset, gains.byteLength);
    check(
      engine().ms_instrument_set_velocity_curve(p, zoneIndex, bytes),
      this.sampler.pointer,
      action,
    );
  }

  /** ms_instrument_clear_zones. */
  clearZones(action: string): void {
    const p = this.#live(action);
    check(engine().ms_instrument_clear_zones(p), this.sampler.pointer, action);
  }

  /** ms_instrument_zone_count. */
  zoneCount(): number {
    return engine().ms_instrument_zone_count(this.#live("Cannot count zones"));
  }

  /** ms_instrument_commit. */
  commit(action: string): void {
    const p = this.#live(action);
    check(engine().ms_instrument_commit(p), this.sampler.pointer, action);
  }

  /** ms_instrument_destroy; idempotent, and a no-op once the sampler is closed (it freed us). */
  destroy(): void {
    const p = this.#ptr;
    this.#ptr = null;
    if (p !== null && this.sampler.alive) engine().ms_instrument_destroy(p);
  }
}

/** An `ms_sample_t` reference of a NativeSampler. */
export class NativeSample {
  #ptr: Deno.PointerValue;
  /** ms_sample_get_info, read once at load. */
  readonly info: Readonly<SampleInfoRecord>;

  /** @internal */
  constructor(readonly sampler: NativeSampler, ptr: Deno.PointerValue) {
    this.#ptr = ptr;
    const bytes = new Uint8Array(SAMPLE_INFO.size);
    check(engine().ms_sample_get_info(ptr, bytes), sampler.pointer, "Cannot read sample info");
    this.info = decodeStruct(SAMPLE_INFO, bytes);
  }

  /** True until destroy() or the sampler's close. */
  get alive(): boolean {
    return this.#ptr !== null && this.sampler.alive;
  }

  /** @internal the pointer, or EngineStateError when disposed. */
  livePointer(what: string): Deno.PointerValue {
    this.sampler.assertAlive(what);
    if (this.#ptr === null) {
      throw new EngineStateError(`${what}: the sample was disposed`, {
        hint: "Load it again with sampler.loadSample()",
      });
    }
    return this.#ptr;
  }

  /** ms_sample_destroy: drop this reference (zones keep theirs); idempotent. */
  destroy(): void {
    const p = this.#ptr;
    this.#ptr = null;
    if (p !== null && this.sampler.alive) engine().ms_sample_destroy(p);
  }
}

/** An `ms_render_file_t`. */
export class NativeRenderFile {
  #ptr: Deno.PointerValue;

  /** @internal */
  constructor(readonly sampler: NativeSampler, ptr: Deno.PointerValue) {
    this.#ptr = ptr;
  }

  #live(what: string): Deno.PointerValue {
    this.sampler.assertAlive(what);
    if (this.#ptr === null) {
      throw new EngineStateError(`${what}: the render file is closed`, {
        hint: "Open another with sampler.renderToFile()",
      });
    }
    return this.#ptr;
  }

  /** True until close(). */
  get open(): boolean {
    return this.#ptr !== null && this.sampler.alive;
  }

  /** ms_render_file_write: render and append `frames` frames. */
  write(frames: number): void {
    const p = this.#live("Cannot write audio");
    check(engine().ms_render_file_write(p, frames), this.sampler.pointer, "Cannot write audio");
  }

  /** ms_render_file_peak, linear. */
  peak(): number {
    return engine().ms_render_file_peak(this.#live("Cannot read peak level"));
  }

  /** ms_render_file_close; idempotent. */
  close(): void {
    const p = this.#ptr;
    this.#ptr = null;
    if (p === null) return;
    if (!this.sampler.alive) return; // the sampler's destroy already released it
    check(engine().ms_render_file_close(p), this.sampler.pointer, "Cannot finish output file");
  }
}
