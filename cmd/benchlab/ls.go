package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"benchlab/reports"
	"benchlab/results"
)

func cmdLs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ls", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	rest, err := parse(fs, args, -1, "")
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usageError{"want at most one experiment name"}
	}
	name := ""
	if len(rest) == 1 {
		name = rest[0]
	}
	a := results.Archive{Dir: *resultsDir}
	if err := a.CheckReadable(); err != nil {
		return err
	}
	entries, errs := a.Runs(name)
	printLoadErrors(stderr, errs)
	// An empty list is not an error, but a bare header would leave a typo
	// in the name unexplained.
	switch {
	case len(entries) == 0 && name != "":
		fmt.Fprintf(stderr, "no runs of %q in %s: `benchlab ls --results %s` lists the experiments it has\n", name, a.Dir, a.Dir)
	case len(entries) == 0:
		fmt.Fprintf(stderr, "no runs in %s: `benchlab run EXPERIMENT_DIR` makes one\n", a.Dir)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MACHINE\tEXPERIMENT\tRUN\tSTARTED\tTRIALS\tSTATE\tWARNINGS\tCOUNTED RUNS")
	for i := len(entries) - 1; i >= 0; i-- {
		r := entries[i].Run
		state := "complete"
		if !r.Complete {
			state = "incomplete"
		}
		if r.Imported != nil {
			state += ",imported"
		}
		// A sweep's points and an instruction count are runs too, but not
		// the main run a report is built from: say which they are.
		if r.Sweep != "" {
			state += ",sweep"
		}
		if len(r.Counts) > 0 {
			state += ",counts"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%d\t%s\n", r.Machine.ID, r.Experiment, r.ID,
			r.Started.UTC().Format("2006-01-02 15:04"), len(r.Trials), state, len(r.Warnings), counted(r))
	}
	return tw.Flush()
}

// counted lists each strategy's counted runs (not warm-ups; succeeded, or
// exited non-zero under --ignore-failure, as analysis counts them):
// "fast=3 slow=3".
func counted(r *results.Run) string {
	if len(r.Trials) == 0 && len(r.Counts) > 0 {
		// An instruction count (benchlab count) times nothing.
		if len(r.Strategies) == 1 {
			return "instruction counts of 1 strategy, no timed runs"
		}
		return fmt.Sprintf("instruction counts of %d strategies, no timed runs", len(r.Strategies))
	}
	n := make([]int, len(r.Strategies))
	for _, t := range r.Trials {
		if !t.Warmup && t.Counts(r.Settings.IgnoreFailure) {
			n[t.Strategy]++
		}
	}
	parts := make([]string, len(n))
	for i, s := range r.Strategies {
		parts[i] = fmt.Sprintf("%s=%d", oneLineName(s.Name), n[i])
	}
	return strings.Join(parts, " ")
}

// oneLineName keeps a (possibly imported) name on one line of the table,
// its control characters shown as escapes.
func oneLineName(s string) string {
	return reports.Visible(strings.Join(strings.Fields(s), "_"))
}
