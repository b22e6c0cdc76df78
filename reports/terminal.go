package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"benchlab/analysis"
	"benchlab/results"
)

// TerminalOptions say how Terminal shows a run, after hyperfine's options
// of the same names.
type TerminalOptions struct {
	// Labels name each strategy as the user knows it; nil or "" for the
	// strategy's Label in the run (an ad-hoc run's command as typed, or
	// its -n name; an import's command), or else its name.
	Labels []string
	// Sort orders the comparison: "" or "auto" and "mean-time" give
	// hyperfine's "Summary", fastest first; "command" gives its "Relative
	// speed comparison", in the run's order.
	Sort string
	// Unit forces a time unit: "microsecond", "millisecond" or "second";
	// "" chooses one per strategy, as hyperfine does.
	Unit string
	// Color marks up the output with ANSI colors as hyperfine's does.
	Color bool
}

// Terminal is the summary `benchlab run` prints, laid out as hyperfine
// lays out its own: a block per strategy in the run's order, then the
// speed of each relative to the reference, which is the run's baseline
// (hyperfine's --reference) or else the fastest strategy:
//
//	Benchmark 1: sleep 0.01
//	  Time (mean ± σ):      10.3 ms ±   0.1 ms    [User: 0.4 ms, System: 0.2 ms]
//	  Range (min … max):    10.1 ms …  10.6 ms    20 runs
//
//	Summary
//	  'sleep 0.01' ran
//	    1.98 ± 0.02 times faster than 'sleep 0.02'
//
// A noisy host is said first, an interruption next, failures and
// warnings after the strategy or run they concern.
func Terminal(run *results.Run, o TerminalOptions) string {
	var b strings.Builder
	r, err := build(analysis.Describe(run), false)
	if err != nil {
		return Visible("error: " + err.Error() + "\n")
	}
	c := colors(o.Color)
	// The colors are the only control characters written: every string
	// from the run or the command line goes through Visible.
	label := func(i int) string {
		if i < len(o.Labels) && o.Labels[i] != "" {
			return Visible(o.Labels[i])
		}
		if l := run.Strategies[i].Label; l != "" {
			return Visible(l)
		}
		return Visible(r.Rows[i].Strategy)
	}
	if r.Noisy() {
		fmt.Fprintf(&b, "%s: the host broke the noise gate's limits ([host] max_load, max_busy), so the times may include other programs' work; run again on a quieter host or with --wait-quiet:\n", c.yellow("Noisy run"))
		for _, reason := range run.Noise.Reasons {
			fmt.Fprintf(&b, "  - %s\n", Visible(reason))
		}
		b.WriteString("\n")
	}
	if r.Speed.Changed() {
		fmt.Fprintf(&b, "%s: %s.\n\n", c.yellow("Host speed changed during the trials"), Visible(speedWarning(r.Speed)))
	}
	if !run.Complete {
		fmt.Fprintf(&b, "Incomplete run: interrupted after %d trials; the figures cover only those.\n\n", len(run.Trials))
	}
	for i, row := range r.Rows {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: %s\n", c.bold(fmt.Sprintf("Benchmark %d", i+1)), label(i))
		writeTimesIn(&b, row.Summary, o.Unit, c)
		for _, w := range row.Warnings {
			fmt.Fprintf(&b, "  %s: %s\n", c.yellow("Warning"), Visible(w))
		}
		if f := strings.TrimRight(Visible(row.Failure), "\n"); f != "" {
			b.WriteString("  Failure:\n")
			for _, l := range strings.Split(f, "\n") {
				b.WriteString(strings.TrimRight("    "+l, " ") + "\n")
			}
		}
	}
	writeComparison(&b, r, o, label, c)
	if len(r.Warnings) > 0 {
		b.WriteString("\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "%s: %s\n", c.yellow("Warning"), Visible(w))
		}
	}
	return b.String()
}

// writeTimesIn writes hyperfine's lines of times in unit ("" for the one
// that suits the mean), colored as hyperfine colors them.
func writeTimesIn(b *strings.Builder, s analysis.Summary, unit string, c ansi) {
	if s.N == 0 {
		return
	}
	u := unitFor(s.MeanNS)
	switch unit {
	case "microsecond":
		u = unitUS
	case "millisecond":
		u = unitMS
	case "second":
		u = unitS
	}
	user, sys := none, none
	if s.CPUKnown {
		user, sys = u.format(s.UserMeanNS), u.format(s.SysMeanNS)
	}
	cpu := fmt.Sprintf("[User: %s, System: %s]", c.blue(user), c.blue(sys))
	if s.N == 1 {
		fmt.Fprintf(b, "  Time (%s ≡):        %s               %s\n", c.bold("abs"), c.green(c.bold(pad(u.format(s.MeanNS)))), cpu)
		return
	}
	fmt.Fprintf(b, "  Time (%s ± %s):     %s ± %s    %s\n", c.green(c.bold("mean")), c.green("σ"),
		c.green(c.bold(pad(u.format(s.MeanNS)))), c.green(pad(u.format(s.StddevNS))), cpu)
	fmt.Fprintf(b, "  Range (%s … %s):   %s … %s    %s\n", c.cyan("min"), c.purple("max"),
		c.cyan(pad(u.format(s.MinNS))), c.purple(pad(u.format(s.MaxNS))), c.dim(fmt.Sprintf("%d runs", s.N)))
}

// pad right-aligns a time in hyperfine's eight columns.
func pad(s string) string { return fmt.Sprintf("%8s", s) }

// writeComparison writes hyperfine's comparison of the strategies' speeds
// with the reference: its "Summary", sorted by mean time, or under
// Sort "command" its "Relative speed comparison" in the run's order.
func writeComparison(b *strings.Builder, r *Report, o TerminalOptions, label func(int) string, c ansi) {
	if len(r.Rows) < 2 {
		return
	}
	switch {
	case r.Paired:
		b.WriteString("\n" + c.bold("Summary") + "\n")
		b.WriteString("  strategies compare within their pairs (compare_with): see `benchlab report`\n")
		return
	case r.Baseline == "":
		b.WriteString("\n" + c.bold("Summary") + "\n")
		b.WriteString("  no strategy has counted runs: no ratios\n")
		return
	}
	ref := slices.IndexFunc(r.Rows, func(row Row) bool { return row.Strategy == r.Baseline })
	if r.Rows[ref].N == 0 {
		b.WriteString("\n" + c.bold("Summary") + "\n")
		fmt.Fprintf(b, "  no ratios: the reference '%s' has no counted runs\n", label(ref))
		return
	}
	order := comparisonOrder(r.Rows, o.Sort)
	if o.Sort == "command" {
		b.WriteString("\n" + c.bold("Relative speed comparison") + "\n")
		for _, i := range order {
			row := r.Rows[i]
			if !row.HasRatio {
				fmt.Fprintf(b, "  %10s  %8s  %s\n", none, "", label(i))
				continue
			}
			sd := strings.Repeat(" ", 8)
			if i != ref {
				sd = " ± " + c.green(fmt.Sprintf("%5.2f", row.Ratio.Stddev))
			}
			fmt.Fprintf(b, "  %s%s  %s\n", c.green(c.bold(fmt.Sprintf("%10.2f", row.Ratio.Value))), sd, label(i))
		}
		return
	}
	b.WriteString("\n" + c.bold("Summary") + "\n")
	fmt.Fprintf(b, "  %s ran\n", c.cyan("'"+label(ref)+"'"))
	for _, i := range order {
		row := r.Rows[i]
		if i == ref {
			continue
		}
		if !row.HasRatio {
			fmt.Fprintf(b, "    no runs counted, no ratio for %s\n", c.purple("'"+label(i)+"'"))
			continue
		}
		fmt.Fprintf(b, "%s %s\n", comparator(row.Ratio, c), c.purple("'"+label(i)+"'"))
	}
}

// comparator says how the reference compares with a strategy whose mean
// time is ratio times the reference's, as hyperfine words it: always as a
// factor of at least 1.
func comparator(ratio analysis.Ratio, c ansi) string {
	sd := func(r analysis.Ratio) string { return " ± " + c.green(fmt.Sprintf("%.2f", r.Stddev)) }
	switch {
	case ratio.Value > 1:
		return fmt.Sprintf("%s%s times faster than", c.green(c.bold(fmt.Sprintf("%8.2f", ratio.Value))), sd(ratio))
	case ratio.Value < 1:
		inv := ratio.Inverse()
		return fmt.Sprintf("%s%s times slower than", c.green(c.bold(fmt.Sprintf("%8.2f", inv.Value))), sd(inv))
	}
	return fmt.Sprintf("    As fast (%s%s) as", c.green(c.bold(fmt.Sprintf("%.2f", ratio.Value))), sd(ratio))
}

// comparisonOrder is the order of the rows in the comparison: the run's
// under "command", otherwise by mean time, fastest first, strategies
// without counted runs last (a stable sort: ties keep the run's order).
func comparisonOrder(rows []Row, sort string) []int {
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	if sort == "command" {
		return order
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ra, rb := rows[a], rows[b]
		if (ra.N == 0) != (rb.N == 0) {
			if ra.N == 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(ra.MeanNS, rb.MeanNS)
	})
	return order
}

// ansi marks text up with ANSI colors, or leaves it plain.
type ansi bool

func colors(on bool) ansi { return ansi(on) }

func (p ansi) wrap(code, s string) string {
	if !p {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}

func (p ansi) bold(s string) string   { return p.wrap("1", s) }
func (p ansi) dim(s string) string    { return p.wrap("2", s) }
func (p ansi) green(s string) string  { return p.wrap("32", s) }
func (p ansi) yellow(s string) string { return p.wrap("33", s) }
func (p ansi) blue(s string) string   { return p.wrap("34", s) }
func (p ansi) purple(s string) string { return p.wrap("35", s) }
func (p ansi) cyan(s string) string   { return p.wrap("36", s) }
