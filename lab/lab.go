// Package lab is benchlab's run pipeline: for one experiment it checks the
// host, builds the subjects with their build parameters, reads the files to
// record, hashes the artifacts, samples the noise, runs the trials and
// assembles and archives the results.Run record; Count does the same for
// instruction counts. It is the one place where the other packages are
// wired into a run, so that every front end (an experiment folder, an
// ad-hoc `benchlab run 'cmd a' 'cmd b'`, a sweep) archives the same record.
//
// lab prints nothing of its own: what the build and the steps say goes to
// Options.Log, the trials' progress to Options.Events, and the caller
// renders the returned run. Flags, summaries and exit codes belong in
// cmd/benchlab; measuring belongs in harness, statistics in analysis.
package lab

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/internal/safefile"
	"benchlab/results"
)

// ErrInterrupted is wrapped by Run's error when the run was stopped by
// ctx; what it measured is archived first.
var ErrInterrupted = errors.New("interrupted")

// ErrOptions is wrapped by the errors of Options.Validate: the options
// themselves are wrong, whatever the host.
var ErrOptions = errors.New("invalid options")

// NoiseSample is how long Run watches the pinned CPUs before the trials to
// see whether something else keeps them busy.
const NoiseSample = 200 * time.Millisecond

// Options say what one run of an experiment does. The zero value of each
// field but Experiment and Results means "as the experiment says".
type Options struct {
	// Experiment is what to run: loaded from a folder
	// (experiments.Load) or built in memory, in which case Dir is the
	// folder its commands run from and Raw the definition archived with
	// the run (see experiments.Marshal).
	Experiment *experiments.Experiment
	// Results is the archive folder the run is written under.
	Results string

	// Params override the experiment's [build.defaults]; they are
	// resolved against its [build.parameters].
	Params map[string]string
	// NoBuild skips the build step (the artifacts are still hashed). The
	// run then records the parameters of the last build benchlab made
	// in the folder, or that they are unknown; Params must be empty.
	NoBuild bool
	// Sweep is the ID of the sweep this run is a point of, or "".
	Sweep string

	// Warmup, when not nil, replaces trials.warmup.
	Warmup *int
	// Runs, when not 0, replaces trials.runs: a count of at least 1, or
	// experiments.AutoRuns.
	Runs experiments.RunCount
	// Pin, when not nil, replaces trials.pin (empty: no pinning).
	Pin []int
	// Block, when not 0, replaces trials.block: 1 to experiments.MaxBlock,
	// with runs = "auto" only (an error with a fixed count).
	Block int
	// ShowOutput sends the subjects' output to benchlab's own.
	ShowOutput bool
	// IgnoreFailure keeps running a strategy whose trials fail.
	IgnoreFailure bool
	// WaitQuiet, when positive, is how long to wait before the trials for
	// the host to settle below the noise gate's limits (harness.WaitQuiet;
	// what it waits for goes to Log). The run goes ahead either way.
	WaitQuiet time.Duration

	// Warnings are caveats the caller knows of, for the run's record.
	Warnings []string
	// Events receives the trials' progress; nil for none.
	Events func(harness.Event)
	// Log receives what the build prints and says it runs; nil for
	// nowhere.
	Log io.Writer
	// Host is the host check already made for this experiment (a sweep
	// checks once for all its points); nil: Run checks the host.
	Host *harness.Host
	// Lab identifies the benchlab build, recorded with the run.
	Lab results.Lab
}

// plan is what Validate resolved: the build parameters to record and the
// trial settings.
type plan struct {
	params   map[string]string
	warnings []string
	trials   harness.Options
}

// Validate checks the options without touching the host, the folder or
// the archive; its errors wrap ErrOptions.
func (o Options) Validate() error {
	_, err := o.plan()
	return err
}

// optionsError is an error of the options; its message is the cause's
// alone, so that a caller can say it in its own terms (a flag, a field).
type optionsError struct{ err error }

func (e optionsError) Error() string        { return e.err.Error() }
func (e optionsError) Unwrap() error        { return e.err }
func (e optionsError) Is(target error) bool { return target == ErrOptions }

func invalid(format string, args ...any) error {
	return optionsError{fmt.Errorf(format, args...)}
}

func (o Options) plan() (*plan, error) {
	e := o.Experiment
	switch {
	case e == nil:
		return nil, invalid("no experiment to run")
	case e.Name == "":
		return nil, invalid("the experiment has no name to archive it under")
	case len(e.Strategies) == 0:
		return nil, invalid("experiment %s has no strategies to time", e.Name)
	case o.Results == "":
		return nil, invalid("no results folder to archive the run in")
	case o.NoBuild && len(o.Params) > 0:
		return nil, invalid("build parameters need a build: drop NoBuild or the parameters")
	case o.Warmup != nil && *o.Warmup < 0:
		return nil, invalid("warm-up runs must not be negative, not %d", *o.Warmup)
	case o.Runs < 0 && !o.Runs.Auto():
		return nil, invalid("runs must be at least 1 or auto, not %d", o.Runs)
	case o.Block < 0 || o.Block > experiments.MaxBlock:
		return nil, invalid("block must be 1 to %d trials (0: the experiment's), not %d", experiments.MaxBlock, o.Block)
	}
	p := &plan{}
	var err error
	if p.params, err = e.ResolveParams(o.Params); err != nil {
		return nil, optionsError{err}
	}
	if o.NoBuild && len(e.ParamNames()) > 0 {
		// Not built by this run: record what the last build was built
		// with, or that it is unknown, never the defaults by assumption.
		if built, ok := BuiltParams(e); ok {
			p.params = built
		} else {
			p.params = nil
			p.warnings = append(p.warnings, "run with --no-build, and no record of the last build's parameters: they are unknown, so this run is not taken as one at the defaults")
		}
	}
	p.trials = harness.Options{
		Warmup:        e.Trials.Warmup,
		Pin:           e.Trials.Pin,
		Timeout:       e.Trials.Timeout.Duration,
		ShowOutput:    o.ShowOutput,
		IgnoreFailure: o.IgnoreFailure,
		Events:        o.Events,
	}
	if o.Warmup != nil {
		p.trials.Warmup = *o.Warmup
	}
	if o.Pin != nil {
		p.trials.Pin = o.Pin
	}
	if err := setRuns(&p.trials, e.Trials, o.Runs, o.Block); err != nil {
		return nil, err
	}
	// The file's counts were checked when it was loaded; the overrides
	// are held to the same limits, before anything runs.
	runs := p.trials.Runs
	if p.trials.Auto != nil {
		runs = p.trials.Auto.MaxRuns
	}
	if err := experiments.CheckCounts(len(e.Strategies), p.trials.Warmup, runs); err != nil {
		return nil, optionsError{err}
	}
	return p, nil
}

// setRuns sets opts.Runs, or opts.Auto and opts.Block for runs = "auto",
// from the experiment's [trials] and the overrides (0 for the
// experiment's). Under auto, opts.Runs is min_runs: the runs planned at
// the least, which the archive records as Settings.Runs, and the block is
// the override's, the file's or experiments.DefaultAutoBlock. A fixed
// count takes no block: the file's goes with its runs = "auto", and an
// override is an error.
func setRuns(opts *harness.Options, t experiments.Trials, runs experiments.RunCount, block int) error {
	if runs == 0 {
		runs = t.Runs
	}
	if !runs.Auto() {
		if block != 0 {
			return invalid("blocks of trials apply only to adaptive runs (runs = \"auto\"), since a fixed count keeps one trial per strategy per round: drop --block, or run with --runs auto")
		}
		opts.Runs, opts.Auto, opts.Block = int(runs), nil, 0
		return nil
	}
	// Auto by override on a file without it: its bounds are not defaulted yet.
	d := t.WithAutoDefaults()
	a := harness.Auto{MinRuns: d.MinRuns, MaxRuns: d.MaxRuns, MaxTime: d.MaxTime.Duration, Precision: d.Precision}
	opts.Runs, opts.Auto = a.MinRuns, &a
	opts.Block = cmp.Or(block, t.Block, experiments.DefaultAutoBlock)
	return nil
}

// Run builds (unless o.NoBuild), times and archives one run of
// o.Experiment, and returns it with the path it was archived at. The run
// is returned when it was archived, also when it was interrupted (with an
// error wrapping ErrInterrupted); a run that could not be archived is
// lost, and the error says so.
func Run(ctx context.Context, o Options) (*results.Run, string, error) {
	p, err := o.plan()
	if err != nil {
		return nil, "", err
	}
	e, log := o.Experiment, logTo(o.Log)
	// Before anything runs: a run that cannot be archived is not measured.
	// Read once: the folder checked is the one the record names.
	machine := harness.Fingerprint()
	if err := (results.Archive{Dir: o.Results}).CheckWritable(machine.ID, e.Name); err != nil {
		return nil, "", fmt.Errorf("%w (nothing was run)", err)
	}
	host := o.Host
	if host == nil {
		if host, err = harness.CheckHost(e); err != nil {
			return nil, "", err
		}
	}
	if !o.NoBuild {
		if err := Build(ctx, e, p.params, log); err != nil {
			return nil, "", err
		}
	}
	recorded, err := ReadRecorded(e)
	if err != nil {
		return nil, "", err
	}
	artifacts, err := harness.Artifacts(e)
	if err != nil {
		return nil, "", err
	}
	if err := checkFits(e, machine, host, recorded, artifacts, p.trials, o.Lab); err != nil {
		return nil, "", err
	}

	limits := harness.LimitsOf(e.Host)
	if o.WaitQuiet > 0 && !harness.WaitQuiet(ctx, limits, p.trials.Pin, o.WaitQuiet, log) && ctx.Err() != nil {
		return nil, "", fmt.Errorf("%w while waiting for a quiet host: nothing was run or archived", ErrInterrupted)
	}
	noise, noiseWarnings := harness.MeasureNoise(p.trials.Pin, NoiseSample)
	watch := harness.WatchNoise(limits, p.trials.Pin)
	started := time.Now()
	out, err := harness.Run(ctx, e, p.trials)
	if err != nil && out == nil {
		return nil, "", err
	}
	watch.Judge(&noise, out.Trials)
	opts := p.trials
	r := newRun(e, machine, host, recorded, started, o.Lab)
	r.Complete = out.Complete
	r.Settings = results.Settings{
		Warmup: opts.Warmup, Runs: opts.Runs, Pin: opts.Pin,
		TimeoutNS: int64(opts.Timeout), Baseline: e.Trials.Baseline,
		IgnoreFailure: opts.IgnoreFailure,
		Memory:        out.Memory, Order: &out.Order,
	}
	r.Parameters, r.Sweep = p.params, o.Sweep
	r.Artifacts = artifacts
	r.Strategies, r.Trials = out.Strategies, out.Trials
	r.Warnings = slices.Concat(noiseWarnings, p.warnings, o.Warnings, out.Warnings)
	r.Noise = &noise
	path, werr := results.Archive{Dir: o.Results}.Write(r)
	if werr != nil {
		return nil, "", fmt.Errorf("%w (not archived: the trials of this run are lost; free space or fix permissions and run again)", werr)
	}
	if !out.Complete {
		return r, path, fmt.Errorf("%w: archived the %d trials done as an incomplete run", ErrInterrupted, len(out.Trials))
	}
	return r, path, err
}

// logTo returns w, or a writer that drops everything for nil.
func logTo(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// newRun starts the record of a run of e on machine (harness.Fingerprint)
// begun at started: what every run records of the experiment, the machine,
// the lab and the build.
func newRun(e *experiments.Experiment, machine results.Machine, host *harness.Host, recorded []results.RecordedFile, started time.Time, lab results.Lab) *results.Run {
	return &results.Run{
		Format:         results.FormatVersion,
		ID:             results.NewID(started),
		Experiment:     e.Name,
		Title:          e.Title,
		ExperimentFile: string(e.Raw),
		Started:        started.UTC(),
		Finished:       time.Now().UTC(),
		Machine:        machine,
		Lab:            lab,
		Environment:    environment(os.Getenv),
		Toolchains:     host.Tools,
		Dependencies:   results.Dependencies(recorded),
		Recorded:       recorded,
	}
}

// ReadRecorded reads the files the experiment asks to archive
// (build.record), relative to its folder.
func ReadRecorded(e *experiments.Experiment) ([]results.RecordedFile, error) {
	if e.Build == nil {
		return nil, nil
	}
	var files []results.RecordedFile
	for _, p := range e.Build.Record {
		// Inside the experiment folder only, a regular file of bounded
		// size: a link must not bring any readable file into the archive.
		data, err := safefile.ReadFileIn(e.Dir, p, results.MaxRecordedSize)
		if err != nil {
			return nil, fmt.Errorf("%s: build.record: %w (did the build make it?)", e.Path, err)
		}
		files = append(files, results.RecordedFile{Path: p, Content: string(data)})
	}
	return files, nil
}
