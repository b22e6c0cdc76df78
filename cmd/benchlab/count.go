package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"benchlab/analysis"
	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/results"
)

// cmdCount counts the instructions of each strategy at two values of an
// iteration-count build parameter and archives them as a run of their own
// (Counts filled, no trials), which reports attach as the instruction-count
// section: (I_high − I_low)/(N_high − N_low) instructions per iteration and
// I_low − that·N_low at start-up. The subjects are rebuilt at the defaults
// afterwards, so that target/ holds what `benchlab run` times.
func cmdCount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("count", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	name := fs.String("param-name", "iterations", "the build-time `parameter` that sets the iteration count")
	low := fs.Int64("param-low", 1_000_000, "the smaller iteration count `N` (the counter runs the subjects some 50 times slower)")
	high := fs.Int64("param-high", 2_000_000, "the larger iteration count `N`")
	only := fs.String("strategies", "", "comma-separated strategy `names` to count (default: all)")
	params := paramFlag{}
	fs.Var(params, "param", "hold another build parameter at `name=value`, repeatable (default: the experiment's [build.defaults])")
	rest, err := parse(fs, args, 1, "one experiment folder")
	if err != nil {
		return err
	}
	if *low < 0 || *high <= *low {
		return usageError{fmt.Sprintf("--param-low %d and --param-high %d: want 0 ≤ low < high", *low, *high)}
	}
	e, err := experiments.Load(rest[0])
	if err != nil {
		return err
	}
	if _, ok := params[*name]; ok {
		return usageError{fmt.Sprintf("--param %s: that is the parameter counted at --param-low and --param-high", *name)}
	}
	if !slices.Contains(e.ParamNames(), *name) {
		return fmt.Errorf("%s has no build parameter %q to set the iteration count; declare it in [build.parameters] (see experiments/README.md) or name another with --param-name", e.Path, *name)
	}
	strategies, err := pickStrategies(e, *only)
	if err != nil {
		return err
	}
	counter, err := harness.FindCounter(ctx)
	if err != nil {
		return err
	}
	host, err := harness.CheckHost(e)
	if err != nil {
		return err
	}
	defaults, err := e.ResolveParams(nil)
	if err != nil {
		return err
	}

	started := time.Now()
	var counts []results.InstructionCount
	var recorded []results.RecordedFile
	// rebuild puts the subjects back at the defaults after a build at
	// n, so that what `benchlab run` times is what the experiment says.
	rebuild := func(n int64) error {
		fmt.Fprintf(stderr, "rebuilding %s at the defaults %s\n", e.Name, experiments.FormatParams(defaults))
		if err := buildWithParams(context.WithoutCancel(ctx), e, defaults, stderr); err != nil {
			return fmt.Errorf("rebuild at the defaults (the subjects may still be built at %s=%d; run the build again): %w", *name, n, err)
		}
		return nil
	}
	for _, n := range []int64{*low, *high} {
		held := maps.Clone(params)
		held[*name] = strconv.FormatInt(n, 10)
		values, err := e.ResolveParams(held)
		if err != nil {
			return usageError{err.Error()}
		}
		if err := buildWithParams(ctx, e, values, stderr); err != nil {
			return errors.Join(err, rebuild(n))
		}
		if recorded == nil {
			if recorded, err = readRecorded(e); err != nil {
				return errors.Join(err, rebuild(n))
			}
		}
		for _, s := range strategies {
			fmt.Fprintf(stderr, "counting %s at %s=%d under %s\n", s.Name, *name, n, counter.Tool)
			t0 := time.Now()
			ic := results.InstructionCount{Strategy: s.Name, Parameters: values, Tool: counter.Tool}
			ic.Instructions, err = counter.CountStrategy(ctx, e, s)
			if ctx.Err() != nil {
				return errors.Join(fmt.Errorf("%w: nothing archived", errInterrupted), rebuild(n))
			}
			if err != nil {
				ic.Failure = err.Error()
				fmt.Fprintf(stderr, "  failed: %v\n", err)
			} else {
				fmt.Fprintf(stderr, "  %d instructions (%.1f s)\n", ic.Instructions, time.Since(t0).Seconds())
			}
			counts = append(counts, ic)
		}
	}
	if err := rebuild(*high); err != nil {
		return err
	}

	r := newRun(e, host, recorded, started)
	r.Complete = true
	r.Settings = results.Settings{Baseline: e.Trials.Baseline}
	r.Counts = counts
	for _, s := range strategies {
		r.Strategies = append(r.Strategies, results.Strategy{Name: s.Name, Command: s.Command, Description: s.Description})
	}
	path, err := results.Archive{Dir: *resultsDir}.Write(r)
	if err != nil {
		return fmt.Errorf("%w (the counts are lost; free space or fix permissions and run again)", err)
	}
	writeCounts(stdout, r, *name)
	fmt.Fprintf(stdout, "\narchived %s\n", path)
	return nil
}

// pickStrategies returns the experiment's strategies named in the
// comma-separated list, in the experiment's order; all for "".
func pickStrategies(e *experiments.Experiment, list string) ([]experiments.Strategy, error) {
	if list == "" {
		return e.Strategies, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			if e.Strategy(n) == nil {
				var names []string
				for _, s := range e.Strategies {
					names = append(names, s.Name)
				}
				return nil, usageError{fmt.Sprintf("--strategies: %s has no strategy %q (it has %s)", e.Name, n, strings.Join(names, ", "))}
			}
			want[n] = true
		}
	}
	var out []experiments.Strategy
	for _, s := range e.Strategies {
		if want[s.Name] {
			out = append(out, s)
		}
	}
	return out, nil
}

// writeCounts prints each strategy's instructions per unit of param and at
// start-up, from the fit through its counts.
func writeCounts(w io.Writer, r *results.Run, param string) {
	tool := ""
	if len(r.Counts) > 0 {
		tool = r.Counts[0].Tool
	}
	fmt.Fprintf(w, "Instruction counts of %s, run %s, by %s\n\n", r.Experiment, r.ID, tool)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "strategy\tper %s\tstart-up\tcounts\t\n", strings.TrimSuffix(param, "s"))
	for _, f := range analysis.FitCounts(r.Counts, param) {
		var counts []string
		for _, x := range slices.Sorted(maps.Keys(f.Counts)) {
			counts = append(counts, fmt.Sprintf("%.0f: %.0f", x, f.Counts[x]))
		}
		if !f.OK {
			why := "fewer than two counts"
			if f.Failure != "" {
				why = "failed: " + strings.SplitN(f.Failure, "\n", 2)[0]
			}
			fmt.Fprintf(tw, "%s\t—\t—\t%s\t\n", f.Strategy, why)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.0f\t%s\t\n", f.Strategy, f.Fit.Slope, f.Fit.Intercept, strings.Join(counts, ", "))
	}
	tw.Flush()
}
