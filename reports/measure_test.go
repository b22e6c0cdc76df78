package reports

import (
	"strings"
	"testing"
	"time"

	"benchlab/results"
)

// TestPrimedPeakTexts: a run whose primed trials took their peak memory
// from the priming run says so in the memory note and the trial order; an
// older run, which primed only after another strategy's trial and measured
// each trial in its own cgroup, keeps its own words.
func TestPrimedPeakTexts(t *testing.T) {
	for _, tc := range []struct {
		why                 string
		order               results.Order
		wantOrder, notOrder string
		primedNote          bool
	}{
		{"since issue 12's second pass", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 9, PrimeOwn: true, PrimedPeak: true},
			"took under 50ms was preceded by an unmeasured run of the same command (9 such runs), so that it does not pay for waking the pinned CPU, and that run measured its peak memory", "following another", true},
		{"before", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 9},
			"took under 50ms, following another strategy's, was preceded", "measured its peak", false},
		{"nothing primed", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), PrimeOwn: true, PrimedPeak: true},
			"(0 such runs)", "following another", false},
		{"since the second pass, peak memory by ru_maxrss", results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 3, PrimeOwn: true},
			"took under 50ms was preceded by an unmeasured run of the same command (3 such runs), so that it does not pay for waking the pinned CPU", "peak memory", false},
	} {
		run := &results.Run{Settings: results.Settings{Memory: results.MemoryCgroupV1, Order: &tc.order}}
		if got := orderCell(&tc.order); !strings.Contains(got, tc.wantOrder) || strings.Contains(got, tc.notOrder) {
			t.Errorf("%s: trial order %q, want %q and not %q", tc.why, got, tc.wantOrder, tc.notOrder)
		}
		note := memoryNote(run)
		if got := strings.Contains(note, "has that run's peak, measured in the trial's cgroup, while the timed run ran in none"); got != tc.primedNote {
			t.Errorf("%s: memory note says the priming run measured the peak: %v, want %v:\n%s", tc.why, got, tc.primedNote, note)
		}
	}
}
