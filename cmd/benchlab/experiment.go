package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/results"
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
	params := paramFlag{}
	fs.Var(params, "param", "build every run with parameter `name=value`, repeatable (default: the experiment's [build.defaults]); the report is on the run made so")
	wait := &harness.WaitFlag{}
	fs.Var(wait, "wait-quiet", "before the run and the sweep, wait up to `DURATION` (bare: 2m) for the host to settle (see benchlab run)")
	rest, err := parse(fs, args, 1, "one experiment folder")
	if err != nil {
		return err
	}
	dir := rest[0]
	e, err := experiments.Load(dir)
	if err != nil {
		return err
	}
	if _, err := e.ResolveParams(params); err != nil {
		return usageError{err.Error()}
	}
	if r := e.Report; r != nil {
		var varied []string
		if r.Sweep != "" {
			varied = append(varied, r.Sweep)
		}
		if r.Count {
			varied = append(varied, r.CountParamOrDefault())
		}
		for _, p := range varied {
			if _, ok := params[p]; ok {
				return usageError{fmt.Sprintf("--param %s: the experiment's [report] varies that parameter; leave it out (the sweep or the counts set it) or remove it from [report]", p)}
			}
		}
	}
	steps := experimentSteps(e, dir, *resultsDir, params, wait)
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
	// The report is on the run just made: on this machine, at params. The
	// report's own choice would pass over a run not at the defaults, and
	// might take a newer run another machine added to a shared archive.
	id, err := newestAt(*resultsDir, e.Name, harness.Fingerprint().ID, params)
	if err != nil {
		return err
	}
	report := []string{"--results", *resultsDir, "--out", *outDir, "--run", id}
	return cmdReport(ctx, append(report, e.Name), stdout, stderr)
}

// newestAt returns the ID of the newest timed run of experiment on
// machine, not a sweep's point, built with params (other parameters as
// they may be).
func newestAt(resultsDir, experiment, machine string, params map[string]string) (string, error) {
	entries, _ := results.Archive{Dir: resultsDir}.Runs(experiment)
	for _, en := range slices.Backward(entries) {
		r := en.Run
		if r.Sweep != "" || len(r.Counts) > 0 || r.Machine.ID != machine {
			continue
		}
		match := true
		for k, v := range params {
			match = match && r.Parameters[k] == v
		}
		if match {
			return r.ID, nil
		}
	}
	return "", fmt.Errorf("no run of %s on this machine (%s) at %s in %s to report on; run `benchlab report --run ID` with the run's ID (`benchlab ls` lists them)", experiment, machine, orAll(experiments.FormatParams(params)), resultsDir)
}

type step struct {
	run  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	args []string // for printing: the subcommand, then its arguments
}

// experimentSteps are the commands that make e's evidence, in order: the
// run at the defaults, the declared sweep, the declared counts (which end
// by rebuilding at the defaults).
func experimentSteps(e *experiments.Experiment, dir, resultsDir string, params map[string]string, wait *harness.WaitFlag) []step {
	wrap := func(f func(context.Context, []string, io.Writer, io.Writer) error, args ...string) step {
		return step{run: func(ctx context.Context, a []string, stdout, stderr io.Writer) error {
			return f(ctx, a[1:], stdout, stderr)
		}, args: args}
	}
	var held []string
	for _, name := range slices.Sorted(maps.Keys(params)) {
		held = append(held, "--param", name+"="+params[name])
	}
	var timed []string // flags of the timed runs only
	if wait.D > 0 {
		timed = []string{"--wait-quiet=" + wait.D.String()}
	}
	steps := []step{wrap(cmdRun, slices.Concat([]string{"run", "--results", resultsDir}, timed, held, []string{dir})...)}
	r := e.Report
	if r == nil {
		return steps
	}
	if r.Sweep != "" {
		args := []string{"sweep", "--results", resultsDir, "--param-sweep", r.Sweep, "--values", strings.Join(e.SweepValuesOrDefault(), ",")}
		if r.SweepRuns > 0 {
			args = append(args, "--runs", strconv.Itoa(r.SweepRuns))
		}
		steps = append(steps, wrap(cmdSweep, slices.Concat(args, timed, held, []string{dir})...))
	}
	if r.Count {
		v := r.CountValuesOrDefault()
		steps = append(steps, wrap(cmdCount, slices.Concat([]string{"count", "--results", resultsDir, "--param-name", r.CountParamOrDefault(),
			"--param-low", v[0], "--param-high", v[1]}, held, []string{dir})...))
	}
	return steps
}

// orAll names parameters, or says that any will do.
func orAll(params string) string {
	if params == "" {
		return "any parameters"
	}
	return params
}
