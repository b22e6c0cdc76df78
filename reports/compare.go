package reports

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"benchlab/analysis"
	"benchlab/experiments"
	"benchlab/results"
)

// CompareText compares run b with run a, as `benchlab compare` prints it.
// On one machine each strategy's times are compared directly, with a
// Mann-Whitney test; across machines absolute times mean little, so each
// run's ratios to its baseline are set side by side instead.
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
	sa, sbm := analysis.Summarize(a), analysis.Summarize(b)
	tw := tabwriter.NewWriter(&sb, 0, 4, 2, ' ', tabwriter.AlignRight)
	if a.Machine.ID == b.Machine.ID {
		fmt.Fprintln(tw, "strategy\tA median\tB median\tB/A\tp (Mann-Whitney)\tverdict\t")
		for _, s := range sa {
			o := find(sbm, s.Strategy)
			if o == nil || s.N == 0 || o.N == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", s.Strategy, medianOr(s), medianOrPtr(o), none, none, "not in both runs")
				continue
			}
			c, _ := analysis.Compare2(s.WallNS, o.WallNS)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%s\t%s\t\n", s.Strategy, duration(s.MedianNS), duration(o.MedianNS), c.MedianRatio, analysis.FormatP(c.P), c.Verdict())
		}
		tw.Flush()
		return Visible(sb.String())
	}
	ra, rb := mustBuild(a), mustBuild(b)
	fmt.Fprintf(&sb, "Different machines: ratios to each run's baseline (A: %s, B: %s), with 95%% bootstrap intervals.\n\n", ra.Baseline, rb.Baseline)
	fmt.Fprintln(tw, "strategy\tA ratio\tB ratio\tB − A\t")
	for _, row := range ra.Rows {
		other := rb.row(row.Strategy)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", row.Strategy, ratioCI(&row), ratioCI(other), ratioDiff(row, other))
	}
	tw.Flush()
	return Visible(sb.String())
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

func mustBuild(r *results.Run) *Report {
	rep, err := Build(r)
	if err != nil {
		return &Report{Run: r}
	}
	return rep
}

func ratioCI(row *Row) string {
	if row == nil || !row.HasRatio {
		return none
	}
	return ratioWithCI(row.Ratio)
}

func ratioDiff(a Row, b *Row) string {
	if b == nil || !a.HasRatio || !b.HasRatio {
		return none
	}
	return fmt.Sprintf("%+.3f", b.Ratio.Value-a.Ratio.Value)
}
