package reports

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	xfont "golang.org/x/image/font"
)

// ErrNothingToPlot is returned by BarChart when no strategy other than the
// baseline has a reproduced or published ratio.
var ErrNothingToPlot = errors.New("no ratios to plot")

// The chart's size: legible at GitHub's content width of about 830 pixels.
const (
	ChartWidth  = 8 * vg.Inch
	ChartHeight = 4.5 * vg.Inch
	ChartDPI    = 96
)

var (
	reproducedColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff} // blue
	publishedColor  = color.RGBA{R: 0xff, G: 0x9f, B: 0x4a, A: 0xff} // orange
	baselineColor   = color.Gray{Y: 0x80}
)

// BarChart draws each strategy's ratio to the baseline, reproduced beside
// published, with ± σ error bars, as a PNG of ChartWidth × ChartHeight at
// ChartDPI. The same report always gives the same bytes.
func BarChart(r *Report) ([]byte, error) {
	if len(r.Rows) > MaxChartStrategies {
		return nil, ErrNothingToPlot
	}
	p, err := ChartPlot(r)
	if err != nil {
		return nil, err
	}
	return render(p, ChartHeight)
}

// ChartPlot builds the plot that BarChart renders: grouped bars on a
// logarithmic axis, starting at the baseline's 1× so that a slower strategy
// rises and a faster one hangs below. Strategies with neither ratio are
// left out.
func ChartPlot(r *Report) (*plot.Plot, error) {
	var rows []Row
	interesting := false
	for _, row := range r.Rows {
		if row.HasRatio || row.HasPublishedRatio {
			rows = append(rows, row)
			interesting = interesting || !r.IsBaseline(row)
		}
	}
	if !interesting {
		return nil, ErrNothingToPlot
	}

	p := plot.New()
	against := r.Baseline
	if r.BaselineFastest {
		against = "the fastest, " + against
	}
	reproduced := slices.ContainsFunc(rows, func(row Row) bool { return row.HasRatio && !r.IsBaseline(row) })
	published := slices.ContainsFunc(rows, func(row Row) bool { return row.HasPublishedRatio && !r.IsBaseline(row) })
	shown := "reproduced and published"
	switch {
	case !reproduced:
		shown = "published only (no reproduced ratios)"
	case !published:
		shown = "reproduced"
	}
	ratioAxes(p, fmt.Sprintf("Mean time relative to %s: %s", against, shown), r.Baseline)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Legend.TextStyle.Font = sans(10)
	p.Title.Padding = vg.Points(8)

	names := make([]string, len(rows))
	for i, row := range rows {
		names[i] = row.Strategy
		if r.IsBaseline(row) {
			names[i] += "\n(baseline)"
		}
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 6 // steep enough that two-line names do not collide at 6 or more strategies
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YTop
	p.X.Min, p.X.Max = -0.5, float64(len(rows))-0.5

	// Two bars share a category's width, leaving a third of it free.
	plotWidth := ChartWidth - 1.3*vg.Inch
	barWidth := min(vg.Length(float64(plotWidth)/float64(len(rows))/3), 0.45*vg.Inch)

	lo, hi := 0.5, 2.0 // the axis always shows 0.5×, 1× and 2×
	series := []struct {
		name   string
		color  color.Color
		offset vg.Length
		// get returns the ratio and how far its error bar reaches below
		// and above it.
		get func(Row) (v, below, above float64, ok bool)
	}{
		{"reproduced (this run), 95% CI", reproducedColor, -barWidth / 2,
			func(row Row) (float64, float64, float64, bool) {
				v := row.Ratio.Value
				if ci := row.Ratio.CI; ci.OK {
					return v, math.Max(0, v-ci.Lo), math.Max(0, ci.Hi-v), row.HasRatio
				}
				return v, row.Ratio.Stddev, row.Ratio.Stddev, row.HasRatio
			}},
		{"published ± σ", publishedColor, barWidth / 2,
			func(row Row) (float64, float64, float64, bool) {
				sd := row.PublishedRatio.Stddev
				return row.PublishedRatio.Value, sd, sd, row.HasPublishedRatio
			}},
	}
	base, err := ratioBase(len(rows), barWidth)
	if err != nil {
		return nil, err
	}
	for _, s := range series {
		heights := make(plotter.Values, len(rows))
		var points plotter.XYs
		var errs plotter.YErrors
		var up, down plotter.XYLabels
		for i, row := range rows {
			v, below, sd, ok := s.get(row)
			if !ok || !finite(v) || v <= 0 || r.IsBaseline(row) {
				continue
			}
			heights[i] = v - 1 // stacked on the baseline's 1
			low := math.Min(below, 0.5*v)
			points = append(points, plotter.XY{X: float64(i), Y: v})
			errs = append(errs, struct{ Low, High float64 }{low, sd})
			lo, hi = math.Min(lo, v-low), math.Max(hi, v+sd)
			label := fmt.Sprintf("%.2f", v)
			if v >= 10 {
				label = fmt.Sprintf("%.1f", v) // narrow enough not to run into its neighbour's
			}
			if v >= 1 {
				up.XYs = append(up.XYs, plotter.XY{X: float64(i), Y: v + sd})
				up.Labels = append(up.Labels, label)
			} else {
				down.XYs = append(down.XYs, plotter.XY{X: float64(i), Y: v - low})
				down.Labels = append(down.Labels, label)
			}
		}
		bars, err := plotter.NewBarChart(heights, barWidth)
		if err != nil {
			return nil, err
		}
		bars.StackOn(base)
		bars.Offset = s.offset
		bars.Color = s.color
		bars.LineStyle.Width = 0
		p.Add(bars)
		if len(points) == 0 {
			continue
		}
		p.Legend.Add(s.name, bars)
		eb, err := barErrors(points, errs, barWidth, s.offset)
		if err != nil {
			return nil, err
		}
		p.Add(eb)
		for _, l := range []struct {
			labels plotter.XYLabels
			dy     vg.Length
			align  text.YAlignment
		}{{up, vg.Points(2), draw.YBottom}, {down, -vg.Points(2), draw.YTop}} {
			if len(l.labels.XYs) == 0 {
				continue
			}
			labels, err := plotter.NewLabels(l.labels)
			if err != nil {
				return nil, err
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i].Font = sans(9)
				labels.TextStyle[i].XAlign = draw.XCenter
				labels.TextStyle[i].YAlign = l.align
			}
			labels.Offset = vg.Point{X: s.offset, Y: l.dy}
			p.Add(labels)
		}
	}

	if err := addBaselineOne(p); err != nil {
		return nil, err
	}
	ratioFrame(p, lo, hi, len(rows))
	return p, nil
}

// sans is the chart's typeface: Liberation Sans, embedded in gonum/plot,
// so that no system font is needed.
func sans(points float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(points)}
}

// ratioAxes titles p and gives it the axes of a chart of ratios to
// baseline: a logarithmic y axis marked at 1, 2 and 5 times powers of ten,
// with horizontal grid lines.
func ratioAxes(p *plot.Plot, title, baseline string) {
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13)
	p.X.Tick.Label.Font = sans(10)
	p.Y.Tick.Label.Font = sans(10)
	p.Y.Label.TextStyle.Font = sans(11)
	p.Legend.TextStyle.Font = sans(9)
	p.Y.Label.Text = "mean time ÷ " + baseline + "'s (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = ratioTicks{}
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = color.Gray{Y: 0xe0}
	p.Add(grid)
}

// ratioBase is the invisible bar of height 1 in each of n categories that
// a ratio chart's bars stack on, so that each bar grows from the
// baseline's 1 on the logarithmic axis.
func ratioBase(n int, barWidth vg.Length) (*plotter.BarChart, error) {
	ones := make(plotter.Values, n)
	for i := range ones {
		ones[i] = 1
	}
	return plotter.NewBarChart(ones, barWidth)
}

// barErrors are the error bars of a bar chart's bars of width barWidth
// drawn at offset: at each point, from Y minus the first error to Y plus
// the second.
func barErrors(points plotter.XYs, errs plotter.YErrors, barWidth, offset vg.Length) (plot.Plotter, error) {
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{points, errs})
	if err != nil {
		return nil, err
	}
	eb.LineStyle.Width = vg.Points(1)
	eb.CapWidth = barWidth / 3
	return shiftX{eb, offset}, nil
}

// shiftX draws a plotter moved sideways by dx, so that error bars sit on
// bars drawn with a BarChart Offset.
type shiftX struct {
	plot.Plotter
	dx vg.Length
}

func (s shiftX) Plot(c draw.Canvas, p *plot.Plot) {
	c.Push()
	defer c.Pop()
	c.Translate(vg.Point{X: s.dx})
	s.Plotter.Plot(c, p)
}

// ratioTicks marks a logarithmic ratio axis at 1, 2 and 5 times powers of
// ten, labelled "0.5×", "1×", "2×", with minor ticks between.
type ratioTicks struct{}

func (ratioTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		d := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := float64(m) * d
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = fmt.Sprintf("%g×", v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// addBaselineOne draws the dashed line at ratio 1 (the baseline) across
// p's current X range.
func addBaselineOne(p *plot.Plot) error {
	one, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: 1}, {X: p.X.Max, Y: 1}})
	if err != nil {
		return err
	}
	one.LineStyle = draw.LineStyle{Color: baselineColor, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	p.Add(one)
	return nil
}

// ratioFrame sets the axes and legend of a bar chart of ratios between lo
// and hi over n groups, leaving room above the highest bar for its label
// and the legend.
func ratioFrame(p *plot.Plot, lo, hi float64, n int) {
	p.Y.Min, p.Y.Max = lo/1.25, hi*2.2
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.Padding = vg.Points(3)
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(6), -vg.Points(4)
}
