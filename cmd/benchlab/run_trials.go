package main

import (
	"fmt"
	"strconv"
	"time"

	"benchlab/experiments"
	"benchlab/harness"
)

// noiseSample is how long `benchlab run` watches the pinned CPUs before
// the trials to see whether something else keeps them busy.
const noiseSample = 200 * time.Millisecond

// setRuns sets opts.Runs, or opts.Auto for runs = "auto", from the
// experiment's [trials] and the --runs flag ("" for the experiment's, a
// number, or "auto"). Under auto, opts.Runs is min_runs: the runs planned
// at the least, which the archive records as Settings.Runs.
func setRuns(opts *harness.Options, t experiments.Trials, flag string) error {
	runs := t.Runs
	switch flag {
	case "":
	case "auto":
		runs = experiments.AutoRuns
	default:
		n, err := strconv.Atoi(flag)
		if err != nil || n < 1 {
			return usageError{"--runs must be a number of at least 1 or \"auto\", not " + strconv.Quote(flag)}
		}
		runs = experiments.RunCount(n)
	}
	if !runs.Auto() {
		opts.Runs, opts.Auto = int(runs), nil
		return nil
	}
	// --runs auto on a file without it: its bounds are not defaulted yet.
	d := t.WithAutoDefaults()
	a := harness.Auto{MinRuns: d.MinRuns, MaxRuns: d.MaxRuns, MaxTime: d.MaxTime.Duration, Precision: d.Precision}
	opts.Runs, opts.Auto = a.MinRuns, &a
	return nil
}

// checkCounts holds the run's counts, after --runs and --warmup, to the
// limits experiment files are held to.
func checkCounts(e *experiments.Experiment, opts harness.Options) error {
	runs := opts.Runs
	if opts.Auto != nil {
		runs = opts.Auto.MaxRuns
	}
	if err := experiments.CheckCounts(len(e.Strategies), opts.Warmup, runs); err != nil {
		return usageError{fmt.Sprintf("--runs/--warmup: %v", err)}
	}
	return nil
}
