package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"benchlab/experiments"
	"benchlab/harness/spawn"
	"benchlab/results"
)

// TestRunRoundsPrimes: with Prime set, a trial of a short strategy is
// preceded by unmeasured runs of its own command once its length is
// known; a long one or one with a prepare command is not, and the Outcome
// records the policy and counts the unmeasured runs.
func TestRunRoundsPrimes(t *testing.T) {
	strategies := []experiments.Strategy{
		{Name: "short"},                        // 1 ms: primed once its length is known
		{Name: "long"},                         // 100 ms: above Prime, never
		{Name: "prep", Prepare: []string{"x"}}, // short, but its prepare must come right before it
	}
	f := &fakeRunner{wallNS: []int64{1e6, 100e6, 1e6}, failAt: []int{-1, -1, -1}, failure: make([]string, 3), rounds: make([]int, 3)}
	out := runRounds(context.Background(), strategies, Options{Runs: 3, Prime: 50 * time.Millisecond}, f)
	// (The fake's prepare is called for every strategy; the real one runs
	// nothing when a strategy has no prepare command.)
	want := []string{
		// round 0: nothing known yet
		"prepare 0", "trial 0", "prepare 1", "trial 1", "prepare 2", "trial 2",
		// round 1 starts with long; short follows prep: primed
		"prepare 1", "trial 1", "prepare 2", "trial 2", "prepare 0", "prime 0", "trial 0",
		// round 2 starts with prep; short follows it: primed
		"prepare 2", "trial 2", "prepare 0", "prime 0", "trial 0", "prepare 1", "trial 1",
		"cleanup 0", "cleanup 1", "cleanup 2",
	}
	if diff := cmp.Diff(want, f.events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(out.Trials) != 9 {
		t.Errorf("%d trials recorded, want 9", len(out.Trials))
	}
	wantOrder := results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: 50e6, Primed: 2 * spawn.PrimeRuns, PrimeOwn: true, PrimeRuns: spawn.PrimeRuns}
	if diff := cmp.Diff(wantOrder, out.Order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}

	// One strategy runs back to back: primed all the same once its length
	// is known, so that every trial of a short strategy is measured alike.
	f = &fakeRunner{wallNS: []int64{1e6}, failAt: []int{-1}, failure: make([]string, 1), rounds: make([]int, 1)}
	out = runRounds(context.Background(), strategies[:1], Options{Runs: 3, Prime: 50 * time.Millisecond}, f)
	want = []string{"prepare 0", "trial 0", "prepare 0", "prime 0", "trial 0", "prepare 0", "prime 0", "trial 0", "cleanup 0"}
	if diff := cmp.Diff(want, f.events); diff != "" || out.Order.Primed != 2*spawn.PrimeRuns || len(f.calls) != 3 {
		t.Errorf("one strategy: %d priming runs, %d trials; want %d and 3; events (-want +got):\n%s", out.Order.Primed, len(f.calls), 2*spawn.PrimeRuns, diff)
	}
}

// TestRunRecordsDefaultOrder: Run primes by default and says so; a
// negative Prime turns it off.
func TestRunRecordsDefaultOrder(t *testing.T) {
	e := experiment(t, sub("exit=0"), sub("exit=0"))
	for _, tc := range []struct {
		prime time.Duration
		below int64
		// primed is how many trials are primed, or -1 when it depends on
		// how long the subjects took (the default threshold is 50 ms,
		// which a loaded machine can make a Go subject exceed).
		primed int
	}{{0, DefaultPrime.Nanoseconds(), -1}, {time.Hour, time.Hour.Nanoseconds(), 4}, {-1, 0, 0}} {
		out, err := Run(context.Background(), e, Options{Warmup: 1, Runs: 2, Timeout: 10 * time.Second, Prime: tc.prime})
		if err != nil {
			t.Fatal(err)
		}
		// Round 0 (warm-up) runs s0 s1: lengths unknown. Every later
		// trial is primed when the last one of its strategy was under
		// the threshold: 4.
		okPrimed := out.Order.Primed == tc.primed*spawn.PrimeRuns || (tc.primed < 0 && out.Order.Primed <= 4*spawn.PrimeRuns)
		if out.Order.PrimeBelowNS != tc.below || !okPrimed || len(out.Trials) != 6 {
			t.Errorf("Prime %v: order %+v with %d trials; want prime below %d ns, %d trials primed (-1: at most 4) with %d runs each, 6 trials", tc.prime, out.Order, len(out.Trials), tc.below, tc.primed, spawn.PrimeRuns)
		}
	}
}

// TestRunPrimesRealProcesses: through the spawner and from this process,
// every priming run really runs the command (each run, measured or not,
// appends a line to a log) and is not recorded as a trial.
func TestRunPrimesRealProcesses(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		e := experiment(t, []string{"sh", "-c", "echo a >> log"}, []string{"sh", "-c", "echo b >> log"})
		out, err := Run(context.Background(), e, Options{Warmup: 1, Runs: 3, Timeout: 10 * time.Second, InProcess: inProcess})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(e.Dir, "log"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(string(b), "\n")
		if out.Order.Primed == 0 || lines != len(out.Trials)+out.Order.Primed {
			t.Errorf("InProcess=%v: %d runs logged for %d trials and %d primed; want them to add up, with some primed",
				inProcess, lines, len(out.Trials), out.Order.Primed)
		}
	}
}

// TestRunPrimingRunTimesOut: a priming run that hangs is the trial's
// result, timed out, with its own standard error only, and nothing more
// of the trial runs: no further priming run, no timed run, each of which
// would wait out the timeout too.
func TestRunPrimingRunTimesOut(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		// Each run says its number on stderr. The first trial's run and
		// the second trial's priming runs but the last are quick; the
		// last priming run hangs, and so would every later one.
		last := strconv.Itoa(spawn.PrimeRuns + 1) // the last priming run
		e := experiment(t, []string{"sh", "-c", `n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count; echo "run$n" >&2; [ $n -lt ` + last + ` ] || exec sleep 60`})
		out, err := Run(context.Background(), e, Options{Runs: 2, Timeout: 300 * time.Millisecond, InProcess: inProcess, Prime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(e.Dir, "count"))
		if err != nil {
			t.Fatal(err)
		}
		f := out.Strategies[0].Failure
		if n := strings.TrimSpace(string(b)); n != last || len(out.Trials) != 2 || !out.Trials[1].TimedOut || out.Order.Primed != spawn.PrimeRuns {
			t.Errorf("InProcess=%v: %s runs, trials %+v, order %+v; want %s runs, the second trial timed out", inProcess, n, out.Trials, out.Order, last)
		}
		if !strings.Contains(f, "run"+last) || strings.Count(f, "run") != 1 {
			t.Errorf("InProcess=%v: failure %q; want the hung priming run's stderr (run%s) only", inProcess, f, last)
		}
	}
}

// TestRunPrimedFailureShowsItsOwnStderr: a failing trial's error shows
// its own standard error, not also that of the unmeasured runs before it.
func TestRunPrimedFailureShowsItsOwnStderr(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		// Each run counts itself and says its number on stderr; from the
		// second on they fail: the warm-up, the first trial's priming
		// runs, then the trial itself.
		fails := []string{"sh", "-c", `n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count; echo "run$n" >&2; [ $n -lt 2 ]`}
		e := experiment(t, fails, []string{"true"})
		out, err := Run(context.Background(), e, Options{Warmup: 1, Runs: 4, Timeout: 10 * time.Second, InProcess: inProcess, Prime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		f := out.Strategies[0].Failure
		if out.Order.Primed == 0 || strings.Count(f, "run") != 1 {
			t.Errorf("InProcess=%v: failure %q after %d primed trials; want one run's stderr", inProcess, f, out.Order.Primed)
		}
	}
}

// TestRunChildSignalMask: children start with SIGCHLD unblocked, or a
// shell or make waiting on it would hang. The subject execs grep on its own
// status: a shell waiting for a child blocks every signal itself (dash
// does), so reading a waiting shell's mask would prove nothing.
func TestRunChildSignalMask(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		e := experiment(t, []string{"sh", "-c", "exec grep '^SigBlk:' /proc/self/status > mask"})
		if _, err := Run(context.Background(), e, Options{Runs: 1, Timeout: 10 * time.Second, InProcess: inProcess}); err != nil {
			t.Fatal(err)
		}
		mask := signalMask(t, filepath.Join(e.Dir, "mask"), "SigBlk")
		if mask&(1<<(syscall.SIGCHLD-1)) != 0 {
			t.Errorf("InProcess=%v: the child started with SIGCHLD blocked (SigBlk %016x)", inProcess, mask)
		}
	}
}

// signalMask reads the file a subject wrote with a signal mask line of
// /proc/PID/status ("SigBlk:\t0000000000000000").
func signalMask(t *testing.T, path, field string) uint64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var mask uint64
	if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), field+":\t%x", &mask); err != nil {
		t.Fatalf("parse %q: %v", b, err)
	}
	return mask
}

// TestSpawnerDiscardsSIGCHLD: the spawner, every child's parent, leaves
// SIGCHLD at its default action, so that no child's exit runs a signal
// handler in the launching thread inside the timed part (see spawn's
// defaultSIGCHLD); the children are still reaped, each with its status.
func TestSpawnerDiscardsSIGCHLD(t *testing.T) {
	e := experiment(t, []string{"sh", "-c", `grep '^SigCgt:' /proc/$PPID/status > caught; exit 3`})
	out, err := Run(context.Background(), e, Options{Runs: 1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	caught := signalMask(t, filepath.Join(e.Dir, "caught"), "SigCgt")
	if caught&(1<<(syscall.SIGCHLD-1)) != 0 || caught&(1<<(syscall.SIGTERM-1)) == 0 {
		t.Errorf("the spawner catches SIGCHLD, or no longer SIGTERM: SigCgt %016x", caught)
	}
	if len(out.Trials) != 1 || out.Trials[0].ExitCode != 3 {
		t.Errorf("trials %+v, want one that exited with status 3", out.Trials)
	}
}

// TestRunRandomizesEnvironmentOffset: every run of a command gets
// spawn.OffsetVar with a value of a random length below 4096, as hyperfine
// does, so that no strategy is measured at one stack alignment only; a
// value the user's environment has for it is not passed on.
func TestRunRandomizesEnvironmentOffset(t *testing.T) {
	t.Setenv(spawn.OffsetVar, "from the user")
	for _, inProcess := range []bool{false, true} {
		// Each run logs its value's length, the start of the value, and
		// how many times the variable is in its environment.
		e := experiment(t, []string{"sh", "-c", `echo "${#` + spawn.OffsetVar + `} $(printf %.20s "$` + spawn.OffsetVar + `"X) $(tr '\0' '\n' < /proc/$$/environ | grep -c '^` + spawn.OffsetVar + `=')" >> lens`})
		if _, err := Run(context.Background(), e, Options{Runs: 30, Timeout: 10 * time.Second, InProcess: inProcess}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(e.Dir, "lens"))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var n, count int
			var v string
			if _, err := fmt.Sscan(l, &n, &v, &count); err != nil {
				t.Fatalf("parse %q: %v", l, err)
			}
			if n < 0 || n >= 4096 || strings.Trim(v, "X") != "" || count != 1 {
				t.Errorf("InProcess=%v: a run had %s of length %d, value %q…, %d times in its environment; want 0 to 4095 X, once", inProcess, spawn.OffsetVar, n, v, count)
			}
			seen[n] = true
		}
		if len(seen) < 20 {
			t.Errorf("InProcess=%v: %d distinct lengths over the runs, want them to vary (at least 20 of 30 and more)", inProcess, len(seen))
		}
	}
}
