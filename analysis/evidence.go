package analysis

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"benchlab/experiments"
	"benchlab/results"
)

// Comparable evidence.
//
// A report rests on one run, the main run; everything else it shows (a
// parameter sweep, instruction counts, the history) and every verdict
// `benchlab compare` gives between two runs comes from other runs. Those
// are used only when they measured the same thing on the same machine with
// the same tools; the rules are in results/README.md ("Comparable
// evidence") and each is a Rule below. Selection is done here, before any
// number is used: a selector returns the evidence or, when none is
// comparable, every run it left out with the rule that run broke, so that
// a report can say so instead of borrowing.

// RunInfo is an archived run with the typed metadata that selection
// compares: its experiment file decoded once, where the runs are loaded.
type RunInfo struct {
	Run *results.Run
	// Experiment is the run's archived experiment file, decoded; nil when
	// it no longer decodes (DecodeErr says why) or the run has none. Its
	// definition is then unknown, and it matches no other run.
	Experiment *experiments.Experiment
	DecodeErr  error
}

// Describe decodes run's archived experiment file into a RunInfo.
func Describe(run *results.Run) RunInfo {
	info := RunInfo{Run: run}
	if run == nil || run.ExperimentFile == "" {
		return info
	}
	info.Experiment, info.DecodeErr = experiments.Parse(experiments.FileName, []byte(run.ExperimentFile))
	return info
}

// DescribeAll describes each run, in order.
func DescribeAll(runs []*results.Run) []RunInfo {
	out := make([]RunInfo, len(runs))
	for i, r := range runs {
		out[i] = Describe(r)
	}
	return out
}

// Rule names one condition two runs must meet to be comparable.
type Rule string

// The rules, in the order they are checked; a run left out is reported
// with the first one it breaks.
const (
	// RuleKind: the candidate is the kind of run the purpose needs (timed
	// or counted, complete, quiet).
	RuleKind Rule = "kind"
	// RuleMachine: the same machine ID (it hashes the CPU model, CPU
	// count, memory in GiB, OS and architecture); a run without a
	// fingerprint (imported) matches nothing.
	RuleMachine Rule = "machine"
	// RuleKernel: the same kernel major.minor version.
	RuleKernel Rule = "kernel"
	// RuleToolchains: every tool's recorded --version line equal, and the
	// same Nix pin (pinned or not, nixpkgs revision).
	RuleToolchains Rule = "toolchains"
	// RuleDependencies: the same resolved package versions (Cargo.lock).
	RuleDependencies Rule = "dependencies"
	// RuleDefinition: the same experiment definition (Definition).
	RuleDefinition Rule = "definition"
	// RuleParameters: every build parameter equal, except the one a sweep
	// or a count varies; unknown parameters match nothing.
	RuleParameters Rule = "parameters"
)

// Mismatch is one way a run is not comparable with another.
type Mismatch struct {
	Rule Rule
	// Detail says how, with both values: "another machine: a (this run: b)".
	Detail string
}

// String is the mismatch in words.
func (m Mismatch) String() string { return m.Detail }

// Rejected is a run (or a whole sweep) left out of the evidence, and why.
type Rejected struct {
	Run *results.Run
	// Sweep is the sweep's ID when the whole sweep was left out.
	Sweep string
	Why   Mismatch
}

// OtherMachine reports whether the run was left out for being measured
// on another machine (or an unknown one).
func (r Rejected) OtherMachine() bool { return r.Why.Rule == RuleMachine }

// Definition is what an experiment measures, from its decoded file: each
// strategy's name, argv, prepare and cleanup (after run-time parameters
// expand), the build command and the names of the build parameters.
// Descriptions, published figures, open questions, titles, [trials],
// [host], [report], the recorded files and the parameters' declared value
// lists and defaults are not part of it: they change no measurement, or
// each run records what it used (settings, toolchains, parameter values).
type Definition struct {
	Strategies []StrategyDefinition
	Build      []string
	Params     []string
}

// StrategyDefinition is one strategy as it runs.
type StrategyDefinition struct {
	Name                      string
	Command, Prepare, Cleanup []string
}

// DefinitionOf returns e's definition.
func DefinitionOf(e *experiments.Experiment) Definition {
	var d Definition
	for _, s := range e.Strategies {
		d.Strategies = append(d.Strategies, StrategyDefinition{Name: s.Name, Command: s.Command, Prepare: s.Prepare, Cleanup: s.Cleanup})
	}
	if e.Build != nil {
		d.Build = e.Build.Command
	}
	d.Params = e.ParamNames()
	return d
}

// Equal reports whether two definitions are the same.
func (d Definition) Equal(o Definition) bool {
	return slices.Equal(d.Build, o.Build) && slices.Equal(d.Params, o.Params) &&
		slices.EqualFunc(d.Strategies, o.Strategies, func(a, b StrategyDefinition) bool {
			return a.Name == b.Name && slices.Equal(a.Command, b.Command) &&
				slices.Equal(a.Prepare, b.Prepare) && slices.Equal(a.Cleanup, b.Cleanup)
		})
}

// diff says how d differs from o ("strategies differ: …"), "" if equal.
func (d Definition) diff(o Definition) string {
	switch {
	case !slices.Equal(d.Build, o.Build):
		return fmt.Sprintf("another build command: %q (this run: %q)", o.Build, d.Build)
	case !slices.Equal(d.Params, o.Params):
		return fmt.Sprintf("other build parameters declared: %s (this run: %s)", list(o.Params), list(d.Params))
	}
	names := func(ss []StrategyDefinition) []string {
		var n []string
		for _, s := range ss {
			n = append(n, s.Name)
		}
		return n
	}
	if a, b := names(d.Strategies), names(o.Strategies); !slices.Equal(a, b) {
		return fmt.Sprintf("other strategies: %s (this run: %s)", list(b), list(a))
	}
	for i, s := range d.Strategies {
		t := o.Strategies[i]
		if !slices.Equal(s.Command, t.Command) || !slices.Equal(s.Prepare, t.Prepare) || !slices.Equal(s.Cleanup, t.Cleanup) {
			return fmt.Sprintf("strategy %s runs another command: %q (this run: %q)", s.Name, t.Command, s.Command)
		}
	}
	return ""
}

func list(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// KernelVersion returns the major.minor of a kernel release
// ("6.18.44-fc-v669" gives "6.18"), or "" when it has none.
func KernelVersion(release string) string {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	minor := parts[1]
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i]
	}
	if _, err := strconv.Atoi(parts[0]); err != nil || minor == "" {
		return ""
	}
	return parts[0] + "." + minor
}

// Differences lists every way run b is not comparable with run a, by the
// rules from RuleMachine on, leaving out the build parameters named in
// except (the swept one). Empty: comparable.
func Differences(a, b RunInfo, except ...string) []Mismatch {
	var out []Mismatch
	add := func(r Rule, format string, args ...any) {
		out = append(out, Mismatch{Rule: r, Detail: fmt.Sprintf(format, args...)})
	}
	ra, rb := a.Run, b.Run
	ma, mb := ra.Machine, rb.Machine
	switch {
	case rb.Imported != nil || mb.CPUModel == "" || mb.ID == "":
		add(RuleMachine, "an imported run or one without a machine fingerprint: its machine is unknown")
	case ra.Imported != nil || ma.CPUModel == "" || ma.ID == "":
		add(RuleMachine, "this run has no machine fingerprint, so no other run is known to share its machine")
	case ma.ID != mb.ID:
		add(RuleMachine, "another machine: %s (this run: %s)", mb.ID, ma.ID)
	}
	if ka, kb := KernelVersion(ma.Kernel), KernelVersion(mb.Kernel); ka == "" || ka != kb {
		add(RuleKernel, "another kernel: %s (this run: %s)", orUnknown(mb.Kernel), orUnknown(ma.Kernel))
	}
	if d := mapDiff(ra.Toolchains, rb.Toolchains); d != "" {
		add(RuleToolchains, "other toolchains: %s", d)
	}
	ea, eb := ra.Environment, rb.Environment
	if ea.Pinned != eb.Pinned || ea.Nixpkgs != eb.Nixpkgs {
		add(RuleToolchains, "another toolchain pin: %s (this run: %s)", pin(eb), pin(ea))
	}
	if d := mapDiff(ra.Dependencies, rb.Dependencies); d != "" {
		add(RuleDependencies, "other dependencies: %s", d)
	}
	// An imported run has no experiment file at all: saying it "does not
	// decode" would send the reader looking for a corrupt file.
	switch {
	case a.Experiment == nil && ra.ExperimentFile == "":
		add(RuleDefinition, "this run has no experiment file (imported, or written without one): its definition is unknown")
	case a.Experiment == nil:
		add(RuleDefinition, "this run's experiment file does not decode: its definition is unknown")
	case b.Experiment == nil && rb.ExperimentFile == "":
		add(RuleDefinition, "it has no experiment file (imported, or written without one): its definition is unknown")
	case b.Experiment == nil:
		add(RuleDefinition, "its experiment file does not decode: its definition is unknown")
	default:
		if d := DefinitionOf(a.Experiment).diff(DefinitionOf(b.Experiment)); d != "" {
			add(RuleDefinition, "another experiment definition: %s", d)
		}
	}
	if d := paramDiff(a, ra.Parameters, rb.Parameters, except); d != "" {
		add(RuleParameters, "%s", d)
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func pin(e results.Environment) string {
	if !e.Pinned {
		return "not pinned"
	}
	return "nixpkgs " + orUnknown(e.Nixpkgs)
}

// mapDiff describes the keys on which two version records differ, "" when
// they are equal (nil and empty alike).
func mapDiff(a, b map[string]string) string {
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		va, okA := a[k]
		vb, okB := b[k]
		switch {
		case okA && okB && va == vb:
		case !okB:
			parts = append(parts, fmt.Sprintf("%s not recorded (this run: %q)", k, va))
		case !okA:
			parts = append(parts, fmt.Sprintf("%s %q (this run: not recorded)", k, vb))
		default:
			parts = append(parts, fmt.Sprintf("%s %q (this run: %q)", k, vb, va))
		}
	}
	return strings.Join(parts, "; ")
}

// paramDiff describes how the build parameters pb differ from pa, those
// in except aside; "" when they agree. Parameters a run's definition
// declares but the run did not record are unknown, and unknown never
// matches.
func paramDiff(a RunInfo, pa, pb map[string]string, except []string) string {
	var declared []string
	if a.Experiment != nil {
		declared = a.Experiment.ParamNames()
	}
	names := map[string]bool{}
	for _, n := range declared {
		names[n] = true
	}
	for n := range pa {
		names[n] = true
	}
	for n := range pb {
		names[n] = true
	}
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(names)) {
		if slices.Contains(except, n) {
			continue
		}
		va, okA := pa[n]
		vb, okB := pb[n]
		switch {
		case !okA:
			parts = append(parts, fmt.Sprintf("%s unknown in this run", n))
		case !okB:
			parts = append(parts, fmt.Sprintf("%s unknown (this run: %s=%s)", n, n, va))
		case va != vb:
			parts = append(parts, fmt.Sprintf("%s=%s (this run: %s=%s)", n, vb, n, va))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "other build parameters: " + strings.Join(parts, ", ")
}

// timed reports whether run holds timed trials (not instruction counts).
func timed(run *results.Run) bool { return len(run.Counts) == 0 }

// noisy reports whether the noise gate marked run noisy.
func noisy(run *results.Run) bool { return run.Noise != nil && run.Noise.Noisy }

// unfit says why run cannot stand beside another as evidence (history, or
// another machine's run): incomplete, instruction counts, or noisy; ""
// when it is a complete, timed, quiet run.
func unfit(run *results.Run) string {
	switch {
	case !run.Complete:
		return "an incomplete run"
	case !timed(run):
		return "instruction counts, not timed"
	case noisy(run):
		return "a noisy run: " + strings.Join(run.Noise.Reasons, "; ")
	}
	return ""
}

// AtDefaults reports whether info's run was built with its experiment's
// default parameters. A run of an experiment without parameters, or whose
// experiment file no longer decodes, counts as one at the defaults; a run
// whose parameters are unknown (not recorded) of one with them does not.
func AtDefaults(info RunInfo) bool {
	e := info.Experiment
	if e == nil || len(e.ParamNames()) == 0 {
		return true
	}
	return len(info.Run.Parameters) > 0 && e.IsDefault(info.Run.Parameters)
}

// SelectMain chooses the run a report is about from runs (one
// experiment's, oldest first): the newest complete timed run at the
// default parameters, a run of its own preferred over a sweep's point,
// failing that the newest timed run at all. Nil when no run is timed.
func SelectMain(runs []RunInfo) *RunInfo {
	var fallback, sweepPoint *RunInfo
	for i := len(runs) - 1; i >= 0; i-- {
		info := &runs[i]
		if !timed(info.Run) {
			continue
		}
		if fallback == nil {
			fallback = info
		}
		if info.Run.Complete && AtDefaults(*info) {
			if info.Run.Sweep == "" {
				return info
			}
			if sweepPoint == nil {
				sweepPoint = info
			}
		}
	}
	if sweepPoint != nil {
		return sweepPoint
	}
	return fallback
}

// SelectMainOn is SelectMain among machine's runs, the machine a report
// is made on: in an archive shared with other machines, this machine's
// newest run is the one its report is about, and the others' runs are
// set beside it only as other machines. Without a timed run of machine,
// it is SelectMain over all runs.
func SelectMainOn(runs []RunInfo, machine string) *RunInfo {
	var mine []int
	for i, info := range runs {
		if info.Run.Machine.ID == machine {
			mine = append(mine, i)
		}
	}
	sub := make([]RunInfo, len(mine))
	for k, i := range mine {
		sub[k] = runs[i]
	}
	if m := SelectMain(sub); m != nil {
		return &runs[mine[slices.IndexFunc(sub, func(r RunInfo) bool { return r.Run == m.Run })]]
	}
	return SelectMain(runs)
}

// Evidence is what a report may show beside its main run, each piece from
// runs comparable with it, with every run left out and why.
type Evidence struct {
	Main RunInfo
	// Sweep is the newest comparable sweep; nil when none is.
	Sweep *SweepEvidence
	// SweepWanted is the parameter a sweep should vary (the experiment's
	// [report] sweep, or the one a left-out sweep varied); "" when the
	// report has no sweep to show or ask for.
	SweepWanted string
	// SweepRejected lists each sweep left out, newest first.
	SweepRejected []Rejected
	// Counts is the newest comparable instruction-count run; nil when none.
	Counts *CountEvidence
	// CountsWanted is set when the report should show instruction counts
	// (declared in [report], or a count run was left out): the parameter
	// they vary.
	CountsWanted string
	// CountsRejected lists each count run left out, newest first.
	CountsRejected []Rejected
	// History holds the main run and the comparable complete timed runs,
	// oldest first; nil when that makes fewer than two.
	History []*results.Run
	// HistoryRejected lists the timed runs left out of the history.
	HistoryRejected []Rejected
}

// SweepEvidence is a comparable sweep: its ID, the parameter it varies and
// its runs, ordered by the parameter's value.
type SweepEvidence struct {
	ID, Param string
	Runs      []*results.Run
}

// CountEvidence is a comparable instruction-count run and the parameter
// its counts vary.
type CountEvidence struct {
	Run   *results.Run
	Param string
}

// MinHistoryRuns is the fewest runs a history sets side by side.
const MinHistoryRuns = 2

// DefaultCountParam is the parameter instruction counts vary when the
// experiment does not say (`benchlab count --param-name`'s default).
const DefaultCountParam = experiments.DefaultCountParam

// SelectEvidence chooses the evidence beside main from runs (the
// experiment's runs, oldest first; main may be among them).
func SelectEvidence(main RunInfo, runs []RunInfo) Evidence {
	ev := Evidence{Main: main}
	var rep *experiments.Report
	if main.Experiment != nil {
		rep = main.Experiment.Report
	}
	if rep != nil {
		ev.SweepWanted = rep.Sweep
		if rep.Count {
			ev.CountsWanted = rep.CountParamOrDefault()
		}
	}
	ev.selectSweep(runs)
	ev.selectCounts(runs)
	ev.selectHistory(runs)
	return ev
}

// selectSweep takes the newest sweep whose every point is comparable with
// the main run except in the swept parameter, and quiet.
func (ev *Evidence) selectSweep(runs []RunInfo) {
	groups := map[string][]RunInfo{}
	var order []string
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i].Run
		if r.Sweep == "" || !timed(r) {
			continue
		}
		if _, ok := groups[r.Sweep]; !ok {
			order = append(order, r.Sweep)
		}
		groups[r.Sweep] = append(groups[r.Sweep], runs[i])
	}
	for _, id := range order {
		points := groups[id]
		slices.Reverse(points)
		var ps []map[string]string
		for _, p := range points {
			ps = append(ps, p.Run.Parameters)
		}
		param := Varied(ps)
		if param == "" {
			continue // one value: not a sweep a line can be fitted to
		}
		if ev.SweepWanted != "" && param != ev.SweepWanted {
			continue
		}
		if why, ok := ev.sweepMismatch(points, param); !ok {
			ev.SweepRejected = append(ev.SweepRejected, Rejected{Run: why.run, Sweep: id, Why: why.Mismatch})
			if ev.SweepWanted == "" {
				// Ask for the sweep that was left out.
				ev.SweepWanted = param
			}
			continue
		}
		runs := make([]*results.Run, len(points))
		for i, p := range points {
			runs[i] = p.Run
		}
		slices.SortStableFunc(runs, func(a, b *results.Run) int {
			if c := cmp.Compare(num(a.Parameters[param]), num(b.Parameters[param])); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		ev.Sweep = &SweepEvidence{ID: id, Param: param, Runs: runs}
		ev.SweepWanted = param
		return
	}
}

type pointMismatch struct {
	Mismatch
	run *results.Run
}

// sweepMismatch returns the first reason a point of a sweep is not
// comparable with the main run.
func (ev *Evidence) sweepMismatch(points []RunInfo, param string) (pointMismatch, bool) {
	for _, p := range points {
		if d := Differences(ev.Main, p, param); len(d) > 0 {
			return pointMismatch{d[0], p.Run}, false
		}
		if noisy(p.Run) {
			return pointMismatch{Mismatch{RuleKind, "a point was noisy: " + strings.Join(p.Run.Noise.Reasons, "; ")}, p.Run}, false
		}
		if _, err := strconv.ParseFloat(p.Run.Parameters[param], 64); err != nil {
			return pointMismatch{Mismatch{RuleParameters, fmt.Sprintf("%s=%q is not a number", param, p.Run.Parameters[param])}, p.Run}, false
		}
	}
	return pointMismatch{}, true
}

func num(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return v
}

// selectCounts takes the newest instruction-count run comparable with the
// main run whose every count was built with the main run's parameters
// except the one the counts vary. Instruction counts do not depend on the
// host's load, so a noisy count run is still evidence.
func (ev *Evidence) selectCounts(runs []RunInfo) {
	for i := len(runs) - 1; i >= 0; i-- {
		info := runs[i]
		r := info.Run
		if timed(r) {
			continue
		}
		var ps []map[string]string
		for _, c := range r.Counts {
			ps = append(ps, c.Parameters)
		}
		param := Varied(ps)
		if param == "" {
			param = cmp.Or(ev.CountsWanted, DefaultCountParam)
		}
		// A count run records its parameters per count, not for the run.
		all := slices.Collect(maps.Keys(ev.Main.Run.Parameters))
		if info.Experiment != nil {
			all = append(all, info.Experiment.ParamNames()...)
		}
		if ev.Main.Experiment != nil {
			all = append(all, ev.Main.Experiment.ParamNames()...)
		}
		why := Differences(ev.Main, info, all...)
		if len(why) == 0 {
			for _, c := range r.Counts {
				if d := paramDiff(ev.Main, ev.Main.Run.Parameters, c.Parameters, []string{param}); d != "" {
					why = append(why, Mismatch{RuleParameters, fmt.Sprintf("counted %s: %s", c.Strategy, d)})
					break
				}
			}
		}
		if len(why) > 0 {
			ev.CountsRejected = append(ev.CountsRejected, Rejected{Run: r, Why: why[0]})
			if ev.CountsWanted == "" {
				ev.CountsWanted = param
			}
			continue
		}
		ev.Counts = &CountEvidence{Run: r, Param: param}
		ev.CountsWanted = param
		return
	}
}

// selectHistory keeps the complete, quiet timed runs comparable with the
// main run in everything, parameters included.
func (ev *Evidence) selectHistory(runs []RunInfo) {
	var h []*results.Run
	seenMain := false
	for _, info := range runs {
		r := info.Run
		if r.ID == ev.Main.Run.ID {
			// The main run itself, perhaps loaded a second time.
			h, seenMain = append(h, ev.Main.Run), true
			continue
		}
		if !timed(r) {
			continue
		}
		why := Differences(ev.Main, info)
		if u := unfit(r); len(why) == 0 && u != "" {
			why = []Mismatch{{RuleKind, u}}
		}
		if len(why) > 0 {
			ev.HistoryRejected = append(ev.HistoryRejected, Rejected{Run: r, Why: why[0]})
			continue
		}
		h = append(h, r)
	}
	if !seenMain {
		h = append(h, ev.Main.Run)
	}
	if len(h) >= MinHistoryRuns {
		ev.History = h
	}
}

// Varied returns the first parameter, by name, that takes at least two
// values across ps; "" if none does.
func Varied(ps []map[string]string) string {
	names := map[string]bool{}
	for _, p := range ps {
		for k := range p {
			names[k] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		seen := map[string]bool{}
		for _, p := range ps {
			seen[p[name]] = true
		}
		if len(seen) > 1 {
			return name
		}
	}
	return ""
}

// MachineHistory returns the history of one machine among runs (one
// experiment's, oldest first): the machine's newest complete run at the
// default parameters (SelectMain) and the runs comparable with it,
// complete, timed and quiet, oldest first; as SelectEvidence's History,
// but kept even when it is that run alone. Nil when the machine has no
// complete run at the defaults.
func MachineHistory(runs []RunInfo, machine string) []*results.Run {
	var mine []RunInfo
	for _, info := range runs {
		if info.Run.Machine.ID == machine {
			mine = append(mine, info)
		}
	}
	latest := SelectMain(mine)
	if latest == nil || !latest.Run.Complete || !AtDefaults(*latest) {
		return nil
	}
	ev := Evidence{Main: *latest}
	ev.selectHistory(mine)
	if ev.History == nil {
		return []*results.Run{latest.Run}
	}
	return ev.History
}

// Change names one strategy in one run of a history.
type Change struct {
	Run      int
	Strategy string
}

// HistoryChanges tests, in a history (sums: each run's summaries by
// strategy, oldest first; prev: each run's PreviousComparable, or its
// predecessor), each strategy of each run against the latest earlier
// comparable run that has it (following prev), with Holm's correction
// over all of these tests: a change is marked only when its adjusted p
// says so.
func HistoryChanges(sums []map[string]Summary, strategies []string, prev []int) map[Change]Comparison {
	var keys []Change
	var pairs [][2][]float64
	for i := range sums {
		for _, name := range strategies {
			cur, ok := sums[i][name]
			if !ok || cur.N == 0 {
				continue
			}
			for j := prev[i]; j >= 0; j = prev[j] {
				if before, ok := sums[j][name]; ok && before.N > 0 {
					keys = append(keys, Change{i, name})
					pairs = append(pairs, [2][]float64{before.WallNS, cur.WallNS})
					break
				}
			}
		}
	}
	cs, tested := CompareFamily(pairs)
	out := make(map[Change]Comparison, len(cs))
	for k, key := range keys {
		if tested[k] {
			out[key] = cs[k]
		}
	}
	return out
}

// PreviousComparable returns, for each run of runs (oldest first), the
// index of the latest earlier run comparable with it in everything,
// parameters included, or -1: the run a change is measured from.
func PreviousComparable(runs []RunInfo) []int {
	prev := make([]int, len(runs))
	for i := range runs {
		prev[i] = -1
		for j := i - 1; j >= 0; j-- {
			if len(Differences(runs[i], runs[j])) == 0 {
				prev[i] = j
				break
			}
		}
	}
	return prev
}

// DirectComparison reports whether two runs that differ by diffs
// (Differences) may be compared strategy by strategy, with faster/slower
// verdicts: only on one machine, with one experiment definition and the
// same build parameters. Runs that differ in toolchains, dependencies or
// kernel may (that is what comparing two builds is for), but the
// differences must be stated first; runs that differ in more are compared
// only through each run's ratios to its own baseline.
func DirectComparison(diffs []Mismatch) bool { return len(VerdictBlockers(diffs)) == 0 }

// VerdictBlockers returns the rules among diffs that forbid a direct
// comparison (DirectComparison): machine, definition or build parameters,
// each once, in the order of diffs.
func VerdictBlockers(diffs []Mismatch) []Rule {
	var out []Rule
	for _, d := range diffs {
		switch d.Rule {
		case RuleMachine, RuleDefinition, RuleParameters:
			if !slices.Contains(out, d.Rule) {
				out = append(out, d.Rule)
			}
		}
	}
	return out
}
