package harness

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"benchlab/experiments"
	"benchlab/results"
)

// Options are the trial settings of one Run, the experiment's [trials]
// after command-line overrides.
type Options struct {
	// Warmup is the number of warm-up rounds, recorded but flagged.
	Warmup int
	// Runs is the number of counted rounds; at least 1.
	Runs int
	// Pin lists the CPUs every child is confined to from its birth; empty
	// leaves children free to run anywhere.
	Pin []int
	// Timeout bounds each trial; zero means experiments.DefaultTimeout.
	Timeout time.Duration
	// Progress receives a line after each trial; nil for none.
	Progress io.Writer
	// Terminal redraws the progress as one line (with "\r\033[K") instead
	// of writing a line per trial.
	Terminal bool
}

// Outcome is what Run measured.
type Outcome struct {
	// Strategies are the experiment's strategies in file order, with the
	// first failure of each, if any.
	Strategies []results.Strategy
	// Trials are in the order they ran.
	Trials []results.Trial
	// Complete is false when Run was cancelled: Trials are the ones that
	// finished before.
	Complete bool
	// Warnings are caveats about the measurements, for the run's record.
	Warnings []string
}

// Run times the experiment's strategies: opts.Warmup warm-up rounds, then
// opts.Runs counted rounds. Each round runs every strategy still active
// once, starting from a different strategy each round (round r starts with
// strategy r mod n), so that no strategy always runs first.
//
// Each trial is a fresh child process: argv without a shell, command[0]
// relative to the experiment folder when it has a slash and from PATH when
// not, working directory the experiment folder, standard input and output
// /dev/null, in a process group of its own. It is killed with its group
// past opts.Timeout (recorded TimedOut). When it exits, whatever else is
// left in its group is killed too, so no stray process runs into the next
// trial.
//
// A strategy whose trial fails (non-zero exit, signal, timeout) keeps that
// trial, gets a Failure with the tail of its standard error, and is not run
// again; the others go on. That is not an error of Run.
//
// When ctx is cancelled, Run kills the running child's group, drops that
// unfinished trial and returns the trials so far with Complete false and a
// nil error: cancellation is reported by Outcome.Complete only. Run returns
// an error, and no Outcome, only when it cannot run at all (bad options, a
// command that does not exist, an unusable pin).
//
// Peak memory has a floor: when a process execs, Linux records the memory
// high-water mark of the process image it replaces, which for a child just
// forked is benchlab's own. So no trial's MaxRSSKiB is below benchlab's peak
// resident memory; run the trials before anything memory-hungry. Run warns
// about strategies whose figure is no more than that floor.
func Run(ctx context.Context, e *experiments.Experiment, opts Options) (*Outcome, error) {
	if opts.Runs < 1 {
		return nil, fmt.Errorf("run %s: runs must be at least 1, not %d", e.Name, opts.Runs)
	}
	if opts.Warmup < 0 {
		return nil, fmt.Errorf("run %s: warm-up rounds must not be negative, not %d", e.Name, opts.Warmup)
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("run %s: timeout must be positive, not %v", e.Name, opts.Timeout)
	}
	if opts.Timeout == 0 {
		opts.Timeout = experiments.DefaultTimeout
	}
	p, err := newProcRunner(ctx, e, opts)
	if err != nil {
		return nil, err
	}
	defer p.close()
	out := runRounds(ctx, e.Strategies, opts, p)
	out.Warnings = rssWarnings(out, selfPeakRSSKiB())
	return out, nil
}

// rssWarnings warns about each strategy whose peak memory in every trial
// was at most floorKiB, benchlab's own peak: its real figure is unknown
// below that. A floor of 0 means unknown: no warnings.
func rssWarnings(out *Outcome, floorKiB int64) []string {
	if floorKiB <= 0 {
		return nil
	}
	peak := make([]int64, len(out.Strategies))
	ran := make([]bool, len(out.Strategies))
	for _, t := range out.Trials {
		peak[t.Strategy] = max(peak[t.Strategy], t.MaxRSSKiB)
		ran[t.Strategy] = true
	}
	var warnings []string
	for i, s := range out.Strategies {
		if ran[i] && peak[i] <= floorKiB {
			warnings = append(warnings, fmt.Sprintf(
				"%s: peak memory %d KiB is not above benchlab's own (%d KiB), which Linux counts as every child's floor; its true peak may be lower",
				s.Name, peak[i], floorKiB))
		}
	}
	return warnings
}

// selfPeakRSSKiB returns this process's peak resident memory (VmHWM), or 0
// if it cannot be read.
func selfPeakRSSKiB() int64 {
	v := strings.TrimSuffix(field(readText("/proc/self/status"), "VmHWM"), " kB")
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// measurement is what one trial observed.
type measurement struct {
	// trial holds the measures; runRounds fills in which strategy and round.
	trial results.Trial
	// failure describes a failed trial ("exit status 3: ..."), or is empty.
	failure string
	// record is false when there is nothing to record: the child did not
	// start (failure says why) or was interrupted.
	record bool
	// interrupted means the trial was killed because ctx was cancelled.
	interrupted bool
}

// trialRunner runs one trial of a strategy, given by its index.
type trialRunner interface {
	trial(strategy int) measurement
}

// runRounds runs the rounds, interleaving the strategies, and reports
// progress after each trial. It stops early when ctx is cancelled.
func runRounds(ctx context.Context, strategies []experiments.Strategy, opts Options, r trialRunner) *Outcome {
	n := len(strategies)
	rounds := opts.Warmup + opts.Runs
	out := &Outcome{
		Strategies: make([]results.Strategy, n),
		Trials:     make([]results.Trial, 0, n*rounds),
	}
	for i, s := range strategies {
		out.Strategies[i] = results.Strategy{Name: s.Name, Command: s.Command, Description: s.Description}
	}
	active := make([]bool, n)
	for i := range active {
		active[i] = true
	}
	prog := newProgress(opts, strategies)
	for round := range rounds {
		for k := range n {
			i := (round + k) % n
			if !active[i] {
				continue
			}
			if ctx.Err() != nil {
				prog.finish(out)
				return out
			}
			m := r.trial(i)
			if m.interrupted {
				prog.finish(out)
				return out
			}
			if m.record {
				t := m.trial
				t.Strategy, t.Round, t.Warmup = i, round, round < opts.Warmup
				out.Trials = append(out.Trials, t)
			}
			if m.failure != "" {
				active[i] = false
				out.Strategies[i].Failure = m.failure
			}
			prog.trial(i, round, m, active)
		}
	}
	out.Complete = true
	prog.finish(out)
	return out
}

// progress reports the run's progress after each trial.
type progress struct {
	w        io.Writer // nil: report nothing
	terminal bool
	warmup   int
	rounds   int
	names    []string
	wallNS   []int64 // per strategy: total wall time of its trials so far
	trials   []int   // per strategy: its trials so far
}

func newProgress(opts Options, strategies []experiments.Strategy) *progress {
	p := &progress{
		w: opts.Progress, terminal: opts.Terminal,
		warmup: opts.Warmup, rounds: opts.Warmup + opts.Runs,
		wallNS: make([]int64, len(strategies)),
		trials: make([]int, len(strategies)),
	}
	for _, s := range strategies {
		p.names = append(p.names, s.Name)
	}
	return p
}

// trial reports the trial of strategy i in round that measured m; active
// says which strategies will run again.
func (p *progress) trial(i, round int, m measurement, active []bool) {
	if m.record {
		p.wallNS[i] += m.trial.WallNS
		p.trials[i]++
	}
	if p.w == nil {
		return
	}
	label := fmt.Sprintf("round %d/%d", round-p.warmup+1, p.rounds-p.warmup)
	if round < p.warmup {
		label = fmt.Sprintf("warm-up %d/%d", round+1, p.warmup)
	}
	var b strings.Builder
	if p.terminal {
		b.WriteString("\r\033[K")
	}
	if m.failure != "" {
		fmt.Fprintf(&b, "%s  %s  failed, not run again: %s\n", label, p.names[i],
			strings.ReplaceAll(m.failure, "\n", "\n    "))
	} else {
		fmt.Fprintf(&b, "%s  %s  %s", label, p.names[i], formatNS(m.trial.WallNS))
		if left := p.left(i, round, active); left > 0 {
			fmt.Fprintf(&b, "  (est. %s left)", formatLeft(left))
		}
		if !p.terminal {
			b.WriteString("\n")
		}
	}
	io.WriteString(p.w, b.String())
}

// left estimates the time the remaining trials will take after strategy i
// ran in round: each active strategy's remaining trials at its mean so far.
func (p *progress) left(i, round int, active []bool) time.Duration {
	var allNS int64
	var all int
	for j := range p.trials {
		allNS += p.wallNS[j]
		all += p.trials[j]
	}
	var left float64
	n := len(p.names)
	for j := range n {
		if !active[j] {
			continue
		}
		// Strategies up to i in this round's order have run in it.
		done := round
		if (j-round%n+n)%n <= (i-round%n+n)%n {
			done++
		}
		mean := float64(allNS) / float64(max(all, 1))
		if p.trials[j] > 0 {
			mean = float64(p.wallNS[j]) / float64(p.trials[j])
		}
		left += mean * float64(p.rounds-done)
	}
	return time.Duration(left)
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
