/**
 * `deno task build`: configure and build the engine (libmidisampler.so) with
 * CMake, or say it is up to date.
 *
 * Usage: deno task build [--force] [--quiet] [--target midisampler]
 *
 * CLI layer: the only place here that prints and sets an exit code.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { BUILD_COMMAND, buildEngine, locateLibrary, PROJECT_ROOT } from "../lib/ffi/build.ts";
import { formatError } from "../lib/errors.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      force: { type: "boolean", default: false },
      quiet: { type: "boolean", short: "q", default: false },
      target: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      `Usage: deno task build [--force] [--quiet] [--target midisampler]\nRuns in ${PROJECT_ROOT}: ${BUILD_COMMAND}`,
    );
    Deno.exit(0);
  }
  const loc = locateLibrary();
  if (loc.source === "env") {
    if (!values.quiet) console.error(`MS_ENGINE_LIB is set: using "${loc.path}", not building`);
    Deno.exit(loc.missing ? 1 : 0);
  }
  if (!values.force && !loc.missing && !loc.stale) {
    if (!values.quiet) console.error(`up to date: ${loc.path}`);
    Deno.exit(0);
  }
  try {
    const path = buildEngine({
      target: values.target,
      onOutput: values.quiet ? undefined : (chunk) => Deno.stderr.writeSync(chunk),
    });
    if (!values.quiet) console.error(`built: ${path}`);
  } catch (err) {
    console.error(formatError(err));
    const cause = err instanceof Error ? err.cause : undefined;
    if (values.quiet && cause instanceof Error) console.error(cause.message);
    Deno.exit(1);
  }
}
