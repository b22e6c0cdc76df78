package analysis

import (
	"strings"
	"testing"

	"benchlab/results"
)

// TestComparableAcrossMachines checks that the cross-machine section uses
// the comparability rules of Differences (results/README.md, "Comparable
// evidence") with only the machine and kernel rules set aside: every row
// changes one thing about another machine's run and names the reason it
// must give, or none.
func TestComparableAcrossMachines(t *testing.T) {
	tests := []struct {
		why    string
		change func(*results.Run)
		reason string // "" when comparable
	}{
		{"the same measurement on another machine is comparable", func(*results.Run) {}, ""},
		{"another kernel goes with another machine", func(r *results.Run) { r.Machine.Kernel = "6.18.44-fc-v669" }, ""},
		{"a comment in experiment.toml changes no measurement", func(r *results.Run) {
			r.ExperimentFile = "# edited on the other machine\n" + strings.Replace(r.ExperimentFile, `title = "Demo"`, `title = "Demo, retitled"`, 1)
		}, ""},
		{"the same machine belongs to its history", func(r *results.Run) { r.Machine = evidenceMachine }, "same machine"},
		{"an imported run's machine is unknown", func(r *results.Run) { r.Imported = &results.Import{Tool: "hyperfine"} }, "machine is unknown"},
		{"an interrupted run is not", func(r *results.Run) { r.Complete = false }, "incomplete"},
		{"a noisy run is not", func(r *results.Run) { r.Noise = &results.Noise{Noisy: true, Reasons: []string{"load 5"}} }, "noisy run: load 5"},
		{"instruction counts are not times", func(r *results.Run) { r.Counts = []results.InstructionCount{{Strategy: "a"}} }, "instruction counts"},
		{"a run without an experiment file ran something unknown", func(r *results.Run) { r.ExperimentFile = "" }, "has no experiment file"},
		{"a run whose experiment file does not decode ran something unknown", func(r *results.Run) { r.ExperimentFile = "name = [" }, "does not decode"},
		{"another strategy command measured something else", func(r *results.Run) {
			r.ExperimentFile = strings.Replace(r.ExperimentFile, `command = ["./b"]`, `command = ["./b", "-x"]`, 1)
		}, "strategy b runs another command"},
		{"other build parameters built other programs", func(r *results.Run) { r.Parameters["iterations"] = "1000" }, "other build parameters: iterations=1000"},
		{"--ignore-failure counts other trials", func(r *results.Run) { r.Settings.IgnoreFailure = true }, "ignore-failure"},
		{"another compiler version", func(r *results.Run) { r.Toolchains["rustc"] = "rustc 1.63.0" }, `rustc "rustc 1.63.0"`},
		{"a pinned run beside an unpinned one", func(r *results.Run) { r.Environment.Pinned = true }, "toolchain pin"},
		{"another tokio", func(r *results.Run) { r.Dependencies["tokio"] = "1.38.0" }, "other dependencies"},
	}
	for _, tt := range tests {
		other := evidenceRun("20260102T000000Z-00000000")
		other.Machine = results.Machine{ID: "cpu-z-4c-00000003", CPUModel: "CPU Z", CPUs: 4, MemoryKiB: 16 << 20,
			Kernel: "6.12.48-amd64", OS: "Debian GNU/Linux 13", Arch: "amd64"}
		tt.change(other)
		ok, why := ComparableAcrossMachines(Describe(evidenceRun("20260101T000000Z-00000000")), Describe(other))
		if ok != (tt.reason == "") || !strings.Contains(why, tt.reason) {
			t.Errorf("%s: got %v %q, want reason containing %q", tt.why, ok, why, tt.reason)
		}
	}
	// Both pinned: the nixpkgs revision decides.
	a, b := evidenceRun("20260101T000000Z-00000000"), evidenceRun("20260102T000000Z-00000000")
	b.Machine.ID, b.Machine.CPUModel = "cpu-z-4c-00000003", "CPU Z"
	a.Environment = results.Environment{Pinned: true, Nixpkgs: "r1"}
	b.Environment = results.Environment{Pinned: true, Nixpkgs: "r2"}
	if ok, why := ComparableAcrossMachines(Describe(a), Describe(b)); ok || !strings.Contains(why, "nixpkgs r2") {
		t.Errorf("two pins: got %v %q, want another nixpkgs pin", ok, why)
	}
}
