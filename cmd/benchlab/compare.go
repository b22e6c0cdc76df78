package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"benchlab/reports"
	"benchlab/results"
)

// cmdCompare compares two archived runs, named by ID or unique prefix.
func cmdCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	rest, err := parse(fs, args, 2, "two run IDs (or unique prefixes)")
	if err != nil {
		return err
	}
	entries, loadErrs := results.Archive{Dir: *resultsDir}.Runs("")
	printLoadErrors(stderr, loadErrs)
	var found [2]*results.Run
	for i, id := range rest {
		var matches []*results.Run
		for _, e := range entries {
			if strings.HasPrefix(e.Run.ID, id) {
				matches = append(matches, e.Run)
			}
		}
		switch len(matches) {
		case 0:
			return fmt.Errorf("no run %q in %s: `benchlab ls` lists them", id, *resultsDir)
		case 1:
			found[i] = matches[0]
		default:
			return fmt.Errorf("run %q is ambiguous (%d match): give more of the ID", id, len(matches))
		}
	}
	fmt.Fprint(stdout, reports.CompareText(found[0], found[1]))
	return nil
}
