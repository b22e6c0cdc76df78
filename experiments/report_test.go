package experiments

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const reportBase = `name = "demo"
[build]
command = ["./build.sh"]
[build.parameters]
iterations = ["0", "10", "20"]
toolchain = ["path", "debian"]
[build.defaults]
iterations = "20"
toolchain = "path"
[trials]
runs = 3
[[strategy]]
name = "a"
command = ["./a"]
`

func TestParseReport(t *testing.T) {
	e, err := Parse("experiment.toml", []byte(reportBase+"[report]\nsweep = \"iterations\"\nsweep_runs = 2\ncount = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Report{Sweep: "iterations", SweepRuns: 2, Count: true}
	if diff := cmp.Diff(want, e.Report); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	// Defaults: every declared value, and callgrind's small counts.
	if diff := cmp.Diff([]string{"0", "10", "20"}, e.SweepValuesOrDefault()); diff != "" {
		t.Errorf("sweep values (-want +got):\n%s", diff)
	}
	if p, v := e.Report.CountParamOrDefault(), e.Report.CountValuesOrDefault(); p != "iterations" || !cmp.Equal(v, DefaultCountValues) {
		t.Errorf("count %s at %v", p, v)
	}
	e, err = Parse("experiment.toml", []byte(reportBase+"[report]\nsweep = \"iterations\"\nsweep_values = [\"0\", \"10\"]\ncount = true\ncount_values = [\"5\", \"50\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(e.SweepValuesOrDefault(), []string{"0", "10"}) || !cmp.Equal(e.Report.CountValuesOrDefault(), []string{"5", "50"}) {
		t.Errorf("declared values: sweep %v, count %v", e.SweepValuesOrDefault(), e.Report.CountValuesOrDefault())
	}
}

func TestParseReportErrors(t *testing.T) {
	tests := []struct {
		why, report, want string
	}{
		{"an unknown key names its line", "[report]\nsweep = \"iterations\"\nsweeps = 1\n", "experiment.toml:17: report.sweeps: unknown key"},
		{"a sweep of an undeclared parameter", "[report]\nsweep = \"n\"\n", `experiment.toml:16: report.sweep: "n" names no build parameter`},
		{"a sweep of one value", "[report]\nsweep = \"iterations\"\nsweep_values = [\"0\"]\n", "report.sweep_values: a sweep needs at least two values"},
		{"a value twice", "[report]\nsweep = \"iterations\"\nsweep_values = [\"0\", \"0\"]\n", `report.sweep_values: value "0" is empty or listed twice`},
		{"values without a sweep", "[report]\nsweep_values = [\"0\", \"1\"]\n", "experiment.toml:16: report.sweep_values: needs report.sweep"},
		{"negative runs", "[report]\nsweep = \"iterations\"\nsweep_runs = -1\n", "report.sweep_runs: must not be negative"},
		{"count values without count", "[report]\ncount_values = [\"1\", \"2\"]\n", "report.count_values: needs count = true"},
		{"counts of an undeclared parameter", "[report]\ncount = true\ncount_param = \"n\"\n", `report.count_param: "n" names no build parameter`},
		{"count values in the wrong order", "[report]\ncount = true\ncount_values = [\"2\", \"1\"]\n", "report.count_values: want two whole numbers, smaller first"},
		{"count values that are not numbers", "[report]\ncount = true\ncount_values = [\"a\", \"1\"]\n", `report.count_values: "a" is not a whole number`},
		{"count as a string", "[report]\ncount = \"yes\"\n", "report.count"},
	}
	for _, tt := range tests {
		_, err := Parse("experiment.toml", []byte(reportBase+tt.report))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.why, err, tt.want)
		}
	}
	// Without build parameters, counts (of iterations by default) name none.
	_, err := Parse("experiment.toml", []byte("name = \"x\"\n[trials]\nruns = 1\n[[strategy]]\nname = \"a\"\ncommand = [\"a\"]\n[report]\ncount = true\n"))
	if err == nil || !strings.Contains(err.Error(), `report.count_param: "iterations" names no build parameter; declare it in [build.parameters] or name another with count_param (it has none)`) {
		t.Errorf("counts without parameters: %v", err)
	}
}

// TestMarshalReport: a [report] that leaves keys at their defaults writes
// none of them, so that Parse reads it back unchanged (count_param without
// count = true would be refused).
func TestMarshalReport(t *testing.T) {
	e, err := Parse("experiment.toml", []byte(reportBase+"[report]\nsweep = \"iterations\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("experiment.toml", raw)
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if diff := cmp.Diff(e.Report, back.Report); diff != "" {
		t.Errorf("report round trip (-want +got):\n%s", diff)
	}
}
