/**
 * `deno task play`: play a performance script live through JACK or ALSA.
 *
 * Usage:
 *   deno task play <script.ts> [--backend auto|alsa|jack] [--device D] [--period N]
 *                  [--periods N] [--rt-priority N] [--lookahead-ms N] [--seconds N] [--seed N]
 *
 * CLI layer: the only place that prints and sets the exit code (0 played,
 * 1 failed, 2 bad usage, 130 interrupted). It prints the backend, the latency
 * obtained (frames and ms) and the render thread's scheduling; while playing,
 * a status line (DSP load, voices, xruns, late events) refreshed 4 times a
 * second when stderr is a terminal; a summary at the end. Ctrl-C stops cleanly.
 *
 * @module
 */
import { DeviceError, formatError, NoServerError } from "../lib/errors.ts";
import {
  type LivePerformance,
  type LivePerformanceResult,
  startPerformance,
} from "../lib/runners/live_performance.ts";
import type { OutputInfo, OutputOptions } from "../lib/engine/output.ts";
import type { SamplerOptions } from "../lib/engine/options.ts";
import {
  liveExitCode,
  numberFlag,
  OUTPUT_FLAGS,
  OUTPUT_USAGE,
  outputOptionsFrom,
  parseCommandLine,
  parseOrUsage,
  printWarnings,
  samplerOptionsFrom,
  stopOnSigint,
  UsageError,
} from "./cli.ts";

const USAGE = `Usage: deno task play <script.ts> [options]
${OUTPUT_USAGE}
  --seconds N               how long to play (default 10)
  --seed N                  seed of ctx.random and the engine's alternatives (default 1)`;

interface PlayArgs {
  script: string;
  seconds: number;
  seed: number;
  output: OutputOptions;
  sampler: SamplerOptions;
}

function parse(args: string[]): PlayArgs {
  const { values, positionals } = parseCommandLine(args, {
    ...OUTPUT_FLAGS,
    seconds: { type: "string" },
    seed: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) throw new UsageError("");
  if (positionals.length !== 1) {
    throw new UsageError(`Cannot play: expected one script, got ${positionals.length} arguments`);
  }
  const output = outputOptionsFrom("Cannot play", values);
  const sampler = samplerOptionsFrom("Cannot play", values);
  const seed = numberFlag("Cannot play", "seed", values.seed, true) ?? 1;
  if (seed < 0 || seed > 4294967295) {
    throw new UsageError(`Cannot play: --seed must be 0..4294967295, got "${seed}"`);
  }
  return {
    script: positionals[0]!,
    seconds: numberFlag("Cannot play", "seconds", values.seconds, false) ?? 10,
    seed,
    output,
    sampler,
  };
}

/** The line saying what the device gave. */
export function describeOutput(info: OutputInfo): string {
  const where = info.backend === "jack"
    ? `JACK client "${info.device}"`
    : `ALSA "${info.device}" (${info.pcmFormat}, ${info.periods} x ${info.periodFrames} frames)`;
  const sched = info.realtime
    ? `real-time (SCHED_${info.schedPolicy.toUpperCase()} ${info.schedPriority})`
    : "normal priority (not real-time)";
  return `${where} at ${info.sampleRate} Hz, period ${info.periodFrames} frames; ` +
    `latency ${info.latencyFrames} frames (${
      info.latencyMs.toFixed(1)
    } ms); render thread ${sched}`;
}

/** The one-line summary after playing. */
export function summary(r: LivePerformanceResult): string {
  const s = r.stats;
  const how = r.ending === "done"
    ? "played"
    : r.ending === "stopped"
    ? "stopped after"
    : "failed after";
  return `${how} ${r.seconds.toFixed(2)} s: ${s.xruns} xruns, ${s.eventsLate} late events, ` +
    `${s.eventsDropped} dropped, ${s.voicesPeak} voices peak, DSP load max ${
      (100 * s.dspLoadMax).toFixed(0)
    }%, render block p50 ${(s.renderNsP50 / 1000).toFixed(1)} us / p99 ${
      (s.renderNsP99 / 1000).toFixed(1)
    } us`;
}

/** The status line on stderr, 4 times a second, only on a terminal. */
function statusLine(perf: LivePerformance): { stop(): void } {
  if (!Deno.stderr.isTerminal()) return { stop() {} };
  const enc = new TextEncoder();
  const rate = perf.info.sampleRate;
  const timer = setInterval(() => {
    if (!perf.sampler.open) return;
    const s = perf.sampler.stats();
    const line = `${(s.framesRendered / rate).toFixed(1)}/${
      (perf.totalFrames / rate).toFixed(1)
    } s | load ${(100 * s.dspLoad).toFixed(0).padStart(3)}% (max ${
      (100 * s.dspLoadMax).toFixed(0)
    }%) | voices ${String(s.voicesActive).padStart(3)} | xruns ${s.xruns} | late ${s.eventsLate}`;
    Deno.stderr.writeSync(enc.encode(`\r\x1b[2K${line}`));
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      Deno.stderr.writeSync(enc.encode("\r\x1b[2K"));
    },
  };
}

async function main(args: string[]): Promise<number> {
  const a = parseOrUsage(USAGE, parse, args);
  if (typeof a === "number") return a;
  let perf: LivePerformance;
  try {
    perf = await startPerformance(a.script, {
      output: a.output,
      seconds: a.seconds,
      seed: a.seed,
      sampler: a.sampler,
    });
  } catch (err) {
    console.error(formatError(err));
    if (err instanceof DeviceError && !(err instanceof NoServerError)) {
      console.error(
        `Render it to a file instead: deno task render ${a.script} out.wav`,
      );
    }
    return 1;
  }
  // JACK computes port latencies once the client is connected: read them a moment later
  await new Promise((r) => setTimeout(r, 200));
  console.log(`playing ${a.script} live: ${describeOutput(perf.info)}`);
  printWarnings(perf.warnings);
  const sigint = stopOnSigint(() => perf.stop());
  const status = statusLine(perf);
  const result = await perf.finished;
  status.stop();
  sigint.remove();
  console.log(summary(result));
  return liveExitCode(result.failure, sigint.interrupted);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
