package reports

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"benchlab/analysis"
	"benchlab/experiments"
	"benchlab/results"
)

// The evidence beyond one run's table: significance tests against the
// baseline, a parameter sweep's fixed and per-call costs, instruction
// counts, and which archived runs a report is built from.

// Test is one strategy's comparison with the baseline: Comparison.NA runs
// of the baseline against Comparison.NB of the strategy.
type Test struct {
	Strategy   string
	Comparison analysis.Comparison
}

// tests compares each strategy with counted runs against the baseline,
// with Holm's correction over the table: its adjusted p-values decide the
// verdicts.
func tests(rows []Row, base int) []Test {
	var out []Test
	var cs []analysis.Comparison
	for i, row := range rows {
		if i == base {
			continue
		}
		if c, ok := analysis.Compare2(rows[base].WallNS, row.WallNS); ok {
			out = append(out, Test{Strategy: row.Strategy})
			cs = append(cs, c)
		}
	}
	analysis.Holm(cs)
	for i := range out {
		out[i].Comparison = cs[i]
	}
	return out
}

// Sweep is the fixed-versus-per-call decomposition from one sweep's runs.
type Sweep struct {
	// ID is the sweep's ID and Param the parameter it varied.
	ID, Param string
	// Runs are the sweep's runs, in the order of Param's value.
	Runs []*results.Run
	// Values are Param's values in Runs, as numbers, ascending.
	Values []float64
	Fits   []analysis.SweepFit
	// AtMin summarizes each strategy at the smallest value: with an
	// iteration count of 0 that is the start-up cost measured directly.
	AtMin    map[string]analysis.Summary
	Warnings []string
}

// AddSweep attaches the decomposition of a sweep over param, from its runs
// (any order). Runs whose param is not a number are left out with a
// warning.
func (r *Report) AddSweep(runs []*results.Run, param string) {
	if len(runs) == 0 {
		return
	}
	runs = slices.Clone(runs)
	num := func(run *results.Run) float64 {
		v, err := strconv.ParseFloat(run.Parameters[param], 64)
		if err != nil {
			return -1
		}
		return v
	}
	slices.SortStableFunc(runs, func(a, b *results.Run) int {
		if c := cmp.Compare(num(a), num(b)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	s := &Sweep{ID: runs[0].Sweep, Param: param, Runs: runs, AtMin: map[string]analysis.Summary{}}
	s.Fits, s.Warnings = analysis.FitSweep(runs, param)
	for _, run := range runs {
		if v := num(run); v >= 0 && !slices.Contains(s.Values, v) {
			s.Values = append(s.Values, v)
		}
	}
	for _, run := range runs {
		if len(s.Values) > 0 && num(run) == s.Values[0] {
			for _, sum := range analysis.Summarize(run) {
				if _, seen := s.AtMin[sum.Strategy]; !seen && sum.N > 0 {
					s.AtMin[sum.Strategy] = sum
				}
			}
		}
	}
	r.Sweep = s
}

// Fit returns the sweep's fit for strategy, if it has one.
func (s *Sweep) Fit(strategy string) (analysis.SweepFit, bool) {
	if s == nil {
		return analysis.SweepFit{}, false
	}
	for _, f := range s.Fits {
		if f.Strategy == strategy && f.OK {
			return f, true
		}
	}
	return analysis.SweepFit{}, false
}

// Counts are the instruction counts of one `benchlab count` run.
type Counts struct {
	Run   *results.Run
	Param string
	Tool  string
	Fits  []analysis.CountFit
}

// AddCounts attaches the instruction counts archived in run, fitted
// against param.
func (r *Report) AddCounts(run *results.Run, param string) {
	if run == nil || len(run.Counts) == 0 {
		return
	}
	c := &Counts{Run: run, Param: param, Fits: analysis.FitCounts(run.Counts, param)}
	for _, ic := range run.Counts {
		if ic.Tool != "" {
			c.Tool = ic.Tool
			break
		}
	}
	r.Counts = c
}

// Fit returns the count fit for strategy, if it has one.
func (c *Counts) Fit(strategy string) (analysis.CountFit, bool) {
	if c == nil {
		return analysis.CountFit{}, false
	}
	for _, f := range c.Fits {
		if f.Strategy == strategy && f.OK {
			return f, true
		}
	}
	return analysis.CountFit{}, false
}

// Selection is what a report is built from: the main run, and the newest
// sweep, instruction counts and the history, when the archive has them.
type Selection struct {
	// Main is the newest complete timed run at the default parameters (a
	// run of its own preferred over a sweep's point), or failing that the
	// newest timed run at all.
	Main *results.Run
	// Sweep holds the runs of the newest sweep that varied a parameter
	// over at least two values; SweepParam names it.
	Sweep      []*results.Run
	SweepParam string
	// Counts is the newest run holding instruction counts; CountParam is
	// the parameter they vary.
	Counts     *results.Run
	CountParam string
	// History holds the complete timed runs at the default parameters on
	// Main's machine, oldest first (HistoryRuns), when there are at least
	// two; nil otherwise.
	History []*results.Run
}

// Select chooses from runs (one experiment's, oldest first) what a report
// shows. Main is nil when there is no timed run.
func Select(runs []*results.Run) Selection {
	var sel Selection
	var fallback, sweepPoint *results.Run
	for _, run := range slices.Backward(runs) {
		if len(run.Counts) > 0 {
			if sel.Counts == nil {
				sel.Counts = run
			}
			continue
		}
		if fallback == nil {
			fallback = run
		}
		if run.Complete && atDefaults(run) {
			if run.Sweep == "" && sel.Main == nil {
				sel.Main = run
			}
			if sweepPoint == nil {
				sweepPoint = run
			}
		}
	}
	switch {
	case sel.Main != nil:
	case sweepPoint != nil:
		sel.Main = sweepPoint
	default:
		sel.Main = fallback
	}

	// The newest sweep: runs sharing a Sweep ID, newest by their last run.
	groups := map[string][]*results.Run{}
	var order []string
	for _, run := range slices.Backward(runs) {
		if run.Sweep == "" || len(run.Counts) > 0 {
			continue
		}
		if _, ok := groups[run.Sweep]; !ok {
			order = append(order, run.Sweep)
		}
		groups[run.Sweep] = append(groups[run.Sweep], run)
	}
	for _, id := range order {
		if p := varied(paramsOf(groups[id])); p != "" {
			sel.Sweep, sel.SweepParam = groups[id], p
			slices.Reverse(sel.Sweep)
			break
		}
	}
	if sel.Main != nil {
		if h := HistoryRuns(runs, sel.Main.Machine.ID); len(h) >= minHistoryRuns {
			sel.History = h
		}
	}
	if sel.Counts != nil {
		var ps []map[string]string
		for _, c := range sel.Counts.Counts {
			ps = append(ps, c.Parameters)
		}
		sel.CountParam = varied(ps)
	}
	return sel
}

func paramsOf(runs []*results.Run) []map[string]string {
	var ps []map[string]string
	for _, run := range runs {
		ps = append(ps, run.Parameters)
	}
	return ps
}

// varied returns the first parameter, by name, that takes at least two
// values across ps; "" if none does.
func varied(ps []map[string]string) string {
	names := map[string]bool{}
	for _, p := range ps {
		for k := range p {
			names[k] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		seen := map[string]bool{}
		for _, p := range ps {
			seen[p[name]] = true
		}
		if len(seen) > 1 {
			return name
		}
	}
	return ""
}

// atDefaults reports whether run was built with its experiment's default
// parameters. A run of an experiment without parameters, or whose
// experiment file no longer decodes, counts as one at the defaults; a run
// whose parameters are unknown (not recorded) of one with them does not.
func atDefaults(run *results.Run) bool {
	e, err := experiments.Parse(experiments.FileName, []byte(run.ExperimentFile))
	if err != nil {
		return true
	}
	if len(e.ParamNames()) == 0 {
		return true
	}
	return len(run.Parameters) > 0 && e.IsDefault(run.Parameters)
}

// paramValue formats a parameter's numeric value for people: 250000000 as
// "250M", 1000000 as "1M", 0 as "0".
func paramValue(v float64) string {
	switch {
	case v >= 1e9 && v == float64(int64(v/1e9))*1e9:
		return fmt.Sprintf("%gG", v/1e9)
	case v >= 1e6 && v == float64(int64(v/1e6))*1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3 && v == float64(int64(v/1e3))*1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
