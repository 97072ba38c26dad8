/**
 * Packaging: the Nix files (flake.nix, nix/) and the `midi-sampler` command
 * (bin/midi-sampler, `make install`).
 *
 * nixpkgs cannot be fetched here, so no Nix build runs. What runs instead:
 * every .nix file parses (nix-instantiate --parse, Debian's nix-bin); the
 * NixOS module is evaluated against a stand-in for the module system
 * (nix/tests/module_eval.nix) so its option names, defaults, type checks and
 * the generated systemd unit are checked; the flake's outputs are evaluated
 * against a stand-in nixpkgs (nix/tests/flake_eval.nix) to check what it
 * would build. Those tests skip, saying why, without nix-instantiate.
 * The command is checked for real: installed into a temporary PREFIX, it
 * renders and runs doctor from another directory; and installed the way the
 * Nix package lays it out (vendored, read-only node_modules), it renders
 * with no npm registry reachable.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const text = new TextDecoder();

async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? {},
    stdin: "null",
  }).output();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

function whyNoNix(): string | undefined {
  try {
    const out = new Deno.Command("nix-instantiate", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync();
    return out.success ? undefined : "nix-instantiate --version failed";
  } catch {
    return "nix-instantiate is not installed (Debian: apt-get install nix-bin)";
  }
}
const NO_NIX = whyNoNix();

function nixTest(name: string, fn: () => Promise<void>) {
  Deno.test({
    name: name + (NO_NIX ? ` (skipped: ${NO_NIX})` : ""),
    ignore: NO_NIX !== undefined,
    fn,
  });
}

/** nix-instantiate --eval --strict --json of a file with string arguments. */
async function nixEval(file: string, args: Record<string, string>): Promise<unknown> {
  const argv = ["--eval", "--strict", "--json", file];
  for (const [k, v] of Object.entries(args)) argv.push("--argstr", k, v);
  const r = await run("nix-instantiate", argv);
  if (r.code !== 0) {
    throw new Error(r.stderr.split("\n").filter((l) => !l.includes("nixbld")).join("\n"));
  }
  return JSON.parse(r.stdout);
}

interface ModuleResult {
  options: Record<string, { type: string; hasDefault: boolean; default: unknown }>;
  config: {
    systemd?: {
      services: {
        "midi-sampler": {
          environment: Record<string, string>;
          wantedBy: string[];
          serviceConfig: Record<string, unknown>;
        };
      };
    };
    boot?: { kernelParams: string[] };
    powerManagement?: { cpuFreqGovernor: string };
    security?: { pam: { loginLimits: Record<string, string>[] } };
  };
}

function evalModule(settings: Record<string, unknown>): Promise<ModuleResult> {
  return nixEval("nix/tests/module_eval.nix", { settings: JSON.stringify(settings) }) as Promise<
    ModuleResult
  >;
}

const MINIMAL = { enable: true, user: "alice", script: "/home/alice/set.ts" };
const PKG = "/nix/store/00000000000000000000000000000000-midi-sampler";

function service(r: ModuleResult) {
  const s = r.config.systemd?.services["midi-sampler"];
  assert.ok(s, `no systemd.services.midi-sampler in ${JSON.stringify(r.config)}`);
  return s;
}

nixTest("every .nix file parses (nix-instantiate --parse)", async () => {
  const files = ["flake.nix"];
  for (const dir of ["nix", "nix/tests"]) {
    for (const e of Deno.readDirSync(join(ROOT, dir))) {
      if (e.isFile && e.name.endsWith(".nix")) files.push(`${dir}/${e.name}`);
    }
  }
  assert.ok(files.length >= 7, files.join(" "));
  for (const f of files) {
    const r = await run("nix-instantiate", ["--parse", f]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
});

nixTest("module: option names, types and defaults; disabled means no config at all", async () => {
  const r = await evalModule({});
  assert.deepEqual(Object.keys(r.options).sort(), [
    "audioGroupLimits",
    "backend",
    "device",
    "enable",
    "environment",
    "extraArgs",
    "isolatedCpus",
    "package",
    "performanceGovernor",
    "periodSize",
    "realtimeKernelParams",
    "rtPriority",
    "script",
    "user",
  ]);
  const d = (n: string) => r.options[n]!.default;
  assert.equal(d("enable"), false);
  assert.equal(d("rtPriority"), 80);
  assert.equal(d("backend"), "auto");
  assert.equal(r.options.backend!.type, "one of auto, alsa, jack");
  assert.equal(d("device"), null);
  assert.equal(d("periodSize"), 128);
  assert.deepEqual(d("extraArgs"), []);
  assert.equal(d("realtimeKernelParams"), false, "kernel parameters must be opt-in");
  assert.equal(d("isolatedCpus"), null);
  assert.equal(d("performanceGovernor"), false);
  assert.equal(d("audioGroupLimits"), false);
  assert.equal(r.options.package!.hasDefault, true);
  assert.equal(r.options.user!.hasDefault, false, "no guessed user");
  assert.equal(r.options.script!.hasDefault, false, "no guessed set");
  assert.deepEqual(r.config, {});
});

nixTest(
  "module: enable + user + script gives the RT service unit, and touches nothing else",
  async () => {
    const r = await evalModule(MINIMAL);
    const s = service(r);
    const c = s.serviceConfig;
    assert.equal(
      c.ExecStart,
      `${PKG}/bin/midi-sampler "perform" "/home/alice/set.ts" "--backend" "auto" "--period" "128" "--rt-priority" "80"`,
    );
    assert.equal(c.User, "alice");
    assert.deepEqual(c.SupplementaryGroups, ["audio"]);
    assert.equal(c.LimitRTPRIO, 80);
    assert.equal(c.LimitMEMLOCK, "infinity");
    assert.equal(c.Restart, "on-failure");
    assert.equal(c.KillSignal, "SIGINT");
    assert.deepEqual(c.SuccessExitStatus, [130]);
    assert.equal(c.CPUAffinity, undefined);
    assert.deepEqual(s.wantedBy, ["multi-user.target"]);
    assert.equal(s.environment.DENO_DIR, "/var/cache/midi-sampler");
    assert.equal(c.CacheDirectory, "midi-sampler");
    assert.deepEqual(
      Object.keys(r.config),
      ["systemd"],
      "no kernel params, governor or limits unless asked",
    );
  },
);

nixTest(
  "module: backend, device, period, priority, extraArgs and environment reach the unit, quoted for systemd",
  async () => {
    const r = await evalModule({
      ...MINIMAL,
      script: "/home/alice/my sets/50% live.ts",
      rtPriority: 70,
      backend: "alsa",
      device: "hw:1,0",
      periodSize: 64,
      extraArgs: ["--record", "/var/lib/take $1.wav"],
      environment: { JACK_DEFAULT_SERVER: "studio" },
    });
    const s = service(r);
    assert.equal(
      s.serviceConfig.ExecStart,
      `${PKG}/bin/midi-sampler "perform" "/home/alice/my sets/50%% live.ts" "--backend" "alsa" ` +
        `"--device" "hw:1,0" "--period" "64" "--rt-priority" "70" "--record" "/var/lib/take $$1.wav"`,
    );
    assert.equal(s.serviceConfig.LimitRTPRIO, 70, "LimitRTPRIO follows rtPriority");
    assert.deepEqual(s.environment, {
      DENO_DIR: "/var/cache/midi-sampler",
      JACK_DEFAULT_SERVER: "studio",
    });
  },
);

nixTest(
  "module: kernel parameters, isolated CPUs, governor and login limits only when opted in",
  async () => {
    const rt = await evalModule({ ...MINIMAL, realtimeKernelParams: true });
    assert.deepEqual(rt.config.boot?.kernelParams, ["threadirqs", "preempt=full"]);

    const iso = await evalModule({ ...MINIMAL, isolatedCpus: "2-3" });
    assert.deepEqual(iso.config.boot?.kernelParams, [
      "isolcpus=2-3",
      "nohz_full=2-3",
      "rcu_nocbs=2-3",
    ]);
    assert.equal(service(iso).serviceConfig.CPUAffinity, "2-3");

    const both = await evalModule({ ...MINIMAL, realtimeKernelParams: true, isolatedCpus: "3" });
    assert.deepEqual(both.config.boot?.kernelParams, [
      "threadirqs",
      "preempt=full",
      "isolcpus=3",
      "nohz_full=3",
      "rcu_nocbs=3",
    ]);

    const rest = await evalModule({
      ...MINIMAL,
      performanceGovernor: true,
      audioGroupLimits: true,
    });
    assert.equal(rest.config.boot, undefined);
    assert.equal(rest.config.powerManagement?.cpuFreqGovernor, "performance");
    assert.deepEqual(rest.config.security?.pam.loginLimits, [
      { domain: "@audio", type: "-", item: "rtprio", value: "95" },
      { domain: "@audio", type: "-", item: "memlock", value: "unlimited" },
    ]);

    // what the module can add is what doctor looks for
    const kernel = await Deno.readTextFile(join(ROOT, "lib/doctor/kernel.ts"));
    for (
      const p of ["threadirqs", "preempt=full", "isolcpus", "nohz_full", "rcu_nocbs", "performance"]
    ) {
      assert.ok(kernel.includes(p), `lib/doctor/kernel.ts no longer mentions "${p}"`);
    }
  },
);

nixTest("module: wrong values are refused as the module system would", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { ...MINIMAL, rtPriority: 100 },
      /rtPriority' has a value of the wrong type: expected integer between 1 and 99/,
    ],
    [{ ...MINIMAL, rtPriority: 0 }, /rtPriority' has a value of the wrong type/],
    [
      { ...MINIMAL, backend: "pulse" },
      /backend' has a value of the wrong type: expected one of auto, alsa, jack/,
    ],
    [{ ...MINIMAL, periodSize: 0 }, /periodSize' has a value of the wrong type/],
    [{ ...MINIMAL, script: "set.ts" }, /script' has a value of the wrong type: expected path/],
    [{ ...MINIMAL, extraArgs: "--seed 3" }, /extraArgs' has a value of the wrong type/],
    [{ ...MINIMAL, priority: 80 }, /services\.midi-sampler\.priority' does not exist/],
    [
      { enable: true, script: "/home/alice/set.ts" },
      /services\.midi-sampler\.user' is used but not defined/,
    ],
  ];
  for (const [settings, message] of cases) {
    await assert.rejects(evalModule(settings), message, JSON.stringify(settings));
  }
});

interface FlakeResult {
  systems: string[];
  inputs: { nixpkgs: { url: string } };
  packages: Record<string, {
    cmakeFlags: string[];
    cmakeDir: string;
    buildInputs: string[];
    nativeBuildInputs: string[];
    mainProgram: string;
    postInstall: string;
    nodeModulesScript: string;
    npmPackages: { name: string; version: string; url: string; hash: string }[];
  }>;
  devShell: string[];
  devShellEnv: Record<string, string>;
  nixosModule: boolean;
  overlay: string;
  checks: string[];
}

nixTest(
  "flake outputs against a stand-in nixpkgs: packages, devShell, module, npm vendoring from deno.lock",
  async () => {
    const f = await nixEval("nix/tests/flake_eval.nix", { system: "x86_64-linux" }) as FlakeResult;
    assert.deepEqual(f.systems, ["aarch64-linux", "x86_64-linux"]);
    assert.match(f.inputs.nixpkgs.url, /^github:NixOS\/nixpkgs\//);
    assert.deepEqual(Object.keys(f.packages).sort(), ["default", "midi-sampler", "portable"]);

    const pkg = f.packages.default!;
    assert.equal(pkg.cmakeDir, "../engine");
    assert.ok(pkg.cmakeFlags.includes("-DENABLE_RT_OPTIMIZATIONS=ON"));
    assert.ok(
      pkg.cmakeFlags.includes("-DMS_MARCH=x86-64-v3"),
      "never -march=native in a Nix build",
    );
    assert.ok(pkg.cmakeFlags.includes("-DMS_BUILD_TESTS=OFF"));
    assert.ok(f.packages.portable!.cmakeFlags.includes("-DENABLE_RT_OPTIMIZATIONS=OFF"));
    assert.ok(!f.packages.portable!.cmakeFlags.some((x) => x.startsWith("-DMS_MARCH")));
    assert.deepEqual(pkg.buildInputs, ["alsa-lib", "libjack2", "libsndfile"]);
    assert.equal(pkg.mainProgram, "midi-sampler");
    assert.match(
      pkg.postInstall,
      /make -C \.\. install-files .*PREFIX=\$out DENO_BIN=\S+-deno\/bin\/deno/,
    );
    assert.match(
      pkg.postInstall,
      /ln -s \S+-midi-sampler-node-modules\/node_modules \$out\/share\/midi-sampler\/node_modules/,
    );

    // every npm package of deno.lock, fetched from the registry by its own integrity hash
    const lock = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.lock")));
    const want = Object.entries(lock.npm as Record<string, { integrity: string }>).map(
      ([key, e]) => {
        const at = key.lastIndexOf("@");
        const name = key.slice(0, at);
        const version = key.slice(at + 1);
        const base = name.split("/").pop();
        return {
          name,
          version,
          hash: e.integrity,
          url: `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`,
        };
      },
    );
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    assert.deepEqual([...pkg.npmPackages].sort(byName), want.sort(byName));
    for (const p of want) {
      assert.ok(pkg.nodeModulesScript.includes(`"$out/node_modules/${p.name}"`));
    }

    for (
      const p of [
        "deno",
        "cmake",
        "gcc",
        "pkg-config",
        "alsa-lib",
        "libjack2",
        "libsndfile",
        "fluidsynth",
      ]
    ) {
      assert.ok(f.devShell.includes(p), `devShell lacks ${p}: ${f.devShell.join(" ")}`);
    }
    assert.equal(f.devShellEnv.MS_SKIP_APT, "1");
    assert.ok(f.nixosModule);
    assert.equal(f.overlay, "midi-sampler-0.1.0");
    assert.deepEqual(f.checks.sort(), ["nixos-module", "package"]);
  },
);

// --- the command, no Nix needed -----------------------------------------------

const TASK_RUN = /^deno run (.*?) (scripts\/\S+\.ts)/;

Deno.test("bin/midi-sampler gives each command the permissions of its deno task", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).tasks as Record<
    string,
    string
  >;
  for (const cmd of ["render", "perform", "play", "doctor", "instrument"]) {
    const m = TASK_RUN.exec(tasks[cmd] ?? "");
    assert.ok(m, `deno.json task "${cmd}" is not "deno run <flags> scripts/<x>.ts": ${tasks[cmd]}`);
    const r = await run(join(ROOT, "bin/midi-sampler"), [cmd, "a.ts", "--flag"], {
      cwd: "/",
      env: { MS_PRINT_COMMAND: "1", PATH: Deno.env.get("PATH") ?? "" },
    });
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.trim();
    assert.ok(
      line.includes(
        ` run --config ${join(ROOT, "deno.json")} ${m[1]} ${join(ROOT, m[2]!)} a.ts --flag`,
      ),
      line,
    );
  }
  const bad = await run(join(ROOT, "bin/midi-sampler"), ["bench"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^Cannot run midi-sampler: unknown command "bench"/);
});

const MAKE_ENV = () => ({
  PATH: Deno.env.get("PATH") ?? "",
  HOME: Deno.env.get("HOME") ?? "/root",
  ...(Deno.env.get("MS_DENO") ? { MS_DENO: Deno.env.get("MS_DENO")! } : {}),
});

Deno.test("make install PREFIX=tmp: midi-sampler renders and runs doctor from another directory; uninstall removes it", async () => {
  const prefix = await Deno.makeTempDir({ prefix: "ms-prefix-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "ms-cwd-" });
  try {
    const inst = await run("make", [
      "--no-print-directory",
      "install",
      `PREFIX=${prefix}`,
      "SETUP=0",
    ], {
      env: MAKE_ENV(),
    });
    assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    const bin = join(prefix, "bin/midi-sampler");
    const data = join(prefix, "share/midi-sampler");
    for (
      const p of ["lib/libmidisampler.so", "include/midi_sampler.h", "share/midi-sampler/deno.lock"]
    ) {
      assert.ok(Deno.statSync(join(prefix, p)).isFile, p);
    }
    assert.ok(Deno.statSync(join(data, "instruments/samples")).isDirectory);
    assert.throws(
      () => Deno.statSync(join(data, "lib/doctor/kernel_test.ts")),
      "tests are not installed",
    );

    const env = { ...MAKE_ENV(), MS_ENGINE_LIB: "" }; // the installed library, not a build's
    const paths = await run(bin, ["paths"], { cwd: elsewhere, env });
    assert.match(paths.stdout, new RegExp(`engine: ${prefix}/lib/libmidisampler\\.so`));

    const render = await run(bin, [
      "render",
      join(data, "examples/hello.ts"),
      "out.wav",
      "--seconds",
      "2",
    ], {
      cwd: elsewhere,
      env,
    });
    assert.equal(render.code, 0, render.stderr);
    assert.match(render.stdout + render.stderr, /rendered 2\.00 s to out\.wav/);
    assert.ok(Deno.statSync(join(elsewhere, "out.wav")).size > 48000 * 2 * 2);

    // a set outside the installation imports the library as "midi-sampler/..."
    const set = (await Deno.readTextFile(join(ROOT, "examples/set.ts"))).replaceAll(
      '"../lib/',
      '"midi-sampler/',
    );
    await Deno.writeTextFile(join(elsewhere, "my_set.ts"), set);
    const setRender = await run(bin, ["render", "my_set.ts", "set.wav", "--seconds", "1"], {
      cwd: elsewhere,
      env,
    });
    assert.equal(setRender.code, 0, setRender.stderr);

    const doctor = await run(bin, ["doctor", "--json", "--no-probe"], { cwd: elsewhere, env });
    const rows = JSON.parse(doctor.stdout) as { check: string }[];
    assert.ok(rows.some((r) => r.check === "threadirqs"), doctor.stdout);

    const un = await run("make", ["--no-print-directory", "uninstall", `PREFIX=${prefix}`], {
      env: MAKE_ENV(),
    });
    assert.equal(un.code, 0, un.stderr);
    const left: string[] = [];
    const walk = (d: string) => {
      for (const e of Deno.readDirSync(d)) {
        if (e.isDirectory) walk(join(d, e.name));
        else left.push(join(d, e.name));
      }
    };
    walk(prefix);
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(prefix, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

/** The npm cache directory of the Deno running the tests, if it has every package of deno.lock. */
async function npmCacheWithLock(): Promise<
  { dir: string; pkgs: { name: string; version: string }[] } | string
> {
  const info = await run(Deno.execPath(), ["info", "--json"], { env: MAKE_ENV() });
  const dir = (JSON.parse(info.stdout) as { npmCache?: string }).npmCache;
  if (!dir) return "deno info --json names no npmCache";
  const lock = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.lock")));
  const pkgs = Object.keys(lock.npm ?? {}).map((key) => {
    const at = key.lastIndexOf("@");
    return { name: key.slice(0, at), version: key.slice(at + 1) };
  });
  for (const p of pkgs) {
    try {
      Deno.statSync(join(dir, "registry.npmjs.org", p.name, p.version, "package.json"));
    } catch {
      return `${p.name}@${p.version} is not in Deno's npm cache (${dir}); run deno task test once with network`;
    }
  }
  return { dir, pkgs };
}

const NPM_CACHE = await npmCacheWithLock();

Deno.test({
  name:
    "installed like the Nix package (read-only tree, vendored node_modules symlinked): renders with no npm registry" +
    (typeof NPM_CACHE === "string" ? ` (skipped: ${NPM_CACHE})` : ""),
  ignore: typeof NPM_CACHE === "string",
  fn: async () => {
    const cache = NPM_CACHE as Exclude<typeof NPM_CACHE, string>;
    const root = await Deno.makeTempDir({ prefix: "ms-nixlike-" });
    const out = join(root, "out");
    try {
      const inst = await run("make", [
        "--no-print-directory",
        "install-files",
        `PREFIX=${out}`,
        `DENO_BIN=${Deno.execPath()}`,
      ], { env: MAKE_ENV() });
      assert.equal(inst.code, 0, inst.stderr);
      // nix/package.nix: a separate store path holding node_modules/<name>, linked in
      const nm = join(root, "node-modules-store-path", "node_modules");
      for (const p of cache.pkgs) {
        await Deno.mkdir(join(nm, p.name), { recursive: true });
        // "<dir>/." copies the contents (path.join would drop the ".")
        const from = join(cache.dir, "registry.npmjs.org", p.name, p.version) + "/.";
        const cp = await run("cp", ["-R", from, join(nm, p.name)]);
        assert.equal(cp.code, 0, cp.stderr);
      }
      await Deno.symlink(nm, join(out, "share/midi-sampler/node_modules"));
      const ro = await run("chmod", ["-R", "a-w", out, nm]);
      assert.equal(ro.code, 0, ro.stderr);

      const bin = join(out, "bin/midi-sampler");
      const env = {
        ...MAKE_ENV(),
        // the engine from the build (the Nix package has its own in $out/lib)
        MS_ENGINE_LIB: join(ROOT, "build/engine/libmidisampler.so"),
        DENO_DIR: join(root, "deno-dir"), // empty: nothing cached
        NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/", // nothing downloadable
      };
      const printed = await run(bin, ["render", "x.ts", "y.wav"], {
        env: { ...env, MS_PRINT_COMMAND: "1" },
      });
      assert.match(printed.stdout, / run --frozen --node-modules-dir=manual --config /);
      const r = await run(bin, [
        "render",
        join(out, "share/midi-sampler/examples/set.ts"),
        "set.wav",
        "--seconds",
        "1",
      ], {
        cwd: root,
        env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout + r.stderr, /rendered 1\.00 s to set\.wav/);
    } finally {
      await run("chmod", ["-R", "u+w", root]);
      await Deno.remove(root, { recursive: true });
    }
  },
});
