/**
 * zod schemas for the options scripts pass to the engine classes: the single
 * source of truth for their shapes, defaults and ranges.
 *
 * Thread: CT. Pure, no FFI. A value out of range is a `RangeError` naming
 * the option (see {@linkcode parseOptions}); the instrument-file schema
 * (lib/instrument/schema.ts) reuses {@linkcode ZoneOptionsSchema} so
 * instrument files and code agree.
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
  /**
   * Width samples are kept at in memory: 32 (float) or 16 (int16: half the
   * RAM, converted while rendering; 24-bit and float sources are rounded). @default 32
   */
  sampleBits: z.union([z.literal(16), z.literal(32)]).default(32),
  /** Initial tempo of the sampler's Clock in beats per minute. @default 120 */
  tempo: z.number().min(1).max(1000).default(120),
});

/** What `Sampler.open` accepts. */
export type SamplerOptions = z.input<typeof SamplerOptionsSchema>;
/** `SamplerOptions` with defaults filled in. */
export type ResolvedSamplerOptions = z.output<typeof SamplerOptionsSchema>;

const seconds = z.number().min(0).max(60);

const midiChannel = z.number().int().min(0).max(15);
const unit = z.number().min(0).max(1);

/**
 * A zone's per-voice filter (12 dB/octave state-variable). Cents shift the
 * cutoff: 1200 is an octave up.
 */
export const FilterOptionsSchema = z.strictObject({
  /** Filter response. */
  type: z.enum(["lowpass", "highpass", "bandpass"]),
  /** Cutoff in Hz, 10..20000. @default 20000 */
  cutoffHz: z.number().min(10).max(20000).optional(),
  /** Resonance in dB over Butterworth, 0..40. @default 0 */
  resonanceDb: z.number().min(0).max(40).optional(),
  /** Cutoff shift at velocity 127 (linear in velocity), -9600..9600 cents. @default 0 */
  velocityTrackCents: z.number().min(-9600).max(9600).optional(),
  /** Cutoff shift per key away from keyCenter, -1200..1200 cents. @default 0 */
  keyTrackCents: z.number().min(-1200).max(1200).optional(),
  /** Key at which keyTrackCents shifts nothing, 0..127. @default 60 */
  keyCenter: midiKey.optional(),
  /** Filter envelope: depth in cents at full level, times in seconds 0..60, sustain 0..1. @default none */
  envelope: z.strictObject({
    depthCents: z.number().min(-12000).max(12000),
    attack: seconds.optional(),
    decay: seconds.optional(),
    sustain: unit.optional(),
    release: seconds.optional(),
  }).optional(),
  /** A controller moving the cutoff: cents at value 127. @default none */
  cc: z.strictObject({
    controller: z.number().int().min(1).max(127),
    cents: z.number().min(-9600).max(9600),
  }).optional(),
});

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
  /** When the zone plays: "attack" on note-on, "release" on note-off (with the note-on's velocity). @default "attack" */
  trigger: z.enum(["attack", "release"]).optional(),
  /** MIDI channels answered, [lo, hi] inclusive, 0..15 (the note's channel). @default [0, 15] */
  midiChannels: z.tuple([midiChannel, midiChannel]).refine(([lo, hi]) => lo <= hi, {
    message: "low channel must be <= high channel",
  }).optional(),
  /** Plays only while the last keyswitch pressed is this key, 0..127. @default none: always */
  keyswitch: midiKey.optional(),
  /** Keys that act as keyswitches, [lo, hi] inclusive (instrument-wide once any zone names them). @default none */
  keyswitchRange: z.tuple([midiKey, midiKey]).refine(([lo, hi]) => lo <= hi, {
    message: "low key must be <= high key",
  }).optional(),
  /**
   * Which group's new notes choke this zone: "own" (its exclusiveGroup, hi-hat
   * style), "none" (never choked), or a group number. @default "own"
   */
  offBy: z.union([z.enum(["own", "none"]), z.number().int().min(1).max(4294967294)]).optional(),
  /** How a choked voice stops: "fast" (2 ms fade) or "normal" (its release). @default "fast" */
  offMode: z.enum(["fast", "normal"]).optional(),
  /** Cents per key away from rootKey, -1200..1200 (0: same pitch on every key). @default 100 */
  pitchKeytrack: z.number().min(-1200).max(1200).optional(),
  /** Plays when the note's random value (0..1, one per note) is in [lo, hi). @default [0, 1] */
  random: z.tuple([unit, unit]).refine(([lo, hi]) => lo <= hi, {
    message: "low must be <= high",
  }).optional(),
  /** Per-voice state-variable filter. @default none */
  filter: FilterOptionsSchema.optional(),
  /**
   * Velocity-to-gain curve as [velocity 0..127, linear gain 0..4] points,
   * interpolated linearly (SFZ amp_velcurve_N); replaces velocityTrack.
   * Velocity 0 is 0 and 127 is 1 unless given. @default none: velocityTrack's square law
   */
  velocityCurve: z.array(z.tuple([midiKey, z.number().min(0).max(4)])).min(1).optional(),
});

/** What `Instrument.addZone` accepts. */
export type ZoneOptions = z.input<typeof ZoneOptionsSchema>;
/** A zone's filter options. */
export type FilterOptions = z.input<typeof FilterOptionsSchema>;

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
