package analysis

import (
	"slices"
	"strings"
	"testing"

	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// evidenceTOML is the experiment every run of these tests was made from,
// unless a test changes it.
const evidenceTOML = `# a comment
name = "demo"
title = "Demo"
question = "Which is faster?"
[build]
command = ["./build.sh"]
record = ["Cargo.lock"]
[build.parameters]
iterations = ["0", "1000", "2000"]
toolchain = ["path", "debian"]
[build.defaults]
iterations = "2000"
toolchain = "path"
[trials]
runs = 10
[[strategy]]
name = "a"
command = ["./a"]
description = "the first"
reference = { mean = 1.0, unit = "ms" }
[[strategy]]
name = "b"
command = ["./b"]
`

var evidenceMachine = results.Machine{ID: "cpu-x-2c-00000001", CPUModel: "CPU X", CPUs: 2, MemoryKiB: 8 << 20,
	Kernel: "6.12.48-amd64", OS: "Debian GNU/Linux 13", Arch: "amd64"}

// evidenceRun is a complete timed run of evidenceTOML at the defaults on
// evidenceMachine; id names it and orders it.
func evidenceRun(id string) *results.Run {
	return &results.Run{
		ID: id, Experiment: "demo", ExperimentFile: evidenceTOML, Complete: true,
		Machine:      evidenceMachine,
		Toolchains:   map[string]string{"rustc": "rustc 1.95.0", "cargo": "cargo 1.95.0"},
		Dependencies: map[string]string{"tokio": "1.43.0"},
		Parameters:   map[string]string{"iterations": "2000", "toolchain": "path"},
		Strategies:   []results.Strategy{{Name: "a"}, {Name: "b"}},
		Trials:       []results.Trial{{Strategy: 0, WallNS: 10}, {Strategy: 1, WallNS: 20}},
	}
}

// TestDifferences checks each rule of comparability: every row changes one
// thing about a run and names the rule it must break, or none.
func TestDifferences(t *testing.T) {
	tests := []struct {
		why    string
		main   func(*results.Run)
		change func(*results.Run)
		except []string
		want   []Rule
	}{
		{"the same run on the same machine is comparable", nil, func(*results.Run) {}, nil, nil},
		{"another machine ID", nil, func(r *results.Run) { r.Machine.ID = "cpu-y-2c-00000002" }, nil, []Rule{RuleMachine}},
		{"an imported run has no fingerprint", nil, func(r *results.Run) { r.Imported = &results.Import{Tool: "hyperfine"} }, nil, []Rule{RuleMachine}},
		{"a run without a CPU model has no fingerprint", nil, func(r *results.Run) { r.Machine.CPUModel = "" }, nil, []Rule{RuleMachine}},
		{"a main run without a fingerprint matches nothing", func(r *results.Run) { r.Machine.ID = "" }, func(*results.Run) {}, nil, []Rule{RuleMachine}},
		{"another kernel patch level is the same kernel", nil, func(r *results.Run) { r.Machine.Kernel = "6.12.57-cloud-amd64" }, nil, nil},
		{"another kernel minor version", nil, func(r *results.Run) { r.Machine.Kernel = "6.13.1" }, nil, []Rule{RuleKernel}},
		{"an unknown kernel", nil, func(r *results.Run) { r.Machine.Kernel = "" }, nil, []Rule{RuleKernel}},
		{"another rustc version line", nil, func(r *results.Run) { r.Toolchains["rustc"] = "rustc 1.63.0" }, nil, []Rule{RuleToolchains}},
		{"a tool not recorded", nil, func(r *results.Run) { delete(r.Toolchains, "cargo") }, nil, []Rule{RuleToolchains}},
		{"a Nix-pinned toolchain against an unpinned one", nil, func(r *results.Run) {
			r.Environment = results.Environment{Pinned: true, Nixpkgs: "d3498f78"}
		}, nil, []Rule{RuleToolchains}},
		{"another tokio", nil, func(r *results.Run) { r.Dependencies["tokio"] = "1.38.0" }, nil, []Rule{RuleDependencies}},
		{"a strategy runs another command", nil, func(r *results.Run) {
			r.ExperimentFile = strings.Replace(r.ExperimentFile, `["./b"]`, `["./b", "--fast"]`, 1)
		}, nil, []Rule{RuleDefinition}},
		{"a strategy added", nil, func(r *results.Run) {
			r.ExperimentFile += "[[strategy]]\nname = \"c\"\ncommand = [\"./c\"]\n"
		}, nil, []Rule{RuleDefinition}},
		{"another build command", nil, func(r *results.Run) {
			r.ExperimentFile = strings.Replace(r.ExperimentFile, `["./build.sh"]`, `["./build.sh", "--lto"]`, 1)
		}, nil, []Rule{RuleDefinition}},
		{"a prepare command added", nil, func(r *results.Run) {
			r.ExperimentFile = strings.Replace(r.ExperimentFile, "command = [\"./a\"]\n", "command = [\"./a\"]\nprepare = [\"sync\"]\n", 1)
		}, nil, []Rule{RuleDefinition}},
		{"descriptions, references, comments, questions, trials and declared values are not the definition", nil, func(r *results.Run) {
			f := strings.NewReplacer(`"the first"`, `"the very first"`, "mean = 1.0", "mean = 2.0", "# a comment", "# another",
				`"Which is faster?"`, `"Which one?"`, "runs = 10", "runs = 3", `["0", "1000", "2000"]`, `["0", "2000"]`).Replace(r.ExperimentFile)
			r.ExperimentFile = f + "[report]\nsweep = \"iterations\"\n"
		}, nil, nil},
		{"an experiment file that no longer decodes has an unknown definition", nil, func(r *results.Run) {
			r.ExperimentFile += "retired_key = 1\n"
		}, nil, []Rule{RuleDefinition}},
		{"another iteration count", nil, func(r *results.Run) { r.Parameters["iterations"] = "1000" }, nil, []Rule{RuleParameters}},
		{"another iteration count, the one swept", nil, func(r *results.Run) { r.Parameters["iterations"] = "1000" }, []string{"iterations"}, nil},
		{"another toolchain parameter while iterations is swept", nil, func(r *results.Run) {
			r.Parameters["iterations"], r.Parameters["toolchain"] = "1000", "debian"
		}, []string{"iterations"}, []Rule{RuleParameters}},
		{"parameters not recorded are unknown and match nothing", nil, func(r *results.Run) { r.Parameters = nil }, nil, []Rule{RuleParameters}},
		{"a main run whose parameters are unknown matches nothing", func(r *results.Run) { r.Parameters = nil }, func(*results.Run) {}, nil, []Rule{RuleParameters}},
	}
	for _, tt := range tests {
		main, cand := evidenceRun("1"), evidenceRun("2")
		if tt.main != nil {
			tt.main(main)
		}
		tt.change(cand)
		var got []Rule
		for _, m := range Differences(Describe(main), Describe(cand), tt.except...) {
			got = append(got, m.Rule)
			if m.Detail == "" {
				t.Errorf("%s: rule %s without a detail", tt.why, m.Rule)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: rules broken (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestKernelVersion(t *testing.T) {
	for release, want := range map[string]string{
		"6.18.44-fc-v669": "6.18", "6.1": "6.1", "5.10.0-28-amd64": "5.10", "6.12rc1": "6.12", "": "", "linux": "", "x.1": "",
	} {
		if got := KernelVersion(release); got != want {
			t.Errorf("KernelVersion(%q) = %q, want %q", release, got, want)
		}
	}
}

// sweepOf makes a sweep's points, one per iteration count, from base.
func sweepOf(id string, base func(string) *results.Run, values ...string) []*results.Run {
	var out []*results.Run
	for i, v := range values {
		r := base(id + "-" + string(rune('a'+i)))
		r.Sweep = id
		r.Parameters["iterations"] = v
		out = append(out, r)
	}
	return out
}

func ids(runs []*results.Run) []string {
	var out []string
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}

func TestSelectEvidenceSweep(t *testing.T) {
	other := func(id string) *results.Run {
		r := evidenceRun(id)
		r.Machine.ID = "amd-epyc-2c-deadbeef"
		return r
	}
	debian := func(id string) *results.Run {
		r := evidenceRun(id)
		r.Parameters["toolchain"] = "debian"
		return r
	}
	noisyAt := func(runs []*results.Run, i int) []*results.Run {
		runs[i].Noise = &results.Noise{Noisy: true, Reasons: []string{"load 5.0 on 2 CPUs"}}
		return runs
	}
	tests := []struct {
		why        string
		archive    [][]*results.Run // oldest first
		wantSweep  string
		wantRules  []Rule // of the sweeps left out, newest first
		wantWanted string
	}{
		{"a comparable sweep is used", [][]*results.Run{sweepOf("s1", evidenceRun, "0", "1000")}, "s1", nil, "iterations"},
		{"another machine's sweep is never used", [][]*results.Run{sweepOf("s1", other, "0", "1000")}, "", []Rule{RuleMachine}, "iterations"},
		{"a sweep at another toolchain is not used", [][]*results.Run{sweepOf("s1", debian, "0", "1000")}, "", []Rule{RuleParameters}, "iterations"},
		{"a sweep with a noisy point is not used", [][]*results.Run{noisyAt(sweepOf("s1", evidenceRun, "0", "1000"), 1)}, "", []Rule{RuleKind}, "iterations"},
		{"the newest comparable sweep, past newer ones that are not",
			[][]*results.Run{sweepOf("s1", evidenceRun, "0", "1000"), sweepOf("s0", evidenceRun, "0", "2000"), sweepOf("s2", other, "0", "1000")},
			"s0", []Rule{RuleMachine}, "iterations"},
		{"a sweep of one value is no sweep", [][]*results.Run{sweepOf("s1", evidenceRun, "1000", "1000")}, "", nil, ""},
	}
	for _, tt := range tests {
		main := evidenceRun("9-main")
		var all []*results.Run
		for _, s := range tt.archive {
			all = append(all, s...)
		}
		all = append(all, main)
		ev := SelectEvidence(Describe(main), DescribeAll(all))
		got := ""
		if ev.Sweep != nil {
			got = ev.Sweep.ID
			if ev.Sweep.Param != "iterations" || len(ev.Sweep.Runs) < 2 {
				t.Errorf("%s: sweep %s varies %q over %d runs", tt.why, got, ev.Sweep.Param, len(ev.Sweep.Runs))
			}
		}
		var rules []Rule
		for _, r := range ev.SweepRejected {
			rules = append(rules, r.Why.Rule)
		}
		if got != tt.wantSweep || ev.SweepWanted != tt.wantWanted {
			t.Errorf("%s: sweep %q wanted %q, want %q and %q", tt.why, got, ev.SweepWanted, tt.wantSweep, tt.wantWanted)
		}
		if diff := cmp.Diff(tt.wantRules, rules); diff != "" {
			t.Errorf("%s: sweeps left out (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestSelectEvidenceDeclared(t *testing.T) {
	// The experiment declares its sweep and counts: the report asks for
	// them even when the archive has none.
	main := evidenceRun("9-main")
	main.ExperimentFile += "[report]\nsweep = \"iterations\"\ncount = true\n"
	ev := SelectEvidence(Describe(main), DescribeAll([]*results.Run{main}))
	if ev.SweepWanted != "iterations" || ev.CountsWanted != "iterations" || ev.Sweep != nil || ev.Counts != nil {
		t.Errorf("declared: sweep %v wanted %q, counts %v wanted %q", ev.Sweep, ev.SweepWanted, ev.Counts, ev.CountsWanted)
	}
	// Without the declaration and with nothing left out, nothing is asked.
	plain := evidenceRun("9-main")
	ev = SelectEvidence(Describe(plain), DescribeAll([]*results.Run{plain}))
	if ev.SweepWanted != "" || ev.CountsWanted != "" {
		t.Errorf("undeclared: wanted sweep %q counts %q, want none", ev.SweepWanted, ev.CountsWanted)
	}
}

func TestSelectEvidenceCounts(t *testing.T) {
	counts := func(id string, change func(*results.Run), params ...map[string]string) *results.Run {
		r := evidenceRun(id)
		r.Parameters, r.Trials = nil, nil
		for _, p := range params {
			r.Counts = append(r.Counts, results.InstructionCount{Strategy: "a", Parameters: p, Tool: "callgrind", Instructions: 100})
		}
		if change != nil {
			change(r)
		}
		return r
	}
	at := func(it, tc string) map[string]string { return map[string]string{"iterations": it, "toolchain": tc} }
	tests := []struct {
		why       string
		archive   []*results.Run
		want      string
		wantRules []Rule
	}{
		{"counts at the main run's other parameters are used", []*results.Run{counts("c1", nil, at("1", "path"), at("2", "path"))}, "c1", nil},
		{"counts at another toolchain parameter are not", []*results.Run{counts("c1", nil, at("1", "debian"), at("2", "debian"))}, "", []Rule{RuleParameters}},
		{"another machine's counts are never used", []*results.Run{counts("c1", func(r *results.Run) { r.Machine.ID = "other" }, at("1", "path"), at("2", "path"))}, "", []Rule{RuleMachine}},
		{"counts made with another rustc are not", []*results.Run{counts("c1", func(r *results.Run) { r.Toolchains["rustc"] = "rustc 1.63.0" }, at("1", "path"), at("2", "path"))}, "", []Rule{RuleToolchains}},
		{"the newest comparable count run", []*results.Run{counts("c1", nil, at("1", "path"), at("2", "path")), counts("c2", nil, at("1", "debian"), at("2", "debian"))}, "c1", []Rule{RuleParameters}},
		{"counts do not depend on load: a noisy count run is evidence", []*results.Run{counts("c1", func(r *results.Run) {
			r.Noise = &results.Noise{Noisy: true}
		}, at("1", "path"), at("2", "path"))}, "c1", nil},
	}
	for _, tt := range tests {
		main := evidenceRun("0-main")
		ev := SelectEvidence(Describe(main), DescribeAll(append([]*results.Run{main}, tt.archive...)))
		got := ""
		if ev.Counts != nil {
			got = ev.Counts.Run.ID
			if ev.Counts.Param != "iterations" {
				t.Errorf("%s: counts vary %q, want iterations", tt.why, ev.Counts.Param)
			}
		}
		var rules []Rule
		for _, r := range ev.CountsRejected {
			rules = append(rules, r.Why.Rule)
		}
		if got != tt.want {
			t.Errorf("%s: counts from %q, want %q", tt.why, got, tt.want)
		}
		if diff := cmp.Diff(tt.wantRules, rules); diff != "" {
			t.Errorf("%s: count runs left out (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestSelectEvidenceHistory(t *testing.T) {
	main := evidenceRun("5-main")
	older := evidenceRun("1")
	otherMachine := evidenceRun("2")
	otherMachine.Machine.ID = "other"
	fewer := evidenceRun("3")
	fewer.Parameters["iterations"] = "1000"
	interrupted := evidenceRun("4")
	interrupted.Complete = false
	loud := evidenceRun("4b")
	loud.Noise = &results.Noise{Noisy: true, Reasons: []string{"busy"}}
	point := evidenceRun("4c")
	point.Sweep = "s"              // a sweep's point at the main run's parameters measures the same thing
	again := evidenceRun("5-main") // the main run loaded a second time
	all := []*results.Run{older, otherMachine, fewer, interrupted, loud, point, again}
	ev := SelectEvidence(Describe(main), DescribeAll(all))
	if diff := cmp.Diff([]string{"1", "4c", "5-main"}, ids(ev.History)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	var rules []Rule
	for _, r := range ev.HistoryRejected {
		rules = append(rules, r.Why.Rule)
	}
	if diff := cmp.Diff([]Rule{RuleMachine, RuleParameters, RuleKind, RuleKind}, rules); diff != "" {
		t.Errorf("left out of the history (-want +got):\n%s", diff)
	}
	if ev := SelectEvidence(Describe(main), DescribeAll([]*results.Run{otherMachine, main})); ev.History != nil {
		t.Errorf("a history of one run: %v", ids(ev.History))
	}
}

func TestSelectMain(t *testing.T) {
	standalone := evidenceRun("1")
	point := evidenceRun("2")
	point.Sweep = "s"
	other := evidenceRun("3")
	other.Parameters["iterations"] = "0"
	counted := evidenceRun("4")
	counted.Counts = []results.InstructionCount{{Strategy: "a"}}
	tests := []struct {
		why  string
		runs []*results.Run
		want string
	}{
		{"a run of its own at the defaults beats a newer sweep point", []*results.Run{standalone, point, other, counted}, "1"},
		{"a sweep point at the defaults beats runs at other parameters", []*results.Run{point, other}, "2"},
		{"failing that the newest timed run", []*results.Run{other, counted}, "3"},
		{"no timed run", []*results.Run{counted}, ""},
	}
	for _, tt := range tests {
		got := ""
		if m := SelectMain(DescribeAll(tt.runs)); m != nil {
			got = m.Run.ID
		}
		if got != tt.want {
			t.Errorf("%s: main %q, want %q", tt.why, got, tt.want)
		}
	}
}

func TestPreviousComparable(t *testing.T) {
	a, b, c, d := evidenceRun("1"), evidenceRun("2"), evidenceRun("3"), evidenceRun("4")
	b.Parameters["iterations"] = "0"
	c.Toolchains["rustc"] = "rustc 1.63.0"
	got := PreviousComparable(DescribeAll([]*results.Run{a, b, c, d}))
	// d is compared with a: b was built at another iteration count and c
	// with another rustc.
	if diff := cmp.Diff([]int{-1, -1, -1, 0}, got); diff != "" {
		t.Errorf("previous comparable (-want +got):\n%s", diff)
	}
}

func TestDirectComparison(t *testing.T) {
	tests := []struct {
		why   string
		rules []Rule
		want  bool
	}{
		{"identical runs", nil, true},
		{"other toolchains: comparing builds is what compare is for", []Rule{RuleToolchains, RuleDependencies, RuleKernel}, true},
		{"another machine: ratios only", []Rule{RuleMachine}, false},
		{"other build parameters measure other work", []Rule{RuleToolchains, RuleParameters}, false},
		{"another definition", []Rule{RuleDefinition}, false},
		{"another machine and parameters, the machine twice", []Rule{RuleMachine, RuleKernel, RuleParameters, RuleMachine}, false},
	}
	for _, tt := range tests {
		var diffs []Mismatch
		for _, r := range tt.rules {
			diffs = append(diffs, Mismatch{Rule: r})
		}
		if got := DirectComparison(diffs); got != tt.want {
			t.Errorf("%s: direct = %v, want %v", tt.why, got, tt.want)
		}
	}
	diffs := []Mismatch{{Rule: RuleMachine}, {Rule: RuleKernel}, {Rule: RuleParameters}, {Rule: RuleMachine}}
	if got, want := VerdictBlockers(diffs), []Rule{RuleMachine, RuleParameters}; !slices.Equal(got, want) {
		t.Errorf("blockers = %v, want %v (each once, in order, kernel left out)", got, want)
	}
}

// TestMachineHistory: each machine's history is its newest complete run
// at the defaults and the runs comparable with it, that machine's only.
func TestMachineHistory(t *testing.T) {
	x1, x2 := evidenceRun("20260101T000000Z-00000001"), evidenceRun("20260102T000000Z-00000002")
	x3 := evidenceRun("20260103T000000Z-00000003")
	x3.Parameters["iterations"] = "1000" // newer, but not at the defaults
	other := results.Machine{ID: "cpu-y-2c-00000002", CPUModel: "CPU Y", CPUs: 2, Kernel: evidenceMachine.Kernel}
	y1 := evidenceRun("20260104T000000Z-00000004")
	y1.Machine = other
	z1 := evidenceRun("20260105T000000Z-00000005")
	z1.Machine = results.Machine{ID: "cpu-z-2c-00000003", CPUModel: "CPU Z", CPUs: 2}
	z1.Parameters["iterations"] = "0"
	runs := DescribeAll([]*results.Run{x1, x2, y1, x3, z1})
	ids := func(rs []*results.Run) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := []struct {
		why, machine string
		want         []string
	}{
		{"the defaults' runs, not the newer one at other parameters nor another machine's", evidenceMachine.ID, []string{x1.ID, x2.ID}},
		{"one run alone is still its machine's history", other.ID, []string{y1.ID}},
		{"no run at the defaults: no history", "cpu-z-2c-00000003", nil},
		{"a machine without runs", "cpu-w-2c-00000004", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ids(MachineHistory(runs, tt.machine))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

// TestHistoryChanges: each strategy's run is tested against the latest
// earlier comparable run that has it, and Holm's correction spans every
// test of the history.
func TestHistoryChanges(t *testing.T) {
	sum := func(ns ...float64) Summary { return Summary{N: len(ns), WallNS: ns} }
	sums := []map[string]Summary{
		{"a": sum(10, 11, 12, 13, 14), "b": sum(5, 6, 7, 8, 9)},
		{"b": sum(5, 6, 7, 8, 9)},               // a not run
		{"a": sum(20, 21, 22, 23, 24), "b": {}}, // b without counted runs
	}
	got := HistoryChanges(sums, []string{"a", "b"}, []int{-1, 0, 1})
	var keys []Change
	for k := range got {
		keys = append(keys, k)
	}
	want := []Change{{1, "b"}, {2, "a"}}
	if diff := cmp.Diff(want, keys, cmpopts.SortSlices(func(x, y Change) bool { return x.Run < y.Run })); diff != "" {
		t.Fatalf("changes tested (-want +got):\n%s", diff)
	}
	// Run 2's a is tested against run 0's, every value above: δ = +1.
	if c := got[Change{2, "a"}]; c.CliffsDelta != 1 || c.NA != 5 || c.NB != 5 {
		t.Errorf("run 2's a: %+v, want δ = +1 over 5 and 5 runs", c)
	}
	for k, c := range got {
		if c.Family != 2 || c.AdjustedP < c.P {
			t.Errorf("%v: family %d, p %g adjusted %g; want Holm over the 2 tests", k, c.Family, c.P, c.AdjustedP)
		}
	}
}

// TestSelectMainOn: a report made on a machine is about that machine's
// newest run, even when another machine's run in the archive is newer;
// on a machine without runs it is about the newest of any.
func TestSelectMainOn(t *testing.T) {
	mine := evidenceRun("20260101T000000Z-00000001")
	theirs := evidenceRun("20260102T000000Z-00000002")
	theirs.Machine.ID = "cpu-y-2c-00000002"
	runs := DescribeAll([]*results.Run{mine, theirs})
	tests := []struct{ why, machine, want string }{
		{"this machine's run, though another's is newer", evidenceMachine.ID, mine.ID},
		{"the other machine's own", theirs.Machine.ID, theirs.ID},
		{"a machine without runs: the newest of any", "cpu-z-2c-00000003", theirs.ID},
	}
	for _, tt := range tests {
		got := SelectMainOn(runs, tt.machine)
		if got == nil || got.Run.ID != tt.want || got.Run != runs[slices.IndexFunc(runs, func(r RunInfo) bool { return r.Run.ID == tt.want })].Run {
			t.Errorf("%s: got %v, want %s", tt.why, got, tt.want)
		}
	}
}
