package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"benchlab/analysis"
	"benchlab/experiments"
	"benchlab/lab"
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
	r, path, err := lab.Count(ctx, lab.CountOptions{
		Experiment: e, Results: *resultsDir,
		Param: *name, Low: *low, High: *high, Params: params,
		Strategies: strategies,
		Log:        stderr,
		Lab:        labInfo(),
	})
	if err != nil {
		return optionsError(err)
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
