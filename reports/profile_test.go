package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"benchlab/analysis"
	"benchlab/results"
)

// profileCounts loads testdata/profile.counts.json: real callgrind counts
// (valgrind 3.19, rustc 1.95, a 2-vCPU Xeon KVM guest) of four
// async-fn-pointers strategies built at 1M and 2M iterations (six of them).
func profileCounts(t *testing.T) *results.Run {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "profile.counts.json"))
	if err != nil {
		t.Fatal(err)
	}
	run := &results.Run{ID: "20261202T032000Z-0badc0de", Experiment: "async-fn-pointers"}
	if err := json.Unmarshal(b, &run.Counts); err != nil {
		t.Fatal(err)
	}
	return run
}

// TestProfileGolden renders the "where the time goes" table and the
// comparison sentences the open-question answers use, from real profiles,
// against testdata/profile.golden.md.
func TestProfileGolden(t *testing.T) {
	run := profileCounts(t)
	r := &Report{}
	r.AddCounts(run, "iterations")
	var b strings.Builder
	r.writeProfile(&b)
	for _, pair := range [][2]string{{"async-boxed-invert", "function-pointer"}, {"async-boxed-naive", "async-func"}, {"async-stack-future", "async-func"}} {
		c, ok := profileComparison(r, pair[0], pair[1])
		if !ok {
			t.Fatalf("no profile of %v", pair)
		}
		b.WriteString(ProfileSentence(c, "iteration") + "\n\n")
	}
	if _, ok := profileComparison(r, "async-func", "no-such-strategy"); ok {
		t.Error("a comparison with a strategy that has no profile: ok")
	}
	golden(t, filepath.Join("testdata", "profile.golden.md"), []byte(b.String()))
}

// profileComparison is what analysis.AnswerQuestion puts in
// Answer.Profile: a's iteration profile against b's from the report's
// count run.
func profileComparison(r *Report, a, b string) (analysis.ProfileComparison, bool) {
	ans := analysis.AnswerQuestion(analysis.AnswerInput{
		Main:      &results.Run{},
		Sums:      []analysis.Summary{{Strategy: a, N: 1, MeanNS: 1}, {Strategy: b, N: 1, MeanNS: 1}},
		Counts:    &analysis.CountEvidence{Run: r.Counts.Run, Param: r.Counts.Param},
		CountFits: r.Counts.Fits,
	}, a, b)
	if ans.Profile == nil {
		return analysis.ProfileComparison{}, false
	}
	return *ans.Profile, true
}

// TestProfileSectionAbsent: a count run without profiles (perf stat, or
// archived before profiles) gets no section.
func TestProfileSectionAbsent(t *testing.T) {
	run := profileCounts(t)
	for i := range run.Counts {
		run.Counts[i].Profile = nil
	}
	r := &Report{}
	r.AddCounts(run, "iterations")
	var b strings.Builder
	r.writeProfile(&b)
	if b.Len() != 0 {
		t.Errorf("section without profiles:\n%s", b.String())
	}
}
