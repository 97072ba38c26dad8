/**
 * What tests/perform_test.ts and tests/perform_live_test.ts share.
 *
 * @module
 */
export { join } from "node:path";
export { pathToFileURL } from "node:url";
import { pathToFileURL } from "node:url";
export * from "../lib/live/mod.ts";
export { renderSet } from "../lib/runners/render_set.ts";
export { evaluateSet as evaluateSetForTest } from "../lib/live/set.ts";

/** A file URL of an absolute path, as text. */
export function toFileUrl(path: string): string {
  return pathToFileURL(path).href;
}

/** Run `fn` with a new temporary directory, removed afterwards (also when `fn` throws). */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
