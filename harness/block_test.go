package harness

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"benchlab/experiments"
	"benchlab/harness/spawn"
	"benchlab/results"
)

// exactly is runs = "auto" bounded to n runs whatever the spread.
func exactly(n int) *Auto {
	return &Auto{MinRuns: n, MaxRuns: n, MaxTime: time.Hour, Precision: 0.01}
}

// TestRunRoundsBlocks: with Block set, a primed counted trial starts a
// block of consecutive trials of its strategy, no longer than its runs
// still planned; warm-ups, long strategies and those with a prepare
// command run one trial per round, and a strategy done early ends (its
// cleanup runs) while the others go on.
func TestRunRoundsBlocks(t *testing.T) {
	strategies := []experiments.Strategy{
		{Name: "short"},                        // 1 ms: primed, so in blocks
		{Name: "long"},                         // 100 ms: never primed
		{Name: "prep", Prepare: []string{"x"}}, // never primed
	}
	f := &fakeRunner{wallNS: []int64{1e6, 100e6, 1e6}, failAt: []int{-1, -1, -1}, failure: make([]string, 3), rounds: make([]int, 3)}
	out := runRounds(context.Background(), strategies, Options{Warmup: 1, Auto: exactly(5), Block: 3, Prime: 50 * time.Millisecond}, f)
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
	if diff := cmp.Diff([]string{"max_runs", "max_runs", "max_runs"}, out.Stops); diff != "" || !out.Complete {
		t.Errorf("stops (-want +got), complete %v:\n%s", out.Complete, diff)
	}
	// Each block was primed once, right before its first trial; short's
	// cleanup follows its last block.
	if got := strings.Join(f.events, ","); strings.Count(got, "prime") != 2 || !strings.Contains(got, "prime 0,trial 0,trial 0,trial 0,prepare 2") ||
		!strings.Contains(got, "prime 0,trial 0,trial 0,cleanup 0,prepare 1") {
		t.Errorf("events %s: want short's blocks primed once each, and its cleanup right after the last", got)
	}
}

// TestRunRoundsBlockEndsAtFailure: a failed trial ends its block, and
// with it the strategy; the trials before it in the block are kept.
func TestRunRoundsBlockEndsAtFailure(t *testing.T) {
	strategies := []experiments.Strategy{{Name: "short"}, {Name: "long"}}
	// short's trials are numbered from 0, its warm-up included: the
	// third fails, the second of its first block of 4.
	f := &fakeRunner{wallNS: []int64{1e6, 100e6}, failAt: []int{2, -1}, failure: []string{"exit status 3", ""}, rounds: make([]int, 2)}
	out := runRounds(context.Background(), strategies, Options{Warmup: 1, Auto: exactly(6), Block: 4, Prime: 50 * time.Millisecond}, f)
	n := 0
	for _, tr := range out.Trials {
		if tr.Strategy == 0 {
			n++
		}
	}
	if n != 3 || out.Stops[0] != "failed" || out.Strategies[0].Failure != "exit status 3" || out.Stops[1] != "max_runs" || f.rounds[0] != 3 {
		t.Errorf("short ran %d trials (%d recorded), stop %q (%q); long's stop %q; want 3 recorded, failed, and long's max_runs",
			f.rounds[0], n, out.Stops[0], out.Strategies[0].Failure, out.Stops[1])
	}
}

// TestRunRoundsBlocksAuto: under runs = "auto" a block is no longer than
// the runs still planned (at most max_runs), and the stop is judged on
// all of the block's trials.
func TestRunRoundsBlocksAuto(t *testing.T) {
	for _, tc := range []struct {
		why     string
		samples []int64
		auto    Auto
		block   int
		blocks  []int // counted trials per round, in order
		stop    string
	}{
		// No spread: planned is max_runs before two runs are in, and
		// the first block (8) settles it.
		{"first block settles it", []int64{1e6}, Auto{MinRuns: 5, MaxRuns: 20, MaxTime: time.Hour, Precision: 0.01}, 8, []int{8}, "precision"},
		{"max_runs caps the block", []int64{1e6}, Auto{MinRuns: 2, MaxRuns: 6, MaxTime: time.Hour, Precision: 0.01}, 8, []int{6}, "max_runs"},
		// σ/μ 40%: ±1% is out of reach; max_runs ends it, the last
		// block cut to the runs left.
		{"blocks up to max_runs", []int64{0.6e6, 1.4e6}, Auto{MinRuns: 2, MaxRuns: 30, MaxTime: time.Hour, Precision: 0.01}, 8, []int{8, 8, 8, 6}, "max_runs"},
		// σ/μ 10% (0.9 and 1.1 ms alternating): after the first block
		// the spread says about 600 runs; max_time (19.5 ms of counted
		// runs, at 1 ms each) caps the plan at 20.
		{"max_time caps the plan", []int64{0.9e6, 1.1e6}, Auto{MinRuns: 2, MaxRuns: 1000, MaxTime: 19500 * time.Microsecond, Precision: 0.01}, 8, []int{8, 8, 4}, "max_time"},
	} {
		f := &fakeRunner{samples: [][]int64{tc.samples}, failAt: []int{-1}, failure: make([]string, 1), rounds: make([]int, 1)}
		a := tc.auto
		out := runRounds(context.Background(), []experiments.Strategy{{Name: "short"}}, Options{Warmup: 1, Auto: &a, Block: tc.block, Prime: 50 * time.Millisecond}, f)
		var blocks []int
		for k, tr := range out.Trials {
			switch {
			case tr.Warmup:
			case k > 0 && out.Trials[k-1].Round == tr.Round:
				blocks[len(blocks)-1]++
			default:
				blocks = append(blocks, 1)
			}
		}
		if diff := cmp.Diff(tc.blocks, blocks); diff != "" || out.Stops[0] != tc.stop || out.Order.Primed != len(tc.blocks)*spawn.PrimeRuns {
			t.Errorf("%s: stop %q (want %q), %d priming runs (want %d); blocks (-want +got):\n%s", tc.why, out.Stops[0], tc.stop, out.Order.Primed, len(tc.blocks)*spawn.PrimeRuns, diff)
		}
	}
}

// TestRunBlocksRealProcesses: through the spawner and from this process,
// a block's trials are real runs of the command, each recorded, after its
// priming runs (each run, measured or not, appends a line to a log); a
// failed run ends its block, and the strategy unless with IgnoreFailure,
// where the failed runs count and the next round primes again (the block
// ends so that its stderr tail is the failed run's own).
func TestRunBlocksRealProcesses(t *testing.T) {
	for _, tc := range []struct {
		why           string
		commands      [][]string
		ignoreFailure bool
		want          map[slot]int // trials per strategy and round
		runs          int          // lines logged
		stops         []string
	}{
		{"two strategies: per strategy a warm-up, a primed block of 4, one of 2",
			[][]string{{"sh", "-c", "echo a >> log"}, {"sh", "-c", "echo b >> log"}}, false,
			map[slot]int{{0, 0, true}: 1, {1, 0, true}: 1, {0, 1, false}: 4, {1, 1, false}: 4, {0, 2, false}: 2, {1, 2, false}: 2},
			14 + 4*spawn.PrimeRuns, []string{"max_runs", "max_runs"}},
		{"every run exits 1, failures ignored: blocks of one, each primed",
			[][]string{{"sh", "-c", "echo x >> log; echo boom >&2; exit 1"}}, true,
			map[slot]int{{0, 0, true}: 1, {0, 1, false}: 1, {0, 2, false}: 1, {0, 3, false}: 1, {0, 4, false}: 1, {0, 5, false}: 1, {0, 6, false}: 1},
			7 + 6*spawn.PrimeRuns, []string{"max_runs"}},
		{"the 8th run (the block's third) exits 1: the block and the strategy end there",
			[][]string{{"sh", "-c", `echo x >> log; [ "$(wc -l < log)" -ne 8 ]`}}, false,
			map[slot]int{{0, 0, true}: 1, {0, 1, false}: 3},
			1 + spawn.PrimeRuns + 3, []string{"failed"}},
	} {
		for _, inProcess := range []bool{false, true} {
			e := experiment(t, tc.commands...)
			out, err := Run(context.Background(), e, Options{Warmup: 1, Auto: exactly(6), Block: 4, Timeout: 10 * time.Second,
				InProcess: inProcess, Prime: time.Hour, IgnoreFailure: tc.ignoreFailure})
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(e.Dir, "log"))
			if err != nil {
				t.Fatal(err)
			}
			got := map[slot]int{}
			for _, tr := range out.Trials {
				got[slot{tr.Strategy, tr.Round, tr.Warmup}]++
				if tr.WallNS <= 0 {
					t.Errorf("%s, InProcess=%v: trial %+v has no wall time", tc.why, inProcess, tr)
				}
			}
			runs := strings.Count(string(b), "\n")
			if f := out.Strategies[0].Failure; tc.ignoreFailure && f != "exit status 1: boom" {
				t.Errorf("%s, InProcess=%v: failure %q, want the failed run's own stderr", tc.why, inProcess, f)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" || runs != tc.runs || runs != len(out.Trials)+out.Order.Primed || !slices.Equal(out.Stops, tc.stops) || out.Order.Block != 4 {
				t.Errorf("%s, InProcess=%v: %d runs logged (want %d) for %d trials and %d primed, stops %q (want %q), order %+v; trials per round (-want +got):\n%s",
					tc.why, inProcess, runs, tc.runs, len(out.Trials), out.Order.Primed, out.Stops, tc.stops, out.Order, diff)
			}
		}
	}
}

// TestRunBlockPeakPerRun: where the kernel resets a cgroup's peak (cgroup
// v1, v2 since Linux 6.12), each trial of a block records its own run's
// peak and the run says so (Order.PeakPerRun): the block's second trial
// touches 40 MiB, its other trials and the next block's do not, and their
// peaks stay below 20 MiB. Where it cannot, the run says so and every
// trial of the first block has the block's peak.
func TestRunBlockPeakPerRun(t *testing.T) {
	cg, err := spawn.NewCgroup()
	if err != nil {
		t.Fatalf("no memory cgroup can be made here: %v", err)
	}
	resets := cg.ResetsPeak
	cg.Remove()
	// Runs: 0 the warm-up; 1–4 priming, 5–8 the first block; 9–12
	// priming, 13–14 the second block. Run 6 fills a 40 MiB buffer.
	cmd := []string{"sh", "-c", `n=$(wc -l < log); echo x >> log; [ "$n" -ne 6 ] || dd if=/dev/zero of=/dev/null bs=40M count=1 2>/dev/null`}
	for _, inProcess := range []bool{false, true} {
		e := experiment(t, cmd)
		out, err := Run(context.Background(), e, Options{Warmup: 1, Auto: exactly(6), Block: 4, Timeout: 10 * time.Second, InProcess: inProcess, Prime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if out.Memory == spawn.MemoryRusage || !out.Order.PrimedSharedCgroup || out.Order.PeakPerRun != resets {
			t.Fatalf("InProcess=%v: memory %q, order %+v; want a cgroup, its peak reset per run: %v", inProcess, out.Memory, out.Order, resets)
		}
		var peaks []int64
		for _, tr := range out.Trials {
			if !tr.Warmup {
				peaks = append(peaks, tr.MaxRSSKiB)
			}
		}
		t.Logf("InProcess=%v: counted trials' peaks %v KiB", inProcess, peaks)
		if len(peaks) != 6 {
			t.Fatalf("InProcess=%v: %d counted trials, want 6", inProcess, len(peaks))
		}
		for k, p := range peaks {
			if !resets {
				if k < 4 && p != peaks[0] || p <= 0 || k < 4 && p < 40<<10 {
					t.Errorf("InProcess=%v: trial %d's peak %d KiB, want the first block's (at least 40 MiB)", inProcess, k, p)
				}
				continue
			}
			if big := k == 1; big && p < 40<<10 || !big && (p <= 0 || p >= 20<<10) {
				t.Errorf("InProcess=%v: trial %d's peak %d KiB, want %s", inProcess, k, p, map[bool]string{true: "at least 40 MiB", false: "above 0 and under 20 MiB"}[big])
			}
		}
	}
}

// TestRunRejectsBadBlock: a block outside 1 to spawn.MaxBlock, or with a
// fixed count of runs, is an error before any trial, and the experiment
// file's limit is the launcher's.
func TestRunRejectsBadBlock(t *testing.T) {
	e := experiment(t, []string{"true"})
	for _, o := range []Options{{Auto: exactly(2), Block: -1}, {Auto: exactly(2), Block: spawn.MaxBlock + 1}, {Runs: 3, Block: 2}} {
		if _, err := Run(context.Background(), e, o); err == nil || !strings.Contains(err.Error(), "block") {
			t.Errorf("Options %+v: error %v, want one about the block", o, err)
		}
	}
	if experiments.MaxBlock != spawn.MaxBlock {
		t.Errorf("experiments.MaxBlock = %d, spawn.MaxBlock = %d: want them equal", experiments.MaxBlock, spawn.MaxBlock)
	}
}
