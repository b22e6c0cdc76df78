package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"benchlab/experiments"
	"benchlab/harness"
)

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	rest, err := parse(fs, args, 1, "one experiment folder")
	if err != nil {
		return err
	}
	e, err := experiments.Load(rest[0])
	if err != nil {
		return err
	}
	host, err := harness.CheckHost(e)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok: %q, %d strategies, %d warm-up + %s runs each\n",
		e.Path, e.Name, len(e.Strategies), e.Trials.Warmup, e.Trials.Runs)
	tools := make([]string, 0, len(host.Tools))
	for t := range host.Tools {
		tools = append(tools, t)
	}
	sort.Strings(tools)
	for _, t := range tools {
		fmt.Fprintf(stdout, "  %s: %s\n", t, host.Tools[t])
	}
	return nil
}
