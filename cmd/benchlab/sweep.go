package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"benchlab/experiments"
	"benchlab/harness"
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
	points := make([]point, len(values))
	id := results.NewID(time.Now())
	for i, v := range values {
		held := maps.Clone(params)
		held[*name] = v
		resolved, err := e.ResolveParams(held)
		if err != nil {
			return usageError{err.Error()}
		}
		points[i] = point{params: resolved, build: true, sweep: id}
	}
	opts, err := rf.options(e, stderr)
	if err != nil {
		return err
	}
	host, err := harness.CheckHost(e)
	if err != nil {
		return err
	}

	fmt.Fprintf(stderr, "sweep %s: %s over %s = %s\n", id, e.Name, *name, strings.Join(values, ", "))
	var runs []*results.Run
	for i, p := range points {
		fmt.Fprintf(stderr, "\nsweep %s: %d of %d: %s=%s\n", id, i+1, len(values), *name, values[i])
		r, err := runOnce(ctx, e, host, opts, p, *rf.results, stdout, stderr)
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

// buildWithParams runs the experiment's build with its parameters: "{name}"
// in the command's arguments replaced by the value, and the environment
// variables BENCHLAB_PARAM_<NAME> set for the build; a parameter left unset
// keeps the build script's own default. It says on out what it runs.
func buildWithParams(ctx context.Context, e *experiments.Experiment, values map[string]string, out io.Writer) error {
	if e.Build == nil {
		return nil
	}
	substituted := *e
	b := *e.Build
	b.Command = experiments.SubstituteParams(e.Build.Command, values)
	substituted.Build = &b
	fmt.Fprintf(out, "building %s: %v %s\n", e.Name, b.Command, experiments.FormatParams(values))
	// The record of what was built goes first: a build that fails halfway
	// leaves subjects of unknown parameters, and says so by the record's
	// absence.
	os.Remove(filepath.Join(e.Dir, builtParamsFile))
	if err := harness.Build(ctx, &substituted, experiments.ParamEnv(values), out); err != nil {
		return err
	}
	data, err := json.Marshal(values)
	if err == nil {
		err = os.WriteFile(filepath.Join(e.Dir, builtParamsFile), data, 0o644)
	}
	if err != nil {
		return fmt.Errorf("record the build's parameters: %w", err)
	}
	return nil
}

// builtParamsFile, in an experiment folder, holds the parameters of the
// last build benchlab made there, so that `run --no-build` records what it
// times rather than assuming the defaults.
const builtParamsFile = ".benchlab-built-params.json"

// builtParams reads the parameters of the last build benchlab made in e's
// folder; false when none is recorded (built by hand, or the build failed).
func builtParams(e *experiments.Experiment) (map[string]string, bool) {
	data, err := os.ReadFile(filepath.Join(e.Dir, builtParamsFile))
	if err != nil {
		return nil, false
	}
	var values map[string]string
	if json.Unmarshal(data, &values) != nil {
		return nil, false
	}
	return values, true
}
