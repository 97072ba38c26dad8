/**
 * What the command-line scripts share: usage errors and their exit codes,
 * parsing with node:util's parseArgs, numeric flags, and the live-output
 * flags (`--backend --device --period --periods --rt-priority
 * --lookahead-ms`) that `perform` and `play` both take.
 *
 * CLI layer only: nothing here runs in the library.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { OutputOptions } from "../lib/engine/output.ts";
import type { SamplerOptions } from "../lib/engine/options.ts";
import { formatError } from "../lib/errors.ts";
import { MAX_ORBITS } from "../lib/ffi/layout.ts";
import { onPackProgress, packProgressLine, setSamplesRoot } from "../lib/instrument/packs.ts";

/** A bad command line: printed with the usage text; exit code 2 (0 for --help). */
export class UsageError extends Error {}

/**
 * parseArgs with positionals allowed, its failures turned into UsageErrors.
 *
 * @param args The arguments.
 * @param options The flags, as parseArgs takes them.
 * @returns parseArgs' result.
 * @throws {UsageError} for an unknown flag or a missing value.
 */
export function parseCommandLine<const O extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>> {
  try {
    return parseArgs({ args, allowPositionals: true, options });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * `--samples DIR`: where github: sample packs and URLs are looked for; and,
 * on a terminal, the packs' decoding progress on one line of stderr,
 * rewritten as it goes.
 *
 * @param dir The flag's value, undefined when absent (the default folder stays).
 */
export function useSamplesFlag(dir: string | undefined): void {
  if (dir !== undefined) setSamplesRoot(dir);
  if (Deno.stderr.isTerminal()) {
    const enc = new TextEncoder();
    onPackProgress((p) =>
      Deno.stderr.writeSync(
        enc.encode(`\r${packProgressLine(p)}\x1b[K${p.done === p.total ? "\n" : ""}`),
      )
    );
  }
}

/**
 * A numeric flag's value.
 *
 * @param action What the command does, for the message ("Cannot play").
 * @param name The flag without dashes.
 * @param text The flag's text, undefined when absent.
 * @param integer Whether only whole numbers are allowed.
 * @returns The number, or undefined when the flag was not given.
 * @throws {UsageError} when the text is not such a number.
 */
export function numberFlag(
  action: string,
  name: string,
  text: string | boolean | undefined,
  integer: boolean,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (
    typeof text !== "string" || text.trim() === "" || !Number.isFinite(n) ||
    (integer && !Number.isInteger(n))
  ) {
    throw new UsageError(
      `${action}: --${name} must be a${integer ? "n integer" : " number"}, got "${text}"`,
    );
  }
  return n;
}

/** The live-output flags' lines of a usage text. */
export const OUTPUT_USAGE =
  `  --backend auto|alsa|jack  auto: JACK when a server runs, else ALSA "default" (default auto)
  --device NAME             ALSA PCM (default "default") or JACK client name
  --period N                ALSA period in frames (default 128; JACK uses the server's)
  --periods N               ALSA periods per buffer (default 2)
  --rt-priority N           SCHED_FIFO priority of the render thread, 0 = off (default 80)
  --lookahead-ms N          how far ahead events are scheduled (default 100)
  --orbit-outputs           JACK: one port pair per orbit (orbit k on ports 2k+1, 2k+2; 16 pairs)
                            instead of one stereo mix`;

/** The live-output flags, for parseCommandLine. */
export const OUTPUT_FLAGS = {
  backend: { type: "string" },
  device: { type: "string" },
  period: { type: "string" },
  periods: { type: "string" },
  "rt-priority": { type: "string" },
  "lookahead-ms": { type: "string" },
  "orbit-outputs": { type: "boolean" },
} as const;

/**
 * Sampler options the live-output flags ask for: `--orbit-outputs` opens one
 * channel pair per orbit (JACK only: an ALSA device has one stereo pair).
 *
 * @param action What the command does, for messages.
 * @param values parseCommandLine's values.
 * @returns The sampler options (empty without the flag).
 * @throws {UsageError} for --orbit-outputs with --backend alsa.
 */
export function samplerOptionsFrom(
  action: string,
  values: Record<string, string | boolean | undefined>,
): SamplerOptions {
  if (values["orbit-outputs"] !== true) return {};
  if (values.backend === "alsa") {
    throw new UsageError(`${action}: --orbit-outputs needs JACK (--backend jack or auto)`);
  }
  return { channels: 2 * MAX_ORBITS, orbitOutputs: true };
}

/**
 * OutputOptions from the live-output flags (ranges are checked by the
 * output's own schema when it starts).
 *
 * @param action What the command does, for messages.
 * @param values parseCommandLine's values.
 * @returns The options given.
 * @throws {UsageError} for a backend name or a number that does not parse.
 */
export function outputOptionsFrom(
  action: string,
  values: Record<string, string | boolean | undefined>,
): OutputOptions {
  const output: OutputOptions = {};
  const backend = values.backend;
  if (backend !== undefined) {
    if (backend !== "auto" && backend !== "alsa" && backend !== "jack") {
      throw new UsageError(`${action}: --backend must be auto, alsa or jack, got "${backend}"`);
    }
    output.backend = backend;
  }
  if (typeof values.device === "string") output.device = values.device;
  const period = numberFlag(action, "period", values.period, true);
  if (period !== undefined) output.periodFrames = period;
  const periods = numberFlag(action, "periods", values.periods, true);
  if (periods !== undefined) output.periods = periods;
  const rt = numberFlag(action, "rt-priority", values["rt-priority"], true);
  if (rt !== undefined) output.rtPriority = rt;
  const look = numberFlag(action, "lookahead-ms", values["lookahead-ms"], false);
  if (look !== undefined) output.lookaheadMs = look;
  return output;
}

/**
 * Parse a command line; on a UsageError print it and the usage text.
 *
 * @param usage The usage text.
 * @param parse The script's parser.
 * @param args The arguments.
 * @returns The parsed arguments, or the exit code to return (2, or 0 for --help).
 */
export function parseOrUsage<A>(
  usage: string,
  parse: (args: string[]) => A,
  args: string[],
): A | number {
  try {
    return parse(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) console.error(`error: ${err.message}`);
    console.error(usage);
    return err.message ? 2 : 0;
  }
}

/** Print an output's warnings on stderr as `warning:` lines. */
export function printWarnings(warnings: readonly unknown[]): void {
  for (const w of warnings) console.error(formatError(w).replace(/^error:/, "warning:"));
}

/**
 * Ctrl-C ends a live run: on SIGINT, `stop` is called and `interrupted`
 * turns true. `remove()` takes the listener away once the run finished.
 */
export function stopOnSigint(stop: () => void): { readonly interrupted: boolean; remove(): void } {
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    stop();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  return {
    get interrupted() {
      return interrupted;
    },
    remove: () => Deno.removeSignalListener("SIGINT", onSigint),
  };
}

/**
 * A live run's exit code: 1 with the failure printed, else 130 when Ctrl-C
 * ended it, else 0.
 */
export function liveExitCode(failure: unknown, interrupted: boolean): number {
  if (failure) {
    console.error(formatError(failure));
    return 1;
  }
  return interrupted ? 130 : 0;
}
