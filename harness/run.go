package harness

import (
	"context"
	"fmt"
	"time"

	"benchlab/experiments"
	"benchlab/harness/spawn"
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
	// Auto, when not nil, replaces Runs: each strategy runs until its mean
	// is known well enough (see Auto).
	Auto *Auto
	// IgnoreFailure keeps a strategy running after a trial that exits
	// non-zero or is killed by a signal, as hyperfine --ignore-failure: the
	// failed trials are recorded and counted as failed. A timed-out trial
	// still stops its strategy.
	IgnoreFailure bool
	// ShowOutput sends the children's standard output and error (and those
	// of prepare and cleanup) to benchlab's own instead of /dev/null; a
	// failure then carries no tail of standard error.
	ShowOutput bool
	// Events receives the run's progress (see Event) between trials, on
	// Run's goroutine; nil for none. It must return quickly: the next
	// trial waits for it.
	Events func(Event)
	// InProcess starts the children from benchlab itself rather than from
	// the spawner, a small helper process (see spawner.go). Their peak
	// memory then cannot be measured below benchlab's own (8 to 10 MiB,
	// against the spawner's 2.7); the spawner costs a few milliseconds at
	// the start of Run and a pipe round trip per trial, outside the
	// timed part.
	InProcess bool
	// Prime: a trial of a strategy whose previous trial took less than
	// Prime is preceded, right before it, by unmeasured runs of the same
	// command (see prime). Zero means DefaultPrime; negative, never.
	Prime time.Duration
	// Block, above 1 and with Auto only, runs the counted trials that are
	// primed (see prime) in blocks: a primed trial is the first of up to
	// Block consecutive trials of its strategy in its round, run back to
	// back in one launch after the priming runs, as hyperfine runs a
	// command (see spawn.Launcher.Launch), so that the priming runs' cost
	// is shared by the block. The other trials, warm-ups included, run one
	// per round. A fixed count takes none: its strategies keep one trial
	// per round each, so that a drift of the machine spreads over them
	// all, where blocks would end a short strategy's rounds early. Zero
	// or one: no blocks.
	Block int
	// Memory is spawn.MemoryRusage to measure peak memory with ru_maxrss
	// even where a cgroup could be made; "" measures it in a cgroup per
	// trial where possible (see package spawn).
	Memory string
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
	// Order is the trial order used, for results.Settings.Order.
	Order results.Order
	// Memory is how MaxRSSKiB was measured: spawn.MemoryCgroupV1,
	// MemoryCgroupV2 (the peak of the trial's own cgroup) or MemoryRusage
	// (ru_maxrss, floored at the starting process's peak); for
	// results.Settings.Memory.
	Memory string
	// Stops says, per strategy, why it stopped running: "runs" (all rounds
	// done), "precision", "max_runs", "max_time" (runs = "auto"), "failed",
	// or "" when the run was interrupted first.
	Stops []string
}

// Run times the experiment's strategies: opts.Warmup warm-up rounds, then
// opts.Runs counted rounds, or with opts.Auto as many as each strategy needs.
// Each round runs every strategy still active once, starting from a
// different strategy each round (round r starts with strategy r mod n), so
// that no strategy always runs first. A trial of a short strategy is
// primed with unmeasured runs of its own command right before it
// (opts.Prime; see prime), and with opts.Block begins a block of trials of
// its strategy run back to back; Outcome.Order says so.
//
// A strategy's prepare command runs before each of its trials, warm-ups
// included, untimed; its cleanup once after its last trial (when it stops,
// fails or the run ends), as hyperfine does. A failing prepare stops the
// strategy; a failing cleanup is a warning.
//
// Each trial is a fresh child process: argv without a shell, command[0]
// relative to the experiment folder when it has a slash and from PATH when
// not, working directory the experiment folder, standard input and output
// /dev/null, in a process group of its own. It is killed with its group
// past opts.Timeout (recorded TimedOut). When it exits, whatever else is
// left in its group is killed too, and, when the spawner starts the trials,
// every process the trial left behind, those that left its group or session
// included, so no stray process runs into the next trial (see package
// spawn). A trial that stops or kills the spawner fails alone: the spawner
// is resumed or started again.
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
// Peak memory is measured in a memory cgroup of each trial's own where one
// can be made (see package spawn's cgroup.go; Outcome.Memory says how):
// the memory charged to the trial, free of the floor below. Otherwise it
// is ru_maxrss, which has a floor: when a process execs, Linux records the
// memory high-water mark of the process image it replaces, which for a
// child just started by Go's ForkExec (a vfork) is its parent's. Children
// are therefore started from the spawner, a fresh copy of benchlab that
// stops after the Go runtime's start and trims its resident memory (about
// 2.7 MiB; see package spawn), not from benchlab itself (8 to 10 MiB)
// unless opts.InProcess. No such MaxRSSKiB is below that parent's peak;
// Run then warns about strategies whose figure is no more than it.
func Run(ctx context.Context, e *experiments.Experiment, opts Options) (*Outcome, error) {
	if opts.Auto != nil {
		if err := opts.Auto.check(); err != nil {
			return nil, fmt.Errorf("run %s: %w", e.Name, err)
		}
	} else if opts.Runs < 1 {
		return nil, fmt.Errorf("run %s: runs must be at least 1, not %d", e.Name, opts.Runs)
	}
	runs := opts.Runs
	if opts.Auto != nil {
		runs = opts.Auto.MaxRuns
	}
	if err := experiments.CheckCounts(len(e.Strategies), opts.Warmup, runs); err != nil {
		return nil, fmt.Errorf("run %s: %w", e.Name, err)
	}
	switch {
	case opts.Block < 0 || opts.Block > spawn.MaxBlock:
		return nil, fmt.Errorf("run %s: block must be 1 to %d trials (0: none), not %d", e.Name, spawn.MaxBlock, opts.Block)
	case opts.Block > 1 && opts.Auto == nil:
		return nil, fmt.Errorf("run %s: blocks of trials apply only to adaptive runs (runs = \"auto\"), since a fixed count keeps one trial per strategy per round: set Block to 0 or give Auto", e.Name)
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("run %s: timeout must be positive, not %v", e.Name, opts.Timeout)
	}
	if opts.Timeout == 0 {
		opts.Timeout = experiments.DefaultTimeout
	}
	if opts.Prime == 0 {
		opts.Prime = DefaultPrime
	}
	p, err := newProcRunner(ctx, e, opts)
	if err != nil {
		return nil, err
	}
	defer p.close()
	out := runRounds(ctx, e.Strategies, opts, p)
	out.Warnings = append(p.warnings, out.Warnings...)
	out.Memory = p.memory()
	// A primed trial's runs share its cgroup (spawn's Launch) whenever
	// the trials have cgroups, and each gets its own peak where the
	// kernel resets it between them.
	out.Order.PrimedSharedCgroup = out.Order.PrimeBelowNS > 0 && out.Memory != spawn.MemoryRusage
	out.Order.PeakPerRun = out.Order.PrimedSharedCgroup && p.cgroup.ResetsPeak
	out.Warnings = append(out.Warnings, p.memoryWarnings()...)
	if p.cgroup == nil {
		out.Warnings = append(out.Warnings, rssWarnings(out, p.floorKiB())...)
	}
	return out, nil
}

// DefaultPrime is the Prime of a run that sets none: below it a wake-up of
// the pinned CPU (tens to hundreds of µs in a VM) is a visible share of a
// trial, above it the unmeasured runs cost more than they correct. See
// bench/README.md for the measurements behind it.
const DefaultPrime = 50 * time.Millisecond

// rssWarnings warns about each strategy whose peak memory in every trial
// was at most floorKiB, the peak of the process the children were started
// from: its real figure is unknown below that. A floor of 0 means unknown: no warnings.
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
				"%s: peak memory %d KiB is not above that of the process starting the trials (%d KiB), which Linux counts as every child's floor; its true peak may be lower",
				s.Name, peak[i], floorKiB))
		}
	}
	return warnings
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

// trialRunner runs the trials of strategies, given by their index, and
// their prepare and cleanup commands.
type trialRunner interface {
	// prepare runs strategy i's prepare command, if any, and describes its
	// failure, or returns "".
	prepare(strategy int) string
	// trials runs len(ms) trials of strategy i back to back (a block;
	// one unless primed and Options.Block says more), after unmeasured
	// runs of its command when primed (see prime), fills ms in order and
	// returns how many ran: a failed or interrupted trial ends the block
	// and is its last.
	trials(strategy int, primed bool, ms []measurement) int
	// cleanup runs strategy i's cleanup command, if any, and describes its
	// failure, or returns "".
	cleanup(strategy int) string
}

// strategyState is what runRounds knows of one strategy while it runs.
type strategyState struct {
	active  bool
	started bool // prepare or a trial ran: cleanup is due
	counted int  // counted (non-warm-up) trials recorded, failed ones too
	wall    runningMean
	lastNS  int64 // wall time of its last recorded trial, or 0
}

// runRounds runs the rounds, interleaving the strategies, and reports
// progress after each trial. It stops early when ctx is cancelled.
func runRounds(ctx context.Context, strategies []experiments.Strategy, opts Options, r trialRunner) *Outcome {
	n := len(strategies)
	out := &Outcome{
		Strategies: make([]results.Strategy, n),
		Stops:      make([]string, n),
	}
	// Trials grow as they run: nothing is reserved up front, so that a huge
	// count fails its limit check, not a makeslice.
	for i, s := range strategies {
		out.Strategies[i] = results.Strategy{Name: s.Name, Command: s.Command, Description: s.Description, Parameters: s.Values, Label: s.Label}
	}
	out.Order = results.Order{Policy: results.OrderRoundRobin}
	if opts.Prime > 0 {
		out.Order.PrimeBelowNS = opts.Prime.Nanoseconds()
		out.Order.PrimeOwn = true // see prime
		out.Order.PrimeRuns = spawn.PrimeRuns
		if opts.Block > 1 {
			out.Order.Block = opts.Block
		}
	}
	st := make([]strategyState, n)
	for i := range st {
		st[i].active = true
	}
	prog := newProgress(opts, strategies, st)
	// end stops strategy i for reason and runs its cleanup.
	end := func(i int, reason string) {
		st[i].active = false
		out.Stops[i] = reason
		if st[i].started {
			st[i].started = false
			if f := r.cleanup(i); f != "" {
				out.Warnings = append(out.Warnings, fmt.Sprintf("%s: cleanup failed: %s", strategies[i].Name, f))
			}
		}
	}
	finish := func(complete bool) *Outcome {
		for i := range st {
			if st[i].active {
				reason := "runs"
				if !complete {
					reason = ""
				}
				end(i, reason)
			}
		}
		out.Complete = complete
		out.Warnings = append(out.Warnings, autoWarnings(opts.Auto, strategies, st, out.Stops)...)
		prog.finish(out)
		return out
	}
	ms := make([]measurement, max(opts.Block, 1))
	for round := 0; ; round++ {
		warm := round < opts.Warmup
		if opts.Auto == nil && round >= opts.Warmup+opts.Runs {
			break
		}
		any := false
		for k := range n {
			i := (round + k) % n
			if !st[i].active {
				continue
			}
			any = true
			if ctx.Err() != nil {
				return finish(false)
			}
			prog.start(i, round)
			st[i].started = true
			if f := r.prepare(i); f != "" {
				f = "prepare failed: " + f
				out.Strategies[i].Failure = f
				prog.trial(i, round, measurement{failure: f}, true)
				end(i, "failed")
				continue
			}
			block := 1
			primed := prime(opts.Prime, strategies[i], st[i].lastNS)
			if primed {
				out.Order.Primed += spawn.PrimeRuns
				if !warm && opts.Block > 1 {
					block = blockSize(*opts.Auto, opts.Block, st[i])
				}
			}
			stop := ""
			for _, m := range ms[:r.trials(i, primed, ms[:block])] {
				if m.interrupted {
					return finish(false)
				}
				if m.record {
					st[i].lastNS = m.trial.WallNS
					t := m.trial
					t.Strategy, t.Round, t.Warmup = i, round, warm
					out.Trials = append(out.Trials, t)
					if !warm && t.Counts(opts.IgnoreFailure) {
						st[i].counted++
						st[i].wall.add(float64(t.WallNS))
					}
				}
				failed := m.failure != ""
				if failed && out.Strategies[i].Failure == "" {
					out.Strategies[i].Failure = m.failure
				}
				stopsOnFailure := failed && (!opts.IgnoreFailure || !m.record || m.trial.TimedOut)
				prog.trial(i, round, m, stopsOnFailure)
				if stopsOnFailure {
					stop = "failed"
				}
			}
			if stop == "" && !warm && opts.Auto != nil {
				stop = opts.Auto.stop(st[i].counted, st[i].wall)
			}
			if stop != "" {
				end(i, stop)
			}
		}
		if !any {
			break
		}
	}
	return finish(true)
}

// blockSize is how many counted trials a primed strategy whose state is
// s runs in its round's block under a: block, but no more than the runs
// a still plans for it (Auto.planned, which errs long), and at least one.
func blockSize(a Auto, block int, s strategyState) int {
	return max(min(block, a.planned(s.counted, s.wall)-s.counted), 1)
}

// prime reports whether a trial of s, whose last trial took lastNS (0 if
// none yet), is to be preceded by unmeasured runs of the same command
// (spawn.PrimeRuns of them).
//
// Why: interleaved with a strategy that sleeps, the pinned CPU goes idle,
// and the next short command pays for waking it (and for caches its
// neighbour left cold): measured on a 2-vCPU KVM guest, /bin/true came out
// 1.56 to 1.71 times hyperfine's back-to-back figure between sleep 0.02
// and sleep 0.08. The unmeasured runs right before take that cost, and
// leave the CPU, caches and page cache as hyperfine's back-to-back runs
// do. The launcher runs them right before the measured start, with no
// pipe round trip in between (spawn.Launcher.Prime), so that the CPU has
// no time to go idle again. A short trial is primed after a trial of its
// own strategy too: the round trip to the launcher and the launching
// thread's move to the pinned CPU come between the two, and every trial
// of a strategy is then measured alike. The order stays round-robin, so a
// drift of the machine still spreads over all strategies. A trial is
// primed only when
//   - its strategy's last trial took less than below, where the wake-up
//     is a visible share (unknown before its first trial:
//     not primed, so a warm-up round is what primes a short command's
//     first counted one);
//   - the strategy has no prepare command, which must run right before
//     the timed run.
//
// Which trials were primed follows from the archive: those of a strategy
// without a prepare command whose previous trial (warm-ups included) took
// less than Order.PrimeBelowNS, but for a block's later trials (those that
// follow a trial of their own strategy in the same round; Order.Block).
func prime(below time.Duration, s experiments.Strategy, lastNS int64) bool {
	return below > 0 && lastNS > 0 && lastNS < below.Nanoseconds() && len(s.Prepare) == 0
}

// autoWarnings warns about each strategy that runs = "auto" stopped at a
// bound before its interval was as narrow as asked.
func autoWarnings(a *Auto, strategies []experiments.Strategy, st []strategyState, stops []string) []string {
	if a == nil {
		return nil
	}
	var w []string
	for i, s := range st {
		if stops[i] != "max_runs" && stops[i] != "max_time" {
			continue
		}
		w = append(w, fmt.Sprintf("%s: stopped at %s after %d runs with the 95%% interval of the mean at ±%.2f%%, not the ±%.2f%% asked (trials.precision)",
			strategies[i].Name, stops[i], s.counted, 100*s.wall.relHalfWidth(), 100*a.Precision))
	}
	return w
}
