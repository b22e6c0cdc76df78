package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Significance tests.
//
// The verdict comes from the Mann-Whitney U test: it assumes nothing about
// the shape of the times (which are skewed and often bimodal on a shared
// machine) and is robust to an outlier, as benchstat chooses for the same
// reasons. Its p-value is exact for samples of up to ExactLimit runs each,
// ties or not: the null distribution of U is counted over every way of
// splitting the pooled runs, tied runs kept tied (uDist). Beyond that the
// normal approximation with tie and continuity corrections is used, and the
// Comparison says which (Method). Welch's t-test, which assumes normal
// times, is given beside it when both samples have two runs or more.
//
// A table of tests is corrected for multiple comparisons with
// Holm–Bonferroni (Holm): the adjusted p-values decide the verdicts, so a
// table of nine tests does not call one in twenty differences real by
// chance.
//
// The effect size travels with the verdict: the ratio of medians and
// Cliff's δ, the probability that a run of B is slower than a run of A
// minus the reverse (−1 … 1; 0 is complete overlap).

// Alpha is the significance level of every verdict (of a table of tests as
// a whole, after Holm's correction).
const Alpha = 0.05

// ExactLimit is the largest number of runs per sample for which the
// Mann-Whitney p-value is exact. benchstat (go-moremath) stops at 50 runs
// without ties and 25 with them, for the cost of its tie algorithm; the
// counting in uDist costs the same with ties as without, so one limit
// serves both, and a tie never switches a small sample to the
// approximation. At 50 + 50 runs the normal approximation is within 0.001
// of the exact p.
const ExactLimit = 50

// Comparison is the outcome of comparing sample B with sample A.
type Comparison struct {
	NA, NB int
	// P is the two-sided Mann-Whitney U p-value of this test alone; U is
	// B's U statistic, the number of pairs (a, b) with b > a, ties
	// counting ½.
	P, U float64
	// Exact is true when P is exact (both samples at most ExactLimit
	// runs), false when it is the normal approximation; Method says so in
	// words.
	Exact bool
	// AdjustedP is P corrected for the other tests of its table (Holm),
	// and Family the number of tests in that table; AdjustedP is P and
	// Family 1 for a comparison made alone. The verdict is AdjustedP's.
	AdjustedP float64
	Family    int
	// WelchP is the two-sided p-value of Welch's t-test; HasWelch is false
	// (and WelchP 0) when either sample has fewer than two runs, which
	// give no variance to test with. WelchP is 1 when neither sample
	// varies and the means are equal, 0 when neither varies and they
	// differ.
	WelchP   float64
	HasWelch bool
	// MedianRatio is median(B) / median(A): above 1 when B is slower.
	MedianRatio float64
	// CliffsDelta is (#(b > a) − #(b < a)) / (NA·NB).
	CliffsDelta float64
	// Significant is AdjustedP < Alpha.
	Significant bool
	// Warnings say why the verdict should be read with care, such as
	// samples too small to ever reach significance.
	Warnings []string
}

// Compare2 compares sample b with sample a (times in any one unit), as a
// test on its own (Family 1); Holm corrects a table of them. It is false
// when either sample is empty.
func Compare2(a, b []float64) (Comparison, bool) {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return Comparison{}, false
	}
	c := Comparison{NA: na, NB: nb, Family: 1}
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

	pooled := append(slices.Clone(a), b...)
	if na <= ExactLimit && nb <= ExactLimit {
		c.P, c.Exact = exactUPValue(na, nb, c.U, groupSizes(pooled)), true
	} else {
		c.P = normalUPValue(na, nb, c.U, groupSizes(pooled))
	}
	c.AdjustedP = c.P
	c.WelchP, c.HasWelch = welchP(a, b)
	c.Significant = c.AdjustedP < Alpha

	if floor := smallestP(na, nb); floor >= Alpha {
		c.Warnings = append(c.Warnings, fmt.Sprintf(
			"%d and %d runs cannot show a difference at α = %g (the smallest possible p is %s); use at least 4 runs each",
			na, nb, Alpha, FormatP(floor)))
	}
	return c, true
}

// Method names how P was computed: "exact" or "normal approximation".
func (c Comparison) Method() string {
	if c.Exact {
		return "exact"
	}
	return "normal approximation"
}

// Holm applies the Holm–Bonferroni correction to a table of comparisons,
// in place: with m tests and their p-values in ascending order p(1) ≤ … ≤
// p(m), p(i) is adjusted to max over j ≤ i of min(1, (m − j + 1)·p(j)),
// which keeps the chance of any false "significant" in the table at Alpha.
// Each comparison's AdjustedP, Family and Significant are set; Verdict
// follows them.
func Holm(cs []Comparison) {
	adj := HolmAdjust(pValues(cs))
	for i := range cs {
		cs[i].AdjustedP, cs[i].Family = adj[i], len(cs)
		cs[i].Significant = adj[i] < Alpha
	}
}

func pValues(cs []Comparison) []float64 {
	ps := make([]float64, len(cs))
	for i, c := range cs {
		ps[i] = c.P
	}
	return ps
}

// HolmAdjust returns the Holm-adjusted p-values of ps, in ps's order.
func HolmAdjust(ps []float64) []float64 {
	m := len(ps)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(ps[i], ps[j]) })
	adj := make([]float64, m)
	running := 0.0
	for rank, i := range order {
		running = math.Max(running, math.Min(1, float64(m-rank)*ps[i]))
		adj[i] = running
	}
	return adj
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

// String is the comparison as a reader sees it: "p=0.008 n=10+10", with
// the Holm-adjusted p when it was corrected: "p=0.008 (Holm 0.024 of 3)
// n=10+10".
func (c Comparison) String() string {
	s := "p=" + FormatP(c.P)
	if c.Family > 1 {
		s += fmt.Sprintf(" (Holm %s of %d)", FormatP(c.AdjustedP), c.Family)
	}
	return s + fmt.Sprintf(" n=%d+%d", c.NA, c.NB)
}

// FormatP formats a p-value with two significant digits ("<0.001" below
// 0.001), and with more where two would round it to the other side of
// Alpha: a p below Alpha never prints as Alpha or above (0.0496 is
// "0.0496", not "0.05"), nor one at or above Alpha as below it, so the
// printed number and the verdict never disagree.
func FormatP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	below := p < Alpha
	for digits := 2; ; digits++ {
		s := strconv.FormatFloat(p, 'g', digits, 64)
		v, err := strconv.ParseFloat(s, 64)
		if err == nil && (v < Alpha) == below || digits >= 17 {
			return s
		}
	}
}

func sorted(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s
}

// groupSizes returns the sizes of the groups of equal values of v, in
// ascending order of the value: all ones when nothing is tied.
func groupSizes(v []float64) []int {
	s := sorted(v)
	var sizes []int
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j] == s[i] {
			j++
		}
		sizes = append(sizes, j-i)
		i = j
	}
	return sizes
}

// smallestP is the smallest two-sided p the exact U test can give for
// samples of na and nb: the two extreme orderings out of C(na+nb, na), in
// closed form.
func smallestP(na, nb int) float64 {
	la, _ := math.Lgamma(float64(na + 1))
	lb, _ := math.Lgamma(float64(nb + 1))
	lab, _ := math.Lgamma(float64(na + nb + 1))
	return min(1, 2*math.Exp(la+lb-lab))
}

// exactUPValue is the exact two-sided p-value of U (B's statistic) for
// samples of na and nb whose pooled values fall in tie groups of the given
// sizes (ascending by value): under the hypothesis that every split of the
// pooled runs into na and nb is equally likely, twice the smaller of
// P(U ≤ u) and P(U ≥ u), at most 1 (as scipy's permutation_test defines
// it). With ties U's distribution need not be symmetric, so both tails are
// counted; benchstat (go-moremath) doubles one tail of the first sample's
// distribution instead, which differs when the tie groups are not
// symmetric.
func exactUPValue(na, nb int, u float64, groups []int) float64 {
	// Count the tail below the mean, the cheap one: from A's side when
	// u is above it (A's U is na·nb − u, and the tails swap).
	if u > float64(na*nb)/2 {
		na, nb, u = nb, na, float64(na*nb)-u
	}
	dist := uDist(na, nb, groups, u)
	lo := 0.0 // P(U ≤ u)
	for _, v := range dist {
		lo += v
	}
	hi := 1 - (lo - dist[len(dist)-1]) // P(U ≥ u) = 1 − P(U ≤ u − ½)
	return math.Min(1, 2*math.Min(lo, hi))
}

// uDist is the distribution of B's U up to limit, counted over every split
// of the pooled runs: element k is P(U = k/2), for 2U = 0 … 2·limit. The
// groups are taken in ascending order; k of a group of size t going to B
// can happen in C(t, k) ways, and each of those k runs is above every A
// run of the earlier groups and ties with the t − k A runs of its own
// group, adding k·(2·aBefore + t − k)/2 to U, where aBefore counts the A
// runs of earlier groups. The count is kept per (B runs so far, 2U so
// far), and 2U is cut at 2·limit, since U only grows. Counts are float64:
// C(100, 50) ≈ 1e29 keeps 15 significant digits, plenty for a p-value.
func uDist(na, nb int, groups []int, limit float64) []float64 {
	max2U := int(math.Round(2 * limit))
	width := max2U + 1
	cur := make([]float64, (nb+1)*width)
	next := make([]float64, (nb+1)*width)
	cur[0] = 1 // no runs yet: none to B, U = 0
	seen := 0
	for _, t := range groups {
		clear(next)
		binom := binomials(t)
		for b := 0; b <= min(seen, nb); b++ {
			aBefore := seen - b
			if aBefore > na {
				continue
			}
			row := cur[b*width : (b+1)*width]
			for k := 0; k <= t && b+k <= nb; k++ {
				step := k * (2*aBefore + t - k)
				if aBefore+t-k > na || step > max2U {
					continue
				}
				dst := next[(b+k)*width : (b+k+1)*width]
				w := binom[k]
				for u2, v := range row[:width-step] {
					if v != 0 {
						dst[u2+step] += v * w
					}
				}
			}
		}
		cur, next = next, cur
		seen += t
	}
	dist := cur[nb*width : (nb+1)*width]
	total := choose(na+nb, nb)
	for i := range dist {
		dist[i] /= total
	}
	return dist
}

// binomials returns C(t, k) for k = 0 … t.
func binomials(t int) []float64 {
	c := make([]float64, t+1)
	c[0] = 1
	for k := 1; k <= t; k++ {
		c[k] = c[k-1] * float64(t-k+1) / float64(k)
	}
	return c
}

// choose is C(n, k), exact while it fits in 53 bits: every partial
// product C(n−k+i, i) is a whole number.
func choose(n, k int) float64 {
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n-k+i) / float64(i)
	}
	return c
}

// normalUPValue is the two-sided p-value of U from the normal
// approximation with tie correction and continuity correction; 1 when
// the variance is 0 (every value tied).
func normalUPValue(na, nb int, u float64, groups []int) float64 {
	n := float64(na + nb)
	mean := float64(na*nb) / 2
	tieSum := 0.0
	for _, t := range groups {
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

// welchP is the two-sided p-value of Welch's t-test, and false when either
// sample has fewer than two values: one value has no variance, and taking
// it as 0 would make a single run look infinitely precise.
func welchP(a, b []float64) (float64, bool) {
	if len(a) < 2 || len(b) < 2 {
		return 0, false
	}
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	qa, qb := va/float64(len(a)), vb/float64(len(b))
	se2 := qa + qb
	if se2 == 0 {
		if ma == mb {
			return 1, true
		}
		return 0, true
	}
	t := (mb - ma) / math.Sqrt(se2)
	// Welch–Satterthwaite degrees of freedom.
	df := se2 * se2 / (qa*qa/float64(len(a)-1) + qb*qb/float64(len(b)-1))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t)), true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
