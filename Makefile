# ShuffleLab's two commands, and the presets behind them (CMakePresets.json).
#   make run   installs what is missing, builds, and opens the app
#   make test  installs what is missing, builds, and runs every test through CTest
# More: make asan (sanitizer build of the tests), make fuzz (safetensors fuzzer),
#       make lint (format + clang-tidy + shellcheck check), make format (rewrites C++ files),
#       make build, make setup, make clean.
# WERROR=ON turns compiler warnings into errors (CI sets it; users' builds only warn).
SHELL := /bin/bash
BIN := build/release/bin/shufflelab
JOBS ?= $(shell nproc)
WERROR ?= OFF
CONFIGURE := -DSHUFFLELAB_WERROR=$(WERROR)

.PHONY: run test setup build asan fuzz lint format clean help check-exercise

help:
	@echo "make run    - set up, build and open the app (terminal walkthrough without a display)"
	@echo "make test   - set up, build and run the whole test suite (CTest)"
	@echo "make asan   - build and run the tests under AddressSanitizer + UBSan"
	@echo "make fuzz   - build the safetensors fuzzer with clang and run it briefly"
	@echo "make check-exercise N=05 - check your answer to lessons/05_*/exercise.cpp"
	@echo "make lint   - check format (clang-format), clang-tidy and shellcheck; changes nothing"
	@echo "make format - rewrite the C++ files with clang-format (.clang-format)"

setup:
	@scripts/setup

build: setup
	@cmake --preset release $(CONFIGURE) >/dev/null || cmake --preset release $(CONFIGURE)
	@cmake --build --preset release -j $(JOBS)

test: build
	@ctest --preset release -j $(JOBS)

run: build
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "make run: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the app cannot open."; \
	  echo "make run: here is the terminal walkthrough instead; on a desktop, 'make run' opens the app."; \
	  echo; $(BIN) shuffle; \
	elif ! $(BIN) gui --help >/dev/null 2>&1; then \
	  echo "make run: this build has no app (GLFW/ImGui missing); showing the terminal walkthrough."; \
	  echo; $(BIN) shuffle; \
	else \
	  $(BIN) gui; \
	fi

asan: setup
	@cmake --preset asan $(CONFIGURE) >/dev/null || cmake --preset asan $(CONFIGURE)
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

fuzz: setup
	@CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSHUFFLELAB_FUZZ=ON -DSHUFFLELAB_VIZ=OFF -DSHUFFLELAB_CUDA=OFF $(CONFIGURE) >/dev/null
	@cmake --build build/fuzz --target fuzz_safetensors -j $(JOBS)
	@cd build/fuzz && ctest -R fuzz --output-on-failure

# A lesson's exercise: builds only lessons/NN_*/check.cpp + your exercise.cpp and runs it;
# scripts/check-exercise records the outcome for the Lessons panel's badge.
check-exercise: setup
	@if [ -z "$(N)" ]; then echo "usage: make check-exercise N=05  (the lesson number, two digits)"; exit 2; fi
	@if ! ls lessons/$(N)_*/check.cpp >/dev/null 2>&1; then \
	  echo "make check-exercise: no exercise $(N); lessons with one: $$(ls lessons/*/check.cpp | cut -c9-10 | tr '\n' ' ')"; exit 2; fi
	@cmake --preset release >/dev/null || cmake --preset release
	@cmake --build --preset release --target exercise_$(N) -j $(JOBS)
	@scripts/check-exercise $(N)

# clang-tidy reads the compile database of the release preset: configure it if missing.
lint:
	@scripts/setup --lint
	@[ -f build/release/compile_commands.json ] || cmake --preset release $(CONFIGURE) >/dev/null || cmake --preset release $(CONFIGURE)
	@JOBS=$(JOBS) scripts/lint

format:
	@scripts/setup --lint
	@scripts/lint --format

clean:
	rm -rf build
