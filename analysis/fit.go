package analysis

import (
	"fmt"
	"math"
	"slices"
)

// Fit is the least-squares line y = Intercept + Slope·x through a sweep's
// points, each trial one point. For times against an iteration count the
// intercept is the fixed (start-up) cost and the slope the cost of one
// iteration.
//
// The intervals are the classical ones for ordinary least squares: the
// estimate ± t(0.975, n−2) standard errors, with the residual variance
// RSS/(n−2). They assume independent errors of equal variance; run-to-run
// noise that grows with the run's length makes the intercept's interval
// optimistic, which R² and the residuals (shown in the plot) reveal.
type Fit struct {
	// N is the number of points and Xs the number of distinct x values.
	N, Xs int
	// Slope and Intercept are in y's unit per x's unit and in y's unit.
	Slope, Intercept float64
	// SlopeCI and InterceptCI are 95% intervals; not OK with fewer than
	// three points (no residual degrees of freedom).
	SlopeCI, InterceptCI Interval
	// R2 is the coefficient of determination, 1 − RSS/TSS; 1 when every
	// point lies on the line, including when y never varies.
	R2 float64
	// Warnings say why the line should be read with care.
	Warnings []string
}

// FitLine fits y = a + b·x by ordinary least squares. It is false when the
// points do not determine a line: fewer than two distinct x values, or
// mismatched lengths.
func FitLine(x, y []float64) (Fit, bool) {
	n := len(x)
	if n != len(y) || n < 2 {
		return Fit{}, false
	}
	f := Fit{N: n, Xs: len(slices.Compact(sorted(x)))}
	if f.Xs < 2 {
		return Fit{}, false
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxx, sxy, tss float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		sxy += dx * dy
		tss += dy * dy
	}
	f.Slope = sxy / sxx
	f.Intercept = my - f.Slope*mx
	var rss float64
	for i := range x {
		r := y[i] - (f.Intercept + f.Slope*x[i])
		rss += r * r
	}
	switch {
	case tss > 0:
		f.R2 = 1 - rss/tss
	default:
		f.R2 = 1
	}
	if df := n - 2; df > 0 {
		s2 := rss / float64(df)
		t := TQuantile(df)
		seSlope := math.Sqrt(s2 / sxx)
		seIntercept := math.Sqrt(s2 * (1/float64(n) + mx*mx/sxx))
		f.SlopeCI = Interval{Lo: f.Slope - t*seSlope, Hi: f.Slope + t*seSlope, Confidence: Level, OK: true}
		f.InterceptCI = Interval{Lo: f.Intercept - t*seIntercept, Hi: f.Intercept + t*seIntercept, Confidence: Level, OK: true}
	} else {
		f.Warnings = append(f.Warnings, "two points: the line passes through both, with no interval")
	}
	if f.Xs == 2 {
		f.Warnings = append(f.Warnings, "only two values of the parameter: the fit cannot show curvature")
	}
	if f.R2 < 0.99 && tss > 0 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("R² = %.3f: the times are not well described by a straight line", f.R2))
	}
	return f, true
}
