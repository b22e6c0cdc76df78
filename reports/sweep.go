package reports

import (
	"fmt"
	"strings"

	"benchlab/analysis"
	"benchlab/results"
)

// SweepText is the summary `benchlab sweep` prints: each strategy's line
// through the sweep's runs, fixed cost and cost per unit of param with
// their 95% intervals, and R².
func SweepText(points []*results.Run, param string) string {
	var b strings.Builder
	fits, warnings := analysis.FitSweep(points, param)
	fmt.Fprintf(&b, "Fixed cost and cost per %s (least squares over %d runs; ± is the 95%% interval)\n", singular(param), len(points))
	for _, f := range fits {
		if !f.OK {
			fmt.Fprintf(&b, "  %-24s no line: %s\n", f.Strategy, strings.Join(f.Warnings, "; "))
			continue
		}
		fmt.Fprintf(&b, "  %-24s per %s %s   fixed %s   R² %.4f\n", f.Strategy, singular(param),
			perUnit(f.Fit.Slope, f.Fit.SlopeCI), fixed(f.Fit.Intercept, f.Fit.InterceptCI), f.Fit.R2)
	}
	for _, w := range warnings {
		fmt.Fprintf(&b, "Warning: %s\n", w)
	}
	return Visible(b.String())
}

// singular names one unit of a parameter: "iteration" for "iterations".
func singular(param string) string {
	if s, ok := strings.CutSuffix(param, "s"); ok && s != "" {
		return s
	}
	return "unit of " + param
}

// perUnit formats a cost per unit in ns, with its interval as ±.
func perUnit(ns float64, ci analysis.Interval) string {
	if !ci.OK {
		return fmt.Sprintf("%.3f ns", ns)
	}
	return fmt.Sprintf("%.3f ± %.3f ns", ns, ci.HalfWidth())
}

// fixed formats a fixed cost in ms, with its interval as ±.
func fixed(ns float64, ci analysis.Interval) string {
	if !ci.OK {
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f ± %.2f ms", ns/1e6, ci.HalfWidth()/1e6)
}
