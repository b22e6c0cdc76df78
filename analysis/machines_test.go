package analysis

import (
	"strings"
	"testing"

	"benchlab/results"
)

// machinesFile is the experiment file of the runs TestComparableAcrossMachines
// compares.
const machinesFile = `name = "e"
[build]
command = ["make"]
[build.parameters]
toolchain = ["path", "debian"]
[build.defaults]
toolchain = "path"
[trials]
runs = 3
[[strategy]]
name = "a"
command = ["true"]
`

// TestComparableAcrossMachines: another machine's run stands beside this
// one only when it measured the same thing, by the rules of comparable
// evidence less the machine's own (analysis.Differences), as compare
// judges.
func TestComparableAcrossMachines(t *testing.T) {
	base := func() *results.Run {
		return &results.Run{
			ID: "20260101T000000Z-00000000", Experiment: "e", ExperimentFile: machinesFile, Complete: true,
			Machine:    results.Machine{ID: "a"},
			Parameters: map[string]string{"toolchain": "path"},
			Toolchains: map[string]string{"rustc": "rustc 1.95.0"},
		}
	}
	tests := []struct {
		why    string
		change func(*results.Run)
		reason string // "" when comparable
	}{
		{"the same measurement on another machine is comparable", func(r *results.Run) {}, ""},
		{"the same machine belongs to its history", func(r *results.Run) { r.Machine.ID = "a" }, "same machine"},
		{"an interrupted run is not", func(r *results.Run) { r.Complete = false }, "incomplete"},
		{"instruction counts are not times", func(r *results.Run) { r.Counts = []results.InstructionCount{{Strategy: "x"}} }, "instruction counts"},
		{"an imported run ran an unknown file", func(r *results.Run) { r.ExperimentFile = "" }, "imported"},
		{"a strategy that runs another command measured something else", func(r *results.Run) {
			r.ExperimentFile = strings.Replace(r.ExperimentFile, `"true"`, `"false"`, 1)
		}, "strategy a runs another command"},
		{"what changes no measurement (a comment, [host]) does not matter", func(r *results.Run) {
			r.ExperimentFile = "# edited\n" + r.ExperimentFile + "[host]\nmax_busy = 0.5\n"
		}, ""},
		{"another kernel is part of another machine", func(r *results.Run) { r.Machine.Kernel = "6.12.1" }, ""},
		{"other dependencies built other programs", func(r *results.Run) { r.Dependencies = map[string]string{"tokio": "1.0.0"} }, "other dependencies"},
		{"other build parameters built other programs", func(r *results.Run) { r.Parameters = map[string]string{"toolchain": "debian"} }, "build parameters"},
		{"--ignore-failure counts other trials", func(r *results.Run) { r.Settings.IgnoreFailure = true }, "ignore-failure"},
		{"another compiler version", func(r *results.Run) { r.Toolchains = map[string]string{"rustc": "rustc 1.63.0"} }, "other toolchains: rustc"},
		{"a noisy run's ratios are not set beside this one's", func(r *results.Run) {
			r.Noise = &results.Noise{Noisy: true, Reasons: []string{"before the trials the 1-minute load average was 5.00 on 2 CPUs"}}
		}, "noisy by the noise gate: before the trials the 1-minute load average was 5.00"},
		{"a quiet run's noise record is no obstacle", func(r *results.Run) { r.Noise = &results.Noise{MaxLoad: 1.5, MaxBusy: 0.2} }, ""},
		{"a pinned run beside an unpinned one", func(r *results.Run) { r.Environment.Pinned = true }, "another toolchain pin"},
	}
	for _, tt := range tests {
		other := base()
		other.Machine.ID = "b"
		tt.change(other)
		ok, why := ComparableAcrossMachines(base(), other)
		if ok != (tt.reason == "") || !strings.Contains(why, tt.reason) {
			t.Errorf("%s: got %v %q, want reason containing %q", tt.why, ok, why, tt.reason)
		}
	}
	// Both pinned: the nixpkgs revision decides, not the version lines.
	a, b := base(), base()
	b.Machine.ID = "b"
	a.Environment = results.Environment{Pinned: true, Nixpkgs: "r1"}
	b.Environment = results.Environment{Pinned: true, Nixpkgs: "r2"}
	if ok, why := ComparableAcrossMachines(a, b); ok || !strings.Contains(why, "another toolchain pin: nixpkgs r2") {
		t.Errorf("two pins: got %v %q, want another toolchain pin", ok, why)
	}
}
