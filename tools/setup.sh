#!/usr/bin/env bash
# tools/setup.sh — install what midi-sampler needs to build, test and demo on
# Debian 12: the apt packages below, and the pinned Deno when none is on PATH.
#
# Idempotent and cheap on a machine that already has everything: packages are
# checked with dpkg-query first, and apt-get (update included) runs only when
# one is missing. Deno is installed into .tools/ with npm, never system-wide.
#
# Environment:
#   MS_SKIP_APT=1     do no apt work at all (report missing packages, go on)
#   MS_NO_BIG_SOUNDFONT=1  leave out fluid-soundfont-gm (FluidR3_GM, 148 MB); the
#                     6 MB timgm6mb-soundfont is always installed, so `make demo`
#                     and sets naming piano, strings, ... still play a real bank
#   MS_DENO=/path     use this Deno (tools/deno honours it too); skips install
#   MS_DENO_VERSION   the pinned version (default below); change it here only
set -euo pipefail

DENO_VERSION="${MS_DENO_VERSION:-2.9.6}"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"

# build-essential cmake pkg-config libsndfile1-dev: the engine build.
# libasound2-dev libjack-jackd2-dev: the ALSA and JACK backends.
# libasound2-plugins alsa-utils jackd2: the ALSA jack PCM, aplay, a dummy JACK server for tests.
# rt-tests: cyclictest for the RT checks. sox: inspecting rendered files.
# clang libclang-rt-14-dev: libFuzzer. valgrind: callgrind for benchmarks.
# fluidsynth: the peer the benchmarks compare against.
# timgm6mb-soundfont: a 6 MB General MIDI SoundFont, always: the one the SoundFont tests
#   compare with FluidSynth (tests/sf2_fluidsynth_test.ts), and real default sounds
#   (make demo; "piano", "strings", gm_* names in sets: lib/instrument/resolve.ts).
# fluid-soundfont-gm: FluidR3_GM (148 MB), the better bank, preferred when present
#   (lib/instrument/sf2/gm_names.ts) and the benchmarks' bank; MS_NO_BIG_SOUNDFONT=1 skips it.
# tmux: a terminal for tests/perform_status_live_test.ts (perform's status line
#   and prompt, read back with capture-pane).
# ableton-link-dev, libasio-dev: Ableton Link's header-only C++ for the
#   engine's Link shim (perform --link). liblo-tools: oscsend/oscdump, an
#   independent OSC peer for the OSC input tests.
# nix-bin: nix-instantiate for tests/nix_test.ts (parse and evaluate flake.nix
#   and nix/; no Nix builds). ~4 MB to download, ~11 s to install (measured).
packages=(
    build-essential cmake pkg-config libsndfile1-dev
    libasound2-dev libasound2-plugins alsa-utils
    jackd2 libjack-jackd2-dev
    rt-tests sox tmux
    clang libclang-rt-14-dev valgrind
    fluidsynth timgm6mb-soundfont
    nix-bin
    ableton-link-dev libasio-dev
    liblo-tools
)
if [[ "${MS_NO_BIG_SOUNDFONT:-}" != 1 ]]; then
    packages+=(fluid-soundfont-gm)
fi

say() { printf 'setup: %s\n' "$*"; }

# --- apt packages -----------------------------------------------------------
missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    # "ii " = installed; anything else (absent, half-installed, rc) is missing.
    if [[ "$status" != ii* ]]; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    say "apt packages: all ${#packages[@]} present"
elif [[ "${MS_SKIP_APT:-}" == 1 ]]; then
    say "apt packages missing (MS_SKIP_APT=1, not installing): ${missing[*]}"
else
    say "apt packages missing: ${missing[*]}"
    sudo=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "Cannot install apt packages: not root and no sudo; install as root: ${missing[*]}" >&2
            exit 1
        fi
    fi
    # jackd2 asks whether to enable realtime priority; noninteractive takes the default.
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- Deno -------------------------------------------------------------------
# tools/deno picks: $MS_DENO, then .tools/, then PATH. Install into .tools/
# only when none of those exists, so a developer's own deno is respected.
pinned="$root/.tools/node_modules/.bin/deno"
current=$("$root/tools/deno" --which 2>/dev/null || true)
if [[ -z "${MS_DENO:-}" && ( -z "$current" || "$current" == "$pinned" ) ]]; then
    have=""
    if [[ -x "$pinned" ]]; then
        have=$("$pinned" --version 2>/dev/null | awk 'NR==1 {print $2}' || true)
    fi
    if [[ "$have" != "$DENO_VERSION" ]]; then
        if ! command -v npm >/dev/null 2>&1; then
            echo "Cannot install Deno $DENO_VERSION: npm not found; install nodejs and npm, or put deno on PATH" >&2
            exit 1
        fi
        say "installing Deno $DENO_VERSION into .tools/ with npm${have:+ (found $have)}"
        mkdir -p "$root/.tools"
        # --no-save: no package.json or lock file appears in .tools/. npm warns
        # that the package's postinstall did not run; the binary works anyway.
        npm install --prefix "$root/.tools" --no-save --no-audit --no-fund \
            "deno@$DENO_VERSION"
    fi
fi

deno_path=$("$root/tools/deno" --which)
deno_version=$("$root/tools/deno" --version | awk 'NR==1 {print $2}')
say "deno: $deno_path ($deno_version)"
if [[ "$deno_version" != "$DENO_VERSION" ]]; then
    say "warning: the project pins Deno $DENO_VERSION; this one is $deno_version"
fi
