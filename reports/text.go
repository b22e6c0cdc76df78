package reports

import (
	"fmt"
	"strings"

	"benchlab/analysis"
	"benchlab/results"
)

// Text is the summary `benchlab run` prints: hyperfine's layout, one block
// per strategy, then each strategy's speed relative to the baseline. The
// run's warnings close it.
//
//	Benchmark 1: function-pointer
//	  Time (mean ± σ):     429.1 ms ±   7.0 ms    [User: 428.0 ms, System: 1.0 ms]
//	  Range (min … max):   418.9 ms … 436.7 ms    10 runs
func Text(run *results.Run) string {
	var b strings.Builder
	r, err := build(analysis.Describe(run), false)
	if err != nil {
		return Visible("error: " + err.Error() + "\n")
	}
	if r.Noisy() {
		b.WriteString("Noisy run: the host broke the noise gate's limits ([host] max_load, max_busy); the times may include other programs' work:\n")
		for _, reason := range run.Noise.Reasons {
			fmt.Fprintf(&b, "  - %s\n", reason)
		}
		b.WriteString("\n")
	}
	if !run.Complete {
		fmt.Fprintf(&b, "Incomplete run: interrupted after %d trials; the figures cover only those.\n\n", len(run.Trials))
	}
	for i, row := range r.Rows {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Benchmark %d: %s\n", i+1, row.Strategy)
		writeTimes(&b, row.Summary)
		for _, w := range row.Warnings {
			fmt.Fprintf(&b, "  Warning: %s\n", w)
		}
		if f := strings.TrimRight(row.Failure, "\n"); f != "" {
			b.WriteString("  Failure:\n")
			for _, l := range strings.Split(f, "\n") {
				b.WriteString(strings.TrimRight("    "+l, " ") + "\n")
			}
		}
	}
	writeSummary(&b, r)
	if len(r.Warnings) > 0 || r.Noisy() {
		b.WriteString("\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "Warning: %s\n", w)
		}
		if r.Noisy() {
			b.WriteString("Warning: noisy run (reasons at the top): rerun on a quieter host or with --wait-quiet\n")
		}
	}
	return Visible(b.String())
}

// writeTimes writes hyperfine's two lines of times, or its one line for a
// single run; nothing for none.
func writeTimes(b *strings.Builder, s analysis.Summary) {
	if s.N == 0 {
		return
	}
	u := unitFor(s.MeanNS)
	user, sys := none, none
	if s.CPUKnown {
		user, sys = u.format(s.UserMeanNS), u.format(s.SysMeanNS)
	}
	if s.N == 1 {
		fmt.Fprintf(b, "  Time (abs ≡):        %8s               [User: %s, System: %s]\n",
			u.format(s.MeanNS), user, sys)
		return
	}
	fmt.Fprintf(b, "  Time (mean ± σ):     %8s ± %8s    [User: %s, System: %s]\n",
		u.format(s.MeanNS), u.format(s.StddevNS), user, sys)
	fmt.Fprintf(b, "  Range (min … max):   %8s … %8s    %d runs\n",
		u.format(s.MinNS), u.format(s.MaxNS), s.N)
}

// writeSummary writes hyperfine's "Summary" section, relative to the
// baseline rather than to the fastest.
func writeSummary(b *strings.Builder, r *Report) {
	if len(r.Rows) < 2 {
		return
	}
	b.WriteString("\nSummary\n")
	switch {
	case r.Paired:
		b.WriteString("  strategies compare within their pairs (compare_with): see `benchlab report`\n")
		return
	case r.Baseline == "":
		b.WriteString("  no strategy has counted runs: no ratios\n")
		return
	}
	var base Row
	for _, row := range r.Rows {
		if row.Strategy == r.Baseline {
			base = row
		}
	}
	if base.N == 0 {
		fmt.Fprintf(b, "  no ratios: the baseline %s has no counted runs\n", base.Strategy)
		return
	}
	note := "the baseline"
	if r.BaselineFastest {
		note = "the fastest; no baseline is set"
	}
	fmt.Fprintf(b, "  %s (%s) ran\n", base.Strategy, note)
	for _, row := range r.Rows {
		if r.IsBaseline(row) {
			continue
		}
		if !row.HasRatio {
			fmt.Fprintf(b, "    %s: no runs counted, no ratio\n", row.Strategy)
			continue
		}
		fmt.Fprintf(b, "%s\n", speedPhrase(row.Ratio, row.Strategy))
	}
}

// speedPhrase states how the baseline compares with a strategy whose mean
// time is ratio times the baseline's, always as a factor of at least 1.
func speedPhrase(ratio analysis.Ratio, strategy string) string {
	switch {
	case ratio.Value > 1:
		return fmt.Sprintf("%s times faster than %s", ratioWidth(ratio), strategy)
	case ratio.Value < 1:
		return fmt.Sprintf("%s times slower than %s", ratioWidth(ratio.Inverse()), strategy)
	default:
		return fmt.Sprintf("%s times as fast as %s", ratioWidth(ratio), strategy)
	}
}

// ratioWidth formats a ratio with its value right-aligned in eight
// columns, as hyperfine does ("{:8.2}").
func ratioWidth(r analysis.Ratio) string {
	s := ratio(r)
	v, rest, _ := strings.Cut(s, " ")
	if rest != "" {
		rest = " " + rest
	}
	return fmt.Sprintf("%8s%s", v, rest)
}
