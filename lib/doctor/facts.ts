/**
 * Where doctor's checks get their data: a {@linkcode SystemFacts} reader, so
 * that unit tests can feed fake /proc and /sys contents and fake commands.
 *
 * Thread: CT. {@linkcode realFacts} reads files synchronously, runs commands
 * as subprocesses with a timeout and runs the engine's latency probe, which
 * blocks for its duration. Nothing here prints.
 *
 * @module
 */
import { type LatencyReport, probeTimerLatency } from "../ffi/latency_probe.ts";
import { MidiSamplerError } from "../errors.ts";

/** Output of a finished command. */
export interface CommandResult {
  /** Exit code; `undefined` when it was killed at the timeout. */
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/** What the latency probe gave: figures, or why it could not run. */
export type ProbeOutcome =
  | { ok: true; report: LatencyReport }
  | { ok: false; error: string; hint?: string };

/** Everything the checks read from the system. Each method says "absent" with `undefined`. */
export interface SystemFacts {
  /** A file's text; `undefined` when it does not exist or cannot be read. */
  readText(path: string): string | undefined;
  /** Entry names of a directory; `undefined` when it does not exist or cannot be read. */
  listDir(path: string): string[] | undefined;
  /** An environment variable; `undefined` when unset or not permitted. */
  env(name: string): string | undefined;
  /** The CPU architecture as Deno names it ("x86_64", "aarch64"). */
  arch(): string;
  /** Path of the running Deno binary (for the setcap fix). */
  execPath(): string;
  /**
   * Run a command with a timeout.
   * @returns Its output; `undefined` when the program is not installed.
   */
  run(
    command: string,
    args: string[],
    options: { timeoutMs: number; env?: Record<string, string> },
  ): Promise<CommandResult | undefined>;
  /** Measure timer wake-up latency (blocks for `seconds`). */
  probeLatency(priority: number, seconds: number): ProbeOutcome;
}

/** Thrown when Deno's permissions (not the system's) keep doctor from reading. */
export class DoctorPermissionError extends Error {
  /** @param message Says what could not be read and the flag that allows it. */
  constructor(message: string) {
    super(message);
    this.name = "DoctorPermissionError";
  }
}

/** A file the system does not have or does not let us read is absent; Deno's own denial is not. */
function absent(err: unknown, path: string): undefined {
  if (err instanceof Deno.errors.NotCapable) {
    throw new DoctorPermissionError(
      `Cannot read "${path}": Deno allows /proc, /sys and /dev only with --allow-all: run deno task doctor (or deno run -A scripts/doctor.ts)`,
    );
  }
  return undefined;
}

/**
 * The real machine: Deno file reads, `Deno.Command` and the engine's probe.
 *
 * @returns A SystemFacts over this machine.
 */
export function realFacts(): SystemFacts {
  return {
    readText(path) {
      try {
        return Deno.readTextFileSync(path);
      } catch (err) {
        return absent(err, path);
      }
    },
    listDir(path) {
      try {
        return [...Deno.readDirSync(path)].map((e) => e.name).sort();
      } catch (err) {
        return absent(err, path);
      }
    },
    env(name) {
      try {
        return Deno.env.get(name);
      } catch {
        return undefined;
      }
    },
    arch: () => Deno.build.arch,
    execPath() {
      try {
        return Deno.execPath();
      } catch {
        return "deno";
      }
    },
    async run(command, args, options) {
      const cmd = new Deno.Command(command, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: options.env ?? {},
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      let out: Deno.CommandOutput;
      try {
        out = await cmd.output();
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return undefined;
        throw err;
      }
      const text = new TextDecoder();
      return {
        code: out.signal ? undefined : out.code,
        stdout: text.decode(out.stdout),
        stderr: text.decode(out.stderr),
      };
    },
    probeLatency(priority, seconds) {
      try {
        const report = probeTimerLatency({ priority, durationMs: Math.round(seconds * 1000) });
        return { ok: true, report };
      } catch (err) {
        if (err instanceof MidiSamplerError) {
          return err.hint
            ? { ok: false, error: err.message, hint: err.hint }
            : { ok: false, error: err.message };
        }
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
