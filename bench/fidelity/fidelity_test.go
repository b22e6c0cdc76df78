package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"benchlab/results"
)

// TestPrimedTrials: the harness primes a trial whose strategy's previous
// trial, warm-ups included, took less than the threshold; never the
// strategy's first trial.
func TestPrimedTrials(t *testing.T) {
	trials := []results.Trial{
		{Strategy: 0, WallNS: 10, Warmup: true}, // first: never primed
		{Strategy: 1, WallNS: 500},
		{Strategy: 0, WallNS: 10}, // after a short warm-up: primed
		{Strategy: 1, WallNS: 20}, // after a long trial: not
		{Strategy: 0, WallNS: 200}, // after a short one: primed
		{Strategy: 1, WallNS: 20}, // after a short one: primed
		{Strategy: 0, WallNS: 10}, // after a long one: not
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
}

// TestPerRound: the ratio is the geometric mean of the rounds' ratios,
// and its interval contains it; rounds that agree give a point.
func TestPerRound(t *testing.T) {
	a := [][]float64{{2, 2}, {8, 8}, {4, 4}}
	b := [][]float64{{1, 1}, {2, 2}, {1, 1}}
	ratio, lo, hi := roundsRatio(a, b) // 2, 4, 4: geometric mean 32^(1/3)
	if want := 3.1748021039363987; ratio < want-1e-12 || ratio > want+1e-12 || !(lo < ratio && ratio < hi) {
		t.Errorf("roundsRatio = %v [%v, %v], want %v inside its interval", ratio, lo, hi, want)
	}
	// Each round's spread of logs is the same multiple: the interval is
	// that point.
	c := [][]float64{{1, 4}, {2, 8}, {1, 4}}
	d := [][]float64{{1, 2}, {3, 6}, {5, 10}}
	ratio, lo, hi = spreadRatio(c, d)
	for _, x := range []float64{ratio, lo, hi} {
		if x < 2-1e-12 || x > 2+1e-12 {
			t.Errorf("spreadRatio = %v [%v, %v], want 2 [2, 2]", ratio, lo, hi)
		}
	}
}
