package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"benchlab/analysis"
	"benchlab/reports"
	"benchlab/results"
)

// cmdHistory lists an experiment's timed runs per machine, oldest first,
// flagging significant changes between consecutive runs. With --out it
// also writes OUT/<experiment>/history.md and a chart per machine
// (reports.HistoryFiles): the same archive always gives the same bytes.
func cmdHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("history", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	outDir := fs.String("out", "", "also write history.md and its charts to `folder`/EXPERIMENT_NAME")
	rest, err := parse(fs, args, 1, "one experiment name")
	if err != nil {
		return err
	}
	name := rest[0]
	// The name becomes a folder of --out: only a safe archive name may.
	if err := results.CheckName("experiment", name); err != nil {
		return err
	}
	entries, loadErrs := results.Archive{Dir: *resultsDir}.Runs(name)
	printLoadErrors(stderr, loadErrs)
	if len(entries) == 0 {
		return fmt.Errorf("no runs of %q in %s: run `benchlab run experiments/%s` first, or give the archive with --results", name, *resultsDir, name)
	}
	// Experiment files are decoded once, here: a change is marked only
	// against a comparable run (analysis.PreviousComparable).
	var all []analysis.RunInfo
	byMachine := map[string][]analysis.RunInfo{}
	var machines []string
	for _, e := range entries {
		if len(e.Run.Counts) > 0 {
			continue
		}
		info := analysis.Describe(e.Run)
		all = append(all, info)
		m := e.Run.Machine.ID
		if _, ok := byMachine[m]; !ok {
			machines = append(machines, m)
		}
		byMachine[m] = append(byMachine[m], info)
	}
	for i, m := range machines {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "machine %s\n", m)
		fmt.Fprint(stdout, reports.HistoryText(byMachine[m]))
	}
	if *outDir == "" {
		return nil
	}
	files, err := reports.HistoryFiles(name, all)
	if err != nil {
		return fmt.Errorf("render history: %w", err)
	}
	dir := filepath.Join(*outDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeFiles(dir, files); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	fmt.Fprintf(stdout, "\nwrote %s\n", filepath.Join(dir, reports.HistoryPageName))
	return nil
}
