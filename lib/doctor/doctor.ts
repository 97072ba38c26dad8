/**
 * All of doctor's checks in order, over one SystemFacts.
 *
 * Thread: CT. Returns results; the CLI (scripts/doctor.ts) prints them and
 * sets the exit code.
 *
 * @module
 */
import type { SystemFacts } from "./facts.ts";
import { checkAlsa, checkJack } from "./devices.ts";
import {
  checkGovernor,
  checkIsolation,
  checkKernel,
  checkScheduler,
  checkThreadirqs,
  checkThrottling,
} from "./kernel.ts";
import { checkLatency } from "./latency.ts";
import { checkAudioGroup, checkMemlock, checkRtprio, DEFAULT_RT_PRIORITY } from "./limits.ts";
import type { CheckResult } from "./result.ts";

/** Options of {@linkcode runDoctor}. */
export interface DoctorOptions {
  /**
   * Run the timer-latency probe.
   * @default true
   */
  probe?: boolean;
  /**
   * Seconds the probe measures.
   * @default 5
   */
  probeSeconds?: number;
  /**
   * SCHED_FIFO priority for the probe and the ulimit -r check.
   * @default 80
   */
  rtPriority?: number;
  /** Called just before the probe starts (the CLI tells a terminal user to wait). */
  onProbeStart?: (seconds: number) => void;
}

/** The checks {@linkcode runDoctor} reports, in order; the probe comes last. */
export const DOCTOR_CHECKS = [
  "kernel",
  "scheduler",
  "threadirqs",
  "cpu isolation",
  "rt throttling",
  "cpu governor",
  "ulimit -r",
  "ulimit -l",
  "audio group",
  "alsa",
  "jack",
  "timer latency",
] as const;

/**
 * Run every check of {@linkcode DOCTOR_CHECKS}, the timer-latency probe last
 * (so the other checks' subprocesses do not disturb it).
 *
 * @param facts Where to read (realFacts() for this machine).
 * @param options Probe settings.
 * @returns One result per check, in that order.
 */
export async function runDoctor(
  facts: SystemFacts,
  options: DoctorOptions = {},
): Promise<CheckResult[]> {
  const priority = options.rtPriority ?? DEFAULT_RT_PRIORITY;
  const out: CheckResult[] = [
    checkKernel(facts),
    checkScheduler(facts),
    checkThreadirqs(facts),
    checkIsolation(facts),
    checkThrottling(facts),
    checkGovernor(facts),
    checkRtprio(facts, priority),
    checkMemlock(facts),
    checkAudioGroup(facts),
    checkAlsa(facts),
    await checkJack(facts),
  ];
  if (options.probe ?? true) {
    const seconds = options.probeSeconds ?? 5;
    options.onProbeStart?.(seconds);
    out.push(checkLatency(facts, { seconds, priority }));
  }
  return out;
}
