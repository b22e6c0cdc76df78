package analysis

import (
	"testing"

	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestFitLine(t *testing.T) {
	tests := []struct {
		why  string
		x, y []float64
		want Fit
		ok   bool
	}{
		{
			why: "points on a line: exact slope and intercept, zero-width intervals, R² = 1",
			x:   []float64{0, 1, 2, 3}, y: []float64{1, 3, 5, 7},
			want: Fit{N: 4, Xs: 4, Slope: 2, Intercept: 1, R2: 1,
				SlopeCI:     Interval{Lo: 2, Hi: 2, Confidence: Level, OK: true},
				InterceptCI: Interval{Lo: 1, Hi: 1, Confidence: Level, OK: true}},
			ok: true,
		},
		{
			why: "a noisy line worked by hand",
			// x̄ = 1.5, ȳ = 2.25, Sxx = 5, Sxy = 4.5: slope 0.9, intercept
			// 2.25 − 1.35 = 0.9. Residuals 0.1 0.2 −0.7 0.4: RSS 0.7; TSS
			// 4.75, R² = 1 − 0.7/4.75 = 0.852632. s² = 0.35; SE(slope) =
			// √(0.35/5) = 0.264575, SE(intercept) = √(0.35·(1/4 + 2.25/5))
			// = 0.494975; t(0.975, 2) = 4.302653: half-widths 1.138375 and
			// 2.129704.
			x: []float64{0, 1, 2, 3}, y: []float64{1, 2, 2, 4},
			want: Fit{N: 4, Xs: 4, Slope: 0.9, Intercept: 0.9, R2: 0.852632,
				SlopeCI:     Interval{Lo: 0.9 - 1.138375, Hi: 0.9 + 1.138375, Confidence: Level, OK: true},
				InterceptCI: Interval{Lo: 0.9 - 2.129704, Hi: 0.9 + 2.129704, Confidence: Level, OK: true},
				Warnings:    []string{"R² = 0.853: the times are not well described by a straight line"}},
			ok: true,
		},
		{
			why: "replicates at two values: the line joins the means; warned that curvature cannot show",
			// Means 10 at x = 0 and 30 at x = 10: slope 2, intercept 10.
			// Residuals ±1 four times: RSS 4, s² = 2, Sxx = 4·25 = 100,
			// SE(slope) = √0.02 = 0.141421, t(0.975, 2) = 4.302653: ±0.608487.
			// SE(intercept) = √(2·(1/4 + 25/100)) = 1: ±4.302653. TSS =
			// 4·100 + 4 = 404, R² = 400/404 = 0.990099.
			x: []float64{0, 0, 10, 10}, y: []float64{9, 11, 29, 31},
			want: Fit{N: 4, Xs: 2, Slope: 2, Intercept: 10, R2: 0.990099,
				SlopeCI:     Interval{Lo: 2 - 0.608487, Hi: 2 + 0.608487, Confidence: Level, OK: true},
				InterceptCI: Interval{Lo: 10 - 4.302653, Hi: 10 + 4.302653, Confidence: Level, OK: true},
				Warnings:    []string{"only two values of the parameter: the fit cannot show curvature"}},
			ok: true,
		},
		{
			why: "two points: a line, but no interval",
			x:   []float64{0, 2}, y: []float64{1, 5},
			want: Fit{N: 2, Xs: 2, Slope: 2, Intercept: 1, R2: 1,
				Warnings: []string{"two points: the line passes through both, with no interval",
					"only two values of the parameter: the fit cannot show curvature"}},
			ok: true,
		},
		{
			why: "zero variance in y: slope 0, R² 1 rather than 0/0",
			x:   []float64{0, 1, 2}, y: []float64{4, 4, 4},
			want: Fit{N: 3, Xs: 3, Slope: 0, Intercept: 4, R2: 1,
				SlopeCI:     Interval{Lo: 0, Hi: 0, Confidence: Level, OK: true},
				InterceptCI: Interval{Lo: 4, Hi: 4, Confidence: Level, OK: true}},
			ok: true,
		},
		{why: "one value of x determines no line", x: []float64{5, 5, 5}, y: []float64{1, 2, 3}},
		{why: "one point determines no line", x: []float64{1}, y: []float64{1}},
		{why: "mismatched lengths", x: []float64{1, 2}, y: []float64{1}},
	}
	for _, tt := range tests {
		got, ok := FitLine(tt.x, tt.y)
		if ok != tt.ok {
			t.Errorf("%s: ok = %v", tt.why, ok)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(1e-6, 1e-9)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

// sweepRun is one point of a sweep: each strategy's counted wall times.
func sweepRun(id, iterations string, walls ...[]int64) *results.Run {
	r := &results.Run{ID: id, Sweep: "s1", Parameters: map[string]string{"iterations": iterations}}
	for i, ws := range walls {
		r.Strategies = append(r.Strategies, results.Strategy{Name: []string{"fast", "failing"}[i]})
		for _, w := range ws {
			r.Trials = append(r.Trials, results.Trial{Strategy: i, WallNS: w})
		}
	}
	r.Trials = append(r.Trials, results.Trial{Strategy: 0, Warmup: true, WallNS: 1e12})
	return r
}

func TestFitSweep(t *testing.T) {
	// fast: 1 ms + 2 ns per iteration, exactly; failing has runs only at 0.
	runs := []*results.Run{
		sweepRun("a", "0", []int64{1e6, 1e6}, []int64{5e6}),
		sweepRun("b", "1000000", []int64{3e6, 3e6}, nil),
		sweepRun("c", "2000000", []int64{5e6}, nil),
		sweepRun("d", "lots", []int64{1}, nil),
	}
	fits, warnings := FitSweep(runs, "iterations")
	if len(fits) != 2 {
		t.Fatalf("got %d fits, want 2", len(fits))
	}
	f := fits[0]
	if !f.OK || f.Fit.N != 5 || !cmp.Equal(f.Fit.Slope, 2.0, cmpopts.EquateApprox(1e-9, 0)) ||
		!cmp.Equal(f.Fit.Intercept, 1e6, cmpopts.EquateApprox(1e-9, 0)) {
		t.Errorf("fast: warm-up left out, 5 points, 2 ns per iteration and 1 ms fixed; got %+v", f.Fit)
	}
	if fits[1].OK {
		t.Errorf("failing: a strategy with runs at one value only has no line, got %+v", fits[1].Fit)
	}
	want := []string{"no counted runs at iterations=1000000", "no counted runs at iterations=2000000",
		"counted runs at fewer than two values of iterations: no line"}
	if diff := cmp.Diff(want, fits[1].Warnings); diff != "" {
		t.Errorf("failing: warnings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`run d: parameter iterations="lots" is not a number: left out of the fit`}, warnings); diff != "" {
		t.Errorf("sweep warnings (-want +got):\n%s", diff)
	}
}

func TestFitCounts(t *testing.T) {
	c := func(s, it string, n int64, failure string) results.InstructionCount {
		return results.InstructionCount{Strategy: s, Parameters: map[string]string{"iterations": it}, Instructions: n, Failure: failure}
	}
	// a: 200000 + 7 per iteration.
	fits := FitCounts([]results.InstructionCount{
		c("a", "0", 200000, ""), c("a", "1000", 207000, ""),
		c("b", "0", 0, "exit status 1"), c("b", "1000", 5000, ""),
	}, "iterations")
	if !fits[0].OK || fits[0].Fit.Slope != 7 || fits[0].Fit.Intercept != 200000 {
		t.Errorf("a: want 7 per iteration and 200000 fixed, got %+v", fits[0].Fit)
	}
	if fits[1].OK || fits[1].Failure != "exit status 1" {
		t.Errorf("b: a failed count leaves one point and no line, got %+v", fits[1])
	}
}
