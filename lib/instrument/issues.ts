/**
 * Definition problems as one-line messages, `file: path: value problem`
 * (`instruments/drums.ts: zones[3].keys[1]: 130 is above 127`), and the
 * single InstrumentDefinitionError that carries all of them.
 *
 * Pure; runs on the control thread.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import type { z } from "zod";
import { InstrumentDefinitionError } from "../errors.ts";
import { EnvelopeSchema, LoopSchema, showValue, ZoneSchema } from "./schema.ts";
import { valueAt } from "../util/value_at.ts";

/** One problem in a definition: where, what value, and what is wrong with it. */
export interface DefinitionIssue {
  /** Path inside the definition, e.g. ["zones", 3, "keys", 1]. */
  path: (string | number)[];
  /** The offending value (undefined when missing). */
  value: unknown;
  /** The problem, starting with the value when there is one: `130 is above 127`. */
  problem: string;
}

/**
 * Format a path like JavaScript would write it: `zones[3].keys[1]`.
 *
 * @param path keys and indexes
 * @returns the path text ("" for the root)
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPath } from "./issues.ts";
 * assert(formatPath(["zones", 3, "keys", 1]) === "zones[3].keys[1]");
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** "a number", "an object". */
function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return article(typeof value);
}

/** Levenshtein distance, for "did you mean" on unknown fields. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Every field name a definition may use, for "did you mean": read from the schemas. */
const KNOWN_FIELDS = [
  ...new Set([
    "name",
    "polyphony",
    "keyswitchDefault",
    "controllers",
    "curves",
    "zones",
    ...Object.keys(ZoneSchema.shape),
    ...Object.keys(EnvelopeSchema.shape),
    ...Object.keys(LoopSchema.shape),
    ...Object.keys(ZoneSchema.shape.filter.unwrap().shape),
  ]),
];

function suggestion(key: string): string {
  let best: string | undefined, bestD = Infinity;
  for (const f of KNOWN_FIELDS) {
    const d = distance(key.toLowerCase(), f.toLowerCase());
    if (d < bestD) [best, bestD] = [f, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(key.length / 3))
    ? ` (did you mean "${best}"?)`
    : "";
}

/**
 * Turn zod issues into definition issues with plain-English problems.
 *
 * @param issues from a failed `safeParse`
 * @param input the data that was parsed (values are looked up in it)
 * @returns one DefinitionIssue per problem (an unknown-fields issue gives one per field)
 */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.map((k) => (typeof k === "symbol" ? String(k) : k));
    const value = valueAt(input, path);
    const shown = showValue(value);
    let problem: string;
    switch (issue.code) {
      case "custom":
        problem = issue.message;
        break;
      case "too_big":
        if (issue.origin === "number" || issue.origin === "int") {
          problem = `${shown} is ${issue.inclusive === false ? "not below" : "above"} ${
            String(issue.maximum)
          }`;
        } else if (issue.origin === "string") {
          problem = `${shown} is longer than ${String(issue.maximum)} characters`;
        } else {
          problem = `${shown} has more than ${String(issue.maximum)} items`;
        }
        break;
      case "too_small":
        if (issue.origin === "number" || issue.origin === "int") {
          problem = `${shown} is ${issue.inclusive === false ? "not above" : "below"} ${
            String(issue.minimum)
          }`;
        } else if (issue.origin === "string") {
          problem = Number(issue.minimum) <= 1
            ? `${shown} is empty`
            : `${shown} is shorter than ${String(issue.minimum)} characters`;
        } else if (Number(issue.minimum) <= 1) {
          problem = `${shown} is empty (give at least one)`;
        } else {
          problem = `${shown} has fewer than ${String(issue.minimum)} items`;
        }
        break;
      case "invalid_type": {
        const expected = issue.expected === "tuple" ? "list" : issue.expected;
        if (value === undefined) {
          problem = `missing (expected ${
            expected === "nonoptional" ? "a value" : article(expected)
          })`;
        } else if (expected === "int") {
          problem = `${shown} is not a whole number`;
        } else if (typeof value === "number" && !Number.isFinite(value)) {
          problem = `${shown} is not a finite number`;
        } else {
          problem = `${shown} is ${kindOf(value)}, not ${article(expected)}`;
        }
        break;
      }
      case "invalid_value":
        problem = `${shown} is not one of ${issue.values.map((v) => showValue(v)).join(", ")}`;
        break;
      case "unrecognized_keys":
        for (const key of issue.keys) {
          out.push({
            path: [...path, key],
            value: valueAt(input, [...path, key]),
            problem: `unknown field${suggestion(key)}`,
          });
        }
        continue;
      case "not_multiple_of":
        problem = `${shown} is not a multiple of ${String(issue.divisor)}`;
        break;
      default:
        problem = `${shown} is not valid: ${issue.message}`;
    }
    out.push({ path, value, problem });
  }
  return out;
}

/**
 * One line per issue: `file: path: problem` (or `file: problem` at the root).
 *
 * @param file the definition file as the user should see it (relative to the working directory)
 * @param issues the problems
 * @returns the lines joined with newlines
 */
export function formatIssues(file: string, issues: readonly DefinitionIssue[]): string {
  return issues
    .map((i) => {
      const path = formatPath(i.path);
      return path ? `${file}: ${path}: ${i.problem}` : `${file}: ${i.problem}`;
    })
    .join("\n");
}

/**
 * The error for a definition with problems: its message lists every issue on
 * its own line; `path` and `value` are those of the first.
 *
 * @param absFile the definition file, absolute
 * @param shownFile the same file as messages show it
 * @param issues at least one problem
 * @param options hint and cause
 * @returns the error to throw
 */
export function definitionError(
  absFile: string,
  shownFile: string,
  issues: readonly DefinitionIssue[],
  options: { hint?: string; cause?: unknown } = {},
): InstrumentDefinitionError {
  const first = issues[0];
  return new InstrumentDefinitionError(formatIssues(shownFile, issues), {
    file: absFile,
    path: first?.path ?? [],
    value: first?.value,
    hint: options.hint,
    cause: options.cause,
  });
}
