/**
 * The import graph of lib/ and scripts/, as `deno info --json` reports it
 * (static and dynamic imports, type-only imports included): no import
 * circles, and lib's layers (LAYERS below) point down only: lib/ffi
 * imports nothing above the shared helpers and errors, and nothing in lib/
 * but lib/mod.ts imports the runners.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** One import: from a project file to a project file. */
export interface ImportEdge {
  from: string;
  to: string;
  dynamic: boolean;
}

interface DenoInfoModule {
  specifier: string;
  dependencies?: {
    isDynamic?: boolean;
    code?: { specifier?: string };
    type?: { specifier?: string };
  }[];
}

/** Project-relative path of a file: URL inside the project, or undefined. */
function projectPath(specifier: string | undefined): string | undefined {
  if (!specifier?.startsWith("file:")) return undefined;
  const rel = relative(ROOT, fileURLToPath(specifier));
  return rel.startsWith("..") ? undefined : rel;
}

/** The project-internal imports reachable from `root`, by `deno info --json`. */
async function importsFrom(root: string): Promise<ImportEdge[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `Cannot read the import graph of "${root}": deno info failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: DenoInfoModule[] };
  const edges: ImportEdge[] = [];
  for (const mod of info.modules) {
    const from = projectPath(mod.specifier);
    if (!from) continue;
    for (const dep of mod.dependencies ?? []) {
      for (const target of [dep.code?.specifier, dep.type?.specifier]) {
        const to = projectPath(target);
        if (to) edges.push({ from, to, dynamic: dep.isDynamic === true });
      }
    }
  }
  return edges;
}

/**
 * The import circles of a graph: each strongly connected component of more
 * than one file (or a file importing itself), files sorted.
 */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, []);
    next.get(e.from)!.push(e.to);
  }
  // Tarjan's algorithm, iterative (no recursion-depth limit on long chains).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const targets = next.get(top.node) ?? [];
      if (top.i < targets.length) {
        const to = targets[top.i++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, i: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== top.node);
        const selfImport = targets.includes(top.node);
        if (component.length > 1 || selfImport) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

/** Every non-test module of lib/ and every script: the graph's roots. */
function roots(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(join(ROOT, dir))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) found.push(path);
    }
  };
  walk("lib");
  walk("scripts");
  return found.sort();
}

let graph: Promise<ImportEdge[]> | undefined;

/** The whole graph, deduplicated (read once per test run). */
function projectGraph(): Promise<ImportEdge[]> {
  graph ??= (async () => {
    const seen = new Map<string, ImportEdge>();
    for (const root of roots()) {
      for (const e of await importsFrom(root)) seen.set(`${e.from} ${e.to} ${e.dynamic}`, e);
    }
    return [...seen.values()];
  })();
  return graph;
}

function describeCycle(cycle: string[], edges: readonly ImportEdge[]): string {
  const members = new Set(cycle);
  const inside = edges
    .filter((e) => members.has(e.from) && members.has(e.to))
    .map((e) => `  ${e.from} -> ${e.to}${e.dynamic ? " (dynamic import)" : ""}`);
  return `${cycle.join(", ")}\n${inside.join("\n")}`;
}

Deno.test("findCycles reports a circle closed by a dynamic import, and no circle in a chain", () => {
  const chain: ImportEdge[] = [
    { from: "a.ts", to: "b.ts", dynamic: false },
    { from: "b.ts", to: "c.ts", dynamic: false },
    { from: "a.ts", to: "c.ts", dynamic: false },
  ];
  assert.deepEqual(findCycles(chain), []);
  const circle = [...chain, { from: "c.ts", to: "a.ts", dynamic: true }];
  assert.deepEqual(findCycles(circle), [["a.ts", "b.ts", "c.ts"]]);
  assert.deepEqual(findCycles([{ from: "x.ts", to: "x.ts", dynamic: false }]), [["x.ts"]]);
});

Deno.test("lib/ and scripts/ have no import circle (static or dynamic)", async () => {
  const edges = await projectGraph();
  assert.ok(
    edges.some((e) => e.from === "lib/mod.ts"),
    "the graph holds lib/mod.ts's imports",
  );
  const cycles = findCycles(edges);
  assert.deepEqual(
    cycles,
    [],
    `import circles:\n${cycles.map((c) => describeCycle(c, edges)).join("\n")}`,
  );
});

/**
 * lib's layers, bottom first: a module imports only from its own layer or
 * below. Folders of one layer may import each other (but never in a circle).
 */
const LAYERS: readonly (readonly string[])[] = [
  ["lib/util/", "lib/ffi/layout.ts", "lib/errors.ts"], // shared helpers, the C header's tables, typed errors
  ["lib/ffi/"], // the only code that touches Deno.dlopen
  ["lib/engine/", "lib/midi/", "lib/pattern/", "lib/doctor/"],
  ["lib/instrument/"], // definitions and loading, on the engine's option schemas
  ["lib/live/", "lib/osc/"], // sets, sessions, hot reload; the OSC input plays through a session
  ["lib/runners/"], // performance scripts, sets and MIDI files, rendered or played
  ["lib/mod.ts"],
];

/** The layer of a lib/ module (the most specific entry wins), or undefined outside lib/. */
function layerOf(path: string): number | undefined {
  let best: { layer: number; length: number } | undefined;
  LAYERS.forEach((entries, layer) => {
    for (const entry of entries) {
      const hit = entry.endsWith("/") ? path.startsWith(entry) : path === entry;
      if (hit && (!best || entry.length > best.length)) best = { layer, length: entry.length };
    }
  });
  return best?.layer;
}

Deno.test("every lib/ module has a layer, and imports only from its layer or below", async () => {
  const edges = await projectGraph();
  const modules = new Set(edges.flatMap((e) => [e.from, e.to]));
  const lost = [...modules].filter((p) => p.startsWith("lib/") && layerOf(p) === undefined);
  assert.deepEqual(lost, [], "add these modules' folders to LAYERS");
  const upward = edges.filter((e) => {
    const from = layerOf(e.from), to = layerOf(e.to);
    return from !== undefined && to !== undefined && to > from;
  }).map((e) => `${e.from} -> ${e.to}${e.dynamic ? " (dynamic import)" : ""}`);
  assert.deepEqual(upward, [], "these imports point to a higher layer");
  assert.ok(edges.some((e) => e.from.startsWith("lib/ffi/") && e.to === "lib/errors.ts"));
});
