package results

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestExportGolden(t *testing.T) {
	r := sampleRun("20261125T000000Z-00000001", sampleStart)
	// Names that must not break either format: a comma and a quote for
	// CSV, a space and a final "-<digits>" for benchfmt.
	r.Strategies[0].Name = `a, "quoted" one`
	r.Strategies[1].Name = "b-2"
	var csvOut, bench bytes.Buffer
	if err := WriteCSV(&csvOut, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteBenchfmt(&bench, r); err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "sample.csv", csvOut.Bytes())
	goldenFile(t, "sample.benchfmt", bench.Bytes())
}

// TestBenchfmtSyntax checks WriteBenchfmt's output against the rules of
// golang.org/design/14313-benchmark-format: a configuration key starts
// lower-case and holds no space or upper-case letter; a result line is a
// name starting "Benchmark" plus an upper-case letter, without spaces,
// then an iteration count and value-unit pairs.
func TestBenchfmtSyntax(t *testing.T) {
	r := SyntheticRun(3, 3, 4, sampleStart)
	r.Strategies[1].Name = "has space\tand tab"
	r.Machine.OS = "multi\nline"
	var b bytes.Buffer
	if err := WriteBenchfmt(&b, r); err != nil {
		t.Fatal(err)
	}
	results := 0
	for line := range strings.SplitSeq(strings.TrimSpace(b.String()), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue // blank and # lines are ignored by benchfmt readers
		}
		if strings.HasPrefix(line, "Benchmark") {
			f := strings.Fields(line)
			if len(f) != 10 || f[1] != "1" || f[3] != "ns/op" || !(f[0][9] >= 'A' && f[0][9] <= 'Z') {
				t.Errorf("bad result line %q", line)
			}
			results++
			continue
		}
		key, value, ok := strings.Cut(line, ": ")
		if !ok || key == "" || !(key[0] >= 'a' && key[0] <= 'z') || strings.ContainsAny(key, " \t") || strings.ToLower(key) != key || strings.Contains(value, "\n") {
			t.Errorf("bad configuration line %q", line)
		}
	}
	// 3 strategies × 4 counted rounds; the warm-up round is left out.
	if results != 12 {
		t.Errorf("%d result lines, want 12", results)
	}
}

func TestFromHyperfine(t *testing.T) {
	modified := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	opts := ImportOptions{Experiment: "imp", File: "/some/where/bench.json", MachineNote: "laptop", Modified: modified}
	file := `{"results": [
	 {"command": "./prog --fast", "mean": 0.2, "stddev": 0.1, "median": 0.2, "user": 0.15, "system": 0.01,
	  "min": 0.1, "max": 0.3, "times": [0.1, 0.3], "exit_codes": [0, null], "memory_usage_byte": [2048, 4096]},
	 {"command": "./prog --fast", "mean": 1, "stddev": null, "median": 1, "user": 0, "system": 0,
	  "min": 1, "max": 1, "times": [1.0000000004], "exit_codes": [0], "parameters": {"n": "10"}}
	]}`
	got, err := FromHyperfine([]byte(file), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := &Run{
		Format: FormatVersion, Experiment: "imp", Started: modified, Finished: modified, Complete: true,
		Machine:    Machine{ID: ImportedMachineID("laptop", nil)},
		Settings:   Settings{Runs: 2},
		Parameters: map[string]string{"n": "10"},
		Imported:   &Import{Tool: "hyperfine", File: "bench.json", Note: "laptop"},
		Strategies: []Strategy{
			// A signal-ended run (null exit code) is a failure.
			{Name: "prog-fast", Command: []string{"sh", "-c", "./prog --fast"}, Description: "imported from hyperfine, which ran it through its shell", Failure: "exit status -1 (in hyperfine's export)"},
			// The same command twice gets a unique name.
			{Name: "prog-fast-2", Command: []string{"sh", "-c", "./prog --fast"}, Description: "imported from hyperfine, which ran it through its shell"},
		},
		Trials: []Trial{
			// Seconds to ns; the mean user/system on every trial; bytes to KiB.
			{Strategy: 0, Round: 0, WallNS: 100e6, UserNS: 150e6, SysNS: 10e6, MaxRSSKiB: 2},
			{Strategy: 0, Round: 1, WallNS: 300e6, UserNS: 150e6, SysNS: 10e6, MaxRSSKiB: 4, ExitCode: -1},
			{Strategy: 1, Round: 0, WallNS: 1e9},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Run{}, "ID", "Warnings"), cmpopts.IgnoreFields(Import{}, "SHA256")); diff != "" {
		t.Errorf("FromHyperfine (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got.ID, "20260102T030405Z-") || got.Imported.SHA256 == "" || len(got.Warnings) != 1 {
		t.Errorf("ID %q, sha256 %q, warnings %q: want an ID from the file's time, the file's hash and a warning", got.ID, got.Imported.SHA256, got.Warnings)
	}
	// The imported run survives the archive like any other.
	data, err := Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, back); diff != "" {
		t.Errorf("imported run round trip (-want +got):\n%s", diff)
	}
}

func TestFromHyperfineRejects(t *testing.T) {
	opts := ImportOptions{Experiment: "imp", File: "x.json"}
	tests := []struct {
		why, file, want string
		opts            *ImportOptions
	}{
		{"not JSON", "hello", "not a hyperfine JSON export", nil},
		{"JSON of something else", `{"benchmarks": []}`, `no "results"`, nil},
		{"exit codes that do not match the times", `{"results": [{"command": "a", "times": [1, 2], "exit_codes": [0]}]}`, "1 exit_codes for 2 times", nil},
		{"a negative time", `{"results": [{"command": "a", "times": [-1], "exit_codes": [0]}]}`, "not a time in seconds", nil},
		{"an experiment name that leaves the archive", `{"results": [{"command": "a", "times": [1]}]}`, "not a safe archive name",
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
		if err := CheckName("strategy", got); err != nil {
			t.Errorf("%s: %v", tt.why, err)
		}
	}
}
