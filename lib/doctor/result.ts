/**
 * One doctor finding, how the CLI prints a list of them and the exit code.
 *
 * Thread: CT. Pure: formatting returns text, the CLI prints it.
 *
 * @module
 */

/** Outcome of one check. */
export type Status = "PASS" | "WARN" | "FAIL";

/** One check's result; `--json` prints an array of these. */
export interface CheckResult {
  /** Short stable name, e.g. "ulimit -r". */
  check: string;
  status: Status;
  /** What was found, in one line. */
  finding: string;
  /** For WARN and FAIL: the exact command or file line that fixes it. */
  fix?: string;
  /** Raw figures behind the finding (machine-readable). */
  data?: Record<string, unknown>;
}

const RANK: Readonly<Record<Status, number>> = { PASS: 0, WARN: 1, FAIL: 2 };

/**
 * The worse of two statuses.
 *
 * @param a A status.
 * @param b Another.
 * @returns FAIL over WARN over PASS.
 */
export function worst(a: Status, b: Status): Status {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Build a result, attaching `fix` only when the status is not PASS.
 *
 * @param check Name.
 * @param status Outcome.
 * @param finding What was found.
 * @param fix The fix (dropped for PASS).
 * @param data Raw figures.
 * @returns The result.
 */
export function result(
  check: string,
  status: Status,
  finding: string,
  fix?: string,
  data?: Record<string, unknown>,
): CheckResult {
  const r: CheckResult = { check, status, finding };
  if (status !== "PASS" && fix !== undefined) r.fix = fix;
  if (data !== undefined) r.data = data;
  return r;
}

/**
 * The text report: `STATUS  check: finding`, and for WARN/FAIL an indented `fix:` line.
 *
 * @param results The checks in order.
 * @returns Lines joined with newlines (ending in one).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatText } from "./result.ts";
 * const t = formatText([{ check: "alsa", status: "FAIL", finding: "no sound card", fix: "x" }]);
 * assert(t === "FAIL  alsa: no sound card\n      fix: x\n");
 * ```
 */
export function formatText(results: readonly CheckResult[]): string {
  let out = "";
  for (const r of results) {
    out += `${r.status}  ${r.check}: ${r.finding}\n`;
    if (r.status !== "PASS" && r.fix) out += `      fix: ${r.fix}\n`;
  }
  return out;
}

/**
 * The CLI's exit code: 0 when nothing failed, 1 otherwise.
 *
 * @param results The checks.
 * @returns 0 or 1.
 */
export function exitCode(results: readonly CheckResult[]): 0 | 1 {
  return results.some((r) => r.status === "FAIL") ? 1 : 0;
}
