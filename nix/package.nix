# The midi-sampler package: libmidisampler.so built with CMake, and the
# Deno scripts installed behind bin/midi-sampler by the Makefile's
# install-files target (the same one `make install` uses outside Nix).
#
# npm dependencies: each package in deno.lock is fetched by its own
# integrity hash (fetchurl, so no extra fixed-output hash to maintain) and
# unpacked into share/midi-sampler/node_modules; bin/midi-sampler then runs
# Deno with --node-modules-dir=manual, so nothing is downloaded at run time.
#
# march: the engine's render code is compiled for one -march. The CMake
# default (-march=native) is not reproducible: the result would depend on
# the CPU of whichever machine built it, and a binary cache could hand an
# AVX-512 build to a CPU without AVX-512 (SIGILL). So a Nix build names the
# level: x86-64-v3 (AVX2 + FMA, any x86 CPU since about 2013-2015) on
# x86_64, or null for ENABLE_RT_OPTIMIZATIONS=OFF (portable scalar code,
# no -ffast-math, slower per voice).
{ lib
, stdenv
, cmake
, pkg-config
, alsa-lib
, libjack2
, libsndfile
, deno
, fetchurl
, runCommand
, march ? (if stdenv.hostPlatform.isx86_64 then "x86-64-v3" else null)
}:

let
  root = ./..;
  rootString = toString root;

  # The repository without build outputs and local tools (top level only).
  src = builtins.path {
    name = "midi-sampler-source";
    path = root;
    filter = path: type:
      let rel = builtins.substring (builtins.stringLength rootString + 1) (-1) (toString path);
      in !(builtins.elem rel [ ".git" "build" ".tools" "node_modules" "result" ]);
  };

  lock = builtins.fromJSON (builtins.readFile (root + "/deno.lock"));

  # "@strudel/core@1.2.5" -> { name = "@strudel/core"; version = "1.2.5"; }
  # (a "_peer@x" suffix, which deno adds for peer dependencies, is dropped)
  parseKey = key:
    let m = builtins.match "(@?[^@]+)@([^_]+).*" key;
    in
    if m == null then throw "Cannot read deno.lock: npm entry \"${key}\" is not name@version"
    else { name = builtins.elemAt m 0; version = builtins.elemAt m 1; };

  npmPackages = map
    (key:
      let
        p = parseKey key;
        # "@strudel/core" -> https://registry.npmjs.org/@strudel/core/-/core-1.2.5.tgz
        url = "https://registry.npmjs.org/${p.name}/-/${baseNameOf p.name}-${p.version}.tgz";
        hash = lock.npm.${key}.integrity;
      in
      p // { inherit key url hash; tarball = fetchurl { inherit url hash; }; })
    (builtins.attrNames (lock.npm or { }));

  names = builtins.attrNames (builtins.listToAttrs
    (map (p: { name = p.name; value = true; }) npmPackages));
  byKey = builtins.listToAttrs (map (p: { name = p.key; value = p; }) npmPackages);
  # One version of each name sits at node_modules/<name> (the highest); a
  # package that needs another version gets it nested in its own
  # node_modules, as npm lays it out (Node's resolution walks up from the
  # package's real path, and so does Deno's).
  top = builtins.listToAttrs (map
    (n: {
      name = n;
      value = builtins.head (builtins.sort (a: b: builtins.compareVersions a.version b.version > 0)
        (builtins.filter (p: p.name == n) npmPackages));
    })
    names);
  # lock dependency entries: "name" (one version in the lock) or "name@version"
  depOf = d:
    let m = builtins.match "(@?[^@]+)@(.+)" d;
    in if m == null then top.${d} else byKey.${d};
  nested = depth: dir: p:
    lib.concatMapStrings
      (d:
        let q = depOf d; path = "${dir}/node_modules/${q.name}";
        in
        if q.key == top.${q.name}.key || depth > 8 then "" else ''
          mkdir -p "${path}"
          tar -xzf ${q.tarball} -C "${path}" --strip-components=1 --no-same-owner --no-same-permissions
        '' + nested (depth + 1) path q)
      (lock.npm.${p.key}.dependencies or [ ]);

  # $out/node_modules, not $out: Deno resolves a package's own imports
  # (@strudel/core -> fraction.js) from its real path, looking for a
  # directory named node_modules above it.
  nodeModules = runCommand "midi-sampler-node-modules" { } (''
    mkdir -p $out/node_modules
  '' + lib.concatMapStrings
    (n:
      let p = top.${n}; in ''
        mkdir -p "$out/node_modules/${p.name}"
        tar -xzf ${p.tarball} -C "$out/node_modules/${p.name}" --strip-components=1 --no-same-owner --no-same-permissions
      '' + nested 0 "$out/node_modules/${p.name}" p)
    names);
in
stdenv.mkDerivation {
  pname = "midi-sampler";
  version = "0.1.0";
  inherit src;

  nativeBuildInputs = [ cmake pkg-config ];
  buildInputs = [ alsa-lib libjack2 libsndfile ];

  # The CMake project is engine/; the cmake hook builds in ./build.
  cmakeDir = "../engine";
  cmakeFlags = [
    "-DMS_BUILD_TESTS=OFF"
    "-DMS_BUILD_BENCH=OFF"
  ] ++ (if march == null then [
    "-DENABLE_RT_OPTIMIZATIONS=OFF"
  ] else [
    "-DENABLE_RT_OPTIMIZATIONS=ON"
    "-DMS_MARCH=${march}"
  ]);

  # cmake installs lib/libmidisampler.so and include/midi_sampler.h; the
  # Makefile installs bin/midi-sampler and share/midi-sampler. SHELL: the
  # Makefile names /bin/bash, which the build sandbox does not have.
  postInstall = ''
    make -C .. install-files SHELL=${stdenv.shell} PREFIX=$out DENO_BIN=${deno}/bin/deno
    ln -s ${nodeModules}/node_modules $out/share/midi-sampler/node_modules
  '';

  passthru = {
    inherit nodeModules march;
    npmPackages = map (p: { inherit (p) name version url hash; }) npmPackages;
  };

  meta = {
    description = "Deno scripting runtime for programmable sampling on Linux (real-time C engine)";
    license = lib.licenses.agpl3Plus;
    platforms = lib.platforms.linux;
    mainProgram = "midi-sampler";
  };
}
