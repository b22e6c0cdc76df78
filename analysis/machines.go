package analysis

import (
	"fmt"
	"maps"
	"slices"

	"benchlab/results"
)

// Machines sets one experiment's runs on several machines side by side.
// Absolute times differ by machine and are not compared: on each machine,
// every strategy's mean time is taken relative to the baseline's on the
// same machine (RatioOf, as a single run's report does), and those ratios
// are compared.
type Machines struct {
	// Baseline is the strategy every ratio is taken against.
	Baseline string
	// Strategies names the strategies of the first run, in its order.
	Strategies []string
	// Runs holds the report's own run first, then the newest comparable
	// run of each other machine, by machine ID.
	Runs []MachineRun
	// Excluded lists the other machines whose runs were not comparable,
	// each with the reason for its newest run.
	Excluded []Exclusion
}

// MachineRun is one machine's run with its strategies' ratios.
type MachineRun struct {
	Run *results.Run
	// Ratios holds each strategy's ratio to the baseline, by name; a
	// strategy without counted runs (or a baseline without them) is absent.
	Ratios map[string]Ratio
}

// Exclusion is a machine left out of the comparison, and why.
type Exclusion struct {
	Machine string
	Run     string
	Reason  string
}

// ComparableAcrossMachines reports whether other may be set beside run as
// the same measurement on another machine, or the reason it may not: it
// must be on another machine, complete and timed, of the same experiment
// file, at the same build parameters, counting failures the same way, and
// built with the same toolchains (the same nixpkgs pin when both are
// pinned, else the same `--version` lines of the experiment's tools).
func ComparableAcrossMachines(run, other *results.Run) (bool, string) {
	switch {
	case other.Machine.ID == run.Machine.ID:
		return false, "same machine"
	case other.Experiment != run.Experiment:
		return false, "another experiment"
	case !other.Complete:
		return false, "incomplete run"
	case len(other.Counts) > 0:
		return false, "instruction counts, not timed"
	case other.ExperimentFile == "":
		return false, "no experiment file (an imported run): what it ran is not known"
	case other.ExperimentFile != run.ExperimentFile:
		return false, "a different experiment file"
	case !maps.Equal(other.Parameters, run.Parameters):
		return false, fmt.Sprintf("other build parameters (%v, not %v)", other.Parameters, run.Parameters)
	case other.Settings.IgnoreFailure != run.Settings.IgnoreFailure:
		return false, "run with a different --ignore-failure"
	case other.Environment.Pinned != run.Environment.Pinned:
		return false, "one run is in benchlab's Nix environment and the other is not"
	case run.Environment.Pinned && other.Environment.Nixpkgs != run.Environment.Nixpkgs:
		return false, fmt.Sprintf("another nixpkgs pin (%s, not %s)", other.Environment.Nixpkgs, run.Environment.Nixpkgs)
	}
	for _, tool := range slices.Sorted(maps.Keys(run.Toolchains)) {
		if v, ok := other.Toolchains[tool]; !ok || v != run.Toolchains[tool] {
			return false, fmt.Sprintf("another %s (%q, not %q)", tool, v, run.Toolchains[tool])
		}
	}
	if len(other.Toolchains) != len(run.Toolchains) {
		return false, "other toolchains recorded"
	}
	return true, ""
}

// CompareMachines sets run beside the newest run of each other machine
// among runs (the experiment's, in any order) that is comparable to it
// (ComparableAcrossMachines), with ratios to baseline. It returns nil when
// no other machine has a comparable run or baseline is empty.
func CompareMachines(run *results.Run, baseline string, runs []*results.Run) *Machines {
	if baseline == "" {
		return nil
	}
	newest := map[string]*results.Run{} // machine → newest comparable run
	rejected := map[string]Exclusion{}  // machine → why its newest run is not
	for _, other := range runs {
		if other.Machine.ID == run.Machine.ID || other.Experiment != run.Experiment {
			continue
		}
		m := other.Machine.ID
		if ok, why := ComparableAcrossMachines(run, other); ok {
			if n := newest[m]; n == nil || other.ID > n.ID {
				newest[m] = other
			}
		} else if e, seen := rejected[m]; !seen || other.ID > e.Run {
			rejected[m] = Exclusion{Machine: m, Run: other.ID, Reason: why}
		}
	}
	if len(newest) == 0 {
		return nil
	}
	ms := &Machines{Baseline: baseline}
	for _, s := range run.Strategies {
		ms.Strategies = append(ms.Strategies, s.Name)
	}
	ms.Runs = append(ms.Runs, machineRun(run, baseline))
	for _, m := range slices.Sorted(maps.Keys(newest)) {
		ms.Runs = append(ms.Runs, machineRun(newest[m], baseline))
	}
	for _, m := range slices.Sorted(maps.Keys(rejected)) {
		if newest[m] == nil {
			ms.Excluded = append(ms.Excluded, rejected[m])
		}
	}
	return ms
}

func machineRun(run *results.Run, baseline string) MachineRun {
	sums := Summarize(run)
	mr := MachineRun{Run: run, Ratios: map[string]Ratio{}}
	b := slices.IndexFunc(sums, func(s Summary) bool { return s.Strategy == baseline })
	if b < 0 {
		return mr
	}
	for _, s := range sums {
		if r, ok := RatioOf(s, sums[b]); ok {
			mr.Ratios[s.Strategy] = r
		}
	}
	return mr
}
