package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path/filepath"
	"strings"

	"benchlab/exchange"
	"benchlab/internal/safefile"
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
	// A regular file only (a FIFO would block), of a bounded size.
	data, fi, err := safefile.ReadFile(path, exchange.MaxImportSize)
	if err != nil {
		return fmt.Errorf("import: %w (give a hyperfine --export-json file)", err)
	}
	r, err := exchange.FromHyperfine(data, exchange.ImportOptions{
		Experiment: name, File: path, MachineNote: *note, Modified: fi.ModTime(), Lab: labInfo(),
	})
	if err != nil {
		return err
	}
	// The same file imported into the same experiment gets the same run
	// ID, so that of two imports at once the second finds the first's
	// file in its place and is refused, as a later one is below.
	r.ID = results.ImportedRunID(r.Started, r.Imported.SHA256, r.Experiment)
	a := results.Archive{Dir: *resultsDir}
	entries, loadErrs := a.Runs(name)
	printLoadErrors(stderr, loadErrs)
	for _, e := range entries {
		if e.Run.Imported != nil && e.Run.Imported.SHA256 == r.Imported.SHA256 {
			return fmt.Errorf("import %s: already imported as %s; nothing written", path, e.Path)
		}
	}
	out, err := a.Write(r)
	if errors.Is(err, iofs.ErrExist) {
		return fmt.Errorf("import %s: already imported as %s (by an import running at the same time); nothing written", path, filepath.Join(a.Dir, r.Machine.ID, r.Experiment, r.ID+results.Ext))
	}
	if err != nil {
		return err
	}
	commands := "commands"
	if len(r.Strategies) == 1 {
		commands = "command"
	}
	fmt.Fprintf(stdout, "imported %d %s, %d trials from %s as %s\n", len(r.Strategies), commands, len(r.Trials), path, out)
	return nil
}
