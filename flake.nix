{
  description = "midi-sampler: a Deno scripting runtime for programmable sampling on Linux";

  # No flake.lock is committed: it could not be generated where this was
  # written (no access to GitHub). The first `nix develop` / `nix build`
  # writes one; commit it to pin nixpkgs.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      # nix build / nix run .# -- render examples/hello.ts out.wav
      # default: the render code for x86-64-v3 (AVX2, FMA) on x86_64;
      # portable: ENABLE_RT_OPTIMIZATIONS=OFF, any CPU (see nix/package.nix).
      packages = forAllSystems (pkgs: rec {
        midi-sampler = pkgs.callPackage ./nix/package.nix { };
        portable = midi-sampler.override { march = null; };
        default = midi-sampler;
      });

      # nix develop: Deno, the engine's build dependencies, JACK, FluidSynth.
      devShells = forAllSystems (pkgs: {
        default = pkgs.callPackage ./nix/shell.nix { };
      });

      overlays.default = final: prev: {
        midi-sampler = final.callPackage ./nix/package.nix { };
      };

      # services.midi-sampler = { enable = true; user = "alice"; script = "/home/alice/set.ts"; };
      nixosModules.default = { pkgs, lib, ... }: {
        imports = [ ./nix/module.nix ];
        services.midi-sampler.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      };

      # The module under the real NixOS module system (nix/tests/ checks it
      # against a stand-in only, where nixpkgs is not available).
      checks = forAllSystems (pkgs:
        let
          machine = nixpkgs.lib.nixosSystem {
            inherit (pkgs.stdenv.hostPlatform) system;
            modules = [
              self.nixosModules.default
              {
                boot.loader.grub.enable = false;
                fileSystems."/".device = "none";
                system.stateVersion = "25.05";
                users.users.alice = { isNormalUser = true; };
                services.midi-sampler = {
                  enable = true;
                  user = "alice";
                  script = "/home/alice/set.ts";
                  realtimeKernelParams = true;
                };
              }
            ];
          };
          unit = machine.config.systemd.units."midi-sampler.service".text;
          kernelParams = toString machine.config.boot.kernelParams;
        in
        {
          nixos-module = pkgs.runCommand "midi-sampler-module-check" { inherit unit kernelParams; } ''
            for want in LimitRTPRIO=80 LimitMEMLOCK=infinity User=alice SupplementaryGroups=audio \
                        Restart=on-failure '"perform" "/home/alice/set.ts" "--backend" "auto"'; do
              grep -qF -- "$want" <<<"$unit" || { echo "unit lacks $want"; echo "$unit"; exit 1; }
            done
            grep -qw threadirqs <<<"$kernelParams" || { echo "no threadirqs in: $kernelParams"; exit 1; }
            touch $out
          '';
          package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        });
    };
}
