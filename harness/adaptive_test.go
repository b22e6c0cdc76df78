package harness

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"benchlab/experiments"
)

func TestTQuantile(t *testing.T) {
	// Student's t 97.5% quantiles from the tables.
	for _, tc := range []struct {
		n    int
		want float64
	}{{2, 12.706}, {5, 2.776}, {10, 2.262}, {31, 2.042}} {
		if got := tQuantile(tc.n); math.Abs(got-tc.want) > 5e-4 {
			t.Errorf("tQuantile(%d) = %.4f, want %.3f", tc.n, got, tc.want)
		}
	}
}

func TestAutoStopping(t *testing.T) {
	ms := func(v ...float64) []int64 {
		var out []int64
		for _, x := range v {
			out = append(out, int64(x*1e6))
		}
		return out
	}
	for _, tc := range []struct {
		why     string
		auto    Auto
		samples []int64 // one strategy's wall times, cycled
		runs    int     // counted runs when it stops
		stop    string
		warned  bool
	}{{
		why:  "a steady strategy stops at min_runs: σ = 0 is already precise",
		auto: Auto{MinRuns: 3, MaxRuns: 100, MaxTime: time.Hour, Precision: 0.01},
		// 3 warm-up-free runs of exactly 100 ms.
		samples: ms(100), runs: 3, stop: "precision",
	}, {
		why:  "99/101 ms alternating reaches ±1% at the 7th run, by hand",
		auto: Auto{MinRuns: 2, MaxRuns: 100, MaxTime: time.Hour, Precision: 0.01},
		// The warm-up takes 99, the counted runs 101, 99, 101, ...
		// n=6: mean 100, s 1.0954, t5 2.571: 2.571·1.0954/√6/100 = 1.150%.
		// n=7: mean 100.143, s 1.0690, t6 2.447: 2.447·1.0690/√7/100.143 = 0.987%.
		samples: ms(99, 101), runs: 7, stop: "precision",
	}, {
		why:     "a noisy strategy stops at max_runs, with a warning",
		auto:    Auto{MinRuns: 2, MaxRuns: 20, MaxTime: time.Hour, Precision: 0.01},
		samples: ms(50, 150), runs: 20, stop: "max_runs", warned: true,
	}, {
		why:  "max_time bounds a noisy strategy's counted time, after min_runs",
		auto: Auto{MinRuns: 3, MaxRuns: 100, MaxTime: 4 * time.Second, Precision: 0.01},
		// The warm-up takes 500ms; the counted runs 1500+500+1500 = 3.5s
		// after 3, 4s after 4: max_time reached.
		samples: ms(500, 1500), runs: 4, stop: "max_time", warned: true,
	}} {
		f := &fakeRunner{samples: [][]int64{tc.samples}, failAt: []int{-1}, failure: []string{""}, rounds: make([]int, 1)}
		a := tc.auto
		out := runRounds(context.Background(), []experiments.Strategy{{Name: "a"}}, Options{Warmup: 1, Auto: &a}, f)
		counted := 0
		for _, tr := range out.Trials {
			if !tr.Warmup {
				counted++
			}
		}
		if counted != tc.runs || out.Stops[0] != tc.stop || !out.Complete {
			t.Errorf("%s: stopped after %d runs for %q (complete %v); want %d for %q",
				tc.why, counted, out.Stops[0], out.Complete, tc.runs, tc.stop)
		}
		if got := len(out.Warnings) > 0; got != tc.warned {
			t.Errorf("%s: warnings %q; want warned = %v", tc.why, out.Warnings, tc.warned)
		}
	}
}

func TestAutoStrategiesStopApart(t *testing.T) {
	// Interleaved: the steady strategy leaves after min_runs, the noisy one
	// runs on alone; both get one cleanup, right after their last trial.
	f := &fakeRunner{
		samples: [][]int64{{100}, {50, 150}},
		failAt:  []int{-1, -1}, failure: []string{"", ""}, rounds: make([]int, 2),
	}
	auto := &Auto{MinRuns: 2, MaxRuns: 4, MaxTime: time.Hour, Precision: 0.01}
	out := runRounds(context.Background(), []experiments.Strategy{{Name: "a"}, {Name: "b"}}, Options{Auto: auto}, f)
	want := []string{
		"prepare 0", "trial 0", "prepare 1", "trial 1", // round 0: a, b
		"prepare 1", "trial 1", "prepare 0", "trial 0", "cleanup 0", // round 1: b, a; a has 2 equal runs
		"prepare 1", "trial 1", // round 2: b alone
		"prepare 1", "trial 1", "cleanup 1", // round 3: b reaches max_runs
	}
	if diff := cmp.Diff(want, f.events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"precision", "max_runs"}, out.Stops); diff != "" {
		t.Errorf("stops (-want +got):\n%s", diff)
	}
}

func TestPrepareCleanupOrder(t *testing.T) {
	for _, tc := range []struct {
		why  string
		opts Options
		fake fakeRunner
		want []string
	}{{
		why:  "prepare before every trial, warm-ups too; cleanup once each after the last round",
		opts: Options{Warmup: 1, Runs: 1},
		fake: fakeRunner{wallNS: []int64{1, 1}, failAt: []int{-1, -1}, failure: []string{"", ""}},
		want: []string{
			"prepare 0", "trial 0", "prepare 1", "trial 1",
			"prepare 1", "trial 1", "prepare 0", "trial 0",
			"cleanup 0", "cleanup 1",
		},
	}, {
		why:  "a failing trial stops its strategy, which is cleaned up at once",
		opts: Options{Runs: 2},
		fake: fakeRunner{wallNS: []int64{1, 1}, failAt: []int{0, -1}, failure: []string{"exit status 3", ""}},
		want: []string{
			"prepare 0", "trial 0", "cleanup 0", "prepare 1", "trial 1",
			"prepare 1", "trial 1", "cleanup 1",
		},
	}, {
		why:  "a failing prepare stops its strategy before any trial; cleanup still runs",
		opts: Options{Runs: 2},
		fake: fakeRunner{wallNS: []int64{1, 1}, failAt: []int{-1, -1}, failure: []string{"", ""}, prepareFails: []string{"exit status 1"}},
		want: []string{
			"prepare 0", "cleanup 0", "prepare 1", "trial 1",
			"prepare 1", "trial 1", "cleanup 1",
		},
	}, {
		why:  "with failures ignored a failing strategy runs every round",
		opts: Options{Runs: 2, IgnoreFailure: true},
		fake: fakeRunner{wallNS: []int64{1, 1}, failAt: []int{0, -1}, failure: []string{"exit status 3", ""}},
		want: []string{
			"prepare 0", "trial 0", "prepare 1", "trial 1",
			"prepare 1", "trial 1", "prepare 0", "trial 0",
			"cleanup 0", "cleanup 1",
		},
	}} {
		f := tc.fake
		f.rounds = make([]int, 2)
		runRounds(context.Background(), []experiments.Strategy{{Name: "a"}, {Name: "b"}}, tc.opts, &f)
		if diff := cmp.Diff(tc.want, f.events); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", tc.why, diff)
		}
	}
}

func TestRunPrepareCleanupProcesses(t *testing.T) {
	// Real processes append to one log in the experiment folder.
	e := experiment(t, []string{"sh", "-c", "echo t >> log"})
	e.Strategies[0].Prepare = []string{"sh", "-c", "echo p >> log"}
	e.Strategies[0].Cleanup = []string{"sh", "-c", "echo c >> log"}
	out, err := Run(context.Background(), e, Options{Warmup: 1, Runs: 2, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(e.Dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(string(b)), []string{"p", "t", "p", "t", "p", "t", "c"}; !cmp.Equal(got, want) {
		t.Errorf("log = %q, want %q", got, want)
	}
	if len(out.Trials) != 3 {
		t.Errorf("%d trials, want 3 (prepare and cleanup are not trials)", len(out.Trials))
	}

	// A failing prepare is the strategy's failure, with its stderr.
	e = experiment(t, sub("exit=0"))
	e.Strategies[0].Prepare = []string{"sh", "-c", "echo nope >&2; exit 4"}
	out, err = Run(context.Background(), e, Options{Runs: 2, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if f := out.Strategies[0].Failure; !strings.HasPrefix(f, "prepare failed: ") || !strings.HasSuffix(f, "exit status 4: nope") || len(out.Trials) != 0 {
		t.Errorf("failure %q with %d trials; want the prepare's exit status and stderr, no trials", f, len(out.Trials))
	}
}

func TestRunKeepsHarnessOffPinnedCPUs(t *testing.T) {
	allowed, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if allowed.Count() < 2 || !allowed.IsSet(1) {
		t.Skipf("needs CPU 1 and another one; allowed: %s", cpuList(allowed))
	}
	others := allowed
	others.Clear(1)
	// The child's parent is the spawner, its grandparent this process.
	// The launching thread moves to CPU 1 before the fork and waits there
	// for the child, blocked; every other thread stays off CPU 1. The child
	// looks after a pause, so that the parent is surely waiting by then.
	e := experiment(t, sub("sleep=100ms", "parentmask=spawner", "grandparentmask=benchlab"))
	out, err := Run(context.Background(), e, Options{Runs: 1, Pin: []int{1}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Warnings) > 0 {
		t.Errorf("warnings %q, want none (the spawner started)", out.Warnings)
	}
	for _, name := range []string{"spawner", "benchlab"} {
		b, err := os.ReadFile(filepath.Join(e.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		if len(lines) < 2 {
			t.Fatalf("read %d thread masks of %s: %q", len(lines), name, b)
		}
		waiting := 0
		for _, l := range lines {
			mask, state, _ := strings.Cut(l, " ")
			switch {
			case mask == cpuList(others):
			case name == "spawner" && mask == "1" && state == "S":
				waiting++
			default:
				t.Errorf("a thread of %s had CPUs %s, state %s, while the child ran; want %s, or 1 asleep for the spawner's waiting thread (all threads: %q)",
					name, mask, state, cpuList(others), lines)
			}
		}
		if name == "spawner" && waiting != 1 {
			t.Errorf("%d threads of the spawner waited on CPU 1 for the child, want 1 (all threads: %q)", waiting, lines)
		}
	}
	// Afterwards every thread has its old mask back.
	tids, err := threadIDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, tid := range tids {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &set); err == nil && set != allowed {
			t.Errorf("thread %d has CPUs %s after Run, want %s", tid, cpuList(set), cpuList(allowed))
		}
	}
}
