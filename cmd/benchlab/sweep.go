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
	"strconv"
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
	resultsDir := fs.String("results", "results", "archive `folder`")
	runs := fs.Int("runs", 0, "counted runs per strategy and value (default: the experiment's trials.runs)")
	warmup := fs.Int("warmup", -1, "warm-up runs per strategy and value (default: the experiment's trials.warmup)")
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

	id := results.NewID(time.Now())
	fmt.Fprintf(stderr, "sweep %s: %s over %s = %s\n", id, e.Name, *name, strings.Join(values, ", "))
	for i, v := range values {
		fmt.Fprintf(stderr, "\nsweep %s: %d of %d: %s=%s\n", id, i+1, len(values), *name, v)
		runArgs := []string{"--results", *resultsDir, "--sweep", id, "--param", *name + "=" + v}
		if *runs > 0 {
			runArgs = append(runArgs, "--runs", strconv.Itoa(*runs))
		}
		if *warmup >= 0 {
			runArgs = append(runArgs, "--warmup", strconv.Itoa(*warmup))
		}
		for _, k := range slices.Sorted(maps.Keys(params)) {
			runArgs = append(runArgs, "--param", k+"="+params[k])
		}
		runArgs = append(runArgs, rest[0])
		if err := cmdRun(ctx, runArgs, stdout, stderr); err != nil {
			return fmt.Errorf("sweep %s stopped at %s=%s: %w", id, *name, v, err)
		}
	}
	fmt.Fprintf(stderr, "\nsweep %s done; the subjects are left built with %s=%s (benchlab run rebuilds them)\n", id, *name, values[len(values)-1])

	entries, loadErrs := results.Archive{Dir: *resultsDir}.Runs(e.Name)
	printLoadErrors(stderr, loadErrs)
	var points []*results.Run
	for _, en := range entries {
		if en.Run.Sweep == id {
			points = append(points, en.Run)
		}
	}
	fmt.Fprint(stdout, "\n"+reports.SweepText(points, *name))
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
