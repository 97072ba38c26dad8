/**
 * A fuzz worker: runs one target's inputs from..from+execs-1 and posts its
 * report; before each input it stores the input's index in the shared
 * Int32Array it was given, so scripts/fuzz.ts can name the input a hang is
 * stuck on (and terminate the worker, then go on after it).
 *
 * Thread: a Deno worker (its own CT for the parsers it imports).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
import { runTarget } from "./harness.ts";
import { TARGETS } from "./targets.ts";

/** What the worker is asked to do. */
export interface WorkerJob {
  target: string;
  seed: number;
  from: number;
  execs: number;
  budgetMs: number;
  /** Int32Array over a SharedArrayBuffer: [index being run]. */
  progress: SharedArrayBuffer;
}

const self_ = self as unknown as Worker & { close(): void };
// what the parsers print (Strudel's banner, its transpiler's warnings) is not the run's output
console.log = console.warn = console.info = () => {};
self_.onmessage = async (e: MessageEvent<WorkerJob>) => {
  const job = e.data;
  const at = new Int32Array(job.progress);
  const target = await TARGETS[job.target]!();
  const report = await runTarget(target, {
    seed: job.seed,
    from: job.from,
    execs: job.execs,
    budgetMs: job.budgetMs,
    every: 1,
    progress: (i) => Atomics.store(at, 0, i),
  });
  self_.postMessage({
    ...report,
    outcomes: [...report.outcomes],
    findings: report.findings,
  });
  self_.close();
};
