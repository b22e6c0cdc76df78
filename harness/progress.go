package harness

import (
	"time"

	"benchlab/experiments"
)

// EventKind says what an Event reports.
type EventKind int

// The kinds of Event, in the order a strategy's trial emits them.
const (
	// TrialStarted: strategy Strategy is about to run its trial of Round
	// (its prepare command first, if any), or its block of trials (see
	// Options.Block), each of which then finishes or fails in turn.
	// Nothing is measured yet.
	TrialStarted EventKind = iota + 1
	// TrialFinished: the trial ended well; WallNS is its time and the
	// running figures (N, MeanNS, StddevNS, Done, Planned, Left) include it.
	TrialFinished
	// TrialFailed: the trial, or the prepare before it, failed; Failure
	// says how and Stops whether the strategy runs again (it does under
	// IgnoreFailure, unless the trial timed out or could not start).
	TrialFailed
	// RunFinished: the run ended, complete or interrupted; Trials,
	// MeasuredNS and Complete sum it up. It is the last event.
	RunFinished
)

// String names the kind as in the constants, for logs and tests.
func (k EventKind) String() string {
	switch k {
	case TrialStarted:
		return "TrialStarted"
	case TrialFinished:
		return "TrialFinished"
	case TrialFailed:
		return "TrialFailed"
	case RunFinished:
		return "RunFinished"
	}
	return "EventKind(?)"
}

// Event is one step of a Run's progress, for Options.Events. The harness
// only measures and counts: how an event is shown (a redrawn terminal line,
// a log line, nothing) is the caller's business. Events are emitted between
// trials, never while a child runs.
type Event struct {
	Kind EventKind
	// Strategy is the index of the strategy in the experiment, Name its
	// name; not set for RunFinished.
	Strategy int
	Name     string
	// Round counts rounds from 0, warm-ups included (a block's trials
	// share theirs); Warmup says the round is a warm-up.
	Round  int
	Warmup bool
	// Warmups and Runs are the planned warm-up and counted rounds. Under
	// runs = "auto", Auto is true and Runs is min_runs.
	Warmups, Runs int
	Auto          bool

	// WallNS is the wall time of the trial just finished (TrialFinished).
	WallNS int64
	// N is the number of the strategy's counted runs so far; MeanNS and
	// StddevNS are their running mean and standard deviation (σ only
	// from N = 2).
	N                int
	MeanNS, StddevNS float64
	// Done and Planned are the trials run and planned over all strategies,
	// warm-ups and failed trials included; Planned is an estimate under
	// runs = "auto".
	Done, Planned int
	// Left estimates the time the remaining trials will take: each
	// strategy's remaining trials at its mean so far.
	Left time.Duration

	// Failure describes the failure (TrialFailed); Stops says that the
	// strategy will not run again.
	Failure string
	Stops   bool

	// Trials is the number of trials recorded, MeasuredNS their total wall
	// time, Complete false when the run was interrupted (RunFinished).
	Trials     int
	MeasuredNS int64
	Complete   bool
}

// progress computes the figures of the run's events after each trial and
// hands them to Options.Events.
type progress struct {
	emit   func(Event) // nil: report nothing
	warmup int
	runs   int   // counted runs per strategy; with auto, see auto
	auto   *Auto // runs = "auto", or nil
	names  []string
	st     []strategyState // runRounds' view of each strategy, read only
	wallNS []int64         // per strategy: total wall time of its trials so far
	trials []int           // per strategy: its trials so far, warm-ups included
}

func newProgress(opts Options, strategies []experiments.Strategy, st []strategyState) *progress {
	p := &progress{
		emit:   opts.Events,
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

// event returns an event of kind about strategy i in round.
func (p *progress) event(kind EventKind, i, round int) Event {
	return Event{
		Kind: kind, Strategy: i, Name: p.names[i],
		Round: round, Warmup: round < p.warmup,
		Warmups: p.warmup, Runs: p.runs, Auto: p.auto != nil,
	}
}

// start reports that strategy i's trial of round is about to run.
func (p *progress) start(i, round int) {
	if p.emit != nil {
		p.emit(p.event(TrialStarted, i, round))
	}
}

// trial reports the trial of strategy i in round that measured m; stops
// says that a failure stops the strategy. It is called before runRounds
// marks a strategy stopped for that trial.
func (p *progress) trial(i, round int, m measurement, stops bool) {
	if m.record {
		p.wallNS[i] += m.trial.WallNS
		p.trials[i]++
	}
	if p.emit == nil {
		return
	}
	if m.failure != "" {
		e := p.event(TrialFailed, i, round)
		e.Failure, e.Stops = m.failure, stops
		p.emit(e)
		return
	}
	e := p.event(TrialFinished, i, round)
	e.WallNS = m.trial.WallNS
	w := p.st[i].wall
	e.N, e.MeanNS = w.n, w.mean
	if w.n >= 2 {
		e.StddevNS = w.stddev()
	}
	e.Done, e.Planned = p.done()
	e.Left = p.left()
	p.emit(e)
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
func (p *progress) left() time.Duration {
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

// finish reports the end of the run.
func (p *progress) finish(out *Outcome) {
	if p.emit == nil {
		return
	}
	var measured int64
	for _, ns := range p.wallNS {
		measured += ns
	}
	p.emit(Event{
		Kind: RunFinished, Warmups: p.warmup, Runs: p.runs, Auto: p.auto != nil,
		Trials: len(out.Trials), MeasuredNS: measured, Complete: out.Complete,
	})
}
