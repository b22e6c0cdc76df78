# benchlab: `make experiment` runs an experiment end to end, `make test` the tests.
GO      ?= go
EXP     ?= async-fn-pointers
RESULTS ?= results
REPORTS ?= reports
BIN     := bin/benchlab
# The commit goes into every archived run; generated results and reports do
# not make the tree dirty.
COMMIT  := $(shell git rev-parse HEAD 2>/dev/null)$(shell git status --porcelain -- . ':!results' ':!reports' 2>/dev/null | grep -q . && echo -dirty)

.PHONY: all build experiment setup test bench clean

all: build

build:
	$(GO) build -ldflags "-X main.commit=$(COMMIT)" -o $(BIN) ./cmd/benchlab

# Installs what the experiment needs that the machine lacks (its setup.sh),
# then checks, builds, runs, archives and reports.
experiment: build setup
	./$(BIN) run --results $(RESULTS) experiments/$(EXP)
	./$(BIN) report --results $(RESULTS) --out $(REPORTS) $(EXP)

setup:
	@if [ -x experiments/$(EXP)/setup.sh ]; then experiments/$(EXP)/setup.sh; fi

test:
	$(GO) vet ./...
	$(GO) test ./...

clean:
	rm -rf bin
