package lab

import (
	"fmt"
	"math"
	"strings"
	"time"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/results"
)

// failureBytes is room, per strategy, for the exit status and standard
// error tail a failed strategy's record may gain during the run.
const failureBytes = 4 << 10

// checkFits refuses, before the first trial, a run of e whose record no
// reader could load back (results.CheckFits): huge recorded files, or more
// trials than the format's size limit holds. Measuring first and failing
// to archive would throw the measurements away.
func checkFits(e *experiments.Experiment, machine results.Machine, host *harness.Host, recorded []results.RecordedFile, artifacts []results.Artifact, opts harness.Options, lab results.Lab) error {
	probe := newRun(e, machine, host, recorded, time.Now(), lab)
	probe.Artifacts = artifacts
	for _, s := range e.Strategies {
		probe.Strategies = append(probe.Strategies, results.Strategy{Name: s.Name, Command: s.Command, Description: s.Description,
			Failure: strings.Repeat("x", failureBytes)})
	}
	if err := results.CheckFits(probe, plannedTrials(len(e.Strategies), opts)); err != nil {
		return fmt.Errorf("%s: %w; nothing was run", e.Path, err)
	}
	return nil
}

// plannedTrials is the most trials a run with opts can make: warm-ups and
// every round up to the adaptive maximum, for each strategy; it saturates
// rather than overflow.
func plannedTrials(strategies int, opts harness.Options) int {
	runs := opts.Runs
	if opts.Auto != nil {
		runs = max(runs, opts.Auto.MaxRuns)
	}
	n := float64(strategies) * (float64(max(opts.Warmup, 0)) + float64(max(runs, 0)))
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}
