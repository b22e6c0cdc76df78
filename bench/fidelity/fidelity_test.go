package main

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/stat"

	"benchlab/analysis"
	"benchlab/results"
)

// TestPrimedTrials: the harness primes a trial whose strategy's previous
// trial, warm-ups included, took less than the threshold; never the
// strategy's first trial.
func TestPrimedTrials(t *testing.T) {
	trials := []results.Trial{
		{Strategy: 0, WallNS: 10, Warmup: true}, // first: never primed
		{Strategy: 1, WallNS: 500},
		{Strategy: 0, WallNS: 10},  // after a short warm-up: primed
		{Strategy: 1, WallNS: 20},  // after a long trial: not
		{Strategy: 0, WallNS: 200}, // after a short one: primed
		{Strategy: 1, WallNS: 20},  // after a short one: primed
		{Strategy: 0, WallNS: 10},  // after a long one: not
	}
	tests := []struct {
		why     string
		belowNS int64
		want    []int
	}{
		{"below 100 ns", 100, []int{2, 1}},
		{"no priming", 0, []int{0, 0}},
		{"below 1 µs, all but the first", 1000, []int{3, 2}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, primedTrials(trials, 2, tc.belowNS)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.why, diff)
		}
	}
	// Blocks: only a block's first trial is primed.
	blocks := []results.Trial{
		{Strategy: 0, Round: 0, WallNS: 10, Warmup: true},
		{Strategy: 1, Round: 0, WallNS: 10, Warmup: true},
		{Strategy: 0, Round: 1, WallNS: 10}, {Strategy: 0, Round: 1, WallNS: 10}, {Strategy: 0, Round: 1, WallNS: 10},
		{Strategy: 1, Round: 1, WallNS: 10}, {Strategy: 1, Round: 1, WallNS: 10},
		{Strategy: 1, Round: 2, WallNS: 10}, // a new round: primed
		{Strategy: 0, Round: 2, WallNS: 10}, {Strategy: 0, Round: 2, WallNS: 10},
	}
	if diff := cmp.Diff([]int{2, 2}, primedTrials(blocks, 2, 100)); diff != "" {
		t.Errorf("blocks: (-want +got)\n%s", diff)
	}
}

// TestPerRound: the ratio is the geometric mean of the rounds' ratios;
// at 95% its interval is analysis.MeanInterval's of their logarithms
// (checked against SciPy there), and a smaller alpha widens it; rounds
// that agree give a point; what cannot be judged is NaN.
func TestPerRound(t *testing.T) {
	a := [][]float64{{2, 2}, {8, 8}, {4, 4}}
	b := [][]float64{{1, 1}, {2, 2}, {1, 1}}
	ratio, lo, hi := roundsRatio(a, b, 0.05) // 2, 4, 4
	iv := analysis.MeanInterval([]float64{math.Log(2), math.Log(4), math.Log(4)})
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Abs(y) }
	if !near(ratio, math.Cbrt(32)) || !near(lo, math.Exp(iv.Lo)) || !near(hi, math.Exp(iv.Hi)) {
		t.Errorf("roundsRatio = %v [%v, %v], want %v [%v, %v]", ratio, lo, hi, math.Cbrt(32), math.Exp(iv.Lo), math.Exp(iv.Hi))
	}
	if _, lo2, hi2 := roundsRatio(a, b, 0.05/9); !(lo2 < lo && hi2 > hi) {
		t.Errorf("at 1−0.05/9 the interval [%v, %v] is not wider than at 95%% [%v, %v]", lo2, hi2, lo, hi)
	}
	// Each round's spread of logs is the same multiple: the interval is
	// that point.
	c := [][]float64{{1, 4}, {2, 8}, {1, 4}}
	d := [][]float64{{1, 2}, {3, 6}, {5, 10}}
	ratio, lo, hi = spreadRatio(c, d, 0.05)
	for _, x := range []float64{ratio, lo, hi} {
		if !near(x, 2) {
			t.Errorf("spreadRatio = %v [%v, %v], want 2 [2, 2]", ratio, lo, hi)
		}
	}
	for _, tc := range []struct {
		why  string
		a, b [][]float64
	}{
		{"one round", [][]float64{{1, 2}}, [][]float64{{1, 2}}},
		{"a round without runs", [][]float64{{1, 2}, {}}, [][]float64{{1, 2}, {1, 2}}},
		{"a round without spread", [][]float64{{1, 2}, {3, 3}}, [][]float64{{1, 2}, {1, 2}}},
		{"a round with one run", [][]float64{{1, 2}, {3}}, [][]float64{{1, 2}, {1, 2}}},
	} {
		if r, lo, hi := spreadRatio(tc.a, tc.b, 0.05); !math.IsNaN(r) || !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("%s: spreadRatio = %v [%v, %v], want NaN", tc.why, r, lo, hi)
		}
	}
}

// TestRunsFor: the runs that bring the mean's 95% interval to ±p, by the
// normal quantile; then, enough runs of the same spread do reach it.
func TestRunsFor(t *testing.T) {
	xs := []float64{90, 110, 90, 110, 90, 110, 90, 110} // mean 100, σ/μ ≈ 0.1069
	n := runsFor(xs, 0.01)
	cv := stat.StdDev(xs, nil) / stat.Mean(xs, nil)
	if want := math.Pow(1.959963984540054*cv/0.01, 2); math.Abs(n-want) > 1e-9 {
		t.Errorf("runsFor = %v, want %v", n, want)
	}
	var many []float64
	for len(many) < int(math.Ceil(n))+1 {
		many = append(many, 90, 110)
	}
	if h := relHalfWidth(many); h > 0.01 {
		t.Errorf("%d runs reach ±%.4f, not ±1%%", len(many), h)
	}
}

// TestDriftContrast: a drift that slows both strategies alike gives 1,
// whatever each round's own noise (which hits both trials of a round); one
// that slows b more gives that factor; the warm-ups are left out.
func TestDriftContrast(t *testing.T) {
	trials := func(bAfter float64) []results.Trial {
		ts := []results.Trial{{Strategy: 0, WallNS: 1, Warmup: true}, {Strategy: 1, WallNS: 1, Warmup: true}}
		noise := []float64{1, 2, 1.5, 1, 3, 1.2} // per round, on both
		for r, n := range noise {
			load, extra := 1.0, 1.0
			if r >= 3 {
				load, extra = 2, bAfter
			}
			// Round-robin: the first strategy alternates.
			a := results.Trial{Strategy: 0, Round: r + 1, WallNS: int64(1000 * n * load)}
			b := results.Trial{Strategy: 1, Round: r + 1, WallNS: int64(1000 * n * load * extra * (1 + 0.01*float64(r%2)))}
			if r%2 == 1 {
				a, b = b, a
			}
			ts = append(ts, a, b)
		}
		return ts
	}
	after := 2 + 2*3 // the warm-up round and three rounds
	ratio, lo, hi := driftContrast(trials(1), after)
	if math.Abs(ratio-1) > 0.02 || !(lo <= ratio && ratio <= hi) {
		t.Errorf("alike: %v [%v, %v], want about 1", ratio, lo, hi)
	}
	if ok, _, what := withinBand(lo, hi, 0.05, ""); !ok {
		t.Errorf("alike: %s", what)
	}
	ratio, lo, hi = driftContrast(trials(1.5), after)
	if math.Abs(ratio-1.5) > 0.03 {
		t.Errorf("b slowed 1.5× more: %v [%v, %v]", ratio, lo, hi)
	}
	if ok, _, what := withinBand(lo, hi, 0.05, ""); ok {
		t.Errorf("b slowed 1.5× more, judged %q", what)
	}
	if r, _, _ := driftContrast(trials(1), 2+2*6); !math.IsNaN(r) {
		t.Errorf("no round after the load: %v, want NaN", r)
	}
}
