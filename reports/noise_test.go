package reports

import (
	"slices"
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

// A run whose rounds all ran slower together says so: at the top of the
// report and of the run summary, once each, and in the noise table with
// its figures; a
// steady run says it is steady, one whose spread the test does not set
// apart from the strategies' noise says so with its numbers, and one too
// small to judge says why.
func TestRoundSpeedInReport(t *testing.T) {
	// Rounds 2 and 3 of six run 1.5× slower for every strategy.
	times := map[string][]int64{"x": {200e6, 199e6, 301e6, 300e6, 201e6, 200e6}, "y": {50e6, 51e6, 75e6, 76e6, 50e6, 49e6},
		"z": {1000e6, 1002e6, 1500e6, 1498e6, 999e6, 1001e6}, "w": {400e6, 398e6, 603e6, 598e6, 401e6, 402e6}}
	slow := testsRun([]int64{100e6, 101e6, 150e6, 151e6, 99e6, 100e6}, times, []string{"x", "y", "z", "w"})
	slow.Noise = &results.Noise{ASLR: 2}
	rep, err := Build(slow)
	if err != nil {
		t.Fatal(err)
	}
	md := string(rep.Markdown())
	// NumPy on the same table: factors 0.9963 to 1.4978. Every strategy
	// ranks rounds 2 and 3 highest: of 720⁴ orders hardly any do as well.
	warning := "in the 6 rounds where the 5 strategies judged all ran, they ran slower or faster together, the slowest round 1.503× the fastest (Friedman's test: p < 0.001)"
	// The Markdown escapes the parentheses of the warning.
	top := "> [!WARNING]\n> **The host's speed changed during the trials:** " + warning[:strings.Index(warning, " (")]
	if _, head, _ := strings.Cut(md, "\n\n"); !strings.HasPrefix(head, top) || strings.Count(md, "they ran slower or faster together") != 1 || !strings.Contains(md, "| the host's speed from round to round, from the trials | **changed** (see the top): the rounds' common factor (each strategy's time over its median, the median over strategies) ran from 0.996 to 1.498, 1.503× (limit 1.20×; Friedman's test over 6 rounds × 5 strategies, over 9999 random orders of each strategy's rounds: p < 0.001) |") {
		t.Errorf("the report lacks the speed warning or row:\n%s", md)
	}
	if text := Terminal(slow, TerminalOptions{}); !strings.HasPrefix(text, "Host speed changed during the trials: "+warning) || strings.Count(text, warning) != 1 {
		t.Errorf("the run summary does not open with the speed, once:\n%s", text)
	}

	// Three strategies, two of them slow in each of rounds 1 and 3, not
	// the same two: the factors spread 1.21× (NumPy: 0.990 to 1.198), but
	// the strategies rank the rounds differently, and over every order of
	// their rounds (4!² = 576, the first strategy's fixed) p = 0.153
	// (SciPy's exact permutation_test: 0.1528): no change shown, with the
	// numbers.
	crossed := testsRun([]int64{100e6, 150e6, 100e6, 101e6}, map[string][]int64{"x": {200e6, 300e6, 201e6, 300e6}, "y": {50e6, 50e6, 51e6, 75e6}},
		[]string{"x", "y"})
	crossed.Noise = &results.Noise{ASLR: 2}
	if rep, err = Build(crossed); err != nil {
		t.Fatal(err)
	}
	if md := string(rep.Markdown()); strings.Contains(md, "speed changed") || !strings.Contains(md, "| a change not shown: the spread is above the limit, but the test does not set it apart from the strategies' own noise (p ≥ 0.01): the rounds' common factor (each strategy's time over its median, the median over strategies) ran from 0.990 to 1.198, 1.210× (limit 1.20×; Friedman's test over 4 rounds × 3 strategies, over every order of each strategy's rounds: p = 0.15) |") {
		t.Errorf("crossed slow rounds: want no change shown, with the numbers:\n%s", md)
	}

	steady := testsRun([]int64{100e6, 101e6, 102e6, 99e6, 98e6, 100e6},
		map[string][]int64{"x": {200e6, 198e6, 201e6, 203e6, 199e6, 200e6}, "y": {50e6, 51e6, 49e6, 50e6, 52e6, 50e6}},
		[]string{"x", "y"})
	steady.Noise = &results.Noise{ASLR: 2}
	if rep, err = Build(steady); err != nil {
		t.Fatal(err)
	}
	if md := string(rep.Markdown()); strings.Contains(md, "speed changed") || !strings.Contains(md, "| the host's speed from round to round, from the trials | steady: the rounds' common factor") {
		t.Errorf("a steady run is not reported steady:\n%s", md)
	}
	steady.Strategies, steady.Trials = steady.Strategies[:2], slices.DeleteFunc(steady.Trials, func(tr results.Trial) bool { return tr.Strategy > 1 })
	if rep, err = Build(steady); err != nil {
		t.Fatal(err)
	}
	if md := string(rep.Markdown()); !strings.Contains(md, "| — (not judged: 2 strategies with counted trials in 4 rounds or more; it takes 3) |") {
		t.Errorf("a run of two strategies does not say why its speed was not judged:\n%s", md)
	}
}
