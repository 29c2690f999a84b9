# gwq — the two commands a newcomer needs: `make demo` and `make test`.
CARGO ?= cargo
GWQ := target/release/gwq
BENCH_DIR ?= bench-data

WIN_TARGET := x86_64-pc-windows-gnu
# The Windows build's target folder (default: target/, shared with the Linux build).
WIN_DIR ?= target
GWQ_EXE := $(WIN_DIR)/$(WIN_TARGET)/release/gwq.exe
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

.PHONY: build test demo bench samples clean windows windows-test dist fuzz

build:
	$(CARGO) build --release

## test: formatting, lints and every test (what CI runs); no incremental cache,
## which a fresh checkout never reuses and which costs CI's disk ~400 MB
test:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	CARGO_INCREMENTAL=0 $(CARGO) test --all-targets

## demo: the main job on the bundled samples/ workspace
demo: build
	$(GWQ) -w samples --no-progress check --quarter 2025Q3
	$(GWQ) -w samples --no-progress score --quarter 2025Q3
	$(GWQ) -w samples --no-progress audit-fees samples/data/预算/网络通信服务费用预算.xlsx --quarter 2025Q3
	$(GWQ) -w samples --no-progress problems sync --month 2025-07
	$(GWQ) -w samples --no-progress problems sync --month 2025-08 --budget samples/data/预算/网络通信服务费用预算.xlsx
	$(GWQ) -w samples --no-progress report monthly --month 2025-08
	$(GWQ) -w samples --no-progress problems sync --month 2025-09
	$(GWQ) -w samples --no-progress problems list --overdue --as-of 2025-09-30
	$(GWQ) -w samples --no-progress report quarterly --quarter 2025Q3
	$(GWQ) -w samples --no-progress reconcile --quarter 2025Q3
	mkdir -p samples/reports
	sed 's/target: ">= 99.95"/target: ">= 99.99"/' samples/indicators/fiber.yaml > samples/reports/fiber-proposed.yaml
	$(GWQ) -w samples --no-progress replay --scheme-file samples/reports/fiber-proposed.yaml --scheme fiber --quarter 2025Q3
	$(GWQ) -w samples --no-progress report annual
	$(GWQ) -w samples --no-progress report annual --scheme 5g
	$(GWQ) -w samples --no-progress report special --period 2025Q3 --topic outages
	$(GWQ) -w samples --no-progress sample --quarter 2025Q4 --seed 7
	$(GWQ) -w samples --no-progress scheme
	$(GWQ) -w samples --no-progress scheme --supervision
	$(GWQ) -w samples --no-progress acceptance samples/reports

## samples: regenerate the committed samples/ workspace (deterministic)
samples: build
	rm -rf samples.new
	$(GWQ) demo samples.new --lines 16 --days 92 --interval 30 --seed 7
	rm -rf samples && mv samples.new samples

## fuzz: cargo-fuzz runs each target of fuzz/ for FUZZ_SECONDS (default 600), seeded
## with tests/fixtures/fuzz/<target>/ (needs the nightly toolchain and
## `cargo install cargo-fuzz`); then the proptest properties with FUZZ_CASES cases each
## instead of make test's 400. A crash stops it with the input in fuzz/artifacts/:
## minimise it (`cargo +nightly fuzz tmin`) into tests/fixtures/fuzz/<target>/.
FUZZ_SECONDS ?= 600
FUZZ_CASES ?= 200000
FUZZ_TARGETS := csv excel values scheme workspace
fuzz:
	cd fuzz && cargo +nightly fuzz build --sanitizer none
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  (cd fuzz && cargo +nightly fuzz run --sanitizer none $$t corpus/$$t ../tests/fixtures/fuzz/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1) || exit 1; \
	done
	GWQ_FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test --release --lib robustness

## bench: ingest, check and score speed on generated data, DuckDB beside (not part of the tests)
bench: build
	scripts/bench.sh $(GWQ) $(BENCH_DIR)

## windows: cross-compile gwq.exe for x86_64-pc-windows-gnu (installs the rustup
## target and Debian's mingw-w64 when they are missing)
windows:
	rustup target add $(WIN_TARGET)
	command -v x86_64-w64-mingw32-gcc >/dev/null || scripts/apt-install.sh gcc-mingw-w64-x86-64
	CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc CARGO_TARGET_DIR=$(WIN_DIR) \
		$(CARGO) build --release --target $(WIN_TARGET)
	x86_64-w64-mingw32-strip $(GWQ_EXE)
	ls -l $(GWQ_EXE)

## windows-test: run gwq.exe under Wine on a copy of samples/ in a path with Chinese
## characters and spaces; its JSON must equal the Linux binary's byte for byte
windows-test: windows build
	scripts/windows-test.sh $(GWQ_EXE) $(GWQ)

## dist: dist/gwq-<version>.zip with gwq.exe, the Linux binary, README, samples/ and 快速上手.txt
dist: windows build
	python3 scripts/dist.py $(VERSION) $(GWQ_EXE) $(GWQ)

clean:
	$(CARGO) clean
	rm -rf $(BENCH_DIR)
