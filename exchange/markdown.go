package exchange

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"benchlab/results"
)

// WriteMarkdown writes r as hyperfine 1.15's --export-markdown table of
// the results ToHyperfine(r) holds, byte for byte in its layout: one row
// per command with mean ± σ, min and max in the unit of the first row's
// mean (ms below 1 s, with one decimal; else s, with three), and the mean
// relative to the fastest with its propagated σ.
func WriteMarkdown(w io.Writer, r *results.Run) error {
	return writeMarkdown(w, ToHyperfine(r).Results)
}

func writeMarkdown(w io.Writer, res []HyperfineResult) error {
	if len(res) == 0 {
		return errors.New("markdown: no strategy has a trial to show")
	}
	fastest := 0
	for i, x := range res {
		if x.Mean < res[fastest].Mean {
			fastest = i
		}
	}
	if res[fastest].Mean == 0 {
		// hyperfine refuses the same: a ratio to a mean of 0 is undefined.
		return fmt.Errorf("markdown: %q has a mean time of 0, so no relative speed can be given; export hyperfine JSON instead", res[fastest].Command)
	}
	// hyperfine takes the unit from the first result, not the fastest.
	ms := res[0].Mean < 1
	unit := "s"
	if ms {
		unit = "ms"
	}
	format := func(sec float64) string {
		if ms {
			return fmt.Sprintf("%.1f", sec*1e3)
		}
		return fmt.Sprintf("%.3f", sec)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| Command | Mean [%s] | Min [%s] | Max [%s] | Relative |\n", unit, unit, unit)
	b.WriteString("|:---|---:|---:|---:|---:|\n")
	f := res[fastest]
	for i, x := range res {
		mean := format(x.Mean)
		if x.Stddev != nil {
			mean += " ± " + format(*x.Stddev)
		}
		ratio := x.Mean / f.Mean
		rel := fmt.Sprintf("%.2f", ratio)
		if i != fastest && x.Stddev != nil && f.Stddev != nil {
			// Propagation of uncertainty for a ratio of independent means,
			// as hyperfine's relative_speed computes it.
			a, c := *x.Stddev/x.Mean, *f.Stddev/f.Mean
			rel += fmt.Sprintf(" ± %.2f", ratio*math.Sqrt(a*a+c*c))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", strings.ReplaceAll(x.Command, "|", `\|`), mean, format(x.Min), format(x.Max), rel)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
