package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"benchlab/analysis"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	xfont "golang.org/x/image/font"
)

// The distribution and sweep charts. Like BarChart, each is a pure
// function of the report rendering to the same PNG bytes every time.

var (
	mildColor   = color.RGBA{R: 0xff, G: 0x8c, B: 0x00, A: 0xff} // orange
	severeColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff} // red
	// palette colours one line per strategy (Tableau 10).
	palette = []color.Color{
		color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xff, 0x7f, 0x0e, 0xff},
		color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, color.RGBA{0xd6, 0x27, 0x28, 0xff},
		color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
		color.RGBA{0xe3, 0x77, 0xc2, 0xff}, color.RGBA{0x7f, 0x7f, 0x7f, 0xff},
		color.RGBA{0xbc, 0xbd, 0x22, 0xff}, color.RGBA{0x17, 0xbe, 0xcf, 0xff},
	}
)

// render draws p on a white ChartWidth × height canvas at ChartDPI.
func render(p *plot.Plot, height vg.Length) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(ChartWidth, height), vgimg.UseDPI(ChartDPI),
		vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	return encode(c)
}

// encode returns the canvas as PNG bytes.
func encode(c *vgimg.Canvas) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// styled returns a plot with the report's title and fonts.
func styled(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Label.TextStyle.Font, p.Y.Label.TextStyle.Font = sans(11), sans(11)
	p.X.Tick.Label.Font, p.Y.Tick.Label.Font = sans(10), sans(10)
	p.Legend.TextStyle.Font = sans(10)
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = color.Gray{Y: 0xe0}
	p.Add(grid)
	return p
}

// DistributionChart draws every counted run of each strategy as a dot in
// its column, in the order the runs ran, with a bar at the median; mild
// outliers orange, severe ones red. The time axis is logarithmic when the
// slowest run is 10 times the fastest or more.
func DistributionChart(r *Report) ([]byte, error) {
	if len(r.Rows) > MaxChartStrategies {
		return nil, ErrNothingToPlot
	}
	var rows []Row
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range r.Rows {
		if row.N > 0 {
			rows = append(rows, row)
			lo, hi = math.Min(lo, row.MinNS), math.Max(hi, row.MaxNS)
		}
	}
	if len(rows) == 0 {
		return nil, ErrNothingToPlot
	}
	u := unitFor(lo)
	logScale := hi >= 10*lo && lo > 0
	yLabel := "wall time (" + u.name + ")"
	if logScale {
		yLabel += ", log scale"
	}
	p := styled("Every counted run of each strategy", "", yLabel)
	names := make([]string, len(rows))
	for i, row := range rows {
		names[i] = fmt.Sprintf("%s\n(n=%d)", row.Strategy, row.N)
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 6 // steep enough that two-line names do not collide at 6 or more strategies
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YTop
	if logScale {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = timeTicks{}
	}
	const spread = 0.6 // of a column's width
	for i, row := range rows {
		var pts plotter.XYs
		var classes []analysis.Class
		for j, w := range row.WallNS {
			x := float64(i)
			if row.N > 1 {
				x += spread * (float64(j)/float64(row.N-1) - 0.5)
			}
			pts = append(pts, plotter.XY{X: x, Y: w / u.ns})
			classes = append(classes, row.Outliers.Fences.Classify(w))
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyleFunc = func(k int) draw.GlyphStyle {
			g := draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: vg.Points(3), Color: reproducedColor}
			switch classes[k] {
			case analysis.Mild:
				g.Color = mildColor
			case analysis.Severe:
				g.Color, g.Radius = severeColor, vg.Points(4)
			}
			return g
		}
		p.Add(sc)
		med, err := plotter.NewLine(plotter.XYs{{X: float64(i) - spread/2 - 0.05, Y: row.MedianNS / u.ns}, {X: float64(i) + spread/2 + 0.05, Y: row.MedianNS / u.ns}})
		if err != nil {
			return nil, err
		}
		med.LineStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}
		p.Add(med)
	}
	p.X.Min, p.X.Max = -0.5, float64(len(rows))-0.5
	if logScale {
		p.Y.Min, p.Y.Max = lo/u.ns/1.3, hi/u.ns*1.3
	} else {
		pad := (hi - lo) / u.ns * 0.08
		p.Y.Min, p.Y.Max = math.Max(0, lo/u.ns-pad), hi/u.ns+pad
	}
	return render(p, ChartHeight)
}

// SweepChart draws each strategy's wall time against the swept parameter:
// every counted run as a dot and the fitted line. The time axis is
// logarithmic when one strategy is 10 times another at the largest value.
func SweepChart(r *Report) ([]byte, error) {
	s := r.Sweep
	if s == nil || len(s.Values) < 2 {
		return nil, ErrNothingToPlot
	}
	xMax := s.Values[len(s.Values)-1]
	xScale, xUnit := 1.0, ""
	switch {
	case xMax >= 1e6:
		xScale, xUnit = 1e6, " (millions)"
	case xMax >= 1e3:
		xScale, xUnit = 1e3, " (thousands)"
	}
	var yMax float64
	lo, hi := math.Inf(1), math.Inf(-1) // strategy times at xMax
	for _, f := range s.Fits {
		for _, pt := range f.Points {
			yMax = math.Max(yMax, pt.WallNS)
		}
		if f.OK {
			v := f.Fit.Intercept + f.Fit.Slope*xMax
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if yMax == 0 {
		return nil, ErrNothingToPlot
	}
	u := unitFor(yMax)
	logScale := lo > 0 && hi >= 10*lo
	yLabel := "wall time (" + u.name + ")"
	if logScale {
		yLabel += ", log scale"
	}
	p := styled(fmt.Sprintf("Wall time against %s, with least-squares lines", s.Param), s.Param+xUnit, yLabel)
	if logScale {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = timeTicks{}
	}
	yMin := math.Inf(1)
	for i, f := range s.Fits {
		col := palette[i%len(palette)]
		var pts plotter.XYs
		for _, pt := range f.Points {
			if logScale && pt.WallNS <= 0 {
				continue
			}
			pts = append(pts, plotter.XY{X: pt.X / xScale, Y: pt.WallNS / u.ns})
			yMin = math.Min(yMin, pt.WallNS/u.ns)
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: vg.Points(2.5), Color: col}
		p.Add(sc)
		label := f.Strategy
		if f.OK {
			// Sampled so that the line stays straight on a linear axis and
			// shows its true shape on a logarithmic one.
			var line plotter.XYs
			for k := 0; k <= 100; k++ {
				x := xMax * float64(k) / 100
				y := (f.Fit.Intercept + f.Fit.Slope*x) / u.ns
				if logScale && y <= 0 {
					continue
				}
				line = append(line, plotter.XY{X: x / xScale, Y: y})
			}
			l, err := plotter.NewLine(line)
			if err != nil {
				return nil, err
			}
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.5)}
			p.Add(l)
			label = fmt.Sprintf("%s: %.2f ns/%s + %.1f ms", f.Strategy, f.Fit.Slope, singular(s.Param), f.Fit.Intercept/1e6)
			p.Legend.Add(label, l, sc)
		} else {
			p.Legend.Add(label+" (no line)", sc)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.Padding = vg.Points(2)
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(6), -vg.Points(4)
	p.X.Min = 0
	p.X.Max = xMax / xScale * 1.02
	if logScale {
		p.Y.Min, p.Y.Max = yMin/1.5, yMax/u.ns*3
	} else {
		p.Y.Min, p.Y.Max = 0, yMax/u.ns*1.35
	}
	return render(p, 5.5*vg.Inch)
}

// timeTicks marks a logarithmic time axis at 1, 2 and 5 times powers of
// ten, with minor ticks between.
type timeTicks struct{}

func (timeTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := ratioTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = fmt.Sprintf("%g", ticks[i].Value)
		}
	}
	return ticks
}
