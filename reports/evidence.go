package reports

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

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
	var names []string
	var pairs [][2][]float64
	for i, row := range rows {
		if i != base {
			names = append(names, row.Strategy)
			pairs = append(pairs, [2][]float64{rows[base].WallNS, row.WallNS})
		}
	}
	cs, tested := analysis.CompareFamily(pairs)
	var out []Test
	for i, name := range names {
		if tested[i] {
			out = append(out, Test{Strategy: name, Comparison: cs[i]})
		}
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

// AddEvidence attaches what analysis.SelectEvidence chose beside the
// report's run: the sweep, the instruction counts and the history. What it
// left out is kept too, so that a section without comparable evidence
// says so (and how to make it) instead of borrowing another run's.
func (r *Report) AddEvidence(ev analysis.Evidence) {
	r.Evidence = &ev
	if ev.Sweep != nil {
		r.AddSweep(ev.Sweep.Runs, ev.Sweep.Param)
	}
	if ev.Counts != nil {
		r.AddCounts(ev.Counts.Run, ev.Counts.Param)
	}
	r.AddHistory(ev.History)
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

// experimentDir is where a command is told to find the experiment: the
// folder layout of this repository.
func (r *Report) experimentDir() string { return "experiments/" + r.Run.Experiment }

// heldParams are the `--param name=value` flags that hold the main run's
// parameters other than skip where they differ from the defaults, so that
// the evidence a command makes is comparable with the run.
func (r *Report) heldParams(skip string) string {
	var out string
	e := r.Experiment
	for _, name := range slices.Sorted(maps.Keys(r.Run.Parameters)) {
		if name == skip || (e != nil && e.Build != nil && e.Build.Defaults[name] == r.Run.Parameters[name]) {
			continue
		}
		out += " --param " + name + "=" + r.Run.Parameters[name]
	}
	return out
}

// sweepCommand is the command that would make the sweep the report lacks,
// "" when it wants none.
func (r *Report) sweepCommand() string {
	ev := r.Evidence
	if ev == nil || ev.SweepWanted == "" {
		return ""
	}
	cmd := "benchlab sweep --param-sweep " + ev.SweepWanted
	var values []string
	if e := r.Experiment; e != nil {
		if e.Report != nil && e.Report.Sweep == ev.SweepWanted {
			values = e.SweepValuesOrDefault()
			if e.Report.SweepRuns > 0 {
				cmd += " --runs " + strconv.Itoa(e.Report.SweepRuns)
			}
		}
	}
	if len(values) > 0 {
		cmd += " --values " + strings.Join(values, ",")
	}
	return cmd + r.heldParams(ev.SweepWanted) + " " + r.experimentDir()
}

// countCommand is the command that would make the instruction counts the
// report lacks, "" when it wants none.
func (r *Report) countCommand() string {
	ev := r.Evidence
	if ev == nil || ev.CountsWanted == "" {
		return ""
	}
	values := experiments.DefaultCountValues
	if e := r.Experiment; e != nil && e.Report != nil && e.Report.Count {
		values = e.Report.CountValuesOrDefault()
	}
	return fmt.Sprintf("benchlab count --param-name %s --param-low %s --param-high %s%s %s",
		ev.CountsWanted, values[0], values[1], r.heldParams(ev.CountsWanted), r.experimentDir())
}

// leftOut says which runs were left out of a piece of evidence and why:
// each run of this machine by ID with its reason, those of other machines
// only counted, since a report names other machines' runs only in a
// section about other machines.
func leftOut(rejected []analysis.Rejected, what string) string {
	var mine []string
	others := 0
	for _, rj := range rejected {
		if rj.OtherMachine() {
			others++
			continue
		}
		id := rj.Sweep
		if id == "" {
			id = rj.Run.ID
		}
		mine = append(mine, fmt.Sprintf("%s %s (%s)", what, code(id), literal(rj.Why.Detail)))
	}
	var parts []string
	if len(mine) > 0 {
		parts = append(parts, "left out as not comparable with this run: "+strings.Join(mine, "; "))
	}
	if others > 0 {
		verb := "is"
		if others > 1 {
			verb = "are"
		}
		parts = append(parts, fmt.Sprintf("%s of other or unknown machines %s never used here", plural(others, what), verb))
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// writeMissing writes a section whose evidence the archive lacks on this
// machine: one line saying so, with the command that would make it, then
// what was left out.
func writeMissing(b *strings.Builder, heading, what, cmd string, rejected []analysis.Rejected, noun string) {
	fmt.Fprintf(b, "## %s\n\n", heading)
	fmt.Fprintf(b, "No comparable %s: run %s.", what, code(cmd))
	if l := leftOut(rejected, noun); l != "" {
		b.WriteString(" " + l)
	}
	b.WriteString("\n\n")
}
