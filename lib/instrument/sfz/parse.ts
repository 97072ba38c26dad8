/**
 * SFZ text to headers and opcodes: comments (`//`, `/* *\/`), `#define $VAR
 * value` with `$VAR` substitution, `#include "file"` (relative to the root
 * SFZ file's directory, as sfizz does), `<header>` and `name=value` pairs,
 * each remembered with its file and line. No meaning is given to opcodes
 * here; that is map.ts (headers, inheritance) and opcodes.ts (each opcode).
 *
 * A value runs to the next `name=`, `<header>` or end of line, so sample
 * paths may hold spaces. Problems are collected, never thrown, so the caller
 * reports them all: a malformed line is an error with file:line.
 *
 * Thread: CT. Reads files (includes) synchronously through the `read`
 * function it is given; pure otherwise.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

import { dirname, isAbsolute, resolve } from "node:path";

/** Where something came from: a file (absolute) and a 1-based line. */
export interface SfzOrigin {
  file: string;
  line: number;
}

/** One `name=value` pair. */
export interface SfzOpcode extends SfzOrigin {
  name: string;
  value: string;
}

/** A header and the opcodes written under it (up to the next header). */
export interface SfzHeader extends SfzOrigin {
  /** Header name without brackets: "region", "group", "control", ... */
  name: string;
  opcodes: SfzOpcode[];
}

/** A problem found while parsing. */
export interface SfzProblem extends SfzOrigin {
  message: string;
}

/** What parseSfz returns. */
export interface SfzParse {
  /** Headers in file order (includes spliced in where they appear). */
  headers: SfzHeader[];
  /** Opcodes written before any header (ignored by the importer, with a warning). */
  orphans: SfzOpcode[];
  /** Malformed lines: the importer fails with all of them. */
  errors: SfzProblem[];
}

/** Reads a file's text; throws when it cannot. */
export type ReadText = (path: string) => string;

const MAX_INCLUDE_DEPTH = 16;
const OPCODE_AT = /^([A-Za-z0-9_]+)=/;
/** Where the value of an opcode stops: whitespace before `name=`, or a header. */
const VALUE_END = /\s+[A-Za-z0-9_]+=|<|\s*$/;
const VARIABLE = /\$[A-Za-z0-9_]+/g;

/**
 * Remove comments, keeping every newline so line numbers stay right.
 *
 * @returns the text, and the line of an unterminated block comment if any
 */
export function stripComments(text: string): { text: string; unterminatedAt?: number } {
  let out = "";
  let i = 0, line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const startLine = line;
      const end = text.indexOf("*/", i + 2);
      const body = end < 0 ? text.slice(i) : text.slice(i, end + 2);
      for (const ch of body) if (ch === "\n") (out += "\n", line++);
      if (end < 0) return { text: out, unterminatedAt: startLine };
      out += " ";
      i = end + 2;
    } else {
      if (c === "\n") line++;
      out += c;
      i++;
    }
  }
  return { text: out };
}

/**
 * Parse an SFZ file and the files it includes.
 *
 * @param file the SFZ file, absolute
 * @param read reads a file's text (Deno.readTextFileSync in the importer; a map in tests)
 * @returns headers, orphan opcodes and every malformed line
 * @example
 * ```ts
 * import { parseSfz } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const text = "#define $K 60\n<region> sample=a b.wav key=$K // comment";
 * const r = parseSfz("/x/i.sfz", () => text);
 * assert.deepEqual(r.headers[0]?.opcodes.map((o) => [o.name, o.value]), [
 *   ["sample", "a b.wav"],
 *   ["key", "60"],
 * ]);
 * ```
 */
export function parseSfz(file: string, read: ReadText): SfzParse {
  const out: SfzParse = { headers: [], orphans: [], errors: [] };
  const defines = new Map<string, string>();
  const rootDir = dirname(file);
  const stack: string[] = [];

  const parseFile = (path: string, from: SfzOrigin | undefined): void => {
    if (stack.includes(path)) {
      out.errors.push({
        ...(from ?? { file: path, line: 1 }),
        message: `#include "${path}" includes itself (through ${stack.join(" -> ")})`,
      });
      return;
    }
    if (stack.length >= MAX_INCLUDE_DEPTH) {
      out.errors.push({
        ...(from ?? { file: path, line: 1 }),
        message: `#include nests deeper than ${MAX_INCLUDE_DEPTH} files`,
      });
      return;
    }
    let text: string;
    try {
      text = read(path);
    } catch (err) {
      out.errors.push({
        ...(from ?? { file: path, line: 1 }),
        message: from
          ? `#include "${path}" cannot be read (${err instanceof Error ? err.message : err})`
          : `cannot be read (${err instanceof Error ? err.message : err})`,
      });
      return;
    }
    stack.push(path);
    const stripped = stripComments(text.replace(/^\uFEFF/, ""));
    if (stripped.unterminatedAt !== undefined) {
      out.errors.push({
        file: path,
        line: stripped.unterminatedAt,
        message: "a /* comment is never closed with */",
      });
    }
    const lines = stripped.text.split(/\r?\n|\r/);
    lines.forEach((raw, index) => parseLine(raw, { file: path, line: index + 1 }));
    stack.pop();
  };

  const parseLine = (raw: string, at: SfzOrigin): void => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#define")) {
      const m = /^#define\s+(\$[A-Za-z0-9_]+)\s+(.*)$/.exec(trimmed);
      if (!m) {
        out.errors.push({ ...at, message: `malformed #define (write: #define $NAME value)` });
      } else {
        defines.set(m[1]!, substitute(m[2]!.trim()));
      }
      return;
    }
    if (trimmed.startsWith("#include")) {
      const m = /^#include\s+"([^"]+)"\s*$/.exec(trimmed);
      if (!m) {
        out.errors.push({ ...at, message: `malformed #include (write: #include "file.sfz")` });
        return;
      }
      const name = substitute(m[1]!).replaceAll("\\", "/");
      parseFile(isAbsolute(name) ? name : resolve(rootDir, name), at);
      return;
    }
    if (trimmed.startsWith("#")) {
      out.errors.push({ ...at, message: `unknown directive ${show(trimmed.split(/\s/)[0]!)}` });
      return;
    }
    const line = substitute(raw);
    let i = 0;
    while (i < line.length) {
      const c = line[i]!;
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      if (c === "<") {
        const close = line.indexOf(">", i);
        const name = close < 0 ? "" : line.slice(i + 1, close);
        if (close < 0 || !/^[A-Za-z_]+$/.test(name)) {
          out.errors.push({
            ...at,
            message: `malformed header ${show(line.slice(i, close < 0 ? undefined : close + 1))}`,
          });
          return;
        }
        out.headers.push({ ...at, name: name.toLowerCase(), opcodes: [] });
        i = close + 1;
        continue;
      }
      const m = OPCODE_AT.exec(line.slice(i));
      if (!m) {
        const word = line.slice(i).split(/\s/)[0]!;
        out.errors.push({
          ...at,
          message: `${show(word)} is not a <header> or an opcode=value`,
        });
        return;
      }
      const start = i + m[0].length;
      const rest = line.slice(start);
      const end = VALUE_END.exec(rest);
      const stop = end ? end.index : rest.length;
      const value = rest.slice(0, stop).trim();
      const opcode: SfzOpcode = { ...at, name: m[1]!, value };
      const header = out.headers[out.headers.length - 1];
      if (header) header.opcodes.push(opcode);
      else out.orphans.push(opcode);
      i = start + stop;
    }
  };

  const substitute = (text: string): string =>
    text.includes("$") ? text.replace(VARIABLE, (v) => defines.get(v) ?? v) : text;

  parseFile(file, undefined);
  return out;
}

function show(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
