/**
 * A deterministic mutation fuzzer for the TypeScript parsers: each input is
 * a real-looking seed changed by a few stacked mutations (byte flips, 32-bit
 * fields set to extremes, splices of another seed, token inserts, deletes,
 * duplicated ranges such as a header written twice, truncation), drawn from
 * a PRNG seeded by (run seed, input index) alone, so input `i` of a run can
 * be rebuilt without replaying the others (a hang found by the watchdog in
 * scripts/fuzz.ts names its index). Every execution ends as "ok", as an
 * expected error kind (the target's typed, located errors), or as a
 * finding: anything else thrown, or an input slower than the budget.
 *
 * Thread: CT (or one fuzz worker); pure apart from what targets do.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

/** One fuzz target: seeds, a dictionary, and one execution. */
export interface FuzzTarget {
  /** Short name ("sfz", "sf2", "osc", "strudel"). */
  name: string;
  /** Real-looking inputs to mutate (text targets are UTF-8). */
  seeds: Uint8Array[];
  /** Relative weight of each seed when one is picked (a big, slow one less often). @default equal */
  weights?: number[];
  /** Tokens worth inserting (headers, opcodes, chunk ids, mini-notation). */
  dictionary: Uint8Array[];
  /** Text targets: random characters are printable ASCII or control characters, no 32-bit fields. */
  text: boolean;
  /** Inputs are cut to a multiple of this many bytes in 3 of 4 inputs (OSC's 4-byte alignment). */
  align?: number;
  /** At most this many stacked mutations (code breaks on the first: fewer keep it parsing). @default 8 */
  maxEdits?: number;
  /**
   * Run one input. Returns "ok" (or a short outcome name) when the input was
   * accepted; returns an expected error's kind for a typed, located error;
   * throws anything else (a finding).
   */
  exec(input: Uint8Array): string | Promise<string>;
}

/** A finding: an input that threw something unexpected, or ran over the budget. */
export interface FuzzFinding {
  target: string;
  seed: number;
  index: number;
  kind: "crash" | "slow";
  /** What was thrown, or how long it took. */
  detail: string;
  input: Uint8Array;
}

/** What a run did. */
export interface FuzzReport {
  target: string;
  seed: number;
  /** First index run and the number of executions. */
  from: number;
  execs: number;
  /** Wall time, ms. */
  ms: number;
  /** Executions per outcome: "ok" or an expected error kind. */
  outcomes: Map<string, number>;
  findings: FuzzFinding[];
  /** The slowest input, ms, and its index. */
  slowestMs: number;
  slowestIndex: number;
}

/** splitmix32: a PRNG whose state is one 32-bit number. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/** The PRNG of input `index` of a run with `seed`. */
export function inputRandom(seed: number, index: number): () => number {
  const r = prng(Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(index + 1, 0x165667b1));
  r();
  return r;
}

const EXTREMES = [
  0,
  1,
  0x7f,
  0x80,
  0xff,
  0x7fff,
  0x8000,
  0xffff,
  0x7fffffff,
  0x80000000,
  0xffffffff,
];

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Input `index` of a run: a seed with 1..8 stacked mutations.
 *
 * @param target whose seeds and dictionary are used
 * @param seed the run's seed
 * @param index the input's index
 * @returns the bytes, the same for the same (target, seed, index)
 */
export function makeInput(target: FuzzTarget, seed: number, index: number): Uint8Array {
  const rand = inputRandom(seed, index);
  const below = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[below(xs.length)]!;
  const seedOf = () => {
    const w = target.weights;
    if (!w) return pick(target.seeds);
    let x = rand() * w.reduce((a, v) => a + v, 0);
    for (let k = 0; k < w.length; k++) if ((x -= w[k]!) < 0) return target.seeds[k]!;
    return target.seeds[0]!;
  };
  let b = seedOf();
  // every 16th input is a seed as it is: the accepted path keeps being run
  if (index % 16 === 0) return b;
  const most = target.maxEdits ?? 8;
  const edits = 1 + below(rand() < 0.7 ? Math.min(3, most) : most);
  for (let e = 0; e < edits; e++) {
    const at = below(b.length + 1);
    const kind = below(target.text ? 9 : 11);
    switch (kind) {
      case 0: { // truncate
        b = b.subarray(0, at);
        break;
      }
      case 1: { // insert a dictionary token
        b = concat(b.subarray(0, at), pick(target.dictionary), b.subarray(at));
        break;
      }
      case 2: { // delete a range
        b = concat(b.subarray(0, at), b.subarray(at + 1 + below(rand() < 0.8 ? 8 : 200)));
        break;
      }
      case 3: { // duplicate a range (a header or chunk written twice)
        const from = below(b.length + 1), n = 1 + below(rand() < 0.5 ? 16 : 400);
        b = concat(b.subarray(0, at), b.subarray(from, from + n), b.subarray(at));
        break;
      }
      case 4: { // splice in a piece of another seed
        const other = pick(target.seeds);
        const from = below(other.length + 1), n = 1 + below(200);
        b = concat(b.subarray(0, at), other.subarray(from, from + n), b.subarray(at));
        break;
      }
      case 5: { // flip bits of a byte
        if (!b.length) break;
        b = b.slice();
        b[Math.min(at, b.length - 1)]! ^= 1 << below(8);
        break;
      }
      case 6: { // a random byte (text: a random ASCII character or a control one)
        if (!b.length) break;
        b = b.slice();
        b[Math.min(at, b.length - 1)] = target.text
          ? (rand() < 0.8 ? 0x20 + below(95) : below(32))
          : below(256);
        break;
      }
      case 7: { // replace a range with a token (a value swapped)
        b = concat(b.subarray(0, at), pick(target.dictionary), b.subarray(at + 1 + below(6)));
        break;
      }
      case 8: { // swap two ranges' order (lines moved)
        const a = below(b.length + 1), n = below(60);
        const piece = b.subarray(a, a + n);
        const rest = concat(b.subarray(0, a), b.subarray(a + n));
        const to = below(rest.length + 1);
        b = concat(rest.subarray(0, to), piece, rest.subarray(to));
        break;
      }
      case 9:
      case 10: { // binary: a little-endian 16- or 32-bit field set to an extreme or off by a little
        if (b.length < 4) break;
        b = b.slice();
        const p = Math.min(at, b.length - 4);
        const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
        const old = v.getUint32(p, true);
        const nv = rand() < 0.5 ? pick(EXTREMES) : (old + (below(33) - 16)) >>> 0;
        if (kind === 9) v.setUint16(p, nv & 0xffff, true);
        else v.setUint32(p, nv >>> 0, true);
        break;
      }
    }
  }
  const align = target.align;
  if (align && rand() < 0.75) b = b.subarray(0, b.length - (b.length % align));
  return b;
}

/** "kind: message" of a thrown value, numbers and quoted values blurred, for grouping. */
export function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `non-Error thrown: ${typeof err} ${String(err)}`;
}

/** Options of {@linkcode runTarget}. */
export interface RunOptions {
  seed: number;
  /** Executions. */
  execs: number;
  /** First input index. @default 0 */
  from?: number;
  /** An input slower than this, ms, is a finding. @default 2000 */
  budgetMs?: number;
  /** Stop at the first finding. @default false */
  stopOnFinding?: boolean;
  /** Called every `every` executions with the index reached (progress, the watchdog). */
  progress?: (index: number) => void;
  every?: number;
}

/**
 * Run a target over inputs from..from+execs-1.
 *
 * @param target the target
 * @param options seed, count, budget
 * @returns outcomes, findings and timing
 */
export async function runTarget(target: FuzzTarget, options: RunOptions): Promise<FuzzReport> {
  const from = options.from ?? 0, budget = options.budgetMs ?? 2000;
  const every = options.every ?? 1000;
  const outcomes = new Map<string, number>();
  const findings: FuzzFinding[] = [];
  let slowestMs = 0, slowestIndex = from;
  const start = performance.now();
  let i = from;
  for (; i < from + options.execs; i++) {
    if (options.progress && (i - from) % every === 0) options.progress(i);
    const input = makeInput(target, options.seed, i);
    const t0 = performance.now();
    let outcome: string;
    try {
      const r = target.exec(input);
      outcome = typeof r === "string" ? r : await r;
    } catch (err) {
      findings.push({
        target: target.name,
        seed: options.seed,
        index: i,
        kind: "crash",
        detail: err instanceof Error ? (err.stack ?? describe(err)) : describe(err),
        input,
      });
      outcome = "FINDING";
    }
    const dt = performance.now() - t0;
    if (dt > slowestMs) {
      slowestMs = dt;
      slowestIndex = i;
    }
    if (dt > budget) {
      findings.push({
        target: target.name,
        seed: options.seed,
        index: i,
        kind: "slow",
        detail: `took ${dt.toFixed(0)} ms (budget ${budget} ms)`,
        input,
      });
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (findings.length && options.stopOnFinding) {
      i++;
      break;
    }
  }
  return {
    target: target.name,
    seed: options.seed,
    from,
    execs: i - from,
    ms: performance.now() - start,
    outcomes,
    findings,
    slowestMs,
    slowestIndex,
  };
}
