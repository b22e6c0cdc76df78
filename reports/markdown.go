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
	"benchlab/results"
)

// Markdown renders the report as GitHub-flavoured Markdown, reading like a
// short paper: the question, the reproduced table beside the published
// one, whether the differences are real, the sweep's fixed and per-call
// costs, instruction counts, answers to the source's open questions, then
// the history of earlier runs, the caveats, machine, toolchains and run.
// charts names the PNG files rendered beside it (ChartName,
// DistributionName, SweepName, HistoryName); a chart not named is left out.
func (r *Report) Markdown(charts ...string) []byte {
	var b strings.Builder
	chart := ""
	if slices.Contains(charts, ChartName) {
		chart = ChartName
	}
	r.writeHeader(&b)
	r.writeResults(&b, chart)
	r.writeTests(&b, slices.Contains(charts, DistributionName))
	r.writePairs(&b, slices.Contains(charts, PairsName))
	r.writeSweep(&b, slices.Contains(charts, SweepName))
	r.writeCounts(&b)
	r.writeProfile(&b)
	r.writeAnswers(&b)
	if r.History != nil {
		r.History.writeSection(&b, slices.Contains(charts, HistoryName))
	}
	r.writeMachines(&b, slices.Contains(charts, MachinesName))
	r.writeWarnings(&b)
	r.writeFailures(&b)
	r.writeMachine(&b)
	r.writeToolchains(&b)
	r.writeRun(&b)
	r.writeArtifacts(&b)
	return []byte(Visible(b.String()))
}

// Noisy reports whether the run broke its noise gate (results.Noise):
// the report then says so at the top and answers no open question.
func (r *Report) Noisy() bool { return r.Run.Noise != nil && r.Run.Noise.Noisy }

// NotAnswered is what a noisy run's report gives for an open question.
const NotAnswered = "Not answered: the run was noisy (see the top of this report)."

func (r *Report) writeHeader(b *strings.Builder) {
	run, e := r.Run, r.Experiment
	title := run.Title
	if e != nil && e.Title != "" {
		title = e.Title
	}
	if title == "" {
		title = run.Experiment
	}
	fmt.Fprintf(b, "# %s\n\n", markdown(title))
	if r.Noisy() {
		b.WriteString("> [!CAUTION]\n> **Noisy run.** The host broke the noise gate's limits (`[host]` `max_load`, `max_busy`) before or during the trials, so the times below may include other programs' work, and the open questions are not answered from this run. Run it again on a quieter machine, or with `benchlab run --wait-quiet`.\n>\n")
		for _, reason := range run.Noise.Reasons {
			fmt.Fprintf(b, "> - %s\n", markdown(reason))
		}
		b.WriteString("\n")
	}
	if r.Speed.Changed() {
		// Beside the figures it qualifies, not among the warnings below them.
		fmt.Fprintf(b, "> [!WARNING]\n> **The host's speed changed during the trials:** %s.\n\n", markdown(speedWarning(r.Speed)))
	}
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
		fmt.Fprintf(b, "Source: %s\n", source(e.Source))
	}
	b.WriteString("\n")
	if q := strings.TrimSpace(e.Question); q != "" {
		// Each paragraph on one line, so that no line of it can start a
		// heading, list or code block.
		for i, para := range paragraphs(q) {
			if i > 0 {
				b.WriteString(">\n")
			}
			fmt.Fprintf(b, "> %s\n", markdown(para))
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
	case r.Paired:
		b.WriteString("with no ratio to a common strategy: the experiment compares each strategy with the one it is paired with, below.")
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
	fmt.Fprintf(b, " Brackets are 95%% confidence intervals: the mean's from Student's t, the ratio's from the percentile bootstrap (%s resamples, fixed seed; for a pair of strategies with more than %s trials between them, from the normal approximation of the log ratio of means instead), the median's from order statistics (distribution-free; its coverage is stated when too few runs reach 95%%). σ is the sample standard deviation. Outliers are classified by Tukey's fences (mild beyond %g IQR, severe beyond %g; %s; a sample whose quartiles are equal, as quantised times can be, has no fences and no outliers) and kept in every figure.",
		thousands(analysis.Resamples), thousands(analysis.BootstrapMaxN), analysis.MildFence, analysis.OutlierFence, analysis.QuartileMethod)
	hasPub := slices.ContainsFunc(r.Rows, func(row Row) bool { return row.Published != nil })
	if hasPub {
		b.WriteString(" " + r.publishedSentence())
		fmt.Fprintf(b, " **Δ ratio** is reproduced minus published ratio ± their combined σ; ⚠ marks a difference beyond both %g combined σ and %g%% of the published ratio.",
			analysis.NotableSigmas, 100*analysis.NotableRelative)
	}
	b.WriteString("\n\n")

	head := []string{"strategy", "mean [95% CI]", "median [95% CI]", "σ", "runs", "outliers mild/severe"}
	align := []string{":--", "--:", "--:", "--:", "--:", "--:"}
	if r.Baseline != "" {
		head, align = append(head, "ratio [95% CI]"), append(align, "--:")
	}
	if hasPub {
		head = append(head, "published mean ± σ", "published ratio ± σ", "Δ ratio")
		align = append(align, "--:", "--:", "--:")
	}
	writeRow(b, head)
	writeRow(b, align)
	for _, row := range r.Rows {
		cells := []string{cell(row.Strategy)}
		cells = append(cells, intervalCells(row.Summary)...)
		cells = append(cells, runsCell(row.Summary), outliersCell(row.Summary))
		if r.Baseline != "" {
			cells = append(cells, r.ratioCIcell(row))
		}
		if hasPub {
			cells = append(cells, publishedCell(row.Published),
				r.ratioCell(row, row.PublishedRatio, row.HasPublishedRatio), r.deltaCell(row))
		}
		writeRow(b, cells)
	}
	b.WriteString("\n")

	if chart != "" && r.Baseline != "" {
		fmt.Fprintf(b, "![Mean time of each strategy relative to %s: reproduced with 95%% CI, published with ± σ](%s)\n\n", literal(r.Baseline), chart)
		fmt.Fprintf(b, "Bars start at the baseline's 1×: up is slower than %s, down is faster; the scale is logarithmic. Reproduced bars carry their 95%% bootstrap interval, published ones ± σ (all the source gives).\n\n", code(r.Baseline))
	}
	r.writeStrategies(b)

	b.WriteString("### CPU time and memory\n\n")
	b.WriteString(memoryNote(r.Run))
	writeRow(b, []string{"strategy", "user", "system", "peak memory"})
	writeRow(b, []string{":--", "--:", "--:", "--:"})
	for _, row := range r.Rows {
		s := row.Summary
		if s.N == 0 {
			writeRow(b, []string{cell(s.Strategy), none, none, none})
			continue
		}
		u := unitFor(s.MeanNS)
		user, sys, rss := none, none, none
		if s.CPUKnown {
			user, sys = u.format(s.UserMeanNS), u.format(s.SysMeanNS)
		}
		if s.RSSKnown {
			rss = kib(s.MaxRSSKiB)
		}
		writeRow(b, []string{cell(s.Strategy), user, sys, rss})
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
	return literal(s) + "."
}

func writeRow(b *strings.Builder, cells []string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" " + c + " |")
	}
	b.WriteString("\n")
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
		fmt.Fprintf(b, "- %s\n", literal(w))
		n++
	}
	for _, row := range r.Rows {
		for _, w := range row.Warnings {
			fmt.Fprintf(b, "- %s: %s\n", code(row.Strategy), literal(w))
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
		fmt.Fprintf(b, "Strategy %s:\n\n%s\n", code(row.Strategy), fenced(row.Failure))
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
		{"machine ID", codeCell(m.ID)},
		{"CPU", orNone(m.CPUModel)},
		{"CPUs", orZero(m.CPUs, strconv.Itoa(m.CPUs))},
		{"memory", orZero(m.MemoryKiB, kib(m.MemoryKiB))},
		{"OS", orNone(osArch)},
		{"kernel", orNone(m.Kernel)},
	} {
		writeRow(b, []string{kv[0], kv[1]})
	}
	b.WriteString("\n")
	if r.Run.Imported != nil {
		b.WriteString("The run was imported, so this is all that is known of its machine: the ID stands for the importer's note, not for a fingerprint of the hardware.\n\n")
	}
	r.writeNoise(b)
}

// writeNoise writes what could have made the host noisy, as read before
// the trials and measured over them.
func (r *Report) writeNoise(b *strings.Builder) {
	b.WriteString("### Host noise, before and during the trials\n\n")
	n := r.Run.Noise
	if n == nil {
		b.WriteString("Not recorded: the run was made before benchlab recorded it, or imported.\n\n")
		if r.Speed.Judged {
			// The trials still tell how the host's speed moved.
			fmt.Fprintf(b, "The host's speed from round to round, from the trials: %s.\n\n", speedCell(r.Speed))
		}
		return
	}
	governors := "— (no cpufreq: a VM, or frequency scaling off)"
	if len(n.Governors) > 0 {
		governors = strings.Join(cells(n.Governors), ", ")
	}
	turbo := "— (not exposed)"
	if n.Turbo != "" {
		turbo = cell(n.Turbo)
	}
	isolated := "none"
	if n.IsolatedCPUs != "" {
		isolated = cell(n.IsolatedCPUs)
	}
	writeRow(b, []string{"", ""})
	writeRow(b, []string{":--", ":--"})
	for _, kv := range [][2]string{
		{"load average (1, 5, 15 min)", fmt.Sprintf("%.2f, %.2f, %.2f on %s", n.LoadAvg[0], n.LoadAvg[1], n.LoadAvg[2], plural(r.Run.Machine.CPUs, "CPU"))},
		{"CPU frequency governor", governors},
		{"turbo / boost", turbo},
		{"ASLR", aslr(n.ASLR)},
		{"isolated CPUs", isolated},
		{"pinned CPUs busy", r.pinnedBusy(n)},
		{"other work during the trials", otherBusy(n)},
		{"the host's steal during the trials", steal(n)},
		{"the host's speed from round to round, from the trials", speedCell(r.Speed)},
		{"noise gate", gate(n)},
	} {
		writeRow(b, []string{kv[0], kv[1]})
	}
	b.WriteString("\n")
}

// otherBusy formats the share of the watched CPUs' time that went to other
// work than the trials.
func otherBusy(n *results.Noise) string {
	if n.OtherBusy == nil {
		return none + " (not measured)"
	}
	return fmt.Sprintf("%.1f%% of the watched CPUs' time", 100**n.OtherBusy)
}

// steal formats the share of the watched CPUs' time a hypervisor gave to
// others during the trials. Its caveat holds whatever the figure: a host
// can slow a guest without stealing from it.
func steal(n *results.Noise) string {
	if n.Steal == nil {
		return none + " (not measured)"
	}
	return fmt.Sprintf("%.2f%% of the watched CPUs' time (counted in the other work above; the host may also slow them in ways no counter shows)", 100**n.Steal)
}

// speedCell says what the rounds showed of the host's speed, with the
// numbers, or why they were not judged (analysis.RoundSpeed).
func speedCell(s analysis.RoundSpeed) string {
	left := ""
	if len(s.LeftOut) > 0 {
		left = fmt.Sprintf("; left out for counted trials in fewer than %d rounds: %s", analysis.MinSpeedRounds, strings.Join(cells(s.LeftOut), ", "))
	}
	if !s.Judged {
		return none + " (not judged: " + s.NotJudged + left + ")"
	}
	test := "over every order of each strategy's rounds"
	switch s.Method {
	case analysis.SpeedPermutation:
		test = fmt.Sprintf("over %d random orders of each strategy's rounds", analysis.PermutationDraws)
	case analysis.SpeedChiSquared:
		test = "its χ² approximation"
	}
	factors := fmt.Sprintf("the rounds' common factor (each strategy's time over its median, the median over strategies) ran from %.3f to %.3f, %.3f× (limit %.2f×; Friedman's test over %d rounds × %d strategies, %s: %s%s)",
		slices.Min(s.Factors), slices.Max(s.Factors), s.Spread, analysis.SpeedSpreadLimit, s.Rounds, s.Strategies, test, pIs(s.P), left)
	verdict := "steady"
	switch {
	case s.Changed():
		verdict = "**changed** (see the top)"
	case s.NotShown():
		verdict = fmt.Sprintf("a change not shown: the spread is above the limit, but the test does not set it apart from the strategies' own noise (p ≥ %g)", analysis.SpeedPLimit)
	}
	return verdict + ": " + factors
}

// cells escapes each of names for a table cell.
func cells(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = cell(n)
	}
	return out
}

// speedWarning says, after "the host's speed changed during the trials:",
// what a run whose rounds changed speed together showed, and what it means.
func speedWarning(s analysis.RoundSpeed) string {
	return fmt.Sprintf("in the %d rounds where the %d strategies judged all ran, they ran slower or faster together, the slowest round %.3f× the fastest (Friedman's test: %s), whatever load, busy CPUs and steal showed. Interleaving spread the change over every strategy, but where it slowed one strategy more than another their ratio depends on how long the host spent slow: run again to see whether the ratios hold",
		s.Rounds, s.Strategies, s.Spread, pIs(s.P))
}

// gate states the noise gate's limits and verdict.
func gate(n *results.Noise) string {
	if n.MaxLoad == 0 && n.MaxBusy == 0 && !n.Noisy {
		return none + " (the run predates it)"
	}
	verdict := "passed"
	if n.Noisy {
		verdict = "**noisy** (see the top)"
	}
	return fmt.Sprintf("%s: load at most %g per CPU, other work at most %.0f%%", verdict, n.MaxLoad, 100*n.MaxBusy)
}

// aslr describes /proc/sys/kernel/randomize_va_space.
func aslr(v int) string {
	switch v {
	case 0:
		return "off (0)"
	case 1:
		return "partial (1: stack, mmap and vDSO)"
	case 2:
		return "full (2)"
	case -1:
		return "— (unreadable)"
	}
	return strconv.Itoa(v)
}

// pinnedBusy formats the busy fraction of each pinned CPU.
func (r *Report) pinnedBusy(n *results.Noise) string {
	if len(n.PinnedBusy) == 0 {
		return "— (not sampled: no CPUs pinned)"
	}
	var parts []string
	for i, f := range n.PinnedBusy {
		name := "CPU ?"
		if i < len(r.Run.Settings.Pin) {
			name = fmt.Sprintf("CPU %d", r.Run.Settings.Pin[i])
		}
		if !finite(f) || f < 0 {
			parts = append(parts, name+" "+none+" (not sampled)")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.1f%%", name, 100*f))
	}
	s := strings.Join(parts, ", ")
	if n.SampleMS > 0 {
		s += fmt.Sprintf(" (over %d ms)", n.SampleMS)
	}
	return s
}

func (r *Report) writeToolchains(b *strings.Builder) {
	b.WriteString("## Toolchains and dependencies\n\n")
	if len(r.Run.Toolchains) == 0 && len(r.Run.Dependencies) == 0 && len(r.Run.Recorded) == 0 {
		b.WriteString("None recorded.\n\n")
		return
	}
	writeMap(b, "tool", r.Run.Toolchains)
	writeMap(b, "package", r.Run.Dependencies)
	if len(r.Run.Recorded) > 0 {
		var names []string
		var short []string
		for _, f := range r.Run.Recorded {
			names = append(names, code(f.Path))
			// A short file (such as the toolchain a build used) is shown,
			// since it may say more than the tools on PATH.
			switch c := strings.TrimSpace(f.Content); {
			case c == "" || len(c) > 1024:
			case !strings.Contains(c, "\n"):
				short = append(short, "- "+code(f.Path)+": "+code(c)+"\n")
			default:
				short = append(short, "- "+code(f.Path)+":\n\n"+indent(fenced(c))+"\n")
			}
		}
		fmt.Fprintf(b, "Archived with the run: %s.\n\n", strings.Join(names, ", "))
		if len(short) > 0 {
			b.WriteString(strings.Join(short, "") + "\n")
		}
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
		baseline = codeCell(s.Baseline)
	}
	lab := orNone(run.Lab.Version)
	if run.Lab.Commit != "" {
		lab += ", commit " + codeCell(run.Lab.Commit)
	}
	if run.Lab.GoVersion != "" {
		lab += ", " + cell(run.Lab.GoVersion)
	}
	for _, kv := range [][2]string{
		{"run ID", codeCell(run.ID)},
		{"started", timestamp(run.Started)},
		{"finished", finished},
		{"complete", complete},
		{"warm-up runs per strategy", strconv.Itoa(s.Warmup)},
		{"counted runs per strategy", strconv.Itoa(s.Runs)},
		{"CPUs pinned", pin},
		{"trial timeout", timeout},
		{"baseline", baseline},
		{"trial order", orderCell(s.Order)},
		{"peak memory by", memoryCell(run)},
		{"build parameters", buildParameters(run.Parameters)},
		{"trials archived", strconv.Itoa(len(run.Trials))},
		{"benchlab", lab},
		{"toolchains", environment(run)},
		{"imported", imported(run.Imported)},
	} {
		writeRow(b, []string{kv[0], kv[1]})
	}
	b.WriteString("\n")
	if env := run.Environment; env.Pinned && len(env.StorePaths) > 0 {
		b.WriteString("Nix store paths of the pinned toolchains:\n\n")
		writeRow(b, []string{"tool", "store path"})
		writeRow(b, []string{":--", ":--"})
		for _, k := range slices.Sorted(maps.Keys(env.StorePaths)) {
			writeRow(b, []string{cell(k), codeCell(env.StorePaths[k])})
		}
		b.WriteString("\n")
	}
	if run.Imported != nil {
		b.WriteString(importCaveats)
	}
}

// environment says whether the run's toolchains were pinned.
func environment(run *results.Run) string {
	env := run.Environment
	switch {
	case run.Imported != nil && !env.Pinned:
		return "unknown: imported"
	case !env.Pinned:
		return "not pinned (no Nix): the versions above are what the host had"
	case env.Nixpkgs == "":
		return "pinned by Nix (nixpkgs revision not recorded)"
	}
	return "pinned by Nix: nixpkgs " + codeCell(env.Nixpkgs)
}

// imported says where an imported run came from.
func imported(im *results.Import) string {
	if im == nil {
		return "no: measured by benchlab"
	}
	tool := im.Tool
	if tool == "" {
		tool = "another tool"
	}
	s := "yes: from " + cell(tool) + " export " + codeCell(im.File) + ", sha256 " + codeCell(im.SHA256)
	if im.Note != "" {
		s += "; machine note: " + cell(im.Note)
	}
	return s
}

// importCaveats is what an imported run cannot say.
const importCaveats = `Caveats of an imported run: benchlab did not measure it. Its machine has no fingerprint, only the importer's note; no noise record, CPU pinning, warm-up count, toolchain or build is known; the started time is the imported file's modification time; and hyperfine exports only each command's mean user and system time (shown as such; per-run CPU times are unknown) and, before 1.17, no memory (shown as —). Compare its ratios, not its absolute times, with runs on other machines.

`

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
		writeRow(b, []string{cell(a.Path), size(a.Size), codeCell(sum)})
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

// source formats an experiment's source: an http(s) URL as an autolink
// when nothing in it could end the link early or open HTML, anything
// else as literal text.
func source(s string) string {
	s = oneLine(s)
	if (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " <>\"'`\\") {
		return "<" + s + ">"
	}
	return literal(s)
}

// paragraphs splits s at blank lines.
func paragraphs(s string) []string {
	var out []string
	var cur []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if strings.TrimSpace(l) == "" {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, " "))
				cur = nil
			}
			continue
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

// orZero is s, or an em dash when n is 0 (unknown, as for an imported
// run's machine).
func orZero[T int | int64](n T, s string) string {
	if n == 0 {
		return none
	}
	return s
}

// buildParameters lists the build-time parameter values a run was built
// with, such as the toolchain, so that a report says which build it shows.
func buildParameters(params map[string]string) string {
	if len(params) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(params)) {
		parts = append(parts, codeCell(k+"="+params[k]))
	}
	return strings.Join(parts, ", ")
}

// indent indents every line of s by two spaces, nesting a block in a list
// item.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	d := strconv.Itoa(n)
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	return d
}
