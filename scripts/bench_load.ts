/**
 * `deno run -A scripts/bench_load.ts [--dir /tmp/ms_bench_load] [--mb 1024] [--jobs 2] [--bits 24]`:
 * how fast a big SFZ library loads, cold and warm, and what it costs in memory.
 *
 * The library is generated once into `--dir` (never committed): `--mb` MB of
 * 48 kHz stereo WAV files (`--bits` 16 or 24 per sample, 8 MiB each) and one
 * SFZ file with a region per file. Then, each in a fresh sampler:
 * - cold: the files are dropped from the page cache first (`dd iflag=nocache
 *   count=0` per file), so the disk is read;
 * - warm: loaded again with the files cached, twice (best reported);
 * - read only: the same bytes read into one buffer, no decoding (the ceiling
 *   the decoder is compared with).
 * Reports MB/s of file bytes and of decoded bytes, the engine's memory and
 * the process RSS. Asserts nothing (benchmarks report, tests assert).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { Sampler } from "../lib/engine/sampler.ts";
import { loadInstrument } from "../lib/instrument/load.ts";
import { wavHeader } from "../lib/util/wav.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    dir: { type: "string" },
    mb: { type: "string" },
    jobs: { type: "string" },
    bits: { type: "string" },
    "sample-bits": { type: "string" },
  },
});
const dir = values.dir ?? "/tmp/ms_bench_load";
const totalMb = Number(values.mb ?? 1024);
const jobs = Number(values.jobs ?? 2);
const fileBits = Number(values.bits ?? 24);
const sampleBits = Number(values["sample-bits"] ?? 32) === 16 ? 16 : 32;
const FILE_BYTES = 8 * 1024 * 1024;
const files = Math.max(1, Math.round(totalMb * 1024 * 1024 / FILE_BYTES));
const sfz = join(dir, `big_${fileBits}.sfz`);

function generate(): void {
  try {
    if (Deno.statSync(sfz).isFile) return;
  } catch {
    // not there yet
  }
  Deno.mkdirSync(join(dir, "samples"), { recursive: true });
  const data = new Uint8Array(FILE_BYTES - 44 - ((FILE_BYTES - 44) % (2 * fileBits / 8)));
  // a quiet random signal (its values do not change the decoder's speed)
  let x = 12345;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = (i % (fileBits / 8)) === fileBits / 8 - 1 ? (x >>> 24) & 0x0f : x >>> 24;
  }
  const lines = ["<control> default_path=samples/", "<group> ampeg_release=0.2"];
  for (let f = 0; f < files; f++) {
    const name = `s${String(f).padStart(4, "0")}_${fileBits}.wav`;
    data[0] = f & 0xff; // each file its own bytes
    const out = Deno.openSync(join(dir, "samples", name), {
      write: true,
      create: true,
      truncate: true,
    });
    out.writeSync(wavHeader(data.length, { channels: 2, rate: 48000, bits: fileBits }));
    let at = 0;
    while (at < data.length) at += out.writeSync(data.subarray(at));
    out.close();
    const key = 21 + (f % 88);
    lines.push(`<region> sample=${name} key=${key} lorand=${0} hirand=1`);
  }
  Deno.writeTextFileSync(sfz, lines.join("\n") + "\n");
  console.log(`generated ${files} WAV files (${fileBits}-bit stereo) in ${dir}`);
}

function wavFiles(): string[] {
  return [...Deno.readDirSync(join(dir, "samples"))]
    .filter((e) => e.name.endsWith(`_${fileBits}.wav`))
    .map((e) => join(dir, "samples", e.name)).sort();
}

function dropCache(): void {
  for (const f of wavFiles()) {
    new Deno.Command("dd", { args: [`if=${f}`, "iflag=nocache", "count=0", "status=none"] })
      .outputSync();
  }
}

function fileBytes(): number {
  return wavFiles().reduce((n, f) => n + Deno.statSync(f).size, 0);
}

function readOnly(): number {
  const buf = new Uint8Array(FILE_BYTES);
  const t0 = performance.now();
  for (const f of wavFiles()) {
    const file = Deno.openSync(f);
    while ((file.readSync(buf) ?? 0) > 0) { /* read it all */ }
    file.close();
  }
  return (performance.now() - t0) / 1000;
}

/** CPU seconds this process has used, user and system (all threads; /proc/self/stat). */
function cpuSeconds(): { user: number; sys: number } {
  const f = Deno.readTextFileSync("/proc/self/stat");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return { user: Number(rest[11]) / 100, sys: Number(rest[12]) / 100 };
}

async function load(label: string): Promise<void> {
  using sampler = Sampler.open({ sampleBits });
  let last = 0;
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const inst = await loadInstrument(sampler, sfz, {
    jobs,
    onProgress: (p) => {
      const pct = Math.floor(p.done / p.total * 10);
      if (pct > last) {
        last = pct;
        Deno.stderr.writeSync(new TextEncoder().encode(`\r${label}: ${pct * 10} %`));
      }
    },
  });
  const s = (performance.now() - t0) / 1000;
  const c1 = cpuSeconds();
  const user = c1.user - c0.user, sys = c1.sys - c0.sys;
  Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[2K"));
  const stats = sampler.stats();
  const mb = fileBytes() / 1e6;
  console.log(
    `${label}: ${inst.zoneCount} zones, ${mb.toFixed(0)} MB of files in ${s.toFixed(2)} s = ${
      (mb / s).toFixed(0)
    } MB/s of files, ${(stats.memoryBytes / 1e6 / s).toFixed(0)} MB/s decoded; engine memory ${
      (stats.memoryBytes / 1e6).toFixed(0)
    } MB, RSS ${(Deno.memoryUsage().rss / 1e6).toFixed(0)} MB; CPU ${
      (user + sys).toFixed(2)
    } s (user ${user.toFixed(2)}, system ${sys.toFixed(2)}) = ${
      (mb / (user + sys)).toFixed(0)
    } MB/s per busy core`,
  );
}

generate();
console.log(
  `library: ${sfz}, ${wavFiles().length} files, ${
    (fileBytes() / 1e6).toFixed(0)
  } MB, jobs ${jobs}, ${sampleBits}-bit in memory`,
);
dropCache();
await load("cold");
readOnly();
await load("warm");
await load("warm");
const r = readOnly();
console.log(`read only (warm, one thread): ${(fileBytes() / 1e6 / r).toFixed(0)} MB/s`);
