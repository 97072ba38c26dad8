/**
 * Find libmidisampler.so and build it with CMake when it is missing or older
 * than the engine sources.
 *
 * Thread: CT. Runs `cmake` as a subprocess (needs --allow-run); never prints:
 * the build output travels in the error's `cause` when it fails.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EngineLibraryError } from "../errors.ts";

/** Absolute path of the project root (the directory holding `engine/` and `lib/`). */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url)).replace(
  /\/$/,
  "",
);

/** Where the CMake build puts the library, relative to the project root. */
export const DEFAULT_LIBRARY = "build/engine/libmidisampler.so";

/** The two commands that build the engine, as a user would type them in the project root. */
export const BUILD_COMMAND = "cmake -S engine -B build/engine && cmake --build build/engine -j2";

/** Where the library comes from and whether it is current. */
export interface LibraryLocation {
  /** Absolute path of the shared library. */
  path: string;
  /** "env" when MS_ENGINE_LIB named it (never rebuilt), else "build". */
  source: "env" | "build";
  /** True when the file is missing. */
  missing: boolean;
  /** True when an engine source file is newer than the library. */
  stale: boolean;
  /** The newest engine source, when stale. */
  newestSource?: string;
}

/**
 * Locate the engine library: `MS_ENGINE_LIB` if set, else
 * `build/engine/libmidisampler.so` under the project root, with its freshness.
 *
 * @param root Project root; defaults to this checkout's.
 * @returns The location and whether it needs a build.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locateLibrary } from "./build.ts";
 * const loc = locateLibrary();
 * assert(loc.path.endsWith(".so"));
 * ```
 */
export function locateLibrary(root: string = PROJECT_ROOT): LibraryLocation {
  const fromEnv = readEnv("MS_ENGINE_LIB");
  if (fromEnv) {
    const missing = statMtime(fromEnv) === undefined;
    return { path: fromEnv, source: "env", missing, stale: false };
  }
  const path = join(root, DEFAULT_LIBRARY);
  const libTime = statMtime(path);
  if (libTime === undefined) return { path, source: "build", missing: true, stale: false };
  const newest = newestEngineSource(root);
  if (newest && newest.mtime > libTime) {
    return { path, source: "build", missing: false, stale: true, newestSource: newest.path };
  }
  return { path, source: "build", missing: false, stale: false };
}

/**
 * Newest file among `engine/src/**`, `engine/include/**` and
 * `engine/CMakeLists.txt`, by modification time.
 *
 * @param root Project root.
 * @returns Its path and mtime in ms, or undefined when there are no sources.
 */
export function newestEngineSource(
  root: string = PROJECT_ROOT,
): { path: string; mtime: number } | undefined {
  let best: { path: string; mtime: number } | undefined;
  const consider = (path: string) => {
    const t = statMtime(path);
    if (t !== undefined && (!best || t > best.mtime)) best = { path, mtime: t };
  };
  const walk = (dir: string) => {
    let entries: Iterable<Deno.DirEntry>;
    try {
      entries = Deno.readDirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory) walk(p);
      else if (e.isFile) consider(p);
    }
  };
  walk(join(root, "engine", "src"));
  walk(join(root, "engine", "include"));
  // tests/ and bench/ have their own CMakeLists but do not change the library
  consider(join(root, "engine", "CMakeLists.txt"));
  return best;
}

/** Options of {@linkcode buildEngine}. */
export interface BuildOptions {
  /** Project root. @default this checkout's */
  root?: string;
  /** Build only this CMake target (the library alone: "midisampler"). @default every target */
  target?: string | undefined;
  /** Receive cmake's output as it is produced (the CLI prints it); silent otherwise. */
  onOutput?: ((chunk: Uint8Array) => void) | undefined;
}

/**
 * Configure and build the engine with CMake (`BUILD_COMMAND`), synchronously.
 *
 * @param options Root and output sink.
 * @returns The absolute path of the built library.
 * @throws {EngineLibraryError} when cmake is missing, not permitted, or the build fails;
 *   the hint names the command to run by hand and `cause` holds cmake's output.
 */
export function buildEngine(options: BuildOptions = {}): string {
  const root = options.root ?? PROJECT_ROOT;
  const steps: string[][] = [
    ["-S", "engine", "-B", "build/engine"],
    ["--build", "build/engine", "-j2", ...(options.target ? ["--target", options.target] : [])],
  ];
  for (const args of steps) {
    let out: Deno.CommandOutput;
    try {
      out = new Deno.Command("cmake", { args, cwd: root, stdout: "piped", stderr: "piped" })
        .outputSync();
    } catch (err) {
      throw new EngineLibraryError(
        `Cannot build the engine library: running "cmake" failed (${describe(err)})`,
        {
          hint:
            `Install cmake (apt-get install cmake libsndfile1-dev) and run in ${root}: ${BUILD_COMMAND}`,
          cause: err,
        },
      );
    }
    options.onOutput?.(out.stdout);
    options.onOutput?.(out.stderr);
    if (!out.success) {
      const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
      throw new EngineLibraryError(
        `Cannot build the engine library: "cmake ${args.join(" ")}" exited with code ${out.code}`,
        {
          hint: `Fix the build and run in ${root}: ${BUILD_COMMAND}`,
          cause: new Error(text.slice(-4000)),
        },
      );
    }
  }
  return join(root, DEFAULT_LIBRARY);
}

/**
 * The library path to open: `MS_ENGINE_LIB` as is, else the build output,
 * built first when missing or stale and running cmake is permitted.
 *
 * @returns Absolute path of an existing, current library.
 * @throws {EngineLibraryError} when the library is missing and cannot be built here;
 *   the hint says the exact command that builds it.
 */
export function ensureLibrary(): string {
  const loc = locateLibrary();
  if (loc.source === "env") {
    if (loc.missing) {
      throw new EngineLibraryError(
        `Cannot load the engine library: MS_ENGINE_LIB is "${loc.path}" but no such file exists`,
        {
          hint: `Unset MS_ENGINE_LIB to use the build, or run in ${PROJECT_ROOT}: ${BUILD_COMMAND}`,
        },
      );
    }
    return loc.path;
  }
  if (!loc.missing && !loc.stale) return loc.path;
  const why = loc.missing
    ? `"${loc.path}" does not exist`
    : `"${loc.path}" is older than "${loc.newestSource}"`;
  if (!mayRun("cmake")) {
    throw new EngineLibraryError(
      `Cannot load the engine library: ${why} and running "cmake" is not permitted`,
      { hint: `Run in ${PROJECT_ROOT}: ${BUILD_COMMAND} (or allow --allow-run=cmake)` },
    );
  }
  // only the library: a C test that does not compile yet must not block scripts
  return buildEngine({ target: "midisampler" });
}

function mayRun(command: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "run", command }).state === "granted";
  } catch {
    return false;
  }
}

function readEnv(name: string): string | undefined {
  try {
    const v = Deno.env.get(name);
    return v === "" ? undefined : v;
  } catch {
    return undefined; // --allow-env not granted: behave as if unset
  }
}

function statMtime(path: string): number | undefined {
  try {
    return Deno.statSync(path).mtime?.getTime();
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
