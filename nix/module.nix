# NixOS module: services.midi-sampler plays one set (`midi-sampler perform`)
# as a systemd service with real-time limits.
#
# Only the service is on by default when enabled. Anything that changes the
# whole machine (kernel command line, CPU governor, login limits for the audio
# group) is a separate option, off by default.
#
# Uses only mkOption, mkEnableOption, mkIf, mkMerge, types, optionals and
# literalExpression from `lib`, and NixOS's utils.escapeSystemdExecArgs
# (ExecStart is parsed by systemd, not a shell: it quotes for systemd and
# escapes % and $): nix/tests/module_eval.nix evaluates this file against
# a stand-in for exactly those.
{ config, lib, pkgs, utils, ... }:

let
  inherit (lib) mkOption mkEnableOption mkIf mkMerge types;
  cfg = config.services.midi-sampler;

  # perform's own flags; extraArgs come last so they can add to them.
  performArgs = [ "perform" (toString cfg.script) "--backend" cfg.backend ]
    ++ lib.optionals (cfg.device != null) [ "--device" cfg.device ]
    ++ [ "--period" (toString cfg.periodSize) "--rt-priority" (toString cfg.rtPriority) ]
    ++ cfg.extraArgs;
in
{
  options.services.midi-sampler = {
    enable = mkEnableOption "midi-sampler, playing one set live as a systemd service";

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./nix/package.nix { }";
      description = "The midi-sampler package (provides bin/midi-sampler).";
    };

    user = mkOption {
      type = types.str;
      example = "alice";
      description = ''
        The user the service runs as. It must exist; the service adds the
        audio group for itself (SupplementaryGroups), so the user need not
        be in it.
      '';
    };

    script = mkOption {
      type = types.path;
      example = "/home/alice/sets/live.ts";
      description = ''
        The set file to perform. Give a string ("/home/alice/set.ts") to
        keep it editable: perform reloads it on every save. A path literal
        in a flake configuration points into the flake's read-only store
        copy, so the set can never change without a rebuild.
      '';
    };

    rtPriority = mkOption {
      type = types.ints.between 1 99;
      default = 80;
      description = "SCHED_FIFO priority of the render thread (perform --rt-priority); LimitRTPRIO allows exactly this.";
    };

    backend = mkOption {
      type = types.enum [ "auto" "alsa" "jack" ];
      default = "auto";
      description = ''
        perform --backend: "auto" uses JACK when a server runs (as this user,
        JACK_DEFAULT_SERVER from `environment`), else ALSA.
      '';
    };

    device = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "hw:1,0";
      description = "perform --device: the ALSA PCM or JACK client name; null keeps perform's default.";
    };

    periodSize = mkOption {
      type = types.ints.positive;
      default = 128;
      description = "perform --period: ALSA period in frames (JACK uses the server's).";
    };

    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "--record" "/var/lib/midi-sampler/take.wav" "--periods" "3" ];
      description = "More perform arguments, appended after the ones above.";
    };

    environment = mkOption {
      type = types.attrsOf types.str;
      default = { };
      example = { JACK_DEFAULT_SERVER = "default"; };
      description = "Environment variables for the service.";
    };

    realtimeKernelParams = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Add "threadirqs" and "preempt=full" to boot.kernelParams (what
        `midi-sampler doctor` checks for: interrupt handlers in threads whose
        priority can be set, full preemption on PREEMPT_DYNAMIC kernels).
        Changes the whole machine and needs a reboot, hence opt-in.
      '';
    };

    isolatedCpus = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "3";
      description = ''
        A CPU list ("3", "2-3") to keep free for audio: adds isolcpus=,
        nohz_full= and rcu_nocbs= with it to boot.kernelParams and pins the
        service there (CPUAffinity). null (the default) changes nothing.
      '';
    };

    performanceGovernor = mkOption {
      type = types.bool;
      default = false;
      description = "Set powerManagement.cpuFreqGovernor to \"performance\" (doctor's cpu governor check).";
    };

    audioGroupLimits = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Give the audio group rtprio 95 and unlimited memlock in login
        sessions (security.pam.loginLimits), for running `midi-sampler
        perform` by hand. The service does not need it.
      '';
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      systemd.services.midi-sampler = {
        description = "midi-sampler performing ${toString cfg.script}";
        wantedBy = [ "multi-user.target" ];
        after = [ "sound.target" ];
        environment = {
          # Deno's module and V8 code caches; the npm packages are in the package.
          DENO_DIR = "/var/cache/midi-sampler";
        } // cfg.environment;
        serviceConfig = {
          ExecStart = "${cfg.package}/bin/midi-sampler ${utils.escapeSystemdExecArgs performArgs}";
          User = cfg.user;
          SupplementaryGroups = [ "audio" ];
          LimitRTPRIO = cfg.rtPriority;
          # The engine mlock()s its samples, voice pool and rings.
          LimitMEMLOCK = "infinity";
          Restart = "on-failure";
          RestartSec = 2;
          # perform's Ctrl-C path stops the device and prints its summary.
          KillSignal = "SIGINT";
          # perform exits 130 after SIGINT: a stop, not a failure.
          SuccessExitStatus = [ 130 ];
          CacheDirectory = "midi-sampler";
          NoNewPrivileges = true;
          PrivateTmp = true;
        } // (if cfg.isolatedCpus != null then { CPUAffinity = cfg.isolatedCpus; } else { });
      };
    }
    (mkIf cfg.realtimeKernelParams {
      boot.kernelParams = [ "threadirqs" "preempt=full" ];
    })
    (mkIf (cfg.isolatedCpus != null) {
      boot.kernelParams = [
        "isolcpus=${cfg.isolatedCpus}"
        "nohz_full=${cfg.isolatedCpus}"
        "rcu_nocbs=${cfg.isolatedCpus}"
      ];
    })
    (mkIf cfg.performanceGovernor {
      powerManagement.cpuFreqGovernor = "performance";
    })
    (mkIf cfg.audioGroupLimits {
      security.pam.loginLimits = [
        { domain = "@audio"; type = "-"; item = "rtprio"; value = "95"; }
        { domain = "@audio"; type = "-"; item = "memlock"; value = "unlimited"; }
      ];
    })
  ]);
}
