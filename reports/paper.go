package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"benchlab/analysis"
)

// The sections of the Markdown report beyond the table: strategies,
// significance, the sweep, instruction counts and the open questions.

// intervalCells formats "mean [lo, hi]", "median [lo, hi]" and σ in the
// unit of the mean.
func intervalCells(s analysis.Summary) []string {
	if s.N == 0 {
		return []string{none, none, none}
	}
	u := unitFor(s.MeanNS)
	sd := u.format(s.StddevNS)
	if !s.HasStddev() {
		sd = "(no σ)"
	}
	return []string{u.format(s.MeanNS) + " " + u.interval(s.MeanCI), u.format(s.MedianNS) + " " + u.interval(s.MedianCI), sd}
}

// interval formats a confidence interval in the unit, "[1.2, 1.4]", with
// its coverage when it is not the usual 95% ("[1.2, 1.4] 75%").
func (u timeUnit) interval(iv analysis.Interval) string {
	if !iv.OK {
		return ""
	}
	s := "[" + u.number(iv.Lo) + ", " + u.number(iv.Hi) + "]"
	if c := iv.Confidence; math.Abs(c-analysis.Level) > 0.0005 && c < analysis.Level {
		s += fmt.Sprintf(" %.0f%%", 100*c)
	}
	return s
}

func outliersCell(s analysis.Summary) string {
	if s.N < 4 {
		return none
	}
	return fmt.Sprintf("%d / %d", s.Outliers.Mild, s.Outliers.Severe)
}

// ratioCIcell formats a reproduced ratio with its bootstrap interval.
func (r *Report) ratioCIcell(row Row) string {
	switch {
	case !row.HasRatio:
		return none
	case r.IsBaseline(row):
		return "1 (baseline)"
	}
	return ratioWithCI(row.Ratio)
}

// ratioWithCI formats a ratio with its bootstrap interval, when it has one.
func ratioWithCI(r analysis.Ratio) string {
	s := fmt.Sprintf("%.3f", r.Value)
	if ci := r.CI; ci.OK {
		s += fmt.Sprintf(" [%.3f, %.3f]", ci.Lo, ci.Hi)
	}
	return s
}

func (r *Report) writeStrategies(b *strings.Builder) {
	if !anyDescription(r.Rows) {
		return
	}
	b.WriteString("### Strategies\n\n")
	for _, row := range r.Rows {
		if d := markdown(row.Description); d != "" {
			fmt.Fprintf(b, "- %s: %s\n", code(row.Strategy), d)
		} else {
			fmt.Fprintf(b, "- %s\n", code(row.Strategy))
		}
	}
	b.WriteString("\n")
}

func anyDescription(rows []Row) bool {
	for _, row := range rows {
		if row.Description != "" {
			return true
		}
	}
	return false
}

// writeTests writes the significance of each strategy's difference from
// the baseline, and the distribution chart.
func (r *Report) writeTests(b *strings.Builder, chart bool) {
	if len(r.Tests) == 0 && !chart {
		return
	}
	b.WriteString("## Is it real?\n\n")
	if len(r.Tests) > 0 {
		fmt.Fprintf(b, "Each strategy's wall times against the baseline %s's: the two-sided Mann-Whitney U test (no assumption about the shape of the times; %s), Welch's t-test beside it (— with fewer than 2 runs a side), and the effect size: the ratio of medians and Cliff's δ (+1: every run slower than every baseline run, −1: every run faster, 0: complete overlap). %s\n\n",
			code(r.Baseline), exactSentence, holmSentence(len(r.Tests)))
		writeRow(b, []string{"strategy", "verdict vs " + cell(r.Baseline), "p (Mann-Whitney)", "Holm-adjusted p", "p (Welch)", "median ratio", "Cliff's δ", "runs"})
		writeRow(b, []string{":--", ":--", "--:", "--:", "--:", "--:", "--:", "--:"})
		for _, t := range r.Tests {
			c := t.Comparison
			writeRow(b, []string{cell(t.Strategy), c.Verdict(), mannWhitneyCell(c), analysis.FormatP(c.AdjustedP), welchCell(c),
				fmt.Sprintf("%.3f", c.MedianRatio), fmt.Sprintf("%+.2f", c.CliffsDelta), fmt.Sprintf("%d vs %d", c.NB, c.NA)})
		}
		b.WriteString("\n")
		for _, t := range r.Tests {
			for _, w := range t.Comparison.Warnings {
				fmt.Fprintf(b, "- %s: %s\n", code(t.Strategy), literal(w))
			}
		}
		if hasTestWarnings(r.Tests) {
			b.WriteString("\n")
		}
	}
	if chart {
		fmt.Fprintf(b, "![Every counted run of each strategy, outliers marked](%s)\n\n", DistributionName)
		b.WriteString("Every counted run, in the order it ran from left to right within its strategy's column; the bar is the median. Mild outliers are orange, severe ones red.\n\n")
	}
}

// exactSentence says when the Mann-Whitney p is exact, for the text above
// a table of tests.
var exactSentence = fmt.Sprintf("its p is exact, ties included, up to %d runs a side, and from the normal approximation with tie correction beyond, as the p column says", analysis.ExactLimit)

// holmSentence states the correction over a table of n tests and the
// level the verdicts are judged at.
func holmSentence(n int) string {
	if n == 1 {
		return fmt.Sprintf("The verdict is the Mann-Whitney test's at α = %g; a single test needs no correction for multiple comparisons.", analysis.Alpha)
	}
	return fmt.Sprintf("The verdicts are the Mann-Whitney test's at α = %g after Holm–Bonferroni over the %d tests of this table: each p is adjusted for the others (Holm-adjusted p), so that the chance of any false \"slower\" or \"faster\" in the table stays at %g.",
		analysis.Alpha, n, analysis.Alpha)
}

// mannWhitneyCell is a test's p with its method: "0.1 (exact)".
func mannWhitneyCell(c analysis.Comparison) string {
	m := "exact"
	if !c.Exact {
		m = "normal approx."
	}
	return analysis.FormatP(c.P) + " (" + m + ")"
}

// welchCell is Welch's p, or — when a side has fewer than 2 runs.
func welchCell(c analysis.Comparison) string {
	if !c.HasWelch {
		return none
	}
	return analysis.FormatP(c.WelchP)
}

func hasTestWarnings(ts []Test) bool {
	for _, t := range ts {
		if len(t.Comparison.Warnings) > 0 {
			return true
		}
	}
	return false
}

// writeSweep writes the sweep's fixed/per-call table.
func (r *Report) writeSweep(b *strings.Builder, chart bool) {
	s := r.Sweep
	if s == nil {
		if cmd := r.sweepCommand(); cmd != "" {
			writeMissing(b, fmt.Sprintf("Fixed cost and cost per %s", literal(singular(r.Evidence.SweepWanted))),
				"sweep on this machine", cmd, r.Evidence.SweepRejected, "sweep")
		}
		return
	}
	unit := literal(singular(s.Param))
	fmt.Fprintf(b, "## Fixed cost and cost per %s\n\n", unit)
	var vals []string
	for _, v := range s.Values {
		vals = append(vals, paramValue(v))
	}
	fmt.Fprintf(b, "Sweep %s rebuilt the subjects at each of %s = %s (a build-time constant) and timed each build as a run of its own (%s; the points column counts each strategy's trials over them). A least-squares line through every counted run of a strategy splits its time into a fixed part, the intercept (start-up and tear-down), and a part per %s, the slope. Intervals are 95%%, from the t distribution with n − 2 degrees of freedom.",
		code(s.ID), code(s.Param), strings.Join(vals, ", "), plural(len(s.Runs), "run"), unit)
	if len(s.Values) > 0 {
		fmt.Fprintf(b, " The last column is the median time measured at %s = %s [order-statistic 95%% CI]", code(s.Param), paramValue(s.Values[0]))
		if s.Values[0] == 0 {
			b.WriteString(": the start-up cost measured directly")
		}
		b.WriteString(".")
	}
	b.WriteString("\n\n")
	writeRow(b, []string{"strategy", "per " + unit + " [95% CI]", "fixed (intercept) [95% CI]", "R²", "points", "measured at " + paramValue(first(s.Values))})
	writeRow(b, []string{":--", "--:", "--:", "--:", "--:", "--:"})
	for _, f := range s.Fits {
		at := none
		if sum, ok := s.AtMin[f.Strategy]; ok {
			u := fineUnit(sum.MedianNS)
			at = u.format(sum.MedianNS) + " " + u.interval(sum.MedianCI)
		}
		if !f.OK {
			writeRow(b, []string{cell(f.Strategy), none, none, none, fmt.Sprint(len(f.Points)), at})
			continue
		}
		writeRow(b, []string{cell(f.Strategy), nsInterval(f.Fit.Slope, f.Fit.SlopeCI), msInterval(f.Fit.Intercept, f.Fit.InterceptCI),
			fmt.Sprintf("%.4f", f.Fit.R2), fmt.Sprint(f.Fit.N), at})
	}
	b.WriteString("\n")
	if chart {
		fmt.Fprintf(b, "![Wall time against %s with each strategy's fitted line](%s)\n\n", literal(s.Param), SweepName)
	}
	n := 0
	for _, f := range s.Fits {
		for _, w := range f.Warnings {
			fmt.Fprintf(b, "- %s: %s\n", code(f.Strategy), literal(w))
			n++
		}
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(b, "- %s\n", literal(w))
		n++
	}
	if n > 0 {
		b.WriteString("\n")
	}
}

func first(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

// nsInterval formats a per-unit cost in ns with its interval.
func nsInterval(v float64, ci analysis.Interval) string {
	s := fmt.Sprintf("%.3f ns", v)
	if ci.OK {
		s += fmt.Sprintf(" [%.3f, %.3f]", ci.Lo, ci.Hi)
	}
	return s
}

// msInterval formats a fixed cost in ms with its interval.
func msInterval(ns float64, ci analysis.Interval) string {
	s := fmt.Sprintf("%.2f ms", ns/1e6)
	if ci.OK {
		s += fmt.Sprintf(" [%.2f, %.2f]", ci.Lo/1e6, ci.Hi/1e6)
	}
	return s
}

func (r *Report) writeCounts(b *strings.Builder) {
	c := r.Counts
	if c == nil {
		if cmd := r.countCommand(); cmd != "" {
			writeMissing(b, "Instruction counts", "instruction counts on this machine", cmd, r.Evidence.CountsRejected, "count run")
		}
		return
	}
	b.WriteString("## Instruction counts\n\n")
	tool := c.Tool
	if tool == "" {
		tool = "an instruction counter"
	}
	unit := "unit of " + literal(c.Param)
	if c.Param != "" {
		unit = literal(singular(c.Param))
	}
	fmt.Fprintf(b, "Instructions executed by each strategy, counted by %s in run %s: deterministic, unlike times. The difference between builds at different %s cancels start-up, leaving the instructions per %s.\n\n",
		code(tool), code(c.Run.ID), code(c.Param), unit)
	writeRow(b, []string{"strategy", "instructions per " + unit, "fixed instructions", "counts"})
	writeRow(b, []string{":--", "--:", "--:", ":--"})
	for _, f := range c.Fits {
		var counts []string
		for _, x := range slices.Sorted(maps.Keys(f.Counts)) {
			counts = append(counts, fmt.Sprintf("%s: %d", paramValue(x), int64(f.Counts[x])))
		}
		if !f.OK {
			why := "fewer than two counts"
			if f.Failure != "" {
				why = "failed: " + codeCell(strings.SplitN(strings.TrimSpace(f.Failure), "\n", 2)[0])
			}
			writeRow(b, []string{cell(f.Strategy), none, none, why})
			continue
		}
		writeRow(b, []string{cell(f.Strategy), fmt.Sprintf("%.2f", f.Fit.Slope), fmt.Sprintf("%.0f", f.Fit.Intercept), cell(strings.Join(counts, ", "))})
	}
	b.WriteString("\n")
}

// writeAnswers answers the experiment's open questions from the numbers
// (analysis.AnswerQuestion), or says why it does not.
func (r *Report) writeAnswers(b *strings.Builder) {
	if r.Experiment == nil || len(r.Experiment.OpenQuestions) == 0 {
		return
	}
	b.WriteString("## Open questions\n\n")
	b.WriteString("Each answer is generated from the numbers above; its wording follows the tests and intervals, not the other way round.\n\n")
	in := analysis.AnswerInput{Main: r.Run}
	for _, row := range r.Rows {
		in.Sums = append(in.Sums, row.Summary)
	}
	if s := r.Sweep; s != nil {
		in.Sweep = &analysis.SweepEvidence{ID: s.ID, Param: s.Param, Runs: s.Runs}
		in.SweepFits = s.Fits
	}
	if c := r.Counts; c != nil {
		in.Counts = &analysis.CountEvidence{Run: c.Run, Param: c.Param}
		in.CountFits = c.Fits
	}
	for _, q := range r.Experiment.OpenQuestions {
		fmt.Fprintf(b, "**%s**\n\n", markdown(q.Text))
		for _, p := range r.answer(analysis.AnswerQuestion(in, q.Strategies[0], q.Strategies[1])) {
			b.WriteString(p + "\n\n")
		}
	}
}

// answer puts an answer into paragraphs.
func (r *Report) answer(ans analysis.Answer) []string {
	a, c := ans.A, ans.C
	switch {
	case ans.NoRuns:
		return []string{fmt.Sprintf("This run has no counted runs of %s or of %s: no answer from it.", code(a), code(c))}
	case ans.Withheld != "":
		return []string{"Not answered: " + literal(ans.Withheld) + "."}
	}
	var paras []string

	// 1. The totals.
	ra, rc := ans.SumA, ans.SumC
	u := unitFor(math.Min(ra.MeanNS, rc.MeanNS))
	total := fmt.Sprintf("In run %s, %s takes %s %s on average and %s %s %s", code(r.Run.ID), code(a),
		u.format(ra.MeanNS), u.interval(ra.MeanCI), code(c), u.format(rc.MeanNS), u.interval(rc.MeanCI))
	cmpAC := ans.Test
	switch {
	case !ans.Tested:
	case cmpAC.Significant:
		// The direction is the rank test's (the sign of Cliff's δ), the
		// test that judged it significant, not the means'.
		total += fmt.Sprintf(": %s is %s (%.3f× the mean time; Mann-Whitney %s, Cliff's δ = %+.2f).", code(a), analysis.RankDirection(cmpAC), ans.Ratio, pIs(cmpAC.P), cmpAC.CliffsDelta)
	default:
		total += fmt.Sprintf(": %.3f× the time, but the difference is not significant (Mann-Whitney %s), so these runs do not show that either is faster.", ans.Ratio, pIs(cmpAC.P))
	}
	paras = append(paras, total)

	// 2. Fixed versus per-call, from the sweep.
	switch s := ans.Split; {
	case s != nil:
		paras = append(paras, r.splitParagraph(ans, s))
	case r.Sweep == nil:
		p := "No comparable sweep: fixed and per-call costs cannot be separated"
		if cmd := r.sweepCommand(); cmd != "" {
			p += " (run " + code(cmd) + ")"
		}
		paras = append(paras, p+".")
	default:
		paras = append(paras, fmt.Sprintf("The sweep %s has no line for %s or %s.", code(r.Sweep.ID), code(a), code(c)))
	}

	// 3. Instructions.
	if ins := ans.Instructions; ins != nil {
		unit := literal(singular(ins.Param))
		p := fmt.Sprintf("Counted by %s, %s executes %.2f instructions per %s and %s %.2f", code(ins.Tool), code(a), ins.PerUnitA, unit, code(c), ins.PerUnitC)
		switch {
		case !ins.HasOrder:
			p += "."
		case ins.SameOrder:
			p += fmt.Sprintf("; the strategy with fewer instructions per %s is also the one with the lower time per %s.", unit, unit)
		default:
			p += fmt.Sprintf("; the instruction counts do not order the two as their times per %s do, so the time difference is not explained by the number of instructions alone (branch prediction, dependencies between instructions or memory access may be).", unit)
		}
		paras = append(paras, p)
	}
	if ans.Profile != nil {
		paras = append(paras, ProfileSentence(*ans.Profile, singular(ans.Instructions.Param)))
	}
	return paras
}

// splitParagraph puts the sweep's decomposition and its attribution into
// words.
func (r *Report) splitParagraph(ans analysis.Answer, s *analysis.Split) string {
	a, c := code(ans.A), code(ans.C)
	unit := literal(singular(s.Param))
	fa, fc := s.FitA, s.FitC
	p := fmt.Sprintf("Per %s, %s costs %.3f ± %.3f ns and %s %.3f ± %.3f ns (sweep %s, 95%% intervals): a difference of %+.3f ± %.3f ns, which %s.",
		unit, a, fa.Slope, fa.SlopeCI.HalfWidth(), c, fc.Slope, fc.SlopeCI.HalfWidth(),
		code(s.Sweep), s.DSlope, s.HSlope, clearOrNot(s.SlopeCI, s.SlopeClear))
	p += fmt.Sprintf(" Their fixed costs (intercepts) are %.2f ± %.2f ms and %.2f ± %.2f ms, a difference of %+.2f ± %.2f ms, which %s.",
		fa.Intercept/1e6, fa.InterceptCI.HalfWidth()/1e6, fc.Intercept/1e6, fc.InterceptCI.HalfWidth()/1e6,
		s.DFixed/1e6, s.HFixed/1e6, clearOrNot(s.FixedCI, s.FixedClear))
	if st := s.StartUp; st != nil {
		uu := fineUnit(math.Min(st.A.MedianNS, st.C.MedianNS))
		p += fmt.Sprintf(" Measured directly at %s = 0, start-up takes %s %s and %s %s (medians)", code(s.Param),
			uu.format(st.A.MedianNS), uu.interval(st.A.MedianCI), uu.format(st.C.MedianNS), uu.interval(st.C.MedianCI))
		if st.Clear {
			p += fmt.Sprintf(": a difference of %s, clear since the intervals do not overlap.", signedDuration(st.DiffNS))
		} else {
			p += ": the intervals overlap, so no start-up difference is shown."
		}
	}
	if at := s.Attribution; at != nil {
		p += " " + attribution(at, s.Param, unit)
	}
	return p
}

// row returns the row of the named strategy, or nil.
func (r *Report) row(name string) *Row {
	for i := range r.Rows {
		if r.Rows[i].Strategy == name {
			return &r.Rows[i]
		}
	}
	return nil
}

// pIs formats a p-value in a sentence: "p < 0.001", "p = 0.03".
func pIs(p float64) string {
	if s := analysis.FormatP(p); strings.HasPrefix(s, "<") {
		return "p < " + s[1:]
	}
	return "p = " + analysis.FormatP(p)
}

// fineUnit is the display unit for start-up times: ms below 10 ms with
// three decimals, so that 1.10 and 0.81 ms stay apart.
func fineUnit(ns float64) timeUnit {
	if ns < 10e6 {
		return timeUnit{"ms", 1e6, 3}
	}
	return unitFor(ns)
}

// clearOrNot says whether a difference d ± h excludes zero.
func clearOrNot(hasInterval, clear bool) string {
	switch {
	case !hasInterval:
		return "has no interval to judge it by"
	case clear:
		return "is clear of zero"
	default:
		return "is within the noise: zero is inside its interval"
	}
}

// attribution puts an analysis.Attribution into words: the parts of the
// main run's difference in mean time at its value of param, and the cause
// when one part is it, "not attributable" with the numbers otherwise.
func attribution(at *analysis.Attribution, param, unit string) string {
	name := func(p analysis.Part) string {
		if p.Name == analysis.PartPerUnit {
			return "per-" + unit + " part"
		}
		return "fixed part"
	}
	var parts []string
	for _, p := range at.Parts {
		s := fmt.Sprintf("the %s is %s", name(p), signedDuration(p.ValueNS))
		if p.Name == analysis.PartFixed {
			s = fmt.Sprintf("the %s (start-up and tear-down) is %s", name(p), signedDuration(p.ValueNS))
		}
		if p.HasInterval {
			s += fmt.Sprintf(" ± %s", duration(p.HalfNS))
		}
		if at.TotalNS != 0 {
			s += fmt.Sprintf(" (%s of it", signedPercent(p.Share))
			if p.HasInterval {
				s += fmt.Sprintf(", %s to %s over its interval", signedPercent(p.ShareLo), signedPercent(p.ShareHi))
			}
			s += ")"
		}
		parts = append(parts, s)
	}
	out := fmt.Sprintf("Of this run's difference in mean time, %s ± %s at %s %s, %s.", signedDuration(at.TotalNS), duration(at.TotalHalfNS),
		paramValue(at.X), literal(param), strings.Join(parts, "; "))
	switch {
	case at.TotalNS == 0:
		return out + " There is no difference to attribute."
	case at.Cause >= 0 && at.Parts[at.Cause].Name == analysis.PartPerUnit:
		return out + fmt.Sprintf(" So the difference is in the cost per %s.", unit)
	case at.Cause >= 0:
		return out + " So the difference is mostly a fixed cost, paid once per run (start-up or tear-down)."
	}
	if !at.TotalClear {
		return out + " Not attributable: the difference itself is within the noise (zero is inside its interval)."
	}
	var why []string
	for _, p := range at.Parts {
		switch {
		case !p.HasInterval:
			why = append(why, fmt.Sprintf("the %s has no interval to judge it by", name(p)))
		case !p.SameSign:
			why = append(why, fmt.Sprintf("the %s has the opposite sign", name(p)))
		case p.Exceeds:
			why = append(why, fmt.Sprintf("the %s is larger than the whole difference beyond the intervals, so the parts, measured in other runs, do not add up to this run's difference", name(p)))
		case !p.Most:
			why = append(why, fmt.Sprintf("the %s is not shown to explain more than %.0f%% of it", name(p), 100*analysis.MostShare))
		default:
			why = append(why, fmt.Sprintf("the %s would explain it too", name(p)))
		}
	}
	return out + " Not attributable: " + strings.Join(why, "; ") + "."
}

// signedPercent formats a share as a signed percentage: "−319%", "+87%".
func signedPercent(f float64) string {
	if math.Abs(100*f) < 0.5 {
		return "0%"
	}
	s := fmt.Sprintf("%+.0f%%", 100*f)
	return strings.Replace(s, "-", "−", 1)
}

// signedDuration formats a signed time difference.
func signedDuration(ns float64) string {
	if ns < 0 {
		return "−" + duration(-ns)
	}
	return "+" + duration(ns)
}
