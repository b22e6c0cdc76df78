package analysis

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence intervals.
//
// Two methods, chosen for what each estimates, both distribution-free:
//
//   - The median's interval comes from order statistics: the k-th smallest
//     and k-th largest of n runs bracket the true median with probability
//     1 − 2·P(Binomial(n, ½) < k), exactly, whatever the distribution. k is
//     the largest for which that is at least Level. With few runs not even
//     [min, max] reaches Level (at n = 5 it is 1 − 2/32 = 93.75%); the
//     interval is then [min, max] with its lower confidence stated.
//   - The mean's interval, and that of a ratio of two means, comes from the
//     percentile bootstrap: Resamples resamples drawn with replacement, the
//     2.5th and 97.5th percentiles of their means (or ratios of means). The
//     generator is seeded with a constant, so the same sample always gives
//     the same interval. With fewer than MinBootstrapRuns runs the
//     bootstrap is too narrow, and a warning says so.

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
	// P(X(k) ≤ m ≤ X(n+1−k)) = 1 − 2·P(B ≤ k−1), B ~ Binomial(n, ½).
	b := distuv.Binomial{N: float64(n), P: 0.5}
	coverage := func(k int) float64 { return math.Max(0, 1-2*b.CDF(float64(k-1))) }
	k := 1
	for k+1 <= (n+1)/2 && coverage(k+1) >= Level {
		k++
	}
	return Interval{Lo: sorted[k-1], Hi: sorted[n-k], Confidence: coverage(k), OK: true}
}

// bootstrapSeed seeds every bootstrap: intervals are reproducible.
const bootstrapSeed = 0x62656e63686c6162 // "benchlab"

// MeanInterval returns the percentile-bootstrap interval of the mean of
// sample at Level. A sample of one value, or of identical values, gives a
// zero-width interval.
func MeanInterval(sample []float64) Interval {
	if len(sample) == 0 {
		return Interval{}
	}
	rng := rand.New(rand.NewPCG(bootstrapSeed, uint64(len(sample))))
	means := make([]float64, Resamples)
	for i := range means {
		means[i] = resampleMean(rng, sample)
	}
	return percentiles(means)
}

// RatioInterval returns the percentile-bootstrap interval of mean(a) /
// mean(b), resampling a and b independently. It is not OK when either is
// empty or b's resampled means can be 0.
func RatioInterval(a, b []float64) Interval {
	if len(a) == 0 || len(b) == 0 {
		return Interval{}
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
