/**
 * Live output end to end, from Deno: ALSA through a project-local `file`
 * PCM (live bytes = offline bytes), a JACK dummy server (a script played
 * for 3 s; a GC storm on the JavaScript thread while it plays), and the
 * device errors. Each case runs tests/live_child.ts as a subprocess with
 * its own environment; the JACK servers are ours, stopped by PID even when
 * a case fails. No timing assertions beyond "paced, not free-running":
 * xruns and block times are reported, never asserted (the VM has host
 * stalls of several ms).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ensureLibrary } from "../lib/ffi/build.ts";
import { hasCommand, startJackDummy } from "../scripts/live_support.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHILD = `${ROOT}/tests/live_child.ts`;
const HAS_ALSA = (() => {
  try {
    return Deno.statSync("/usr/share/alsa/alsa.conf").isFile;
  } catch {
    return false;
  }
})();
const HAS_JACK = hasCommand("jackd") && hasCommand("jack_wait");
/** Root, asked without --allow-sys (Deno.uid) or --allow-all (/proc/self). */
const IS_ROOT = (() => {
  try {
    const out = new Deno.Command("id", { args: ["-u"], stderr: "null" }).outputSync();
    return out.success && new TextDecoder().decode(out.stdout).trim() === "0";
  } catch {
    return false;
  }
})();
const CAN_DROP_CAPS = HAS_ALSA && IS_ROOT && hasCommand("setpriv");
const NO_JACK = HAS_JACK
  ? ""
  : " (skipped: jackd or jack_wait not installed; apt-get install jackd2)";
const NO_ALSA = HAS_ALSA
  ? ""
  : " (skipped: no /usr/share/alsa/alsa.conf; apt-get install libasound2)";

/** Run live_child.ts; returns its JSON result (the last stdout line). */
async function child(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  prefix: string[] = [],
): Promise<Record<string, unknown>> {
  const deno = ["run", "--allow-all", "--config", `${ROOT}/deno.json`, CHILD, ...args];
  const proc = new Deno.Command(prefix[0] ?? Deno.execPath(), {
    args: prefix.length ? [...prefix.slice(1), Deno.execPath(), ...deno] : deno,
    cwd: ROOT,
    env: { MS_ENGINE_LIB: ensureLibrary(), ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      proc.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, timeoutMs);
  const out = await proc.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout).trim();
  const stderr = dec.decode(out.stderr);
  assert.equal(out.code, 0, `live_child.ts ${args.join(" ")} failed (${out.code}):\n${stderr}`);
  return JSON.parse(stdout.split("\n").at(-1)!);
}

function report(label: string, fields: Record<string, unknown>): void {
  console.log(
    `  ${label}: ` + Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(" "),
  );
}

Deno.test({
  name:
    `live ALSA file PCM: a phrase played live equals the offline render byte for byte, also with effects and orbits${NO_ALSA}`,
  ignore: !HAS_ALSA,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ms-live-alsa-" });
    try {
      for (const [period, fx] of [[128, ""], [64, ""], [128, "fx"]] as const) {
        const raw = `${dir}/live_${period}${fx}.raw`;
        const conf = `${dir}/asound.conf`;
        await Deno.writeTextFile(
          conf,
          `pcm.liveraw {\n  type file\n  slave.pcm "null"\n  file "${raw}"\n  format "raw"\n}\n`,
        );
        const r = await child(["alsa-file", raw, String(period), fx], {
          ALSA_CONFIG_PATH: `/usr/share/alsa/alsa.conf:${conf}`,
        });
        const info = r.info as Record<string, unknown>;
        assert.equal(info.backend, "alsa");
        assert.equal(info.device, "liveraw");
        assert.equal(info.periodFrames, period);
        assert.equal(info.pcmFormat, "float");
        assert.equal(r.late, 0, "events arrived late");
        assert.equal(r.dropped, 0, "events dropped");
        assert.ok((r.peak as number) > 0.05, "the phrase is silent");
        assert.ok((r.fileBytes as number) >= (r.comparedBytes as number), "the file is short");
        assert.equal(r.firstDiff, -1, `live and offline differ from byte ${r.firstDiff}`);
        report(`period ${period}${fx ? " with effects" : ""}`, {
          latencyFrames: info.latencyFrames,
          comparedBytes: r.comparedBytes,
          fileBytes: r.fileBytes,
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: `live JACK dummy: examples/hello.ts plays 3 s, frames follow the clock${NO_JACK}`,
  ignore: !HAS_JACK,
  async fn() {
    await using server = await startJackDummy({ periodFrames: 64, prefix: "ms-live-test" });
    const r = await child(["jack", "examples/hello.ts", "3", "0"], {
      JACK_DEFAULT_SERVER: server.name,
    });
    const info = r.info as Record<string, unknown>;
    assert.equal(info.backend, "jack");
    assert.equal(info.sampleRate, 48000);
    assert.equal(info.periodFrames, 64);
    assert.equal(r.ending, "done");
    assert.equal(r.dropped, 0);
    assert.ok((r.received as number) > 100, "the script's events did not reach the engine");
    // paced by the server, not free-running (an unpaced device plays ~100x real time):
    // only an upper bound, since host stalls and xruns on a busy VM lose time
    const ratio = (r.frames as number) / ((r.elapsed as number) * 48000);
    assert.ok(ratio < 2, `frames/elapsed ratio ${ratio}: the output is not paced`);
    report("jack 64", {
      latencyFrames: info.latencyFrames,
      latencyMs: (info.latencyMs as number).toFixed(2),
      sched: `${info.schedPolicy}/${info.schedPriority}`,
      frames: r.frames,
      elapsed: (r.elapsed as number).toFixed(3),
      ratio: ratio.toFixed(3),
      xruns: r.xruns,
      late: r.late,
    });
  },
});

Deno.test({
  name: `live JACK dummy: a GC storm on the JavaScript thread makes no event late${NO_JACK}`,
  ignore: !HAS_JACK,
  async fn() {
    await using server = await startJackDummy({ periodFrames: 64, prefix: "ms-live-gc" });
    const env = { JACK_DEFAULT_SERVER: server.name };
    const calm = await child(["jack", "examples/hello.ts", "3", "0"], env);
    const storm = await child(["jack", "examples/hello.ts", "3", "1"], env);
    const s = storm.storm as { bytesPerSecond: number; longestSliceMs: number };
    assert.ok(s.bytesPerSecond > 100e6, `the storm allocated only ${s.bytesPerSecond} B/s`);
    assert.equal(calm.late, 0, "late events without the storm");
    assert.equal(storm.late, 0, "late events during the GC storm");
    assert.equal(storm.dropped, 0);
    for (const [label, r] of [["calm", calm], ["storm", storm]] as const) {
      report(label, {
        p50us: ((r.p50Ns as number) / 1000).toFixed(1),
        p99us: ((r.p99Ns as number) / 1000).toFixed(1),
        maxus: ((r.maxNs as number) / 1000).toFixed(1),
        xruns: r.xruns,
        late: r.late,
      });
    }
    report("storm", {
      MBps: (s.bytesPerSecond / 1e6).toFixed(0),
      longestSliceMs: s.longestSliceMs.toFixed(1),
    });
  },
});

Deno.test({
  name: `live errors: missing ALSA device and no JACK server are typed; the sampler still renders${
    HAS_ALSA ? "" : NO_ALSA
  }`,
  ignore: !HAS_ALSA,
  async fn() {
    const r = await child(["errors"], {
      JACK_DEFAULT_SERVER: `ms-no-such-server-${Deno.pid}`,
    });
    const alsa = r.alsa as Record<string, unknown>;
    assert.equal(alsa.name, "DeviceError");
    assert.equal(alsa.code, "MS_ERR_DEVICE");
    assert.match(alsa.message as string, /"no-such-device-42"/);
    assert.match(alsa.message as string, /aplay -L/);
    for (const key of ["jack", "probe"]) {
      const e = r[key] as Record<string, unknown>;
      assert.equal(e.name, "NoServerError", key);
      assert.equal(e.code, "MS_ERR_NO_SERVER");
      assert.equal(e.isDeviceError, true);
      assert.equal(
        e.message,
        "Cannot connect to JACK: no server is running: start one (jackd -d alsa, or qjackctl), or use --backend alsa",
      );
    }
    assert.equal(r.offlineFrames, 256);
    assert.ok((r.offlinePeak as number) > 0);
  },
});

Deno.test({
  name: `live RT denied (no CAP_SYS_NICE/CAP_IPC_LOCK): a warning, not a throw; audio plays${
    CAN_DROP_CAPS ? "" : " (skipped: needs root, setpriv and ALSA to drop the capabilities)"
  }`,
  ignore: !CAN_DROP_CAPS,
  async fn() {
    const r = await child(["rt-denied"], {}, 60_000, [
      "setpriv",
      "--inh-caps=-sys_nice,-ipc_lock",
      "--bounding-set=-sys_nice,-ipc_lock",
    ]);
    const warnings = r.warnings as { name: string; code: string; message: string }[];
    const rt = warnings.find((w) => w.code === "MS_ERR_RT_PRIORITY");
    assert.ok(rt, `no RT warning in ${JSON.stringify(warnings)}`);
    assert.equal(rt.name, "RtPermissionError");
    assert.match(rt.message, /limits\.conf/);
    assert.match(rt.message, /setcap cap_sys_nice,cap_ipc_lock\+ep/);
    const info = r.info as Record<string, unknown>;
    assert.equal(info.realtime, false);
    assert.equal(info.running, true);
    assert.ok((r.now as number) > 0, "the render thread did not run");
  },
});
