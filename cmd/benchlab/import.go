package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"benchlab/exchange"
	"benchlab/results"
)

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	experiment := fs.String("experiment", "", "experiment `name` to file the run under (default: the file's name without .json)")
	note := fs.String("machine-note", "", "`text` describing the machine the export was measured on; runs imported with the same note share a machine folder")
	rest, err := parse(fs, args, 1, "one hyperfine JSON file")
	if err != nil {
		return err
	}
	path := rest[0]
	name := *experiment
	if name == "" {
		name = exchange.StrategyName(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), 0)
	}
	if err := results.CheckName("experiment", name); err != nil {
		return usageError{fmt.Sprintf("--experiment: %v", err)}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("import %s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, exchange.MaxImportSize+1))
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	r, err := exchange.FromHyperfine(data, exchange.ImportOptions{
		Experiment: name, File: path, MachineNote: *note, Modified: fi.ModTime(), Lab: labInfo(),
	})
	if err != nil {
		return err
	}
	a := results.Archive{Dir: *resultsDir}
	entries, loadErrs := a.Runs(name)
	printLoadErrors(stderr, loadErrs)
	for _, e := range entries {
		if e.Run.Imported != nil && e.Run.Imported.SHA256 == r.Imported.SHA256 {
			return fmt.Errorf("import %s: already imported as %s; nothing written", path, e.Path)
		}
	}
	out, err := a.Write(r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d commands, %d trials from %s as %s\n", len(r.Strategies), len(r.Trials), path, out)
	return nil
}
