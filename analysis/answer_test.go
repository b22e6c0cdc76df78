package analysis

import (
	"math"
	"slices"
	"testing"

	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAttribute(t *testing.T) {
	perUnit := func(v, h float64) Part { return Part{Name: PartPerUnit, ValueNS: v, HalfNS: h, HasInterval: true} }
	fixed := func(v, h float64) Part { return Part{Name: PartFixed, ValueNS: v, HalfNS: h, HasInterval: true} }
	tests := []struct {
		why               string
		total, totalHalf  float64
		parts             []Part
		cause             int
		share             float64 // of the first part
		sameSign, exceeds bool    // of the first part
	}{
		// Issue #10: an Intel run's −54.2 ms difference against an AMD
		// sweep's per-iteration slope, +172.9 ms at 250M iterations:
		// 172.9 / −54.2 = −3.19, the opposite sign.
		{"the −319% of issue #10: the part has the opposite sign", -54.2e6, 12e6,
			[]Part{perUnit(172.9e6, 3.2e6), fixed(0.23e6, 0.05e6)}, -1, -3.190, false, false},
		// −204.6 / −209.8 = 0.975; 0.5·209.8 = 104.9 and 204.6 − 104.9 =
		// 99.7 clears √(2.7² + 6.1²) = 6.7; 209.8 − 204.6 = 5.2 does not
		// exceed √(2.7² + 12.2²) = 12.5 the other way.
		{"98% per call with its sign is the cause", -209.8e6, 12.2e6,
			[]Part{perUnit(-204.6e6, 2.7e6), fixed(0.23e6, 0.05e6)}, 0, 0.975, true, false},
		// 172.9 − 166.1 = 6.8 is within √(3.2² + 12.4²) = 12.8: not shown
		// to exceed the whole.
		{"104% within the total's interval is still the cause", 166.1e6, 12.4e6,
			[]Part{perUnit(172.9e6, 3.2e6), fixed(0.23e6, 0.48e6)}, 0, 1.041, true, false},
		// 172.9 − 54.2 = 118.7 clears √(3.2² + 5²) = 5.9: the part is
		// larger than the difference, so another part pulls the other way.
		{"+319% with the total's sign exceeds it: not attributable", 54.2e6, 5e6,
			[]Part{perUnit(172.9e6, 3.2e6), fixed(-118e6, 2e6)}, -1, 3.190, true, true},
		// 40 − 0.5·100 = −10: less than half.
		{"40% explains too little", 100e6, 1e6,
			[]Part{perUnit(40e6, 1e6), fixed(60e6, 30e6)}, -1, 0.4, true, false},
		// 60 − 50 = 10 does not clear √(30² + 0.5²) = 30: not beyond
		// the interval.
		{"a majority within the noise is not shown", 100e6, 1e6,
			[]Part{fixed(60e6, 30e6), perUnit(40e6, 1e6)}, -1, 0.6, true, false},
		{"a clear fixed cost is the cause", 10e6, 0.5e6,
			[]Part{perUnit(0.5e6, 1e6), fixed(9.6e6, 0.4e6)}, 1, 0.05, true, false},
		{"a part without an interval cannot be judged", 100e6, 1e6,
			[]Part{{Name: PartPerUnit, ValueNS: 95e6}, fixed(5e6, 1e6)}, -1, 0.95, true, false},
		{"two parts that each explain most: neither alone", 100e6, 0,
			[]Part{perUnit(80e6, 1e6), fixed(80e6, 1e6)}, -1, 0.8, true, false},
		{"no difference to attribute", 0, 1e6, []Part{perUnit(1e6, 1e6)}, -1, 0, false, false},
		// 4.3 − 2.9 = 1.4 is within √(1.7² + 3²) = 3.4 and 4.3 − 1.45 =
		// 2.85 clears √(1.7² + 1.5²) = 2.3, but 2.9 ± 3.0 includes zero.
		{"a total within the noise is attributed to nothing", 2.9e6, 3e6,
			[]Part{fixed(4.3e6, 1.7e6), perUnit(-2e6, 3.8e6)}, -1, 1.483, true, false},
	}
	for _, tt := range tests {
		a := Attribute(tt.total, tt.totalHalf, tt.parts)
		if a.Cause != tt.cause {
			t.Errorf("%s: cause %d, want %d (parts %+v)", tt.why, a.Cause, tt.cause, a.Parts)
		}
		p := a.Parts[0]
		if math.Abs(p.Share-tt.share) > 0.001 || p.SameSign != tt.sameSign || p.Exceeds != tt.exceeds {
			t.Errorf("%s: share %.4f same sign %v exceeds %v, want %.4f %v %v", tt.why, p.Share, p.SameSign, p.Exceeds, tt.share, tt.sameSign, tt.exceeds)
		}
		if p.ShareLo > p.Share || p.ShareHi < p.Share {
			t.Errorf("%s: share %.3f outside its interval [%.3f, %.3f]", tt.why, p.Share, p.ShareLo, p.ShareHi)
		}
	}
}

// answerRun is a run of strategies a and c, a slower by about 100 ms, at
// x iterations.
func answerRun(x string) *results.Run {
	r := &results.Run{ID: "main", Parameters: map[string]string{"iterations": x},
		Strategies: []results.Strategy{{Name: "a"}, {Name: "c"}}}
	for i := range 10 {
		jitter := int64(i%3) * 1e6
		r.Trials = append(r.Trials, results.Trial{Strategy: 0, WallNS: 400e6 + jitter}, results.Trial{Strategy: 1, WallNS: 300e6 + jitter})
	}
	return r
}

// sweepRuns are a sweep of a and c at 0, 500M and 1G iterations: a costs
// 1 ms + 0.4 ns per iteration, c 1 ms + 0.3 ns, with a little noise.
func sweepRuns() []*results.Run {
	var runs []*results.Run
	for _, x := range []float64{0, 500e6, 1e9} {
		r := &results.Run{ID: "p", Sweep: "s", Parameters: map[string]string{"iterations": formatX(x)},
			Strategies: []results.Strategy{{Name: "a"}, {Name: "c"}}}
		for i := range 6 {
			jitter := float64(i%3) * 1e4
			r.Trials = append(r.Trials, results.Trial{Strategy: 0, WallNS: int64(1e6 + 0.4*x + jitter)},
				results.Trial{Strategy: 1, WallNS: int64(1e6 + 0.3*x + jitter)})
		}
		runs = append(runs, r)
	}
	return runs
}

func formatX(x float64) string {
	return map[float64]string{0: "0", 500e6: "500000000", 1e9: "1000000000"}[x]
}

func TestAnswerQuestion(t *testing.T) {
	main := answerRun("1000000000")
	sweep := &SweepEvidence{ID: "s", Param: "iterations", Runs: sweepRuns()}
	fits, _ := FitSweep(sweep.Runs, "iterations")
	counts := &CountEvidence{Param: "iterations", Run: &results.Run{Counts: []results.InstructionCount{
		{Strategy: "a", Parameters: map[string]string{"iterations": "1"}, Tool: "callgrind", Instructions: 110},
		{Strategy: "a", Parameters: map[string]string{"iterations": "2"}, Tool: "callgrind", Instructions: 120},
		{Strategy: "c", Parameters: map[string]string{"iterations": "1"}, Tool: "callgrind", Instructions: 105},
		{Strategy: "c", Parameters: map[string]string{"iterations": "2"}, Tool: "callgrind", Instructions: 112},
	}}}
	in := AnswerInput{Main: main, Sums: Summarize(main), Sweep: sweep, SweepFits: fits, Counts: counts,
		CountFits: FitCounts(counts.Run.Counts, "iterations")}
	ans := AnswerQuestion(in, "a", "c")
	if ans.Withheld != "" || !ans.Tested || !ans.Test.Significant {
		t.Fatalf("answer withheld %q, tested %v, significant %v", ans.Withheld, ans.Tested, ans.Test.Significant)
	}
	s := ans.Split
	if s == nil || s.Attribution == nil || s.StartUp == nil {
		t.Fatalf("no split, start-up or attribution: %+v", s)
	}
	// 0.4 − 0.3 = 0.1 ns per iteration; at 1G iterations, 100 ms of the
	// 100 ms difference: the per-iteration part is the cause.
	if diff := cmp.Diff(0.1, s.DSlope, cmpopts.EquateApprox(0, 1e-6)); diff != "" {
		t.Errorf("slope difference (-want +got):\n%s", diff)
	}
	at := s.Attribution
	if at.Cause != 0 || at.Parts[0].Name != PartPerUnit || at.X != 1e9 {
		t.Errorf("attribution %+v, want the per-unit part at 1G as the cause", at)
	}
	// 10 and 7 instructions per iteration: fewer is also faster.
	if ins := ans.Instructions; ins == nil || ins.PerUnitA != 10 || ins.PerUnitC != 7 || !ins.HasOrder || !ins.SameOrder {
		t.Errorf("instructions %+v", ans.Instructions)
	}

	if !s.SlopeClear {
		t.Errorf("a slope difference of 0.1 ns with narrow intervals is not clear: %+v", s)
	}
	// Slopes whose difference is within its interval show no order of the
	// times per iteration: the counts are not set against one.
	wide := slices.Clone(fits)
	for i := range wide {
		if wide[i].Strategy == "c" {
			f := &wide[i].Fit
			f.Slope = s.FitA.Slope - 0.001
			f.SlopeCI = Interval{Lo: f.Slope - 1, Hi: f.Slope + 1, Confidence: Level, OK: true}
		}
	}
	in.SweepFits = wide
	if got := AnswerQuestion(in, "a", "c"); got.Split == nil || got.Split.SlopeClear || got.Instructions == nil || got.Instructions.HasOrder {
		t.Errorf("unclear slopes: split %+v, instructions %+v; want an unclear slope difference and no order", got.Split, got.Instructions)
	}
	in.SweepFits = fits

	// Withheld: a noisy run answers nothing, whatever its evidence.
	noisy := answerRun("1000000000")
	noisy.Noise = &results.Noise{Noisy: true, Reasons: []string{"load average 5.0 over 2 CPUs"}}
	in.Main = noisy
	if got := AnswerQuestion(in, "a", "c"); got.Withheld != "the run was noisy (load average 5.0 over 2 CPUs)" || got.Split != nil {
		t.Errorf("noisy run: withheld %q, split %v", got.Withheld, got.Split)
	}
	in.Main = main
	if got := AnswerQuestion(in, "a", "nope"); !got.NoRuns {
		t.Errorf("a strategy without runs: %+v", got)
	}
	// Without a sweep there is nothing to split.
	in.Sweep, in.SweepFits = nil, nil
	if got := AnswerQuestion(in, "a", "c"); got.Split != nil || got.Instructions == nil || got.Instructions.HasOrder {
		t.Errorf("no sweep: split %v, instructions %+v", got.Split, got.Instructions)
	}
}
