/**
 * The set loader: fresh copies of a set and its local imports on every
 * load, the project's library shared, errors located in the original files.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../ffi/build.ts";
import { queryPattern } from "../pattern/query.ts";
import type { Pattern } from "../pattern/pattern.ts";
import { SetLoader, SetLoadError } from "./loader.ts";
import { evaluateSet } from "./set.ts";

const LIVE = pathToFileURL(join(PROJECT_ROOT, "lib", "live", "mod.ts")).href;
const header = `import { defineSet, s } from "${LIVE}";\n`;

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("each load sees the current set and its local imports, as a new version", async () => {
  await withDir(async (dir) => {
    const set = join(dir, "set.ts");
    const helper = join(dir, "parts", "helper.ts");
    await Deno.mkdir(dirname(helper));
    await Deno.writeTextFile(helper, `export const BPM = 100;\n`);
    await Deno.writeTextFile(
      set,
      `${header}import { BPM } from "./parts/helper.ts";\nexport default defineSet((set) => set.tempo(BPM));\n`,
    );
    const loader = new SetLoader(set);
    try {
      const v1 = await loader.load();
      assert.equal(v1.version, 1);
      assert.deepEqual(v1.files.toSorted(), [helper, set].toSorted());
      assert.equal((await evaluateSet(v1.fn, 1)).tempo, 100);
      await Deno.writeTextFile(helper, `export const BPM = 133;\n`);
      const v2 = await loader.load();
      assert.equal(v2.version, 2);
      assert.equal((await evaluateSet(v2.fn, 1)).tempo, 133);
      assert.equal((await evaluateSet(v1.fn, 1)).tempo, 100); // the old version is untouched
    } finally {
      await loader.dispose();
    }
  });
});

Deno.test("the project's library is imported, not copied: examples/set.ts is one file", async () => {
  const file = join(PROJECT_ROOT, "examples", "set.ts");
  const loader = new SetLoader(file);
  try {
    const { fn, files } = await loader.load();
    assert.deepEqual(files, [file]);
    const snap = await evaluateSet(fn, 1);
    assert.deepEqual([...snap.parts.keys()], ["drums", "hats", "bass", "keys"]);
    assert.equal(snap.tempo, 112);
  } finally {
    await loader.dispose();
  }
});

Deno.test("load errors: unreadable file, not a set, a throw at import with file:line:column", async () => {
  await withDir(async (dir) => {
    const missing = new SetLoader(join(dir, "missing.ts"));
    await assert.rejects(missing.load(), (err: unknown) => {
      assert.ok(err instanceof SetLoadError);
      assert.match(err.message, /^Cannot load set ".*missing\.ts": cannot read ".*missing\.ts" \(/);
      return true;
    });

    const plain = join(dir, "plain.ts");
    await Deno.writeTextFile(plain, `export default () => {};\n`);
    const notSet = new SetLoader(plain);
    await assert.rejects(notSet.load(), (err: unknown) => {
      assert.ok(err instanceof SetLoadError);
      assert.equal(
        err.message,
        `Cannot load set "${plain}": its default export is not a set: write export default defineSet((set) => { ... })`,
      );
      return true;
    });
    await notSet.dispose();

    const throws = join(dir, "throws.ts");
    await Deno.writeTextFile(throws, `${header}\n  throw new TypeError("at import");\n`);
    const loader = new SetLoader(throws);
    await assert.rejects(loader.load(), (err: unknown) => {
      assert.ok(err instanceof SetLoadError);
      const where = `${relative(Deno.cwd(), throws)}:3:9`;
      assert.equal(err.location, where);
      assert.equal(err.message, `${where}: TypeError: at import`);
      assert.equal(err.file, throws);
      return true;
    });
    await loader.dispose();
  });
});

Deno.test("explain locates an error from an earlier version's copy in the original file", async () => {
  await withDir(async (dir) => {
    const set = join(dir, "set.ts");
    const body = (word: string) =>
      `${header}export default defineSet((set) => {\n  set.play("p", s("bd").withValue(() => {\n    throw new Error("${word}");\n  }));\n});\n`;
    await Deno.writeTextFile(set, body("first"));
    const loader = new SetLoader(set);
    try {
      const v1 = await evaluateSet((await loader.load()).fn, 1);
      await Deno.writeTextFile(set, `\n\n${body("second")}`); // two lines lower
      await loader.load();
      let thrown: unknown;
      try {
        queryPattern(v1.parts.get("p") as Pattern, 0, 1);
      } catch (err) {
        thrown = err;
      }
      assert.match(String((thrown as Error).stack), /\/v1\/set\.ts:4:/); // the copy of v1
      const e = loader.explain(thrown);
      assert.equal(e.location, `${relative(Deno.cwd(), set)}:4:11`);
      assert.equal(e.message, `${e.location}: Error: first`);
    } finally {
      await loader.dispose();
    }
  });
});

Deno.test("dispose removes the copies", async () => {
  await withDir(async (dir) => {
    const set = join(dir, "set.ts");
    await Deno.writeTextFile(
      set,
      `${header}export default defineSet(() => {\n  throw new Error("where am I");\n});\n`,
    );
    const loader = new SetLoader(set);
    const { fn } = await loader.load();
    const raw = await evaluateSet(fn, 1).then(() => "", (err: Error) => err.stack ?? "");
    const copy = /(\/[^\s:()]*\/v1)\/set\.ts/.exec(raw)?.[1];
    assert.ok(copy && existsSync(copy), raw);
    await loader.dispose();
    assert.equal(existsSync(dirname(copy)), false);
  });
});
