/**
 * FFI contract: the TypeScript mirror of engine/include/midi_sampler.h.
 * Parses the header itself (no hand-copied numbers) and checks that every
 * status code maps to a typed error, that every struct layout in
 * lib/ffi/layout.ts matches the C layout (natural alignment from the field
 * types, the offset comments and the _Static_assert sizes), that the
 * constants agree, and that the built library agrees at run time.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  ALT,
  BACKEND,
  EV,
  FILE_FORMAT,
  FILTER,
  INTERP,
  LOOP,
  MIDI,
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

Deno.test("every MS_ERR_* code from -1 to MS_ERR_LAST_CODE maps to a typed error", () => {
  const errs = defines("MS_ERR_");
  const last = errs.get("MS_ERR_LAST_CODE");
  assert.ok(last !== undefined && last < 0, "MS_ERR_LAST_CODE not found in the header");
  const byValue = new Map<number, string>();
  for (const [name, value] of errs) if (name !== "MS_ERR_LAST_CODE") byValue.set(value, name);
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
    ["MS_MIDI_", MIDI],
  ];
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
  const last = defines("MS_ERR_").get("MS_ERR_LAST_CODE")!;
  for (let c = -1; c >= last; c--) {
    const text = strerror(c);
    assert.ok(text.length > 0 && text !== "unknown error", `ms_strerror(${c}) is "${text}"`);
  }
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
