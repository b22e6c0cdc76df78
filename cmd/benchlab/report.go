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

	"benchlab/analysis"
	"benchlab/harness"
	"benchlab/reports"
	"benchlab/results"
)

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	outDir := fs.String("out", "reports", "`folder` for reports; each experiment gets its own subfolder")
	runID := fs.String("run", "", "run `ID` (or a unique prefix) to report; default: this machine's newest complete run at the default parameters (any machine's when this one has none)")
	rest, err := parse(fs, args, 1, "one experiment name")
	if err != nil {
		return err
	}
	name := rest[0]
	entry, main, infos, err := chooseRun(results.Archive{Dir: *resultsDir}, name, *runID, stderr)
	if err != nil {
		return err
	}
	if !entry.Run.Complete {
		fmt.Fprintf(stderr, "warning: %s is an incomplete run; the report says so\n", entry.Run.ID)
	}
	runs := make([]*results.Run, len(infos))
	for i, in := range infos {
		runs[i] = in.Run
	}
	rep, err := reports.BuildFrom(main)
	if err != nil {
		return fmt.Errorf("report on %s: %w", entry.Path, err)
	}
	rep.AddEvidence(analysis.SelectEvidence(main, infos))
	// Other machines' runs appear only in their own section, headed so.
	rep.AddMachines(runs)
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

// chooseRun returns the run that report and export work on: the one
// --run names, or with none this machine's newest complete run at the
// default parameters (analysis.SelectMainOn; any machine's when this one
// has none), described. It also returns every run of the experiment,
// described once here where they are loaded, for the evidence beside it.
func chooseRun(a results.Archive, name, runID string, stderr io.Writer) (results.Entry, analysis.RunInfo, []analysis.RunInfo, error) {
	if err := results.CheckName("experiment", name); err != nil {
		return results.Entry{}, analysis.RunInfo{}, nil, err
	}
	all, loadErrs := a.Runs(name)
	printLoadErrors(stderr, loadErrs)
	var (
		entry results.Entry
		err   error
	)
	if runID != "" {
		entry, err = a.FindIn(name, runID, all)
	} else {
		entry, err = a.LatestOf(name, all)
	}
	if err != nil {
		return results.Entry{}, analysis.RunInfo{}, nil, err
	}
	runs := make([]*results.Run, len(all))
	for i, en := range all {
		runs[i] = en.Run
	}
	infos := analysis.DescribeAll(runs)
	main := analysis.Describe(entry.Run)
	if runID == "" {
		if m := analysis.SelectMainOn(infos, harness.Fingerprint().ID); m != nil {
			main = *m
			for _, en := range all {
				if en.Run == m.Run {
					entry = en
				}
			}
		}
	}
	return entry, main, infos, nil
}
