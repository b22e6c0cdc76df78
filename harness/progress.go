package harness

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"benchlab/experiments"
	"benchlab/internal/visible"
)

// barWidth is the width of the terminal progress bar, in cells.
const barWidth = 24

// progress reports the run's progress after each trial: on a terminal as
// one redrawn line with a bar, the running estimate of the strategy just
// timed and the time left; elsewhere as a plain line per trial, which logs
// and CI keep readably.
type progress struct {
	w        io.Writer // nil: report nothing
	terminal bool
	warmup   int
	runs     int   // counted runs per strategy; with auto, see auto
	auto     *Auto // runs = "auto", or nil
	names    []string
	st       []strategyState // runRounds' view of each strategy, read only
	wallNS   []int64         // per strategy: total wall time of its trials so far
	trials   []int           // per strategy: its trials so far, warm-ups included
	b        strings.Builder
}

func newProgress(opts Options, strategies []experiments.Strategy, st []strategyState) *progress {
	p := &progress{
		w: opts.Progress, terminal: opts.Terminal,
		warmup: opts.Warmup, runs: opts.Runs, auto: opts.Auto,
		st:     st,
		wallNS: make([]int64, len(strategies)),
		trials: make([]int, len(strategies)),
	}
	for _, s := range strategies {
		p.names = append(p.names, s.Name)
	}
	return p
}

// trial reports the trial of strategy i in round that measured m; stops
// says that a failure stops the strategy. It is called before runRounds
// marks a strategy stopped for that trial.
func (p *progress) trial(i, round int, m measurement, stops bool) {
	if m.record {
		p.wallNS[i] += m.trial.WallNS
		p.trials[i]++
	}
	if p.w == nil {
		return
	}
	label := fmt.Sprintf("round %d/%d", round-p.warmup+1, p.runs)
	switch {
	case round < p.warmup:
		label = fmt.Sprintf("warm-up %d/%d", round+1, p.warmup)
	case p.auto != nil:
		label = fmt.Sprintf("round %d", round-p.warmup+1)
	}
	b := &p.b
	b.Reset()
	if p.terminal {
		b.WriteString("\r\033[K")
	}
	if m.failure != "" {
		what := "failed, not run again"
		if !stops {
			what = "failed, runs on (failures ignored)"
		}
		fmt.Fprintf(b, "%s  %s  %s: %s\n", label, p.names[i], what, strings.ReplaceAll(visible.String(m.failure), "\n", "\n    "))
		io.WriteString(p.w, b.String())
		return
	}
	left := p.left(i)
	if p.terminal {
		done, planned := p.done()
		fmt.Fprintf(b, "%s  %s %d/%d  %s  %s", label, bar(done, planned), done, planned,
			p.names[i], p.estimate(i, m.trial.WallNS))
		if left > 0 {
			fmt.Fprintf(b, "  ETA %s", formatLeft(left))
		}
	} else {
		fmt.Fprintf(b, "%s  %s  %s", label, p.names[i], formatNS(m.trial.WallNS))
		if left > 0 {
			fmt.Fprintf(b, "  (est. %s left)", formatLeft(left))
		}
		b.WriteString("\n")
	}
	io.WriteString(p.w, b.String())
}

// estimate is the running estimate of strategy i: the mean ± σ of its
// counted runs so far, or the last trial's time before there are two.
func (p *progress) estimate(i int, lastNS int64) string {
	w := p.st[i].wall
	if w.n < 2 {
		return formatNS(lastNS)
	}
	return fmt.Sprintf("%s ± %s", formatNS(int64(w.mean)), formatNS(int64(w.stddev())))
}

// plannedTrials is how many trials strategy i will have run in all: its
// warm-ups and counted runs, estimated from its spread under runs = "auto";
// just what it ran once it has stopped.
func (p *progress) plannedTrials(i int) int {
	s := p.st[i]
	if !s.active {
		return p.trials[i]
	}
	counted := p.runs
	if p.auto != nil {
		counted = p.auto.planned(s.counted, s.wall)
		// The trial just reported may be the one that settles it.
		if p.auto.stop(s.counted, s.wall) != "" {
			counted = s.counted
		}
	}
	return max(p.warmup+counted, p.trials[i])
}

// done returns the trials run and planned over all strategies.
func (p *progress) done() (done, planned int) {
	for i := range p.trials {
		done += p.trials[i]
		planned += p.plannedTrials(i)
	}
	return done, planned
}

// left estimates the time the remaining trials will take: each strategy's
// remaining trials at its mean so far (the overall mean before it has one).
func (p *progress) left(i int) time.Duration {
	var allNS int64
	var all int
	for j := range p.trials {
		allNS += p.wallNS[j]
		all += p.trials[j]
	}
	var left float64
	for j := range p.trials {
		rest := p.plannedTrials(j) - p.trials[j]
		if rest <= 0 {
			continue
		}
		mean := float64(allNS) / float64(max(all, 1))
		if p.trials[j] > 0 {
			mean = float64(p.wallNS[j]) / float64(p.trials[j])
		}
		left += mean * float64(rest)
	}
	return time.Duration(left)
}

// bar draws done out of planned as a bar of barWidth cells.
func bar(done, planned int) string {
	full := barWidth
	if planned > 0 && done < planned {
		full = int(math.Floor(float64(barWidth) * float64(done) / float64(planned)))
	}
	return "[" + strings.Repeat("█", full) + strings.Repeat("░", barWidth-full) + "]"
}

// finish ends the progress report with a summary line.
func (p *progress) finish(out *Outcome) {
	if p.w == nil {
		return
	}
	prefix := ""
	if p.terminal {
		prefix = "\r\033[K"
	}
	var measured int64
	for _, ns := range p.wallNS {
		measured += ns
	}
	how := "done"
	if !out.Complete {
		how = "interrupted"
	}
	fmt.Fprintf(p.w, "%s%s: %d trials, %s measured\n", prefix, how, len(out.Trials), formatLeft(time.Duration(measured)))
}
