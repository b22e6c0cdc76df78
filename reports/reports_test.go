package reports

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"benchlab/analysis"
	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden* (and the sample testdata/*.chart.png) from the current output")

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is intended, run go test ./reports -update:\n%s", path, diff)
	}
}

var cases = []struct {
	name string
	why  string
	run  func(*testing.T) *results.Run
}{
	{"async", "a complete run of the seed experiment: every section filled, one notable Δ, one outlier", asyncRun},
	{"degenerate", "an interrupted run whose baseline failed: no reproduced ratios, one run, identical runs, a timeout, escaping", degenerateRun},
	{"imported", "a hyperfine export: no fingerprint, noise or toolchains, the import record and its caveats, one failed trial", importedRun},
	{"fastest", "no baseline and an experiment file that no longer decodes: ratios to the fastest, no published figures, µs", fastestRun},
}

// TestGolden renders each fixed run to Markdown and compares it with
// testdata/<case>.report.golden.md (TestTerminalGolden does the same for
// the terminal summary).
func TestGolden(t *testing.T) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			run := tt.run(t)
			rep, err := Build(run)
			if err != nil {
				t.Fatalf("%s: Build: %v", tt.why, err)
			}
			golden(t, filepath.Join("testdata", tt.name+".report.golden.md"), rep.Markdown(ChartName))
			if *update {
				// A sample for people to look at; never compared, as PNG
				// bytes may differ between platforms.
				png, err := BarChart(rep)
				if err == nil {
					err = os.WriteFile(filepath.Join("testdata", tt.name+".chart.png"), png, 0o644)
				}
				if err != nil && !errors.Is(err, ErrNothingToPlot) {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestNoNaN checks the promise that a missing number is an em dash.
func TestNoNaN(t *testing.T) {
	for _, tt := range cases {
		run := tt.run(t)
		rep, err := Build(run)
		if err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{string(rep.Markdown(ChartName)), Terminal(run, TerminalOptions{})} {
			for _, bad := range []string{"NaN", "Inf", "%!"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s: output contains %q", tt.name, bad)
				}
			}
		}
	}
}

func TestBarChart(t *testing.T) {
	for _, tt := range cases {
		rep, err := Build(tt.run(t))
		if err != nil {
			t.Fatal(err)
		}
		a, err := BarChart(rep)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		img, err := png.Decode(bytes.NewReader(a))
		if err != nil {
			t.Fatalf("%s: chart is not a PNG: %v", tt.name, err)
		}
		// 8 × 96 = 768 by 4.5 × 96 = 432 pixels.
		if got := img.Bounds().Size(); got.X != 768 || got.Y != 432 {
			t.Errorf("%s: chart is %v pixels, want 768x432", tt.name, got)
		}
		b, err := BarChart(rep)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: rendering twice gave different bytes", tt.name)
		}
	}
}

func TestNothingToPlot(t *testing.T) {
	tests := []struct {
		why string
		run *results.Run
	}{
		{"a single strategy has only its own ratio of 1", &results.Run{
			Strategies: []results.Strategy{{Name: "a"}},
			Trials:     []results.Trial{{WallNS: 10}},
		}},
		{"no strategy has runs or published figures", &results.Run{
			Strategies: []results.Strategy{{Name: "a", Failure: "exit status 1"}, {Name: "b"}},
			Trials:     []results.Trial{{ExitCode: 1}},
		}},
	}
	for _, tt := range tests {
		rep, err := Build(tt.run)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := BarChart(rep); !errors.Is(err, ErrNothingToPlot) {
			t.Errorf("%s: BarChart error = %v, want ErrNothingToPlot", tt.why, err)
		}
		files, err := rep.Files()
		if err != nil {
			t.Fatalf("%s: Files: %v", tt.why, err)
		}
		for _, f := range files[1:] {
			if f.Name == ChartName {
				t.Errorf("%s: got %s with nothing to plot", tt.why, ChartName)
			}
		}
		if files[0].Name != ReadmeName || bytes.Contains(files[0].Data, []byte("]("+ChartName+")")) {
			t.Errorf("%s: want %s first, not embedding %s", tt.why, ReadmeName, ChartName)
		}
	}
}

func TestFiles(t *testing.T) {
	rep, err := Build(asyncRun(t))
	if err != nil {
		t.Fatal(err)
	}
	files, err := rep.Files()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{ReadmeName, ChartName, DistributionName}, names); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	if !bytes.Contains(files[0].Data, []byte("]("+ChartName+")")) {
		t.Errorf("%s does not embed %s", ReadmeName, ChartName)
	}
}

func TestBuildRejectsDamagedRun(t *testing.T) {
	tests := []struct {
		why string
		run *results.Run
	}{
		{"no run", nil},
		{"a trial naming a strategy the run lacks", &results.Run{
			Strategies: []results.Strategy{{Name: "a"}},
			Trials:     []results.Trial{{Strategy: 1}},
		}},
	}
	for _, tt := range tests {
		if _, err := Build(tt.run); err == nil {
			t.Errorf("%s: Build succeeded, want an error", tt.why)
		}
	}
}

// TestBuildRatios checks the ratios of the seed experiment against hand
// arithmetic: published figures in different units are compared in seconds.
func TestBuildRatios(t *testing.T) {
	rep, err := Build(asyncRun(t))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]analysis.Ratio{}
	for _, row := range rep.Rows {
		got[row.Strategy] = row.PublishedRatio
	}
	want := map[string]analysis.Ratio{
		"function-pointer": {Value: 1},
		// 537.9/429.1 = 1.2535540 ± 0.0212632 (see analysis.TestRatioOf).
		"boxed-function-pointer": {Value: 1.2535540, Stddev: 0.0212632},
		// 407.6/429.1 = 0.9498951; √((3.6/407.6)² + (7/429.1)²) =
		// √(0.0088322² + 0.0163132²) = √0.000344129 = 0.0185507;
		// σ = 0.9498951 · 0.0185507 = 0.0176212.
		"async-func": {Value: 0.9498951, Stddev: 0.0176212},
		// 4.985 s against 0.4291 s: 11.617339 ± 0.2826796 (see
		// analysis.TestRatioOfMeans, worked in ms).
		"async-boxed-naive": {Value: 11.617339, Stddev: 0.2826796},
		// 318.1/429.1 = 0.7413190; √((1.2/318.1)² + 0.0163132²) =
		// √(0.0037724² + 0.0163132²) = 0.0167437; σ = 0.0124125.
		"async-boxed-invert": {Value: 0.7413190, Stddev: 0.0124125},
		// 526.5/429.1 = 1.2269867; √((0.8/526.5)² + 0.0163132²) =
		// √(0.0015195² + 0.0163132²) = 0.0163838; σ = 0.0201027.
		"async-enum": {Value: 1.2269867, Stddev: 0.0201027},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(1e-5, 0)); diff != "" {
		t.Errorf("published ratios (-want +got):\n%s", diff)
	}
	if rep.Baseline != "function-pointer" || rep.BaselineFastest {
		t.Errorf("baseline = %q (fastest %v), want function-pointer as set", rep.Baseline, rep.BaselineFastest)
	}
	var notable []string
	for _, row := range rep.Rows {
		if row.HasDelta && row.Delta.Notable {
			notable = append(notable, row.Strategy)
		}
	}
	if diff := cmp.Diff([]string{"async-boxed-naive"}, notable); diff != "" {
		t.Errorf("notable Δ (-want +got):\n%s", diff)
	}
}

func TestFormat(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		why, got, want string
	}{
		{"seconds from 1 s, three decimals", duration(4.9851e9), "4.985 s"},
		{"milliseconds from 1 ms, one decimal", duration(429.14e6), "429.1 ms"},
		{"microseconds below 1 ms", duration(912.3e3), "912.3 µs"},
		{"NaN is a dash", duration(nan), "—"},
		{"infinity is a dash", duration(math.Inf(1)), "—"},
		{"a ratio with σ", ratio(analysis.Ratio{Value: 1.2535, Stddev: 0.0213}), "1.25 ± 0.02"},
		{"a NaN ratio is a dash", ratio(analysis.Ratio{Value: nan}), "—"},
		{"a delta is signed, with its percentage", delta(analysis.Delta{Value: 0.15, Stddev: 0.036, Relative: 0.136}), "+0.15 ± 0.04 (+13.6%)"},
		{"KiB under a MiB", kib(812), "812.0 KiB"},
		{"MiB", kib(1946), "1.9 MiB"},
		{"GiB", kib(32_768_000), "31.2 GiB"},
		{"bytes", size(999), "999 B"},
		{"a pipe in a cell is escaped", cell("a | b"), `a \| b`},
		{"a backslash is literal, so an escaped pipe shows both", cell(`a \| b`), `a \\\| b`},
		{"backticks in a cell are literal, not a code span", cell("`x|y`"), "\\`x\\|y\\`"},
		{"a pipe in a code span in a cell is escaped", codeCell("x|y"), "`x\\|y`"},
		{"newlines become spaces", cell("first\nsecond\r\nthird"), "first second third"},
		{"a code span around backticks uses a longer fence", code("a ` b"), "``a ` b``"},
		{"a code span starting with a backtick is padded", code("`a"), "`` `a ``"},
		{"an empty code span is a dash", code(""), "—"},
		{"a fenced block outlasts the fences inside", fenced("```\nx"), "````\n```\nx\n````\n"},
		{"faster, in hyperfine's eight columns", comparator(analysis.Ratio{Value: 11.62, Stddev: 0.28}, colors(false)), "   11.62 ± 0.28 times faster than"},
		// 1/0.8 = 1.25; σ 0.032/0.8² = 0.05.
		{"slower reads as the inverse", comparator(analysis.Ratio{Value: 0.8, Stddev: 0.032}, colors(false)), "    1.25 ± 0.05 times slower than"},
		{"equal", comparator(analysis.Ratio{Value: 1, Stddev: 0.01}, colors(false)), "    As fast (1.00 ± 0.01) as"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.why, tt.got, tt.want)
		}
	}
}

// TestPaper renders the full report, sweep and instruction counts
// included, to testdata/paper.report.golden.md, and checks that every
// chart renders to the same bytes twice.
func TestPaper(t *testing.T) {
	rep := paperRun(t)
	files, err := rep.Files()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{ReadmeName, ChartName, DistributionName, SweepName, HistoryName}, names); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	golden(t, filepath.Join("testdata", "paper.report.golden.md"), files[0].Data)
	again, err := paperRun(t).Files()
	if err != nil {
		t.Fatal(err)
	}
	for i := range files {
		if !bytes.Equal(files[i].Data, again[i].Data) {
			t.Errorf("%s: rendering twice gave different bytes", files[i].Name)
		}
		if *update && i > 0 {
			if err := os.WriteFile(filepath.Join("testdata", "paper."+files[i].Name), files[i].Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestNoBorrowing renders a report whose archive holds a sweep, counts and
// a history, all of another machine: none of them is used or cited, and
// the report says which command would make them here
// (testdata/borrowed.report.golden.md).
func TestNoBorrowing(t *testing.T) {
	rep := borrowedRun(t)
	if rep.Sweep != nil || rep.Counts != nil || rep.History != nil {
		t.Fatalf("borrowed evidence: sweep %v, counts %v, history %v", rep.Sweep != nil, rep.Counts != nil, rep.History != nil)
	}
	files, err := rep.Files()
	if err != nil {
		t.Fatal(err)
	}
	md := string(files[0].Data)
	golden(t, filepath.Join("testdata", "borrowed.report.golden.md"), files[0].Data)
	for _, r := range append(earlierRuns(t), evidenceRuns(rep.Run)...) {
		id := r.Sweep
		if id == "" {
			id = r.ID
		}
		if strings.Contains(md, id) {
			t.Errorf("the report cites %s, a run of another machine", id)
		}
	}
	for _, want := range []string{
		"No comparable sweep on this machine: run `benchlab sweep --param-sweep iterations experiments/async-fn-pointers`.",
		"No comparable instruction counts on this machine: run `benchlab count --param-name iterations --param-low 1000000 --param-high 2000000 experiments/async-fn-pointers`.",
		"No comparable sweep: fixed and per-call costs cannot be separated (run `benchlab sweep --param-sweep iterations experiments/async-fn-pointers`).",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, name := range []string{SweepName, HistoryName} {
		if slices.ContainsFunc(files, func(f File) bool { return f.Name == name }) {
			t.Errorf("the report draws %s from another machine's runs", name)
		}
	}
}

// TestNoisyWithholdsAnswers checks that a run the noise gate marked noisy
// answers no open question, however good its evidence.
func TestNoisyWithholdsAnswers(t *testing.T) {
	rep := paperRun(t)
	rep.Run.Noise.Noisy, rep.Run.Noise.Reasons = true, []string{"load average 5.0 before the run (limit 1.0)"}
	md := string(rep.Markdown())
	if got := strings.Count(md, `Not answered: the run was noisy \(load average 5.0 before the run \(limit 1.0\)\).`); got != 2 {
		t.Errorf("%d answers withheld, want 2:\n%s", got, md)
	}
	if strings.Contains(md, "So the difference is") {
		t.Error("a noisy run still attributes a difference")
	}
}

// TestMissingEvidenceCommands: a report on a run built away from the
// defaults asks for a sweep and counts held at the run's own parameters,
// with the values its [report] declares.
func TestMissingEvidenceCommands(t *testing.T) {
	run := asyncRun(t)
	run.ExperimentFile = `name = "async-fn-pointers"
[build]
command = ["./build.sh"]
[build.parameters]
iterations = ["0", "10", "250"]
toolchain = ["path", "debian"]
[build.defaults]
iterations = "250"
toolchain = "path"
[trials]
runs = 10
[report]
sweep = "iterations"
sweep_values = ["0", "10"]
sweep_runs = 5
count = true
count_values = ["1", "2"]
[[strategy]]
name = "function-pointer"
command = ["target/release/function-pointer"]
`
	run.Parameters = map[string]string{"iterations": "250", "toolchain": "debian"}
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	rep.AddEvidence(analysis.SelectEvidence(analysis.Describe(run), analysis.DescribeAll([]*results.Run{run})))
	if got, want := rep.sweepCommand(), "benchlab sweep --param-sweep iterations --runs 5 --values 0,10 --param toolchain=debian experiments/async-fn-pointers"; got != want {
		t.Errorf("sweep command %q, want %q", got, want)
	}
	if got, want := rep.countCommand(), "benchlab count --param-name iterations --param-low 1 --param-high 2 --param toolchain=debian experiments/async-fn-pointers"; got != want {
		t.Errorf("count command %q, want %q", got, want)
	}
}

// TestLeftOut: runs of this machine left out are named with the reason;
// other machines' runs are only counted, never cited.
func TestLeftOut(t *testing.T) {
	rejected := []analysis.Rejected{
		{Sweep: "s-mine", Why: analysis.Mismatch{Rule: analysis.RuleParameters, Detail: "other build parameters: toolchain=path (this run: toolchain=debian)"}},
		{Sweep: "s-amd", Why: analysis.Mismatch{Rule: analysis.RuleMachine, Detail: "another machine: amd (this run: intel)"}},
		{Sweep: "s-arm", Why: analysis.Mismatch{Rule: analysis.RuleMachine, Detail: "another machine: arm (this run: intel)"}},
	}
	want := "Left out as not comparable with this run: sweep `s-mine` (other build parameters: toolchain=path \\(this run: toolchain=debian\\)); 2 sweeps of other or unknown machines are never used here."
	if got := leftOut(rejected, "sweep"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := leftOut(nil, "sweep"); got != "" {
		t.Errorf("nothing left out: %q", got)
	}
}

// TestTooManyStrategiesToChart: past MaxChartStrategies the ratio and
// distribution charts are not drawn (an import of a million commands spent
// minutes drawing them), and the report says why.
func TestTooManyStrategiesToChart(t *testing.T) {
	run := fastestRun(t)
	n := MaxChartStrategies + 1
	run.Strategies = nil
	run.Trials = nil
	for i := range n {
		run.Strategies = append(run.Strategies, results.Strategy{Name: fmt.Sprintf("s%d", i), Command: []string{"true"}})
		for j := range 2 {
			run.Trials = append(run.Trials, results.Trial{Strategy: i, Round: j, WallNS: int64(1e6 + 1e3*i + j)})
		}
	}
	r, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	files, err := r.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name == ChartName || f.Name == DistributionName {
			t.Errorf("%s drawn for %d strategies", f.Name, n)
		}
	}
	if md := string(files[0].Data); !strings.Contains(md, fmt.Sprintf("%d strategies are more than a chart can show", n)) {
		t.Error("the report does not say why it has no charts")
	}
}
