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
	fmt.Fprintf(stdout, "%s: %d runs of %d experiment folders on %d machines; %d problems\n",
		*resultsDir, v.Runs, v.Experiments, v.Machines, len(v.Problems))
	if len(v.Problems) > 0 {
		return fmt.Errorf("%d problems in %s (listed above; nothing was changed)", len(v.Problems), *resultsDir)
	}
	return nil
}
