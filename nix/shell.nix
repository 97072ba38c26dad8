# `nix develop`: what `make test` and `make bench` need, from nixpkgs
# instead of tools/setup.sh's apt packages.
#
# nixpkgs' deno is whatever version the pinned nixpkgs carries, not
# necessarily the project's 2.9.6 (tools/setup.sh warns when they differ);
# tools/deno uses it because it is first on PATH.
{ lib
, mkShell
, deno
, cmake
, gcc
, pkg-config
, alsa-lib
, libjack2
, libsndfile
, jack2
, fluidsynth
, soundfont-fluid
, sox
, tmux
, rt-tests
, valgrind
}:

mkShell {
  packages = [
    deno
    cmake
    gcc
    pkg-config
    alsa-lib
    libjack2
    libsndfile
    jack2 # jackd for the tests' dummy server
    fluidsynth # the benchmarks' peer
    soundfont-fluid
    sox
    tmux # tests/perform_status_live_test.ts: a terminal for perform's status line
    rt-tests # cyclictest
    valgrind
  ];
  # tools/setup.sh would otherwise try apt-get for what nixpkgs provides.
  MS_SKIP_APT = "1";
  # ms_bench dlopen()s libfluidsynth by soname and defaults to Debian's
  # soundfont path; here: build/engine/bench/ms_bench --sf2 "$MS_BENCH_SF2".
  LD_LIBRARY_PATH = lib.makeLibraryPath [ fluidsynth ];
  MS_BENCH_SF2 = "${soundfont-fluid}/share/soundfonts/FluidR3_GM2-2.sf2";
}
