package analysis

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Significance tests.
//
// The verdict comes from the Mann-Whitney U test: it assumes nothing about
// the shape of the times (which are skewed and often bimodal on a shared
// machine) and is robust to an outlier, as benchstat chooses for the same
// reasons. Its p-value is exact when the two samples have no value in
// common, from the normal approximation with tie correction when they do.
// Welch's t-test, which assumes normal times, is given beside it.
//
// The effect size travels with the verdict: the ratio of medians and
// Cliff's δ, the probability that a run of B is slower than a run of A
// minus the reverse (−1 … 1; 0 is complete overlap).

// Alpha is the significance level of every verdict.
const Alpha = 0.05

// Comparison is the outcome of comparing sample B with sample A.
type Comparison struct {
	NA, NB int
	// P is the two-sided Mann-Whitney U p-value; U is B's U statistic,
	// the number of pairs (a, b) with b > a, ties counting ½.
	P, U float64
	// Exact is true when P is exact, false when it is the normal
	// approximation (ties, or samples over exactLimit).
	Exact bool
	// WelchP is the two-sided p-value of Welch's t-test; 1 when neither
	// sample varies and the means are equal, 0 when neither varies and
	// they differ.
	WelchP float64
	// MedianRatio is median(B) / median(A): above 1 when B is slower.
	MedianRatio float64
	// CliffsDelta is (#(b > a) − #(b < a)) / (NA·NB).
	CliffsDelta float64
	// Significant is P < Alpha.
	Significant bool
	// Warnings say why the verdict should be read with care, such as
	// samples too small to ever reach significance.
	Warnings []string
}

// exactLimit is the largest NA·NB for which the exact U distribution is
// computed; beyond it the normal approximation is accurate.
const exactLimit = 2500

// Compare2 compares sample b with sample a (times in any one unit). It is
// false when either sample is empty.
func Compare2(a, b []float64) (Comparison, bool) {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return Comparison{}, false
	}
	c := Comparison{NA: na, NB: nb}
	sa, sb := sorted(a), sorted(b)
	c.MedianRatio = quantile(sb, 0.5) / quantile(sa, 0.5)
	if !finite(c.MedianRatio) {
		c.MedianRatio = 0
	}

	// U by counting pairs, ties counting ½: for each x of a, the values of
	// b above and below it, by binary search in sorted b, so that an
	// imported run of a million trials is not a trillion comparisons.
	greater, less := 0, 0
	for _, x := range sa {
		below, _ := slices.BinarySearch(sb, x) // first index with sb[i] >= x
		notAbove, _ := slices.BinarySearchFunc(sb, x, func(e, t float64) int {
			if e <= t {
				return -1
			}
			return 1
		}) // first index with sb[i] > x
		greater += len(sb) - notAbove
		less += below
	}
	pairs := float64(na * nb)
	c.U = float64(greater) + (pairs-float64(greater+less))/2
	c.CliffsDelta = float64(greater-less) / pairs

	ties := tieCounts(append(slices.Clone(a), b...))
	if len(ties) == 0 && na*nb <= exactLimit {
		c.P, c.Exact = exactUPValue(na, nb, c.U), true
	} else {
		c.P = normalUPValue(na, nb, c.U, ties)
	}
	c.WelchP = welchP(a, b)
	c.Significant = c.P < Alpha

	if floor := smallestP(na, nb); floor >= Alpha {
		c.Warnings = append(c.Warnings, fmt.Sprintf(
			"%d and %d runs cannot show a difference at α = %g (the smallest possible p is %.3g); use at least 4 runs each",
			na, nb, Alpha, floor))
	}
	return c, true
}

// Verdict says in words what the comparison found: "B is slower",
// "B is faster" or "no significant difference".
func (c Comparison) Verdict() string {
	switch {
	case !c.Significant:
		return "no significant difference"
	case c.CliffsDelta > 0:
		return "slower"
	case c.CliffsDelta < 0:
		return "faster"
	}
	return "different distributions, same centre"
}

// String is the comparison as a reader sees it: "p=0.008 n=10+10".
func (c Comparison) String() string {
	return fmt.Sprintf("p=%s n=%d+%d", FormatP(c.P), c.NA, c.NB)
}

// FormatP formats a p-value with two significant digits, "<0.001" below.
func FormatP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.2g", p)
}

func sorted(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s
}

// tieCounts returns the size of every group of equal values in v (groups
// of one left out).
func tieCounts(v []float64) []int {
	s := sorted(v)
	var ties []int
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i > 1 {
			ties = append(ties, j-i)
		}
		i = j
	}
	return ties
}

// exactUPValue is the two-sided p-value of U for samples of na and nb
// without ties: twice the smaller tail of U's distribution under the null
// hypothesis, at most 1. The distribution is counted with the recurrence
// f(m, n, u) = f(m−1, n, u−n) + f(m, n−1, u) over arrangements.
// smallestP is the smallest two-sided p the exact U test can give for
// samples of na and nb: the two extreme orderings out of C(na+nb, na), in
// closed form (the exact table at U = 0 gives the same, at far more cost).
func smallestP(na, nb int) float64 {
	la, _ := math.Lgamma(float64(na + 1))
	lb, _ := math.Lgamma(float64(nb + 1))
	lab, _ := math.Lgamma(float64(na + nb + 1))
	return min(1, 2*math.Exp(la+lb-lab))
}

func exactUPValue(na, nb int, u float64) float64 {
	maxU := na * nb
	// f[n][u] for the current m, built up from m = 0.
	f := make([][]float64, nb+1)
	for n := range f {
		f[n] = make([]float64, maxU+1)
		f[n][0] = 1 // m = 0: one arrangement, U = 0
	}
	for m := 1; m <= na; m++ {
		g := make([][]float64, nb+1)
		for n := range g {
			g[n] = make([]float64, maxU+1)
			for k := 0; k <= m*n; k++ {
				if k-n >= 0 {
					g[n][k] += f[n][k-n]
				}
				if n > 0 {
					g[n][k] += g[n-1][k]
				}
			}
		}
		f = g
	}
	dist := f[nb]
	total := 0.0
	for _, v := range dist {
		total += v
	}
	lo, hi := 0.0, 0.0
	for k, v := range dist {
		if float64(k) <= u {
			lo += v
		}
		if float64(k) >= u {
			hi += v
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/total)
}

// normalUPValue is the two-sided p-value of U from the normal
// approximation with tie correction and continuity correction; 1 when
// the variance is 0 (every value tied).
func normalUPValue(na, nb int, u float64, ties []int) float64 {
	n := float64(na + nb)
	mean := float64(na*nb) / 2
	tieSum := 0.0
	for _, t := range ties {
		tf := float64(t)
		tieSum += tf*tf*tf - tf
	}
	variance := float64(na*nb) / 12 * ((n + 1) - tieSum/(n*(n-1)))
	if variance <= 0 {
		return 1
	}
	z := math.Max(0, math.Abs(u-mean)-0.5) / math.Sqrt(variance)
	return math.Min(1, 2*distuv.UnitNormal.Survival(z))
}

// welchP is the two-sided p-value of Welch's t-test. One value in a sample
// gives no variance: it is taken as 0.
func welchP(a, b []float64) float64 {
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	se2 := va/float64(len(a)) + vb/float64(len(b))
	if se2 == 0 {
		if ma == mb {
			return 1
		}
		return 0
	}
	t := (mb - ma) / math.Sqrt(se2)
	// Welch–Satterthwaite degrees of freedom; a one-value sample adds none.
	var den float64
	for _, x := range []struct {
		v float64
		n int
	}{{va, len(a)}, {vb, len(b)}} {
		if x.n > 1 {
			q := x.v / float64(x.n)
			den += q * q / float64(x.n-1)
		}
	}
	df := se2 * se2 / den
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
}

func meanVar(v []float64) (mean, variance float64) {
	if len(v) < 2 {
		return v[0], 0
	}
	return stat.MeanVariance(v, nil)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
