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
import {
  type MemberType,
  ZONE_OPTIONS,
  type ZoneGroupRow,
  type ZoneNamesRow,
  type ZonePairRow,
  type ZoneRow,
} from "../ffi/layout.ts";
import { valueAt } from "../util/value_at.ts";
import { ControlsSchema } from "./controls.ts";
import { ZoneModSchema } from "./zone_mods.ts";

const u32 = z.number().int().min(0).max(4294967295);
const midiKey = z.number().int().min(0).max(127);
const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** Options of `Sampler.open`. Every field is optional; the defaults are the engine's. */
export const SamplerOptionsSchema = z.strictObject({
  /** Output sample rate in Hz, 8000..384000. @default 48000 */
  sampleRate: z.number().int().min(8000).max(384000).default(48000),
  /** Interleaved output channels, 1..32 (pairs are buses). @default 2 */
  channels: z.number().int().min(1).max(32).default(2),
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
  /**
   * One output pair per orbit (MS_AUDIO_ORBIT_OUTPUTS): orbit k's voices (dry)
   * and effects on channels 2k and 2k+1, for stems and JACK port pairs; the
   * pairs add up to the default stereo mix. `channels` must be even. @default false
   */
  orbitOutputs: z.boolean().default(false),
  /** The master soft limiter (exactly transparent below -1 dBFS). @default true */
  limiter: z.boolean().default(true),
});

/** What `Sampler.open` accepts. */
export type SamplerOptions = z.input<typeof SamplerOptionsSchema>;
/** `SamplerOptions` with defaults filled in. */
export type ResolvedSamplerOptions = z.output<typeof SamplerOptionsSchema>;

/** The option type a row of ZONE_OPTIONS takes (as validated). */
type OptionOf<R> = R extends ZoneGroupRow<infer G> ? GroupOf<G>
  : R extends ZonePairRow ? [number, number]
  : R extends ZoneNamesRow<string, infer K> & { numbers: readonly [number, number] } ? K | number
  : R extends ZoneNamesRow<string, infer K> ? K
  : number;
type RequiredKeys<G> = { [K in keyof G]: G[K] extends { required: true } ? K : never }[keyof G];
type GroupOf<G> =
  & { -readonly [K in RequiredKeys<G>]: OptionOf<G[K]> }
  & { -readonly [K in Exclude<keyof G, RequiredKeys<G>>]?: OptionOf<G[K]> };
/** The zod schema of a row: groups stay objects (so instrument files can extend them). */
type SchemaOf<R> = R extends ZoneGroupRow<infer G> ? z.ZodObject<ShapeOf<G>, z.core.$strict>
  : z.ZodType<OptionOf<R>, OptionOf<R>>;
type ShapeOf<G> = {
  -readonly [K in keyof G]: G[K] extends { required: true } ? SchemaOf<G[K]>
    : z.ZodOptional<SchemaOf<G[K]>>;
};

/** "[70,60] runs backwards: low 70 is above high 60" for a [lo, hi] pair given the wrong way round. */
function inOrder(pair: [number, number], ctx: z.RefinementCtx): void {
  if (pair[0] > pair[1]) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(pair)} runs backwards: low ${pair[0]} is above high ${pair[1]}`,
      input: pair,
    });
  }
}

function rowSchema(row: ZoneRow): z.ZodType {
  switch (row.kind) {
    case "group":
      return groupSchema(row.rows);
    case "pair": {
      const n = numberSchema(row.members[0].type, row.min, row.max);
      return z.tuple([n, n]).superRefine(inOrder).describe(row.doc);
    }
    case "names": {
      const named = z.enum(Object.keys(row.names) as [string, ...string[]]);
      const s = row.numbers
        ? z.union([named, z.number().int().min(row.numbers[0]).max(row.numbers[1])])
        : named;
      return s.describe(row.doc);
    }
    default:
      return numberSchema(row.member.type, row.min, row.max).describe(row.doc);
  }
}

function numberSchema(type: MemberType, min: number, max: number): z.ZodNumber {
  return (type === "f32" ? z.number() : z.number().int()).min(min).max(max);
}

function groupSchema<G extends Readonly<Record<string, ZoneRow>>>(
  rows: G,
): z.ZodObject<ShapeOf<G>, z.core.$strict> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, row] of Object.entries(rows)) {
    const s = rowSchema(row);
    shape[key] = "required" in row && row.required ? s : s.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodObject<ShapeOf<G>, z.core.$strict>;
}

const zoneFields = groupSchema(ZONE_OPTIONS);

/** Loop points: the start lies before the end. */
const LoopOptionsSchema = zoneFields.shape.loop.unwrap().superRefine((loop, ctx) => {
  if (loop.start !== undefined && loop.end !== undefined && loop.start >= loop.end) {
    ctx.addIssue({
      code: "custom",
      path: ["end"],
      message: `${loop.end} is not after the loop start ${loop.start}`,
      input: loop.end,
    });
  }
});

/**
 * A zone's per-voice filter (12 dB/octave state-variable). Cents shift the
 * cutoff: 1200 is an octave up. Built from `ZONE_OPTIONS.filter`.
 */
export const FilterOptionsSchema = zoneFields.shape.filter.unwrap();

/** Loop behaviour of a zone. */
export const LoopModeSchema = zoneFields.shape.loop.unwrap().shape.mode;

/**
 * A zone: which keys and velocities play a sample, and how. Built from
 * ZONE_OPTIONS in lib/ffi/layout.ts (one row per ms_zone_t member, with its
 * range and doc); a missing field takes ms_zone_init's default.
 */
export const ZoneOptionsSchema = zoneFields.extend({
  /** Loop mode and optional loop points in frames (end exclusive). @default { mode: "auto" } */
  loop: LoopOptionsSchema.optional(),
  /**
   * Velocity-to-gain curve as [velocity 0..127, linear gain 0..4] points,
   * interpolated linearly (SFZ amp_velcurve_N); replaces velocityTrack.
   * Velocity 0 is 0 and 127 is 1 unless given. @default none: velocityTrack's square law
   */
  velocityCurve: z.array(z.tuple([midiKey, z.number().min(0).max(4)])).min(1).optional(),
  /**
   * Per-note controls the zone's notes play unless the instrument or the note
   * sets them: `{ cutoff: 2000, attack: 0.01, room: 0.2, vowel: "a" }` (every
   * control of lib/ffi/control_table.ts, in its unit and range). @default none
   */
  controls: ControlsSchema.optional(),
  /**
   * Modulation rows (SFZ's CC-driven opcodes): CC ranges and triggers,
   * crossfades, amplitude/volume/pan/pitch/cutoff from a CC, velocity, key,
   * bend or a random value; see {@linkcode ZoneModSchema}. @default none
   */
  mods: z.array(ZoneModSchema).optional(),
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
