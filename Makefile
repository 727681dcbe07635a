# attt: the two commands a newcomer needs. `make run` and `make test` do all set-up on a fresh
# Debian 12 machine as root (see README.md). Everything else is CMake + Ninja underneath.
BUILD    ?= build
DATA     ?= demo-data
LISTEN   ?= 127.0.0.1:8080
JOBS     ?= $(shell nproc)

.PHONY: all run test deps build release asan clean bench check-deps

all: build

deps:
	@scripts/install-deps

$(BUILD)/debug/build.ninja:
	cmake -S . -B $(BUILD)/debug -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null

build: deps $(BUILD)/debug/build.ninja
	@ninja -C $(BUILD)/debug -j $(JOBS)

release: deps
	cmake -S . -B $(BUILD)/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DATTT_TESTS=OFF >/dev/null
	ninja -C $(BUILD)/release -j $(JOBS)

run: build
	@BUILD=$(BUILD) DATA=$(DATA) LISTEN=$(LISTEN) scripts/run-demo

test: deps
	@BUILD=$(BUILD) JOBS=$(JOBS) scripts/run-tests

bench: release
	@BUILD=$(BUILD) bench/run-all

clean:
	rm -rf $(BUILD)
