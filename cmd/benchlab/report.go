package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"

	"benchlab/reports"
	"benchlab/results"
)

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	outDir := fs.String("out", "reports", "`folder` for reports; each experiment gets its own subfolder")
	runID := fs.String("run", "", "run `ID` (or a unique prefix) to report; default: the newest complete run")
	rest, err := parse(fs, args, 1, "one experiment name")
	if err != nil {
		return err
	}
	name := rest[0]
	a := results.Archive{Dir: *resultsDir}
	var entry results.Entry
	var loadErrs []error
	if *runID != "" {
		entry, loadErrs, err = a.Find(name, *runID)
	} else {
		entry, loadErrs, err = a.Latest(name)
	}
	printLoadErrors(stderr, loadErrs)
	if err != nil {
		return err
	}
	if !entry.Run.Complete {
		fmt.Fprintf(stderr, "warning: %s is an incomplete run; the report says so\n", entry.Run.ID)
	}
	// The newest sweep and instruction counts go with the run, and with
	// no --run the newest complete run at the default parameters is the
	// one reported (reports.Select).
	var runs []*results.Run
	all, _ := a.Runs(name)
	for _, en := range all {
		runs = append(runs, en.Run)
	}
	sel := reports.Select(runs)
	if *runID == "" && sel.Main != nil {
		for _, en := range all {
			if en.Run == sel.Main {
				entry = en
			}
		}
	}
	rep, err := reports.Build(entry.Run)
	if err != nil {
		return fmt.Errorf("report on %s: %w", entry.Path, err)
	}
	if len(sel.Sweep) > 0 {
		rep.AddSweep(sel.Sweep, sel.SweepParam)
	}
	rep.AddCounts(sel.Counts, sel.CountParam)
	rep.AddHistory(sel.History)
	dir := filepath.Join(*outDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := rep.Files()
	if err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	if err := writeFiles(dir, files); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	// A chart an earlier report drew and this one does not would be left
	// beside a README that no longer shows it: remove it.
	for _, name := range reports.ChartNames {
		if !slices.ContainsFunc(files, func(f reports.File) bool { return f.Name == name }) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, iofs.ErrNotExist) {
				return fmt.Errorf("remove stale chart: %w", err)
			}
		}
	}
	fmt.Fprintf(stdout, "wrote %s from run %s\n", filepath.Join(dir, files[0].Name), entry.Run.ID)
	return nil
}
