// Package reports renders archived runs for people: the hyperfine-style
// summary printed after a run (Terminal), and the Markdown report with its bar
// chart that sets the reproduced figures beside the published ones (Build,
// then Report.Markdown, BarChart or Report.Files).
//
// It is pure rendering. Statistics come from package analysis, published
// figures from the archived experiment file, and nothing here reads or
// writes files or looks at the clock: the same run always renders to the
// same bytes, and the command writes them where it wants. Every number is
// shown with the warnings analysis attached to it.
package reports

import (
	"errors"
	"fmt"
	"slices"

	"benchlab/analysis"
	"benchlab/experiments"
	"benchlab/results"
)

// Report is everything a report on one run shows, gathered from the run,
// its statistics and the experiment file archived with it.
type Report struct {
	// Run is the archived run reported on.
	Run *results.Run
	// Experiment is the run's experiment file, decoded; nil when it no
	// longer decodes (a warning then says why, and no published figures
	// are shown).
	Experiment *experiments.Experiment
	// Baseline names the strategy that ratios are taken against: the run's
	// Settings.Baseline, or when none is set the fastest strategy, as
	// hyperfine does. Empty when no strategy has counted runs.
	Baseline string
	// BaselineFastest is true when no baseline was set and Baseline is the
	// fastest strategy.
	BaselineFastest bool
	// Paired is true when the experiment compares strategies within pairs
	// (compare_with) and sets no baseline: then no ratio to a common
	// strategy is taken, since it would compare unlike things, and Pairs
	// carries the comparisons instead.
	Paired bool
	// Pairs compares each strategy that names compare_with with its
	// partner (paired.go).
	Pairs []Pair
	// Rows holds one row per strategy, in the run's order.
	Rows []Row
	// Warnings are caveats about the run as a whole: the run's own
	// warnings, then any found while building the report. Each row has
	// its own.
	Warnings []string
	// Tests compare each strategy with the baseline (evidence.go).
	Tests []Test
	// Sweep and Counts are attached by AddEvidence (or AddSweep and
	// AddCounts); nil when the archive has none comparable.
	Sweep  *Sweep
	Counts *Counts
	// Evidence is what AddEvidence was given: the comparable runs chosen
	// and those left out, so that a section with no comparable evidence
	// says so and names the command that would make it. Nil when the
	// report was built without it.
	Evidence *analysis.Evidence
	// History is attached by AddHistory: the comparable runs of the
	// experiment on the run's machine, when there are at least two.
	History *History
	// Machines is attached by AddMachines (machines.go): other machines'
	// comparable runs as ratios; nil when there are none.
	Machines *analysis.Machines
	// Speed is how the host's speed moved from round to round, read from
	// the trials (analysis.RoundSpeedOf); a change beyond its limits is
	// said at the top of the report and of the run's summary.
	Speed analysis.RoundSpeed
}

// Row is one strategy's reproduced and published figures.
type Row struct {
	analysis.Summary
	// Description is the strategy's description (Markdown).
	Description string
	// Ratio is the mean time relative to the baseline's (above 1: slower);
	// HasRatio is false when either has no counted runs.
	Ratio    analysis.Ratio
	HasRatio bool
	// Published is the published figure, nil if the experiment has none
	// for this strategy.
	Published *experiments.Figure
	// PublishedRatio is the published mean relative to the baseline's
	// published mean; HasPublishedRatio is false when either is missing.
	PublishedRatio    analysis.Ratio
	HasPublishedRatio bool
	// Delta compares Ratio with PublishedRatio when both exist (HasDelta);
	// Delta.Notable marks a difference worth a reader's attention.
	Delta    analysis.Delta
	HasDelta bool
}

// IsBaseline reports whether the row is the report's baseline strategy.
func (r *Report) IsBaseline(row Row) bool { return row.Strategy == r.Baseline && r.Baseline != "" }

// Build gathers a report on run. It fails only when the run itself is
// inconsistent (a trial naming no strategy); an experiment file that no
// longer decodes costs the published figures, with a warning.
func Build(run *results.Run) (*Report, error) { return build(analysis.Describe(run), true) }

// BuildFrom is Build on a run whose experiment file is already decoded
// (analysis.Describe, done where the runs are loaded).
func BuildFrom(info analysis.RunInfo) (*Report, error) { return build(info, true) }

// build gathers the report; without full it leaves out what only the
// Markdown report shows and what costs most: the bootstrap intervals of
// ratios, the significance tests and the pairs.
func build(info analysis.RunInfo, full bool) (*Report, error) {
	run := info.Run
	if run == nil {
		return nil, errors.New("no run to report on")
	}
	for i, t := range run.Trials {
		if t.Strategy < 0 || t.Strategy >= len(run.Strategies) {
			return nil, fmt.Errorf("run %s: trial %d names strategy %d of %d; the archive is damaged",
				run.ID, i, t.Strategy, len(run.Strategies))
		}
	}
	r := &Report{Run: run, Warnings: slices.Clone(run.Warnings), Experiment: info.Experiment}
	if info.DecodeErr != nil {
		r.Warnings = append(r.Warnings, "the archived experiment file no longer decodes, so published figures are not shown: "+oneLine(info.DecodeErr.Error()))
	}

	sums := analysis.Summarize(run)
	r.Rows = make([]Row, len(sums))
	for i, s := range sums {
		row := Row{Summary: s, Description: run.Strategies[i].Description}
		if r.Experiment != nil {
			if es := r.Experiment.Strategy(s.Strategy); es != nil {
				row.Published = es.Reference
				if row.Description == "" {
					row.Description = es.Description
				}
			}
		}
		r.Rows[i] = row
	}
	// A change of the host's speed is said at the top (writeHeader,
	// Terminal), not among the warnings.
	r.Speed = analysis.RoundSpeedOf(run)
	if full && len(r.Rows) > MaxChartStrategies {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d strategies are more than a chart can show (%d): the ratio and distribution charts are left out; the tables list every strategy", len(r.Rows), MaxChartStrategies))
	}

	base := -1
	if b := run.Settings.Baseline; b != "" {
		base = run.StrategyIndex(b)
		if base < 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf("the baseline %q names no strategy of the run: ratios are to the fastest strategy", b))
		}
	}
	r.Paired = base < 0 && r.Experiment != nil &&
		slices.ContainsFunc(r.Experiment.Strategies, func(s experiments.Strategy) bool { return s.CompareWith != "" })
	if full {
		r.Pairs = r.pairs()
	}
	if base < 0 && !r.Paired {
		base = fastest(sums)
		r.BaselineFastest = base >= 0
	}
	if base < 0 {
		return r, nil
	}
	r.Baseline = sums[base].Strategy
	if sums[base].N == 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the baseline %s has no counted runs: no reproduced ratios", r.Baseline))
	}
	basePub := r.Rows[base].Published
	if basePub == nil && slices.ContainsFunc(r.Rows, func(row Row) bool { return row.Published != nil }) {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the baseline %s has no published figure: no published ratios", r.Baseline))
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		if full {
			row.Ratio, row.HasRatio = analysis.RatioOf(row.Summary, sums[base])
		} else if row.N > 0 && sums[base].N > 0 {
			row.Ratio, row.HasRatio = analysis.RatioOfMeans(row.MeanNS, row.StddevNS, sums[base].MeanNS, sums[base].StddevNS)
		}
		if row.Published != nil && basePub != nil {
			if i == base {
				row.PublishedRatio, row.HasPublishedRatio = analysis.Ratio{Value: 1}, true
			} else {
				p, b := row.Published, basePub
				row.PublishedRatio, row.HasPublishedRatio = analysis.RatioOfMeans(
					p.Seconds(p.Mean), p.Seconds(p.Stddev), b.Seconds(b.Mean), b.Seconds(b.Stddev))
			}
		}
		if row.HasRatio && row.HasPublishedRatio {
			row.Delta, row.HasDelta = analysis.Compare(row.Ratio, row.PublishedRatio), true
		}
	}
	if full {
		r.Tests = tests(r.Rows, base)
	}
	return r, nil
}

// fastest returns the index of the strategy with the lowest mean among
// those with counted runs, or -1.
func fastest(sums []analysis.Summary) int {
	best := -1
	for i, s := range sums {
		if s.N > 0 && (best < 0 || s.MeanNS < sums[best].MeanNS) {
			best = i
		}
	}
	return best
}

// File is one file of a rendered report, named relative to the report's
// folder.
type File struct {
	Name string
	Data []byte
}

// The names of the report's files.
const (
	ReadmeName       = "README.md"
	ChartName        = "ratios.png"
	DistributionName = "distribution.png"
	SweepName        = "sweep.png"
)

// MaxChartStrategies is the most strategies the ratio and distribution
// charts draw: past it a bar or a column is thinner than a pixel, and an
// import of a million commands would spend minutes drawing them.
const MaxChartStrategies = 200

// ChartNames are every chart a report may draw, so that a regenerated
// report can remove the ones it no longer draws.
var ChartNames = []string{ChartName, DistributionName, SweepName, PairsName, HistoryName, MachinesName}

// Files renders the report: README.md first, then each chart that has
// anything to plot (ratios, every run's distribution, the sweep, the
// history).
func (r *Report) Files() ([]File, error) {
	var charts []File
	for _, c := range []struct {
		name   string
		render func(*Report) ([]byte, error)
	}{
		{ChartName, BarChart},
		{DistributionName, DistributionChart},
		{SweepName, SweepChart},
		{PairsName, PairsChart},
		{HistoryName, func(r *Report) ([]byte, error) {
			if r.History == nil {
				return nil, ErrNothingToPlot
			}
			return r.History.Chart()
		}},
		{MachinesName, MachinesChart},
	} {
		data, err := c.render(r)
		switch {
		case errors.Is(err, ErrNothingToPlot):
			continue
		case err != nil:
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		charts = append(charts, File{Name: c.name, Data: data})
	}
	var names []string
	for _, c := range charts {
		names = append(names, c.Name)
	}
	return append([]File{{Name: ReadmeName, Data: r.Markdown(names...)}}, charts...), nil
}
