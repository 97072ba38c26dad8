/**
 * Memory a library's samples will take once decoded, checked before any is
 * decoded: against the memory the machine has free (MemAvailable) and, when
 * the sampler locks its memory (a live output with real-time operation),
 * against the memory-lock limit. A library that does not fit is refused with
 * the numbers before the machine swaps; one that fits in RAM but not in the
 * lock limit loads unlocked, with a warning (its pages may be swapped out
 * and glitch when played).
 *
 * Thread: CT. Reads file headers and /proc; loads nothing.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * @module
 */

/** Memory kept free for everything else when the budget comes from MemAvailable. */
export const MEMORY_RESERVE_BYTES = 256 * 1024 * 1024;

/** Bytes per decoded value, per compressed byte, for files whose header is not read. */
const COMPRESSED_RATIO: Record<string, number> = {
  flac: 2.5, // FLAC keeps ~55-70 % of 16/24-bit PCM: 2.5 values' bytes per file byte at 16-bit
  ogg: 12,
  oga: 12,
  opus: 12,
  mp3: 12,
};

/**
 * Decoded bytes of one sample file at `bits` (32: float, 16: int16) per value:
 * exact for WAV (from its `fmt ` and `data` chunks), else an estimate from the
 * file size (AIFF as 16-bit PCM, FLAC and lossy formats by typical ratios).
 *
 * @param path A sample file.
 * @param bits 32 or 16.
 * @returns Bytes, or 0 when the file cannot be read (the decoder reports it).
 */
export function decodedBytes(path: string, bits: 16 | 32): number {
  let size: number;
  try {
    size = Deno.statSync(path).size;
  } catch {
    return 0;
  }
  const width = bits / 8;
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  if (ext === "wav" || ext === "wave") {
    const wav = wavDataValues(path);
    if (wav !== undefined) return wav * width;
  }
  const ratio = COMPRESSED_RATIO[ext];
  if (ratio !== undefined) return Math.ceil(size * ratio * width / 2);
  return Math.ceil(size / 2) * width; // PCM of unknown width: as 16-bit
}

/** Values (frames × channels) in a WAV file's data chunk, from its header. */
function wavDataValues(path: string): number | undefined {
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(path);
    const head = new Uint8Array(4096);
    const n = file.readSync(head) ?? 0;
    const view = new DataView(head.buffer, 0, n);
    const tag = (at: number) => String.fromCharCode(...head.subarray(at, at + 4));
    if (n < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") return undefined;
    let bytesPerValue = 0;
    for (let at = 12; at + 8 <= n;) {
      const id = tag(at), len = view.getUint32(at + 4, true);
      if (id === "fmt " && at + 24 <= n) bytesPerValue = view.getUint16(at + 22, true) / 8;
      if (id === "data") return bytesPerValue > 0 ? Math.floor(len / bytesPerValue) : undefined;
      at += 8 + len + (len & 1);
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    file?.close();
  }
}

/** What /proc says about memory and locking for this process. */
export interface MemoryFacts {
  /** MemAvailable in bytes (undefined: not known). */
  available?: number | undefined;
  /** RLIMIT_MEMLOCK's soft limit in bytes (Infinity: unlimited; undefined: not known). */
  lockLimit?: number | undefined;
  /** Whether the process has CAP_IPC_LOCK (then the lock limit does not apply). */
  canLockAll?: boolean | undefined;
}

/**
 * Read MemAvailable, RLIMIT_MEMLOCK and CAP_IPC_LOCK. Deno asks for
 * --allow-all to read /proc, so without it a shell reads them (`ulimit -l`
 * and /proc/self/status of a child, which inherits both; needs --allow-run).
 *
 * @returns What could be read; missing fields when neither way works.
 */
export function memoryFacts(): MemoryFacts {
  let text = "";
  try {
    text = Deno.readTextFileSync("/proc/meminfo") +
      `Max locked memory ${
        /^Max locked memory\s+(\S+)/m.exec(Deno.readTextFileSync(`/proc/${Deno.pid}/limits`))?.[1]
      }\n` + Deno.readTextFileSync(`/proc/${Deno.pid}/status`);
  } catch {
    try {
      const r = new Deno.Command("sh", {
        args: [
          "-c",
          'grep MemAvailable /proc/meminfo; l=$(ulimit -l); [ "$l" = unlimited ] || l=$((l * 1024)); echo "Max locked memory $l"; grep CapEff /proc/self/status',
        ],
        stdout: "piped",
        stderr: "null",
      }).outputSync();
      text = new TextDecoder().decode(r.stdout);
    } catch {
      // no /proc access and no --allow-run: nothing known, nothing checked
    }
  }
  const facts: MemoryFacts = {};
  const avail = /^MemAvailable:\s+(\d+) kB/m.exec(text);
  if (avail) facts.available = Number(avail[1]) * 1024;
  const lim = /^Max locked memory (unlimited|\d+)/m.exec(text);
  if (lim) facts.lockLimit = lim[1] === "unlimited" ? Infinity : Number(lim[1]);
  const cap = /^CapEff:\s+([0-9a-f]+)/m.exec(text);
  if (cap) facts.canLockAll = (BigInt(`0x${cap[1]}`) & (1n << 14n)) !== 0n;
  return facts;
}

/** The decision for one load. */
export interface MemoryPlan {
  /** Set: refuse to load, with this message. */
  refuse?: string;
  /** Set: load, and say this (the samples will not all be locked). */
  warn?: string;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * Decide whether `need` more bytes of samples may be loaded.
 *
 * @param name The instrument, for messages.
 * @param need Decoded bytes the load adds.
 * @param facts MemAvailable, the lock limit and capability ({@linkcode memoryFacts}).
 * @param options `budget`: bytes the loader may use (default MemAvailable less
 *   {@linkcode MEMORY_RESERVE_BYTES}); `locking`: whether the sampler locks its memory and
 *   how many bytes it has locked already.
 * @returns Refuse, warn, or neither.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planMemory } from "./memory_budget.ts";
 * const p = planMemory("big", 2e9, { available: 1e9 });
 * assert(p.refuse !== undefined && p.refuse.includes("2000.0 MB"));
 * const q = planMemory("big", 2e6, { available: 1e9, lockLimit: 1e6, canLockAll: false }, {
 *   locking: { lockedBytes: 0 },
 * });
 * assert(q.refuse === undefined && q.warn !== undefined);
 * ```
 */
export function planMemory(
  name: string,
  need: number,
  facts: MemoryFacts,
  options: { budget?: number | undefined; locking?: { lockedBytes: number } | undefined } = {},
): MemoryPlan {
  const plan: MemoryPlan = {};
  const budget = options.budget ??
    (facts.available === undefined ? undefined : facts.available - MEMORY_RESERVE_BYTES);
  if (budget !== undefined && need > budget) {
    const from = options.budget !== undefined
      ? "the loader's memory budget"
      : `MemAvailable ${mb(facts.available!)} less a ${mb(MEMORY_RESERVE_BYTES)} reserve`;
    plan.refuse = `Cannot load instrument "${name}": its samples need about ${
      mb(need)
    } decoded and ${
      mb(Math.max(0, budget))
    } is free for them (${from}): load it with 16-bit samples (--bits 16, half the memory), close other programs or load fewer zones`;
    return plan;
  }
  if (options.locking && !facts.canLockAll && facts.lockLimit !== undefined) {
    const room = facts.lockLimit - options.locking.lockedBytes;
    if (need > room) {
      plan.warn = `Cannot lock instrument "${name}"'s samples in RAM: they need about ${
        mb(need)
      } and the memory-lock limit leaves ${mb(Math.max(0, room))} (RLIMIT_MEMLOCK ${
        mb(facts.lockLimit)
      }, ${
        mb(options.locking.lockedBytes)
      } locked): loading them unlocked, so they may be paged out and glitch: raise the limit (ulimit -l, limits.conf memlock) or give the process CAP_IPC_LOCK`;
    }
  }
  return plan;
}
