package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/lab"
	"benchlab/reports"
	"benchlab/results"
)

// cmdSweep runs an experiment once per value of one build-time parameter:
// each value is a rebuild and a complete, archived run, all tagged with one
// sweep ID, so that reports can fit each strategy's time against the
// parameter.
func cmdSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", stderr)
	rf := addRunFlags(fs)
	name := fs.String("param-sweep", "", "the build-time `parameter` to sweep (default: the experiment's only one)")
	list := fs.String("values", "", "comma-separated `values` to run (default: all declared in [build.parameters])")
	params := paramFlag{}
	fs.Var(params, "param", "hold another parameter at `name=value`, repeatable")
	rest, err := parse(fs, args, 1, "one experiment folder")
	if err != nil {
		return err
	}
	e, err := experiments.Load(rest[0])
	if err != nil {
		return err
	}
	names := e.ParamNames()
	switch {
	case len(names) == 0:
		return fmt.Errorf("%s declares no build parameters to sweep; add [build.parameters] (see experiments/README.md)", e.Path)
	case *name == "" && len(names) > 1:
		return usageError{fmt.Sprintf("name the parameter to sweep with --param-sweep (one of %s)", strings.Join(names, ", "))}
	case *name == "":
		*name = names[0]
	case !slices.Contains(names, *name):
		return usageError{fmt.Sprintf("--param-sweep %s: %s has no such parameter (it has %s)", *name, e.Name, strings.Join(names, ", "))}
	}
	if _, ok := params[*name]; ok {
		return usageError{fmt.Sprintf("--param %s: that is the parameter swept", *name)}
	}
	values := e.ParamValues(*name)
	if *list != "" {
		values = nil
		for _, v := range strings.Split(*list, ",") {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(values, v) {
				values = append(values, v)
			}
		}
	}
	if len(values) < 2 {
		return usageError{"a sweep needs at least two values"}
	}
	// Every point's parameters are checked before anything is built.
	o, err := rf.options(e, stderr)
	if err != nil {
		return err
	}
	o.Sweep = results.NewID(time.Now())
	id := o.Sweep
	points := make([]lab.Options, len(values))
	for i, v := range values {
		p := o
		p.Params = maps.Clone(params)
		p.Params[*name] = v
		if err := p.Validate(); err != nil {
			return optionsError(err)
		}
		points[i] = p
	}
	if o.Host, err = harness.CheckHost(e); err != nil {
		return err
	}

	fmt.Fprintf(stderr, "sweep %s: %s over %s = %s\n", id, e.Name, *name, strings.Join(values, ", "))
	var runs []*results.Run
	for i, p := range points {
		fmt.Fprintf(stderr, "\nsweep %s: %d of %d: %s=%s\n", id, i+1, len(values), *name, values[i])
		p.Host = o.Host
		r, path, err := lab.Run(ctx, p)
		printRun(stdout, r, path)
		if err != nil {
			return fmt.Errorf("sweep %s stopped at %s=%s: %w", id, *name, values[i], err)
		}
		runs = append(runs, r)
	}
	fmt.Fprintf(stderr, "\nsweep %s done; the subjects are left built with %s=%s (benchlab run rebuilds them)\n", id, *name, values[len(values)-1])
	fmt.Fprint(stdout, "\n"+reports.SweepText(runs, *name))
	return nil
}

// paramFlag collects repeated --param name=value flags.
type paramFlag map[string]string

func (p paramFlag) String() string { return experiments.FormatParams(p) }

func (p paramFlag) Set(s string) error {
	name, value, err := experiments.ParseParam(s)
	if err != nil {
		return err
	}
	if _, dup := p[name]; dup {
		return fmt.Errorf("parameter %q given twice", name)
	}
	p[name] = value
	return nil
}
