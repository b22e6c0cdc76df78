package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMannWhitneyUCountsPairs checks U and Cliff's delta, now counted by
// binary search, against counting every pair, on samples with and without
// ties.
func TestMannWhitneyUCountsPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		why    string
		na, nb int
		levels int // distinct values: few levels make many ties
	}{
		{"no ties", 40, 57, 1 << 30},
		{"many ties", 60, 33, 5},
		{"all tied", 20, 20, 1},
		{"one against many", 1, 80, 7},
	}
	for _, tt := range tests {
		draw := func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(rng.IntN(tt.levels))
			}
			return v
		}
		a, b := draw(tt.na), draw(tt.nb)
		greater, less := 0, 0
		for _, x := range a {
			for _, y := range b {
				if y > x {
					greater++
				} else if y < x {
					less++
				}
			}
		}
		pairs := float64(tt.na * tt.nb)
		wantU := float64(greater) + (pairs-float64(greater+less))/2
		c, ok := Compare2(a, b)
		if !ok || c.U != wantU || c.CliffsDelta != float64(greater-less)/pairs {
			t.Errorf("%s: U = %v, δ = %v; counting pairs gives %v, %v", tt.why, c.U, c.CliffsDelta, wantU, float64(greater-less)/pairs)
		}
	}
}

// TestRatioIntervalNormalMatchesBootstrap checks the normal interval used
// above BootstrapMaxN trials against the bootstrap (the oracle) at a size
// both handle: their ends agree within a tenth of the interval's width.
func TestRatioIntervalNormalMatchesBootstrap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sample := func(n int, mean float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = mean * math.Exp(0.05*rng.NormFloat64()) // skewed, like times
		}
		return v
	}
	a, b := sample(BootstrapMaxN/2, 1.3e6), sample(BootstrapMaxN/2, 1e6)
	boot := RatioInterval(a, b)
	norm := normalRatioInterval(a, b)
	width := boot.Hi - boot.Lo
	if !boot.OK || !norm.OK || math.Abs(norm.Lo-boot.Lo) > width/10 || math.Abs(norm.Hi-boot.Hi) > width/10 {
		t.Errorf("normal interval [%.5f, %.5f], bootstrap [%.5f, %.5f]: differ by more than a tenth of the width", norm.Lo, norm.Hi, boot.Lo, boot.Hi)
	}
	big := RatioInterval(sample(BootstrapMaxN, 1.3e6), sample(BootstrapMaxN, 1e6))
	if !big.OK || big.Lo > 1.3 || big.Hi < 1.3 || big.Hi-big.Lo > 0.01 {
		t.Errorf("interval of %d trials each: %+v, want a narrow one around 1.3", BootstrapMaxN, big)
	}
}

// TestRatioIntervalOfConstants: samples without spread (one trial each)
// have every resample equal to themselves, so the interval is the point.
func TestRatioIntervalOfConstants(t *testing.T) {
	if got := RatioInterval([]float64{3, 3}, []float64{2}); !got.OK || got.Lo != 1.5 || got.Hi != 1.5 {
		t.Errorf("interval of constants 3/2: %+v, want [1.5, 1.5]", got)
	}
	if got := RatioInterval([]float64{3}, []float64{0}); got.OK {
		t.Errorf("interval over a zero mean: %+v, want none", got)
	}
}
