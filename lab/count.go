package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/results"
)

// CountOptions say what Count does.
type CountOptions struct {
	// Experiment is what to count; it must declare the build parameter
	// Param.
	Experiment *experiments.Experiment
	// Results is the archive folder the counts are written under.
	Results string
	// Param is the build-time parameter that sets the iteration count;
	// Low and High are its two values, 0 ≤ Low < High.
	Param     string
	Low, High int64
	// Params holds other build parameters at these values (the defaults
	// otherwise), so that the counts are comparable with a run built so.
	Params map[string]string
	// Strategies are the strategies to count; nil for all.
	Strategies []experiments.Strategy
	// Log receives what the builds print and what is counted; nil for
	// nowhere.
	Log io.Writer
	// Lab identifies the benchlab build, recorded with the run.
	Lab results.Lab
}

// Validate checks the options without touching the host, the folder or
// the archive; its errors wrap ErrOptions.
func (o CountOptions) Validate() error {
	e := o.Experiment
	switch {
	case e == nil:
		return invalid("no experiment to count")
	case o.Results == "":
		return invalid("no results folder to archive the counts in")
	case o.Low < 0 || o.High <= o.Low:
		return invalid("iteration counts %d and %d: want 0 ≤ low < high", o.Low, o.High)
	case !slices.Contains(e.ParamNames(), o.Param):
		return invalid("%s has no build parameter %q to set the iteration count; declare it in [build.parameters] (see experiments/README.md)", e.Path, o.Param)
	}
	return nil
}

// Count counts the instructions of each strategy at two values of an
// iteration-count build parameter and archives them as a run of their own
// (Counts filled, no trials), which reports attach as the instruction-count
// section. The subjects are rebuilt at the defaults afterwards, so that the
// folder holds what Run times. A strategy whose count fails has its
// Failure recorded; the others go on. It returns the run and the path it
// was archived at.
func Count(ctx context.Context, o CountOptions) (*results.Run, string, error) {
	if err := o.Validate(); err != nil {
		return nil, "", err
	}
	e, log := o.Experiment, logTo(o.Log)
	// Before anything is built or counted (minutes under callgrind): counts
	// that cannot be archived are not made, as in Run.
	machine := harness.Fingerprint()
	if err := (results.Archive{Dir: o.Results}).CheckWritable(machine.ID, e.Name); err != nil {
		return nil, "", fmt.Errorf("%w (nothing was counted)", err)
	}
	strategies := o.Strategies
	if strategies == nil {
		strategies = e.Strategies
	}
	counter, err := harness.FindCounter(ctx)
	if err != nil {
		return nil, "", err
	}
	host, err := harness.CheckHost(e)
	if err != nil {
		return nil, "", err
	}
	defaults, err := e.ResolveParams(nil)
	if err != nil {
		return nil, "", err
	}

	started := time.Now()
	var counts []results.InstructionCount
	var recorded []results.RecordedFile
	// rebuild puts the subjects back at the defaults after a build at
	// n, so that what Run times is what the experiment says.
	rebuild := func(n int64) error {
		fmt.Fprintf(log, "rebuilding %s at the defaults %s\n", e.Name, experiments.FormatParams(defaults))
		if err := Build(context.WithoutCancel(ctx), e, defaults, log); err != nil {
			return fmt.Errorf("rebuild at the defaults (the subjects may still be built at %s=%d; run the build again): %w", o.Param, n, err)
		}
		return nil
	}
	for _, n := range []int64{o.Low, o.High} {
		held := maps.Clone(o.Params)
		if held == nil {
			held = map[string]string{}
		}
		held[o.Param] = strconv.FormatInt(n, 10)
		values, err := e.ResolveParams(held)
		if err != nil {
			return nil, "", optionsError{err}
		}
		if err := Build(ctx, e, values, log); err != nil {
			return nil, "", errors.Join(err, rebuild(n))
		}
		if recorded == nil {
			if recorded, err = ReadRecorded(e); err != nil {
				return nil, "", errors.Join(err, rebuild(n))
			}
		}
		for _, s := range strategies {
			fmt.Fprintf(log, "counting %s at %s=%d under %s\n", s.Name, o.Param, n, counter.Tool)
			t0 := time.Now()
			ic := results.InstructionCount{Strategy: s.Name, Parameters: values, Tool: counter.Tool}
			ic.Instructions, ic.Profile, err = counter.CountStrategy(ctx, e, s)
			if ctx.Err() != nil {
				return nil, "", errors.Join(fmt.Errorf("%w: nothing archived", ErrInterrupted), rebuild(n))
			}
			if err != nil {
				ic.Failure = err.Error()
				fmt.Fprintf(log, "  failed: %v\n", err)
			} else {
				fmt.Fprintf(log, "  %d instructions (%.1f s)\n", ic.Instructions, time.Since(t0).Seconds())
			}
			counts = append(counts, ic)
		}
	}
	if err := rebuild(o.High); err != nil {
		return nil, "", err
	}

	r := newRun(e, machine, host, recorded, started, o.Lab)
	r.Complete = true
	r.Settings = results.Settings{Baseline: e.Trials.Baseline}
	r.Counts = counts
	for _, s := range strategies {
		r.Strategies = append(r.Strategies, results.Strategy{Name: s.Name, Command: s.Command, Description: s.Description, Parameters: s.Values})
	}
	path, err := results.Archive{Dir: o.Results}.Write(r)
	if err != nil {
		return nil, "", fmt.Errorf("%w (the counts are lost; free space or fix permissions and run again)", err)
	}
	return r, path, nil
}
