/**
 * `deno task instrument`: look at and load instrument definitions (.ts,
 * .json or .sfz).
 *
 * Usage:
 *   deno task instrument inspect <file>
 *   deno task instrument load <file> [--jobs N] [--repeat N] [--bits 16|32] [--memory-mb N]
 *
 * inspect prints the zones as a table (keys, velocities, root, sample, loop,
 * trigger, keyswitch, groups, filter), the import's warnings, and warnings
 * about overlapping or uncovered key/velocity ranges. load decodes every
 * sample into a sampler, `--jobs` files at a time, with a progress bar on
 * stderr (terminal only), then reports MB/s and the memory used.
 *
 * CLI layer: the only place that prints and sets the exit code (0 ok, 1 the
 * definition failed, 2 bad usage).
 *
 * @module
 */
import { extname } from "node:path";
import { parseCommandLine, UsageError } from "./cli.ts";
import { formatError } from "../lib/errors.ts";
import { Sampler } from "../lib/engine/sampler.ts";
import { formatTable, rangeWarnings, zoneRows } from "../lib/instrument/inspect.ts";
import { isSoundFontPath, listPresets } from "../lib/instrument/sf2/load.ts";
import { loadInstrument, readDefinition } from "../lib/instrument/load.ts";
import { noteName } from "../lib/instrument/notes.ts";
import { importSfz } from "../lib/instrument/sfz/import.ts";

const USAGE = `Usage: deno task instrument <command> <file> [options]
  inspect <file>     the zones as a table, import warnings, overlapping/uncovered ranges
  load <file>        decode every sample into a sampler; report MB/s and memory
    --jobs N         files decoded at once (default: ${navigator.hardwareConcurrency ?? 1})
    --repeat N       load N times into fresh samplers and report each (default 1)
    --bits 16|32     keep samples as int16 (half the RAM) or float (default 32)
    --memory-mb N    refuse a library whose samples need more than N MB decoded
                     (default: MemAvailable less 256 MiB)`;

const enc = new TextEncoder();
const print = (line = "") => console.log(line);
const warn = (line: string) => console.error(`warning: ${line}`);

async function inspect(file: string): Promise<number> {
  if (isSoundFontPath(file)) {
    // a SoundFont: its presets (load one with "font.sf2#bank:program")
    const { font, presets } = await listPresets(file);
    print(
      `${file}: SoundFont ${font.version}${
        font.name ? ` "${font.name}"` : ""
      }, ${presets.length} presets, ${font.samples.length} samples`,
    );
    print("bank  program  zones  name");
    for (const p of presets) {
      print(
        `${String(p.bank).padStart(4)}  ${String(p.program).padStart(7)}  ${
          String(p.zones).padStart(5)
        }  ${p.name}`,
      );
    }
    return 0;
  }
  const resolved = await readDefinition(file);
  const def = resolved.definition;
  print(
    `${resolved.shownFile}: "${def.name}", ${def.zones.length} zones` +
      (def.polyphony ? `, polyphony ${def.polyphony}` : "") +
      (def.keyswitchDefault !== undefined
        ? `, keyswitch default ${noteName(def.keyswitchDefault)}`
        : ""),
  );
  const rows = zoneRows(def);
  if (extname(file).toLowerCase() === ".sfz") {
    // show where each zone came from
    const { regions, controllers } = importSfz(file);
    rows.forEach((r, i) => r["#"] = `${i}:${regions[i]?.line ?? "?"}`);
    // label_ccN and set_ccN (played by a later step; shown so the controls are known)
    for (const c of controllers) {
      print(
        `CC${c.cc}${c.label !== undefined ? ` "${c.label}"` : ""}` +
          (c.initial !== undefined ? `, starts at ${Math.round(c.initial * 100) / 100}` : ""),
      );
    }
  }
  for (const line of formatTable(rows)) print(line);
  for (const w of resolved.warnings) warn(w);
  for (const w of rangeWarnings(def)) warn(w);
  return 0;
}

/** A progress bar on stderr, only on a terminal. */
function progressBar(
  label: string,
): { update(done: number, total: number, mb: number): void; clear(): void } {
  const tty = Deno.stderr.isTerminal();
  let shown = false;
  return {
    update(done, total, mb) {
      if (!tty) return;
      const width = 30, filled = Math.round((done / total) * width);
      Deno.stderr.writeSync(
        enc.encode(
          `\r${label} [${"#".repeat(filled)}${
            ".".repeat(width - filled)
          }] ${done}/${total} files, ${mb.toFixed(1)} MB`,
        ),
      );
      shown = true;
    },
    clear() {
      if (shown) Deno.stderr.writeSync(enc.encode("\r\x1b[2K"));
      shown = false;
    },
  };
}

async function load(
  file: string,
  jobs: number,
  repeat: number,
  bits: 16 | 32,
  memoryMb?: number,
): Promise<number> {
  for (let run = 0; run < repeat; run++) {
    using sampler = Sampler.open({ sampleBits: bits });
    const bar = progressBar("loading");
    let files = 0, bytes = 0;
    const t0 = performance.now();
    const inst = await loadInstrument(sampler, file, {
      jobs,
      ...(memoryMb === undefined ? {} : { memoryBudget: memoryMb * 1e6 }),
      onProgress: (p) => {
        files = p.total;
        bytes = p.bytes;
        bar.update(p.done, p.total, p.bytes / 1e6);
      },
      onWarning: (w) => run === 0 && warn(w),
    });
    const seconds = (performance.now() - t0) / 1000;
    bar.clear();
    const stats = sampler.stats();
    const rss = Deno.memoryUsage().rss;
    print(
      `${inst.name}: ${inst.zoneCount} zones, ${files} files, ${
        (bytes / 1e6).toFixed(1)
      } MB decoded ` +
        `in ${seconds.toFixed(2)} s = ${(bytes / 1e6 / seconds).toFixed(1)} MB/s ` +
        `(jobs ${jobs}, ${bits}-bit); ` +
        `engine memory ${(stats.memoryBytes / 1e6).toFixed(1)} MB, process RSS ${
          (rss / 1e6).toFixed(1)
        } MB`,
    );
  }
  return 0;
}

async function main(args: string[]): Promise<number> {
  const parsed = parseCommandLine(args, {
    jobs: { type: "string" },
    repeat: { type: "string" },
    bits: { type: "string" },
    "memory-mb": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (parsed.values.help) {
    print(USAGE);
    return 0;
  }
  const [command, file, ...extra] = parsed.positionals;
  if (!command || !file || extra.length) throw new UsageError("give a command and one file");
  const count = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 256) {
      throw new UsageError(`--${name} must be a whole number 1..256, got "${text}"`);
    }
    return n;
  };
  const jobs = count("jobs", parsed.values.jobs, navigator.hardwareConcurrency ?? 1);
  const repeat = count("repeat", parsed.values.repeat, 1);
  if (command === "inspect") return await inspect(file);
  const bits = parsed.values.bits ?? "32";
  if (bits !== "16" && bits !== "32") {
    throw new UsageError(`--bits must be 16 or 32, got "${bits}"`);
  }
  const memoryText = parsed.values["memory-mb"];
  const memoryMb = memoryText === undefined ? undefined : Number(memoryText);
  if (memoryMb !== undefined && !(Number.isFinite(memoryMb) && memoryMb >= 0)) {
    throw new UsageError(`--memory-mb must be a number of MB >= 0, got "${memoryText}"`);
  }
  if (command === "load") {
    return await load(file, jobs, repeat, bits === "16" ? 16 : 32, memoryMb);
  }
  throw new UsageError(`unknown command "${command}" (use inspect or load)`);
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n${USAGE}`);
      Deno.exit(2);
    }
    console.error(formatError(err));
    Deno.exit(1);
  }
}
