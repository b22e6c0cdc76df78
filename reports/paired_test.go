package reports

import (
	"bytes"
	"errors"
	"image/png"
	"slices"
	"strings"
	"testing"

	"benchlab/results"
)

// pairedRun builds a run whose experiment pairs b, c and d with a.
func pairedRun(walls map[string][]int64) *results.Run {
	file := `name = "pairs"
[trials]
runs = 10
[[strategy]]
name = "a"
command = ["a"]
[[strategy]]
name = "b"
command = ["b"]
compare_with = "a"
[[strategy]]
name = "c"
command = ["c"]
compare_with = "a"
[[strategy]]
name = "d"
command = ["d"]
compare_with = "a"
`
	r := &results.Run{Format: results.FormatVersion, ID: "20260101T000000Z-00000000", Experiment: "pairs",
		ExperimentFile: file, Complete: true, Settings: results.Settings{Runs: 10}}
	for i, name := range []string{"a", "b", "c", "d"} {
		r.Strategies = append(r.Strategies, results.Strategy{Name: name, Command: []string{name}})
		for round, w := range walls[name] {
			r.Trials = append(r.Trials, results.Trial{Strategy: i, Round: round, WallNS: w})
		}
	}
	return r
}

func TestPairedComparisons(t *testing.T) {
	var a, b, c []int64
	for i := range int64(10) {
		a = append(a, 1_000_000+i*1000) // 1.000 … 1.009 ms
		b = append(b, 1_500_000+i*1500) // exactly 1.5 × a
		c = append(c, 1_020_000+i*1000) // 2% slower, every run above every run of a
	}
	run := pairedRun(map[string][]int64{"a": a, "b": b, "c": c, "d": a})
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	md := string(rep.Markdown(""))
	for _, want := range []string{
		"## Paired comparisons",
		"| b | a | 1.500 [",                    // the ratio of means, with its interval
		"50% slower |",                         // a large, certain difference
		"differs, but by less than 5% |",       // significant but within ±5%
		"| d | a | 1.000 [",                    // identical samples: resampling still spreads the ratio a little
		"no difference shown (within noise) |", // not significant
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Count(md, "| a | a |") != 0 {
		t.Error("a strategy without compare_with was paired")
	}
}

func TestPairsChart(t *testing.T) {
	var a, b []int64
	for i := range int64(10) {
		a = append(a, 1_000_000+i*1000)
		b = append(b, 2_000_000+i*2000)
	}
	rep, err := Build(pairedRun(map[string][]int64{"a": a, "b": b, "c": a, "d": b}))
	if err != nil {
		t.Fatal(err)
	}
	first, err := PairsChart(rep)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(first))
	if err != nil {
		t.Fatalf("pairs chart is not a PNG: %v", err)
	}
	// Three pairs: 1.1 in + 3 × 0.22 in at 96 dpi.
	if got, want := img.Bounds().Dy(), 169; got < want-1 || got > want+1 {
		t.Errorf("chart height %d px, want about %d", got, want)
	}
	again, _ := PairsChart(rep)
	if !bytes.Equal(first, again) {
		t.Error("rendering the same report twice gave different bytes")
	}
	files, err := rep.Files()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(files, func(f File) bool { return f.Name == PairsName }) {
		t.Errorf("Files() has no %s", PairsName)
	}
	if !strings.Contains(string(files[0].Data), "]("+PairsName+")") {
		t.Error("the report does not embed the pairs chart")
	}
}

func TestPairsChartNothingPaired(t *testing.T) {
	run := pairedRun(nil)
	run.ExperimentFile = "name = \"pairs\"\n[trials]\nruns = 1\n[[strategy]]\nname = \"a\"\ncommand = [\"a\"]\n"
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PairsChart(rep); !errors.Is(err, ErrNothingToPlot) {
		t.Errorf("PairsChart without pairs: %v, want ErrNothingToPlot", err)
	}
}

// A short recorded file, such as the toolchain a build really used, is
// shown in the report; a long one (a lock file) is only named.
func TestRecordedFilesShown(t *testing.T) {
	run := pairedRun(nil)
	run.Recorded = []results.RecordedFile{
		{Path: "target/toolchain.txt", Content: "toolchain: debian\nrustc 1.63.0\n"},
		{Path: "Cargo.lock", Content: strings.Repeat("x", 2000)},
		{Path: "one.txt", Content: "just one line"},
	}
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	md := string(rep.Markdown())
	for _, want := range []string{
		"Archived with the run: `target/toolchain.txt`, `Cargo.lock`, `one.txt`.",
		"- `target/toolchain.txt`:\n\n  ```\n  toolchain: debian\n  rustc 1.63.0\n  ```\n",
		"- `one.txt`: `just one line`\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(md, "xxxxxxxx") {
		t.Error("a long recorded file was shown")
	}
}

// Without a baseline, paired strategies get no chart of ratios to the
// fastest of all: across groups it would compare unlike things.
func TestPairedRunHasNoFastestChart(t *testing.T) {
	var a []int64
	for i := range int64(5) {
		a = append(a, 1_000_000+i*1000)
	}
	rep, err := Build(pairedRun(map[string][]int64{"a": a, "b": a, "c": a, "d": a}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := BarChart(rep); !errors.Is(err, ErrNothingToPlot) {
		t.Errorf("BarChart of a paired run without baseline: %v, want ErrNothingToPlot", err)
	}
}

// A paired run without a baseline takes no ratio to a common strategy: not
// in the table, not in the tests, not in the summary `benchlab run` prints.
func TestPairedRunHasNoCommonRatio(t *testing.T) {
	var a, b []int64
	for i := range int64(6) {
		a = append(a, 1_000_000+i*1000)
		b = append(b, 3_000_000+i*1000)
	}
	run := pairedRun(map[string][]int64{"a": a, "b": b, "c": a, "d": b})
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Paired || rep.Baseline != "" || len(rep.Tests) != 0 || len(rep.Pairs) != 3 {
		t.Errorf("Paired %v, Baseline %q, %d tests, %d pairs; want true, none, 0, 3", rep.Paired, rep.Baseline, len(rep.Tests), len(rep.Pairs))
	}
	if md := string(rep.Markdown()); !strings.Contains(md, "with no ratio to a common strategy") || strings.Contains(md, "## Is it real?") {
		t.Errorf("report still compares across pairs:\n%s", md)
	}
	if txt := Terminal(run, TerminalOptions{}); !strings.Contains(txt, "strategies compare within their pairs") {
		t.Errorf("summary does not say the strategies compare within pairs:\n%s", txt)
	}
}

// The verdict takes its direction from the rank test that judged the
// difference; when the means point the other way, it says so.
func TestPairVerdictDirection(t *testing.T) {
	// b is faster in 9 of 10 runs, but one run of 100 ms pulls its mean
	// above a's: ranks say faster, the mean ratio says slower.
	var a, b []int64
	for i := range int64(10) {
		a = append(a, 2_000_000+i*100)
		b = append(b, 1_000_000+i*100)
	}
	b[9] = 100_000_000
	rep, err := Build(pairedRun(map[string][]int64{"a": a, "b": b, "c": a, "d": a}))
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Pairs[0].verdict()
	if want := "faster by rank, though its mean is"; !strings.Contains(got, want) {
		t.Errorf("verdict %q, want one containing %q", got, want)
	}
}
