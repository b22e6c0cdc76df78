package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/reports"
	"benchlab/results"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	runs := fs.String("runs", "", "counted runs per strategy, or `auto` (default: the experiment's trials.runs)")
	showOutput := fs.Bool("show-output", false, "send the subjects' standard output and error to the terminal instead of /dev/null")
	ignoreFailure := fs.Bool("ignore-failure", false, "keep running a strategy whose trials exit non-zero; failed trials are counted")
	warmup := fs.Int("warmup", -1, "warm-up runs per strategy (default: the experiment's trials.warmup)")
	noBuild := fs.Bool("no-build", false, "skip the experiment's build step (the artifacts are still hashed)")
	params := paramFlag{}
	fs.Var(params, "param", "build-time parameter `name=value`, repeatable (default: the experiment's [build.defaults])")
	sweep := fs.String("sweep", "", "record the run as a point of sweep `ID` (benchlab sweep sets it)")
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
	paramValues, err := e.ResolveParams(params)
	if err != nil {
		return usageError{err.Error()}
	}
	var paramWarnings []string
	if *noBuild && len(e.ParamNames()) > 0 {
		// Not built by this run: record what the last build was built
		// with, or that it is unknown, never the defaults by assumption.
		if built, ok := builtParams(e); ok {
			paramValues = built
		} else {
			paramValues = nil
			paramWarnings = append(paramWarnings, "run with --no-build, and no record of the last build's parameters: they are unknown, so this run is not taken as one at the defaults")
		}
	}
	opts := harness.Options{
		Warmup:   e.Trials.Warmup,
		Pin:      e.Trials.Pin,
		Timeout:  e.Trials.Timeout.Duration,
		Progress: stderr,
		Terminal: isTerminal(stderr),
	}
	if err := setRuns(&opts, e.Trials, *runs); err != nil {
		return err
	}
	opts.ShowOutput, opts.IgnoreFailure = *showOutput, *ignoreFailure
	if *warmup >= 0 {
		opts.Warmup = *warmup
	}

	host, err := harness.CheckHost(e)
	if err != nil {
		return err
	}
	if !*noBuild && e.Build != nil {
		if err := buildWithParams(ctx, e, paramValues, stderr); err != nil {
			return err
		}
	}
	recorded, err := readRecorded(e)
	if err != nil {
		return err
	}
	artifacts, err := harness.Artifacts(e)
	if err != nil {
		return err
	}

	noise, noiseWarnings := harness.MeasureNoise(opts.Pin, noiseSample)
	host.Warnings = append(host.Warnings, noiseWarnings...)
	started := time.Now()
	out, err := harness.Run(ctx, e, opts)
	if err != nil && out == nil {
		return err
	}
	r := &results.Run{
		Format:         results.FormatVersion,
		ID:             results.NewID(started),
		Experiment:     e.Name,
		Title:          e.Title,
		ExperimentFile: string(e.Raw),
		Started:        started.UTC(),
		Finished:       time.Now().UTC(),
		Complete:       out.Complete,
		Machine:        harness.Fingerprint(),
		Lab:            labInfo(),
		Environment:    environment(os.Getenv),
		Settings: results.Settings{
			Warmup: opts.Warmup, Runs: opts.Runs, Pin: opts.Pin,
			TimeoutNS: int64(opts.Timeout), Baseline: e.Trials.Baseline,
			IgnoreFailure: opts.IgnoreFailure,
		},
		Parameters:   paramValues,
		Sweep:        *sweep,
		Toolchains:   host.Tools,
		Dependencies: results.Dependencies(recorded),
		Artifacts:    artifacts,
		Recorded:     recorded,
		Strategies:   out.Strategies,
		Trials:       out.Trials,
		Warnings:     slices.Concat(host.Warnings, paramWarnings, out.Warnings),
		Noise:        &noise,
	}
	path, werr := results.Archive{Dir: *resultsDir}.Write(r)
	if werr != nil {
		return fmt.Errorf("%w (the measurements of this run are lost; free space or fix permissions and run again)", werr)
	}
	fmt.Fprint(stdout, reports.Text(r))
	fmt.Fprintf(stdout, "\narchived %s\n", path)
	if !out.Complete {
		return fmt.Errorf("%w: archived the %d trials done as an incomplete run", errInterrupted, len(out.Trials))
	}
	return err
}

// readRecorded reads the files the experiment asks to archive.
func readRecorded(e *experiments.Experiment) ([]results.RecordedFile, error) {
	if e.Build == nil {
		return nil, nil
	}
	var files []results.RecordedFile
	for _, p := range e.Build.Record {
		data, err := os.ReadFile(filepath.Join(e.Dir, p))
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
