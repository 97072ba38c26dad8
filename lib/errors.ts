/**
 * Typed errors: the one place where engine status codes become exceptions.
 *
 * Thread: CT. Pure: no FFI. Every `MS_ERR_*` code of the header maps to a
 * subclass of {@linkcode MidiSamplerError} (tests/ffi_contract_test.ts walks
 * them). Messages put the action first, a colon, then state and
 * fix, values quoted, no final period. Out-of-range arguments caught in
 * TypeScript are plain `RangeError`s and never reach C.
 *
 * @module
 */

/** Extra fields every error may carry. */
export interface MidiSamplerErrorOptions {
  /** What the user can do about it, one sentence. */
  hint?: string | undefined;
  /** The underlying error (a zod error, an OS error, cmake's output, ...). */
  cause?: unknown;
  /** The C status code when the error came from the engine. */
  status?: number | undefined;
}

/**
 * Base of every error the library throws on purpose.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MidiSamplerError, errorFromCode } from "./errors.ts";
 * const e = errorFromCode(-4, 'Cannot load sample "kick.wav": no such file');
 * assert(e instanceof MidiSamplerError && e.code === "MS_ERR_FILE_NOT_FOUND");
 * ```
 */
export class MidiSamplerError extends Error {
  /** Symbolic code: the C macro name (`MS_ERR_RING_FULL`) or a TS-side name (`ENGINE_LIBRARY`). */
  readonly code: string;
  /** The C status (negative) when the engine reported it, else undefined. */
  readonly status: number | undefined;
  /** What to do about it. */
  readonly hint: string | undefined;

  /**
   * @param message Action first, colon, state and fix.
   * @param code Symbolic code.
   * @param options Hint, cause and C status.
   */
  constructor(message: string, code: string, options: MidiSamplerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.hint = options.hint;
  }
}

/** A NULL handle, a bad enum value or a malformed record reached the engine (a library bug). */
export class EngineArgumentError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_INVALID_ARGUMENT", options);
  }
}

/** The engine refused a value as out of range (TypeScript checks most ranges first). */
export class EngineRangeError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_OUT_OF_RANGE", options);
  }
}

/** The engine could not allocate memory. */
export class OutOfMemoryError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_NO_MEMORY", options);
  }
}

/** A sample file is missing, unreadable, corrupt or of an unsupported format. */
export class SampleLoadError extends MidiSamplerError {
  /**
   * @param message Names the file.
   * @param code `MS_ERR_FILE_NOT_FOUND` or `MS_ERR_FILE_FORMAT`.
   * @param options Hint, cause, status.
   */
  constructor(
    message: string,
    code: "MS_ERR_FILE_NOT_FOUND" | "MS_ERR_FILE_FORMAT" = "MS_ERR_FILE_NOT_FOUND",
    options: MidiSamplerErrorOptions = {},
  ) {
    super(message, code, options);
  }
}

/** An event ring was full: the event was dropped (and counted). */
export class RingFullError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_RING_FULL", options);
  }
}

/** An instrument, sample or event of another sampler was passed. */
export class WrongSamplerError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_WRONG_SAMPLER", options);
  }
}

/** A zone was added without a sample. */
export class NoSampleError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_NO_SAMPLE", options);
  }
}

/** Too many instruments, zones or producers for the sampler's configuration. */
export class LimitError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_LIMIT", options);
  }
}

/** The call does not fit the object's state (closed sampler, disposed instrument, ...). */
export class EngineStateError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_STATE", options);
  }
}

/** Real-time scheduling or memory locking was denied; audio carries on without it. */
export class RtPermissionError extends MidiSamplerError {
  /**
   * @param message Says what was denied.
   * @param code `MS_ERR_RT_PRIORITY` or `MS_ERR_MEMLOCK`.
   * @param options Hint, cause, status.
   */
  constructor(
    message: string,
    code: "MS_ERR_RT_PRIORITY" | "MS_ERR_MEMLOCK" = "MS_ERR_RT_PRIORITY",
    options: MidiSamplerErrorOptions = {},
  ) {
    super(message, code, options);
  }
}

/** Writing or creating an output file failed. */
export class OutputFileError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}, code = "MS_ERR_IO") {
    super(message, code, options);
  }
}

/** A valid request this build or file format cannot do (FLAC with float samples, ...). */
export class UnsupportedError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_UNSUPPORTED", options);
  }
}

/** The audio device (or JACK server) is missing, busy or failing. */
export class DeviceError extends MidiSamplerError {
  /**
   * @param message Names the device.
   * @param code `MS_ERR_DEVICE`, `MS_ERR_DEVICE_BUSY` or `MS_ERR_NO_SERVER`.
   * @param options Hint, cause, status.
   */
  constructor(
    message: string,
    code: "MS_ERR_DEVICE" | "MS_ERR_DEVICE_BUSY" | "MS_ERR_NO_SERVER" = "MS_ERR_DEVICE",
    options: MidiSamplerErrorOptions = {},
  ) {
    super(message, code, options);
  }
}

/** The audio device is in use by another program (`MS_ERR_DEVICE_BUSY`). */
export class DeviceBusyError extends DeviceError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_DEVICE_BUSY", options);
  }
}

/** No JACK server is running (`MS_ERR_NO_SERVER`). */
export class NoServerError extends DeviceError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "MS_ERR_NO_SERVER", options);
  }
}

/** libmidisampler.so is missing, stale, unbuildable or lacks a symbol. */
export class EngineLibraryError extends MidiSamplerError {
  constructor(message: string, options: MidiSamplerErrorOptions = {}) {
    super(message, "ENGINE_LIBRARY", options);
  }
}

/** A performance script failed to load, has no default export function, or threw. */
export class PerformanceScriptError extends MidiSamplerError {
  /** The script (absolute path). */
  readonly file: string;

  /**
   * @param message Names the script.
   * @param options The script file, hint and cause (what it threw).
   */
  constructor(message: string, options: MidiSamplerErrorOptions & { file: string }) {
    super(message, "PERFORMANCE_SCRIPT", options);
    this.file = options.file;
  }
}

/** Where in an instrument definition a problem is. */
export interface InstrumentDefinitionErrorOptions extends MidiSamplerErrorOptions {
  /** The definition file (absolute path). */
  file: string;
  /** Path of the offending value inside the definition (`["zones", 2, "keys"]`); [] for the whole. */
  path?: readonly (string | number)[];
  /** The offending value, when there is one. */
  value?: unknown;
}

/**
 * An instrument definition failed validation (zod) or could not be built
 * (a sample it names fails to load, ...).
 */
export class InstrumentDefinitionError extends MidiSamplerError {
  /** The definition file. */
  readonly file: string;
  /** Path of the offending value inside the definition. */
  readonly path: readonly (string | number)[];
  /** The offending value, if any. */
  readonly value: unknown;

  /**
   * @param message Names the file and the path (`Cannot load instrument "piano": zones[2].keys ...`).
   * @param options File, path, value, hint, cause.
   */
  constructor(message: string, options: InstrumentDefinitionErrorOptions) {
    super(message, "INSTRUMENT_DEFINITION", options);
    this.file = options.file;
    this.path = options.path ?? [];
    this.value = options.value;
  }
}

/** One row of the code table: the macro name, how to build the error, and a default hint. */
interface CodeEntry {
  name: string;
  make: (message: string, options: MidiSamplerErrorOptions) => MidiSamplerError;
  hint?: string;
}

/**
 * Every C status code of this header version (the header's MS_STATUS_CODES),
 * by the name after `MS_ERR_`: its value, how to build its typed error, and a
 * default hint. The one TypeScript list: {@linkcode ERROR_CODES} and
 * {@linkcode STATUS} come from it, and the contract test fails on a gap.
 */
const CODES = {
  INVALID_ARGUMENT: {
    status: -1,
    make: (m, o) => new EngineArgumentError(m, o),
    hint: "This is a bug in midi-sampler's TypeScript layer: please report it",
  },
  OUT_OF_RANGE: { status: -2, make: (m, o) => new EngineRangeError(m, o) },
  NO_MEMORY: {
    status: -3,
    make: (m, o) => new OutOfMemoryError(m, o),
    hint: "Load fewer or shorter samples, or lower maxPolyphony",
  },
  FILE_NOT_FOUND: {
    status: -4,
    make: (m, o) => new SampleLoadError(m, "MS_ERR_FILE_NOT_FOUND", o),
    hint: "Check the path; relative paths resolve against the current directory",
  },
  FILE_FORMAT: {
    status: -5,
    make: (m, o) => new SampleLoadError(m, "MS_ERR_FILE_FORMAT", o),
    hint: "Use a WAV, AIFF, FLAC or OGG file that plays elsewhere (try: soxi <file>)",
  },
  RING_FULL: {
    status: -6,
    make: (m, o) => new RingFullError(m, o),
    hint: "Schedule fewer events ahead, or raise ringCapacity in Sampler.open",
  },
  WRONG_SAMPLER: {
    status: -7,
    make: (m, o) => new WrongSamplerError(m, o),
    hint: "Load samples and create instruments on the sampler that plays them",
  },
  NO_SAMPLE: { status: -8, make: (m, o) => new NoSampleError(m, o) },
  LIMIT: {
    status: -9,
    make: (m, o) => new LimitError(m, o),
    hint: "Raise maxInstruments in Sampler.open, or dispose instruments you no longer use",
  },
  STATE: { status: -10, make: (m, o) => new EngineStateError(m, o) },
  RT_PRIORITY: {
    status: -11,
    make: (m, o) => new RtPermissionError(m, "MS_ERR_RT_PRIORITY", o),
    hint:
      "Run as root, grant CAP_SYS_NICE, or add the user to a group with an rtprio limit in /etc/security/limits.d",
  },
  MEMLOCK: {
    status: -12,
    make: (m, o) => new RtPermissionError(m, "MS_ERR_MEMLOCK", o),
    hint: "Grant CAP_IPC_LOCK or raise the memlock limit (ulimit -l) in /etc/security/limits.d",
  },
  IO: {
    status: -13,
    make: (m, o) => new OutputFileError(m, o),
    hint: "Check free disk space and write permission of the output directory",
  },
  UNSUPPORTED: { status: -14, make: (m, o) => new UnsupportedError(m, o) },
  DEVICE: {
    status: -15,
    make: (m, o) => new DeviceError(m, "MS_ERR_DEVICE", o),
    hint: "List devices with: aplay -L",
  },
  DEVICE_BUSY: {
    status: -16,
    make: (m, o) => new DeviceBusyError(m, o),
    hint: "Close the other program using the device (fuser -v /dev/snd/*)",
  },
  NO_SERVER: {
    status: -17,
    make: (m, o) => new NoServerError(m, o),
    hint: "Start a JACK server first (jackd -d alsa, or jackd -d dummy for tests)",
  },
} as const satisfies Record<string, Omit<CodeEntry, "name"> & { status: number }>;

/** Every C status code by value. */
export const ERROR_CODES: ReadonlyMap<number, CodeEntry> = new Map<number, CodeEntry>(
  Object.entries(CODES).map(([name, e]) => [e.status, { ...e, name: `MS_ERR_${name}` }]),
);

/** Status codes (`MS_OK`, `MS_ERR_*`) by name. Codes are only ever appended. */
export const STATUS = {
  OK: 0,
  ...Object.fromEntries(Object.entries(CODES).map(([name, e]) => [name, e.status])),
} as { readonly OK: 0 } & { readonly [K in keyof typeof CODES]: (typeof CODES)[K]["status"] };

/**
 * Turn a negative engine status into its typed error.
 *
 * @param code A negative `MS_ERR_*` value.
 * @param message The detail message (from ms_error_message), action first.
 * @param options Hint (overrides the code's default) and cause.
 * @returns The error to throw; an unknown code gives a plain MidiSamplerError with code `MS_ERR_<n>`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorFromCode, RingFullError } from "./errors.ts";
 * assert(errorFromCode(-6, "Cannot schedule note: ring full") instanceof RingFullError);
 * ```
 */
export function errorFromCode(
  code: number,
  message: string,
  options: MidiSamplerErrorOptions = {},
): MidiSamplerError {
  const entry = ERROR_CODES.get(code);
  const opts: MidiSamplerErrorOptions = {
    hint: options.hint ?? entry?.hint,
    cause: options.cause,
    status: code,
  };
  if (!entry) return new MidiSamplerError(message, `MS_ERR_${-code}`, opts);
  return entry.make(message, opts);
}

/**
 * The message and hint of an error as the CLI prints them: `error: <message>`
 * and, when there is one, `hint: <hint>` on the next line.
 *
 * @param err Anything thrown.
 * @returns Lines for stderr.
 */
export function formatError(err: unknown): string {
  if (err instanceof MidiSamplerError) {
    return `error: ${err.message}` + (err.hint ? `\nhint: ${err.hint}` : "");
  }
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}
