/**
 * Thin handle over the engine's live output (`ms_output_*`): the only code
 * that holds an `ms_output_t` pointer.
 *
 * Thread: CT for every call here. The render thread these calls start (the
 * engine's own for ALSA, JACK's process callback) never calls back into
 * JavaScript. A negative status becomes the typed error of
 * lib/errors.ts carrying the engine's detail message; the non-fatal
 * `MS_ERR_RT_PRIORITY` / `MS_ERR_MEMLOCK` come back as values, not throws.
 * Policy (look-ahead, pumping, option checks) lives in lib/engine/output.ts.
 *
 * @module
 */
import { decodeStruct, encodeStruct, OUTPUT_CONFIG, OUTPUT_INFO, readCString } from "./layout.ts";
import { writeCString } from "./layout.ts";
import { engine, type NativeSampler, strerror } from "./native.ts";
import {
  EngineLibraryError,
  EngineStateError,
  errorFromCode,
  type MidiSamplerError,
} from "../errors.ts";

/** ms_output_config_t, C field names (the device string separately). */
export type OutputConfigRecord =
  & { -readonly [K in Exclude<keyof typeof OUTPUT_CONFIG.fields, "device">]: number }
  & { device: string };

/** ms_output_info_t, C field names (the device string separately). */
export type OutputInfoRecord =
  & { -readonly [K in Exclude<keyof typeof OUTPUT_INFO.fields, "device">]: number }
  & { device: string };

const RT_PRIORITY = -11;
const MEMLOCK = -12;

/** The live-output symbols, or EngineLibraryError when the library predates them. */
function outputSymbols(action: string) {
  const sym = engine();
  if (
    !sym.ms_output_open || !sym.ms_output_start || !sym.ms_output_stop ||
    !sym.ms_output_close || !sym.ms_output_get_info || !sym.ms_output_probe_rate
  ) {
    throw new EngineLibraryError(
      `${action}: the engine library has no live output (ms_output_* missing)`,
      { hint: "Rebuild it with the ALSA and JACK backends: deno task build" },
    );
  }
  return {
    open: sym.ms_output_open,
    start: sym.ms_output_start,
    stop: sym.ms_output_stop,
    close: sym.ms_output_close,
    getInfo: sym.ms_output_get_info,
    probeRate: sym.ms_output_probe_rate,
  };
}

/** Detail message of the last failure on `ptr` (null: this thread's last failure). */
function lastMessage(ptr: Deno.PointerValue): string {
  const buf = new Uint8Array(1024);
  const len = engine().ms_error_message(ptr, buf, buf.length);
  return new TextDecoder().decode(buf.subarray(0, Math.min(len, buf.length - 1)));
}

function failure(code: number, ptr: Deno.PointerValue, action: string): MidiSamplerError {
  return errorFromCode(code, lastMessage(ptr) || `${action}: ${strerror(code)}`);
}

function encodeConfig(config: OutputConfigRecord): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(OUTPUT_CONFIG.size);
  const { device, ...numbers } = config;
  encodeStruct(OUTPUT_CONFIG, bytes, numbers);
  writeCString(bytes, OUTPUT_CONFIG.fields.device, device);
  return bytes;
}

/**
 * ms_output_probe_rate: the rate the backend would run at, without opening it.
 *
 * @returns Hz.
 * @throws {MidiSamplerError} DeviceError (missing, busy, no JACK server), UnsupportedError.
 */
export function probeOutputRate(config: OutputConfigRecord): number {
  const action = "Cannot probe the output rate";
  const sym = outputSymbols(action);
  const rate = new Uint32Array(1);
  const rc = sym.probeRate(encodeConfig(config), new Uint8Array(rate.buffer));
  if (rc < 0) throw failure(rc, null, action);
  return rate[0]!;
}

/** An open `ms_output_t` of a NativeSampler. */
export class NativeOutput {
  #ptr: Deno.PointerValue;
  #info = new Uint8Array(OUTPUT_INFO.size);
  readonly #sampler: NativeSampler;

  private constructor(sampler: NativeSampler, ptr: Deno.PointerValue) {
    this.#sampler = sampler;
    this.#ptr = ptr;
  }

  /**
   * ms_output_open.
   *
   * @throws {MidiSamplerError} DeviceError, UnsupportedError, EngineStateError, EngineRangeError.
   */
  static open(sampler: NativeSampler, config: OutputConfigRecord): NativeOutput {
    const action = "Cannot open audio output";
    const sym = outputSymbols(action);
    const sp = sampler.assertAlive(action);
    const cell = new BigUint64Array(1);
    const rc = sym.open(sp, encodeConfig(config), new Uint8Array(cell.buffer));
    if (rc < 0) throw failure(rc, sp, action);
    return new NativeOutput(sampler, Deno.UnsafePointer.create(cell[0]!));
  }

  /** True until close() (or the sampler's destroy). */
  get open(): boolean {
    return this.#ptr !== null && this.#sampler.alive;
  }

  #live(action: string): Deno.PointerValue {
    this.#sampler.assertAlive(action);
    if (this.#ptr === null) {
      throw new EngineStateError(`${action}: the output is closed`, {
        hint: "Start a new one with sampler.startOutput()",
      });
    }
    return this.#ptr;
  }

  /**
   * ms_output_start.
   *
   * @returns undefined, or the non-fatal RtPermissionError (audio is playing anyway).
   * @throws {MidiSamplerError} DeviceError, EngineStateError.
   */
  start(): MidiSamplerError | undefined {
    const action = "Cannot start audio output";
    const p = this.#live(action);
    const rc = outputSymbols(action).start(p);
    if (rc === RT_PRIORITY || rc === MEMLOCK) return failure(rc, this.#sampler.pointer, action);
    if (rc < 0) throw failure(rc, this.#sampler.pointer, action);
    return undefined;
  }

  /** ms_output_stop: joins the render thread (JACK: deactivates). */
  stop(): void {
    const action = "Cannot stop audio output";
    const p = this.#live(action);
    const rc = outputSymbols(action).stop(p);
    if (rc < 0) throw failure(rc, this.#sampler.pointer, action);
  }

  /**
   * ms_output_get_info, refreshed (latency, period, thread policy).
   *
   * @returns The info, and the error when the device failed while running.
   */
  info(): { info: OutputInfoRecord; error: MidiSamplerError | undefined } {
    const action = "Cannot read audio output info";
    const p = this.#live(action);
    const rc = outputSymbols(action).getInfo(p, this.#info);
    const info = {
      ...decodeStruct(OUTPUT_INFO, this.#info),
      device: readCString(this.#info, OUTPUT_INFO.fields.device),
    };
    return { info, error: rc < 0 ? failure(rc, this.#sampler.pointer, action) : undefined };
  }

  /** ms_output_close: stops if running; idempotent; a no-op once the sampler is gone. */
  close(): void {
    const p = this.#ptr;
    this.#ptr = null;
    if (p === null || !this.#sampler.alive) return;
    outputSymbols("Cannot close audio output").close(p);
  }
}
