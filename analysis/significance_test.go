package analysis

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aclements/go-moremath/stats"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/perf/benchmath"
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
			want: Comparison{NA: 3, NB: 3, U: 9, P: 0.1, AdjustedP: 0.1, Family: 1, Exact: true, MedianRatio: 5.0 / 2, CliffsDelta: 1,
				// Welch: means 2 and 5, variances 1, se² = 2/3, t = 3.674235,
				// df = (2/3)²/(2·(1/3)²/2) = 4; scipy ttest_ind(equal_var=False)
				// gives 0.021311641.
				WelchP: 0.021311641, HasWelch: true,
				Warnings: []string{"3 and 3 runs cannot show a difference at α = 0.05 (the smallest possible p is 0.1); use at least 4 runs each"}},
		},
		{
			why: "issue #10: 3 runs of 12.0 ms against 3 of 12.5 ms, every run tied within its sample; only 1 of the C(6,3) = 20 splits puts all three 12.5s in B, so p = 2/20 = 0.1 exactly (the normal approximation said 0.047)",
			a:   []float64{12.0e6, 12.0e6, 12.0e6}, b: []float64{12.5e6, 12.5e6, 12.5e6},
			want: Comparison{NA: 3, NB: 3, U: 9, P: 0.1, AdjustedP: 0.1, Family: 1, Exact: true, MedianRatio: 12.5 / 12, CliffsDelta: 1,
				// Neither sample varies and the means differ: Welch's p is 0.
				WelchP: 0, HasWelch: true,
				Warnings: []string{"3 and 3 runs cannot show a difference at α = 0.05 (the smallest possible p is 0.1); use at least 4 runs each"}},
		},
		{
			why: "complete separation at 4+4: p = 2/C(8,4) = 2/70; significant, B slower",
			a:   []float64{1, 2, 3, 4}, b: []float64{5, 6, 7, 8},
			// Welch: t = 4/√(5/6) = 4.381780, df = 6; scipy: 0.0046592.
			want: Comparison{NA: 4, NB: 4, U: 16, P: 2.0 / 70, AdjustedP: 2.0 / 70, Family: 1, Exact: true, MedianRatio: 6.5 / 2.5, CliffsDelta: 1,
				WelchP: 0.0046592, HasWelch: true, Significant: true},
		},
		{
			why: "interleaved samples: U = 10 of 16; the U distribution of 4+4 has 24 of its 70 arrangements at U ≥ 10, p = 48/70",
			a:   []float64{1, 3, 5, 7}, b: []float64{2, 4, 6, 8},
			// Welch: means 4 and 5, variances 20/3, t = 1/√(10/3) = 0.547723, df 6.
			want: Comparison{NA: 4, NB: 4, U: 10, P: 48.0 / 70, AdjustedP: 48.0 / 70, Family: 1, Exact: true, MedianRatio: 5.0 / 4, CliffsDelta: 4.0 / 16,
				WelchP: 0.60364, HasWelch: true},
		},
		{
			why: "ties across the samples, still exact: U = 11 + 4/2 = 13; the pooled values 1 2 2 2 3 3 3 4 make groups 1,3,3,1, and 10 of the 70 splits give U ≤ 3 (enumerated), p = 20/70 (the normal approximation said 0.172)",
			a:   []float64{1, 2, 2, 3}, b: []float64{2, 3, 3, 4},
			// Welch: means 2 and 3, variances 2/3, t = 1/√(1/3) = 1.732051, df 6.
			want: Comparison{NA: 4, NB: 4, U: 13, P: 20.0 / 70, AdjustedP: 20.0 / 70, Family: 1, Exact: true, MedianRatio: 3.0 / 2, CliffsDelta: 10.0 / 16,
				WelchP: 0.13397, HasWelch: true},
		},
		{
			why: "identical samples with zero variance: every value tied, p = 1, and Welch's p 1 too",
			a:   []float64{5, 5, 5, 5, 5}, b: []float64{5, 5, 5, 5, 5},
			want: Comparison{NA: 5, NB: 5, U: 12.5, P: 1, AdjustedP: 1, Family: 1, Exact: true, MedianRatio: 1, WelchP: 1, HasWelch: true},
		},
		{
			why: "one run against one: p = 1 exactly (both orders equally likely), no Welch test, and a warning",
			a:   []float64{1}, b: []float64{2},
			want: Comparison{NA: 1, NB: 1, U: 1, P: 1, AdjustedP: 1, Family: 1, Exact: true, MedianRatio: 2, CliffsDelta: 1,
				Warnings: []string{"1 and 1 runs cannot show a difference at α = 0.05 (the smallest possible p is 1); use at least 4 runs each"}},
		},
		{
			why: "issue #10: one run against five: Welch's test has no variance for the one and gives no p (it said 0.005); Mann-Whitney's p is 2/6",
			a:   []float64{10}, b: []float64{11, 12, 13, 14, 15},
			want: Comparison{NA: 1, NB: 5, U: 5, P: 2.0 / 6, AdjustedP: 2.0 / 6, Family: 1, Exact: true, MedianRatio: 1.3, CliffsDelta: 1,
				Warnings: []string{"1 and 5 runs cannot show a difference at α = 0.05 (the smallest possible p is 0.33); use at least 4 runs each"}},
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

// Above ExactLimit runs the normal approximation is used, and said so.
func TestCompare2Approximation(t *testing.T) {
	a, b := make([]float64, ExactLimit+1), make([]float64, ExactLimit+1)
	for i := range a {
		a[i], b[i] = float64(i), float64(i)+10
	}
	c, _ := Compare2(a, b)
	if c.Exact || c.Method() != "normal approximation" {
		t.Errorf("%d+%d runs: Exact = %v, Method %q; want the normal approximation", len(a), len(b), c.Exact, c.Method())
	}
	c, _ = Compare2(a[:ExactLimit], b[:ExactLimit])
	if !c.Exact || c.Method() != "exact" {
		t.Errorf("%d+%d runs: Exact = %v, Method %q; want exact", ExactLimit, ExactLimit, c.Exact, c.Method())
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
	if got := (Comparison{P: 0.0004, NA: 10, NB: 9, Family: 1}).String(); got != "p=<0.001 n=10+9" {
		t.Errorf("String = %q", got)
	}
	if got := (Comparison{P: 0.012, AdjustedP: 0.036, NA: 10, NB: 9, Family: 3}).String(); got != "p=0.012 (Holm 0.036 of 3) n=10+9" {
		t.Errorf("String = %q", got)
	}
}

// TestExactUDistribution checks the counting against the tabulated
// distribution of U for 4+4 without ties: 1 1 2 3 5 5 7 7 8 7 7 5 5 3 2 1 1
// (of 70).
func TestExactUDistribution(t *testing.T) {
	counts := []float64{1, 1, 2, 3, 5, 5, 7, 7, 8, 7, 7, 5, 5, 3, 2, 1, 1}
	ones := []int{1, 1, 1, 1, 1, 1, 1, 1}
	dist := uDist(4, 4, ones, 16)
	for u, want := range counts {
		// Without ties U is whole: the half steps have no mass.
		if got := dist[2*u]; !cmp.Equal(got, want/70, cmpopts.EquateApprox(1e-12, 0)) {
			t.Errorf("P(U = %d) = %v, want %v", u, got, want/70)
		}
		if u < 16 && dist[2*u+1] != 0 {
			t.Errorf("P(U = %d.5) = %v, want 0", u, dist[2*u+1])
		}
	}
}

// The closed form agrees with the exact count at U = 0 that it replaces.
func TestSmallestP(t *testing.T) {
	for _, n := range [][2]int{{1, 1}, {2, 3}, {3, 3}, {4, 4}, {5, 7}, {10, 10}} {
		ones := slices.Repeat([]int{1}, n[0]+n[1])
		want := exactUPValue(n[0], n[1], 0, ones)
		if got := smallestP(n[0], n[1]); math.Abs(got-want) > 1e-12*max(1, want) {
			t.Errorf("smallestP(%d, %d) = %g, exact count %g", n[0], n[1], got, want)
		}
	}
	// At 3 and 3 runs: 2/C(6,3) = 2/20 = 0.1, above α.
	if got := smallestP(3, 3); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("smallestP(3, 3) = %g, want 0.1", got)
	}
}

// enumeratedP is the oracle for the exact test: it tries every split of
// the pooled values into na and nb runs, computes B's U of each from
// midranks (U = B's rank sum − nb(nb+1)/2, tied values sharing the mean
// of their ranks), and returns twice the smaller tail at the observed U,
// at most 1. It shares no code with uDist.
func enumeratedP(a, b []float64) float64 {
	pooled := append(slices.Clone(a), b...)
	n, nb := len(pooled), len(b)
	rank := make([]float64, n)
	for i, x := range pooled {
		below, equal := 0, 0
		for _, y := range pooled {
			switch {
			case y < x:
				below++
			case y == x:
				equal++
			}
		}
		rank[i] = float64(below) + float64(equal+1)/2
	}
	offset := float64(nb*(nb+1)) / 2
	observed := -offset
	for i := len(a); i < n; i++ {
		observed += rank[i]
	}
	var le, ge, total float64
	// Every nb-subset of the n positions, by recursion.
	var walk func(pos, left int, sum float64)
	walk = func(pos, left int, sum float64) {
		if left == 0 {
			u := sum - offset
			total++
			if u <= observed+1e-9 {
				le++
			}
			if u >= observed-1e-9 {
				ge++
			}
			return
		}
		for i := pos; i <= n-left; i++ {
			walk(i+1, left-1, sum+rank[i])
		}
	}
	walk(0, nb, 0)
	return math.Min(1, 2*math.Min(le, ge)/total)
}

// tiedSample draws n values from a few levels, so that ties are common.
func tiedSample(rng *rand.Rand, n, levels int, shift float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(rng.IntN(levels)) + shift
	}
	return v
}

// TestExactAgainstEnumeration is issue #10's check: on 4,000 random small
// tied samples the exact p equals the enumerated one, and so "significant"
// is never called where the exact p does not reach α. It also counts the
// calls the normal approximation got wrong, which the old code made.
func TestExactAgainstEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 2026))
	const samples = 4000
	wrongBefore := 0
	for i := range samples {
		na, nb := 1+rng.IntN(6), 1+rng.IntN(6)
		levels := 2 + rng.IntN(4)
		a := tiedSample(rng, na, levels, 0)
		b := tiedSample(rng, nb, levels, float64(rng.IntN(2)))
		want := enumeratedP(a, b)
		c, _ := Compare2(a, b)
		if !c.Exact || math.Abs(c.P-want) > 1e-9 {
			t.Fatalf("sample %d: a = %v, b = %v: p = %v (exact %v), enumeration gives %v", i, a, b, c.P, c.Exact, want)
		}
		if c.Significant != (want < Alpha) {
			t.Fatalf("sample %d: a = %v, b = %v: significant = %v at p = %v", i, a, b, c.Significant, want)
		}
		if normalUPValue(na, nb, c.U, groupSizes(append(slices.Clone(a), b...))) < Alpha && want >= Alpha {
			wrongBefore++
		}
	}
	t.Logf("%d random tied samples (1–6 runs each): the exact p matched enumeration in all; the normal approximation would have called %d of them significant wrongly", samples, wrongBefore)
}

// TestAgainstBenchmath compares the p-values with benchstat's
// (golang.org/x/perf/benchmath, go-moremath's U test) where both define
// them alike: samples without ties (exact up to 50 runs, normal
// approximation beyond) and tied samples beyond 50 runs (normal
// approximation with tie correction). With ties benchstat doubles one tail
// of the first sample's U distribution, which is not the two-sided p when
// the tie groups are not symmetric (it can exceed 1), so for small tied
// samples the distribution itself is compared with go-moremath's instead
// (TestUDistAgainstMoremath), and the p-values with enumeration and SciPy.
func TestAgainstBenchmath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 19))
	check := func(a, b []float64) {
		t.Helper()
		c, _ := Compare2(a, b)
		bm := benchmath.AssumeNothing.Compare(
			benchmath.NewSample(slices.Clone(a), &benchmath.DefaultThresholds),
			benchmath.NewSample(slices.Clone(b), &benchmath.DefaultThresholds))
		if !cmp.Equal(c.P, bm.P, cmpopts.EquateApprox(1e-9, 1e-12)) {
			t.Errorf("%d+%d runs (%s): p = %.12g, benchmath %.12g\na = %v\nb = %v", len(a), len(b), c.Method(), c.P, bm.P, a, b)
		}
	}
	normal := func(n int, shift float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64() + shift
		}
		return v
	}
	for range 40 {
		// No ties: both exact up to 50 runs; beyond, both approximate.
		na, nb := 1+rng.IntN(70), 1+rng.IntN(70)
		if (na > ExactLimit) != (nb > ExactLimit) {
			continue
		}
		check(normal(na, 0), normal(nb, 0.5))
	}
	// Complete separation at 50 + 50, the costliest exact case.
	check(normal(50, 0), normal(50, 100))
	for range 20 {
		// Ties beyond 50: both approximate.
		na, nb := 51+rng.IntN(40), 51+rng.IntN(40)
		check(tiedSample(rng, na, 8, 0), tiedSample(rng, nb, 8, float64(rng.IntN(2))))
	}
}

// TestUDistAgainstMoremath compares the tie-aware distribution of U with
// go-moremath's (Klotz's algorithm, which benchstat uses) on random tie
// patterns of up to 25 runs a side.
func TestUDistAgainstMoremath(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	for range 100 {
		na, nb := 1+rng.IntN(25), 1+rng.IntN(25)
		pooled := append(tiedSample(rng, na, 2+rng.IntN(10), 0), tiedSample(rng, nb, 6, 0)...)
		groups := groupSizes(pooled)
		if len(groups) == 1 {
			continue // moremath refuses a single group
		}
		// Up to a random point of the distribution (moremath's CDF is for
		// its first sample, here B).
		limit := float64(rng.IntN(na*nb+1)) / 2
		dist := uDist(na, nb, groups, limit)
		sum := 0.0
		for _, v := range dist {
			sum += v
		}
		want := stats.UDist{N1: nb, N2: na, T: groups}.CDF(limit)
		if !cmp.Equal(sum, want, cmpopts.EquateApprox(1e-9, 1e-12)) {
			t.Errorf("%d+%d runs, ties %v: P(U ≤ %g) = %.12g, go-moremath %.12g", na, nb, groups, limit, sum, want)
		}
	}
}

// runScipy runs script with /usr/bin/python3 (SciPy: Debian's
// python3-scipy), cases in JSON on its standard input, and returns its
// answers, a JSON list on its standard output, one per case.
func runScipy[A, C any](t *testing.T, script string, cases []C) []A {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	py := exec.Command("/usr/bin/python3", "-c", script)
	py.Stdin = bytes.NewReader(in)
	b, err := py.Output()
	if err != nil {
		t.Fatalf("running the SciPy oracle (needs /usr/bin/python3 and python3-scipy): %v", err)
	}
	var out []A
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("SciPy oracle output %q: %v", b, err)
	}
	if len(out) != len(cases) {
		t.Fatalf("SciPy answered %d cases of %d", len(out), len(cases))
	}
	return out
}

// scipyOracle is run by /usr/bin/python3: for each case it prints Welch's
// p (scipy.stats.ttest_ind, equal_var=False), and Mann-Whitney's p from
// scipy.stats.mannwhitneyu ("asymptotic", with continuity correction,
// for large samples; "exact" for small ones without ties) or, for small
// samples with ties, which mannwhitneyu cannot do exactly in this scipy,
// from scipy.stats.permutation_test over every split with B's U as the
// statistic.
const scipyOracle = `
import json, sys
import numpy as np
from scipy import stats

def u_of_b(a, b, axis):
    return (np.sign(np.expand_dims(b, -1) - np.expand_dims(a, -2)) + 1).sum(axis=(-1, -2)) / 2

out = []
for case in json.load(sys.stdin):
    a, b = np.array(case["a"]), np.array(case["b"])
    welch = None
    if len(a) >= 2 and len(b) >= 2 and (a.var() > 0 or b.var() > 0):
        welch = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
    kind = case["kind"]
    if kind == "asymptotic":
        mw = stats.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic", use_continuity=True).pvalue
    elif kind == "exact":
        mw = stats.mannwhitneyu(b, a, alternative="two-sided", method="exact").pvalue
    else:
        def stat(x, y, axis=-1):
            return u_of_b(np.asarray(x), np.asarray(y), axis)
        mw = stats.permutation_test((a, b), lambda x, y: ((np.sign(y[:, None] - x[None, :]) + 1).sum() / 2),
                                    permutation_type="independent", n_resamples=np.inf,
                                    alternative="two-sided").pvalue
    out.append({"welch": welch, "mw": float(mw)})
json.dump(out, sys.stdout)
`

// TestAgainstScipy compares both tests with SciPy's on the same data,
// run live so that the oracle cannot drift from a stored copy. It needs
// /usr/bin/python3 with SciPy (Debian: python3-scipy).
func TestAgainstScipy(t *testing.T) {
	type tcase struct {
		A    []float64 `json:"a"`
		B    []float64 `json:"b"`
		Kind string    `json:"kind"`
	}
	rng := rand.New(rand.NewPCG(3, 5))
	cases := []tcase{
		{A: []float64{12.0, 12.0, 12.0}, B: []float64{12.5, 12.5, 12.5}, Kind: "permutation"},
		{A: []float64{1, 2, 2, 3}, B: []float64{2, 3, 3, 4}, Kind: "permutation"},
		{A: []float64{1, 2, 3}, B: []float64{4, 5, 6}, Kind: "exact"},
	}
	for range 30 {
		na, nb := 2+rng.IntN(6), 2+rng.IntN(6)
		cases = append(cases, tcase{A: tiedSample(rng, na, 4, 0), B: tiedSample(rng, nb, 4, float64(rng.IntN(2))), Kind: "permutation"})
	}
	normal := func(n int, shift float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 100 + 5*rng.NormFloat64() + shift
		}
		return v
	}
	for range 20 {
		cases = append(cases, tcase{A: normal(2+rng.IntN(15), 0), B: normal(2+rng.IntN(15), 4), Kind: "exact"})
	}
	for range 10 {
		a, b := tiedSample(rng, 60+rng.IntN(50), 10, 0), tiedSample(rng, 60+rng.IntN(50), 10, 1)
		cases = append(cases, tcase{A: a, B: b, Kind: "asymptotic"})
	}
	type answer struct {
		Welch *float64 `json:"welch"`
		MW    float64  `json:"mw"`
	}
	want := runScipy[answer](t, scipyOracle, cases)
	approx := cmpopts.EquateApprox(1e-7, 1e-12)
	for i, tc := range cases {
		c, _ := Compare2(tc.A, tc.B)
		if wantExact := tc.Kind != "asymptotic"; c.Exact != wantExact {
			t.Errorf("case %d (%s): Exact = %v", i, tc.Kind, c.Exact)
		}
		if !cmp.Equal(c.P, want[i].MW, approx) {
			t.Errorf("case %d (%s, %d+%d runs): Mann-Whitney p = %.10g, SciPy %.10g\na = %v\nb = %v", i, tc.Kind, c.NA, c.NB, c.P, want[i].MW, tc.A, tc.B)
		}
		if w := want[i].Welch; w != nil {
			if !c.HasWelch || !cmp.Equal(c.WelchP, *w, approx) {
				t.Errorf("case %d: Welch p = %.10g (has %v), SciPy %.10g", i, c.WelchP, c.HasWelch, *w)
			}
		}
		if i == 0 {
			t.Logf("issue #10's 3×12.0 vs 3×12.5: p = %v (%s); SciPy's exact permutation test: %v", c.P, c.Method(), want[i].MW)
		}
	}
}

func TestHolm(t *testing.T) {
	// m = 4, ascending 0.005, 0.01, 0.03, 0.04: ×4 = 0.02, ×3 = 0.03,
	// ×2 = 0.06, ×1 = 0.04 raised to the running maximum 0.06.
	got := HolmAdjust([]float64{0.01, 0.04, 0.03, 0.005})
	want := []float64{0.03, 0.06, 0.06, 0.02}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("HolmAdjust (-want +got):\n%s", diff)
	}
	// Capped at 1, and a single test is unchanged.
	if got := HolmAdjust([]float64{0.6, 0.7}); !cmp.Equal(got, []float64{1, 1}) {
		t.Errorf("HolmAdjust(0.6, 0.7) = %v, want [1 1]", got)
	}
	if got := HolmAdjust([]float64{0.03}); !cmp.Equal(got, []float64{0.03}) {
		t.Errorf("HolmAdjust(0.03) = %v", got)
	}
	// Nine tests at p = 0.02 each: each alone is significant, the table is not.
	cs := make([]Comparison, 9)
	for i := range cs {
		cs[i] = Comparison{P: 0.02, AdjustedP: 0.02, Family: 1, Significant: true, CliffsDelta: 1}
	}
	Holm(cs)
	for _, c := range cs {
		if c.Significant || c.Family != 9 || math.Abs(c.AdjustedP-0.18) > 1e-12 || c.Verdict() != "no significant difference" {
			t.Fatalf("after Holm over 9 tests at 0.02: %+v, verdict %q", c, c.Verdict())
		}
	}
}

// TestHolmSmallSamples: three tests of 4 runs against 4, each completely
// separated, have p = 2/C(8,4) = 2/70 ≈ 0.029 alone, but 3 × 0.029 ≈ 0.086
// after Holm: no verdict of the table can be "slower" with 4 runs a side,
// and each test says so rather than report a bare "no significant
// difference". With 10 runs a side (p = 2/C(20,10) ≈ 1.1e-5) the table
// can, and nothing is said.
func TestHolmSmallSamples(t *testing.T) {
	table := func(n int) []Comparison {
		a, b := make([]float64, n), make([]float64, n)
		for i := range n {
			a[i], b[i] = float64(10+i), float64(100+i)
		}
		var cs []Comparison
		for range 3 {
			c, _ := Compare2(a, b)
			cs = append(cs, c)
		}
		Holm(cs)
		return cs
	}
	for _, c := range table(4) {
		if c.Significant || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "corrected for the 3 tests of its table (Holm), no test can show a difference") ||
			!strings.Contains(c.Warnings[0], "smallest adjusted p possible is 0.086") {
			t.Errorf("4 vs 4 runs in a table of 3: significant %v, warnings %q", c.Significant, c.Warnings)
		}
	}
	for _, c := range table(10) {
		if !c.Significant || len(c.Warnings) != 0 {
			t.Errorf("10 vs 10 runs in a table of 3: significant %v, warnings %q", c.Significant, c.Warnings)
		}
	}
}

func TestFormatP(t *testing.T) {
	for _, tt := range []struct {
		p    float64
		want string
		why  string
	}{
		{0.0004, "<0.001", "below 0.001"},
		{0.001, "0.001", "at 0.001"},
		{0.0123, "0.012", "two significant digits"},
		{0.0496, "0.0496", "just below α: 0.05 would read as not significant"},
		{0.04996, "0.04996", "closer below α: as many digits as it takes"},
		{0.0499999, "0.0499999", "closer still"},
		{0.05, "0.05", "α itself is not significant and prints as α"},
		{0.0503, "0.05", "just above α may round to α: both read as not significant"},
		{0.051, "0.051", "above α"},
		{0.1, "0.1", "the 3+3 floor"},
		{0.45, "0.45", "large"},
		{1, "1", "one"},
	} {
		got := FormatP(tt.p)
		if got != tt.want {
			t.Errorf("%s: FormatP(%v) = %q, want %q", tt.why, tt.p, got, tt.want)
		}
	}
	// Over a fine grid around α, the printed number is on the same side of
	// α as p, so the verdict and the number never disagree.
	for p := 0.0490; p < 0.0510; p += 1e-7 {
		s := FormatP(p)
		v, err := strconvParse(s)
		if err != nil {
			t.Fatalf("FormatP(%v) = %q: %v", p, s, err)
		}
		if (v < Alpha) != (p < Alpha) {
			t.Fatalf("FormatP(%v) = %q: on the other side of α = %g", p, s, Alpha)
		}
	}
}

func strconvParse(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
