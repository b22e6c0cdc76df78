package reports

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"benchlab/analysis"
	"benchlab/experiments"
	"benchlab/results"
)

// CompareText compares run b with run a, as `benchlab compare` prints it.
// First it lists every way the runs are not comparable
// (analysis.Differences), before any verdict. Runs of one machine, one
// experiment definition and the same build parameters are compared
// strategy by strategy, with a Mann-Whitney test; otherwise absolute times
// mean little (another machine) or measure other work (other parameters),
// so each run's ratios to its own baseline are set side by side, with no
// faster/slower verdict.
func CompareText(a, b *results.Run) string {
	var sb strings.Builder
	for _, x := range []struct {
		name string
		run  *results.Run
	}{{"A", a}, {"B", b}} {
		line := fmt.Sprintf("%s: %s  %s on %s", x.name, x.run.ID, x.run.Experiment, x.run.Machine.ID)
		if p := experiments.FormatParams(x.run.Parameters); p != "" {
			line += "  " + p
		}
		if !x.run.Complete {
			line += "  (incomplete)"
		}
		sb.WriteString(line + "\n")
	}
	sb.WriteString("\n")
	ia, ib := analysis.Describe(a), analysis.Describe(b)
	diffs := analysis.Differences(ia, ib)
	if len(diffs) > 0 {
		sb.WriteString("B differs from A in what makes runs comparable:\n")
		for _, d := range diffs {
			fmt.Fprintf(&sb, "  - %s: %s\n", d.Rule, strings.ReplaceAll(d.Detail, "this run", "A"))
		}
		sb.WriteString("\n")
	}
	sa, sbm := analysis.Summarize(a), analysis.Summarize(b)
	tw := tabwriter.NewWriter(&sb, 0, 4, 2, ' ', tabwriter.AlignRight)
	if analysis.DirectComparison(diffs) {
		if len(diffs) > 0 {
			sb.WriteString("The verdicts below compare the two runs as measured, these differences included.\n\n")
		}
		cs, tested := analysis.CompareStrategies(sa, sbm)
		if i := slices.Index(tested, true); i >= 0 && cs[i].Family > 1 {
			fmt.Fprintf(&sb, "Verdicts at α = %g after Holm–Bonferroni over the %d tests of this table.\n\n", analysis.Alpha, cs[i].Family)
		}
		fmt.Fprintln(tw, "strategy\tA median\tB median\tB/A\tp (Mann-Whitney)\tHolm-adjusted p\tverdict\t")
		for i, s := range sa {
			o := find(sbm, s.Strategy)
			if !tested[i] {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s.Strategy, medianOr(s), medianOrPtr(o), none, none, none, "not in both runs")
				continue
			}
			c := cs[i]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t\n", s.Strategy, duration(s.MedianNS), duration(o.MedianNS), c.MedianRatio, mannWhitneyCell(c), analysis.FormatP(c.AdjustedP), c.Verdict())
		}
		tw.Flush()
		return Visible(sb.String())
	}
	ra, rb := mustBuild(ia), mustBuild(ib)
	fmt.Fprintf(&sb, "No faster/slower verdict between these runs (%s): only each run's ratios to its own baseline (A: %s, B: %s), with 95%% bootstrap intervals, and their ratio B/A.\n\n",
		whyNoVerdict(diffs), ra.Baseline, rb.Baseline)
	fmt.Fprintln(tw, "strategy\tA ratio\tB ratio\tB/A\t")
	for _, row := range ra.Rows {
		other := rb.row(row.Strategy)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", row.Strategy, ratioCI(&row), ratioCI(other), ratioOfRatios(row, other))
	}
	tw.Flush()
	return Visible(sb.String())
}

// whyNoVerdict names what keeps two runs from being compared directly.
func whyNoVerdict(diffs []analysis.Mismatch) string {
	var why []string
	for _, r := range analysis.VerdictBlockers(diffs) {
		switch r {
		case analysis.RuleMachine:
			why = append(why, "different machines")
		case analysis.RuleDefinition:
			why = append(why, "different experiment definitions")
		case analysis.RuleParameters:
			why = append(why, "different build parameters")
		}
	}
	return strings.Join(why, ", ")
}

func find(sums []analysis.Summary, name string) *analysis.Summary {
	for i := range sums {
		if sums[i].Strategy == name {
			return &sums[i]
		}
	}
	return nil
}

func medianOr(s analysis.Summary) string {
	if s.N == 0 {
		return none
	}
	return duration(s.MedianNS)
}

func medianOrPtr(s *analysis.Summary) string {
	if s == nil {
		return none
	}
	return medianOr(*s)
}

func mustBuild(info analysis.RunInfo) *Report {
	rep, err := BuildFrom(info)
	if err != nil {
		return &Report{Run: info.Run}
	}
	return rep
}

func ratioCI(row *Row) string {
	if row == nil || !row.HasRatio {
		return none
	}
	return ratioWithCI(row.Ratio)
}

// ratioOfRatios is B's ratio to its baseline over A's: above 1, the
// strategy stands further above its baseline in B than in A.
func ratioOfRatios(a Row, b *Row) string {
	if b == nil || !a.HasRatio || !b.HasRatio || a.Ratio.Value == 0 {
		return none
	}
	return fmt.Sprintf("%.3f", b.Ratio.Value/a.Ratio.Value)
}
