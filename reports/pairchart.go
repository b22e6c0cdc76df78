package reports

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PairsName is the file of the paired-comparison chart.
const PairsName = "pairs.png"

// pairPoints are the pairs' ratios, one row each from the top, with their
// 95% intervals as horizontal error bars.
type pairPoints []Pair

func (ps pairPoints) Len() int { return len(ps) }

func (ps pairPoints) XY(i int) (float64, float64) {
	return ps[i].Ratio.Value, float64(len(ps) - 1 - i)
}

func (ps pairPoints) XError(i int) (float64, float64) {
	ci := ps[i].Ratio.CI
	if !ci.OK {
		return 0, 0
	}
	return ps[i].Ratio.Value - ci.Lo, ci.Hi - ps[i].Ratio.Value
}

// PairsChart draws each paired strategy's ratio to its partner with its
// 95% interval, one row per strategy, on a logarithmic axis with 1× (no
// difference) marked: the chart of a crossover, where strategies compare
// only within their group. ErrNothingToPlot when nothing is paired.
func PairsChart(r *Report) ([]byte, error) {
	ps := pairPoints(r.Pairs)
	if len(ps) == 0 {
		return nil, ErrNothingToPlot
	}
	p := styled("Mean time relative to the paired strategy, with 95% intervals",
		"mean time ÷ the paired strategy's (log scale)", "")
	lo, hi := 1.0, 1.0
	for i := range ps {
		x, _ := ps.XY(i)
		l, h := ps.XError(i)
		lo, hi = min(lo, x-l), max(hi, x+h)
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = ratioTicks{}
	p.X.Min, p.X.Max = lo/1.15, hi*1.15

	var ticks []plot.Tick
	for i, pr := range ps {
		_, y := ps.XY(i)
		ticks = append(ticks, plot.Tick{Value: y, Label: pr.Strategy + " vs " + pr.With})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.7, float64(len(ps))-0.3

	one, err := plotter.NewLine(plotter.XYs{{X: 1, Y: p.Y.Min}, {X: 1, Y: p.Y.Max}})
	if err != nil {
		return nil, err
	}
	one.LineStyle.Color = baselineColor
	one.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	bars, err := plotter.NewXErrorBars(ps)
	if err != nil {
		return nil, err
	}
	bars.LineStyle.Color = reproducedColor
	bars.CapWidth = vg.Points(6)
	dots, err := plotter.NewScatter(ps)
	if err != nil {
		return nil, err
	}
	dots.GlyphStyle = draw.GlyphStyle{Color: reproducedColor, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(one, bars, dots)
	return render(p, vg.Length(1.1+0.22*float64(len(ps)))*vg.Inch)
}
