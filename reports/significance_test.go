package reports

import (
	"strings"
	"testing"

	"benchlab/analysis"
	"benchlab/results"
)

// testsRun builds a run with baseline "base" and one strategy per entry
// of others, each with the given wall times in ns.
func testsRun(base []int64, others map[string][]int64, order []string) *results.Run {
	r := &results.Run{Format: results.FormatVersion, ID: "20260101T000000Z-00000001", Experiment: "tests",
		Complete: true, Settings: results.Settings{Runs: len(base), Baseline: "base"}}
	add := func(name string, walls []int64) {
		i := len(r.Strategies)
		r.Strategies = append(r.Strategies, results.Strategy{Name: name, Command: []string{name}})
		for round, w := range walls {
			r.Trials = append(r.Trials, results.Trial{Strategy: i, Round: round, WallNS: w})
		}
	}
	add("base", base)
	for _, name := range order {
		add(name, others[name])
	}
	return r
}

// row returns the table row of the "Is it real?" table for strategy.
func testsRow(t *testing.T, md, strategy string) string {
	t.Helper()
	_, after, ok := strings.Cut(md, "## Is it real?")
	if !ok {
		t.Fatalf("no \"Is it real?\" section:\n%s", md)
	}
	for _, line := range strings.Split(after, "\n") {
		if strings.HasPrefix(line, "| "+strategy+" |") {
			return line
		}
	}
	t.Fatalf("no row for %s in:\n%s", strategy, after)
	return ""
}

func TestTestsTable(t *testing.T) {
	ms := int64(1_000_000)
	t.Run("issue 10: 3 runs of 12.0 ms against 3 of 12.5 ms is exact p = 0.1, not significant", func(t *testing.T) {
		run := testsRun([]int64{12 * ms, 12 * ms, 12 * ms}, map[string][]int64{"x": {12.5e6, 12.5e6, 12.5e6}}, []string{"x"})
		rep, err := Build(run)
		if err != nil {
			t.Fatal(err)
		}
		row := testsRow(t, string(rep.Markdown()), "x")
		if !strings.Contains(row, "| no significant difference | 0.1 (exact) | 0.1 |") {
			t.Errorf("row %q: want exact p 0.1 and no significant difference", row)
		}
	})
	t.Run("issue 10: one run has no Welch p", func(t *testing.T) {
		run := testsRun([]int64{10 * ms}, map[string][]int64{"x": {11 * ms, 12 * ms, 13 * ms, 14 * ms, 15 * ms}}, []string{"x"})
		rep, err := Build(run)
		if err != nil {
			t.Fatal(err)
		}
		row := testsRow(t, string(rep.Markdown()), "x")
		// strategy, verdict, p, Holm p, Welch: the fifth cell.
		if cells := strings.Split(row, " | "); len(cells) < 5 || cells[4] != none {
			t.Errorf("row %q: Welch's p should be %s with one baseline run", row, none)
		}
	})
	t.Run("Holm: three tests at p = 0.029 each are significant alone, not as a table", func(t *testing.T) {
		// 4 + 4 runs, complete separation: p = 2/70 = 0.0286 each;
		// Holm: 3 × 0.0286 = 0.0857 for all three.
		base := []int64{10 * ms, 11 * ms, 12 * ms, 13 * ms}
		slow := []int64{20 * ms, 21 * ms, 22 * ms, 23 * ms}
		run := testsRun(base, map[string][]int64{"x": slow, "y": slow, "z": slow}, []string{"x", "y", "z"})
		rep, err := Build(run)
		if err != nil {
			t.Fatal(err)
		}
		md := string(rep.Markdown())
		if !strings.Contains(md, "after Holm–Bonferroni over the 3 tests of this table") {
			t.Errorf("the text does not state the correction:\n%s", md)
		}
		for _, s := range []string{"x", "y", "z"} {
			row := testsRow(t, md, s)
			if !strings.Contains(row, "| no significant difference | 0.029 (exact) | 0.086 |") {
				t.Errorf("row %q: want p 0.029, Holm-adjusted 0.086, not significant", row)
			}
		}
		// One comparison alone would have been called slower.
		alone, _ := analysis.Compare2([]float64{10, 11, 12, 13}, []float64{20, 21, 22, 23})
		if alone.Verdict() != "slower" {
			t.Errorf("alone: %q, want slower", alone.Verdict())
		}
	})
}
