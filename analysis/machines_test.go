package analysis

import (
	"strings"
	"testing"

	"benchlab/results"
)

func TestComparableAcrossMachines(t *testing.T) {
	base := func() *results.Run {
		return &results.Run{
			ID: "20260101T000000Z-00000000", Experiment: "e", ExperimentFile: "name = \"e\"\n", Complete: true,
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
		{"another experiment file measured something else", func(r *results.Run) { r.ExperimentFile += "# edited\n" }, "different experiment file"},
		{"other build parameters built other programs", func(r *results.Run) { r.Parameters = map[string]string{"toolchain": "debian"} }, "build parameters"},
		{"--ignore-failure counts other trials", func(r *results.Run) { r.Settings.IgnoreFailure = true }, "ignore-failure"},
		{"another compiler version", func(r *results.Run) { r.Toolchains = map[string]string{"rustc": "rustc 1.63.0"} }, "another rustc"},
		{"a pinned run beside an unpinned one", func(r *results.Run) { r.Environment.Pinned = true }, "Nix environment"},
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
	if ok, why := ComparableAcrossMachines(a, b); ok || !strings.Contains(why, "nixpkgs pin") {
		t.Errorf("two pins: got %v %q, want another nixpkgs pin", ok, why)
	}
}
