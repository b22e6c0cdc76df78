package harness

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"benchlab/experiments"
	"benchlab/harness/spawn"
	"benchlab/results"
)

// TestRunRoundsBlocks: with Block set, a primed counted trial starts a
// block of consecutive trials of its strategy, no longer than its runs
// still to go; warm-ups, long strategies and those with a prepare command
// run one trial per round, and a strategy done early sits out the rounds
// left.
func TestRunRoundsBlocks(t *testing.T) {
	strategies := []experiments.Strategy{
		{Name: "short"},                        // 1 ms: primed, so in blocks
		{Name: "long"},                         // 100 ms: never primed
		{Name: "prep", Prepare: []string{"x"}}, // never primed
	}
	f := &fakeRunner{wallNS: []int64{1e6, 100e6, 1e6}, failAt: []int{-1, -1, -1}, failure: make([]string, 3), rounds: make([]int, 3)}
	out := runRounds(context.Background(), strategies, Options{Warmup: 1, Runs: 5, Block: 3, Prime: 50 * time.Millisecond}, f)
	want := []slot{
		{0, 0, true}, {1, 0, true}, {2, 0, true},
		{1, 1, false}, {2, 1, false}, {0, 1, false}, {0, 1, false}, {0, 1, false}, // short's block of 3
		{2, 2, false}, {0, 2, false}, {0, 2, false}, {1, 2, false}, // its last 2
		{1, 3, false}, {2, 3, false}, // short is done
		{1, 4, false}, {2, 4, false},
		{2, 5, false}, {1, 5, false},
	}
	if diff := cmp.Diff(want, slots(out.Trials)); diff != "" {
		t.Errorf("trials (-want +got):\n%s", diff)
	}
	wantOrder := results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: 50e6, Primed: 2 * spawn.PrimeRuns, PrimeOwn: true, PrimeRuns: spawn.PrimeRuns, Block: 3}
	if diff := cmp.Diff(wantOrder, out.Order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"runs", "runs", "runs"}, out.Stops); diff != "" || !out.Complete {
		t.Errorf("stops (-want +got), complete %v:\n%s", out.Complete, diff)
	}
	// Each block was primed once, right before its first trial.
	if got := strings.Join(f.events, ","); strings.Count(got, "prime") != 2 || !strings.Contains(got, "prime 0,trial 0,trial 0,trial 0,prepare 2") ||
		!strings.Contains(got, "prime 0,trial 0,trial 0,prepare 1") {
		t.Errorf("events %s: want short's blocks primed once each", got)
	}
}

// TestRunRoundsBlockEndsAtFailure: a failed trial ends its block, and
// with it the strategy; the trials before it in the block are kept.
func TestRunRoundsBlockEndsAtFailure(t *testing.T) {
	strategies := []experiments.Strategy{{Name: "short"}, {Name: "long"}}
	// short's trials are numbered from 0, its warm-up included: the
	// third fails, the second of its first block of 4.
	f := &fakeRunner{wallNS: []int64{1e6, 100e6}, failAt: []int{2, -1}, failure: []string{"exit status 3", ""}, rounds: make([]int, 2)}
	out := runRounds(context.Background(), strategies, Options{Warmup: 1, Runs: 6, Block: 4, Prime: 50 * time.Millisecond}, f)
	n := 0
	for _, tr := range out.Trials {
		if tr.Strategy == 0 {
			n++
		}
	}
	if n != 3 || out.Stops[0] != "failed" || out.Strategies[0].Failure != "exit status 3" || out.Stops[1] != "runs" || f.rounds[0] != 3 {
		t.Errorf("short ran %d trials (%d recorded), stop %q (%q); long's stop %q; want 3 recorded, failed, and long's runs",
			f.rounds[0], n, out.Stops[0], out.Strategies[0].Failure, out.Stops[1])
	}
}

// TestRunRoundsBlocksAuto: under runs = "auto" a block is no longer than
// the runs still planned (at most max_runs), and the stop is judged on
// all of the block's trials.
func TestRunRoundsBlocksAuto(t *testing.T) {
	for _, tc := range []struct {
		why      string
		samples  []int64
		auto     Auto
		block    int
		counted  int
		stop     string
		maxBlock int
	}{
		// No spread: planned is max_runs before two runs are in, and
		// the first block (8) settles it.
		{"first block settles it", []int64{1e6}, Auto{MinRuns: 5, MaxRuns: 20, MaxTime: time.Hour, Precision: 0.01}, 8, 8, "precision", 8},
		{"max_runs caps the block", []int64{1e6}, Auto{MinRuns: 2, MaxRuns: 6, MaxTime: time.Hour, Precision: 0.01}, 8, 6, "max_runs", 6},
		// σ/μ 40%: ±1% is out of reach; max_runs ends it, in blocks.
		{"blocks up to max_runs", []int64{0.6e6, 1.4e6}, Auto{MinRuns: 2, MaxRuns: 30, MaxTime: time.Hour, Precision: 0.01}, 8, 30, "max_runs", 8},
	} {
		f := &fakeRunner{samples: [][]int64{tc.samples}, failAt: []int{-1}, failure: make([]string, 1), rounds: make([]int, 1)}
		a := tc.auto
		out := runRounds(context.Background(), []experiments.Strategy{{Name: "short"}}, Options{Warmup: 1, Auto: &a, Block: tc.block, Prime: 50 * time.Millisecond}, f)
		perRound := map[int]int{}
		counted := 0
		for _, tr := range out.Trials {
			if !tr.Warmup {
				counted++
				perRound[tr.Round]++
			}
		}
		largest := 0
		for _, n := range perRound {
			largest = max(largest, n)
		}
		if counted != tc.counted || out.Stops[0] != tc.stop || largest != tc.maxBlock {
			t.Errorf("%s: %d counted, stop %q, largest block %d; want %d, %q, %d", tc.why, counted, out.Stops[0], largest, tc.counted, tc.stop, tc.maxBlock)
		}
	}
}

// TestRunBlocksRealProcesses: through the spawner and from this process,
// a block's trials are real runs of the command, each recorded, after
// its priming runs (each run, measured or not, appends a line to a log).
func TestRunBlocksRealProcesses(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		e := experiment(t, []string{"sh", "-c", "echo a >> log"}, []string{"sh", "-c", "echo b >> log"})
		out, err := Run(context.Background(), e, Options{Warmup: 1, Runs: 6, Block: 4, Timeout: 10 * time.Second, InProcess: inProcess, Prime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(e.Dir, "log"))
		if err != nil {
			t.Fatal(err)
		}
		// Per strategy: a warm-up, a primed block of 4, a primed block
		// of 2.
		perRound := map[slot]int{}
		for _, tr := range out.Trials {
			perRound[slot{tr.Strategy, tr.Round, tr.Warmup}]++
		}
		want := map[slot]int{{0, 0, true}: 1, {1, 0, true}: 1, {0, 1, false}: 4, {1, 1, false}: 4, {0, 2, false}: 2, {1, 2, false}: 2}
		lines := strings.Count(string(b), "\n")
		if diff := cmp.Diff(want, perRound); diff != "" || out.Order.Primed != 4*spawn.PrimeRuns || lines != len(out.Trials)+out.Order.Primed || out.Order.Block != 4 {
			t.Errorf("InProcess=%v: %d runs logged for %d trials and %d primed (want 4 blocks primed), order %+v; trials per round (-want +got):\n%s",
				inProcess, lines, len(out.Trials), out.Order.Primed, out.Order, diff)
		}
		for _, tr := range out.Trials {
			if !tr.OK() || tr.WallNS <= 0 {
				t.Errorf("InProcess=%v: trial %+v, want a clean run", inProcess, tr)
			}
		}
	}
}

// TestRunRejectsBadBlock: a block outside 1 to spawn.MaxBlock is an error
// before any trial, and the experiment file's limit is the launcher's.
func TestRunRejectsBadBlock(t *testing.T) {
	e := experiment(t, []string{"true"})
	for _, b := range []int{-1, spawn.MaxBlock + 1} {
		if _, err := Run(context.Background(), e, Options{Runs: 1, Block: b}); err == nil || !strings.Contains(err.Error(), "block") {
			t.Errorf("Block %d: error %v, want one about the block", b, err)
		}
	}
	if experiments.MaxBlock != spawn.MaxBlock {
		t.Errorf("experiments.MaxBlock = %d, spawn.MaxBlock = %d: want them equal", experiments.MaxBlock, spawn.MaxBlock)
	}
}
