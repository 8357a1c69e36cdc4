# Textback: `make run` to try it, `make test` to check everything. Both install what is
# missing first (scripts/install-tools.sh), and cost nothing extra on a warm machine.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
SERVER_BIN := $(TARGET_DIR)/debug/textback
# trunk finds wasm-opt 132 here (never Debian's older binaryen).
export PATH := $(CURDIR)/web/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export RUST_BACKTRACE ?= 0

.PHONY: help run test tools test-tools server web lint unit fuzz-smoke fuzz e2e openapi bench clean

help:
	@echo "make run      build everything, migrate the SQLite database, make the demo store"
	@echo "              (once; prints its login), serve API + web app"
	@echo "make test     formatting, lints, unit + integration tests (SQLite, and PostgreSQL"
	@echo "              when TEST_DATABASE_URL is set), OpenAPI drift, browser tests"
	@echo "make fuzz     API contract fuzzing (schemathesis) at length: FUZZ_EXAMPLES per operation"
	@echo "              (default 1000), FUZZ_SEED to repeat a run"
	@echo "make openapi  regenerate openapi.yaml from the code"
	@echo "make bench    event ingestion vs plain inserts, dispatch vs plain updates, inbox latency"
	@echo "              over 100,000 threads, a mixed HTTP load with wrk (SQLite, and PostgreSQL"
	@echo "              when TEST_DATABASE_URL is set); release build"

# The demo store is made on the first run only (it prints its login every time).
run: tools server web
	$(SERVER_BIN) migrate
	$(SERVER_BIN) demo
	$(SERVER_BIN) serve

test: test-tools lint unit fuzz-smoke e2e

tools:
	@scripts/install-tools.sh build

test-tools:
	@scripts/install-tools.sh test

server:
	cargo build -p textback-api --bin textback

web:
	trunk build --release

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy -p textback-web --target wasm32-unknown-unknown -- -D warnings

# Unit tests and the integration suite (tests/api), which runs each test on SQLite and,
# with TEST_DATABASE_URL set, on PostgreSQL too. The server binary is built first: one test
# kills a real `textback worker` process mid-send.
unit: server
	@export TEXTBACK_BIN=$(abspath $(SERVER_BIN)); \
	if command -v cargo-nextest >/dev/null; then cargo nextest run --workspace --exclude textback-web --no-fail-fast; \
	else cargo test --workspace --exclude textback-web --no-fail-fast; fi

# API contract fuzzing against the real server (tests/fuzz/run.py): every operation of the
# published spec, on SQLite and (with TEST_DATABASE_URL) PostgreSQL. `make test` runs a
# bounded number of examples per operation; `make fuzz` many more.
FUZZ_EXAMPLES ?= 1000
fuzz-smoke: server
	@scripts/install-tools.sh fuzz
	TEXTBACK_BIN=$(abspath $(SERVER_BIN)) .venv/bin/python tests/fuzz/run.py --max-examples 100

fuzz: server
	@scripts/install-tools.sh fuzz
	TEXTBACK_BIN=$(abspath $(SERVER_BIN)) .venv/bin/python tests/fuzz/run.py --max-examples $(FUZZ_EXAMPLES)

e2e: server web
	mkdir -p tests/output/e2e
	TEXTBACK_BIN=$(abspath $(SERVER_BIN)) STATIC_DIR=$(CURDIR)/web/dist node --test tests/e2e/

openapi: server
	$(SERVER_BIN) openapi > openapi.yaml

# Measurements, not tests: events/s against the raw-insert ceiling, texts/s per dispatcher
# against the raw-update ceiling, inbox p50/p99 against a 25 ms target, and a mixed HTTP load
# with wrk on the release server (req/s, p50/p99, errors, peak memory), per backend.
# Fails only when a request fails; a missed target is reported.
bench: test-tools
	cargo build --release -p textback-api --bin textback
	cargo bench -p textback-tests --bench ingest
	cargo bench -p textback-tests --bench dispatch
	cargo bench -p textback-tests --bench inbox
	cargo bench -p textback-tests --bench load

clean:
	cargo clean
	rm -rf web/dist tests/output
