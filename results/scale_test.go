package results

import (
	"encoding/json"
	"testing"
	"time"
)

// hyperfineDoc is a hyperfine export of n results of one command (or n
// distinct commands), each with one time.
func hyperfineDoc(t testing.TB, n int, distinct bool) []byte {
	h := Hyperfine{Results: make([]HyperfineResult, n)}
	for i := range h.Results {
		cmd := "true"
		if distinct {
			cmd = "cmd " + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26))
		}
		h.Results[i] = HyperfineResult{Command: cmd, Mean: 0.001, Median: 0.001, Min: 0.001, Max: 0.001, Times: []float64{0.001}}
	}
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestImportNamesInLinearTime is #14 case 10: naming n results of one
// command ("true", "true-2", …) took n²/2 tries, each a formatted string,
// so that 1e6 results never finished. The allocations tell, without a
// clock: linear naming makes a few per result.
func TestImportNamesInLinearTime(t *testing.T) {
	const n = 3000
	data := hyperfineDoc(t, n, false)
	var r *Run
	allocs := testing.AllocsPerRun(1, func() {
		var err error
		if r, err = FromHyperfine(data, ImportOptions{Experiment: "many", File: "many.json", Modified: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 60*n {
		t.Errorf("importing %d results of one command made %.0f allocations, want at most %d: naming is not linear", n, allocs, 60*n)
	}
	seen := map[string]bool{}
	for _, s := range r.Strategies {
		if seen[s.Name] {
			t.Fatalf("strategy name %q given twice", s.Name)
		}
		seen[s.Name] = true
	}
	if r.Strategies[0].Name != "true" || r.Strategies[1].Name != "true-2" || r.Strategies[n-1].Name != "true-3000" {
		t.Errorf("names %q, %q … %q; want true, true-2 … true-3000", r.Strategies[0].Name, r.Strategies[1].Name, r.Strategies[n-1].Name)
	}
}
