/**
 * Every example in examples/ renders a few seconds of non-silent audio.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runPerformance } from "../lib/runners/performance.ts";

const EXAMPLES = fileURLToPath(new URL("../examples", import.meta.url));

const examples = [...Deno.readDirSync(EXAMPLES)]
  .filter((e) =>
    e.isFile && (e.name.endsWith(".ts") || e.name.endsWith(".strudel")) &&
    !e.name.endsWith("_test.ts")
  )
  .map((e) => e.name)
  .sort();

Deno.test("examples/ is not empty", () => {
  assert.ok(examples.length > 0);
});

for (const name of examples) {
  Deno.test(`examples/${name} renders 3 seconds`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const r = await runPerformance(`${EXAMPLES}/${name}`, {
        out: `${dir}/out.wav`,
        seconds: 3,
        seed: 1,
      });
      assert.equal(r.frames, 3 * 48000);
      assert.ok(r.peak > 0, `${name} rendered silence`);
      assert.equal(r.eventsDropped, 0, `${name}: events dropped`);
      const stat = await Deno.stat(`${dir}/out.wav`);
      assert.ok(stat.size > 3 * 48000 * 2 * 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
