/**
 * SFZ text to headers and opcodes, read the way sfizz reads it (its
 * src/sfizz/parser/Parser.cpp is the reference; nothing is copied):
 *
 * - Tokens, not lines: `<header>`, `name=value`, `#define $VAR value` and
 *   `#include "file"` may stand anywhere on a line, several to a line.
 * - A value runs to the end of the line, a `//` or `/*` comment, a `<`, or
 *   whitespace followed by `name=`, `<`, `#define` or `#include`; trailing
 *   blanks are dropped, inner ones kept (sample paths with spaces).
 * - `#define $VAR value`: the value is the first word (the rest of the line
 *   is read on as tokens); definitions hold from there on, across includes.
 * - `$VAR` is expanded in opcode names, opcode values and #include paths:
 *   after `$`, identifier characters are taken until they spell a defined
 *   name (so with `$KEY` defined, `$KEYS` is `$KEY` then "S", as in ARIA and
 *   sfizz); an undefined name expands to nothing, with a warning; expansion
 *   repeats while a value still holds `$`.
 * - `#include` paths are relative to the top-level file's directory, `\`
 *   read as `/`.
 * - Recovery: a token that is none of the above (a shell-style `# comment`,
 *   stray words, an unknown directive, a malformed header) is a problem at
 *   its file:line and the rest of its line is skipped; parsing goes on.
 *
 * No meaning is given to opcodes here; that is map.ts (headers,
 * inheritance) and opcodes.ts (each opcode).
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

/** An `#include` that could not be read. */
export interface SfzIncludeFailure extends SfzOrigin {
  /** The file named, absolute. */
  path: string;
  /** Why it could not be read. */
  reason: string;
}

/** What parseSfz returns. */
export interface SfzParse {
  /** Headers in file order (includes spliced in where they appear). */
  headers: SfzHeader[];
  /** Opcodes written before any header (ignored by the importer, with a warning). */
  orphans: SfzOpcode[];
  /** Lines or tokens skipped (the rest of the file was read): warnings with file:line. */
  errors: SfzProblem[];
  /** Includes that could not be read (also among `errors`). */
  includeFailures: SfzIncludeFailure[];
  /** Files read, absolute, the top-level file first. */
  files: string[];
}

/** Reads a file's text; throws when it cannot. */
export type ReadText = (path: string) => string;

/** sfizz's limit; deeper nesting is almost surely a file including itself. */
const MAX_INCLUDE_DEPTH = 32;
/** Expansion passes before a definition that refers to itself is given up on. */
const MAX_EXPANSIONS = 16;

const isIdent = (c: string | undefined): boolean =>
  c !== undefined && (c === "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") ||
    (c >= "0" && c <= "9"));
const isBlank = (c: string | undefined): boolean => c === " " || c === "\t";

/** One file being read: its text, the read position, and its line starts. */
class Source {
  pos = 0;
  readonly #lineStarts: number[] = [0];

  constructor(readonly file: string, readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) this.#lineStarts.push(i + 1);
    }
  }

  peek(ahead = 0): string | undefined {
    return this.text[this.pos + ahead];
  }

  /** The 1-based line of a position (the read position by default). */
  lineAt(pos = this.pos): number {
    let lo = 0, hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Characters from the read position while `ok` holds; advances past them. */
  take(ok: (c: string) => boolean): string {
    const start = this.pos;
    while (this.pos < this.text.length && ok(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** The rest of the line up to a comment, without advancing. */
  lineRest(): string {
    let end = this.pos;
    const t = this.text;
    while (end < t.length) {
      const c = t[end];
      if (c === "\r" || c === "\n") break;
      if (c === "/" && (t[end + 1] === "/" || t[end + 1] === "*")) break;
      end++;
    }
    return t.slice(this.pos, end);
  }

  /** Skip to the end of the line (recovery after a problem; old Mac CR-only lines too). */
  skipLine(): void {
    const t = this.text;
    while (this.pos < t.length && t[this.pos] !== "\n" && t[this.pos] !== "\r") this.pos++;
  }
}

/**
 * Where an opcode's value ends in `raw` (the rest of its line, comments cut):
 * at a `<`, or at blanks followed by nothing, `<`, `#define`, `#include` or
 * `name=` (`$` allowed in the name after its first character).
 */
function valueEnd(raw: string): number {
  let end = 0;
  const n = raw.length;
  while (end < n) {
    let i = end + 1;
    const c = raw[end]!;
    if (c === "<") break;
    if (isBlank(c)) {
      while (i < n && isBlank(raw[i])) i++;
      if (i === n || raw[i] === "<") break;
      if (raw[i] === "#") {
        let j = i + 1;
        while (j < n && isIdent(raw[j])) j++;
        const dir = raw.slice(i + 1, j);
        if (dir === "define" || dir === "include") break;
      } else if (isIdent(raw[i])) {
        let j = i + 1;
        while (j < n && (isIdent(raw[j]) || raw[j] === "$")) j++;
        if (raw[j] === "=") break;
      }
    }
    end = i;
  }
  return end;
}

/**
 * Parse an SFZ file and the files it includes.
 *
 * @param file the SFZ file, absolute
 * @param read reads a file's text (Deno.readTextFileSync in the importer; a map in tests)
 * @returns headers, orphan opcodes and every skipped token, each with file:line
 * @example
 * ```ts
 * import { parseSfz } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const text = "<region> #define $K 60 sample=a b.wav key=$K // comment";
 * const r = parseSfz("/x/i.sfz", () => text);
 * assert.deepEqual(r.headers[0]?.opcodes.map((o) => [o.name, o.value]), [
 *   ["sample", "a b.wav"],
 *   ["key", "60"],
 * ]);
 * ```
 */
export function parseSfz(file: string, read: ReadText): SfzParse {
  const out: SfzParse = { headers: [], orphans: [], errors: [], includeFailures: [], files: [] };
  const defines = new Map<string, string>();
  const rootDir = dirname(file);
  const stack: Source[] = [];
  let header: SfzHeader | undefined;

  // the same problem again (an undefined $VAR in a file included 16 times) adds to a count
  const seen = new Map<string, { entry: SfzProblem; count: number }>();
  const problem = (src: Source, pos: number, message: string) => {
    const again = seen.get(message);
    if (again) {
      again.count++;
      return;
    }
    const entry = { file: src.file, line: src.lineAt(pos), message };
    seen.set(message, { entry, count: 1 });
    out.errors.push(entry);
  };

  const open = (path: string, from: SfzOrigin | undefined): void => {
    const at = from ?? { file: path, line: 1 };
    if (stack.some((s) => s.file === path)) {
      out.errors.push({
        ...at,
        message: `#include "${path}" includes itself (through ${
          stack.map((s) => s.file).join(" -> ")
        }): skipped`,
      });
      return;
    }
    if (stack.length >= MAX_INCLUDE_DEPTH) {
      out.errors.push({
        ...at,
        message: `#include nests deeper than ${MAX_INCLUDE_DEPTH} files: skipped`,
      });
      return;
    }
    let text: string;
    try {
      text = read(path);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (from) out.includeFailures.push({ ...at, path, reason });
      out.errors.push({
        ...at,
        message: from
          ? `#include "${path}" cannot be read (${reason})`
          : `cannot be read (${reason})`,
      });
      return;
    }
    out.files.push(path);
    stack.push(new Source(path, text.replace(/^\uFEFF/, "")));
  };

  // undefined variables: one warning for all of them (a missing tuning file leaves 30 undefined)
  const undefinedVars = {
    names: new Set<string>(),
    uses: 0,
    entry: undefined as SfzProblem | undefined,
  };
  const undefinedVariable = (src: Source, pos: number, name: string) => {
    undefinedVars.uses++;
    undefinedVars.names.add(name);
    if (!undefinedVars.entry) {
      undefinedVars.entry = { file: src.file, line: src.lineAt(pos), message: "" };
      out.errors.push(undefinedVars.entry);
    }
  };

  /** Expand `$NAME`s as sfizz does; undefined names expand to nothing, with a warning. */
  const expand = (text: string, src: Source, pos: number): string => {
    for (let pass = 0; text.includes("$"); pass++) {
      if (pass === MAX_EXPANSIONS) {
        problem(
          src,
          pos,
          `$ is left in ${
            show(text)
          } after ${MAX_EXPANSIONS} expansions (a definition refers to itself?): the $ are dropped`,
        );
        return text.replaceAll("$", "");
      }
      let dst = "";
      for (let i = 0; i < text.length;) {
        const c = text[i++]!;
        if (c !== "$") {
          dst += c;
          continue;
        }
        let name = "";
        let value: string | undefined;
        while (i < text.length && isIdent(text[i]) && value === undefined) {
          name += text[i++];
          value = defines.get(name);
        }
        if (!name) problem(src, pos, `a $ is not followed by a variable name (dropped)`);
        else if (value === undefined) undefinedVariable(src, pos, name);
        else dst += value;
      }
      text = dst;
    }
    return text;
  };

  const skipBlanksAndComments = (src: Source): void => {
    for (;;) {
      src.take((c) => c === " " || c === "\t" || c === "\r" || c === "\n");
      if (src.peek() !== "/") return;
      if (src.peek(1) === "/") {
        src.skipLine();
      } else if (src.peek(1) === "*") {
        const start = src.pos;
        const end = src.text.indexOf("*/", start + 2);
        if (end < 0) {
          problem(src, start, "a /* comment is never closed with */");
          src.pos = src.text.length;
          return;
        }
        src.pos = end + 2;
      } else return;
    }
  };

  const directive = (src: Source): void => {
    const start = src.pos;
    src.pos++; // '#'
    const name = src.take(isIdent);
    if (name === "define") {
      src.take(isBlank);
      if (src.peek() !== "$" || !isIdent(src.peek(1))) {
        problem(src, start, "malformed #define (write: #define $NAME value): line skipped");
        return src.skipLine();
      }
      src.pos++;
      const id = src.take(isIdent);
      src.take(isBlank);
      const rest = src.lineRest();
      const word = rest.split(/[ \t]/, 1)[0]!;
      src.pos += word.length; // the rest of the line is read on as tokens
      defines.set(id, word);
    } else if (name === "include") {
      src.take(isBlank);
      let path = "";
      let valid = false;
      if (src.peek() === '"') {
        src.pos++;
        path = src.take((c) => c !== '"' && c !== "\r" && c !== "\n");
        valid = src.peek() === '"';
        if (valid) src.pos++;
      }
      if (!valid) {
        problem(src, start, 'malformed #include (write: #include "file.sfz"): line skipped');
        return src.skipLine();
      }
      path = expand(path, src, start).replaceAll("\\", "/");
      open(isAbsolute(path) ? path : resolve(rootDir, path), {
        file: src.file,
        line: src.lineAt(start),
      });
    } else {
      const word = name ? `#${name}` : src.lineRest().trim() ? `#${src.lineRest()}` : "#";
      problem(
        src,
        start,
        name
          ? `unknown directive ${show(word)} (only #define and #include): line skipped`
          : `${show(word)} is not a directive (a shell-style comment?): line skipped`,
      );
      src.skipLine();
    }
  };

  const headerToken = (src: Source): void => {
    const start = src.pos;
    src.pos++; // '<'
    const name = src.take((c) => c !== "\r" && c !== "\n" && c !== ">");
    if (src.peek() !== ">" || !name || ![...name].every(isIdent)) {
      const shown = src.peek() === ">" ? `<${name}>` : `<${name}`;
      problem(src, start, `malformed header ${show(shown)}: line skipped`);
      return src.skipLine();
    }
    src.pos++;
    header = { file: src.file, line: src.lineAt(start), name: name.toLowerCase(), opcodes: [] };
    out.headers.push(header);
  };

  const opcodeToken = (src: Source): void => {
    const start = src.pos;
    const raw = src.take((c) => isIdent(c) || c === "$");
    if (!raw || src.peek() !== "=") {
      const word = src.lineRest().trim().split(/\s/, 1)[0] || src.peek() || "";
      src.pos = start;
      problem(
        src,
        start,
        `${
          show(raw ? raw : word)
        } is not a <header>, an opcode=value or a #directive: line skipped`,
      );
      return src.skipLine();
    }
    const name = expand(raw, src, start);
    if (!name || ![...name].every(isIdent)) {
      problem(
        src,
        start,
        `opcode name ${show(raw)} expands to ${show(name)}, not a name: line skipped`,
      );
      return src.skipLine();
    }
    src.pos++; // '='
    let value: string;
    if (name === "base64data") {
      value = src.take((c) => c !== "<" && c !== "#");
    } else {
      const rest = src.lineRest();
      value = rest.slice(0, valueEnd(rest));
      src.pos += value.length;
      // blanks after "=" are not part of the value (sample= piano.wav)
      value = expand(value.replace(/^[ \t]+/, ""), src, start);
    }
    const opcode: SfzOpcode = { file: src.file, line: src.lineAt(start), name, value };
    if (header) header.opcodes.push(opcode);
    else out.orphans.push(opcode);
  };

  open(file, undefined);
  while (stack.length) {
    const src = stack[stack.length - 1]!;
    skipBlanksAndComments(src);
    const c = src.peek();
    if (c === undefined) stack.pop();
    else if (c === "#") directive(src);
    else if (c === "<") headerToken(src);
    else opcodeToken(src);
  }
  for (const { entry, count } of seen.values()) {
    if (count > 1) entry.message += ` (${count} times; the first shown)`;
  }
  if (undefinedVars.entry) {
    const [first, ...more] = undefinedVars.names;
    const uses = undefinedVars.uses > 1 ? ` (${undefinedVars.uses} uses)` : "";
    undefinedVars.entry.message = more.length
      ? `$${first} and ${more.length} more variable${more.length > 1 ? "s" : ""} are not ` +
        `defined (#define $NAME value): they expand to nothing${uses}`
      : `$${first} is not defined (#define $${first} value): it expands to nothing${uses}`;
  }
  return out;
}

function show(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
