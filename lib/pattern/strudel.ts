/**
 * Strudel's pattern engine, loaded once and quietly.
 *
 * Thread: CT. `@strudel/core` prints "cannot use window: not in browser?"
 * and a banner when it is imported; both are swallowed here (only those
 * lines: anything else printed meanwhile goes through). Mini-notation is
 * switched on, so `s("bd [sd sd]")` parses its string. `@strudel/tonal`
 * (`scale`, `voicing`, `transpose`, ...) registers its methods on the same
 * core instance. Everything Strudel exports is untyped JavaScript: the typed
 * surface is lib/pattern/mod.ts.
 *
 * @module
 */

import { guardMini, installDensityGuard } from "./density_guard.ts";
import { installFastTime } from "./fast_time.ts";

// deno-lint-ignore no-explicit-any
type Untyped = any;

const QUIET = [/cannot use window/i, /@strudel\/core loaded/i];

async function quietly<T>(load: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, warn: console.warn, info: console.info };
  const filter = (orig: (...a: unknown[]) => void) => (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (!QUIET.some((re) => re.test(text))) orig(...args);
  };
  console.log = filter(saved.log);
  console.warn = filter(saved.warn);
  console.info = filter(saved.info);
  try {
    return await load();
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * The untyped `@strudel/core` module (mini-notation enabled), with the
 * operations that multiply events by a count bounded (lib/pattern/density_guard.ts):
 * on `Pattern.prototype` and in the top-level functions here.
 */
export const strudel: Untyped = await quietly(async () => {
  const core: Untyped = await import("@strudel/core");
  const mini: Untyped = guardMini(await import("@strudel/mini"));
  core.setStringParser(mini.mini);
  installFastTime(core);
  return { ...core, ...installDensityGuard(core) };
});

/**
 * The untyped `@strudel/mini` module (`mini`, `m`, `mini2ast`), `mini` and `m`
 * refusing a literal range past the bound (lib/pattern/density_guard.ts).
 */
export const strudelMini: Untyped = guardMini(await import("@strudel/mini"));

/**
 * The untyped `@strudel/tonal` module: its methods (`voicing`, `transpose`,
 * `scaleTranspose`, `rootNotes`, ...) are registered on core's patterns
 * once this module is loaded; lib/pattern/scales.ts wraps its `scale`.
 */
export const strudelTonal: Untyped = await quietly(() => import("@strudel/tonal"));

/** An exact rational (Strudel's Fraction) from an integer ratio. */
export function fraction(num: number, den: number): Untyped {
  return strudel.Fraction(`${num}/${den}`);
}
