package analysis

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"benchlab/results"
)

func TestIsAllocator(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
		why  string
	}{
		{"malloc", true, "glibc's entry point"},
		{"_int_free", true, "glibc's internals"},
		{"_int_free.constprop.0", true, "a compiler's clone of it"},
		{"malloc@plt", true, "its PLT stub"},
		{"__rustc::__rdl_alloc", true, "Rust 1.95's shim, under its __rustc path"},
		{"__rust_dealloc", true, "older Rust's shim"},
		{"runtime.mallocgc", true, "Go's allocator"},
		{"alloc::alloc::exchange_malloc", true, "Rust's Box::new path"},
		{"freeze_all", false, "a name that merely starts like free"},
		{"async_boxed_naive::foo_boxed", false, "the subject's own code"},
	} {
		if got := IsAllocator(tc.name); got != tc.want {
			t.Errorf("IsAllocator(%q) = %v, want %v (%s)", tc.name, got, tc.want, tc.why)
		}
	}
}

// count is a profiled count of strategy s at iterations n.
func count(s string, n string, total int64, fns ...results.FunctionCost) results.InstructionCount {
	return results.InstructionCount{Strategy: s, Parameters: map[string]string{"iterations": n}, Instructions: total, Profile: fns}
}

func fc(fn string, n int64) results.FunctionCost {
	return results.FunctionCost{Function: fn, Object: "x", Instructions: n}
}

func TestIterationProfilesAndCompare(t *testing.T) {
	counts := []results.InstructionCount{
		// boxed: at 1000 → 3000 iterations, main +2000·10, malloc +2000·30,
		// free +2000·20, start-up 50000 cancels; "init" does not grow.
		count("boxed", "1000", 50000+60000, fc("main", 10000+1000), fc("malloc", 30000), fc("free", 20000), fc("init", 49000)),
		count("boxed", "3000", 50000+180000, fc("main", 30000+1000), fc("malloc", 90000), fc("free", 60000), fc("init", 49000)),
		// plain: main 4 per iteration, callee 2; an unplaced function
		// (only in the high build's top list) is left out of Covered.
		count("plain", "1000", 10000+6000, fc("main", 4000), fc("callee", 2000), fc("init", 10000)),
		count("plain", "3000", 10000+18000+2000, fc("main", 12000), fc("callee", 6000), fc("init", 10000), fc("late", 2000)),
		// a failed count and one without a profile are ignored.
		{Strategy: "broken", Parameters: map[string]string{"iterations": "1000"}, Failure: "exit status 1"},
		count("noprofile", "1000", 5),
	}
	ps := IterationProfiles(counts, "iterations")
	want := []IterationProfile{
		{Strategy: "boxed", Low: 1000, High: 3000, PerUnit: 60, Covered: 1, Allocator: 50, Functions: []FunctionStep{
			{"malloc", "x", 30, 0.5}, {"free", "x", 20, 1.0 / 3}, {"main", "x", 10, 1.0 / 6}}},
		// (30000 − 16000)/2000 = 7 per iteration, of which main 4 and
		// callee 2 are placed: 6/7.
		{Strategy: "plain", Low: 1000, High: 3000, PerUnit: 7, Covered: 6.0 / 7, Functions: []FunctionStep{
			{"main", "x", 4, 4.0 / 7}, {"callee", "x", 2, 2.0 / 7}}},
	}
	approx := cmpopts.EquateApprox(1e-12, 0)
	if diff := cmp.Diff(want, ps, approx); diff != "" {
		t.Errorf("profiles (-want +got):\n%s", diff)
	}
	c := CompareProfiles(ps[0], ps[1])
	wantC := ProfileComparison{A: ps[0], B: ps[1], Extra: 53,
		OnlyA: []FunctionStep{ps[0].Functions[0], ps[0].Functions[1]}, OnlyAPerUnit: 50,
		OnlyB: []FunctionStep{ps[1].Functions[1]}}
	if diff := cmp.Diff(wantC, c, approx); diff != "" {
		t.Errorf("comparison (-want +got):\n%s", diff)
	}
}
