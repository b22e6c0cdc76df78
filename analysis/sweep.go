package analysis

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"benchlab/results"
)

// Sweeps: the runs of one parameter sweep, fitted per strategy.

// SweepPoint is one counted trial of a sweep: the parameter's value X and
// the trial's wall time.
type SweepPoint struct {
	X      float64
	WallNS float64
}

// SweepFit is one strategy's line through a sweep: Fit.Slope is the wall
// time per unit of the parameter (per call, for an iteration count) and
// Fit.Intercept the time at 0, the fixed cost.
type SweepFit struct {
	Strategy string
	Points   []SweepPoint
	Fit      Fit
	// OK is false when the strategy's points determine no line (it failed
	// at all but one value, say); Warnings then say why.
	OK bool
	// Warnings are the fit's and the sweep's caveats for this strategy.
	Warnings []string
}

// FitSweep fits each strategy's wall time against param over runs, the
// points of one sweep. Strategies are in the order of their first
// appearance. A run whose param is missing or not a number is skipped with
// a warning in the second result.
func FitSweep(runs []*results.Run, param string) ([]SweepFit, []string) {
	var warnings []string
	var fits []SweepFit
	index := map[string]int{}
	for _, run := range runs {
		x, err := strconv.ParseFloat(run.Parameters[param], 64)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("run %s: parameter %s=%q is not a number: left out of the fit", run.ID, param, run.Parameters[param]))
			continue
		}
		for i, st := range run.Strategies {
			k, ok := index[st.Name]
			if !ok {
				k = len(fits)
				index[st.Name] = k
				fits = append(fits, SweepFit{Strategy: st.Name})
			}
			n := 0
			for _, t := range run.Trials {
				if t.Strategy == i && !t.Warmup && t.OK() {
					fits[k].Points = append(fits[k].Points, SweepPoint{X: x, WallNS: float64(t.WallNS)})
					n++
				}
			}
			if n == 0 {
				fits[k].Warnings = append(fits[k].Warnings, fmt.Sprintf("no counted runs at %s=%s", param, run.Parameters[param]))
			}
		}
	}
	for i := range fits {
		f := &fits[i]
		xs := make([]float64, len(f.Points))
		ys := make([]float64, len(f.Points))
		for j, p := range f.Points {
			xs[j], ys[j] = p.X, p.WallNS
		}
		f.Fit, f.OK = FitLine(xs, ys)
		if !f.OK {
			f.Warnings = append(f.Warnings, fmt.Sprintf("counted runs at fewer than two values of %s: no line", param))
			continue
		}
		f.Warnings = append(f.Warnings, f.Fit.Warnings...)
	}
	return fits, warnings
}

// CountFit is one strategy's instruction count against a parameter: the
// slope is instructions per unit (per call) and the intercept the fixed
// instructions. Counts are deterministic up to the scheduling of a
// program's threads, so two values determine the line.
type CountFit struct {
	Strategy string
	// Counts maps each parameter value to the instructions counted.
	Counts map[float64]float64
	Fit    Fit
	OK     bool
	// Failure is the first failed count's message, if any.
	Failure string
}

// FitCounts fits each strategy's instruction count against param, in
// order of first appearance.
func FitCounts(counts []results.InstructionCount, param string) []CountFit {
	var fits []CountFit
	index := map[string]int{}
	for _, c := range counts {
		k, ok := index[c.Strategy]
		if !ok {
			k = len(fits)
			index[c.Strategy] = k
			fits = append(fits, CountFit{Strategy: c.Strategy, Counts: map[float64]float64{}})
		}
		x, err := strconv.ParseFloat(c.Parameters[param], 64)
		switch {
		case c.Failure != "":
			if fits[k].Failure == "" {
				fits[k].Failure = c.Failure
			}
		case err == nil:
			fits[k].Counts[x] = float64(c.Instructions)
		}
	}
	for i := range fits {
		f := &fits[i]
		var xs, ys []float64
		for _, x := range slices.Sorted(maps.Keys(f.Counts)) {
			xs = append(xs, x)
			ys = append(ys, f.Counts[x])
		}
		f.Fit, f.OK = FitLine(xs, ys)
	}
	return fits
}
