/**
 * `deno task doctor`'s checks: is this machine ready for real-time audio?
 *
 * @module
 */
export { type DoctorOptions, runDoctor } from "./doctor.ts";
export { type CommandResult, type ProbeOutcome, realFacts, type SystemFacts } from "./facts.ts";
export { type CheckResult, exitCode, formatText, type Status } from "./result.ts";
