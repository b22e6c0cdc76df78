package reports

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"benchlab/results"
)

// threeRun times a, b and c at 19/20/21, 9/10/11 and 39/40/41 ms: means
// 20, 10 and 40 ms, each σ 1 ms, so that every ratio is worked by hand.
func threeRun(baseline string) *results.Run {
	ms := map[string][]int64{"a": {19, 20, 21}, "b": {9, 10, 11}, "c": {39, 40, 41}}
	r := &results.Run{
		Format: results.FormatVersion, ID: "20260102T030405Z-0000abcd", Experiment: "three",
		Started: started, Finished: started.Add(time.Second), Complete: true,
		Settings:   results.Settings{Runs: 3, Baseline: baseline},
		Strategies: []results.Strategy{{Name: "a"}, {Name: "b"}, {Name: "c"}},
	}
	for round := range 3 {
		for i, s := range []string{"a", "b", "c"} {
			r.Trials = append(r.Trials, results.Trial{Strategy: i, Round: round, WallNS: ms[s][round] * 1e6, UserNS: 1e6, SysNS: 1e5})
		}
	}
	return r
}

// comparison is the part of Terminal's output from the comparison on.
func comparison(out string) string {
	for _, head := range []string{"\nSummary\n", "\nRelative speed comparison\n"} {
		if i := strings.Index(out, head); i >= 0 {
			return out[i+1:]
		}
	}
	return ""
}

// TestTerminalComparison: hyperfine's summary, fastest first and every
// factor at least 1, or the run's order under --sort command. The ratio
// σ is r·√((σa/μa)² + (σb/μb)²): a/b = 2·√(0.05² + 0.1²) = 0.22,
// c/b = 4·√(0.025² + 0.1²) = 0.41, and read the other way round (c the
// reference) b is 4 ± 0.41 and a 2 ± 2·√(0.05² + 0.025²) = 0.11 times
// faster.
func TestTerminalComparison(t *testing.T) {
	tests := []struct {
		why      string
		baseline string
		opts     TerminalOptions
		want     string
	}{
		{"no baseline: relative to the fastest, sorted by mean time", "", TerminalOptions{}, `Summary
  'b' ran
    2.00 ± 0.22 times faster than 'a'
    4.00 ± 0.41 times faster than 'c'
`},
		{"mean-time is auto", "", TerminalOptions{Sort: "mean-time"}, `Summary
  'b' ran
    2.00 ± 0.22 times faster than 'a'
    4.00 ± 0.41 times faster than 'c'
`},
		{"a slower reference (--reference) ran slower than the rest, the fastest first", "c", TerminalOptions{}, `Summary
  'c' ran
    4.00 ± 0.41 times slower than 'b'
    2.00 ± 0.11 times slower than 'a'
`},
		{"command order: hyperfine's relative speed column, in the run's order", "", TerminalOptions{Sort: "command"}, `Relative speed comparison
        2.00 ±  0.22  a
        1.00          b
        4.00 ±  0.41  c
`},
		{"labels name the strategies as the user typed them", "", TerminalOptions{Labels: []string{"sleep 0.02", "", "x y"}}, `Summary
  'b' ran
    2.00 ± 0.22 times faster than 'sleep 0.02'
    4.00 ± 0.41 times faster than 'x y'
`},
	}
	for _, tt := range tests {
		got := comparison(Terminal(threeRun(tt.baseline), tt.opts))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

// TestTerminalUnitsAndColor: --time-unit holds every figure to one unit,
// and colors are ANSI escapes around the same text.
func TestTerminalUnitsAndColor(t *testing.T) {
	run := threeRun("")
	for unit, want := range map[string]string{
		"":            "  Time (mean ± σ):      20.0 ms ±   1.0 ms    [User: 1.0 ms, System: 0.1 ms]\n  Range (min … max):    19.0 ms …  21.0 ms    3 runs\n",
		"second":      "  Time (mean ± σ):      0.020 s ±  0.001 s    [User: 0.001 s, System: 0.000 s]\n  Range (min … max):    0.019 s …  0.021 s    3 runs\n",
		"microsecond": "  Time (mean ± σ):     20000.0 µs ± 1000.0 µs    [User: 1000.0 µs, System: 100.0 µs]\n  Range (min … max):   19000.0 µs … 21000.0 µs    3 runs\n",
	} {
		out := Terminal(run, TerminalOptions{Unit: unit})
		if !strings.Contains(out, "Benchmark 1: a\n"+want) {
			t.Errorf("unit %q: want\n%s\nin\n%s", unit, want, out)
		}
	}
	plain := Terminal(run, TerminalOptions{})
	colored := Terminal(run, TerminalOptions{Color: true})
	if strings.Contains(plain, "\033[") || !strings.Contains(colored, "\033[1m") {
		t.Errorf("color: plain output has escapes or colored has none:\n%q", colored)
	}
	if stripped := ansiRE.ReplaceAllString(colored, ""); stripped != plain {
		t.Errorf("colored output without its escapes differs from the plain:\n%s", cmp.Diff(plain, stripped))
	}
}

// ansiRE matches an ANSI color escape.
var ansiRE = regexp.MustCompile("\033\\[[0-9;]*m")

// TestTerminalGolden renders each fixed run of the report tests as the
// terminal shows it: testdata/<case>.terminal.golden.
func TestTerminalGolden(t *testing.T) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, filepath.Join("testdata", tt.name+".terminal.golden"), []byte(Terminal(tt.run(t), TerminalOptions{})))
		})
	}
}
