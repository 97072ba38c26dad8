/**
 * The timer-latency probe check: min/avg/p99/max wake-up latency of a
 * SCHED_FIFO thread (like cyclictest), graded on p99.
 *
 * Thread: CT. The probe blocks for its duration (this is the CLI). It
 * measures the way the render thread runs: unlike cyclictest it does not
 * hold /dev/cpu_dma_latency at 0, so idle-state exit latency is included
 * (compare with `cyclictest --laptop`).
 *
 * @module
 */
import type { SystemFacts } from "./facts.ts";
import { isVirtualMachine, limitsFix, RTPRIO_LINE } from "./fixes.ts";
import { type CheckResult, result, type Status, worst } from "./result.ts";

/** p99 below this passes (µs). */
export const P99_PASS_US = 100;
/** p99 below this warns; at or above it fails (µs). */
export const P99_WARN_US = 500;

/** Options of {@linkcode checkLatency}. */
export interface LatencyCheckOptions {
  /**
   * Seconds to measure.
   * @default 5
   */
  seconds?: number;
  /**
   * SCHED_FIFO priority to ask for.
   * @default 80
   */
  priority?: number;
}

function us(v: number): string {
  return v >= 100 ? String(Math.round(v)) : v.toFixed(1);
}

/**
 * Run the probe and grade it: p99 < 100 µs PASS, < 500 µs WARN, else FAIL;
 * denied SCHED_FIFO is at least a WARN whose fix is the rtprio line or setcap.
 *
 * @param facts Where the probe runs.
 * @param options Duration and priority.
 * @returns One result named "timer latency".
 */
export function checkLatency(facts: SystemFacts, options: LatencyCheckOptions = {}): CheckResult {
  const seconds = options.seconds ?? 5;
  const priority = options.priority ?? 80;
  const outcome = facts.probeLatency(priority, seconds);
  if (!outcome.ok) {
    return result(
      "timer latency",
      "FAIL",
      `the probe could not run: ${outcome.error}`,
      outcome.hint ?? "deno task build",
    );
  }
  const r = outcome.report;
  const vm = isVirtualMachine(facts);
  const data: Record<string, unknown> = {
    seconds,
    interval_us: 1000,
    samples: r.samples,
    min_us: r.minUs,
    avg_us: r.avgUs,
    p99_us: r.p99Us,
    max_us: r.maxUs,
    policy: r.policy,
    priority: r.priority,
    virtual_machine: vm,
  };
  if (r.rtDenied) data.rt_denied = r.rtDenied;
  const fifo = r.policy === "SCHED_FIFO";
  const at = fifo ? `at SCHED_FIFO ${r.priority}` : `at normal priority (${r.policy})` +
    (r.rtDenied ? `: SCHED_FIFO ${priority} was denied` : "");
  const figures = `min ${us(r.minUs)} / avg ${us(r.avgUs)} / p99 ${us(r.p99Us)} / max ${
    us(r.maxUs)
  } µs over ${r.samples} wake-ups ${at}`;
  let status: Status = r.p99Us < P99_PASS_US ? "PASS" : r.p99Us < P99_WARN_US ? "WARN" : "FAIL";
  const fixes: string[] = [];
  if (!fifo && priority > 0) {
    status = worst(status, "WARN");
    fixes.push(`allow RT priority: ${limitsFix(facts, RTPRIO_LINE)}`);
  }
  const notes: string[] = [];
  if (vm) {
    notes.push(
      "a virtual machine: the host stalls its vCPUs for milliseconds, so these figures say little about real hardware",
    );
  }
  if (status !== "PASS" && fifo) {
    fixes.push(
      vm
        ? "measure on the machine that will play; there, apply the kernel, threadirqs and governor fixes above"
        : "apply the kernel, threadirqs, governor and cpu isolation fixes above, keep CPUs out of deep idle " +
          "states (sudo cpupower idle-set -D 10), then compare: cyclictest -p 80 -t1 -m -i 1000 -D 10 -q",
    );
  }
  const grade = `p99 < ${P99_PASS_US} µs passes, < ${P99_WARN_US} µs warns`;
  const finding = `${figures} (${grade})` + (notes.length ? `; ${notes.join("; ")}` : "");
  return result("timer latency", status, finding, fixes.join("; ") || undefined, data);
}
