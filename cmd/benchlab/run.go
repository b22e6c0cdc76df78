package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/lab"
	"benchlab/reports"
	"benchlab/results"
)

// runFlags are the flags of `benchlab run` that `benchlab sweep` shares.
type runFlags struct {
	results, runs, warmup     *string
	showOutput, ignoreFailure *bool
	waitQuiet                 *harness.WaitFlag
}

func addRunFlags(fs *flag.FlagSet) runFlags {
	wait := &harness.WaitFlag{}
	fs.Var(wait, "wait-quiet", "wait up to `DURATION` (--wait-quiet=2m; bare: 2m) for the host to settle below [host] max_load and max_busy before the trials")
	return runFlags{
		waitQuiet:     wait,
		results:       fs.String("results", "results", "archive `folder`"),
		runs:          fs.String("runs", "", "counted runs per strategy, or `auto` (default: the experiment's trials.runs)"),
		warmup:        fs.String("warmup", "", "warm-up runs per strategy (default: the experiment's trials.warmup)"),
		showOutput:    fs.Bool("show-output", false, "send the subjects' standard output and error to the terminal instead of /dev/null"),
		ignoreFailure: fs.Bool("ignore-failure", false, "keep running a strategy whose trials exit non-zero; failed trials are counted"),
	}
}

// options turns the flags into the pipeline's options for e, its progress
// drawn on stderr.
func (f runFlags) options(e *experiments.Experiment, stderr io.Writer) (lab.Options, error) {
	o := lab.Options{
		Experiment:    e,
		Results:       *f.results,
		ShowOutput:    *f.showOutput,
		IgnoreFailure: *f.ignoreFailure,
		WaitQuiet:     f.waitQuiet.D,
		Events:        newProgress(stderr).event,
		Log:           stderr,
		Lab:           labInfo(),
	}
	if *f.warmup != "" {
		n, err := strconv.Atoi(*f.warmup)
		if err != nil || n < 0 {
			return o, usageError{"--warmup must be a number of at least 0, not " + strconv.Quote(*f.warmup)}
		}
		o.Warmup = &n
	}
	var err error
	o.Runs, err = parseRuns(*f.runs)
	return o, err
}

// parseRuns reads --runs: "" for the experiment's (0), a number of at least
// 1, or "auto".
func parseRuns(flag string) (experiments.RunCount, error) {
	switch flag {
	case "":
		return 0, nil
	case "auto":
		return experiments.AutoRuns, nil
	}
	n, err := strconv.Atoi(flag)
	if err != nil || n < 1 {
		return 0, usageError{"--runs must be a number of at least 1 or \"auto\", not " + strconv.Quote(flag)}
	}
	return experiments.RunCount(n), nil
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
	o, err := rf.options(e, stderr)
	if err != nil {
		return err
	}
	o.Params, o.NoBuild = params, *noBuild
	if err := o.Validate(); err != nil {
		return optionsError(err)
	}
	r, path, err := lab.Run(ctx, o)
	printRun(stdout, r, path)
	return err
}

// optionsError makes an error of the pipeline's options a usage error,
// since the options come from the flags.
func optionsError(err error) error {
	if errors.Is(err, lab.ErrOptions) {
		return usageError{err.Error()}
	}
	return err
}

// printRun prints the summary of an archived run, if any, and where it is.
func printRun(stdout io.Writer, r *results.Run, path string) {
	if r == nil {
		return
	}
	fmt.Fprint(stdout, reports.Text(r))
	fmt.Fprintf(stdout, "\narchived %s\n", path)
}
