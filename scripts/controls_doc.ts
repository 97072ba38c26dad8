/**
 * `deno run -A scripts/controls_doc.ts`: rewrite the controls table of
 * docs/live-coding.md from the catalog (lib/pattern/controls_doc.ts).
 *
 * CLI layer: prints what it did; exit 0, or 1 when the markers are missing.
 *
 * @module
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { withControlsTable } from "../lib/pattern/controls_doc.ts";

const path = join(PROJECT_ROOT, "docs", "live-coding.md");
try {
  const before = Deno.readTextFileSync(path);
  const after = withControlsTable(before);
  if (after === before) console.log(`${path}: up to date`);
  else {
    Deno.writeTextFileSync(path, after);
    console.log(`${path}: controls table rewritten`);
  }
} catch (err) {
  console.error(`Cannot update the controls table: ${(err as Error).message}`);
  Deno.exit(1);
}
