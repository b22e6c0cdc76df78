package harness

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"benchlab/experiments"
)

// shell is a strategy command running script with sh.
func shell(script string) []string { return []string{"sh", "-c", script} }

// runWithin runs Run and fails the test if it does not return within
// limit: the cases here used to hang benchlab.
func runWithin(t *testing.T, ctx context.Context, limit time.Duration, e *experiments.Experiment, opts Options) *Outcome {
	t.Helper()
	type result struct {
		out *Outcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := Run(ctx, e, opts)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.out
	case <-time.After(limit):
		t.Fatalf("Run did not return within %v", limit)
		return nil
	}
}

// alive reports whether process pid runs (a zombie does not).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	return !strings.HasPrefix(s[strings.LastIndexByte(s, ')')+1:], " Z")
}

// readPID reads the process ID a subject wrote to path.
func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the subject did not record its process: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// A process that leaves the trial's process group and session (setsid)
// ends with the trial all the same: the spawner is its reaper.
func TestTrialEndsWithEscapedProcesses(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "escapee.pid")
	// The second strategy's trial runs after the first's and fails if the
	// escapee still runs then (kill -0 succeeds on a live process).
	e := experiment(t, shell("setsid sleep 7 & echo $! > "+pidFile),
		shell("sleep 0.1; if kill -0 $(cat "+pidFile+"); then echo escapee alive >&2; exit 1; fi"))
	out := runWithin(t, context.Background(), 10*time.Second, e, Options{Runs: 1, Timeout: 5 * time.Second})
	for _, s := range out.Strategies {
		if s.Failure != "" {
			t.Errorf("%s failed: %s", s.Name, s.Failure)
		}
	}
	pid := readPID(t, pidFile)
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("setsid sleep 7 (pid %d) outlived its trial", pid)
	}
}

// A subject that stops the spawner (its parent) neither hangs benchlab nor
// spoils the other strategies: the spawner is resumed and the trial fails
// with the reason.
func TestSpawnerStoppedByTrial(t *testing.T) {
	e := experiment(t, shell("kill -STOP $PPID; sleep 0.3"), []string{"true"})
	out := runWithin(t, context.Background(), 15*time.Second, e, Options{Runs: 2, Timeout: 3 * time.Second})
	if f := out.Strategies[0].Failure; !strings.Contains(f, "was stopped while it ran") {
		t.Errorf("Failure of the stopping strategy = %q, want it to say the spawner was stopped", f)
	}
	ok := 0
	for _, tr := range out.Trials {
		if tr.Strategy == 1 && tr.ExitCode == 0 && tr.Signal == 0 {
			ok++
		}
	}
	if ok != 2 || out.Strategies[1].Failure != "" {
		t.Errorf("true ran %d times cleanly (failure %q), want 2", ok, out.Strategies[1].Failure)
	}
}

// A subject that kills the spawner fails alone: the spawner is started
// again and the later trials of the others succeed.
func TestSpawnerKilledByTrial(t *testing.T) {
	e := experiment(t, shell("kill -9 $PPID; sleep 1"), []string{"true"})
	out := runWithin(t, context.Background(), 15*time.Second, e, Options{Runs: 3, Timeout: 3 * time.Second})
	if f := out.Strategies[0].Failure; !strings.Contains(f, "died or stopped answering") {
		t.Errorf("Failure of the killing strategy = %q, want it to say the spawner died", f)
	}
	ok := 0
	for _, tr := range out.Trials {
		if tr.Strategy == 1 && tr.ExitCode == 0 && tr.Signal == 0 {
			ok++
		}
	}
	if ok != 3 || out.Strategies[1].Failure != "" {
		t.Errorf("true ran %d times cleanly (failure %q), want 3", ok, out.Strategies[1].Failure)
	}
}

// A signal meant for the whole job (Slurm sends SIGTERM to every process
// of a job at its time limit) does not end the spawner: only benchlab
// decides that a run ends, so the trial in flight is not failed by it.
func TestSpawnerOutlivesJobSignals(t *testing.T) {
	e := experiment(t, shell("kill -TERM $PPID; kill -HUP $PPID; kill -INT $PPID; sleep 0.2"))
	out := runWithin(t, context.Background(), 15*time.Second, e, Options{Runs: 2, Timeout: 5 * time.Second})
	if f := out.Strategies[0].Failure; f != "" {
		t.Errorf("Failure = %q, want none: the spawner must outlive SIGTERM, SIGHUP and SIGINT", f)
	}
	ok := 0
	for _, tr := range out.Trials {
		if tr.ExitCode == 0 && tr.Signal == 0 {
			ok++
		}
	}
	if ok != 2 {
		t.Errorf("%d of %d trials succeeded, want 2", ok, len(out.Trials))
	}
}

// Cancellation works while a trial keeps the spawner stopped.
func TestCancelWhileSpawnerStopped(t *testing.T) {
	e := experiment(t, shell("kill -STOP $PPID; sleep 1.5"))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	begin := time.Now()
	out := runWithin(t, ctx, 10*time.Second, e, Options{Runs: 100, Timeout: 30 * time.Second})
	if out.Complete {
		t.Error("a cancelled run is complete")
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("Run took %v after cancellation at 300ms", took)
	}
}

// A prepare writing hundreds of megabytes to its standard error costs
// benchlab no more than its tail: it used to be buffered whole.
func TestPrepareStderrBoundedMemory(t *testing.T) {
	const written = 200 << 20
	e := experiment(t, []string{"true"})
	e.Strategies[0].Prepare = shell("head -c " + strconv.Itoa(written) + " /dev/zero >&2; echo last words >&2; exit 1")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out := runWithin(t, context.Background(), 30*time.Second, e, Options{Runs: 1, Timeout: 20 * time.Second})
	runtime.ReadMemStats(&after)
	if f := out.Strategies[0].Failure; !strings.HasSuffix(f, "last words") {
		t.Errorf("Failure = %.100q…, want the tail of the prepare's stderr", f)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("benchlab allocated %d MiB for a prepare writing %d MiB to stderr; want a bounded tail", grew>>20, written>>20)
	}
}

func TestTailWriter(t *testing.T) {
	for _, tc := range []struct {
		why    string
		writes []string
		want   string
		cut    bool
	}{
		{"short output is kept whole", []string{"ab", "c"}, "abc", false},
		{"exactly the size is not cut", []string{"abcd"}, "abcd", false},
		{"the last bytes are kept across writes", []string{"abc", "def", "g"}, "defg", true},
		{"one write over the size keeps its end", []string{"0123456789"}, "6789", true},
	} {
		w := &tailWriter{buf: make([]byte, 4)}
		for _, s := range tc.writes {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Fatalf("%s: Write = %d, %v", tc.why, n, err)
			}
		}
		if got := string(w.tail()); got != tc.want || w.cut() != tc.cut {
			t.Errorf("%s: tail %q cut %v, want %q %v", tc.why, got, w.cut(), tc.want, tc.cut)
		}
	}
}

// Counts past the limits are refused before anything runs; a huge count
// used to be preallocated (makeslice panic, or out of memory).
func TestRunRefusesHugeCounts(t *testing.T) {
	e := experiment(t, []string{"true"})
	for _, opts := range []Options{
		{Runs: 1_000_000_000_000},
		{Runs: 1, Warmup: 1<<63 - 1},
		{Runs: 1, Warmup: -5},
	} {
		out, err := Run(context.Background(), e, opts)
		if err == nil || out != nil {
			t.Errorf("Run(%+v) = %v, %v; want an error", opts, out, err)
		}
	}
}

// A strategy command that is a FIFO is refused when hashing, not waited
// on.
func TestArtifactsFIFO(t *testing.T) {
	e := experiment(t, []string{"./fifo"})
	if err := syscall.Mkfifo(filepath.Join(e.Dir, "fifo"), 0o755); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Artifacts(e); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Artifacts = %v, want a \"not a regular file\" error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Artifacts blocked on a FIFO")
	}
}

// The build is bounded by build.timeout, and an interrupted build's error
// says it was cancelled.
func TestBuildTimeoutAndInterrupt(t *testing.T) {
	e := experiment(t, []string{"true"})
	e.Build = &experiments.Build{Command: []string{"sleep", "5"}, Timeout: experiments.Duration{Duration: 200 * time.Millisecond}}
	begin := time.Now()
	err := Build(context.Background(), e, nil, devNullWriter{})
	if err == nil || !strings.Contains(err.Error(), "timed out after 200ms (build.timeout)") {
		t.Errorf("Build past its timeout = %v", err)
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("Build took %v with a 200ms timeout", took)
	}
	e.Build.Timeout.Duration = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if err := Build(ctx, e, nil, devNullWriter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted Build = %v, want it to wrap context.Canceled", err)
	}
}

type devNullWriter struct{}

func (devNullWriter) Write(p []byte) (int, error) { return len(p), nil }

// What a prepare leaves running in the background ends when it exits,
// before the trial it prepares.
func TestPrepareLeftoversKilled(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "leftover.pid")
	// A killed leftover may still be a zombie for its new parent to reap:
	// only a state other than Z is alive.
	e := experiment(t, shell("s=$(cut -d' ' -f3 /proc/$(cat "+pidFile+")/stat 2>/dev/null); if [ -n \"$s\" ] && [ \"$s\" != Z ]; then echo prepare leftover alive >&2; exit 1; fi"))
	e.Strategies[0].Prepare = shell("sleep 7 & echo $! > " + pidFile)
	out := runWithin(t, context.Background(), 10*time.Second, e, Options{Runs: 1, Timeout: 5 * time.Second})
	if f := out.Strategies[0].Failure; f != "" {
		t.Errorf("failure: %s", f)
	}
	if pid := readPID(t, pidFile); alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the prepare's background sleep 7 (pid %d) outlived it", pid)
	}
}
