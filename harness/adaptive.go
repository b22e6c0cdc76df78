package harness

import (
	"fmt"
	"math"
	"time"

	"benchlab/analysis"
)

// Auto bounds adaptive runs (runs = "auto"): a strategy stops as soon as the
// 95% confidence interval of its mean wall time, mean ± t·s/√n with
// Student's t at n−1 degrees of freedom, is within ±Precision of the mean,
// but never before MinRuns counted runs and never after MaxRuns, nor once
// its counted trials have taken MaxTime in all.
//
// Stopping when an interval first gets narrow enough looks at the data as
// it comes, which makes the interval a little optimistic; MinRuns keeps the
// first, least reliable, estimates of σ from deciding alone.
type Auto struct {
	MinRuns   int
	MaxRuns   int
	MaxTime   time.Duration
	Precision float64 // relative half-width, such as 0.01 for ±1%
}

// check reports bounds that cannot work.
func (a *Auto) check() error {
	switch {
	case a.MinRuns < 2:
		return fmt.Errorf("adaptive runs need min_runs of at least 2, not %d", a.MinRuns)
	case a.MaxRuns < a.MinRuns:
		return fmt.Errorf("max_runs %d is below min_runs %d", a.MaxRuns, a.MinRuns)
	case a.MaxTime <= 0:
		return fmt.Errorf("max_time must be positive, not %v", a.MaxTime)
	case !(a.Precision > 0 && a.Precision < 1):
		return fmt.Errorf("precision must be between 0 and 1, not %g", a.Precision)
	}
	return nil
}

// stop says why a strategy with counted trials (failed ones included) whose
// successful wall times are wall should stop: "precision", "max_runs",
// "max_time", or "" to go on.
func (a *Auto) stop(counted int, wall runningMean) string {
	switch {
	case counted >= a.MaxRuns:
		return "max_runs"
	case counted < a.MinRuns:
		return ""
	case wall.n >= 2 && wall.relHalfWidth() <= a.Precision:
		return "precision"
	case time.Duration(wall.sum()) >= a.MaxTime:
		return "max_time"
	}
	return ""
}

// planned estimates how many counted runs a strategy will take in all: the
// n at which t·cv/√n reaches the precision given its mean and σ so far,
// kept within the bounds. It is at least counted.
func (a *Auto) planned(counted int, wall runningMean) int {
	n := a.MaxRuns
	if wall.n >= 2 && wall.mean > 0 {
		cv := wall.stddev() / wall.mean
		// t at the current n; the final n's t is smaller, so this errs long.
		need := math.Ceil(math.Pow(tQuantile(wall.n)*cv/a.Precision, 2))
		byTime := math.Ceil(float64(a.MaxTime) / wall.mean)
		n = int(min(need, byTime, float64(a.MaxRuns)))
	}
	return max(n, a.MinRuns, counted)
}

// tQuantile returns Student's t 97.5% quantile for a sample of n (n−1
// degrees of freedom): the factor of the 95% two-sided interval.
func tQuantile(n int) float64 {
	if n < 2 {
		return math.Inf(1)
	}
	return analysis.TQuantile(n - 1)
}

// runningMean accumulates a sample's mean and variance one value at a time
// (Welford's method), without keeping the values.
type runningMean struct {
	n    int
	mean float64
	m2   float64 // sum of squared deviations from the mean
}

func (r *runningMean) add(x float64) {
	r.n++
	d := x - r.mean
	r.mean += d / float64(r.n)
	r.m2 += d * (x - r.mean)
}

// stddev is the sample standard deviation (n−1), 0 below two values.
func (r runningMean) stddev() float64 {
	if r.n < 2 {
		return 0
	}
	return math.Sqrt(r.m2 / float64(r.n-1))
}

// sum is the total of the values.
func (r runningMean) sum() float64 { return r.mean * float64(r.n) }

// relHalfWidth is the half-width of the 95% confidence interval of the
// mean as a fraction of the mean; +Inf below two values or for a mean of 0.
func (r runningMean) relHalfWidth() float64 {
	if r.n < 2 || r.mean <= 0 {
		return math.Inf(1)
	}
	return tQuantile(r.n) * r.stddev() / math.Sqrt(float64(r.n)) / r.mean
}
