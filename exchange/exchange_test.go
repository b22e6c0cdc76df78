package exchange

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/perf/benchfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

var sampleStart = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// sampleRun is a small run benchlab measured: a warm-up, a failed trial,
// a timed-out one, run-time and build parameters.
func sampleRun() *results.Run {
	return &results.Run{
		Format: results.FormatVersion, ID: "20261125T000000Z-00000001", Experiment: "demo",
		Started: sampleStart, Finished: sampleStart.Add(3 * time.Second), Complete: true,
		Machine:    results.Machine{ID: "test-cpu-2c-0123abcd", CPUModel: "Test CPU", CPUs: 2, Kernel: "6.1", OS: "Debian", Arch: "amd64"},
		Lab:        results.Lab{Version: "dev", Commit: "abc", GoVersion: "go1.26"},
		Settings:   results.Settings{Warmup: 1, Runs: 2},
		Parameters: map[string]string{"iterations": "1000"},
		Strategies: []results.Strategy{
			{Name: "a", Command: []string{"./a"}, Parameters: map[string]string{"n": "1"}},
			{Name: "b", Command: []string{"./b"}, Failure: "exit status 1: boom"},
		},
		Trials: []results.Trial{
			{Strategy: 0, Round: 0, Warmup: true, WallNS: 100e6, UserNS: 90e6, SysNS: 5e6, MaxRSSKiB: 1000},
			{Strategy: 1, Round: 0, Warmup: true, WallNS: 5e6, ExitCode: 1},
			{Strategy: 0, Round: 1, WallNS: 101e6, UserNS: 91e6, SysNS: 6e6, MaxRSSKiB: 1001},
			{Strategy: 1, Round: 1, WallNS: 7e6, UserNS: 1e6, MaxRSSKiB: 900, ExitCode: 1},
			{Strategy: 0, Round: 2, WallNS: 99e6, UserNS: 89e6, SysNS: 4e6, MaxRSSKiB: 999},
			{Strategy: 1, Round: 2, WallNS: 1e9, UserNS: 2e6, MaxRSSKiB: 901, Signal: 9, ExitCode: -1, TimedOut: true},
		},
	}
}

func TestExportGolden(t *testing.T) {
	r := sampleRun()
	// Names that must not break either format: a comma and a quote for
	// CSV, a space and a final "-<digits>" for benchfmt.
	r.Strategies[0].Name = `a, "quoted" one`
	r.Strategies[1].Name = "b-2"
	for _, f := range Formats {
		var b bytes.Buffer
		if err := Write(f, &b, r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		goldenFile(t, "sample."+f, b.Bytes())
	}
	if err := Write("xml", &bytes.Buffer{}, r); err == nil || !strings.Contains(err.Error(), "want hyperfine, markdown, csv, benchfmt") {
		t.Errorf("unknown format: error %v", err)
	}
}

// TestToHyperfineShapes checks the export of failed strategies against
// hyperfine --ignore-failure's shape, worked by hand from sampleRun.
func TestToHyperfineShapes(t *testing.T) {
	doc := ToHyperfine(sampleRun())
	b := doc.Results[1]
	// b's two counted trials: exit 1 after 7 ms, and killed by signal 9
	// at the 1 s timeout, which hyperfine 1.15 writes as 128+9 = 137.
	if diff := cmp.Diff([]float64{0.007, 1}, b.Times); diff != "" {
		t.Errorf("failed strategy's times (-want +got):\n%s", diff)
	}
	if got := []int{*b.ExitCodes[0], *b.ExitCodes[1]}; !cmp.Equal(got, []int{1, 137}) {
		t.Errorf("exit codes %v, want [1 137]", got)
	}
	// mean (0.007+1)/2 = 0.5035; σ = |1−0.007|/√2 = 0.70215…; the median of
	// two is their mean.
	if b.Mean != 0.5035 || b.Median != 0.5035 || math.Abs(*b.Stddev-0.993/math.Sqrt2) > 1e-15 || b.Min != 0.007 || b.Max != 1 {
		t.Errorf("stats of b: mean %v median %v σ %v min %v max %v", b.Mean, b.Median, *b.Stddev, b.Min, b.Max)
	}
	// Build and run-time parameters both, the strategy's winning a clash.
	if diff := cmp.Diff(map[string]string{"iterations": "1000", "n": "1"}, doc.Results[0].Parameters); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	// Memory measured: written in bytes.
	if diff := cmp.Diff([]int64{1001 * 1024, 999 * 1024}, doc.Results[0].MemoryUsageByte); diff != "" {
		t.Errorf("memory (-want +got):\n%s", diff)
	}
	// A strategy stopped by a failed warm-up is written with that warm-up,
	// all it ran; an interrupted run's strategy without trials is left out.
	r := sampleRun()
	r.Strategies = append(r.Strategies, results.Strategy{Name: "failed-warm-up"}, results.Strategy{Name: "never-ran"})
	r.Trials = append(r.Trials, results.Trial{Strategy: 2, Warmup: true, WallNS: 3e6, ExitCode: 2})
	doc = ToHyperfine(r)
	if n := len(doc.Results); n != 3 {
		t.Fatalf("%d results, want 3: a strategy with no trial has no hyperfine result", n)
	}
	if w := doc.Results[2]; !cmp.Equal(w.Times, []float64{0.003}) || *w.ExitCodes[0] != 2 || w.Stddev != nil {
		t.Errorf("failed warm-up exported as %+v", w)
	}
}

func readHyperfine(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "hyperfine", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var hyperfineFiles = []string{"plain.json", "scan.json", "list.json", "failing.json", "names.json", "always-failing.json"}

// TestHyperfineRoundTrip imports each real hyperfine 1.15 export, archives
// it, and exports it again: every field hyperfine wrote comes back, within
// the nanosecond the archive keeps; a second round trip gives the same
// bytes; the Markdown table is the one hyperfine wrote for the same run.
func TestHyperfineRoundTrip(t *testing.T) {
	for _, name := range hyperfineFiles {
		t.Run(name, func(t *testing.T) {
			data := readHyperfine(t, name)
			r, err := FromHyperfine(data, ImportOptions{Experiment: "imp", File: name, Modified: sampleStart})
			if err != nil {
				t.Fatal(err)
			}
			enc, err := results.Encode(r)
			if err != nil {
				t.Fatal(err)
			}
			r, err = results.Decode(enc)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := WriteHyperfine(&out, r); err != nil {
				t.Fatal(err)
			}
			diffs, err := DiffHyperfine(data, out.Bytes(), 1e-9)
			if err != nil || len(diffs) > 0 {
				t.Errorf("hyperfine → import → export loses (%v):\n%s", err, strings.Join(diffs, "\n"))
			}
			again, err := FromHyperfine(out.Bytes(), ImportOptions{Experiment: "imp", File: name, Modified: sampleStart})
			if err != nil {
				t.Fatal(err)
			}
			var out2 bytes.Buffer
			if err := WriteHyperfine(&out2, again); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(out.String(), out2.String()); diff != "" {
				t.Errorf("export → import → export changes (-first +second):\n%s", diff)
			}
			var md bytes.Buffer
			if err := WriteMarkdown(&md, r); err != nil {
				t.Fatal(err)
			}
			want := readHyperfine(t, strings.TrimSuffix(name, ".json")+".md")
			if diff := cmp.Diff(string(want), md.String()); diff != "" {
				t.Errorf("markdown differs from hyperfine's (-hyperfine +benchlab):\n%s", diff)
			}
		})
	}
}

// TestFromHyperfineKeeps checks what an import records, on the real
// exports: per-result parameters, failed runs with their codes, unknown
// CPU and memory, names.
func TestFromHyperfineKeeps(t *testing.T) {
	imp := func(name string) *results.Run {
		r, err := FromHyperfine(readHyperfine(t, name), ImportOptions{Experiment: "imp", File: name, Modified: sampleStart})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	scan := imp("scan.json")
	for i, want := range []string{"1", "2", "3"} {
		if got := scan.Strategies[i].Parameters["d"]; got != want {
			t.Errorf("scan result %d: d=%q, want %q (per result, not collapsed)", i, got, want)
		}
	}
	if scan.Parameters != nil {
		t.Errorf("hyperfine parameters became build parameters %v", scan.Parameters)
	}
	failing := imp("failing.json")
	if !failing.Settings.IgnoreFailure {
		t.Error("an import is not marked ignore_failure, so its failed runs leave its statistics")
	}
	perStrategy := map[int]int{}
	for _, tr := range failing.Trials {
		perStrategy[tr.Strategy]++
		if tr.Known(results.UnknownUser) || tr.Known(results.UnknownSys) || tr.Known(results.UnknownRSS) {
			t.Errorf("trial %+v: CPU time or memory marked measured; hyperfine 1.15 exports neither per run", tr)
		}
	}
	for i := range failing.Strategies {
		if perStrategy[i] != 8 {
			t.Errorf("strategy %d has %d trials, want all 8 hyperfine ran, failed ones too", i, perStrategy[i])
		}
	}
	if s := failing.Strategies[0]; s.Failure == "" || s.Reported == nil || s.Reported.UserMeanNS == 0 {
		t.Errorf("always-failing strategy %+v: want its failure and hyperfine's mean CPU times", s)
	}
	names := imp("names.json")
	if got := []string{names.Strategies[0].Name, names.Strategies[0].Label, names.Strategies[1].Name, names.Strategies[1].Label}; !cmp.Equal(got, []string{"fast", "", "nap-two", "nap two"}) {
		t.Errorf("names, labels = %q: a -n name stays the name, kept verbatim as the label when not a safe name", got)
	}
	if names.Strategies[1].Command != nil {
		t.Errorf("command %q: hyperfine's export does not say how it ran a command", names.Strategies[1].Command)
	}
}

func TestFromHyperfine(t *testing.T) {
	modified := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	opts := ImportOptions{Experiment: "imp", File: "/some/where/bench.json", MachineNote: "laptop", Modified: modified}
	file := `{"results": [
	 {"command": "./prog --fast", "mean": 0.2, "stddev": 0.1, "median": 0.2, "user": 0.15, "system": 0.01,
	  "min": 0.1, "max": 0.3, "times": [0.1, 0.3], "exit_codes": [0, null], "memory_usage_byte": [2048, 4097]},
	 {"command": "./prog --fast", "mean": 1, "stddev": null, "median": 1, "user": 0, "system": 0,
	  "min": 1, "max": 1, "times": [1.0000000004], "exit_codes": [0], "parameters": {"n": "10"}}
	]}`
	got, err := FromHyperfine([]byte(file), opts)
	if err != nil {
		t.Fatal(err)
	}
	cpu := results.UnknownUser | results.UnknownSys
	want := &results.Run{
		Format: results.FormatVersion, Experiment: "imp", Started: modified, Finished: modified, Complete: true,
		Machine:  results.Machine{ID: ImportedMachineID("laptop", nil)},
		Settings: results.Settings{Runs: 2, IgnoreFailure: true},
		Imported: &results.Import{Tool: "hyperfine", File: "bench.json", Note: "laptop"},
		Strategies: []results.Strategy{
			// A null exit code is a failure by an unknown signal.
			{Name: "prog-fast", Label: "./prog --fast", Description: "imported from hyperfine",
				Failure:  "ended by a signal hyperfine's export does not name (exit code null)",
				Reported: &results.Reported{UserMeanNS: 150e6, SysMeanNS: 10e6}},
			// The same command twice gets a unique name and the same label.
			{Name: "prog-fast-2", Label: "./prog --fast", Description: "imported from hyperfine",
				Parameters: map[string]string{"n": "10"}, Reported: &results.Reported{}},
		},
		Trials: []results.Trial{
			// Seconds to ns; bytes to KiB, rounded up; CPU times unknown.
			{Strategy: 0, Round: 0, WallNS: 100e6, MaxRSSKiB: 2, Unknown: cpu},
			{Strategy: 0, Round: 1, WallNS: 300e6, MaxRSSKiB: 5, ExitCode: -1, Unknown: cpu | results.UnknownSignal},
			{Strategy: 1, Round: 0, WallNS: 1e9, Unknown: cpu | results.UnknownRSS},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(results.Run{}, "ID", "Warnings"), cmpopts.IgnoreFields(results.Import{}, "SHA256")); diff != "" {
		t.Errorf("FromHyperfine (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got.ID, "20260102T030405Z-") || got.Imported.SHA256 == "" || len(got.Warnings) != 2 {
		t.Errorf("ID %q, sha256 %q, warnings %q: want an ID from the file's time, the file's hash and two warnings (CPU, memory)", got.ID, got.Imported.SHA256, got.Warnings)
	}
	// The imported run, unknown values and all, survives the archive.
	data, err := results.Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	back, err := results.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, back); diff != "" {
		t.Errorf("imported run round trip (-want +got):\n%s", diff)
	}
}

func TestFromHyperfineRejects(t *testing.T) {
	opts := ImportOptions{Experiment: "imp", File: "x.json"}
	one := func(fields string) string { return `{"results": [{"command": "a", ` + fields + `}]}` }
	tests := []struct {
		why, file, want string
		opts            *ImportOptions
	}{
		{"not JSON", "hello", "x.json: not a hyperfine JSON export", nil},
		{"JSON of something else", `{"benchmarks": []}`, `x.json: no "results"`, nil},
		{"null", `null`, "not a hyperfine JSON export", nil},
		{"results not an array", `{"results": 3}`, "x.json: results: want an array", nil},
		{"no results", `{"results": []}`, "results: empty", nil},
		{"an empty result", `{"results": [{}]}`, "x.json: results[0].command: want the command", nil},
		{"no times", one(`"exit_codes": []`), "results[0].times: missing, null or empty", nil},
		{"null times", one(`"times": null`), "results[0].times: missing, null or empty", nil},
		{"no runs", one(`"times": []`), "results[0].times: missing, null or empty", nil},
		{"a null time", one(`"times": [1, null]`), "results[0].times[1]: null", nil},
		{"a string time", one(`"times": [1, "2"]`), `results[0].times[1]: "2" is not a time`, nil},
		{"exit codes that do not match the times", one(`"times": [1, 2], "exit_codes": [0]`), "results[0].exit_codes: 1 exit codes for 2 times", nil},
		{"a negative time", one(`"times": [0.5, -1]`), "results[0].times[1]: -1 is not a time in seconds", nil},
		{"a time beyond int64 nanoseconds", one(`"times": [1e300]`), "results[0].times[0]: 1e+300 is not a time", nil},
		{"a number beyond float64", one(`"times": [1e400]`), "results[0].times[0]: 1e400 is not a time", nil},
		{"user time overflowing", one(`"times": [1], "user": 1e300`), "results[0].user: 1e+300 is not a time", nil},
		{"a negative mean", one(`"times": [1], "mean": -2`), "results[0].mean: -2 is not a time", nil},
		{"negative memory", one(`"times": [1], "memory_usage_byte": [-5]`), "results[0].memory_usage_byte[0]: -5 is not a byte count", nil},
		{"fractional exit code", one(`"times": [1], "exit_codes": [1.5]`), "results[0].exit_codes[0]: 1.5 is not an exit code", nil},
		{"parameters of numbers", one(`"times": [1], "parameters": {"n": 1}`), "results[0].parameters: want an object of strings", nil},
		{"trailing garbage", one(`"times": [1]`) + ` {"more": 1}`, "x.json: data after the JSON document", nil},
		{"an experiment name that leaves the archive", one(`"times": [1]`), "not a safe archive name",
			&ImportOptions{Experiment: "../up", File: "x.json"}},
		{"a file too large to be an export", strings.Repeat(" ", MaxImportSize+1), "larger than", nil},
	}
	for _, tt := range tests {
		o := opts
		if tt.opts != nil {
			o = *tt.opts
		}
		_, err := FromHyperfine([]byte(tt.file), o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.why, err, tt.want)
		}
	}
}

// Fields this benchlab does not know are reported as not kept, never
// dropped silently; trailing white space is not garbage.
func TestFromHyperfineNotKept(t *testing.T) {
	r, err := FromHyperfine([]byte(`{"results": [{"command": "a", "times": [1], "exit_codes": [0], "new_field": 1}], "meta": {}}`+"\n\n"), ImportOptions{Experiment: "imp", File: "x.json"})
	if err != nil {
		t.Fatal(err)
	}
	if w := r.Warnings[len(r.Warnings)-1]; w != "imported from hyperfine: fields not kept: meta, results[0].new_field" {
		t.Errorf("last warning %q", w)
	}
}

// A million results with one command are named in linear time (the
// renaming was quadratic).
func TestUniqueNamesLinear(t *testing.T) {
	n := newNamer()
	for i := range 200000 {
		n.unique("true", i)
	}
	if got := n.unique("true", 0); got != "true-200001" {
		t.Errorf("name %q, want true-200001", got)
	}
}

func TestStrategyName(t *testing.T) {
	tests := []struct{ why, command, want string }{
		{"words and paths become dashed lower case", "./target/release/Async-Enum --iters 10", "target-release-async-enum-iters-10"},
		{"shell metacharacters and path escapes vanish", "../../x; rm -rf / | cat", "x-rm-rf-cat"},
		{"non-ASCII letters are dropped, not kept as lookalikes", "café", "caf"},
		{"nothing usable gives a numbered name", "$$ ;;", "command-4"},
		{"long commands are cut to 40 bytes", strings.Repeat("abc ", 20), "abc-abc-abc-abc-abc-abc-abc-abc-abc-abc"},
	}
	for _, tt := range tests {
		got := StrategyName(tt.command, 3)
		if got != tt.want {
			t.Errorf("%s: StrategyName(%q) = %q, want %q", tt.why, tt.command, got, tt.want)
		}
		if err := results.CheckName("strategy", got); err != nil {
			t.Errorf("%s: %v", tt.why, err)
		}
	}
}

// TestBenchfmtReadBack reads WriteBenchfmt's output with x/perf's own
// reader: one unit per metric, every counted trial, nothing unmeasured.
func TestBenchfmtReadBack(t *testing.T) {
	r := sampleRun()
	r.Settings.IgnoreFailure = true
	imported, err := FromHyperfine(readHyperfine(t, "failing.json"), ImportOptions{Experiment: "imp", File: "failing.json"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		why   string
		run   *results.Run
		lines int
		units []string
	}{
		// a's 2 trials and b's exit-1 trial count under --ignore-failure;
		// the timed-out one never counts, warm-ups are left out.
		{"a measured run", r, 3, []string{UnitWall, UnitUser, UnitSys, UnitRSS}},
		// 4 commands × 8 runs, all counted (hyperfine -i); CPU and memory
		// unknown per run, so only the wall time is written.
		{"an import", imported, 32, []string{UnitWall}},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := WriteBenchfmt(&b, tt.run); err != nil {
			t.Fatal(err)
		}
		rd := benchfmt.NewReader(&b, "export.txt")
		lines := 0
		for rd.Scan() {
			switch rec := rd.Result().(type) {
			case *benchfmt.SyntaxError:
				t.Errorf("%s: %v", tt.why, rec)
			case *benchfmt.Result:
				lines++
				var units []string
				for _, v := range rec.Values {
					units = append(units, v.Unit)
				}
				if !cmp.Equal(units, tt.units) {
					t.Errorf("%s: %s has units %q, want %q", tt.why, rec.Name, units, tt.units)
				}
			}
		}
		if lines != tt.lines {
			t.Errorf("%s: %d results, want %d", tt.why, lines, tt.lines)
		}
	}
}
