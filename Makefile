# benchlab: `make experiment` runs the experiments end to end, `make test` the tests.
GO      ?= go
# `make experiment` runs every experiment of EXPS in turn; EXP=name runs one.
EXPS    ?= async-fn-pointers go-func-dispatch dispatch-crossover
EXP     ?= $(EXPS)
RESULTS ?= results
REPORTS ?= reports
# How long each experiment first waits for the host to settle below its
# noise gate (a 1-minute load average lags a build or a test run that just
# ended); on a host that stays busy the runs go ahead and are marked noisy.
WAIT_QUIET ?= 2m
BIN     := bin/benchlab
# The commit goes into every archived run. Generated data does not make the
# tree dirty: the archive's machine folders (results/<machine>/...) and the
# reports' experiment folders (reports/<experiment>/...). The Go sources at
# the top of results/ and reports/ do, and so do their testdata/ folders.
GENERATED := ':(glob,exclude)results/*/**' ':(glob,exclude)reports/*/**'
COMMIT  := $(shell git rev-parse HEAD 2>/dev/null)$(shell { git status --porcelain -- . $(GENERATED); git status --porcelain -- results/testdata reports/testdata; } 2>/dev/null | grep -q . && echo -dirty)

.PHONY: all build experiment setup test bench clean

all: build

build:
	$(GO) build -ldflags "-X main.commit=$(COMMIT)" -o $(BIN) ./cmd/benchlab

# Installs what each experiment needs that the machine lacks (its setup.sh),
# then checks, builds, runs and archives each one, with the sweep and the
# instruction counts its [report] declares, and writes its report from this
# machine's runs alone (benchlab experiment); stops at the first that fails.
experiment: build setup
	@set -e; for e in $(EXP); do \
		echo "== $$e"; \
		./$(BIN) experiment --wait-quiet=$(WAIT_QUIET) --results $(RESULTS) --out $(REPORTS) experiments/$$e; \
	done

setup:
	@set -e; for e in $(EXP); do \
		if [ -x experiments/$$e/setup.sh ]; then experiments/$$e/setup.sh; fi; \
	done

# The race detector is on: CI runs exactly this. .ci/deps.sh first installs
# the real tools the tests use (Debian's packages) when any is missing. The
# end-to-end scripts mostly wait on their subjects (sleeps, timeouts), so
# more of them run at once than there are CPUs (-parallel).
test:
	@bash .ci/deps.sh
	$(GO) vet ./...
	$(GO) test -race -parallel 6 ./...

# Harness fidelity against hyperfine and the fork-exec floor, and adaptive
# runs against hyperfine's defaults (bench/fidelity; a few minutes).
bench: build
	$(GO) test ./results -run '^$$' -bench . -benchtime 1x   # archive bytes/trial; load+summarise 1,000 runs
	@command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
	bench/subjects/build.sh /tmp/benchlab-bench
	$(GO) run ./bench/fidelity -dir /tmp/benchlab-bench

clean:
	rm -rf bin
