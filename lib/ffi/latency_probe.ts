/**
 * The timer-latency probe (`ms_rt_probe_latency`) behind `deno task doctor`.
 *
 * Thread: CT. The call blocks the JavaScript thread for the whole probe: the
 * engine runs a thread of its own (SCHED_FIFO when permitted) and joins it.
 * It is blocking on purpose: a denied priority leaves its message in the
 * calling thread's slot (ms_error_message(NULL)), which a `nonblocking` call
 * from Deno's pool would lose.
 *
 * @module
 */
import { engine } from "./native.ts";
import { decodeStruct, LATENCY_REPORT, STATUS } from "./layout.ts";
import { EngineLibraryError, errorFromCode } from "../errors.ts";

/** Linux scheduling policy numbers (sched.h) by name. */
const POLICY_NAMES: Readonly<Record<number, string>> = {
  0: "SCHED_OTHER",
  1: "SCHED_FIFO",
  2: "SCHED_RR",
  3: "SCHED_BATCH",
  5: "SCHED_IDLE",
  6: "SCHED_DEADLINE",
};

/**
 * Name of a scheduling policy number.
 *
 * @param policy A Linux policy number (SCHED_FIFO is 1).
 * @returns e.g. "SCHED_FIFO"; unknown numbers give "policy <n>".
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { policyName } from "./latency_probe.ts";
 * assert(policyName(1) === "SCHED_FIFO");
 * ```
 */
export function policyName(policy: number): string {
  return POLICY_NAMES[policy] ?? `policy ${policy}`;
}

/** What one probe measured, in microseconds. */
export interface LatencyReport {
  /** Wake-ups measured. */
  samples: number;
  minUs: number;
  avgUs: number;
  /** 99th percentile (nearest rank). */
  p99Us: number;
  maxUs: number;
  /** Policy the probe thread actually ran with, e.g. "SCHED_FIFO" or "SCHED_OTHER". */
  policy: string;
  /** Its priority read back (0 for normal policies). */
  priority: number;
  /** The engine's message when SCHED_FIFO was asked for and denied (the figures are then at normal priority). */
  rtDenied?: string;
}

/** Options of {@linkcode probeTimerLatency}. */
export interface ProbeOptions {
  /**
   * SCHED_FIFO priority to ask for, 1..99; 0 measures at normal priority.
   * @default 80
   */
  priority?: number;
  /** How long to measure, in milliseconds (1..600000). */
  durationMs: number;
  /**
   * Sleep between wake-ups, in microseconds (50..100000).
   * @default 1000
   */
  intervalUs?: number;
}

/**
 * Measure timer wake-up latency like cyclictest: blocks for `durationMs`.
 * A denied SCHED_FIFO is not thrown: the result carries `rtDenied` and the
 * figures measured at normal priority.
 *
 * @param options Priority, duration and interval.
 * @returns Min/avg/p99/max wake-up latency and the policy obtained.
 * @throws {EngineLibraryError} when the library has no ms_rt_probe_latency (rebuild it).
 * @throws {EngineRangeError} for a duration, interval or priority out of range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeTimerLatency } from "./latency_probe.ts";
 * const r = probeTimerLatency({ priority: 0, durationMs: 20 });
 * assert(r.samples > 0 && r.minUs <= r.p99Us && r.p99Us <= r.maxUs);
 * ```
 */
export function probeTimerLatency(options: ProbeOptions): LatencyReport {
  const sym = engine();
  const probe = sym.ms_rt_probe_latency;
  if (!probe) {
    throw new EngineLibraryError(
      "Cannot probe timer latency: the engine library has no ms_rt_probe_latency",
      { hint: "The library is older than lib/ffi/symbols.ts: rebuild it with: deno task build" },
    );
  }
  const buf = new Uint8Array(LATENCY_REPORT.size);
  const code = probe(
    options.priority ?? 80,
    options.durationMs,
    options.intervalUs ?? 1000,
    buf,
  );
  let rtDenied: string | undefined;
  if (code < 0) {
    const message = lastMessage(sym);
    if (code !== STATUS.RT_PRIORITY) {
      throw errorFromCode(code, message || `Cannot probe timer latency: status ${code}`);
    }
    rtDenied = message || "Could not run the latency probe at RT priority";
  }
  const r = decodeStruct(LATENCY_REPORT, buf);
  const report: LatencyReport = {
    samples: r.samples,
    minUs: r.min_ns / 1000,
    avgUs: r.avg_ns / 1000,
    p99Us: r.p99_ns / 1000,
    maxUs: r.max_ns / 1000,
    policy: policyName(r.sched_policy),
    priority: r.sched_priority,
  };
  if (rtDenied !== undefined) report.rtDenied = rtDenied;
  return report;
}

function lastMessage(sym: ReturnType<typeof engine>): string {
  const buf = new Uint8Array(512);
  const len = sym.ms_error_message(null, buf, buf.length);
  return new TextDecoder().decode(buf.subarray(0, Math.min(len, buf.length - 1)));
}
