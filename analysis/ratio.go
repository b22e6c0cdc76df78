package analysis

import "math"

// Ratio is a ratio of two mean times with its standard deviation,
// propagated from the two samples' relative standard deviations as
// hyperfine does (first-order error propagation, the samples taken as
// independent): σ_r = r·√((σ_a/μ_a)² + (σ_b/μ_b)²).
type Ratio struct {
	Value  float64
	Stddev float64
	// CI is the 95% percentile-bootstrap interval of the ratio, resampling
	// both strategies' runs; not OK for figures known only as (mean, σ).
	CI Interval
}

// RatioOf returns the ratio of s's mean time to base's: above 1 when s is
// slower than base. It is false when either has no counted runs. A
// strategy's ratio to itself is exactly 1 ± 0.
//
// A summary of one run has no σ; its ratio's Stddev then understates the
// uncertainty, and the summary's warning says so.
func RatioOf(s, base Summary) (Ratio, bool) {
	if s.N == 0 || base.N == 0 {
		return Ratio{}, false
	}
	if s.Strategy == base.Strategy {
		return Ratio{Value: 1, CI: Interval{Lo: 1, Hi: 1, Confidence: 1, OK: true}}, true
	}
	r, ok := RatioOfMeans(s.MeanNS, s.StddevNS, base.MeanNS, base.StddevNS)
	if ok {
		r.CI = RatioInterval(s.WallNS, base.WallNS)
	}
	return r, ok
}

// RatioOfMeans returns mean/baseMean with its propagated standard deviation,
// for figures known only as (mean, σ) pairs in a common unit, such as
// published ones. It is false unless both means are positive and finite and
// both deviations are finite and not negative.
func RatioOfMeans(mean, stddev, baseMean, baseStddev float64) (Ratio, bool) {
	if !positive(mean) || !positive(baseMean) || !nonNegative(stddev) || !nonNegative(baseStddev) {
		return Ratio{}, false
	}
	r := mean / baseMean
	return Ratio{Value: r, Stddev: r * math.Hypot(stddev/mean, baseStddev/baseMean)}, true
}

// Inverse returns 1/r with the same relative standard deviation: the ratio
// read the other way round ("1.25 times faster" rather than "0.80 times the
// time").
func (r Ratio) Inverse() Ratio {
	if r.Value == 0 {
		return Ratio{}
	}
	inv := Ratio{Value: 1 / r.Value, Stddev: r.Stddev / (r.Value * r.Value)}
	if r.CI.OK && r.CI.Lo > 0 {
		inv.CI = Interval{Lo: 1 / r.CI.Hi, Hi: 1 / r.CI.Lo, Confidence: r.CI.Confidence, OK: true}
	}
	return inv
}

// Delta compares a reproduced ratio with a published one.
type Delta struct {
	// Value is reproduced − published.
	Value float64
	// Stddev is the combined standard deviation √(σ_reproduced² + σ_published²).
	Stddev float64
	// Relative is Value as a fraction of the published ratio.
	Relative float64
	// Notable is true when the difference is both beyond NotableSigmas
	// combined standard deviations and beyond NotableRelative of the
	// published ratio: clear, and large enough to matter. A difference of
	// a few percent between two machines is expected; so is a large one
	// that the noise explains.
	Notable bool
}

// The thresholds of Delta.Notable.
const (
	NotableSigmas   = 3.0
	NotableRelative = 0.10
)

// Compare returns the difference between a reproduced and a published ratio.
func Compare(reproduced, published Ratio) Delta {
	d := Delta{
		Value:  reproduced.Value - published.Value,
		Stddev: math.Hypot(reproduced.Stddev, published.Stddev),
	}
	if published.Value != 0 {
		d.Relative = d.Value / published.Value
	}
	d.Notable = math.Abs(d.Value) > NotableSigmas*d.Stddev && math.Abs(d.Relative) > NotableRelative
	return d
}

func positive(v float64) bool    { return v > 0 && !math.IsInf(v, 0) }
func nonNegative(v float64) bool { return v >= 0 && !math.IsInf(v, 0) }
