package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
	rep, err := reports.Build(entry.Run)
	if err != nil {
		return fmt.Errorf("report on %s: %w", entry.Path, err)
	}
	dir := filepath.Join(*outDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := rep.Files()
	if err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.Name), f.Data); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	fmt.Fprintf(stdout, "wrote %s from run %s\n", filepath.Join(dir, files[0].Name), entry.Run.ID)
	return nil
}
