/**
 * Compile a MIDI mapping into the engine's table records: validate with
 * zod (a failure is a MidiMapError carrying the path), resolve instrument
 * names to ids, and bake velocity curves and controller ranges/curves into
 * 128-entry tables so the render thread only looks values up.
 *
 * Thread: CT. Pure: no FFI (lib/ffi/native_midi.ts sends the records).
 *
 * @module
 */
import { MIDI } from "../ffi/layout.ts";
import type { CcMapRecord, ChannelRecord, LayerRecord } from "../ffi/native_midi.ts";
import { PARAMS } from "../engine/instrument.ts";
import { controlPairs, type Controls } from "../engine/controls.ts";
import { CONTROL_BY_NAME, PARAM_CONTROL } from "../ffi/control_table.ts";
import { formatPath, MidiMapError } from "./errors.ts";
import { keyNumber, type MidiMap, type MidiMapInput, MidiMapSchema } from "./schema.ts";
import { valueAt } from "../util/value_at.ts";

/** The records ms_midi_map_set takes. */
export interface CompiledMap {
  layers: LayerRecord[];
  ccMaps: CcMapRecord[];
  channels: ChannelRecord[];
  /** Instrument-level control values from the layers' `controls`: instrument id to [id, value, ...]. */
  controls: Map<number, number[]>;
}

/** What a controller sets: an MS_PARAM_* number (MS_PARAM_CONTROL + id for a control) and its range. */
function controllerTarget(c: MidiMap["controllers"][number]): {
  name: string;
  id: number;
  min: number;
  max: number;
} {
  if (c.control !== undefined) {
    const row = CONTROL_BY_NAME.get(c.control)!;
    return { name: c.control, id: PARAM_CONTROL + row.id, min: row.min, max: row.max };
  }
  const p = PARAMS[c.param!];
  return { name: c.param!, id: p.id, min: p.min, max: p.max };
}

/**
 * Validate a mapping and fill its defaults.
 *
 * @param input The mapping as written.
 * @param file The file it came from, for messages.
 * @returns The validated mapping.
 * @throws {MidiMapError} naming the path of the first bad value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMidiMap } from "./compile.ts";
 * try {
 *   parseMidiMap({ layers: [{ instrument: "piano", keys: [60, 200] }] });
 * } catch (e) {
 *   assert((e as Error).message.includes("layers[0].keys[1]"));
 * }
 * ```
 */
export function parseMidiMap(input: unknown, file?: string): MidiMap {
  const r = MidiMapSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
  const value = valueAt(input, issue.path);
  const where = file ? ` "${file}"` : "";
  throw new MidiMapError(
    `Cannot set MIDI map${where}: ${formatPath(path)} ${issue.message}, got ${
      JSON.stringify(value) ?? "undefined"
    }`,
    {
      path,
      value,
      cause: r.error,
      hint: "See docs/midi.md for the mapping fields",
      ...(file ? { file } : {}),
    },
  );
}

function channelMask(ch: "all" | number | number[]): number {
  if (ch === "all") return 0xffff;
  const list = typeof ch === "number" ? [ch] : ch;
  return list.reduce((m, c) => m | (1 << (c - 1)), 0);
}

/**
 * 128 output velocities (index = input velocity) for a curve.
 *
 * @param curve "linear", "soft" (√), "hard" (²), `{ fixed }` or `{ table }`.
 * @returns The table; entry 0 is 0.
 */
export function velocityTable(curve: MidiMap["layers"][number]["velocityCurve"]): Uint8Array {
  const t = new Uint8Array(128);
  for (let v = 1; v < 128; v++) {
    const x = v / 127;
    let out: number;
    if (curve === "linear") out = v;
    else if (curve === "soft") out = 127 * Math.sqrt(x);
    else if (curve === "hard") out = 127 * x * x;
    else if ("fixed" in curve) out = curve.fixed;
    else out = curve.table[v]!;
    t[v] = Math.max(
      typeof curve === "object" && "table" in curve ? 0 : 1,
      Math.min(127, Math.round(out)),
    );
  }
  return t;
}

function ccTable(
  c: MidiMap["controllers"][number],
  path: (string | number)[],
  file: string | undefined,
): Float32Array {
  const head = `Cannot set MIDI map${file ? ` "${file}"` : ""}`;
  const extra = file ? { file } : {};
  const p = controllerTarget(c);
  const [lo, hi] = c.range ?? [p.min, p.max];
  for (const [i, v] of [lo, hi].entries()) {
    if (!(v >= p.min && v <= p.max)) {
      throw new MidiMapError(
        `${head}: ${
          formatPath([...path, "range", i])
        } is ${v}, outside ${p.name}'s ${p.min}..${p.max}`,
        { path: [...path, "range", i], value: v, ...extra },
      );
    }
  }
  const t = new Float32Array(128);
  for (let v = 0; v < 128; v++) {
    const x = v / 127;
    let y: number;
    if (c.curve === "linear") y = x;
    else if (c.curve === "exp") y = x * x;
    else if (c.curve === "log") y = Math.sqrt(x);
    else if (c.curve === "switch") y = v >= 64 ? 1 : 0;
    else {
      const raw = c.curve.table[v]!;
      if (!(raw >= p.min && raw <= p.max)) {
        throw new MidiMapError(
          `${head}: ${
            formatPath([...path, "curve", "table", v])
          } is ${raw}, outside ${p.name}'s ${p.min}..${p.max}`,
          { path: [...path, "curve", "table", v], value: raw, ...extra },
        );
      }
      t[v] = raw;
      continue;
    }
    t[v] = lo + (hi - lo) * y;
  }
  return t;
}

/**
 * Compile a mapping into engine records.
 *
 * @param input The mapping as written (validated here).
 * @param instrumentId The id of an instrument by name; undefined when there is none.
 * @param file The mapping file, for messages.
 * @returns Layers, controller mappings and 16 channel settings.
 * @throws {MidiMapError} with the path of a bad value or an unknown instrument name.
 */
export function compileMidiMap(
  input: MidiMapInput | MidiMap,
  instrumentId: (name: string) => number | undefined,
  file?: string,
): CompiledMap {
  const map = parseMidiMap(input, file);
  const idOf = (name: string, path: (string | number)[]): number => {
    const id = instrumentId(name);
    if (id === undefined) {
      throw new MidiMapError(
        `Cannot set MIDI map${file ? ` "${file}"` : ""}: ${
          formatPath(path)
        } names instrument "${name}", which the sampler does not have`,
        {
          path,
          value: name,
          hint: "Create or load the instrument first (sampler.createInstrument, loadInstrument)",
          ...(file ? { file } : {}),
        },
      );
    }
    return id;
  };
  const layers: LayerRecord[] = map.layers.map((l, i) => ({
    channelMask: channelMask(l.channels),
    loKey: keyNumber(l.keys[0])!,
    hiKey: keyNumber(l.keys[1])!,
    loVel: l.velocities[0],
    hiVel: l.velocities[1],
    program: l.program ?? MIDI.ANY_PROGRAM,
    transpose: l.transpose,
    instrument: idOf(l.instrument, ["layers", i, "instrument"]),
    velocity: velocityTable(l.velocityCurve),
  }));
  const ccMaps: CcMapRecord[] = map.controllers.map((c, i) => ({
    channelMask: channelMask(c.channels),
    controller: c.cc,
    instrument: c.instrument === undefined
      ? 0
      : idOf(c.instrument, ["controllers", i, "instrument"]),
    param: controllerTarget(c).id,
    values: ccTable(c, ["controllers", i], file),
  }));
  const channels: ChannelRecord[] = [];
  for (let ch = 1; ch <= 16; ch++) {
    const c = map.channels.find((x) => x.channel === ch);
    channels.push({
      bendRange: c?.bendRange ?? map.bendRange ?? -1,
      program: c?.program ?? 0,
      passCc: c?.passControllers ?? true,
    });
  }
  const controls = new Map<number, number[]>();
  map.layers.forEach((l, i) => {
    if (!l.controls) return;
    const id = layers[i]!.instrument;
    const pairs = controls.get(id) ?? [];
    try {
      pairs.push(...controlPairs(l.controls as Controls, "control"));
    } catch (err) {
      throw new MidiMapError(
        `Cannot set MIDI map${file ? ` "${file}"` : ""}: ${
          formatPath(["layers", i, "controls"])
        }: ${(err as Error).message.replace(/^control: /, "")}`,
        { path: ["layers", i, "controls"], value: l.controls, ...(file ? { file } : {}) },
      );
    }
    controls.set(id, pairs);
  });
  return { layers, ccMaps, channels, controls };
}
