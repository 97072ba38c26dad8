# midi-sampler — setup, build, test, demo.
#
# On a fresh Debian 12 machine (root, with node/npm, gcc, cmake, git):
#   make demo    install what is missing, build the engine, render examples/hello_gm.ts
#                (General MIDI piano, strings, bass, drums; examples/hello.ts
#                on the synthesized instruments when no GM bank is installed)
#   make test    the same setup, then every test suite (engine x3 builds, then Deno)
# `make help` lists every target and the variables you can override.
#
# CMake tracks the engine's sources: each build directory is configured once
# (when its CMakeCache.txt is missing) and `cmake --build` redoes only what
# changed, so running a target twice costs seconds.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help
# Suites must not interleave (tests may start servers, write shared files),
# so `test` runs them one after another; the parallelism is inside cmake/ctest.
.NOTPARALLEL:

# --- Variables (override on the command line: make test JOBS=4) -------------
# The project's Deno: $MS_DENO, else .tools/ (pinned), else PATH; see tools/deno.
DENO        := $(CURDIR)/tools/deno
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
BUILD_TYPE  ?= RelWithDebInfo
# SETUP=0 skips tools/setup.sh (e.g. not root, everything already installed).
SETUP       ?= 1
# PLAY=0 never tries to play the demo's render.
PLAY        ?= 1
# Seconds for a ctest test without its own TIMEOUT property.
CTEST_TIMEOUT ?= 300
# Extra -D options for every engine configure, e.g. CMAKE_ARGS=-DENABLE_RT_OPTIMIZATIONS=OFF
CMAKE_ARGS  ?=

BUILD_DIR      := build/engine
ASAN_BUILD_DIR := build/engine-asan
TSAN_BUILD_DIR := build/engine-tsan

# What the TypeScript library dlopens; given to every Deno command below.
MS_ENGINE_LIB  := $(CURDIR)/$(BUILD_DIR)/libmidisampler.so
DENO_ENV       := MS_ENGINE_LIB=$(MS_ENGINE_LIB)

# The demo: hello_gm.ts on the General MIDI bank when one is installed (tools/setup.sh
# installs TimGM6mb always, FluidR3_GM unless MS_NO_BIG_SOUNDFONT=1), else hello.ts on
# the synthesized instruments. DEMO_SCRIPT=<file> picks one; decided when the recipe runs,
# after setup.
DEMO_SCRIPT ?= auto
DEMO_WAV    := hello.wav
GM_BANKS    := /usr/share/sounds/sf2/FluidR3_GM.sf2 /usr/share/sounds/sf2/TimGM6mb.sf2 \
               /usr/share/sounds/sf3/MuseScore_General.sf3 /usr/share/sounds/sf3/MuseScore_General_Lite.sf3
PICK_DEMO    = script="$(DEMO_SCRIPT)"; \
  if [ "$$script" = auto ]; then \
    script=examples/hello.ts; \
    for f in $${MS_GM_FONT:-} $(GM_BANKS); do \
      if [ -f "$$f" ]; then script=examples/hello_gm.ts; break; fi; \
    done; \
  fi

CTEST_FLAGS := --output-on-failure --no-tests=error --timeout $(CTEST_TIMEOUT)
# Tests labelled jack or rt need servers or RT privileges: they run only in the
# release build. ASan+UBSan runs everything else; TSan runs the `tsan` label.
ASAN_CTEST_ARGS ?= -LE '^(jack|rt)$$' --parallel $(JOBS)
TSAN_CTEST_ARGS ?= -L '^tsan$$'

# Sanitizer reports: stack traces for UBSan; TSan stops at the first report.
export UBSAN_OPTIONS ?= print_stacktrace=1
export TSAN_OPTIONS  ?= halt_on_error=1 second_deadlock_stack=1
# TSan's shadow memory fails on kernels with vm.mmap_rnd_bits=32 ("unexpected
# memory mapping"); run it with ASLR off where the sandbox allows that.
TSAN_PREFIX = $(shell setarch "$$(uname -m)" -R true >/dev/null 2>&1 && echo setarch "$$(uname -m)" -R)

.PHONY: help setup build build-asan build-tsan demo play test test-engine \
        test-asan test-tsan test-deno bench bench-engine bench-deno clean distclean

help:
	@echo "midi-sampler targets:"
	@echo "  make demo        setup + build + render examples/hello_gm.ts (GM bank) or hello.ts to $(DEMO_WAV)"
	@echo "  make test        setup + every suite: engine ctest (release, ASan+UBSan, TSan) + deno task test"
	@echo "  make build       setup + engine release build ($(BUILD_DIR)/libmidisampler.so)"
	@echo "  make bench       build + benchmarks (deno task bench: ms_bench, then the scheduling bench)"
	@echo "  make install     install the midi-sampler command, library and scripts (PREFIX=/usr/local, DESTDIR)"
	@echo "  make uninstall   remove what make install put under PREFIX"
	@echo "  make setup       apt packages and the pinned Deno (tools/setup.sh); no-op when present"
	@echo "  make test-engine | test-asan | test-tsan | test-deno   one suite"
	@echo "  make clean       remove build/ and $(DEMO_WAV);  make distclean  also .tools/"
	@echo "Variables: JOBS=$(JOBS) BUILD_TYPE=$(BUILD_TYPE) SETUP=$(SETUP) PLAY=$(PLAY)"
	@echo "  CTEST_TIMEOUT=$(CTEST_TIMEOUT) CMAKE_ARGS='$(CMAKE_ARGS)' MS_DENO=<path to a deno>"
	@echo "Deno commands get MS_ENGINE_LIB=$(MS_ENGINE_LIB)"

# --- Setup ------------------------------------------------------------------
setup:
ifeq ($(SETUP),1)
	@tools/setup.sh
else
	@:
endif

# --- Engine builds ----------------------------------------------------------
# Configure only when the cache is missing; a failed configure removes it so
# the next run tries again. cmake re-runs itself when a CMakeLists.txt changes.
# `setup` is order-only: it runs first but never makes a build out of date.
$(BUILD_DIR)/CMakeCache.txt: | setup
	cmake -S engine -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) \
	  || { rm -f $@; exit 1; }

$(ASAN_BUILD_DIR)/CMakeCache.txt: | setup
	cmake -S engine -B $(ASAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DMS_SANITIZE=address -DMS_BUILD_BENCH=OFF $(CMAKE_ARGS) \
	  || { rm -f $@; exit 1; }

$(TSAN_BUILD_DIR)/CMakeCache.txt: | setup
	cmake -S engine -B $(TSAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DMS_SANITIZE=thread -DMS_BUILD_BENCH=OFF $(CMAKE_ARGS) \
	  || { rm -f $@; exit 1; }

build: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) --parallel $(JOBS)

build-asan: $(ASAN_BUILD_DIR)/CMakeCache.txt
	cmake --build $(ASAN_BUILD_DIR) --parallel $(JOBS)

build-tsan: $(TSAN_BUILD_DIR)/CMakeCache.txt
	cmake --build $(TSAN_BUILD_DIR) --parallel $(JOBS)

# --- Demo -------------------------------------------------------------------
demo: build
	@$(PICK_DEMO); echo "demo: $$script"; \
	  $(DENO_ENV) $(DENO) task render "$$script" $(DEMO_WAV)
	@echo "--- $(DEMO_WAV) ---"
	@if command -v soxi >/dev/null 2>&1; then \
	  soxi $(DEMO_WAV) | sed -n 's/^\(Channels\|Sample Rate\|Duration\|Sample Encoding\|File Size\) *: */  \1: /p'; \
	  sox $(DEMO_WAV) -n stat 2>&1 | sed -n 's/^\(Maximum amplitude\|RMS     amplitude\): */  \1: /p'; \
	else ls -l $(DEMO_WAV); fi
	@$(MAKE) --no-print-directory play

# Playback hook. Today's machines have no sound device, so this only says why
# it skipped. When one exists, the engine plays the demo script live
# (deno task play: JACK when a server runs, else ALSA "default").
play:
ifeq ($(PLAY),1)
	@$(PICK_DEMO); if compgen -G '/dev/snd/pcmC*D*p' >/dev/null; then \
	  echo "play: $$script live"; $(DENO_ENV) $(DENO) task play "$$script"; \
	else \
	  echo "play: skipped, no sound device (no /dev/snd/pcmC*D*p); $(DEMO_WAV) is ready to play elsewhere"; \
	fi
else
	@echo "play: skipped (PLAY=$(PLAY))"
endif

# --- Tests ------------------------------------------------------------------
# Every suite runs even when an earlier one fails; the summary names the
# failures and the exit status is non-zero if there were any.
TEST_SUITES := test-engine test-asan test-tsan test-deno

test: setup
	@failed=(); \
	for suite in $(TEST_SUITES); do \
	  echo "=== $$suite ==="; \
	  if ! $(MAKE) --no-print-directory SETUP=0 $$suite; then failed+=("$$suite"); fi; \
	done; \
	echo "=== summary ==="; \
	if (( $${#failed[@]} )); then echo "FAILED: $${failed[*]}"; exit 1; fi; \
	echo "all suites passed: $(TEST_SUITES)"

# Release build: every test, including the jack and rt labels.
test-engine: build
	ctest --test-dir $(BUILD_DIR) $(CTEST_FLAGS)

test-asan: build-asan
	ctest --test-dir $(ASAN_BUILD_DIR) $(CTEST_FLAGS) $(ASAN_CTEST_ARGS)

test-tsan: build-tsan
	$(TSAN_PREFIX) ctest --test-dir $(TSAN_BUILD_DIR) $(CTEST_FLAGS) $(TSAN_CTEST_ARGS)

test-deno: build
	$(DENO_ENV) $(DENO) task test

# --- Benchmarks -------------------------------------------------------------
# `deno task bench` (scripts/bench.ts) drives ms_bench itself, then the
# TypeScript scheduling bench; bench-engine runs ms_bench alone.
bench: bench-deno

bench-engine: build
	@if [ -x $(BUILD_DIR)/bench/ms_bench ]; then \
	  $(BUILD_DIR)/bench/ms_bench; \
	else echo "bench: no $(BUILD_DIR)/bench/ms_bench built; skipping"; fi

bench-deno: build
	@if grep -Eq '"bench"[[:space:]]*:' deno.json 2>/dev/null; then \
	  $(DENO_ENV) $(DENO) task bench; \
	else echo "bench: deno.json has no bench task; skipping"; fi

# --- Cleaning ---------------------------------------------------------------
clean:
	rm -rf build $(DEMO_WAV)

distclean: clean
	rm -rf .tools

# --- Installing ---------------------------------------------------------------
# make install PREFIX=~/.local   the `midi-sampler` command, outside Nix:
#   $(PREFIX)/bin/midi-sampler            bin/midi-sampler with the paths below filled in
#   $(PREFIX)/lib/libmidisampler.so*      the engine (this machine's release build: -march=native)
#   $(PREFIX)/include/midi_sampler.h
#   $(PREFIX)/share/midi-sampler/         lib/ scripts/ instruments/ examples/ deno.json deno.lock
# DESTDIR stages the files elsewhere (packaging). The installed deno.json also
# maps "midi-sampler/" to its lib/, so a set anywhere can import
# "midi-sampler/live/mod.ts". DENO_BIN (default: the deno tools/deno runs now)
# is recorded in the command; MS_DENO or PATH take over if it disappears.
# install-files is everything but the engine; the Nix package (nix/package.nix)
# runs it after its own CMake install.
PREFIX        ?= /usr/local
DESTDIR       ?=
MS_DATA_DIR    = $(PREFIX)/share/midi-sampler
DENO_BIN      ?= $(shell $(DENO) --which 2>/dev/null)
MS_VERSION     = $(shell sed -n 's/^project.midisampler VERSION \([0-9.]*\).*/\1/p' engine/CMakeLists.txt)

.PHONY: install install-files uninstall

# Only the library is built (not the engine's tests and benchmark).
install: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) --parallel $(JOBS) --target midisampler
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix "$(PREFIX)"
	@$(MAKE) --no-print-directory install-files

install-files:
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(MS_DATA_DIR)"
	sed -e "s|@MS_DATA_DIR@|$(MS_DATA_DIR)|" -e "s|@MS_ENGINE_LIB@|$(PREFIX)/lib/libmidisampler.so|" \
	    -e "s|@MS_DENO_BIN@|$(DENO_BIN)|" -e "s|@MS_VERSION@|$(MS_VERSION)|" \
	    bin/midi-sampler > "$(DESTDIR)$(PREFIX)/bin/midi-sampler"
	chmod 755 "$(DESTDIR)$(PREFIX)/bin/midi-sampler"
	rm -rf "$(DESTDIR)$(MS_DATA_DIR)/lib" "$(DESTDIR)$(MS_DATA_DIR)/scripts" \
	       "$(DESTDIR)$(MS_DATA_DIR)/instruments" "$(DESTDIR)$(MS_DATA_DIR)/examples" \
	       "$(DESTDIR)$(MS_DATA_DIR)/docs"
	cp -R lib scripts instruments examples docs deno.lock LICENSE README.md "$(DESTDIR)$(MS_DATA_DIR)/"
	find "$(DESTDIR)$(MS_DATA_DIR)" -name '*_test.ts' -delete
	sed 's|^\(  *\)"imports": {$$|&\n\1  "midi-sampler/": "./lib/",|' deno.json > "$(DESTDIR)$(MS_DATA_DIR)/deno.json"
	grep -q '"midi-sampler/"' "$(DESTDIR)$(MS_DATA_DIR)/deno.json"
	chmod -R u+w,go+rX "$(DESTDIR)$(MS_DATA_DIR)"
	@echo "installed: $(DESTDIR)$(PREFIX)/bin/midi-sampler (data in $(MS_DATA_DIR))"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/midi-sampler" "$(DESTDIR)$(PREFIX)/include/midi_sampler.h"
	rm -f "$(DESTDIR)$(PREFIX)/lib/libmidisampler.so" "$(DESTDIR)$(PREFIX)/lib/libmidisampler.so".*
	rm -rf "$(DESTDIR)$(MS_DATA_DIR)"
