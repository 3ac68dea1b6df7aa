# The two commands: `make demo` and `make test`. Both install what they need first.
JOBS ?= 2
BUILD ?= build
BUILD_ASAN ?= build-asan

.PHONY: setup build demo test bench clean

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	BUILD=$(BUILD) scripts/demo.sh

# Every test, built with AddressSanitizer + UndefinedBehaviorSanitizer.
test: setup
	cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCUTOVER_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest -j $(JOBS) --output-on-failure --timeout 300

bench: build
	bench/proxy.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
