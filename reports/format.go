package reports

import (
	"fmt"
	"math"
	"strings"

	"benchlab/analysis"
)

// How numbers are shown is decided here, once, for the terminal and the
// Markdown alike. Nothing here prints NaN or an infinity: a missing number
// is an em dash.

const none = "—"

// timeUnit is a unit of time for display.
type timeUnit struct {
	name   string
	ns     float64
	digits int
}

var (
	unitS  = timeUnit{"s", 1e9, 3}
	unitMS = timeUnit{"ms", 1e6, 1}
	unitUS = timeUnit{"µs", 1e3, 1}
)

// unitFor chooses the unit hyperfine would for a time: seconds from one
// second up, milliseconds from one millisecond, microseconds below.
func unitFor(ns float64) timeUnit {
	switch {
	case ns >= 1e9:
		return unitS
	case ns >= 1e6:
		return unitMS
	default:
		return unitUS
	}
}

// number formats v without its unit, or an em dash when v is not finite.
func (u timeUnit) number(ns float64) string {
	if !finite(ns) {
		return none
	}
	return fmt.Sprintf("%.*f", u.digits, ns/u.ns)
}

// format formats v with its unit.
func (u timeUnit) format(ns float64) string {
	if !finite(ns) {
		return none
	}
	return u.number(ns) + " " + u.name
}

// duration formats ns in the unit hyperfine would choose for it.
func duration(ns float64) string { return unitFor(ns).format(ns) }

// ratio formats a ratio as "1.25 ± 0.02".
func ratio(r analysis.Ratio) string {
	if !finite(r.Value) {
		return none
	}
	if !finite(r.Stddev) {
		return fmt.Sprintf("%.2f", r.Value)
	}
	return fmt.Sprintf("%.2f ± %.2f", r.Value, r.Stddev)
}

// delta formats a difference of ratios as "+0.15 ± 0.04 (+13.6%)".
func delta(d analysis.Delta) string {
	if !finite(d.Value) || !finite(d.Stddev) {
		return none
	}
	s := fmt.Sprintf("%+.2f ± %.2f", d.Value, d.Stddev)
	if finite(d.Relative) {
		s += fmt.Sprintf(" (%+.1f%%)", 100*d.Relative)
	}
	return s
}

// kib formats a size given in KiB.
func kib(v int64) string { return size(v * 1024) }

// size formats a size in binary units: "812 B", "3.4 KiB", "1.9 MiB".
func size(v int64) string {
	const k = 1024
	switch {
	case v < k:
		return fmt.Sprintf("%d B", v)
	case v < k*k:
		return fmt.Sprintf("%.1f KiB", float64(v)/k)
	case v < k*k*k:
		return fmt.Sprintf("%.1f MiB", float64(v)/(k*k))
	default:
		return fmt.Sprintf("%.1f GiB", float64(v)/(k*k*k))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// oneLine joins the lines of s with spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\r", "")), " ")
}

// cell makes s safe inside a Markdown table cell: one line, pipes escaped
// (GitHub removes the backslash before a pipe even inside a code span, so
// backticks keep working).
func cell(s string) string {
	s = strings.ReplaceAll(oneLine(s), `\|`, `|`)
	return strings.ReplaceAll(s, "|", `\|`)
}

// code formats s as a Markdown code span, with a fence of backticks longer
// than any run inside it; an em dash when s is empty.
func code(s string) string {
	s = oneLine(s)
	if s == "" {
		return none
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// fenced formats s as a fenced code block.
func fenced(s string) string {
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
