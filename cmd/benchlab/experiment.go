package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"benchlab/experiments"
	"benchlab/harness"
)

// cmdExperiment makes an experiment's whole report on this machine, as
// `make experiment` does: the main run, then the sweep and instruction
// counts the experiment's [report] declares, each through the command
// that makes it alone (run, sweep, count), then the report, which takes
// its evidence from these runs and never from another machine's.
func cmdExperiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("experiment", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	outDir := fs.String("out", "reports", "`folder` for reports; each experiment gets its own subfolder")
	rest, err := parse(fs, args, 1, "one experiment folder")
	if err != nil {
		return err
	}
	dir := rest[0]
	e, err := experiments.Load(dir)
	if err != nil {
		return err
	}
	steps := experimentSteps(e, dir, *resultsDir)
	if e.Report != nil && e.Report.Count {
		// Before an hour of runs, not after: the counts need a counter.
		if _, err := harness.FindCounter(ctx); err != nil {
			return fmt.Errorf("%s declares instruction counts ([report] count = true): %w", e.Path, err)
		}
	}
	for _, s := range steps {
		fmt.Fprintf(stderr, "\n== benchlab %s\n", strings.Join(s.args, " "))
		if err := s.run(ctx, s.args, stdout, stderr); err != nil {
			return fmt.Errorf("%s: %w", s.args[0], err)
		}
	}
	return cmdReport(ctx, []string{"--results", *resultsDir, "--out", *outDir, e.Name}, stdout, stderr)
}

type step struct {
	run  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	args []string // for printing: the subcommand, then its arguments
}

// experimentSteps are the commands that make e's evidence, in order: the
// run at the defaults, the declared sweep, the declared counts (which end
// by rebuilding at the defaults).
func experimentSteps(e *experiments.Experiment, dir, resultsDir string) []step {
	wrap := func(f func(context.Context, []string, io.Writer, io.Writer) error, args ...string) step {
		return step{run: func(ctx context.Context, a []string, stdout, stderr io.Writer) error {
			return f(ctx, a[1:], stdout, stderr)
		}, args: args}
	}
	steps := []step{wrap(cmdRun, "run", "--results", resultsDir, dir)}
	r := e.Report
	if r == nil {
		return steps
	}
	if r.Sweep != "" {
		args := []string{"sweep", "--results", resultsDir, "--param-sweep", r.Sweep, "--values", strings.Join(e.SweepValuesOrDefault(), ",")}
		if r.SweepRuns > 0 {
			args = append(args, "--runs", strconv.Itoa(r.SweepRuns))
		}
		steps = append(steps, wrap(cmdSweep, append(args, dir)...))
	}
	if r.Count {
		v := r.CountValuesOrDefault()
		steps = append(steps, wrap(cmdCount, "count", "--results", resultsDir, "--param-name", r.CountParamOrDefault(),
			"--param-low", v[0], "--param-high", v[1], dir))
	}
	return steps
}
