/**
 * What `deno task instrument inspect` shows: a definition's zones as table
 * rows, and the key/velocity ranges that overlap (zones that sound together
 * without being alternatives) or that no zone covers.
 *
 * Thread: CT. Pure (the CLI prints).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { noteName } from "./notes.ts";
import type { InstrumentDefinition, ZoneDefinition } from "./schema.ts";

/** One row of the zone table, every cell as text. */
export type ZoneRow = Record<(typeof ZONE_COLUMNS)[number], string>;

/** Column names, in order. */
export const ZONE_COLUMNS = [
  "#",
  "keys",
  "vel",
  "root",
  "sample",
  "loop",
  "trigger",
  "switch",
  "groups",
  "filter",
] as const;

function keyText(lo: number, hi: number): string {
  return lo === hi ? `${noteName(lo)}(${lo})` : `${noteName(lo)}..${noteName(hi)}(${lo}..${hi})`;
}

function loopText(z: ZoneDefinition): string {
  if (!z.loop) return "auto";
  const { mode, start, end } = z.loop;
  if (start === undefined && end === undefined) return mode;
  return `${mode} ${start ?? "file"}..${end ?? "file"}`;
}

function groupsText(z: ZoneDefinition): string {
  const parts: string[] = [];
  if (z.altGroup !== undefined) parts.push(`alt ${z.altGroup}${z.altMode === "random" ? "?" : ""}`);
  if (z.exclusiveGroup !== undefined) parts.push(`excl ${z.exclusiveGroup}`);
  if (z.offBy !== undefined && z.offBy !== "own" && !(z.offBy === "none" && !z.exclusiveGroup)) {
    parts.push(`off_by ${z.offBy}`);
  }
  if (z.random) parts.push(`rand ${z.random[0]}..${z.random[1]}`);
  if (z.midiChannels) parts.push(`ch ${z.midiChannels[0] + 1}..${z.midiChannels[1] + 1}`);
  return parts.join(" ");
}

function filterText(z: ZoneDefinition): string {
  const f = z.filter;
  if (!f) return "";
  const short = { lowpass: "lp", highpass: "hp", bandpass: "bp" }[f.type];
  let text = `${short} ${f.cutoffHz ?? 20000}Hz`;
  if (f.resonanceDb) text += ` +${f.resonanceDb}dB`;
  if (f.envelope?.depthCents) {
    text += ` eg${f.envelope.depthCents > 0 ? "+" : ""}${f.envelope.depthCents}c`;
  }
  if (f.cc) text += ` cc${f.cc.controller}`;
  return text;
}

/**
 * The zone table's rows.
 *
 * @param def a validated definition
 * @returns one row per zone
 */
export function zoneRows(def: InstrumentDefinition): ZoneRow[] {
  return def.zones.map((z, i) => {
    const [lo, hi] = z.keys ?? [0, 127];
    const [vlo, vhi] = z.velocities ?? [1, 127];
    const sw: string[] = [];
    if (z.keyswitch !== undefined) sw.push(`on ${noteName(z.keyswitch)}`);
    if (z.keyswitchRange) {
      const [a, b] = z.keyswitchRange;
      sw.push(`keys ${a === b ? noteName(a) : `${noteName(a)}..${noteName(b)}`}`);
    }
    return {
      "#": String(i),
      keys: keyText(lo, hi),
      vel: `${vlo}..${vhi}`,
      root: z.rootKey !== undefined ? noteName(z.rootKey) : lo === hi ? noteName(lo) : "file",
      sample: z.sample,
      loop: loopText(z),
      trigger: z.trigger ?? "attack",
      switch: sw.join(" "),
      groups: groupsText(z),
      filter: filterText(z),
    };
  });
}

/**
 * Lay rows out as an aligned text table (empty columns left out).
 *
 * @param rows the rows
 * @returns lines, header first
 */
export function formatTable(rows: readonly ZoneRow[]): string[] {
  const cols = ZONE_COLUMNS.filter((c) => c === "#" || rows.some((r) => r[c] !== ""));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((t, i) => t.padEnd(width[i]!)).join("  ").trimEnd();
  return [
    line([...cols]),
    line(width.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(cols.map((c) => r[c]))),
  ];
}

/** Two zones can sound together on one note: same trigger, keyswitch, channels, random range, and not alternatives. */
function together(a: ZoneDefinition, b: ZoneDefinition): boolean {
  if ((a.trigger ?? "attack") !== (b.trigger ?? "attack")) return false;
  if (a.keyswitch !== undefined && b.keyswitch !== undefined && a.keyswitch !== b.keyswitch) {
    return false;
  }
  const [ca0, ca1] = a.midiChannels ?? [0, 15], [cb0, cb1] = b.midiChannels ?? [0, 15];
  if (ca1 < cb0 || cb1 < ca0) return false;
  const [ra0, ra1] = a.random ?? [0, 1], [rb0, rb1] = b.random ?? [0, 1];
  if (ra1 <= rb0 || rb1 <= ra0) return false;
  if (a.altGroup !== undefined && a.altGroup === b.altGroup) return false;
  return true;
}

/**
 * Warnings about ranges: zones that play together on some key and velocity
 * (layers; often intended, worth a look) and keys or velocities no zone
 * answers between the lowest and highest key played (keyswitch keys
 * excepted). Release zones are checked for overlaps only.
 *
 * @param def a validated definition
 * @returns one line per finding
 */
export function rangeWarnings(def: InstrumentDefinition): string[] {
  const out: string[] = [];
  const zones = def.zones;
  const range = (z: ZoneDefinition) =>
    [...(z.keys ?? [0, 127]), ...(z.velocities ?? [1, 127])] as const;
  // pairs in zone order; a sweep over zones sorted by their lowest key keeps big libraries fast
  const byLow = zones.map((_, i) => i).sort((a, b) => range(zones[a]!)[0] - range(zones[b]!)[0]);
  const pairs: { i: number; j: number; text: string }[] = [];
  for (let a = 0; a < byLow.length; a++) {
    const i0 = byLow[a]!;
    const [k0, k1] = range(zones[i0]!);
    for (let b = a + 1; b < byLow.length && range(zones[byLow[b]!]!)[0] <= k1; b++) {
      const [i, j] = [i0, byLow[b]!].sort((x, y) => x - y) as [number, number];
      const [a0, a1, v0, v1] = range(zones[i]!);
      const [l0, l1, w0, w1] = range(zones[j]!);
      const klo = Math.max(a0, l0, k0),
        khi = Math.min(a1, l1),
        vlo = Math.max(v0, w0),
        vhi = Math.min(v1, w1);
      if (klo > khi || vlo > vhi || !together(zones[i]!, zones[j]!)) continue;
      pairs.push({
        i,
        j,
        text: `zones ${i} and ${j} both play keys ${
          keyText(klo, khi)
        } at velocities ${vlo}..${vhi}`,
      });
    }
  }
  pairs.sort((x, y) => x.i - y.i || x.j - y.j);
  // a few pairs one per line; many (layered mic positions, say) summarised in one more
  const SHOWN = 5;
  for (const p of pairs.slice(0, pairs.length > SHOWN + 1 ? SHOWN : undefined)) {
    out.push(`overlap: ${p.text}`);
  }
  if (pairs.length > SHOWN + 1) {
    const involved = new Set(pairs.flatMap((p) => [p.i, p.j])).size;
    out.push(
      `overlap: ${pairs.length - SHOWN} more pairs like these (${pairs.length} pairs in all, ` +
        `${involved} of ${zones.length} zones): layers that sound together (often intended, ` +
        `as mic positions or release layers are)`,
    );
  }
  const switches = new Set<number>();
  for (const z of zones) {
    if (z.keyswitchRange) {
      for (let k = z.keyswitchRange[0]; k <= z.keyswitchRange[1]; k++) switches.add(k);
    }
  }
  const attack = zones.filter((z) => (z.trigger ?? "attack") === "attack");
  if (!attack.length) return out;
  const lo = Math.min(...attack.map((z) => range(z)[0]));
  const hi = Math.max(...attack.map((z) => range(z)[1]));
  // per key, the velocities no attack zone answers, as text; runs of keys with the same hole merge
  const holes: { from: number; to: number; vel: string }[] = [];
  for (let k = lo; k <= hi; k++) {
    if (switches.has(k)) continue;
    const covered = new Array<boolean>(128).fill(false);
    for (const z of attack) {
      const [k0, k1, v0, v1] = range(z);
      if (k < k0 || k > k1) continue;
      for (let v = v0; v <= v1; v++) covered[v] = true;
    }
    const runs: string[] = [];
    for (let v = 1; v <= 127; v++) {
      if (covered[v]) continue;
      let w = v;
      while (w < 127 && !covered[w + 1]) w++;
      runs.push(v === 1 && w === 127 ? "all" : `${v}..${w}`);
      v = w;
    }
    if (!runs.length) continue;
    const vel = runs.join(", ");
    const last = holes[holes.length - 1];
    if (last && last.to === k - 1 && last.vel === vel) last.to = k;
    else holes.push({ from: k, to: k, vel });
  }
  for (const h of holes) {
    out.push(
      h.vel === "all"
        ? `uncovered: no zone plays keys ${keyText(h.from, h.to)}`
        : `uncovered: keys ${keyText(h.from, h.to)} have no zone at velocities ${h.vel}`,
    );
  }
  return out;
}
