package reports

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"benchlab/analysis"
	"benchlab/experiments"
	"benchlab/results"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// An experiment's history: how each strategy's median moved from run to
// run on one machine. Only runs that measure the same thing are set side
// by side: complete timed runs comparable with the newest in everything,
// parameters included (analysis.MachineHistory). The text (HistoryText), the
// chart (History.Chart), the report's section and the `benchlab history
// --out` page (HistoryFiles) all come from here.

// The names of the history files.
const (
	HistoryName     = "history.png" // in a report's folder
	HistoryPageName = "history.md"  // written by `benchlab history --out`
	minHistoryRuns  = analysis.MinHistoryRuns
	historyTicks    = 8                     // at most this many labelled runs on the x axis
	historyLegendW  = 2.2 * vg.Inch         // the most the legend beside the chart takes
	historyHeight   = ChartHeight + vg.Inch // room for two-line x labels
)

// History is one machine's comparable runs of an experiment, oldest first,
// with every strategy's summary in each.
type History struct {
	// Machine is the machine ID the runs share.
	Machine string
	// Runs are the runs, oldest first.
	Runs []*results.Run
	// Strategies names every strategy of any run, in first-seen order.
	Strategies []string
	// Sums holds, per run, each strategy's summary by name.
	Sums []map[string]analysis.Summary
	// Prev holds, per run, the index of the earlier run a change is
	// measured from (analysis.PreviousComparable), or -1.
	Prev []int

	tested map[analysis.Change]analysis.Comparison // changes, once computed
}

// NewHistory summarizes runs (one machine's comparable runs, oldest
// first): each is compared with the one before it.
func NewHistory(runs []*results.Run) *History {
	prev := make([]int, len(runs))
	for i := range prev {
		prev[i] = i - 1
	}
	return newHistory(runs, prev)
}

func newHistory(runs []*results.Run, prev []int) *History {
	h := &History{Runs: runs, Prev: prev}
	if len(runs) > 0 {
		h.Machine = runs[0].Machine.ID
	}
	for _, run := range runs {
		sums := map[string]analysis.Summary{}
		for _, s := range analysis.Summarize(run) {
			if !slices.Contains(h.Strategies, s.Strategy) {
				h.Strategies = append(h.Strategies, s.Strategy)
			}
			sums[s.Strategy] = s
		}
		h.Sums = append(h.Sums, sums)
	}
	return h
}

// machineIDs returns the machine IDs of runs in the order they first appear.
func machineIDs(runs []analysis.RunInfo) []string {
	var ms []string
	for _, info := range runs {
		if !slices.Contains(ms, info.Run.Machine.ID) {
			ms = append(ms, info.Run.Machine.ID)
		}
	}
	return ms
}

// AddHistory attaches the history of runs (Selection.History) to the
// report. Nothing is attached with fewer than two runs, or when the
// report's run is not among them (an older run or other parameters
// reported with --run): the section places this run among the others.
func (r *Report) AddHistory(runs []*results.Run) {
	if len(runs) >= minHistoryRuns && slices.ContainsFunc(runs, func(h *results.Run) bool { return h.ID == r.Run.ID }) {
		r.History = NewHistory(runs)
	}
}

// HistoryChartName is the file name of machine's chart on the
// `benchlab history --out` page.
func HistoryChartName(machine string) string { return "history-" + machine + ".png" }

// HistoryFiles renders the `benchlab history --out` page of experiment
// from runs (its runs on every machine, oldest first): history.md, then
// one chart per machine with a comparable run (HistoryChartName). Machine
// IDs are checked as archive names, so that a chart's name stays in its
// folder.
func HistoryFiles(experiment string, runs []analysis.RunInfo) ([]File, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# History of %s\n\n", literal(experiment))
	b.WriteString("Each strategy's median wall time per machine, oldest run first, in the complete runs comparable with the machine's newest run at the experiment's default parameters: the same kernel version, toolchains, dependencies, experiment definition and build parameters (see results/README.md, \"Comparable evidence\"); other runs, interrupted or noisy runs and instruction counts are left out. " + historyLegend + "\n\n")
	var charts []File
	for _, m := range machineIDs(runs) {
		if err := results.CheckName("machine", m); err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "## Machine %s\n\n", code(m))
		hr := analysis.MachineHistory(runs, m)
		if len(hr) == 0 {
			b.WriteString("No complete run at the default parameters.\n\n")
			continue
		}
		h := NewHistory(hr)
		png, err := h.Chart()
		if err != nil {
			return nil, fmt.Errorf("machine %s: %w", m, err)
		}
		name := HistoryChartName(m)
		charts = append(charts, File{Name: name, Data: png})
		fmt.Fprintf(&b, "![Median wall time of each strategy per run on %s, with 95%% intervals](%s)\n\n", literal(m), name)
		h.writeTable(&b)
	}
	return append([]File{{Name: HistoryPageName, Data: []byte(b.String())}}, charts...), nil
}

// historyLegend explains the history tables.
var historyLegend = fmt.Sprintf("Brackets are the median's 95%% confidence interval (order statistics); ▲ marks a significant slowdown from the run before, ▼ a speed-up (two-sided Mann-Whitney U test, α = %g after Holm–Bonferroni over every such test of the table; the p shown is the adjusted one).", analysis.Alpha)

// writeSection writes the report's history section.
func (h *History) writeSection(b *strings.Builder, chart bool) {
	b.WriteString("## History\n\n")
	fmt.Fprintf(b, "This run among the %d complete runs of the experiment comparable with it on machine %s (the same kernel version, toolchains, dependencies, experiment definition and build parameters; quiet), oldest first: each strategy's median wall time per run. %s\n\n",
		len(h.Runs), code(h.Machine), historyLegend)
	if chart {
		fmt.Fprintf(b, "![Median wall time of each strategy per run, with 95%% intervals](%s)\n\n", HistoryName)
	}
	h.writeTable(b)
}

// writeTable writes one row per run: its start, ID and each strategy's
// median [95% CI] with its change mark.
func (h *History) writeTable(b *strings.Builder) {
	head := []string{"#", "started (UTC)", "run"}
	align := []string{"--:", ":--", ":--"}
	for _, n := range h.Strategies {
		head = append(head, codeCell(n))
		align = append(align, "--:")
	}
	writeRow(b, head)
	writeRow(b, align)
	for i, run := range h.Runs {
		cells := []string{fmt.Sprint(i + 1), timestamp(run.Started), codeCell(run.ID)}
		for _, n := range h.Strategies {
			s, ok := h.Sums[i][n]
			if !ok || s.N == 0 {
				cells = append(cells, none)
				continue
			}
			u := unitFor(s.MedianNS)
			c := u.format(s.MedianNS)
			if iv := u.interval(s.MedianCI); iv != "" {
				c += " " + iv
			}
			if m := h.mark(i, n); m != "" {
				c += " " + m
			}
			cells = append(cells, c)
		}
		writeRow(b, cells)
	}
	b.WriteString("\n")
}

// mark is "▲ p<0.001" or "▼ p=0.03" when strategy's times in run i differ
// significantly from those in the latest earlier comparable run that has
// it (following Prev), after Holm's correction over every such test of the
// history (changes); else "". The p shown is the adjusted one, which
// decided the mark.
func (h *History) mark(i int, strategy string) string {
	c, ok := h.changes()[analysis.Change{Run: i, Strategy: strategy}]
	if !ok || !c.Significant {
		return ""
	}
	mark := "▲"
	if c.CliffsDelta < 0 {
		mark = "▼"
	}
	return mark + " " + strings.ReplaceAll(pIs(c.AdjustedP), " ", "")
}

// changes are the history's tests of change (analysis.HistoryChanges),
// computed once per History.
func (h *History) changes() map[analysis.Change]analysis.Comparison {
	if h.tested == nil {
		h.tested = analysis.HistoryChanges(h.Sums, h.Strategies, h.Prev)
	}
	return h.tested
}

// Chart draws each strategy's median per run, with its 95% interval as an
// error bar, against the run's number and start date, as a PNG of
// ChartWidth wide at ChartDPI; the legend stands to the right of the plot.
// The time axis is logarithmic when the highest interval end is 10 times
// the lowest or more. The same history always gives the same bytes.
func (h *History) Chart() ([]byte, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, sums := range h.Sums {
		for _, s := range sums {
			if s.N == 0 {
				continue
			}
			l, u := s.MedianNS, s.MedianNS
			if s.MedianCI.OK {
				l, u = math.Min(l, s.MedianCI.Lo), math.Max(u, s.MedianCI.Hi)
			}
			lo, hi = math.Min(lo, l), math.Max(hi, u)
		}
	}
	if math.IsInf(lo, 1) {
		return nil, ErrNothingToPlot
	}
	u := unitFor(lo)
	logScale := lo > 0 && hi >= 10*lo
	yLabel := "median wall time (" + u.name + ")"
	if logScale {
		yLabel += ", log scale"
	}
	title := "Median per run"
	if h.Machine != "" {
		title += " on " + h.Machine
	}
	p := styled(title, "run number and start date (UTC), oldest first", yLabel)
	if logScale {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = timeTicks{}
	}
	p.X.Tick.Marker = runTicks(h.Runs)
	n, k := len(h.Runs), len(h.Strategies)
	width := math.Min(0.06, 0.4/float64(k)) // sideways step between strategies, so that error bars do not hide each other
	for j, name := range h.Strategies {
		col := palette[j%len(palette)]
		dx := (float64(j) - float64(k-1)/2) * width
		var pts plotter.XYs
		var errs plotter.YErrors
		for i := range h.Runs {
			s, ok := h.Sums[i][name]
			if !ok || s.N == 0 {
				continue
			}
			below, above := 0.0, 0.0
			if s.MedianCI.OK {
				below, above = (s.MedianNS-s.MedianCI.Lo)/u.ns, (s.MedianCI.Hi-s.MedianNS)/u.ns
			}
			pts = append(pts, plotter.XY{X: float64(i) + dx, Y: s.MedianNS / u.ns})
			errs = append(errs, struct{ Low, High float64 }{math.Max(0, below), math.Max(0, above)})
		}
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.2)}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: vg.Points(2.5), Color: col}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{pts, errs})
		if err != nil {
			return nil, err
		}
		eb.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1)}
		eb.CapWidth = vg.Points(5)
		p.Add(line, eb, sc)
		p.Legend.Add(name, line, sc)
	}
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	if logScale {
		p.Y.Min, p.Y.Max = lo/u.ns/1.3, hi/u.ns*1.3
	} else {
		pad := math.Max((hi-lo)/u.ns*0.1, hi/u.ns*0.01)
		p.Y.Min, p.Y.Max = math.Max(0, lo/u.ns-pad), hi/u.ns+pad
	}

	legendW := vg.Points(30)
	for _, name := range h.Strategies {
		legendW = max(legendW, p.Legend.TextStyle.Width(name)+vg.Points(30))
	}
	legendW = min(legendW, historyLegendW)
	c := vgimg.NewWith(vgimg.UseWH(ChartWidth, historyHeight), vgimg.UseDPI(ChartDPI),
		vgimg.UseBackgroundColor(color.White))
	dc := draw.New(c)
	legend := p.Legend
	p.Legend = plot.NewLegend() // drawn beside the plot, not on it
	p.Draw(draw.Crop(dc, 0, -legendW, 0, 0))
	legend.Top, legend.Left = true, true
	legend.YOffs = -vg.Points(36)
	legend.Draw(draw.Crop(dc, ChartWidth-legendW, 0, 0, 0))
	return encode(c)
}

// runTicks labels the x axis with run numbers and start dates, about
// historyTicks of them, evenly spaced.
func runTicks(runs []*results.Run) plot.ConstantTicks {
	n := len(runs)
	step := max(1, (n+historyTicks-1)/historyTicks)
	var ticks plot.ConstantTicks
	for i := range n {
		t := plot.Tick{Value: float64(i)}
		// The last run is labelled too, when it is not too close to the
		// label before it.
		if i%step == 0 || i == n-1 && 2*(i%step) >= step {
			t.Label = fmt.Sprintf("#%d", i+1)
			if !runs[i].Started.IsZero() {
				t.Label += "\n" + runs[i].Started.UTC().Format("2006-01-02")
			}
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// HistoryText lists an experiment's runs on one machine, oldest first,
// with each strategy's median per run and a mark where it changed
// significantly from the latest earlier comparable run
// (analysis.PreviousComparable; Mann-Whitney at α = 0.05): ▲ slower,
// ▼ faster. Unlike the chart it lists every timed run, with its
// parameters, since a reader may want to see them all.
func HistoryText(infos []analysis.RunInfo) string {
	var sb strings.Builder
	if len(infos) == 0 {
		return "no runs\n"
	}
	runs := make([]*results.Run, len(infos))
	for i, info := range infos {
		runs[i] = info.Run
	}
	h := newHistory(runs, analysis.PreviousComparable(infos))
	tw := tabwriter.NewWriter(&sb, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "run\tparameters\t")
	for _, n := range h.Strategies {
		fmt.Fprintf(tw, "%s\t", n)
	}
	fmt.Fprintln(tw)
	for i, r := range h.Runs {
		id := r.ID
		if !r.Complete {
			id += " (incomplete)"
		}
		fmt.Fprintf(tw, "%s\t%s\t", id, experiments.FormatParams(r.Parameters))
		for _, n := range h.Strategies {
			s, ok := h.Sums[i][n]
			if !ok || s.N == 0 {
				fmt.Fprint(tw, none+"\t")
				continue
			}
			mark := h.mark(i, n)
			if mark != "" {
				mark = " " + mark
			}
			fmt.Fprintf(tw, "%s%s\t", duration(s.MedianNS), mark)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(&sb, "\nMedians; ▲/▼ marks a significant change from the latest earlier run comparable with it: same kernel version, toolchains, dependencies, experiment definition and build parameters (Mann-Whitney U, α = %g after Holm–Bonferroni over every such test of the table).\n", analysis.Alpha)
	return Visible(sb.String())
}
