# Evaluate flake.nix's outputs against a stand-in nixpkgs whose packages are
# plain attribute sets and whose stdenv.mkDerivation returns its arguments,
# so the tests can read what the flake asks Nix to build (no build happens,
# nothing is fetched).
#
#   nix-instantiate --eval --strict --json nix/tests/flake_eval.nix --argstr system x86_64-linux
{ system ? "x86_64-linux" }:
let
  lib = import ./stand_in_lib.nix;
  drv = name: extra: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  } // extra;
  tool = name: drv name { pname = name; };

  # callPackage: fill a function's arguments from pkgs, keep .override.
  callPackage = fn: args:
    let
      f = if builtins.isFunction fn then fn else import fn;
      wanted = builtins.functionArgs f;
      auto = builtins.intersectAttrs wanted pkgs;
      result = f (auto // args);
    in
    result // { override = more: callPackage fn (args // more); };

  pkgs = {
    inherit lib callPackage;
    stdenv = {
      hostPlatform = { inherit system; isx86_64 = system == "x86_64-linux"; };
      shell = "/nix/store/00000000000000000000000000000000-bash/bin/bash";
      mkDerivation = attrs: drv "${attrs.pname}-${attrs.version}" attrs;
    };
    fetchurl = { url, hash }: drv (baseNameOf url) { inherit url hash; };
    runCommand = name: env: script: drv name (env // { inherit script; });
    mkShell = attrs: drv "shell" attrs;
  } // lib.genAttrs [
    "cmake" "pkg-config" "alsa-lib" "libjack2" "libsndfile" "deno" "gcc" "jack2"
    "fluidsynth" "soundfont-fluid" "sox" "tmux" "rt-tests" "valgrind"
  ] tool;

  nixpkgs = {
    lib = lib // { nixosSystem = _: throw "nixosSystem is not part of the stand-in"; };
    legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (_: pkgs);
  };

  flake = import ../../flake.nix;
  outputs = flake.outputs { inherit self nixpkgs; };
  self = outputs // { outPath = toString ../..; };

  package = p: {
    inherit (p) name cmakeFlags cmakeDir postInstall;
    buildInputs = map (d: d.pname) p.buildInputs;
    nativeBuildInputs = map (d: d.pname) p.nativeBuildInputs;
    mainProgram = p.meta.mainProgram;
    inherit (p.passthru) npmPackages march;
    nodeModulesScript = p.passthru.nodeModules.script;
  };
in
{
  description = flake.description;
  inputs = flake.inputs;
  systems = builtins.attrNames outputs.packages;
  packages = builtins.mapAttrs (_: package) outputs.packages.${system};
  devShell = map (d: d.pname) outputs.devShells.${system}.default.packages;
  devShellEnv = { inherit (outputs.devShells.${system}.default) MS_SKIP_APT LD_LIBRARY_PATH MS_BENCH_SF2; };
  nixosModule = builtins.isFunction outputs.nixosModules.default;
  overlay = (outputs.overlays.default pkgs pkgs).midi-sampler.name;
  checks = builtins.attrNames outputs.checks.${system};
}
