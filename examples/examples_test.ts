/**
 * The examples against a recording stand-in for the engine (no library
 * needed): every note is on a shipped instrument's zone, is released, and
 * starts inside the render; the generative piece follows its seed.
 * (Rendering them for real is what `deno task render` does; see each header.)
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Clock } from "../lib/engine/clock.ts";
import { Random } from "../lib/engine/random.ts";
import type { PerformanceContext } from "../lib/mod.ts";
import { readDefinition } from "../lib/instrument/mod.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

interface Played {
  instrument: string;
  type: "on" | "off";
  note: number;
  velocity: number;
  frame: number;
}

/** Run a performance script against recording instruments. */
async function record(script: string, seed: number, seconds: number): Promise<Played[]> {
  const clock = new Clock(48000, 120);
  const log: Played[] = [];
  const fake = (name: string) => ({
    noteOn(note: number, velocity: number, opts: { at: Parameters<Clock["framesFor"]>[0] }) {
      log.push({ instrument: name, type: "on", note, velocity, frame: clock.framesFor(opts.at) });
    },
    noteOff(note: number, opts: { at: Parameters<Clock["framesFor"]>[0] }) {
      log.push({
        instrument: name,
        type: "off",
        note,
        velocity: 0,
        frame: clock.framesFor(opts.at),
      });
    },
  });
  const ctx = {
    sampler: undefined,
    clock,
    random: new Random(seed),
    seconds,
    seed,
    instrument: (name: string) => Promise.resolve(fake(name)),
  } as unknown as PerformanceContext;
  const mod = await import(join(ROOT, "examples", script));
  await mod.default(ctx);
  return log;
}

/** Check every note lands on a zone of its instrument and is released later. */
async function checkPlayable(log: Played[], seconds: number) {
  const zones = new Map<string, [number, number, number, number][]>();
  for (const name of new Set(log.map((p) => p.instrument))) {
    const { definition } = await readDefinition(join(ROOT, "instruments", `${name}.ts`));
    zones.set(
      name,
      definition.zones.map((z) => [...(z.keys ?? [0, 127]), ...(z.velocities ?? [1, 127])]),
    );
  }
  const open = new Map<string, number>();
  for (const p of log) {
    assert.ok(p.frame >= 0 && p.frame < seconds * 48000, `event at frame ${p.frame}`);
    const key = `${p.instrument}:${p.note}:${p.frame}`;
    if (p.type === "on") {
      const hit = zones.get(p.instrument)!.some(([lo, hi, vlo, vhi]) =>
        lo <= p.note && p.note <= hi && vlo <= p.velocity && p.velocity <= vhi
      );
      assert.ok(hit, `${p.instrument} has no zone for note ${p.note} velocity ${p.velocity}`);
      open.set(key, (open.get(key) ?? 0) + 1);
    }
  }
  const ons = log.filter((p) => p.type === "on");
  const offs = log.filter((p) => p.type === "off");
  assert.equal(ons.length, offs.length);
  for (const on of ons) {
    assert.ok(
      offs.some((off) =>
        off.instrument === on.instrument && off.note === on.note && off.frame > on.frame
      ),
      `${on.instrument} note ${on.note} at ${on.frame} is never released`,
    );
  }
}

Deno.test("hello: a few bars on all three instruments, inside the default 10 s", async () => {
  const log = await record("hello.ts", 1, 10);
  assert.deepEqual(new Set(log.map((p) => p.instrument)), new Set(["drums", "epiano", "bass"]));
  await checkPlayable(log, 10);
  const lastOff = Math.max(...log.map((p) => p.frame));
  assert.ok(lastOff <= 9.6 * 48000, `the last release is at ${lastOff / 48000} s`);
});

Deno.test("generative: the same seed plays the same notes, another seed others", async () => {
  const a = await record("generative.ts", 7, 20);
  const b = await record("generative.ts", 7, 20);
  const c = await record("generative.ts", 8, 20);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((p) => p.note), c.map((p) => p.note));
  await checkPlayable(a, 20);
  await checkPlayable(c, 20);
  for (const seed of [1, 2, 3, 4, 5]) {
    await checkPlayable(await record("generative.ts", seed, 12), 12);
  }
});

Deno.test("effects: every event resolves to a shipped sound with engine controls, on two orbits", async () => {
  const { evaluateSet, setFunctionOf } = await import("../lib/live/set.ts");
  const { toSource, TICKS_PER_CYCLE } = await import("../lib/live/source.ts");
  const { DEFAULT_SOUNDS, KNOWN_CONTROLS, resolveControls } = await import(
    "../lib/pattern/controls.ts"
  );
  const mod = await import(join(ROOT, "examples", "effects.ts"));
  const snap = await evaluateSet(setFunctionOf(mod.default)!, 1);
  const orbits = new Set<number>();
  const used = new Set<string>();
  for (const [name, def] of snap.parts) {
    const meter = { beatsPerCycle: snap.beatsPerCycle, beatsPerBar: snap.beatsPerBar };
    const events = toSource(def, meter, 1, name).query(0, 8 * TICKS_PER_CYCLE);
    assert.ok(events.length > 0, name);
    for (const ev of events) {
      for (const key of Object.keys(ev.value)) {
        assert.ok(KNOWN_CONTROLS.has(key), `${name}: ${key}`);
      }
      const r = resolveControls(ev.value, { ...DEFAULT_SOUNDS, ...snap.sounds });
      assert.ok(r !== null && typeof r === "object", `${name}: ${JSON.stringify(r)}`);
      assert.deepEqual(r.problems, [], name);
      orbits.add(r.controls.orbit!);
      for (const k of Object.keys(r.controls)) used.add(k);
    }
  }
  assert.deepEqual([...orbits].sort(), [0, 1]); // Strudel's orbits 1 and 2
  for (
    const k of [
      "cutoff",
      "hcutoff",
      "lpenv",
      "attack",
      "release",
      "room",
      "delay",
      "vowel",
      "crush",
    ]
  ) {
    assert.ok(used.has(k), `effects.ts uses ${k}`);
  }
});
