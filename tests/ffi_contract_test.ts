/**
 * FFI contract: the TypeScript mirror of engine/include/midi_sampler.h.
 * Parses the header itself (no hand-copied numbers) and checks that every
 * status code maps to a typed error, that every struct layout in
 * lib/ffi/layout.ts matches the C layout (natural alignment from the field
 * types, the offset comments and the _Static_assert sizes), that the
 * constants agree, and that the built library agrees at run time: its
 * ms_strerror text is the header's list, and its field tables
 * (ms_field_info) accept exactly what the TypeScript zone schema,
 * per-note options and parameter table accept, row by row, at and just
 * beyond every range.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  ALT,
  AUDIO,
  BACKEND,
  CURVE,
  EV,
  FIELD,
  FIELDS,
  FILE_FORMAT,
  FILTER,
  INTERP,
  LFO,
  LOOP,
  MAX_ORBITS,
  MIDI,
  MOD,
  OFF,
  OUTPUT,
  PARAM,
  PCM,
  RT_STATUS,
  SAMPLE_FORMAT,
  STATS,
  STATUS,
  STRUCTS,
  TRIGGER,
  XF,
  ZONE_OPTIONS,
  type ZoneRow,
} from "../lib/ffi/layout.ts";
import { ERROR_CODES, errorFromCode, MidiSamplerError } from "../lib/errors.ts";
import { SYMBOLS } from "../lib/ffi/symbols.ts";

const HEADER = fileURLToPath(new URL("../engine/include/midi_sampler.h", import.meta.url));
const header = Deno.readTextFileSync(HEADER);
/** The header without comments (offset comments are read separately). */
const code = header.replace(
  /\/\*[\s\S]*?\*\//g,
  (m) => " ".repeat(0) + (m.includes("\n") ? "\n" : " "),
);

/** `#define NAME value` for integer values, parenthesised negatives and `0u` suffixes. */
function defines(prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^#define\\s+(${prefix}\\w*)\\s+\\(?(-?\\d+)u?\\)?`, "gm");
  for (const m of header.matchAll(re)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** The header's status list, MS_STATUS_CODES: name -> [value, ms_strerror text]; and MS_ERR_LAST_CODE. */
function statusCodes(): { rows: Map<string, [number, string]>; last: number | undefined } {
  const rows = new Map<string, [number, string]>();
  for (const m of header.matchAll(/^\s*X\((MS_\w+),\s*(-?\d+),\s*"([^"]*)"\)/gm)) {
    rows.set(m[1]!, [Number(m[2]), m[3]!]);
  }
  const last = header.match(/MS_ERR_LAST_CODE\s*=\s*\(?(-\d+)\)?/);
  return { rows, last: last ? Number(last[1]) : undefined };
}

Deno.test("every MS_ERR_* code from -1 to MS_ERR_LAST_CODE maps to a typed error", () => {
  const { rows, last } = statusCodes();
  const errs = new Map(
    [...rows].filter(([n]) => n.startsWith("MS_ERR_")).map(([n, [v]]) => [n, v]),
  );
  assert.equal(rows.get("MS_OK")?.[0], 0, "MS_OK is not 0 in the header's list");
  assert.ok(last !== undefined && last < 0, "MS_ERR_LAST_CODE not found in the header");
  const byValue = new Map<number, string>();
  for (const [name, value] of errs) byValue.set(value, name);
  for (let c = -1; c >= last; c--) {
    const name = byValue.get(c);
    assert.ok(name, `the header has no MS_ERR_* with value ${c}`);
    const entry = ERROR_CODES.get(c);
    assert.ok(entry, `${name} (${c}) has no mapping in lib/errors.ts`);
    assert.equal(entry.name, name, `code ${c} is ${name} in C but ${entry.name} in TypeScript`);
    const err = errorFromCode(c, `Cannot test: code ${c}`);
    assert.ok(err instanceof MidiSamplerError);
    assert.notEqual(err.constructor, MidiSamplerError, `${name} maps to the untyped base class`);
    assert.equal(err.code, name);
    assert.equal(err.status, c);
    // the STATUS table of layout.ts agrees too
    assert.equal((STATUS as Record<string, number>)[name.slice("MS_ERR_".length)], c);
  }
  assert.equal(ERROR_CODES.size, -last, "errors.ts maps codes the header does not define");
});

Deno.test("constants in lib/ffi/layout.ts equal the header's #defines", () => {
  const tables: [string, Record<string, number>][] = [
    ["MS_INTERP_", INTERP],
    ["MS_LOOP_", LOOP],
    ["MS_ALT_", ALT],
    ["MS_PARAM_", PARAM],
    ["MS_EV_", EV],
    ["MS_FILE_", FILE_FORMAT],
    ["MS_SAMPLE_", SAMPLE_FORMAT],
    ["MS_RT_", RT_STATUS],
    ["MS_BACKEND_", BACKEND],
    ["MS_PCM_", PCM],
    ["MS_OUTPUT_", OUTPUT],
    ["MS_TRIGGER_", TRIGGER],
    ["MS_OFF_", OFF],
    ["MS_FILTER_", FILTER],
    ["MS_AUDIO_", AUDIO],
    ["MS_FIELDS_", FIELDS],
    ["MS_FIELD_", FIELD],
    ["MS_MIDI_", MIDI],
    ["MS_MOD_", MOD],
    ["MS_CURVE_", CURVE],
    ["MS_XF_", XF],
    ["MS_LFO_", LFO],
  ];
  assert.equal(defines("MS_MAX_ORBITS").get("MS_MAX_ORBITS"), MAX_ORBITS, "MS_MAX_ORBITS");
  for (const [prefix, table] of tables) {
    const c = defines(prefix);
    assert.ok(c.size > 0, `no ${prefix}* in the header`);
    for (const [name, value] of c) {
      const key = name.slice(prefix.length);
      assert.equal(table[key], value, `${name} is ${value} in C, ${table[key]} in TypeScript`);
    }
    assert.equal(Object.keys(table).length, c.size, `${prefix}* tables differ in size`);
  }
});

interface CField {
  name: string;
  offset: number;
  size: number;
  commentOffset?: number;
}

const C_TYPES: Record<string, number> = {
  char: 1,
  uint8_t: 1,
  int8_t: 1,
  uint16_t: 2,
  int16_t: 2,
  uint32_t: 4,
  int32_t: 4,
  float: 4,
  uint64_t: 8,
  int64_t: 8,
  double: 8,
};

/** Parse every `typedef struct x { ... } x_t;` into fields with natural-alignment offsets. */
function parseStructs(): Map<string, { fields: CField[]; size: number; align: number }> {
  const structs = new Map<string, { fields: CField[]; size: number; align: number }>();
  const re = /typedef struct \w+ \{([\s\S]*?)\} (\w+);/g;
  for (const m of header.matchAll(re)) {
    const body = m[1]!;
    const fields: CField[] = [];
    let offset = 0;
    let align = 1;
    for (const rawLine of body.split("\n")) {
      const comment = rawLine.match(/\/\*\s*(\d+)\s*[:,*]/);
      const line = rawLine.replace(/\/\*.*?\*\//g, "").replace(/\/\*.*$/, "").trim();
      const d = line.match(/^(\w+)\s+([^;]+);/);
      if (!d) continue;
      const type = d[1]!;
      let size: number, alignment: number;
      if (C_TYPES[type] !== undefined) {
        size = alignment = C_TYPES[type]!;
      } else {
        const nested = structs.get(type);
        assert.ok(nested, `unknown field type ${type} in ${m[2]}`);
        size = nested.size;
        alignment = nested.align;
      }
      const declarators = d[2]!.split(",").map((s) => s.trim());
      declarators.forEach((decl, i) => {
        const arr = decl.match(/^(\w+)\s*\[(\d+)\]$/);
        const name = arr ? arr[1]! : decl;
        const count = arr ? Number(arr[2]) : 1;
        offset = Math.ceil(offset / alignment) * alignment;
        const f: CField = { name, offset, size: size * count };
        // "/* 0, 1: ..." gives one offset per declarator on the line
        if (comment) {
          const offs = rawLine.match(/\/\*\s*([\d,\s]+)[:*]/)?.[1]?.split(",").map((s) =>
            Number(s)
          );
          const o = offs?.[i];
          if (o !== undefined && !Number.isNaN(o)) f.commentOffset = o;
        }
        fields.push(f);
        offset += size * count;
        align = Math.max(align, alignment);
      });
    }
    const size = Math.ceil(offset / align) * align;
    structs.set(m[2]!, { fields, size, align });
  }
  return structs;
}

function staticAssertSizes(): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of code.matchAll(/_Static_assert\(sizeof\((\w+)\)\s*==\s*(\d+)/g)) {
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

Deno.test("struct layouts in lib/ffi/layout.ts match the header", () => {
  const structs = parseStructs();
  const sizes = staticAssertSizes();
  for (const [cname, layout] of Object.entries(STRUCTS)) {
    const c = structs.get(cname);
    assert.ok(c, `struct ${cname} not found in the header`);
    assert.equal(sizes.get(cname), c.size, `${cname}: computed size differs from _Static_assert`);
    assert.equal(layout.size, c.size, `${cname}: TypeScript size ${layout.size}, C size ${c.size}`);
    for (const f of c.fields) {
      if (f.commentOffset !== undefined) {
        assert.equal(
          f.offset,
          f.commentOffset,
          `${cname}.${f.name}: comment says ${f.commentOffset}`,
        );
      }
      if (f.name.startsWith("reserved") && !(f.name in layout.fields)) continue;
      const ts = layout.fields[f.name];
      assert.ok(ts, `${cname}.${f.name} is missing from lib/ffi/layout.ts`);
      assert.equal(
        ts.offset,
        f.offset,
        `${cname}.${f.name}: TS offset ${ts.offset}, C ${f.offset}`,
      );
    }
    assert.equal(
      Object.keys(layout.fields).filter((k) => !k.startsWith("reserved")).length,
      c.fields.filter((f) => !f.name.startsWith("reserved")).length,
      `${cname}: field count differs`,
    );
  }
  // every struct that crosses is mirrored
  for (const name of ["ms_audio_config_t", "ms_zone_t", "ms_event_t", "ms_stats_t"]) {
    assert.ok(name in STRUCTS, `${name} has no TypeScript layout`);
  }
});

Deno.test("every MS_API function of the header has a Deno.dlopen signature of matching arity", () => {
  const fns = new Map<string, number>();
  for (const m of code.matchAll(/MS_API\s+[\w\s*]+?\b(ms_\w+)\s*\(([^)]*)\)/g)) {
    const params = m[2]!.trim();
    fns.set(m[1]!, params === "void" || params === "" ? 0 : params.split(",").length);
  }
  assert.ok(fns.size > 30, `only ${fns.size} functions parsed`);
  const ts = SYMBOLS as Record<string, { parameters: readonly string[]; name?: string }>;
  for (const [name, arity] of fns) {
    assert.ok(ts[name], `${name} has no signature in lib/ffi/symbols.ts`);
    assert.equal(ts[name].parameters.length, arity, `${name}: arity differs`);
  }
  for (const [key, sig] of Object.entries(ts)) {
    // a second binding of one function (e.g. its nonblocking variant) names it with `name`
    const name = sig.name ?? key;
    assert.ok(fns.has(name), `${name} is not in the header`);
    assert.equal(sig.parameters.length, fns.get(name), `${key}: arity differs from ${name}`);
  }
});

Deno.test("the built library agrees: strerror for every code, zone defaults, live stats block", async () => {
  const { strerror, engineVersion, NativeSampler, NativeInstrument } = await import(
    "../lib/ffi/native.ts"
  );
  const { rows, last } = statusCodes();
  for (const [name, [c, text]] of rows) {
    assert.equal(strerror(c), text, `ms_strerror(${name}) is not the header's text`);
  }
  assert.equal(strerror(last! - 1), "unknown error");
  const v = defines("MS_VERSION_");
  assert.equal(
    engineVersion(),
    `${v.get("MS_VERSION_MAJOR")}.${v.get("MS_VERSION_MINOR")}.${v.get("MS_VERSION_PATCH")}`,
  );
  const z = NativeInstrument.zoneDefaults();
  assert.deepEqual(
    [z.lo_key, z.hi_key, z.lo_vel, z.hi_vel, z.root_key, z.loop_mode],
    [0, 127, 1, 127, 60, LOOP.AUTO],
  );
  assert.equal(z.velocity_track, 1);
  assert.equal(z.sustain, 1);
  assert.ok(Math.abs(z.release_s - 0.05) < 1e-6, `release_s ${z.release_s}`);
  const s = NativeSampler.create({ sample_rate: 44100 });
  try {
    assert.equal(s.stat("struct_size"), STATS.size);
    assert.equal(s.stat("sample_rate"), 44100);
    assert.equal(s.config.sample_rate, 44100);
    assert.equal(s.config.channels, 2);
    assert.equal(s.config.interpolation === 0 || s.config.interpolation === INTERP.CUBIC, true);
    assert.equal(s.now(), 0);
    const buf = new Float32Array(2 * 256);
    s.process(buf, 256);
    assert.equal(s.now(), 256, "frames_rendered in the live block did not advance");
  } finally {
    s.destroy();
  }
});

Deno.test("the meters at the end of the stats block: output and orbit peaks, orbits awake", async () => {
  const { Sampler } = await import("../lib/engine/sampler.ts");
  using sampler = Sampler.open({ sampleRate: 48000 });
  const quiet = sampler.meters();
  assert.equal(quiet.output, 0);
  assert.equal(quiet.awake, 0);
  assert.deepEqual(quiet.orbits, new Array(16).fill(0));
  const sine = new Float32Array(48000).map((_, i) => 0.5 * Math.sin(i / 48000 * 2 * Math.PI * 440));
  const inst = sampler.createInstrument("sine");
  inst.addZone(sampler.createSample(sine), { rootKey: 69 });
  inst.noteOn(69, 127, { at: 0 });
  inst.noteOn(69, 127, { at: 0, controls: { orbit: 3, room: 0.5 } });
  const audio = sampler.process(4800);
  const peak = audio.reduce((p, x) => Math.max(p, Math.abs(x)), 0);
  const m = sampler.meters();
  assert.ok(peak > 0.1, `rendered peak ${peak}`);
  // held with a 20 dB/s fall: at most the rendered peak, at least the fall over 0.1 s below it
  assert.ok(
    m.output <= peak + 2e-6 && m.output >= peak * 0.79,
    `output meter ${m.output}, peak ${peak}`,
  );
  assert.equal(m.awake, 1 << 3, `orbits awake ${m.awake.toString(2)}`);
  assert.ok(m.orbits[3]! > 0.001, `orbit 3 meter ${m.orbits[3]}`);
  m.orbits.forEach((v, k) => k === 3 || assert.equal(v, 0, `orbit ${k} meter ${v}`));
});

Deno.test("a C-side failure carries the engine's detail message (thread-local before a handle exists)", async () => {
  const { NativeSampler } = await import("../lib/ffi/native.ts");
  const { EngineRangeError } = await import("../lib/errors.ts");
  assert.throws(
    () => NativeSampler.create({ sample_rate: 1 }),
    (e: unknown) =>
      e instanceof EngineRangeError && e.status === STATUS.OUT_OF_RANGE &&
      /^Cannot \w+/.test(e.message) && e.message.includes("1") && !e.message.endsWith("."),
  );
});

const FLT_MIN = 2 ** -126;

/** The float32 next to x towards -Infinity (dir -1) or +Infinity (dir +1), skipping subnormals. */
function nextFloat32(x: number, dir: -1 | 1): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  if (f[0] === 0) {
    u[0] = dir > 0 ? 1 : 0x80000001;
  } else if ((f[0]! > 0) === (dir > 0)) u[0]!++;
  else u[0]!--;
  const y = f[0]!;
  return Math.abs(y) < FLT_MIN ? Math.sign(y) * FLT_MIN : y;
}

interface Described {
  min: number;
  max: number;
  extra: number;
  type: number;
  flags: number;
}

/** Min, max, just outside both (in the field's own C type), the extra value, NaN for floats. */
function candidates(f: Described): number[] {
  // offset and loop points: the sample and the loop's other end limit them further
  const perSample = (f.flags & FIELD.PER_SAMPLE) !== 0;
  const out = perSample ? [] : [f.min, f.max];
  if (f.type === FIELD.F32) {
    out.push(nextFloat32(Math.fround(f.min), -1), NaN);
    if (!perSample) out.push(nextFloat32(Math.fround(f.max), 1));
  } else {
    out.push(f.min - 1);
    if (!perSample) out.push(f.max + 1);
  }
  if (f.flags & FIELD.EXTRA) out.push(f.extra);
  return out;
}

/** ms_field_info's rule: finite and min..max (compared as the C type holds it), or the extra value. */
function describedAccepts(f: Described, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  if ((f.flags & FIELD.EXTRA) && v === f.extra) return true;
  if (f.type === FIELD.F32) {
    return Math.fround(v) >= Math.fround(f.min) && Math.fround(v) <= Math.fround(f.max);
  }
  return v >= f.min && v <= f.max;
}

/** A value the C type cannot hold: no caller can pass it, so TypeScript must refuse it. */
function representable(type: number, v: number): boolean {
  if (type === FIELD.F32) return true;
  const max = type === FIELD.U8 ? 255 : 4294967295;
  return Number.isInteger(v) && v >= 0 && v <= max;
}

/** Each zone option row by ms_zone_t member, with its path in the options. */
/** TypeScript's check and C's accept or refuse a value alike. */
function assertSameVerdict(ts: boolean, cAccepts: boolean, what: string): void {
  const verdict = (ok: boolean) => ok ? "accepts" : "refuses";
  assert.equal(ts, cAccepts, `${what}: TypeScript ${verdict(ts)}, C ${verdict(cAccepts)}`);
}

function rowsByMember(): Map<string, { path: string[]; row: ZoneRow; index: 0 | 1 | undefined }> {
  const out = new Map<string, { path: string[]; row: ZoneRow; index: 0 | 1 | undefined }>();
  const walk = (rows: Readonly<Record<string, ZoneRow>>, path: string[]) => {
    for (const [key, row] of Object.entries(rows)) {
      if (row.kind === "group") walk(row.rows, [...path, key]);
      else if (row.kind === "pair") {
        row.members.forEach((m, i) =>
          out.set(m.name, { path: [...path, key], row, index: i as 0 | 1 })
        );
      } else out.set(row.member.name, { path: [...path, key], row, index: undefined });
    }
  };
  walk(ZONE_OPTIONS, []);
  return out;
}

/** A valid value for a required sibling. */
function someValue(row: ZoneRow): unknown {
  if (row.kind === "names") return Object.keys(row.names)[0];
  if (row.kind === "number") return Math.min(row.max, Math.max(row.min, 0));
  return undefined;
}

/**
 * Zone options setting one member to v, with the required siblings of every
 * group on the way filled in and a pair's other end equal to v (clamped).
 * undefined when the options cannot say v (a code with no name).
 */
function optionsFor(path: string[], row: ZoneRow, index: 0 | 1 | undefined, v: number): unknown {
  let leaf: unknown = v;
  if (row.kind === "pair") {
    const other = Number.isNaN(v) ? row.min : Math.min(row.max, Math.max(row.min, v));
    leaf = index === 0 ? [v, other] : [other, v];
  } else if (row.kind === "names") {
    const name = Object.entries(row.names).find(([, code]) => code === v)?.[0];
    if (name !== undefined) leaf = name;
    else if (!row.numbers) return undefined;
  }
  const root: Record<string, unknown> = {};
  let node = root;
  let rows: Readonly<Record<string, ZoneRow>> = ZONE_OPTIONS;
  path.forEach((key, i) => {
    for (const [k, r] of Object.entries(rows)) {
      if (k !== key && r.kind !== "group" && r.kind !== "pair" && r.required) {
        node[k] = someValue(r);
      }
    }
    if (i === path.length - 1) {
      node[key] = leaf;
    } else {
      const child: Record<string, unknown> = {};
      node[key] = child;
      node = child;
      rows = (rows[key] as Extract<ZoneRow, { kind: "group" }>).rows;
    }
  });
  return root;
}

Deno.test("zone options agree with the engine's zone table at and beyond every range", async () => {
  const { fieldTable, NativeSampler } = await import("../lib/ffi/native.ts");
  const { ZoneOptionsSchema } = await import("../lib/engine/options.ts");
  const table = fieldTable(FIELDS.ZONE);
  const byMember = rowsByMember();
  assert.deepEqual(
    table.map((f) => f.name).sort(),
    [...byMember.keys()].sort(),
    "ms_zone_t members in the engine's table and in ZONE_OPTIONS differ",
  );
  const s = NativeSampler.create({});
  try {
    const inst = s.createInstrument("walk");
    const sample = s.loadSample(
      fileURLToPath(new URL("../instruments/samples/bass/e1.wav", import.meta.url)),
    );
    let checked = 0;
    for (const f of table) {
      const { path, row, index } = byMember.get(f.name)!;
      const m = row.kind === "pair"
        ? row.members[index!]
        : (row as { member: { offset: number } }).member;
      assert.equal(m.offset, f.id, `${f.name}: offset ${m.offset} in ZONE_OPTIONS, ${f.id} in C`);
      for (const v of candidates(f)) {
        const what = `${f.name} = ${v} (${path.join(".")})`;
        // the engine's own check, through ms_instrument_add_zone
        let cAccepts = false;
        if (representable(f.type, v)) {
          const rec: Record<string, number> = { [f.name]: v };
          if (row.kind === "pair") {
            const other = row.members[1 - index!]!.name;
            rec[other] = Number.isNaN(v) ? f.min : Math.min(f.max, Math.max(f.min, v));
          }
          try {
            inst.addZone(sample, rec, "walk");
            cAccepts = true;
          } catch { /* refused */ }
          assert.equal(
            cAccepts,
            describedAccepts(f, v),
            `${what}: ms_field_info and the check differ`,
          );
        }
        // the zod schema; a value the options cannot name is the one left out
        const opts = optionsFor(path, row, index, v);
        const leftOut = v === f.defaultValue || ((f.flags & FIELD.EXTRA) !== 0 && v === f.extra);
        if (opts === undefined || (leftOut && !describedAccepts({ ...f, flags: 0 }, v))) {
          assert.ok(
            leftOut || !cAccepts,
            `${what}: the engine takes it but ZoneOptions cannot say it`,
          );
          continue;
        }
        const ts = ZoneOptionsSchema.safeParse(opts).success;
        assertSameVerdict(ts, cAccepts, what);
        checked++;
      }
    }
    assert.ok(checked > 150, `only ${checked} values compared`);
    sample.destroy();
  } finally {
    s.destroy();
  }
});

Deno.test("per-note options and instrument parameters agree with the engine's tables", async () => {
  const { fieldTable } = await import("../lib/ffi/native.ts");
  const { inRange, NOTE_OPTIONS, PARAMS } = await import("../lib/engine/instrument.ts");
  const notes = fieldTable(FIELDS.NOTE);
  assert.deepEqual(
    notes.map((f) => f.name).sort(),
    Object.values(NOTE_OPTIONS).map((o) => o.member).sort(),
  );
  for (const f of notes) {
    const o = Object.values(NOTE_OPTIONS).find((x) => x.member === f.name)!;
    for (const v of candidates(f)) {
      const c = describedAccepts(f, v) && representable(f.type, v);
      assert.equal(inRange(o, v), c, `note ${f.name} = ${v}`);
    }
  }
  const params = fieldTable(FIELDS.PARAM);
  assert.deepEqual(
    params.map((f) => f.id),
    Object.values(PARAMS).map((p) => p.id).sort((a, b) => a - b),
    "MS_PARAM_* in the engine's table and in PARAMS differ",
  );
  for (const f of params) {
    const [name, p] = Object.entries(PARAMS).find(([, x]) => x.id === f.id)!;
    assert.equal(
      name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()),
      f.name,
      `parameter ${f.id}: ${name} in TypeScript, ${f.name} in C`,
    );
    for (const v of candidates(f)) {
      assert.equal(inRange(p, v), describedAccepts(f, v), `parameter ${f.name} = ${v}`);
    }
  }
});

Deno.test("per-note controls agree with the engine's control table at and beyond every range", async () => {
  const { fieldTable, NativeSampler } = await import("../lib/ffi/native.ts");
  const { CONTROL_ROWS, controlsBlock } = await import("../lib/ffi/control_table.ts");
  const { controlPairs, ControlsSchema } = await import("../lib/engine/controls.ts");
  const table = fieldTable(4); // MS_FIELDS_CONTROL
  assert.deepEqual(table.map((f) => f.name), CONTROL_ROWS.map((r) => r.name));
  const s = NativeSampler.create({});
  try {
    const inst = s.createInstrument("walk");
    const sample = s.loadSample(
      fileURLToPath(new URL("../instruments/samples/bass/e1.wav", import.meta.url)),
    );
    const zone = inst.addZone(sample, {}, "walk");
    let checked = 0;
    for (const f of table) {
      const values = [f.min, f.max, nextFloat32(Math.fround(f.min), -1), NaN];
      values.push(nextFloat32(Math.fround(f.max), 1));
      if (f.flags & FIELD.ENUM) values.push(f.min + 0.5);
      for (const v of values) {
        const what = `control ${f.name} = ${v}`;
        // the engine's own check, through ms_instrument_set_zone_controls
        let cAccepts = false;
        try {
          inst.setZoneControls(zone, controlsBlock([[f.id, v]]), "walk");
          cAccepts = true;
        } catch { /* refused */ }
        let ts = true;
        try {
          controlPairs({ [f.name]: v } as never, "walk");
        } catch (err) {
          assert.ok(err instanceof RangeError, `${what}: ${err}`);
          assert.match((err as Error).message, new RegExp(`\\b${f.name}\\b`), what);
          ts = false;
        }
        const zod = ControlsSchema.safeParse({ [f.name]: v }).success;
        assertSameVerdict(ts, cAccepts, what);
        assert.equal(zod, cAccepts, `${what}: the zone schema and C differ`);
        checked++;
      }
    }
    assert.ok(checked >= 5 * table.length, `only ${checked} values compared`);
    sample.destroy();
  } finally {
    s.destroy();
  }
});
