package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"benchlab/exchange"
	"benchlab/results"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	format := fs.String("format", "", "`format` to write: hyperfine (JSON as hyperfine --export-json), markdown (hyperfine's --export-markdown table), csv (one row per trial) or benchfmt (Go benchmark format for benchstat)")
	runID := fs.String("run", "", "run `ID` (or a unique prefix); default: this machine's newest complete run at the default parameters, as report picks (any machine's when this one has none)")
	rest, err := parse(fs, args, 1, "one experiment name")
	if err != nil {
		return err
	}
	if !slices.Contains(exchange.Formats, *format) {
		return usageError{fmt.Sprintf("--format %q: want %s", *format, strings.Join(exchange.Formats, ", "))}
	}
	entry, _, _, err := chooseRun(results.Archive{Dir: *resultsDir}, rest[0], *runID, stderr)
	if err != nil {
		return err
	}
	if !entry.Run.Complete {
		fmt.Fprintf(stderr, "warning: %s is an incomplete run\n", entry.Run.ID)
	}
	if err := exchange.Write(*format, stdout, entry.Run); err != nil {
		return fmt.Errorf("export %s: %w", entry.Path, err)
	}
	return nil
}
