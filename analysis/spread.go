package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// SpreadComparison is the Brown–Forsythe test of whether two samples
// spread alike: Levene's test with each sample's deviations taken from its
// median, which keeps its level when the times are skewed or heavy-tailed
// (an F test of the variances does not). For two samples its statistic is
// the square of the pooled t statistic of the absolute deviations, so that
// a one-sided p-value follows from the sign of t.
type SpreadComparison struct {
	// W is the Brown–Forsythe statistic (scipy.stats.levene with
	// center="median").
	W float64
	// P is its two-sided p-value; PGreater the one-sided p-value of B
	// spreading more than A.
	P, PGreater float64
}

// CompareSpread compares the spread of sample b with that of sample a. It
// is false when either has fewer than two values, or when the absolute
// deviations from the median vary within neither sample (their pooled
// variance is 0, and the statistic has no scale: SciPy answers W = ∞ or
// NaN there).
func CompareSpread(a, b []float64) (SpreadComparison, bool) {
	if len(a) < 2 || len(b) < 2 {
		return SpreadComparison{}, false
	}
	za, zb := medianDeviations(a), medianDeviations(b)
	na, nb := float64(len(za)), float64(len(zb))
	ma, va := stat.MeanVariance(za, nil)
	mb, vb := stat.MeanVariance(zb, nil)
	df := na + nb - 2
	pooled := ((na-1)*va + (nb-1)*vb) / df
	if pooled == 0 {
		return SpreadComparison{}, false
	}
	t := (mb - ma) / math.Sqrt(pooled*(1/na+1/nb))
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	greater := dist.Survival(t)
	return SpreadComparison{
		W:        t * t,
		P:        min(1, 2*min(greater, dist.CDF(t))),
		PGreater: greater,
	}, true
}

// medianDeviations returns |v − median(v)| for each value of v.
func medianDeviations(v []float64) []float64 {
	m := quantile(sorted(v), 0.5)
	z := make([]float64, len(v))
	for i, x := range v {
		z[i] = math.Abs(x - m)
	}
	return z
}
