/**
 * `deno task doctor`: check this machine for real-time audio and print one
 * `PASS|WARN|FAIL  <check>: <finding>` line per check, with an indented
 * `fix:` line for each WARN and FAIL.
 *
 * Usage:
 *   deno task doctor [--json] [--probe-seconds N] [--no-probe] [--rt-priority N]
 *
 * CLI layer: the only place that prints and sets the exit code (0 nothing
 * failed, 1 a check failed, 2 bad usage). The checks live in lib/doctor.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { formatError } from "../lib/errors.ts";
import { exitCode, formatText, realFacts, runDoctor } from "../lib/doctor/mod.ts";
import { parseOrUsage, UsageError } from "./cli.ts";

const USAGE = `Usage: deno task doctor [options]
  --json              print a JSON array of {check, status, finding, fix?, data?}
  --probe-seconds N   length of the timer-latency probe (default 5)
  --no-probe          skip the timer-latency probe
  --rt-priority N     SCHED_FIFO priority to probe and to check ulimit -r against (default 80)`;

/** Parsed command line. */
interface DoctorArgs {
  json: boolean;
  probe: boolean;
  probeSeconds: number;
  rtPriority: number;
}

function parse(args: string[]): DoctorArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        json: { type: "boolean" },
        "probe-seconds": { type: "string" },
        "no-probe": { type: "boolean" },
        "rt-priority": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) throw new UsageError("");
  const seconds = Number(values["probe-seconds"] ?? 5);
  if (!Number.isFinite(seconds) || seconds < 0.001 || seconds > 600) {
    throw new UsageError(
      `Cannot run doctor: --probe-seconds "${
        values["probe-seconds"]
      }" is not between 0.001 and 600`,
    );
  }
  const priority = Number(values["rt-priority"] ?? 80);
  if (!Number.isInteger(priority) || priority < 0 || priority > 99) {
    throw new UsageError(
      `Cannot run doctor: --rt-priority "${values["rt-priority"]}" is not an integer in 0..99`,
    );
  }
  return {
    json: values.json ?? false,
    probe: !(values["no-probe"] ?? false),
    probeSeconds: seconds,
    rtPriority: priority,
  };
}

async function main(argv: string[]): Promise<number> {
  const args = parseOrUsage(USAGE, parse, argv);
  if (typeof args === "number") return args;
  try {
    const results = await runDoctor(realFacts(), {
      probe: args.probe,
      probeSeconds: args.probeSeconds,
      rtPriority: args.rtPriority,
      onProbeStart: (s) => {
        if (!args.json && Deno.stderr.isTerminal()) {
          console.error(`probing timer latency for ${s} s ...`);
        }
      },
    });
    if (args.json) console.log(JSON.stringify(results, null, 2));
    else Deno.stdout.writeSync(new TextEncoder().encode(formatText(results)));
    return exitCode(results);
  } catch (err) {
    console.error(formatError(err));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
