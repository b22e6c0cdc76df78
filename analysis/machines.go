package analysis

import (
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
// the same measurement on another machine, or the reason it may not. The
// rules are Differences' (results/README.md, "Comparable evidence") with
// the machine and kernel rules set aside: the same toolchains and Nix pin,
// dependencies, experiment definition (decoded, so a comment or a
// description does not matter) and build parameters. Beyond those, other
// must be a complete, quiet, timed run of the same experiment on another
// machine whose fingerprint is known, counting failures as run does.
func ComparableAcrossMachines(run, other RunInfo) (bool, string) {
	r, o := run.Run, other.Run
	switch {
	case o.Imported != nil || o.Machine.CPUModel == "" || o.Machine.ID == "":
		return false, "an imported run or one without a machine fingerprint: its machine is unknown"
	case o.Machine.ID == r.Machine.ID:
		return false, "same machine"
	case o.Experiment != r.Experiment:
		return false, "another experiment"
	case unfit(o) != "":
		return false, unfit(o)
	case o.Settings.IgnoreFailure != r.Settings.IgnoreFailure:
		return false, "run with a different --ignore-failure"
	}
	for _, d := range Differences(run, other) {
		if d.Rule != RuleMachine && d.Rule != RuleKernel {
			return false, d.Detail
		}
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
	this := Describe(run)
	for _, other := range runs {
		if other.Machine.ID == run.Machine.ID || other.Experiment != run.Experiment {
			continue
		}
		m := other.Machine.ID
		if ok, why := ComparableAcrossMachines(this, Describe(other)); ok {
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
