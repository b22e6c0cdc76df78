package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/internal/safefile"
	"benchlab/reports"
	"benchlab/results"
)

// runFlags are the flags of `benchlab run` that `benchlab sweep` shares.
type runFlags struct {
	results, runs             *string
	warmup                    *int
	showOutput, ignoreFailure *bool
}

func addRunFlags(fs *flag.FlagSet) runFlags {
	return runFlags{
		results:       fs.String("results", "results", "archive `folder`"),
		runs:          fs.String("runs", "", "counted runs per strategy, or `auto` (default: the experiment's trials.runs)"),
		warmup:        fs.Int("warmup", -1, "warm-up runs per strategy (default: the experiment's trials.warmup)"),
		showOutput:    fs.Bool("show-output", false, "send the subjects' standard output and error to the terminal instead of /dev/null"),
		ignoreFailure: fs.Bool("ignore-failure", false, "keep running a strategy whose trials exit non-zero; failed trials are counted"),
	}
}

// options turns the flags and the experiment's [trials] into harness options.
func (f runFlags) options(e *experiments.Experiment, stderr io.Writer) (harness.Options, error) {
	opts := harness.Options{
		Warmup:        e.Trials.Warmup,
		Pin:           e.Trials.Pin,
		Timeout:       e.Trials.Timeout.Duration,
		Progress:      stderr,
		Terminal:      isTerminal(stderr),
		ShowOutput:    *f.showOutput,
		IgnoreFailure: *f.ignoreFailure,
	}
	if *f.warmup >= 0 {
		opts.Warmup = *f.warmup
	}
	return opts, setRuns(&opts, e.Trials, *f.runs)
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	rf := addRunFlags(fs)
	noBuild := fs.Bool("no-build", false, "skip the experiment's build step (the artifacts are still hashed)")
	params := paramFlag{}
	fs.Var(params, "param", "build-time parameter `name=value`, repeatable (default: the experiment's [build.defaults])")
	rest, err := parse(fs, args, 1, "one experiment folder")
	if err != nil {
		return err
	}
	e, err := experiments.Load(rest[0])
	if err != nil {
		return err
	}
	if *noBuild && len(params) > 0 {
		return usageError{"--param needs a build: drop --no-build"}
	}
	p := point{build: !*noBuild}
	if p.params, err = e.ResolveParams(params); err != nil {
		return usageError{err.Error()}
	}
	if *noBuild && len(e.ParamNames()) > 0 {
		// Not built by this run: record what the last build was built
		// with, or that it is unknown, never the defaults by assumption.
		if built, ok := builtParams(e); ok {
			p.params = built
		} else {
			p.params = nil
			p.warnings = append(p.warnings, "run with --no-build, and no record of the last build's parameters: they are unknown, so this run is not taken as one at the defaults")
		}
	}
	opts, err := rf.options(e, stderr)
	if err != nil {
		return err
	}
	host, err := harness.CheckHost(e)
	if err != nil {
		return err
	}
	_, err = runOnce(ctx, e, host, opts, p, *rf.results, stdout, stderr)
	return err
}

// point is what differs between the runs of one experiment that a command
// makes: the build parameters, whether to build, the sweep it belongs to.
type point struct {
	params   map[string]string
	build    bool
	sweep    string
	warnings []string
}

// runOnce builds (unless p says not to), times and archives one run of e,
// and prints its summary. The run is returned when it was archived, also
// when it was interrupted (with an error wrapping errInterrupted).
func runOnce(ctx context.Context, e *experiments.Experiment, host *harness.Host, opts harness.Options, p point, resultsDir string, stdout, stderr io.Writer) (*results.Run, error) {
	if p.build {
		if err := buildWithParams(ctx, e, p.params, stderr); err != nil {
			return nil, err
		}
	}
	recorded, err := readRecorded(e)
	if err != nil {
		return nil, err
	}
	artifacts, err := harness.Artifacts(e)
	if err != nil {
		return nil, err
	}
	if err := checkArchivable(e, host, recorded, artifacts, opts, resultsDir); err != nil {
		return nil, err
	}

	noise, noiseWarnings := harness.MeasureNoise(opts.Pin, noiseSample)
	started := time.Now()
	out, err := harness.Run(ctx, e, opts)
	if err != nil && out == nil {
		return nil, err
	}
	r := newRun(e, host, recorded, started)
	r.Complete = out.Complete
	r.Settings = results.Settings{
		Warmup: opts.Warmup, Runs: opts.Runs, Pin: opts.Pin,
		TimeoutNS: int64(opts.Timeout), Baseline: e.Trials.Baseline,
		IgnoreFailure: opts.IgnoreFailure,
	}
	r.Parameters, r.Sweep = p.params, p.sweep
	r.Artifacts = artifacts
	r.Strategies, r.Trials = out.Strategies, out.Trials
	r.Warnings = slices.Concat(host.Warnings, noiseWarnings, p.warnings, out.Warnings)
	r.Noise = &noise
	path, werr := results.Archive{Dir: resultsDir}.Write(r)
	if werr != nil {
		fmt.Fprint(stdout, reports.Text(r)) // the figures at least, since the trials cannot be kept
		return nil, fmt.Errorf("%w (not archived: the trials of this run are lost; free space or fix permissions and run again)", werr)
	}
	fmt.Fprint(stdout, reports.Text(r))
	fmt.Fprintf(stdout, "\narchived %s\n", path)
	if !out.Complete {
		return r, fmt.Errorf("%w: archived the %d trials done as an incomplete run", errInterrupted, len(out.Trials))
	}
	return r, err
}

// newRun starts the record of a run of e begun at started: what every run
// records of the experiment, the machine, the lab and the build.
func newRun(e *experiments.Experiment, host *harness.Host, recorded []results.RecordedFile, started time.Time) *results.Run {
	return &results.Run{
		Format:         results.FormatVersion,
		ID:             results.NewID(started),
		Experiment:     e.Name,
		Title:          e.Title,
		ExperimentFile: string(e.Raw),
		Started:        started.UTC(),
		Finished:       time.Now().UTC(),
		Machine:        harness.Fingerprint(),
		Lab:            labInfo(),
		Environment:    environment(os.Getenv),
		Toolchains:     host.Tools,
		Dependencies:   results.Dependencies(recorded),
		Recorded:       recorded,
		Warnings:       host.Warnings,
	}
}

// readRecorded reads the files the experiment asks to archive.
func readRecorded(e *experiments.Experiment) ([]results.RecordedFile, error) {
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

// isTerminal reports whether w is a character device, where progress can
// be redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
