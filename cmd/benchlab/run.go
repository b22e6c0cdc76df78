package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"benchlab/exchange"
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

// cmdRun runs an experiment folder, or times commands ad hoc as
// hyperfine does (runargs.go, adhoc.go): both archive a run and print
// hyperfine's summary.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a, err := parseRunArgs(args)
	if errors.Is(err, errRunHelp) {
		// Asked for: on standard output, as the commands list.
		runUsage(stdout)
		return err
	}
	if err != nil {
		return err
	}
	adhoc, err := a.mode()
	if err != nil {
		return err
	}
	if err := a.modeErr(adhoc); err != nil {
		return err
	}
	st := chooseStyle(a.style, stdout, stderr, os.Getenv)
	for _, f := range []string{a.exportJSON, a.exportMarkdown} {
		if f != "" && f == a.save {
			return usageError{"an export and --save-experiment name the same path"}
		}
	}
	o := lab.Options{
		Results:       a.results,
		ShowOutput:    a.showOutput,
		IgnoreFailure: a.ignoreFailure,
		WaitQuiet:     a.waitQuiet.D,
		Log:           stderr,
		Lab:           labInfo(),
	}
	if st.none {
		o.Log = io.Discard
	}
	if st.progress {
		o.Events = newStyledProgress(stderr, st.redraw).event
	}
	if adhoc {
		dir, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("the working directory, where the commands run: %w", err)
		}
		ad, err := newAdhoc(a, dir)
		if err != nil {
			return err
		}
		if a.save != "" {
			if err := ad.save(a.save); err != nil {
				return err
			}
			if !st.none {
				fmt.Fprintf(stderr, "saved %s: `benchlab run %s` runs these commands again\n", filepath.Join(a.save, experiments.FileName), a.save)
			}
		}
		if !st.none && (a.shell == "" || a.shell == "default") {
			fmt.Fprintln(stderr, "timing each command as `sh -c COMMAND`: the shell's start-up is part of each time (-N: no shell)")
		}
		o.Experiment = ad.exp
	} else {
		e, err := experiments.Load(a.commands[0])
		if err != nil {
			return err
		}
		if a.noBuild && len(a.params) > 0 {
			return usageError{"--param needs a build: drop --no-build"}
		}
		o.Experiment, o.Params, o.NoBuild = e, a.params, a.noBuild
		if o.Runs, err = parseRuns(a.runs); err != nil {
			return err
		}
		if a.warmup != "" {
			n, _ := strconv.Atoi(a.warmup)
			o.Warmup = &n
		}
		o.Block, _ = strconv.Atoi(a.block)
	}
	if err := o.Validate(); err != nil {
		return optionsError(err)
	}
	r, path, runErr := lab.Run(ctx, o)
	if r == nil {
		return runErr
	}
	// The exports go first: they are files, which a closed standard
	// output does not stop.
	exportErr := errors.Join(exportFile(a.exportJSON, "hyperfine", r), exportFile(a.exportMarkdown, "markdown", r))
	out := &pipeWatch{w: stdout, drop: true}
	if !st.none {
		fmt.Fprint(out, reports.Terminal(r, reports.TerminalOptions{Sort: a.sort, Unit: a.timeUnit, Color: st.color}))
		fmt.Fprintf(out, "\narchived %s\n", path)
	}
	if adhoc && !a.ignoreFailure {
		exportErr = errors.Join(exportErr, failedCommands(r))
	}
	if out.broken {
		return errors.Join(runErr, exportErr, brokenPipe{path})
	}
	return errors.Join(runErr, exportErr)
}

// failedCommands is an error naming the commands of an ad-hoc run that
// failed, as hyperfine fails without --ignore-failure; the run is archived
// by then, and the other commands have run.
func failedCommands(r *results.Run) error {
	var failed []string
	for _, s := range r.Strategies {
		if s.Failure != "" {
			label := s.Label
			if label == "" {
				label = s.Name
			}
			failed = append(failed, fmt.Sprintf("'%s' (%s)", label, firstLine(s.Failure)))
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d commands failed and were not run again: %s; the run is archived; use -i/--ignore-failure to time failing commands",
		len(failed), len(r.Strategies), strings.Join(failed, ", "))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// exportFile writes r to path in format, atomically; nothing for "".
func exportFile(path, format string, r *results.Run) error {
	if path == "" {
		return nil
	}
	var b bytes.Buffer
	if err := exchange.Write(format, &b, r); err != nil {
		return fmt.Errorf("export %s: %w (the run is archived: `benchlab export` writes it again)", path, err)
	}
	if err := writeFile(path, b.Bytes()); err != nil {
		return fmt.Errorf("export %s: %w (the run is archived: `benchlab export` writes it again)", path, err)
	}
	return nil
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
	fmt.Fprint(stdout, reports.Terminal(r, reports.TerminalOptions{}))
	fmt.Fprintf(stdout, "\narchived %s\n", path)
}
