package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence intervals.
//
// Three methods, each chosen for what it estimates and what it costs:
//
//   - The median's interval comes from order statistics: the k-th smallest
//     and k-th largest of n runs bracket the true median with probability
//     1 − 2·P(Binomial(n, ½) < k), exactly, whatever the distribution. k is
//     the largest for which that is at least Level. With few runs not even
//     [min, max] reaches Level (at n = 5 it is 1 − 2/32 = 93.75%); the
//     interval is then [min, max] with its lower confidence stated.
//   - The mean's interval is Student's t: mean ± t(0.975, n−1)·s/√n. It is
//     closed form, so summarising a whole archive stays cheap (every
//     Summary has one), and at the 10 or so runs of a benchmark it is the
//     better calibrated of the two classical choices: the percentile
//     bootstrap of the mean is narrower by about √((n−1)/n)·z/t (0.82 at
//     n = 10) and under-covers. It assumes the mean is near normal, which
//     the central limit theorem gives for wall times once n is not tiny;
//     below MinBootstrapRuns a warning says the intervals are rough.
//   - The interval of a ratio of two means has no such closed form that
//     does not lean on the delta method's first-order approximation, so it
//     comes from the percentile bootstrap: Resamples resamples of each
//     strategy drawn with replacement, the 2.5th and 97.5th percentiles of
//     the ratios of their means. The generator is seeded with a constant,
//     so the same samples always give the same interval. It is computed
//     only where a ratio is (RatioOf, once per strategy of a report), not
//     by Summarize. With fewer than MinBootstrapRuns runs the bootstrap is
//     too narrow, and a warning says so.

// Level is the confidence level of every interval: 95%.
const Level = 0.95

// Resamples is the number of bootstrap resamples behind each interval.
const Resamples = 10000

// MinBootstrapRuns is the fewest runs for which a bootstrap interval is
// trusted; below it the interval is still given, with a warning, since a
// resample of 3 values has at most 10 distinct means.
const MinBootstrapRuns = 5

// Interval is a confidence interval [Lo, Hi] around an estimate.
type Interval struct {
	Lo, Hi float64
	// Confidence is the interval's actual coverage, Level or, for an order
	// statistic interval from few runs, less (see the package doc).
	Confidence float64
	// OK is false when there was no sample to make an interval from.
	OK bool
}

// HalfWidth is half the interval's width: the ± of a symmetric interval.
func (iv Interval) HalfWidth() float64 { return (iv.Hi - iv.Lo) / 2 }

// Contains reports whether v lies in the interval.
func (iv Interval) Contains(v float64) bool { return iv.OK && iv.Lo <= v && v <= iv.Hi }

// MedianInterval returns the order-statistic confidence interval for the
// median of sorted (ascending) at Level, or the widest one, [min, max], with
// its own confidence when n is too small to reach Level. One value gives
// [v, v] with confidence 0.
func MedianInterval(sorted []float64) Interval {
	n := len(sorted)
	if n == 0 {
		return Interval{}
	}
	r := medianRankOf(n)
	return Interval{Lo: sorted[r.k-1], Hi: sorted[n-r.k], Confidence: r.coverage, OK: true}
}

// medianRank is the order statistic k of MedianInterval for one n, and the
// coverage of [X(k), X(n+1−k)].
type medianRank struct {
	k        int
	coverage float64
}

// medianRanks caches medianRank by n: finding k takes up to n/2 binomial
// CDFs, each an incomplete beta function.
var medianRanks sync.Map // int → medianRank

func medianRankOf(n int) medianRank {
	if r, ok := medianRanks.Load(n); ok {
		return r.(medianRank)
	}
	// P(X(k) ≤ m ≤ X(n+1−k)) = 1 − 2·P(B ≤ k−1), B ~ Binomial(n, ½).
	b := distuv.Binomial{N: float64(n), P: 0.5}
	coverage := func(k int) float64 { return math.Max(0, 1-2*b.CDF(float64(k-1))) }
	k := 1
	for k+1 <= (n+1)/2 && coverage(k+1) >= Level {
		k++
	}
	r := medianRank{k: k, coverage: coverage(k)}
	medianRanks.Store(n, r)
	return r
}

// bootstrapSeed seeds every bootstrap: intervals are reproducible.
const bootstrapSeed = 0x62656e63686c6162 // "benchlab"

// MeanInterval returns Student's t interval of the mean of sample at
// Level: mean ± t(0.975, n−1)·s/√n, with s the sample (n−1) standard
// deviation. A sample of identical values gives a zero-width interval at
// Level; a single value gives [v, v] with confidence 0, as MedianInterval
// does, since one run says nothing about the spread.
func MeanInterval(sample []float64) Interval {
	n := len(sample)
	switch n {
	case 0:
		return Interval{}
	case 1:
		return Interval{Lo: sample[0], Hi: sample[0], OK: true}
	}
	var mean float64
	for _, v := range sample {
		mean += v
	}
	mean /= float64(n)
	var ss float64
	for _, v := range sample {
		ss += (v - mean) * (v - mean)
	}
	half := TQuantile(n-1) * math.Sqrt(ss/float64(n-1)/float64(n))
	return Interval{Lo: mean - half, Hi: mean + half, Confidence: Level, OK: true}
}

// tQuantiles caches t(1 − (1−Level)/2, df) by degrees of freedom: gonum
// inverts the incomplete beta function for each, which would otherwise be
// most of a Summary's cost. Samples of one size are the rule in an archive.
var tQuantiles sync.Map // int → float64

// TQuantile returns the two-sided Level quantile of Student's t with df
// degrees of freedom (cached: the harness asks for it between trials).
func TQuantile(df int) float64 {
	if q, ok := tQuantiles.Load(df); ok {
		return q.(float64)
	}
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(1 - (1-Level)/2)
	tQuantiles.Store(df, q)
	return q
}

// RatioInterval returns the percentile-bootstrap interval of mean(a) /
// mean(b), resampling a and b independently. It is not OK when either is
// empty or b's resampled means can be 0.
func RatioInterval(a, b []float64) Interval {
	if len(a) == 0 || len(b) == 0 {
		return Interval{}
	}
	if len(a)+len(b) > BootstrapMaxN {
		return normalRatioInterval(a, b)
	}
	if constant(a) && constant(b) {
		// Every resample is the sample itself (one trial each, as in an
		// import of many commands): the interval is the point, without
		// 10,000 resamples to find it.
		if b[0] <= 0 {
			return Interval{}
		}
		return percentiles([]float64{a[0] / b[0]})
	}
	rng := rand.New(rand.NewPCG(bootstrapSeed, uint64(len(a))<<32|uint64(len(b))))
	ratios := make([]float64, Resamples)
	for i := range ratios {
		ma, mb := resampleMean(rng, a), resampleMean(rng, b)
		if mb <= 0 {
			return Interval{}
		}
		ratios[i] = ma / mb
	}
	return percentiles(ratios)
}

// BootstrapMaxN is the number of trials in both samples above which
// RatioInterval uses the normal approximation instead of the bootstrap:
// 10,000 resamples of a million imported trials would take minutes, and
// at that size the bootstrap distribution of a mean is normal by the
// central limit theorem (TestRatioIntervalNormalMatchesBootstrap).
const BootstrapMaxN = 4000

// normalRatioInterval is the Level interval of mean(a)/mean(b) from the
// normal approximation of log(mean(a)/mean(b)) (the delta method): it
// stays positive and is not OK when mean(b) is not positive.
func normalRatioInterval(a, b []float64) Interval {
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	if mb <= 0 || ma <= 0 {
		return Interval{}
	}
	se := math.Sqrt(va/(float64(len(a))*ma*ma) + vb/(float64(len(b))*mb*mb))
	if math.IsNaN(se) {
		se = 0 // one trial: no spread known
	}
	z := distuv.UnitNormal.Quantile(1 - (1-Level)/2)
	r := ma / mb
	return Interval{Lo: r * math.Exp(-z*se), Hi: r * math.Exp(z*se), Confidence: Level, OK: true}
}

// constant reports whether every value of v is the same.
func constant(v []float64) bool {
	for _, x := range v[1:] {
		if x != v[0] {
			return false
		}
	}
	return true
}

func resampleMean(rng *rand.Rand, sample []float64) float64 {
	sum := 0.0
	for range sample {
		sum += sample[rng.IntN(len(sample))]
	}
	return sum / float64(len(sample))
}

// percentiles returns the central Level interval of the bootstrap
// estimates, which it sorts.
func percentiles(estimates []float64) Interval {
	slices.Sort(estimates)
	tail := (1 - Level) / 2
	return Interval{Lo: quantile(estimates, tail), Hi: quantile(estimates, 1-tail), Confidence: Level, OK: true}
}
