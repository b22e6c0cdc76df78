package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"benchlab/reports"
	"benchlab/results"
)

func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	if _, err := parse(fs, args, 0, "no arguments"); err != nil {
		return err
	}
	v, err := results.Archive{Dir: *resultsDir}.Verify(time.Now())
	if err != nil {
		return fmt.Errorf("%w (is --results the archive folder?)", err)
	}
	for _, p := range v.Problems {
		fmt.Fprintln(stdout, reports.Visible(p.String()))
	}
	for _, p := range v.Pending {
		fmt.Fprintf(stdout, "%s: temporary file of a write in progress (not yet stray)\n", reports.Visible(p))
	}
	fmt.Fprintf(stdout, "%s: %s of %s on %s; %s\n", *resultsDir, plural(v.Runs, "run"),
		plural(v.Experiments, "experiment folder"), plural(v.Machines, "machine"), plural(len(v.Problems), "problem"))
	if len(v.Problems) > 0 {
		return fmt.Errorf("%s in %s (listed above; nothing was changed)", plural(len(v.Problems), "problem"), *resultsDir)
	}
	return nil
}

// plural formats a count of things: "1 run", "2 runs".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
