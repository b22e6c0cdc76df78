package lab

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"benchlab/harness"
	"benchlab/results"
)

// TestCheckFits is #14 case 1 in the pipeline: before any trial, a run
// whose record could not be read back (a reader stops at
// results.MaxDecodedSize) is refused, counting every trial the run may
// take and every recorded file; a run that fits passes.
func TestCheckFits(t *testing.T) {
	e := adhoc(t)
	host := &harness.Host{}
	lab := results.Lab{Version: "test"}
	lock := []results.RecordedFile{{Path: "Cargo.lock", Content: strings.Repeat("x", 1<<20)}}
	tests := []struct {
		why      string
		recorded []results.RecordedFile
		opts     harness.Options
		want     error
	}{
		{"a small run fits", lock, harness.Options{Warmup: 1, Runs: 100}, nil},
		{"a million trials fit", nil, harness.Options{Runs: 500_000}, nil},
		{"2 × 700,000 trials do not", nil, harness.Options{Runs: 700_000}, results.ErrTooLarge},
		{"adaptive runs count at their maximum", nil, harnessOptions(0, 10, 700_000), results.ErrTooLarge},
		// 210 MB of trials and 48 MiB of recorded files: over 256 MiB.
		{"recorded files count too", slices.Repeat(lock, 48), harness.Options{Runs: 500_000}, results.ErrTooLarge},
	}
	for _, tt := range tests {
		if err := checkFits(e, harness.Fingerprint(), host, tt.recorded, nil, tt.opts, lab); !errors.Is(err, tt.want) {
			t.Errorf("%s: checkFits = %v, want %v", tt.why, err, tt.want)
		}
	}
	if got := plannedTrials(3, harnessOptions(2, 10, 50)); got != 3*(2+50) {
		t.Errorf("plannedTrials under auto: %d, want the warm-ups and max_runs of each strategy, %d", got, 3*(2+50))
	}
}

// harnessOptions are trial options of warmup rounds and an adaptive
// number of runs between min and max.
func harnessOptions(warmup, min, max int) harness.Options {
	return harness.Options{Warmup: warmup, Runs: min, Auto: &harness.Auto{MinRuns: min, MaxRuns: max}}
}
