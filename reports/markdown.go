package reports

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"benchlab/analysis"
	"benchlab/experiments"
)

// Markdown renders the report as GitHub-flavoured Markdown, reading like a
// short paper: the question, the reproduced table beside the published
// one, whether the differences are real, the sweep's fixed and per-call
// costs, instruction counts, answers to the source's open questions, then
// the caveats, machine, toolchains and run. charts names the PNG files
// rendered beside it (ChartName, DistributionName, SweepName); a chart not
// named is left out.
func (r *Report) Markdown(charts ...string) []byte {
	var b strings.Builder
	chart := ""
	if slices.Contains(charts, ChartName) {
		chart = ChartName
	}
	r.writeHeader(&b)
	r.writeResults(&b, chart)
	r.writeTests(&b, slices.Contains(charts, DistributionName))
	r.writeSweep(&b, slices.Contains(charts, SweepName))
	r.writeCounts(&b)
	r.writeAnswers(&b)
	r.writeWarnings(&b)
	r.writeFailures(&b)
	r.writeMachine(&b)
	r.writeToolchains(&b)
	r.writeRun(&b)
	r.writeArtifacts(&b)
	return []byte(b.String())
}

func (r *Report) writeHeader(b *strings.Builder) {
	run, e := r.Run, r.Experiment
	title := run.Title
	if e != nil && e.Title != "" {
		title = e.Title
	}
	if title == "" {
		title = run.Experiment
	}
	fmt.Fprintf(b, "# %s\n\n", oneLine(title))
	if !run.Complete {
		fmt.Fprintf(b, "> [!WARNING]\n> **Incomplete run.** It was interrupted after %d trials; the figures below cover only the trials finished before it stopped.\n\n", len(run.Trials))
	}
	fmt.Fprintf(b, "Experiment %s, run %s", code(run.Experiment), code(run.ID))
	if !run.Started.IsZero() {
		fmt.Fprintf(b, " of %s", run.Started.UTC().Format("2006-01-02"))
	}
	fmt.Fprintf(b, ", on machine %s.\n", code(run.Machine.ID))
	if e == nil {
		b.WriteString("\n")
		return
	}
	if e.Source != "" {
		src := oneLine(e.Source)
		if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
			src = "<" + src + ">"
		}
		fmt.Fprintf(b, "Source: %s\n", src)
	}
	b.WriteString("\n")
	if q := strings.TrimSpace(e.Question); q != "" {
		for _, l := range strings.Split(q, "\n") {
			fmt.Fprintf(b, "> %s\n", strings.TrimRight(l, " \t\r"))
		}
		b.WriteString("\n")
	}
}

func (r *Report) writeResults(b *strings.Builder, chart string) {
	run := r.Run
	b.WriteString("## Results\n\n")
	fmt.Fprintf(b, "Wall time of each strategy over its counted runs (%d planned, after %s), ",
		run.Settings.Runs, plural(run.Settings.Warmup, "warm-up run"))
	switch {
	case r.Baseline == "":
		b.WriteString("with no ratios: no strategy has counted runs.")
	case r.BaselineFastest:
		fmt.Fprintf(b, "and its **ratio**: its mean time divided by that of the fastest strategy, %s (no baseline is set), ", code(r.Baseline))
	default:
		fmt.Fprintf(b, "and its **ratio**: its mean time divided by that of the baseline, %s, ", code(r.Baseline))
	}
	if r.Baseline != "" {
		b.WriteString("so above 1 is slower.")
	}
	b.WriteString(" Brackets are 95% confidence intervals: the mean's and the ratio's from the percentile bootstrap (10,000 resamples, fixed seed), the median's from order statistics (distribution-free; its coverage is stated when too few runs reach 95%). σ is the sample standard deviation. Outliers are classified by Tukey's fences (mild beyond 1.5 IQR, severe beyond 3) and kept in every figure.")
	hasPub := slices.ContainsFunc(r.Rows, func(row Row) bool { return row.Published != nil })
	if hasPub {
		b.WriteString(" " + r.publishedSentence())
		fmt.Fprintf(b, " **Δ ratio** is reproduced minus published ratio ± their combined σ; ⚠ marks a difference beyond both %g combined σ and %g%% of the published ratio.",
			analysis.NotableSigmas, 100*analysis.NotableRelative)
	}
	b.WriteString("\n\n")

	head := []string{"strategy", "mean [95% CI]", "median [95% CI]", "σ", "runs", "outliers mild/severe", "ratio [95% CI]"}
	align := []string{":--", "--:", "--:", "--:", "--:", "--:", "--:"}
	if hasPub {
		head = append(head, "published mean ± σ", "published ratio ± σ", "Δ ratio")
		align = append(align, "--:", "--:", "--:")
	}
	writeRow(b, head)
	writeRow(b, align)
	for _, row := range r.Rows {
		cells := []string{cell(row.Strategy)}
		cells = append(cells, intervalCells(row.Summary)...)
		cells = append(cells, runsCell(row.Summary), outliersCell(row.Summary), r.ratioCIcell(row))
		if hasPub {
			cells = append(cells, publishedCell(row.Published),
				r.ratioCell(row, row.PublishedRatio, row.HasPublishedRatio), r.deltaCell(row))
		}
		writeRow(b, cells)
	}
	b.WriteString("\n")

	if chart != "" && r.Baseline != "" {
		fmt.Fprintf(b, "![Mean time of each strategy relative to %s: reproduced with 95%% CI, published with ± σ](%s)\n\n", r.Baseline, chart)
		fmt.Fprintf(b, "Bars start at the baseline's 1×: up is slower than %s, down is faster; the scale is logarithmic. Reproduced bars carry their 95%% bootstrap interval, published ones ± σ (all the source gives).\n\n", r.Baseline)
	}
	r.writeStrategies(b)

	b.WriteString("### CPU time and memory\n\n")
	b.WriteString("Means over the counted runs; max RSS is the largest peak resident set of any counted run.\n\n")
	writeRow(b, []string{"strategy", "user", "system", "max RSS"})
	writeRow(b, []string{":--", "--:", "--:", "--:"})
	for _, row := range r.Rows {
		s := row.Summary
		if s.N == 0 {
			writeRow(b, []string{cell(s.Strategy), none, none, none})
			continue
		}
		u := unitFor(s.MeanNS)
		writeRow(b, []string{cell(s.Strategy), u.format(s.UserMeanNS), u.format(s.SysMeanNS), kib(s.MaxRSSKiB)})
	}
	b.WriteString("\n")
}

// publishedSentence says where the published figures come from.
func (r *Report) publishedSentence() string {
	var machines, tools []string
	runs := map[int]bool{}
	for _, row := range r.Rows {
		if p := row.Published; p != nil {
			if p.Machine != "" && !slices.Contains(machines, p.Machine) {
				machines = append(machines, p.Machine)
			}
			runs[p.Runs] = true
		}
	}
	if r.Experiment != nil && r.Experiment.Reference.Tool != "" {
		tools = append(tools, r.Experiment.Reference.Tool)
	}
	var each string // "10 runs each", when all figures agree on a count
	if len(runs) == 1 {
		for n := range runs {
			if n > 0 {
				each = fmt.Sprintf("%d runs each", n)
			}
		}
	}
	if len(tools) == 0 && len(machines) == 0 && each == "" {
		return "The published figures are those of the experiment file."
	}
	s := "The published figures were measured"
	if len(tools) > 0 {
		s += " with " + strings.Join(tools, ", ")
	}
	if each != "" {
		s += ", " + each
	}
	if len(machines) > 0 {
		s += ", on " + strings.Join(machines, "; ")
	}
	return oneLine(s) + "."
}

func writeRow(b *strings.Builder, cells []string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" " + c + " |")
	}
	b.WriteString("\n")
}

// timeCells formats mean ± σ, median and min … max in the unit of the mean.
func timeCells(s analysis.Summary) []string {
	if s.N == 0 {
		return []string{none, none, none}
	}
	u := unitFor(s.MeanNS)
	mean := u.number(s.MeanNS) + " ± " + u.format(s.StddevNS)
	if !s.HasStddev() {
		mean = u.format(s.MeanNS) + " (no σ)"
	}
	return []string{mean, u.format(s.MedianNS), u.number(s.MinNS) + " … " + u.format(s.MaxNS)}
}

func runsCell(s analysis.Summary) string {
	if s.Failed > 0 {
		return fmt.Sprintf("%d (%d failed)", s.N, s.Failed)
	}
	return strconv.Itoa(s.N)
}

func (r *Report) ratioCell(row Row, v analysis.Ratio, ok bool) string {
	switch {
	case !ok:
		return none
	case r.IsBaseline(row):
		return "1 (baseline)"
	}
	return ratio(v)
}

func (r *Report) deltaCell(row Row) string {
	if !row.HasDelta || r.IsBaseline(row) {
		return none
	}
	s := delta(row.Delta)
	if row.Delta.Notable {
		s += " ⚠"
	}
	return s
}

func publishedCell(f *experiments.Figure) string {
	if f == nil {
		return none
	}
	mean, sd := 1e9*f.Seconds(f.Mean), 1e9*f.Seconds(f.Stddev)
	u := unitFor(mean)
	return u.number(mean) + " ± " + u.format(sd)
}

func (r *Report) writeWarnings(b *strings.Builder) {
	b.WriteString("## Warnings\n\n")
	n := 0
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "- %s\n", oneLine(w))
		n++
	}
	for _, row := range r.Rows {
		for _, w := range row.Warnings {
			fmt.Fprintf(b, "- %s: %s\n", code(row.Strategy), oneLine(w))
			n++
		}
	}
	if n == 0 {
		b.WriteString("None.\n")
	}
	b.WriteString("\n")
}

func (r *Report) writeFailures(b *strings.Builder) {
	first := true
	for _, row := range r.Rows {
		if strings.TrimSpace(row.Failure) == "" {
			continue
		}
		if first {
			b.WriteString("## Failures\n\nThe first failed trial of each strategy: its exit status and the end of its standard error.\n\n")
			first = false
		}
		fmt.Fprintf(b, "%s:\n\n%s\n", code(row.Strategy), fenced(row.Failure))
	}
}

func (r *Report) writeMachine(b *strings.Builder) {
	m := r.Run.Machine
	b.WriteString("## Machine\n\n")
	writeRow(b, []string{"", ""})
	writeRow(b, []string{":--", ":--"})
	osArch := m.OS
	if m.Arch != "" {
		osArch = strings.TrimSpace(osArch + " (" + m.Arch + ")")
	}
	for _, kv := range [][2]string{
		{"machine ID", code(m.ID)},
		{"CPU", orNone(m.CPUModel)},
		{"CPUs", strconv.Itoa(m.CPUs)},
		{"memory", kib(m.MemoryKiB)},
		{"OS", orNone(osArch)},
		{"kernel", orNone(m.Kernel)},
	} {
		writeRow(b, []string{kv[0], kv[1]})
	}
	b.WriteString("\n")
}

func (r *Report) writeToolchains(b *strings.Builder) {
	b.WriteString("## Toolchains and dependencies\n\n")
	if len(r.Run.Toolchains) == 0 && len(r.Run.Dependencies) == 0 {
		b.WriteString("None recorded.\n\n")
		return
	}
	writeMap(b, "tool", r.Run.Toolchains)
	writeMap(b, "package", r.Run.Dependencies)
	if len(r.Run.Recorded) > 0 {
		var names []string
		for _, f := range r.Run.Recorded {
			names = append(names, code(f.Path))
		}
		fmt.Fprintf(b, "Archived with the run: %s.\n\n", strings.Join(names, ", "))
	}
}

// writeMap writes a two-column table of m sorted by key, nothing if empty.
func writeMap(b *strings.Builder, key string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	writeRow(b, []string{key, "version"})
	writeRow(b, []string{":--", ":--"})
	for _, k := range slices.Sorted(maps.Keys(m)) {
		writeRow(b, []string{cell(k), cell(m[k])})
	}
	b.WriteString("\n")
}

func (r *Report) writeRun(b *strings.Builder) {
	run, s := r.Run, r.Run.Settings
	b.WriteString("## Run\n\n")
	writeRow(b, []string{"", ""})
	writeRow(b, []string{":--", ":--"})
	finished := timestamp(run.Finished)
	if !run.Started.IsZero() && !run.Finished.IsZero() {
		finished += fmt.Sprintf(" (took %s)", run.Finished.Sub(run.Started).Round(time.Second))
	}
	complete := "yes"
	if !run.Complete {
		complete = "no: interrupted"
	}
	pin := "not pinned"
	if len(s.Pin) > 0 {
		var cpus []string
		for _, c := range s.Pin {
			cpus = append(cpus, strconv.Itoa(c))
		}
		pin = strings.Join(cpus, ", ")
	}
	timeout := none
	if s.TimeoutNS > 0 {
		timeout = time.Duration(s.TimeoutNS).String()
	}
	baseline := "none set"
	if s.Baseline != "" {
		baseline = code(s.Baseline)
	}
	lab := orNone(run.Lab.Version)
	if run.Lab.Commit != "" {
		lab += ", commit " + code(run.Lab.Commit)
	}
	if run.Lab.GoVersion != "" {
		lab += ", " + run.Lab.GoVersion
	}
	for _, kv := range [][2]string{
		{"run ID", code(run.ID)},
		{"started", timestamp(run.Started)},
		{"finished", finished},
		{"complete", complete},
		{"warm-up runs per strategy", strconv.Itoa(s.Warmup)},
		{"counted runs per strategy", strconv.Itoa(s.Runs)},
		{"CPUs pinned", pin},
		{"trial timeout", timeout},
		{"baseline", baseline},
		{"trials archived", strconv.Itoa(len(run.Trials))},
		{"benchlab", lab},
	} {
		writeRow(b, []string{kv[0], kv[1]})
	}
	b.WriteString("\n")
}

func (r *Report) writeArtifacts(b *strings.Builder) {
	b.WriteString("## Build artifacts\n\n")
	if len(r.Run.Artifacts) == 0 {
		b.WriteString("None recorded.\n")
		return
	}
	writeRow(b, []string{"path", "size", "sha256"})
	writeRow(b, []string{":--", "--:", ":--"})
	for _, a := range r.Run.Artifacts {
		sum := a.SHA256
		if len(sum) > 12 {
			sum = sum[:12]
		}
		writeRow(b, []string{cell(a.Path), size(a.Size), code(sum)})
	}
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return none
	}
	return t.UTC().Format("2006-01-02 15:04:05 MST")
}

// plural formats a count of things: "1 run", "2 runs".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

func orNone(s string) string {
	if s = cell(s); s == "" {
		return none
	}
	return s
}
