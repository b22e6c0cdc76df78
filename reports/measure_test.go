package reports

import (
	"strings"
	"testing"
	"time"

	"benchlab/results"
)

// TestPrimedPeakTexts: a run whose primed trials ran both runs in the
// trial's cgroup says so in the memory note and the trial order; older
// runs keep their own words: those whose primed trials took their peak
// from the priming run alone, and those which primed only after another
// strategy's trial and measured each trial in its own cgroup. Runs that
// reset the cgroup's peak before each timed run say each trial has its
// own run's peak, blocks included.
func TestPrimedPeakTexts(t *testing.T) {
	const (
		shared      = "ran them and the timed run in the trial's cgroup, one after the other: its peak is at least that of a priming run alone"
		fromPriming = "has that run's peak, measured in the trial's cgroup, while the timed run ran in none"
		perRun      = "and the cgroup's peak was reset before the timed run: the trial's peak is its own run's"
	)
	for _, tc := range []struct {
		why                 string
		order               results.Order
		wantOrder, notOrder string
		primedNote          string // the memory note's words on primed trials, or ""
	}{
		{"since issue 12's third pass", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 18, PrimeRuns: 2, PrimeOwn: true, PrimedSharedCgroup: true},
			"took under 50ms was preceded by 2 unmeasured runs of the same command (18 such runs), so that it does not pay for waking the pinned CPU, in the trial's cgroup, whose peak memory covers them all", "following another", shared},
		{"blocks, since issue 12's fifth pass", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 8, PrimeRuns: 4, PrimeOwn: true, PrimedSharedCgroup: true, Block: 16},
			"(8 such runs), so that it does not pay for waking the pinned CPU, in the trial's cgroup, whose peak memory covers them all (see above); except that a counted one began a block of up to 16 trials of its strategy run back to back", "following another", shared},
		{"peak reset per run, since issue 12's sixth pass", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 8, PrimeRuns: 4, PrimeOwn: true, PrimedSharedCgroup: true, PeakPerRun: true},
			"(8 such runs), so that it does not pay for waking the pinned CPU, in the trial's cgroup, whose peak memory was reset before the timed run (see above)", "covers them all", perRun},
		{"blocks with the peak reset per run", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 8, PrimeRuns: 4, PrimeOwn: true, PrimedSharedCgroup: true, Block: 16, PeakPerRun: true},
			"whose peak memory was reset before the timed run (see above); except that a counted one began a block of up to 16 trials", "covers them all", perRun},
		{"issue 12's second pass", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 9, PrimeOwn: true, PrimedPeak: true},
			"took under 50ms was preceded by an unmeasured run of the same command (9 such runs), so that it does not pay for waking the pinned CPU, and that run measured its peak memory", "following another", fromPriming},
		{"before", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 9},
			"took under 50ms, following another strategy's, was preceded", "peak", ""},
		{"nothing primed", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), PrimeRuns: 2, PrimeOwn: true, PrimedSharedCgroup: true},
			"; no trial was primed (a trial of a strategy whose last trial took under 50ms would have been preceded by 2 unmeasured runs", "such runs", ""},
		{"nothing primed, before", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond)},
			"; no trial was primed (a trial of a strategy whose last trial took under 50ms, following another strategy's, would have been preceded by an unmeasured run", "such runs", ""},
		{"since the second pass, peak memory by ru_maxrss", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 3, PrimeOwn: true},
			"took under 50ms was preceded by an unmeasured run of the same command (3 such runs), so that it does not pay for waking the pinned CPU", "peak memory", ""},
	} {
		run := &results.Run{Settings: results.Settings{Memory: results.MemoryCgroupV1, Order: &tc.order}}
		if got := orderCell(&tc.order); !strings.Contains(got, tc.wantOrder) || strings.Contains(got, tc.notOrder) {
			t.Errorf("%s: trial order %q, want %q and not %q", tc.why, got, tc.wantOrder, tc.notOrder)
		}
		note := memoryNote(run)
		if got, want := strings.Contains(note, "shared its cgroup: each has the block's peak"), tc.order.Block > 1 && !tc.order.PeakPerRun; got != want {
			t.Errorf("%s: memory note speaks of blocks' shared peaks: %v, want %v:\n%s", tc.why, got, want, note)
		}
		if got, want := strings.Contains(note, "shared its cgroup, whose peak was reset before each: each has its own run's peak"), tc.order.Block > 1 && tc.order.PeakPerRun; got != want {
			t.Errorf("%s: memory note speaks of blocks' own peaks: %v, want %v:\n%s", tc.why, got, want, note)
		}
		for _, words := range []string{shared, fromPriming, perRun} {
			if got, want := strings.Contains(note, words), words == tc.primedNote; got != want {
				t.Errorf("%s: memory note says %q: %v, want %v:\n%s", tc.why, words, got, want, note)
			}
		}
	}
}
