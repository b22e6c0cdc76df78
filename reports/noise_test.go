package reports

import (
	"strings"
	"testing"

	"benchlab/results"
)

// A noisy run says so first: in the report straight after the title, with
// each reason and what to do, and in the summary `benchlab run` prints, at
// the top; each says it once.
func TestNoisyBanner(t *testing.T) {
	run := testsRun([]int64{10e6, 11e6, 12e6}, map[string][]int64{"x": {20e6, 21e6, 22e6}}, []string{"x"})
	run.Title = "A noisy run"
	other, steal := 0.64, 0.13
	reason := "during the trials pinned CPU 1 spent 64% of the time on work other than the trials, above the limit of 20% (host.max_busy)"
	run.Noise = &results.Noise{LoadAvg: [3]float64{5, 4, 3}, ASLR: 2, Noisy: true, Reasons: []string{reason},
		OtherBusy: &other, Steal: &steal, MaxLoad: 1.5, MaxBusy: 0.2}
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	md := string(rep.Markdown())
	wantTop := "# A noisy run\n\n> [!CAUTION]\n> **Noisy run.** The host broke the noise gate's limits"
	if !strings.HasPrefix(md, wantTop) {
		t.Errorf("the report does not open with the noise banner:\n%s", md[:min(len(md), 400)])
	}
	if !strings.Contains(md, "> - "+reason+"\n") {
		t.Errorf("the banner lacks the reason %q", reason)
	}
	if !strings.Contains(md, "| other work during the trials | 64.0% of the watched CPUs' time |") ||
		!strings.Contains(md, "| noise gate | **noisy** (see the top): load at most 1.5 per CPU, other work at most 20% |") {
		t.Errorf("the noise table lacks the gate's figures:\n%s", md)
	}
	if !strings.Contains(md, "| the host's steal during the trials | 13.00% of the watched CPUs' time (counted in the other work above; the host may also slow them in ways no counter shows) |") {
		t.Errorf("the noise table lacks the steal:\n%s", md)
	}
	// The reason is said once in each: the gate's verdict, not again as a
	// warning.
	if n := strings.Count(md, reason); n != 1 {
		t.Errorf("the report says the reason %d times, want once:\n%s", n, md)
	}
	text := Terminal(run, TerminalOptions{})
	if !strings.HasPrefix(text, "Noisy run: the host broke the noise gate's limits ([host] max_load, max_busy), so the times may include other programs' work; run again on a quieter host or with --wait-quiet:\n  - "+reason+"\n") {
		t.Errorf("the run summary does not open with the noise verdict, its reason and what to do:\n%s", text)
	}
	if n := strings.Count(text, reason); n != 1 || strings.Count(text, "noise gate") != 1 {
		t.Errorf("the run summary says the noise verdict more than once:\n%s", text)
	}

	// The same run, quiet: no banner.
	run.Noise.Noisy, run.Noise.Reasons = false, nil
	rep, err = Build(run)
	if err != nil {
		t.Fatal(err)
	}
	if md := string(rep.Markdown()); strings.Contains(md, "Noisy run") || !strings.Contains(md, "| noise gate | passed:") {
		t.Errorf("a quiet run is reported noisy, or its gate not shown:\n%s", md)
	}
	if text := Terminal(run, TerminalOptions{}); strings.Contains(text, "Noisy") || strings.Contains(text, "noisy") {
		t.Errorf("a quiet run's summary mentions noise:\n%s", text)
	}
}
