package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"benchlab/harness"
	"benchlab/reports"
)

// barWidth is the width of the terminal progress bar, in cells.
const barWidth = 24

// progress draws the harness's events: on a terminal as one redrawn line
// with a bar, the running estimate of the strategy just timed and the time
// left, cut to the terminal's width so that it never wraps into lines it
// cannot redraw; elsewhere (a pipe, a file, TERM=dumb) as a plain line per
// trial, which logs and CI keep readably.
type progress struct {
	w        io.Writer
	terminal bool
	// width returns the terminal's width in columns, 0 when unknown;
	// asked at each redraw, since the window may be resized.
	width func() int
	b     strings.Builder
}

// newProgress draws on w, redrawing in place when w is a terminal that
// understands it.
func newProgress(w io.Writer) *progress {
	p := &progress{w: w, width: func() int { return 0 }}
	f, ok := w.(*os.File)
	if ok && redraws(term.IsTerminal(int(f.Fd())), os.Getenv("TERM")) {
		p.terminal = true
		fd := int(f.Fd())
		p.width = func() int {
			cols, _, err := term.GetSize(fd)
			if err != nil {
				return 0
			}
			return cols
		}
	}
	return p
}

// redraws says whether progress is redrawn in place: only on a terminal,
// and not one that declares itself unable to move the cursor.
func redraws(isTerminal bool, termEnv string) bool {
	return isTerminal && termEnv != "dumb"
}

// event draws e.
func (p *progress) event(e harness.Event) {
	b := &p.b
	b.Reset()
	switch e.Kind {
	case harness.TrialFailed:
		what := "failed, not run again"
		if !e.Stops {
			what = "failed, runs on (failures ignored)"
		}
		p.clear()
		fmt.Fprintf(b, "%s  %s  %s: %s\n", roundLabel(e), e.Name, what, strings.ReplaceAll(reports.Visible(e.Failure), "\n", "\n    "))
	case harness.TrialFinished:
		if p.terminal {
			var line strings.Builder
			fmt.Fprintf(&line, "%s  %s %d/%d  %s  %s", roundLabel(e), bar(e.Done, e.Planned), e.Done, e.Planned,
				e.Name, estimate(e))
			if e.Left > 0 {
				fmt.Fprintf(&line, "  ETA %s", formatLeft(e.Left))
			}
			p.clear()
			b.WriteString(fit(line.String(), p.width()))
			break
		}
		fmt.Fprintf(b, "%s  %s  %s", roundLabel(e), e.Name, formatNS(e.WallNS))
		if e.Left > 0 {
			fmt.Fprintf(b, "  (est. %s left)", formatLeft(e.Left))
		}
		b.WriteString("\n")
	case harness.RunFinished:
		how := "done"
		if !e.Complete {
			how = "interrupted"
		}
		p.clear()
		fmt.Fprintf(b, "%s: %d trials, %s measured\n", how, e.Trials, formatLeft(time.Duration(e.MeasuredNS)))
	default:
		return
	}
	io.WriteString(p.w, b.String())
}

// clear starts the line over on a terminal, erasing the redrawn one.
func (p *progress) clear() {
	if p.terminal {
		p.b.WriteString("\r\033[K")
	}
}

// fit cuts line to fewer cells than width, so that the cursor stays on
// the line and "\r" can redraw it; every character drawn is one cell wide.
// A width of 0 (unknown) leaves the line whole.
func fit(line string, width int) string {
	if width <= 1 || utf8.RuneCountInString(line) < width {
		return line
	}
	n := 0
	for i := range line {
		if n == width-1 {
			return line[:i]
		}
		n++
	}
	return line
}

// roundLabel says which round e is of: "warm-up 1/2", "round 3/10", or
// "round 3" under runs = "auto".
func roundLabel(e harness.Event) string {
	switch {
	case e.Warmup:
		return fmt.Sprintf("warm-up %d/%d", e.Round+1, e.Warmups)
	case e.Auto:
		return fmt.Sprintf("round %d", e.Round-e.Warmups+1)
	}
	return fmt.Sprintf("round %d/%d", e.Round-e.Warmups+1, e.Runs)
}

// estimate is the running estimate of e's strategy: the mean ± σ of its
// counted runs so far, or the last trial's time before there are two.
func estimate(e harness.Event) string {
	if e.N < 2 {
		return formatNS(e.WallNS)
	}
	return fmt.Sprintf("%s ± %s", formatNS(int64(e.MeanNS)), formatNS(int64(e.StddevNS)))
}

// bar draws done out of planned as a bar of barWidth cells.
func bar(done, planned int) string {
	full := barWidth
	if planned > 0 && done < planned {
		full = int(math.Floor(float64(barWidth) * float64(done) / float64(planned)))
	}
	return "[" + strings.Repeat("█", full) + strings.Repeat("░", barWidth-full) + "]"
}

// formatNS shows a wall time in a unit that suits it: "512.3 µs",
// "429.1 ms", "4.985 s".
func formatNS(ns int64) string {
	switch {
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", float64(ns)/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.1f ms", float64(ns)/1e6)
	default:
		return fmt.Sprintf("%.3f s", float64(ns)/1e9)
	}
}

// formatLeft shows a duration to the second: "1m20s", or "<1s".
func formatLeft(d time.Duration) string {
	if d < time.Second {
		return "<1s"
	}
	return d.Round(time.Second).String()
}
