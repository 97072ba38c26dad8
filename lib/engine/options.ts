/**
 * zod schemas for the options scripts pass to the engine classes: the single
 * source of truth for their shapes, defaults and ranges (STYLE.md §6).
 *
 * Thread: CT. Pure, no FFI. A value out of range is a `RangeError` naming
 * the option (see {@linkcode parseOptions}); part B's instrument schema
 * reuses {@linkcode ZoneOptionsSchema} so instrument files and code agree.
 *
 * @module
 */
import { z } from "zod";

const u32 = z.number().int().min(0).max(4294967295);
const midiKey = z.number().int().min(0).max(127);
const velocity = z.number().int().min(1).max(127);
const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** Options of `Sampler.open`. Every field is optional; the defaults are the engine's. */
export const SamplerOptionsSchema = z.strictObject({
  /** Output sample rate in Hz, 8000..384000. @default 48000 */
  sampleRate: z.number().int().min(8000).max(384000).default(48000),
  /** Interleaved output channels, 1..8. @default 2 */
  channels: z.number().int().min(1).max(8).default(2),
  /** Voices playing at once, 1..4096. @default 64 */
  maxPolyphony: z.number().int().min(1).max(4096).default(64),
  /** Frames per internal block, 16..8192. @default 128 */
  bufferSize: z.number().int().min(16).max(8192).default(128),
  /** Events per ring, a power of two 64..1048576. @default 4096 */
  ringCapacity: z.number().int().min(64).max(1048576).refine(isPowerOfTwo, {
    message: "must be a power of two",
  }).default(4096),
  /** Instruments per sampler, 1..4096. @default 128 */
  maxInstruments: z.number().int().min(1).max(4096).default(128),
  /** Interpolation for pitched voices. @default "cubic" */
  interpolation: z.enum(["cubic", "linear"]).default("cubic"),
  /** Seed of the engine's random alternatives (round-robin "random" zones), 0..2^32-1. @default 1 */
  seed: u32.default(1),
  /** Initial tempo of the sampler's Clock in beats per minute. @default 120 */
  tempo: z.number().min(1).max(1000).default(120),
});

/** What `Sampler.open` accepts. */
export type SamplerOptions = z.input<typeof SamplerOptionsSchema>;
/** `SamplerOptions` with defaults filled in. */
export type ResolvedSamplerOptions = z.output<typeof SamplerOptionsSchema>;

const seconds = z.number().min(0).max(60);

/** Loop behaviour of a zone. */
export const LoopModeSchema = z.enum(["auto", "none", "one-shot", "forward", "sustain"]);

/**
 * A zone: which keys and velocities play a sample, and how. Mirrors
 * ms_zone_t; a missing field takes ms_zone_init's default.
 */
export const ZoneOptionsSchema = z.strictObject({
  /** Inclusive key range [lo, hi], 0..127. @default [0, 127] */
  keys: z.tuple([midiKey, midiKey]).refine(([lo, hi]) => lo <= hi, {
    message: "low key must be <= high key",
  }).optional(),
  /** Inclusive velocity range [lo, hi], 1..127. @default [1, 127] */
  velocities: z.tuple([velocity, velocity]).refine(([lo, hi]) => lo <= hi, {
    message: "low velocity must be <= high velocity",
  }).optional(),
  /** Key at which the sample plays unpitched, 0..127. @default 60 */
  rootKey: midiKey.optional(),
  /** Loop mode and optional loop points in frames (end exclusive). @default { mode: "auto" } */
  loop: z.strictObject({
    mode: LoopModeSchema,
    start: u32.optional(),
    end: u32.optional(),
  }).refine((l) => l.start === undefined || l.end === undefined || l.start < l.end, {
    message: "loop start must be < loop end",
  }).optional(),
  /** Zones with the same non-zero group are alternatives of each other; 0 = layer. @default 0 */
  altGroup: u32.optional(),
  /** How alternatives are chosen. @default "round-robin" */
  altMode: z.enum(["round-robin", "random"]).optional(),
  /** A new note fades out the others of its non-zero group (hi-hat choke). @default 0 */
  exclusiveGroup: u32.optional(),
  /** Fine tune in cents, -12800..12800. @default 0 */
  tuneCents: z.number().min(-12800).max(12800).optional(),
  /** Gain in dB, -144..24. @default 0 */
  gainDb: z.number().min(-144).max(24).optional(),
  /** Pan, -1 (left) .. 1 (right). @default 0 */
  pan: z.number().min(-1).max(1).optional(),
  /** Velocity sensitivity, 0 (ignored) .. 1 (square law). @default 1 */
  velocityTrack: z.number().min(0).max(1).optional(),
  /** AHDSR envelope: times in seconds 0..60, sustain level 0..1. @default { sustain: 1, release: 0.05 } */
  envelope: z.strictObject({
    attack: seconds.optional(),
    hold: seconds.optional(),
    decay: seconds.optional(),
    sustain: z.number().min(0).max(1).optional(),
    release: seconds.optional(),
  }).optional(),
  /** Start offset into the sample in frames. @default 0 */
  offset: u32.optional(),
});

/** What `Instrument.addZone` accepts. */
export type ZoneOptions = z.input<typeof ZoneOptionsSchema>;

/**
 * Validate options with a schema, turning a zod failure into a RangeError
 * whose message names the option path and the offending value.
 *
 * @param schema The zod schema.
 * @param value What the caller passed.
 * @param action Message head, e.g. `Cannot open sampler`.
 * @returns The parsed value with defaults.
 * @throws {RangeError} naming the first bad option; `cause` is the ZodError.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  value: unknown,
  action: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length ? issue.path.map(String).join(".") : "(options)";
  const got = valueAt(value, issue.path);
  throw new RangeError(
    `${action}: option "${path}" ${issue.message}, got ${JSON.stringify(got) ?? "undefined"}`,
    { cause: result.error },
  );
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
