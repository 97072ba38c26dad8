/**
 * The error a malformed MIDI mapping raises.
 *
 * Thread: CT. Pure.
 *
 * @module
 */
import { MidiSamplerError } from "../errors.ts";

/** Options of {@linkcode MidiMapError}. */
export interface MidiMapErrorOptions {
  /** Path of the offending value inside the mapping (`["layers", 2, "keys"]`); [] for the whole. */
  path: readonly (string | number)[];
  /** The offending value, when there is one. */
  value?: unknown;
  /** The mapping file, when the mapping came from one. */
  file?: string;
  /** How to fix it. */
  hint?: string;
  /** The zod error or engine error behind it. */
  cause?: unknown;
}

/** A MIDI mapping failed validation (zod) or names an instrument that does not exist. */
export class MidiMapError extends MidiSamplerError {
  /** Path of the offending value, e.g. `["layers", 1, "velocities", 0]`. */
  readonly path: readonly (string | number)[];
  /** The offending value, if any. */
  readonly value: unknown;
  /** The mapping file, if any. */
  readonly file: string | undefined;

  /**
   * @param message Action first, then the path: `Cannot set MIDI map: layers[1].keys ...`.
   * @param options Path, value, file, hint, cause.
   */
  constructor(message: string, options: MidiMapErrorOptions) {
    const base: { hint?: string; cause?: unknown } = {};
    if (options.hint !== undefined) base.hint = options.hint;
    if (options.cause !== undefined) base.cause = options.cause;
    super(message, "MIDI_MAP", base);
    this.path = options.path;
    this.value = options.value;
    this.file = options.file;
  }
}

/** `["layers", 1, "keys"]` as `layers[1].keys`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(mapping)";
}
