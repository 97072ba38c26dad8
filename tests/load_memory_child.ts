/**
 * Child of tests/load_memory_test.ts: run under a small RLIMIT_MEMLOCK and
 * without CAP_IPC_LOCK, start a live output on ALSA's `null` PCM with
 * real-time operation (the engine then locks its memory), load the library
 * given as the argument, and print one JSON line: the memory facts read, the
 * output's and the loader's warnings, what loaded and how much got locked.
 *
 * @module
 */
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument } from "../lib/instrument/load.ts";
import { memoryFacts } from "../lib/instrument/memory_budget.ts";

const sfz = Deno.args[0]!;
using sampler = Sampler.open({});
const out = sampler.startOutput({ backend: "alsa", device: "null", rtPriority: 80 });
const warnings: string[] = [];
const before = sampler.stats();
let zones = 0, error = "";
try {
  const inst = await loadInstrument(sampler, sfz, { jobs: 1, onWarning: (w) => warnings.push(w) });
  zones = inst.zoneCount;
} catch (e) {
  error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
const after = sampler.stats();
out.close();
console.log(JSON.stringify({
  facts: { ...memoryFacts(), available: undefined },
  outputWarnings: out.warnings.map((w) => w.message),
  warnings,
  zones,
  error,
  lockedBefore: before.memoryLockedBytes,
  lockedAfter: after.memoryLockedBytes,
  memoryAfter: after.memoryBytes,
}, (_k, v) => v === Infinity ? "unlimited" : v));
