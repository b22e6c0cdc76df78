package reports

import (
	"fmt"
	"strings"

	"benchlab/analysis"
)

// Pair is a strategy measured against the one its experiment pairs it with
// (compare_with): the ratio of means with its bootstrap interval and the
// significance test of the difference.
type Pair struct {
	Strategy, With string
	Ratio          analysis.Ratio
	Comparison     analysis.Comparison
}

// pairs pairs each strategy whose experiment names compare_with with that
// strategy. Strategies without counted runs are left out.
func (r *Report) pairs() []Pair {
	if r.Experiment == nil {
		return nil
	}
	var out []Pair
	var samples [][2][]float64
	for i := range r.Rows {
		row := &r.Rows[i]
		es := r.Experiment.Strategy(row.Strategy)
		if es == nil || es.CompareWith == "" {
			continue
		}
		with := r.row(es.CompareWith)
		if with == nil || row.N == 0 || with.N == 0 {
			continue
		}
		ratio, ok := analysis.RatioOf(row.Summary, with.Summary)
		if !ok {
			continue
		}
		out = append(out, Pair{Strategy: row.Strategy, With: with.Strategy, Ratio: ratio})
		samples = append(samples, [2][]float64{with.WallNS, row.WallNS})
	}
	// One table of tests: Holm's correction over the pairs.
	cs, _ := analysis.CompareFamily(samples)
	for i := range out {
		out[i].Comparison = cs[i]
	}
	return out
}

// verdict says in words what a pair's numbers show (analysis decides).
func (p Pair) verdict() string { return analysis.PairVerdict(p.Ratio, p.Comparison) }

// writePairs writes the table of paired comparisons, if the experiment
// pairs any strategies.
func (r *Report) writePairs(b *strings.Builder, chart bool) {
	ps := r.Pairs
	if len(ps) == 0 {
		return
	}
	b.WriteString("## Paired comparisons\n\n")
	fmt.Fprintf(b, "Strategies the experiment pairs (`compare_with`): each one's mean time divided by its partner's, with the 95%% percentile-bootstrap interval, and the two-sided Mann-Whitney test of the difference (%s). %s A significant difference whose interval lies within ±%.0f%% is called less than %.0f%%.\n\n",
		exactSentence, holmSentence(len(ps)), analysis.Negligible*100, analysis.Negligible*100)
	writeRow(b, []string{"strategy", "compared with", "ratio [95% CI]", "p (Mann-Whitney)", "Holm-adjusted p", "verdict"})
	writeRow(b, []string{":--", ":--", "--:", "--:", "--:", ":--"})
	for _, p := range ps {
		writeRow(b, []string{cell(p.Strategy), cell(p.With), ratioWithCI(p.Ratio), mannWhitneyCell(p.Comparison), analysis.FormatP(p.Comparison.AdjustedP), p.verdict()})
	}
	b.WriteString("\n")
	if chart {
		fmt.Fprintf(b, "![Each paired strategy's mean time relative to its partner's, with 95%% intervals](%s)\n\n", PairsName)
	}
}
