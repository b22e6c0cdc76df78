package analysis

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCompareFamily: the pairs that can be tested form one family for
// Holm's correction, and an untestable pair neither counts in it nor gets
// a comparison.
func TestCompareFamily(t *testing.T) {
	low, high := []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}
	cs, tested := CompareFamily([][2][]float64{{low, high}, {low, nil}, {low, low}})
	if !tested[0] || tested[1] || !tested[2] {
		t.Fatalf("tested %v, want [true false true]", tested)
	}
	// Alone, 5 vs 5 all apart: exact two-sided p = 2/C(10,5) = 2/252.
	// Holm over 2 tests: the smaller p is doubled.
	alone, _ := Compare2(low, high)
	if cs[0].Family != 2 || cs[2].Family != 2 || cs[0].AdjustedP != 2*alone.P {
		t.Errorf("family %d and %d, adjusted p %g; want 2, 2 and %g", cs[0].Family, cs[2].Family, cs[0].AdjustedP, 2*alone.P)
	}
	if cs[1].NA != 0 || cs[1].Family != 0 {
		t.Errorf("the untested pair has a comparison: %+v", cs[1])
	}
}

// TestCompareStrategies: strategies are paired by name, not position, and
// one missing from b is left untested and out of the family.
func TestCompareStrategies(t *testing.T) {
	low, high := []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}
	a := []Summary{{Strategy: "x", WallNS: low}, {Strategy: "y", WallNS: low}, {Strategy: "gone", WallNS: low}}
	b := []Summary{{Strategy: "y", WallNS: low}, {Strategy: "x", WallNS: high}}
	cs, tested := CompareStrategies(a, b)
	if !tested[0] || !tested[1] || tested[2] {
		t.Fatalf("tested %v, want [true true false]", tested)
	}
	want, _ := CompareFamily([][2][]float64{{low, high}, {low, low}})
	if d := cmp.Diff(want, cs[:2]); d != "" {
		t.Errorf("x against x, y against y (-want +got):\n%s", d)
	}
}
