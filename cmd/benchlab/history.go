package main

import (
	"context"
	"fmt"
	"io"

	"benchlab/reports"
	"benchlab/results"
)

// cmdHistory lists an experiment's timed runs per machine, oldest first,
// flagging significant changes between consecutive runs.
func cmdHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("history", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	rest, err := parse(fs, args, 1, "one experiment name")
	if err != nil {
		return err
	}
	entries, loadErrs := results.Archive{Dir: *resultsDir}.Runs(rest[0])
	printLoadErrors(stderr, loadErrs)
	if len(entries) == 0 {
		return fmt.Errorf("no runs of %q in %s", rest[0], *resultsDir)
	}
	byMachine := map[string][]*results.Run{}
	var machines []string
	for _, e := range entries {
		if len(e.Run.Counts) > 0 {
			continue
		}
		m := e.Run.Machine.ID
		if _, ok := byMachine[m]; !ok {
			machines = append(machines, m)
		}
		byMachine[m] = append(byMachine[m], e.Run)
	}
	for i, m := range machines {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "machine %s\n", m)
		fmt.Fprint(stdout, reports.HistoryText(byMachine[m]))
	}
	return nil
}
