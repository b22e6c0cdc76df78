package analysis

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// spreadOracle is run by /usr/bin/python3: for each case, SciPy's
// Brown–Forsythe test (scipy.stats.levene, center="median") and the
// one-sided pooled t-test of B's absolute deviations from its median
// against A's (scipy.stats.ttest_ind, alternative="greater").
const spreadOracle = `
import json, sys
import numpy as np
from scipy import stats

out = []
for case in json.load(sys.stdin):
    a, b = np.array(case["a"]), np.array(case["b"])
    lev = stats.levene(a, b, center="median")
    za, zb = np.abs(a - np.median(a)), np.abs(b - np.median(b))
    greater = stats.ttest_ind(zb, za, alternative="greater").pvalue
    out.append({"w": float(lev.statistic), "p": float(lev.pvalue), "greater": float(greater)})
json.dump(out, sys.stdout)
`

// TestCompareSpreadAgainstScipy checks CompareSpread against SciPy on the
// same data, run live: normal samples of equal and of unequal spread,
// skewed ones with outliers as benchmark times are, and small tied ones.
func TestCompareSpreadAgainstScipy(t *testing.T) {
	type tcase struct {
		A []float64 `json:"a"`
		B []float64 `json:"b"`
	}
	rng := rand.New(rand.NewPCG(17, 19))
	sample := func(n int, sd float64, skew bool) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 500 + sd*rng.NormFloat64()
			if skew && rng.IntN(10) == 0 {
				v[i] += 20 * sd * rng.ExpFloat64() // an outlier, always slow
			}
		}
		return v
	}
	cases := []tcase{
		{A: []float64{1, 2, 3}, B: []float64{1, 3, 5}},
		{A: []float64{4, 4, 5, 5}, B: []float64{3, 4, 6, 6, 7}},
	}
	for range 10 {
		cases = append(cases, tcase{A: sample(5+rng.IntN(50), 10, false), B: sample(5+rng.IntN(50), 10, false)})
		cases = append(cases, tcase{A: sample(30+rng.IntN(100), 10, true), B: sample(30+rng.IntN(100), 25, true)})
		cases = append(cases, tcase{A: sample(30+rng.IntN(100), 25, true), B: sample(30+rng.IntN(100), 10, false)})
	}
	type answer struct{ W, P, Greater float64 }
	want := runScipy[answer](t, spreadOracle, cases)
	approx := cmpopts.EquateApprox(1e-9, 1e-12)
	for i, tc := range cases {
		c, ok := CompareSpread(tc.A, tc.B)
		if !ok {
			t.Errorf("case %d: no comparison", i)
			continue
		}
		got := []float64{c.W, c.P, c.PGreater}
		if exp := []float64{want[i].W, want[i].P, want[i].Greater}; !cmp.Equal(got, exp, approx) {
			t.Errorf("case %d (%d and %d values): W, p, p(B spreads more) = %v, SciPy %v", i, len(tc.A), len(tc.B), got, exp)
		}
	}
}

// TestCompareSpreadRefuses: too few values, or no spread in either sample,
// give no comparison rather than a p-value of nothing.
func TestCompareSpreadRefuses(t *testing.T) {
	for _, tc := range []struct{ a, b []float64 }{
		{[]float64{1}, []float64{1, 2, 3}},
		{[]float64{1, 2, 3}, nil},
		{[]float64{5, 5, 5}, []float64{7, 7}},
	} {
		if c, ok := CompareSpread(tc.a, tc.b); ok {
			t.Errorf("CompareSpread(%v, %v) = %+v, want no comparison", tc.a, tc.b, c)
		}
	}
}
