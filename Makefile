# The two commands: `make demo` and `make test`. Both install what they need first.
JOBS ?= 2
BUILD ?= build
BUILD_ASAN ?= build-asan

FUZZ_SECONDS ?= 60
FUZZ_TARGETS = http1_differential http1_request http1_response chunked url replacement fcgi_record cgi_response lighttpd_config static_request htpasswd access_format proxy_map config forwarded_client compare digest

.PHONY: setup build demo test bench fuzz difffuzz clean

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

# libFuzzer (clang): each target runs FUZZ_SECONDS from its kept corpus (plus seeds: the
# migrate golden cases for the config parsers, lighttpd's suite when ../shared has it) with
# its dictionary (tests/fuzz/dict); a crasher is written into tests/fuzz/corpus/<target>/
# so that `make test` replays it from then on. The libraries the targets link are
# instrumented too (CUTOVER_FUZZ=ON builds everything with coverage and ASan/UBSan).
# Prints each target's final coverage and corpus size (docs/fuzzing.md).
SEEDS_lighttpd_config = tests/migrate $(wildcard ../shared/lighttpd-suite)
SEEDS_config = examples tests/migrate
fuzz: setup
	@command -v clang++ >/dev/null || scripts/setup.sh clang
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCUTOVER_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@rm -f build-fuzz/fuzz-summary.txt
	@for t in $(FUZZ_TARGETS); do mkdir -p build-fuzz/corpus/$$t; \
	  echo "fuzz $$t for $(FUZZ_SECONDS)s"; \
	  dict=""; [ -f tests/fuzz/dict/$$t.dict ] && dict="-dict=tests/fuzz/dict/$$t.dict"; \
	  build-fuzz/tests/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$dict \
	    -artifact_prefix=tests/fuzz/corpus/$$t/ build-fuzz/corpus/$$t tests/fuzz/corpus/$$t $(SEEDS_$$t) \
	    2> build-fuzz/fuzz-$$t.log || { tail -40 build-fuzz/fuzz-$$t.log; exit 1; }; \
	  last=$$(grep -E "^#[0-9]+.*cov: " build-fuzz/fuzz-$$t.log | tail -1); \
	  echo "| $$t | $$(echo "$$last" | sed -E 's/.*cov: ([0-9]+).*/\1/') | $$(echo "$$last" | sed -E 's/.*corp: ([0-9]+).*/\1/') | $$(grep -E "^stat::number_of_executed_units" build-fuzz/fuzz-$$t.log | awk '{print $$2}') |" >> build-fuzz/fuzz-summary.txt; done
	@echo; echo "| target | coverage (edges) | corpus | runs |"; echo "|---|---|---|---|"; cat build-fuzz/fuzz-summary.txt

# Differential fuzzing of the lighttpd translator: DIFF_ROUNDS rounds of DIFF_CONFIGS random
# lighttpd configs, each round with a random seed, against the real lighttpd 1.4.69 and
# cutover (tests/e2e/migrate_generated_test.cc). Failing configs are kept in
# build/artifacts/difffuzz/ (their seed and answers); copy one into tests/difffuzz/ and every
# run replays it first, as a regression case.
DIFF_ROUNDS ?= 10
DIFF_CONFIGS ?= 100
difffuzz: build
	@for i in $$(seq 1 $(DIFF_ROUNDS)); do seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	  CUTOVER_DIFF_SEED=$$seed CUTOVER_DIFF_CONFIGS=$(DIFF_CONFIGS) $(BUILD)/tests/e2e_tests \
	    --gtest_filter='MigrateGenerated.*' 2>&1 | grep -E '^\[ difffuzz \]|MORE OPEN|^  GET' || true; done

bench: build
	bench/proxy.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz
