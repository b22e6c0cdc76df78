package reports

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"benchlab/analysis"
	"benchlab/results"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The report's section on other machines: the same experiment's ratios to
// the baseline on every machine of the archive with a comparable run
// (analysis.CompareMachines), as a table, a chart and the machines'
// fingerprints side by side. Other machines' runs appear nowhere else in
// a report.

// MachinesName is the file name of the other-machines chart.
const MachinesName = "machines.png"

// AddMachines attaches the comparison of the report's run with the newest
// comparable run of each other machine among runs (the experiment's runs).
// Nothing is attached when no other machine has one, or when the report
// has no baseline to take ratios against.
func (r *Report) AddMachines(runs []*results.Run) {
	r.Machines = analysis.CompareMachines(r.Run, r.Baseline, runs)
}

// machineColors tell the machines apart in the chart; the report's own
// run is blue, as in the ratio chart.
var machineColors = []color.Color{
	reproducedColor,
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, // green
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // red
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, // purple
	color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff}, // brown
	color.RGBA{R: 0x17, G: 0xbe, B: 0xcf, A: 0xff}, // cyan
}

// writeMachines writes the section, when other machines are compared.
func (r *Report) writeMachines(b *strings.Builder, chart bool) {
	ms := r.Machines
	if ms == nil {
		return
	}
	b.WriteString("## Other machines\n\n")
	fmt.Fprintf(b, "This run beside the newest run of the experiment on each other machine in the archive that measured the same thing: comparable with this run by every rule of the archive but the machine and kernel (the same experiment definition, build parameters, toolchains and dependencies), complete, quiet and timed. "+
		"Absolute times differ by machine and are not compared; each strategy's mean time relative to %s on the same machine is, with its 95%% bootstrap interval (as `benchlab compare` sets two machines side by side).\n\n", code(ms.Baseline))
	if chart {
		fmt.Fprintf(b, "![Each strategy's mean time relative to %s, per machine, with 95%% intervals](%s)\n\n", literal(ms.Baseline), MachinesName)
	}
	head := []string{"strategy"}
	align := []string{":--"}
	for i, mr := range ms.Runs {
		h := codeCell(mr.Run.Machine.ID)
		if i == 0 {
			h += " (this run)"
		}
		head, align = append(head, h), append(align, "--:")
	}
	writeRow(b, head)
	writeRow(b, align)
	for _, s := range ms.Strategies {
		row := []string{cell(s)}
		for _, mr := range ms.Runs {
			ratio, ok := mr.Ratios[s]
			switch {
			case !ok:
				row = append(row, none)
			case s == ms.Baseline:
				row = append(row, "1 (baseline)")
			default:
				row = append(row, ratioWithCI(ratio))
			}
		}
		writeRow(b, row)
	}
	b.WriteString("\n### Machines side by side\n\n")
	head = []string{""}
	align = []string{":--"}
	for _, mr := range ms.Runs {
		head, align = append(head, codeCell(mr.Run.Machine.ID)), append(align, ":--")
	}
	writeRow(b, head)
	writeRow(b, align)
	for _, f := range []struct {
		name string
		get  func(*results.Run) string
	}{
		{"run", func(run *results.Run) string { return codeCell(run.ID) }},
		{"CPU", func(run *results.Run) string { return orNone(run.Machine.CPUModel) }},
		{"CPUs", func(run *results.Run) string { return orZero(run.Machine.CPUs, strconv.Itoa(run.Machine.CPUs)) }},
		{"memory", func(run *results.Run) string { return orZero(run.Machine.MemoryKiB, kib(run.Machine.MemoryKiB)) }},
		{"OS", func(run *results.Run) string {
			return orNone(strings.TrimSpace(run.Machine.OS + " " + run.Machine.Arch))
		}},
		{"kernel", func(run *results.Run) string { return orNone(run.Machine.Kernel) }},
		{"toolchains", func(run *results.Run) string {
			if run.Environment.Pinned {
				return "Nix pin " + codeCell(run.Environment.Nixpkgs)
			}
			return "not pinned"
		}},
	} {
		row := []string{f.name}
		for _, mr := range ms.Runs {
			row = append(row, f.get(mr.Run))
		}
		writeRow(b, row)
	}
	b.WriteString("\n")
	if len(ms.Excluded) > 0 {
		b.WriteString("Not compared (each machine with the reason its newest run is not comparable):\n\n")
		for _, e := range ms.Excluded {
			fmt.Fprintf(b, "- %s (newest run %s): %s\n", code(e.Machine), code(e.Run), literal(e.Reason))
		}
		b.WriteString("\n")
	}
}

// MachinesChart draws each strategy's ratio to the baseline per machine,
// with its 95% interval, as grouped bars on a logarithmic axis. It returns
// ErrNothingToPlot when the report compares no other machine.
func MachinesChart(r *Report) ([]byte, error) {
	p, err := MachinesPlot(r.Machines)
	if err != nil {
		return nil, err
	}
	return render(p, ChartHeight)
}

// MachinesPlot builds the plot MachinesChart renders; the baseline, at 1×
// on every machine, is the dashed line rather than a bar.
func MachinesPlot(ms *analysis.Machines) (*plot.Plot, error) {
	if ms == nil {
		return nil, ErrNothingToPlot
	}
	var names []string
	for _, s := range ms.Strategies {
		if s != ms.Baseline {
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return nil, ErrNothingToPlot
	}
	p := plot.New()
	ratioAxes(p, "Mean time relative to "+ms.Baseline+", per machine", ms.Baseline)
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YTop

	n := len(ms.Runs)
	plotWidth := ChartWidth - 1.3*vg.Inch
	barWidth := min(vg.Length(float64(plotWidth)/float64(len(names))/float64(n+1)), 0.45*vg.Inch)
	base, err := ratioBase(len(names), barWidth)
	if err != nil {
		return nil, err
	}
	lo, hi := 0.5, 2.0
	for k, mr := range ms.Runs {
		offset := barWidth * vg.Length(float64(k)-float64(n-1)/2)
		heights := make(plotter.Values, len(names))
		var points plotter.XYs
		var errs plotter.YErrors
		for i, s := range names {
			ratio, ok := mr.Ratios[s]
			v := ratio.Value
			if !ok || !finite(v) || v <= 0 {
				continue
			}
			heights[i] = v - 1 // stacked on the baseline's 1
			below, above := ratio.Stddev, ratio.Stddev
			if ci := ratio.CI; ci.OK {
				below, above = math.Max(0, v-ci.Lo), math.Max(0, ci.Hi-v)
			}
			below = math.Min(below, 0.5*v)
			points = append(points, plotter.XY{X: float64(i), Y: v})
			errs = append(errs, struct{ Low, High float64 }{below, above})
			lo, hi = math.Min(lo, v-below), math.Max(hi, v+above)
		}
		bars, err := plotter.NewBarChart(heights, barWidth)
		if err != nil {
			return nil, err
		}
		bars.StackOn(base)
		bars.Offset = offset
		bars.Color = machineColors[k%len(machineColors)]
		bars.LineStyle.Width = 0
		p.Add(bars)
		label := mr.Run.Machine.ID
		if k == 0 {
			label += " (this run)"
		}
		p.Legend.Add(label, bars)
		if len(points) == 0 {
			continue
		}
		eb, err := barErrors(points, errs, barWidth, offset)
		if err != nil {
			return nil, err
		}
		p.Add(eb)
	}
	// The line at 1 spans the groups' range, so that range is set first.
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	if err := addBaselineOne(p); err != nil {
		return nil, err
	}
	ratioFrame(p, lo, hi, len(names))
	return p, nil
}
