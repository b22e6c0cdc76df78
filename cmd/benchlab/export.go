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
	if err := results.CheckName("experiment", rest[0]); err != nil {
		return err
	}
	entry, _, _, err := chooseRun(results.Archive{Dir: *resultsDir}, rest[0], *runID, stderr)
	if err != nil {
		return err
	}
	if !entry.Run.Complete {
		fmt.Fprintf(stderr, "warning: %s is an incomplete run\n", entry.Run.ID)
	}
	if err := exportTo(*format, stdout, entry.Run); err != nil {
		return fmt.Errorf("export %s: %w", entry.Path, err)
	}
	return nil
}

// exportTo writes r to w in format (one of exchange.Formats): the one way
// every command exports a run, so that `benchlab export` and a run's
// --export-* flags write the same bytes.
func exportTo(format string, w io.Writer, r *results.Run) error {
	return exchange.Write(format, w, r)
}
