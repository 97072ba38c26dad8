/**
 * Paths as messages show them.
 *
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";

/** A path as messages show it: relative to the working directory when it lies inside. */
export function shownPath(path: string): string {
  const abs = resolve(path);
  let cwd: string;
  try {
    cwd = Deno.cwd();
  } catch {
    return abs;
  }
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
}
