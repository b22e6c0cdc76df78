package analysis

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCompare2(t *testing.T) {
	tests := []struct {
		why  string
		a, b []float64
		want Comparison
	}{
		{
			why: "complete separation at 3+3 is the best p possible there, 2/C(6,3) = 0.1: not significant, with a warning",
			a:   []float64{1, 2, 3}, b: []float64{4, 5, 6},
			want: Comparison{NA: 3, NB: 3, U: 9, P: 0.1, Exact: true, MedianRatio: 5.0 / 2, CliffsDelta: 1,
				// Welch: means 2 and 5, variances 1, se² = 2/3, t = 3.674235,
				// df = 4; p by integrating the t density numerically (Python):
				// df = (2/3)²/(2·(1/3)²/2) = 4.
				WelchP:   0.021311641,
				Warnings: []string{"3 and 3 runs cannot show a difference at α = 0.05 (the smallest possible p is 0.1); use at least 4 runs each"}},
		},
		{
			why: "complete separation at 4+4: p = 2/C(8,4) = 2/70; significant, B slower",
			a:   []float64{1, 2, 3, 4}, b: []float64{5, 6, 7, 8},
			// Welch: t = 4/√(5/6) = 4.381780, df = 6; p from the t CDF
			// integrated numerically: 0.0046592.
			want: Comparison{NA: 4, NB: 4, U: 16, P: 2.0 / 70, Exact: true, MedianRatio: 6.5 / 2.5, CliffsDelta: 1,
				WelchP: 0.0046592, Significant: true},
		},
		{
			why: "interleaved samples: U = 10 of 16; the U distribution of 4+4 has 24 of its 70 arrangements at U ≥ 10, p = 48/70",
			a:   []float64{1, 3, 5, 7}, b: []float64{2, 4, 6, 8},
			// Welch: means 4 and 5, variances 20/3, t = 1/√(10/3) = 0.547723, df 6;
			// every Welch p here was checked by integrating the t density numerically.
			want: Comparison{NA: 4, NB: 4, U: 10, P: 48.0 / 70, Exact: true, MedianRatio: 5.0 / 4, CliffsDelta: 4.0 / 16,
				WelchP: 0.60364},
		},
		{
			why: "ties: normal approximation with tie correction; U = 11 + 4/2 = 13, σ² = 16/12·(9 − 48/56), z = (5 − 0.5)/3.295018 = 1.365698",
			a:   []float64{1, 2, 2, 3}, b: []float64{2, 3, 3, 4},
			// Welch: means 2 and 3, variances 2/3, t = 1/√(1/3) = 1.732051, df 6.
			want: Comparison{NA: 4, NB: 4, U: 13, P: 0.172033709, MedianRatio: 3.0 / 2, CliffsDelta: 10.0 / 16,
				WelchP: 0.13397},
		},
		{
			why: "identical samples with zero variance: every value tied, p = 1, and Welch's p 1 too",
			a:   []float64{5, 5, 5, 5, 5}, b: []float64{5, 5, 5, 5, 5},
			want: Comparison{NA: 5, NB: 5, U: 12.5, P: 1, MedianRatio: 1, WelchP: 1},
		},
		{
			why: "one run against one: p = 1 exactly (both orders equally likely), and a warning",
			a:   []float64{1}, b: []float64{2},
			want: Comparison{NA: 1, NB: 1, U: 1, P: 1, Exact: true, MedianRatio: 2, CliffsDelta: 1, WelchP: 0,
				Warnings: []string{"1 and 1 runs cannot show a difference at α = 0.05 (the smallest possible p is 1); use at least 4 runs each"}},
		},
	}
	opt := cmpopts.EquateApprox(1e-4, 1e-9)
	for _, tt := range tests {
		got, ok := Compare2(tt.a, tt.b)
		if !ok {
			t.Errorf("%s: not ok", tt.why)
			continue
		}
		if diff := cmp.Diff(tt.want, got, opt); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
	if _, ok := Compare2(nil, []float64{1}); ok {
		t.Error("a strategy that always failed (no runs) was compared")
	}
}

func TestVerdict(t *testing.T) {
	for _, tt := range []struct {
		c    Comparison
		want string
	}{
		{Comparison{Significant: true, CliffsDelta: 1}, "slower"},
		{Comparison{Significant: true, CliffsDelta: -0.5}, "faster"},
		{Comparison{Significant: false, CliffsDelta: 1}, "no significant difference"},
	} {
		if got := tt.c.Verdict(); got != tt.want {
			t.Errorf("%+v: verdict %q, want %q", tt.c, got, tt.want)
		}
	}
	if got := (Comparison{P: 0.0004, NA: 10, NB: 9}).String(); got != "p=<0.001 n=10+9" {
		t.Errorf("String = %q", got)
	}
}

// TestExactUDistribution checks the recurrence against the tabulated
// distribution of U for 4+4: 1 1 2 3 5 5 7 7 8 7 7 5 5 3 2 1 1 (of 70).
func TestExactUDistribution(t *testing.T) {
	counts := []float64{1, 1, 2, 3, 5, 5, 7, 7, 8, 7, 7, 5, 5, 3, 2, 1, 1}
	lower := 0.0
	for u := 0; u <= 8; u++ {
		lower += counts[u]
		want := 2 * lower / 70
		if want > 1 {
			want = 1
		}
		if got := exactUPValue(4, 4, float64(u)); !cmp.Equal(got, want, cmpopts.EquateApprox(1e-12, 0)) {
			t.Errorf("U = %d: p = %v, want %v", u, got, want)
		}
	}
}

// The closed form agrees with the exact table at U = 0 that it replaces.
func TestSmallestP(t *testing.T) {
	for _, n := range [][2]int{{1, 1}, {2, 3}, {3, 3}, {4, 4}, {5, 7}, {10, 10}} {
		want := exactUPValue(n[0], n[1], 0)
		if got := smallestP(n[0], n[1]); math.Abs(got-want) > 1e-12*max(1, want) {
			t.Errorf("smallestP(%d, %d) = %g, exact table %g", n[0], n[1], got, want)
		}
	}
	// At 3 and 3 runs: 2/C(6,3) = 2/20 = 0.1, above α.
	if got := smallestP(3, 3); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("smallestP(3, 3) = %g, want 0.1", got)
	}
}
