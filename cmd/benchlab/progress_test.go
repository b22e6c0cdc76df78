package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"benchlab/harness"
)

// TestProgressDrawing draws the events of a run of a (100ms a trial) and b
// (2s, failing in its first counted round) with 1 warm-up and 2 runs.
func TestProgressDrawing(t *testing.T) {
	const ms = int64(time.Millisecond)
	trial := func(i, round int, wallNS int64, n int, meanNS float64, done, planned int, left time.Duration) harness.Event {
		return harness.Event{Kind: harness.TrialFinished, Strategy: i, Name: []string{"a", "b"}[i], Round: round,
			Warmup: round < 1, Warmups: 1, Runs: 2, WallNS: wallNS, N: n, MeanNS: meanNS,
			Done: done, Planned: planned, Left: left}
	}
	events := []harness.Event{
		{Kind: harness.TrialStarted, Name: "a", Warmup: true, Warmups: 1, Runs: 2},
		trial(0, 0, 100*ms, 0, 0, 1, 6, 500*time.Millisecond),
		trial(1, 0, 2000*ms, 0, 0, 2, 6, 4200*time.Millisecond),
		{Kind: harness.TrialFailed, Strategy: 1, Name: "b", Round: 1, Warmups: 1, Runs: 2,
			Failure: "exit status 3: boom\nline 2", Stops: true},
		trial(0, 1, 100*ms, 1, 1e8, 4, 5, 100*time.Millisecond),
		trial(0, 2, 100*ms, 2, 1e8, 5, 5, 0),
		{Kind: harness.RunFinished, Warmups: 1, Runs: 2, Trials: 5, MeasuredNS: 4300 * ms, Complete: true},
	}
	tests := []struct {
		why      string
		terminal bool
		width    int
		want     string
	}{{
		why: "elsewhere than a terminal, one plain line per trial",
		want: "warm-up 1/1  a  100.0 ms  (est. <1s left)\n" +
			"warm-up 1/1  b  2.000 s  (est. 4s left)\n" +
			"round 1/2  b  failed, not run again: exit status 3: boom\n    line 2\n" +
			"round 1/2  a  100.0 ms  (est. <1s left)\n" +
			"round 2/2  a  100.0 ms\n" +
			"done: 5 trials, 4s measured\n",
	}, {
		why:      "a terminal redraws one line; failures and the summary stay",
		terminal: true,
		want: "\r\033[Kwarm-up 1/1  [████░░░░░░░░░░░░░░░░░░░░] 1/6  a  100.0 ms  ETA <1s" +
			"\r\033[Kwarm-up 1/1  [████████░░░░░░░░░░░░░░░░] 2/6  b  2.000 s  ETA 4s" +
			"\r\033[Kround 1/2  b  failed, not run again: exit status 3: boom\n    line 2\n" +
			"\r\033[Kround 1/2  [███████████████████░░░░░] 4/5  a  100.0 ms  ETA <1s" +
			// a's second counted run gives the running estimate mean ± σ.
			"\r\033[Kround 2/2  [████████████████████████] 5/5  a  100.0 ms ± 0.0 µs" +
			"\r\033[Kdone: 5 trials, 4s measured\n",
	}, {
		why:      "a narrow terminal gets the redrawn line cut one cell short of its width, so it never wraps",
		terminal: true,
		width:    30,
		want: "\r\033[Kwarm-up 1/1  [████░░░░░░░░░░░" + // 29 cells
			"\r\033[Kwarm-up 1/1  [████████░░░░░░░" +
			"\r\033[Kround 1/2  b  failed, not run again: exit status 3: boom\n    line 2\n" +
			"\r\033[Kround 1/2  [█████████████████" +
			"\r\033[Kround 2/2  [█████████████████" +
			"\r\033[Kdone: 5 trials, 4s measured\n",
	}}
	for _, tt := range tests {
		var b strings.Builder
		p := &progress{w: &b, terminal: tt.terminal, width: func() int { return tt.width }}
		for _, e := range events {
			p.event(e)
		}
		if diff := cmp.Diff(tt.want, b.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestProgressLabels(t *testing.T) {
	tests := []struct {
		why  string
		e    harness.Event
		want string
	}{
		{"warm-ups count their own", harness.Event{Round: 1, Warmup: true, Warmups: 2, Runs: 5}, "warm-up 2/2"},
		{"counted rounds start after the warm-ups", harness.Event{Round: 2, Warmups: 2, Runs: 5}, "round 1/5"},
		{"under auto the total is not known", harness.Event{Round: 7, Warmups: 2, Runs: 5, Auto: true}, "round 6"},
	}
	for _, tt := range tests {
		if got := roundLabel(tt.e); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.why, got, tt.want)
		}
	}
}

// A pipe or file is not a terminal: its progress is plain lines.
func TestProgressNotTerminal(t *testing.T) {
	if p := newProgress(devNull(t)); p.terminal {
		t.Error("/dev/null taken for a terminal")
	}
	if p := newProgress(&strings.Builder{}); p.terminal || p.width() != 0 {
		t.Error("a buffer taken for a terminal")
	}
}

func TestRedraws(t *testing.T) {
	tests := []struct {
		why      string
		terminal bool
		term     string
		want     bool
	}{
		{"a terminal", true, "xterm-256color", true},
		{"a terminal with TERM unset", true, "", true},
		{"TERM=dumb cannot move the cursor", true, "dumb", false},
		{"not a terminal", false, "xterm", false},
	}
	for _, tt := range tests {
		if got := redraws(tt.terminal, tt.term); got != tt.want {
			t.Errorf("%s: redraws = %v, want %v", tt.why, got, tt.want)
		}
	}
}
