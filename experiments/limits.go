package experiments

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
)

// Limits on what one experiment may ask for. They keep a typo (one zero too
// many) or a hostile file from exhausting memory or running for years: each
// is checked when the file is loaded, and the counts again against the
// command-line overrides, before anything runs. experiments/README.md lists
// them.
const (
	// MaxStrategies bounds the strategies after params expansion.
	MaxStrategies = 1000
	// MaxRuns bounds trials.runs, trials.max_runs and --runs.
	MaxRuns = 100_000
	// MaxBlock bounds trials.block and --block: the trials one launch
	// runs back to back (the harness's launcher holds their results).
	MaxBlock = 256
	// MaxWarmup bounds trials.warmup and --warmup.
	MaxWarmup = 10_000
	// MaxTrials bounds the trials of one run: strategies × (warm-up +
	// counted rounds, or max_runs with runs = "auto").
	MaxTrials = 1_000_000
	// MaxDuration bounds every duration: trials.timeout, trials.max_time
	// and build.timeout.
	MaxDuration = 24 * time.Hour
	// MaxNameLength bounds the experiment's name, which names a folder
	// of the archive (results.CheckName's limit).
	MaxNameLength = 200
	// MaxFileSize bounds experiment.toml.
	MaxFileSize = 1 << 20
)

// DefaultBuildTimeout bounds the build when [build] names no timeout.
const DefaultBuildTimeout = time.Hour

// CheckCounts checks a run's counts against the limits: strategies (after
// expansion), warm-up rounds and counted rounds (max_runs under "auto").
// The errors say what the limit is; callers put the file or flag in front.
func CheckCounts(strategies, warmup, runs int) error {
	switch {
	case warmup < 0:
		return fmt.Errorf("warm-up rounds must not be negative, not %d", warmup)
	case warmup > MaxWarmup:
		return fmt.Errorf("%d warm-up rounds is over the limit of %d", warmup, MaxWarmup)
	case runs < 1:
		return fmt.Errorf("runs must be at least 1, not %d", runs)
	case runs > MaxRuns:
		return fmt.Errorf("%d runs is over the limit of %d per strategy; use fewer, or runs = \"auto\"", runs, MaxRuns)
	case strategies > MaxStrategies:
		return fmt.Errorf("%d strategies is over the limit of %d", strategies, MaxStrategies)
	}
	// Each factor is bounded above, so the product fits an int.
	if n := strategies * (warmup + runs); n > MaxTrials {
		return fmt.Errorf("%d strategies × (%d warm-up + %d runs) is %d trials, over the limit of %d per run; use fewer runs or strategies",
			strategies, warmup, runs, n, MaxTrials)
	}
	return nil
}

// PlannedRuns returns the counted rounds the trials plan at most: runs, or
// max_runs under "auto" (after its defaults are set).
func (t Trials) PlannedRuns() int {
	if t.Runs.Auto() {
		return t.WithAutoDefaults().MaxRuns
	}
	return int(t.Runs)
}

// expandedCount returns how many strategies s expands to, without making
// them: the product of its parameters' value counts, saturated at
// math.MaxInt so that no file can overflow it.
func expandedCount(s Strategy) int {
	n := 1
	for _, name := range slices.Sorted(maps.Keys(s.Params)) {
		k := len(s.Params[name])
		if k == 0 {
			return 0
		}
		if n > math.MaxInt/k {
			return math.MaxInt
		}
		n *= k
	}
	return n
}

// strategyCount returns how many strategies e has after expansion,
// saturated at math.MaxInt.
func (e *Experiment) strategyCount() int {
	total := 0
	for _, s := range e.Strategies {
		c := expandedCount(s)
		if total > math.MaxInt-c {
			return math.MaxInt
		}
		total += c
	}
	return total
}

// finite reports whether v is a number that is not NaN or infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
