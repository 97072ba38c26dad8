/** docs/live-coding.md's controls table is the one the catalog makes. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CATALOG } from "./controls.ts";
import { controlsMarkdown, withControlsTable } from "./controls_doc.ts";

Deno.test("docs/live-coding.md holds the controls table generated from the catalog", () => {
  const path = join(import.meta.dirname!, "..", "..", "docs", "live-coding.md");
  const text = Deno.readTextFileSync(path);
  assert.ok(
    text === withControlsTable(text),
    "docs/live-coding.md's controls table is stale: run deno run -A scripts/controls_doc.ts",
  );
});

Deno.test("the table names every control of the catalog with an engine column", () => {
  const md = controlsMarkdown();
  for (const [main, e] of Object.entries(CATALOG)) {
    assert.ok(md.includes(`\`${main}\``), main);
    for (const a of e.aliases) assert.ok(md.includes(`\`${a}\``), a);
  }
  assert.match(md, /\| `cutoff`, `ctf`, `lpf`, `lp` \| Hz \| 20000 \| 5\.\.24000 Hz \| low-pass/);
  assert.match(md, /\| `fmi`, `fm` \| index \| 0 \| 0..100 index \| FM index/);
  assert.match(md, /- `fmvelocity`: FM synthesis control: FM velocity/);
});
