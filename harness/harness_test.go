package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"benchlab/experiments"
	"benchlab/harness/spawn"
	"benchlab/results"
)

// subject is the test program (testdata/subject) built by TestMain; its
// arguments choose what it does.
var subject string

// subjectName is the subject's file name, also used as a tool on PATH.
const subjectName = "benchlab-subject"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "harness-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	subject = filepath.Join(dir, subjectName)
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(goTool, "build", "-o", subject, "./testdata/subject")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the test subject: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// experiment returns an experiment in a fresh folder with one strategy per
// command, named s0, s1, ...
func experiment(t *testing.T, commands ...[]string) *experiments.Experiment {
	t.Helper()
	dir := t.TempDir()
	e := &experiments.Experiment{Name: "test", Dir: dir, Path: filepath.Join(dir, experiments.FileName)}
	for i, c := range commands {
		e.Strategies = append(e.Strategies, experiments.Strategy{Name: fmt.Sprintf("s%d", i), Command: c})
	}
	return e
}

// sub is a command running the subject with args.
func sub(args ...string) []string { return append([]string{subject}, args...) }

// slot is where a trial ran: which strategy, in which round.
type slot struct {
	Strategy, Round int
	Warmup          bool
}

func slots(trials []results.Trial) []slot {
	var s []slot
	for _, t := range trials {
		s = append(s, slot{t.Strategy, t.Round, t.Warmup})
	}
	return s
}

func TestRunInterleavesRounds(t *testing.T) {
	e := experiment(t, sub("exit=0"), sub("exit=0"), sub("exit=0"))
	out, err := Run(context.Background(), e, Options{Warmup: 1, Runs: 2, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Every round runs every strategy once; round r starts with strategy
	// r mod 3, so each strategy leads one round.
	want := []slot{
		{0, 0, true}, {1, 0, true}, {2, 0, true},
		{1, 1, false}, {2, 1, false}, {0, 1, false},
		{2, 2, false}, {0, 2, false}, {1, 2, false},
	}
	if diff := cmp.Diff(want, slots(out.Trials)); diff != "" {
		t.Errorf("trial order (-want +got):\n%s", diff)
	}
	wantStrategies := []results.Strategy{
		{Name: "s0", Command: sub("exit=0")},
		{Name: "s1", Command: sub("exit=0")},
		{Name: "s2", Command: sub("exit=0")},
	}
	if diff := cmp.Diff(wantStrategies, out.Strategies); diff != "" {
		t.Errorf("strategies (-want +got):\n%s", diff)
	}
	if !out.Complete {
		t.Error("Complete = false, want true")
	}
	for _, tr := range out.Trials {
		if !tr.OK() || tr.WallNS <= 0 || tr.MaxRSSKiB <= 0 {
			t.Errorf("trial %+v: want a successful trial with wall time and RSS", tr)
		}
	}
}

func TestRunFailures(t *testing.T) {
	long := strings.Repeat("x", 3000) + "END"
	e := experiment(t,
		sub("stderr=noise"), // emptied before the next trial
		sub("stderr=boom", "exit=3"),
		sub("signal=9"),
		sub("stderr="+long, "exit=1"),
	)
	out, err := Run(context.Background(), e, Options{Runs: 3, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// The failing strategies run once, in round 0; s0 runs every round.
	want := []slot{{0, 0, false}, {1, 0, false}, {2, 0, false}, {3, 0, false}, {0, 1, false}, {0, 2, false}}
	if diff := cmp.Diff(want, slots(out.Trials)); diff != "" {
		t.Errorf("trial order (-want +got):\n%s", diff)
	}
	if got := out.Trials[1]; got.ExitCode != 3 || got.Signal != 0 || got.TimedOut {
		t.Errorf("exit=3 trial: %+v", got)
	}
	if got := out.Trials[2]; got.ExitCode != -1 || got.Signal != 9 {
		t.Errorf("signal=9 trial: %+v", got)
	}
	failures := []string{out.Strategies[0].Failure, out.Strategies[1].Failure, out.Strategies[2].Failure}
	if diff := cmp.Diff([]string{"", "exit status 3: boom", "killed by signal 9 (SIGKILL)"}, failures); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	// Only the tail of a long standard error is kept.
	f := out.Strategies[3].Failure
	if !strings.HasPrefix(f, "exit status 1: …x") || !strings.HasSuffix(f, "END") || len(f) > stderrTail+40 {
		t.Errorf("long stderr failure (%d bytes) = %.60q...; want the 2 KiB tail", len(f), f)
	}
	if !out.Complete {
		t.Error("failures must not make the run incomplete")
	}
}

func TestRunTimeoutKillsGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "grandchild.pid")
	e := experiment(t, sub("grandchild="+pidFile, "sleep=5s"), sub("exit=0"))
	begin := time.Now()
	out, err := Run(context.Background(), e, Options{Runs: 2, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("Run took %v; the 5s sleeper should have been killed at 300ms", took)
	}
	want := []slot{{0, 0, false}, {1, 0, false}, {1, 1, false}}
	if diff := cmp.Diff(want, slots(out.Trials)); diff != "" {
		t.Errorf("trial order (-want +got):\n%s", diff)
	}
	tr := out.Trials[0]
	if !tr.TimedOut || tr.Signal != 9 || tr.WallNS < int64(300*time.Millisecond) || tr.WallNS > int64(2*time.Second) {
		t.Errorf("timed-out trial = %+v; want TimedOut, SIGKILL, wall about 300ms", tr)
	}
	if got, want := out.Strategies[0].Failure, "timed out after 300ms"; got != want {
		t.Errorf("Failure = %q, want %q", got, want)
	}

	// The grandchild was in the child's group and died with it.
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the subject did not record its grandchild: %v", err)
	}
	pid := strings.TrimSpace(string(raw))
	for deadline := time.Now().Add(2 * time.Second); ; {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		// Gone, or a zombie waiting for a reaper that is not us.
		if err != nil || strings.Contains(string(stat), ") Z ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %s still running after the timeout: %s", pid, stat)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunRusage(t *testing.T) {
	const spin = 200 * time.Millisecond
	e := experiment(t, sub("spin="+spin.String()), sub("exit=0"), sub("alloc=64"))
	out, err := Run(context.Background(), e, Options{Runs: 1, Timeout: 20 * time.Second, Memory: spawn.MemoryRusage})
	if err != nil {
		t.Fatal(err)
	}
	spinner, idle, alloc := out.Trials[0], out.Trials[1], out.Trials[2]
	// The spinner stops once its CPU time reaches 200ms; the runtime's own
	// threads add a little.
	if cpu := time.Duration(spinner.UserNS + spinner.SysNS); cpu < spin || cpu > 3*spin {
		t.Errorf("spinner CPU time = %v (user %v), want about %v", cpu, time.Duration(spinner.UserNS), spin)
	}
	if user := time.Duration(spinner.UserNS); user < spin*3/4 {
		t.Errorf("spinner user time = %v, want most of %v", user, spin)
	}
	t.Logf("idle %d KiB, alloc %d KiB", idle.MaxRSSKiB, alloc.MaxRSSKiB)
	// 64 MiB touched page by page is resident, plus the Go runtime's few MiB.
	if alloc.MaxRSSKiB < 64<<10 || alloc.MaxRSSKiB > 84<<10 {
		t.Errorf("allocator's peak RSS = %d KiB, want about 65536 + a few MiB", alloc.MaxRSSKiB)
	}
	// The idle subject is smaller than this test binary, whose peak Linux
	// reports as every child's floor: its figure gets a warning.
	var warned []string
	for _, w := range out.Warnings {
		name, _, _ := strings.Cut(w, ":")
		warned = append(warned, name)
	}
	if !slices.Contains(warned, "s1") || slices.Contains(warned, "s2") {
		t.Errorf("warnings %q; want one for s1 (idle, %d KiB), none for s2 (64 MiB)", out.Warnings, idle.MaxRSSKiB)
	}
}

func TestRunPinsChildFromBirth(t *testing.T) {
	allowed, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if allowed.Count() < 2 || !allowed.IsSet(1) {
		t.Skipf("needs CPU 1 and another one; allowed: %s", cpuList(allowed))
	}
	// The child is started from this thread: lock it to see that Run
	// restores its mask.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	e := experiment(t, sub("affinity=pinned"), []string{"./" + subjectName, "affinity=relative"})
	copyFile(t, subject, filepath.Join(e.Dir, subjectName))
	out, err := Run(context.Background(), e, Options{Runs: 1, Pin: []int{1}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Complete || len(out.Trials) != 2 {
		t.Fatalf("outcome %+v", out)
	}
	// Relative paths (the program and the files it writes) are in e.Dir.
	got := map[string]string{}
	for _, name := range []string{"pinned", "relative"} {
		b, err := os.ReadFile(filepath.Join(e.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got[name] = string(b)
	}
	want := map[string]string{"pinned": "1", "relative": "1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("children's CPU masks (-want +got):\n%s", diff)
	}
	after, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if after != allowed {
		t.Errorf("this thread's mask after Run = %s, want it restored to %s", cpuList(after), cpuList(allowed))
	}

	// Without a pin, children get the whole mask.
	e = experiment(t, sub("affinity=free"))
	if _, err := Run(context.Background(), e, Options{Runs: 1, Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(e.Dir, "free"))
	if err != nil {
		t.Fatal(err)
	}
	if want := cpuListPlain(allowed); string(b) != want {
		t.Errorf("unpinned child's mask = %s, want %s", b, want)
	}
}

// cpuListPlain lists every CPU of set: "0,1,2".
func cpuListPlain(set unix.CPUSet) string {
	var cpus []string
	for c := range len(set) * 64 {
		if set.IsSet(c) {
			cpus = append(cpus, fmt.Sprint(c))
		}
	}
	return strings.Join(cpus, ",")
}

// mustSet is a CPU set of cpus.
func mustSet(cpus ...int) unix.CPUSet {
	var s unix.CPUSet
	for _, c := range cpus {
		s.Set(c)
	}
	return s
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestRunCancel(t *testing.T) {
	e := experiment(t, sub("exit=0"), sub("sleep=10s"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancelled 300ms after s0's trial, while the sleeper runs: counted
	// from there, not from the start of Run, which starts the spawner (a
	// second under the race detector).
	var cancelled time.Time
	events := func(e Event) {
		if e.Kind == TrialFinished && cancelled.IsZero() {
			cancelled = time.Now().Add(300 * time.Millisecond)
			time.AfterFunc(300*time.Millisecond, cancel)
		}
	}
	out, err := Run(ctx, e, Options{Runs: 3, Timeout: 20 * time.Second, Events: events})
	if err != nil {
		t.Fatalf("Run = %v, want a nil error with the partial outcome", err)
	}
	if took := time.Since(cancelled); took > 3*time.Second {
		t.Errorf("Run returned %v after the cancellation", took)
	}
	// s0 finished; the sleeper was killed and its trial dropped.
	if diff := cmp.Diff([]slot{{0, 0, false}}, slots(out.Trials)); diff != "" {
		t.Errorf("trials (-want +got):\n%s", diff)
	}
	if out.Complete {
		t.Error("Complete = true after cancellation")
	}
	if f := out.Strategies[1].Failure; f != "" {
		t.Errorf("interrupted strategy has Failure %q; an interruption is not a failure", f)
	}

	// Cancelled before it starts, Run runs nothing.
	out, err = Run(ctx, e, Options{Runs: 3, Timeout: 20 * time.Second})
	if err != nil || out.Complete || len(out.Trials) != 0 {
		t.Errorf("Run with a cancelled context = %+v, %v; want no trials, incomplete, nil error", out, err)
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		why  string
		cmd  []string
		opts Options
		want string
	}{
		{"a missing relative program is not run", []string{"bin/nothing"}, Options{Runs: 1}, "does not exist; build it first"},
		{"a missing PATH program is named", []string{"no-such-tool-xyz"}, Options{Runs: 1}, `"no-such-tool-xyz" is not on PATH`},
		{"runs must be positive", sub("exit=0"), Options{Runs: 0}, "runs must be at least 1"},
		{"a pin outside the allowed CPUs is refused", sub("exit=0"), Options{Runs: 1, Pin: []int{1023}}, "trials.pin: CPU 1023 not available"},
	} {
		e := experiment(t, tc.cmd)
		out, err := Run(context.Background(), e, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || out != nil {
			t.Errorf("%s: Run = %v, %v; want no outcome and an error containing %q", tc.why, out, err, tc.want)
		}
	}
}

// fakeRunner plays back trials without processes: strategy i takes wallNS[i]
// (or samples[i][k] in its trial k, cycling) and fails with failure[i] in
// its trial failAt[i], counted from 0 with warm-ups (-1: never); a failure
// ends a block. events logs prepare, trial and cleanup calls.
type fakeRunner struct {
	wallNS  []int64
	samples [][]int64
	failAt  []int
	failure []string
	rounds  []int // per strategy: trials run so far
	calls   []int
	events  []string
	// prepareFails[i] is the failure of strategy i's prepare, if any.
	prepareFails []string
}

func (f *fakeRunner) prepare(i int) string {
	f.events = append(f.events, fmt.Sprintf("prepare %d", i))
	if i < len(f.prepareFails) {
		return f.prepareFails[i]
	}
	return ""
}

func (f *fakeRunner) cleanup(i int) string {
	f.events = append(f.events, fmt.Sprintf("cleanup %d", i))
	return ""
}

// trials runs the block's trials one by one, ending it at a failure;
// events logs the priming first.
func (f *fakeRunner) trials(i int, primed bool, ms []measurement) int {
	if primed {
		f.events = append(f.events, fmt.Sprintf("prime %d", i))
	}
	for k := range ms {
		if ms[k] = f.trial(i); ms[k].failure != "" {
			return k + 1
		}
	}
	return len(ms)
}

func (f *fakeRunner) trial(i int) measurement {
	f.calls = append(f.calls, i)
	f.events = append(f.events, fmt.Sprintf("trial %d", i))
	wall := int64(0)
	if i < len(f.wallNS) {
		wall = f.wallNS[i]
	}
	if i < len(f.samples) {
		wall = f.samples[i][f.rounds[i]%len(f.samples[i])]
	}
	m := measurement{record: true, trial: results.Trial{WallNS: wall}}
	if f.failAt[i] == f.rounds[i] {
		m.failure = f.failure[i]
		m.trial.ExitCode = 3
	}
	f.rounds[i]++
	return m
}

func TestProgressEvents(t *testing.T) {
	strategies := []experiments.Strategy{{Name: "a"}, {Name: "b"}}
	const ms = int64(time.Millisecond)
	// ev is the figures of one finished trial of strategy i in round.
	ev := func(i int, round int, wallNS int64, n int, meanNS float64, done, planned int, left time.Duration) Event {
		e := Event{Kind: TrialFinished, Strategy: i, Name: strategies[i].Name, Round: round, Warmup: round < 1,
			Warmups: 1, Runs: 2, WallNS: wallNS, N: n, MeanNS: meanNS, Done: done, Planned: planned, Left: left}
		return e
	}
	for _, tc := range []struct {
		why      string
		bFailsAt int
		want     []Event
	}{{
		why: "each trial's figures: estimates from each strategy's mean",
		// a takes 100ms, b 2s; 3 rounds in order ab, ba, ab. After the
		// first trial: a has 2 left at 100ms, b 3 at the overall mean
		// (100ms): 500ms. After the second: 2*100ms + 2*2s = 4.2s.
		bFailsAt: -1,
		want: []Event{
			ev(0, 0, 100*ms, 0, 0, 1, 6, 500*time.Millisecond),
			ev(1, 0, 2000*ms, 0, 0, 2, 6, 4200*time.Millisecond),
			ev(1, 1, 2000*ms, 1, 2e9, 3, 6, 2200*time.Millisecond), // 2*100ms + 2s
			ev(0, 1, 100*ms, 1, 1e8, 4, 6, 2100*time.Millisecond),  // 100ms + 2s
			ev(0, 2, 100*ms, 2, 1e8, 5, 6, 2000*time.Millisecond),  // b's last 2s
			ev(1, 2, 2000*ms, 2, 2e9, 6, 6, 0),
			{Kind: RunFinished, Warmups: 1, Runs: 2, Trials: 6, MeasuredNS: 6300 * ms, Complete: true},
		},
	}, {
		why:      "a failure is an event of its own and drops out of the estimate",
		bFailsAt: 1,
		want: []Event{
			ev(0, 0, 100*ms, 0, 0, 1, 6, 500*time.Millisecond),
			ev(1, 0, 2000*ms, 0, 0, 2, 6, 4200*time.Millisecond),
			{Kind: TrialFailed, Strategy: 1, Name: "b", Round: 1, Warmups: 1, Runs: 2,
				Failure: "exit status 3: boom\nline 2", Stops: true},
			// The plan counts b's failed trial: 5 (a 3, b 2).
			ev(0, 1, 100*ms, 1, 1e8, 4, 5, 100*time.Millisecond),
			ev(0, 2, 100*ms, 2, 1e8, 5, 5, 0),
			{Kind: RunFinished, Warmups: 1, Runs: 2, Trials: 5, MeasuredNS: 4300 * ms, Complete: true},
		},
	}} {
		f := &fakeRunner{
			wallNS:  []int64{100e6, 2e9},
			failAt:  []int{-1, tc.bFailsAt},
			failure: []string{"", "exit status 3: boom\nline 2"},
			rounds:  make([]int, 2),
		}
		var got []Event
		var started []Event
		opts := Options{Warmup: 1, Runs: 2, Events: func(e Event) {
			if e.Kind == TrialStarted {
				started = append(started, e)
				return
			}
			got = append(got, e)
		}}
		out := runRounds(context.Background(), strategies, opts, f)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", tc.why, diff)
		}
		// Every trial is announced before it runs, with its strategy and round.
		var ends []Event
		for _, e := range got {
			if e.Kind != RunFinished {
				ends = append(ends, Event{Kind: TrialStarted, Strategy: e.Strategy, Name: e.Name, Round: e.Round,
					Warmup: e.Warmup, Warmups: e.Warmups, Runs: e.Runs})
			}
		}
		if diff := cmp.Diff(ends, started); diff != "" {
			t.Errorf("%s: TrialStarted events (-want +got):\n%s", tc.why, diff)
		}
		if !out.Complete {
			t.Errorf("%s: incomplete", tc.why)
		}
	}
}

func TestRunRoundsStopsBetweenTrials(t *testing.T) {
	// Cancelled while reporting the second trial: the third never starts.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	events := func(e Event) {
		if e.Kind == TrialFinished {
			if n++; n == 2 {
				cancel()
			}
		}
	}
	f := &fakeRunner{wallNS: []int64{1, 1}, failAt: []int{-1, -1}, failure: []string{"", ""}, rounds: make([]int, 2)}
	strategies := []experiments.Strategy{{Name: "a"}, {Name: "b"}}
	out := runRounds(ctx, strategies, Options{Runs: 5, Events: events}, f)
	if diff := cmp.Diff([]int{0, 1}, f.calls); diff != "" {
		t.Errorf("trials run (-want +got):\n%s", diff)
	}
	if out.Complete || len(out.Trials) != 2 {
		t.Errorf("outcome: complete %v with %d trials; want incomplete with 2", out.Complete, len(out.Trials))
	}
}

func TestRSSWarnings(t *testing.T) {
	out := &Outcome{
		Strategies: []results.Strategy{{Name: "small"}, {Name: "big"}, {Name: "never-ran"}},
		Trials: []results.Trial{
			{Strategy: 0, MaxRSSKiB: 5000}, {Strategy: 1, MaxRSSKiB: 4000},
			{Strategy: 0, MaxRSSKiB: 6000}, {Strategy: 1, MaxRSSKiB: 6001},
		},
	}
	// Floor 6000 KiB: small never exceeded it, big did once.
	want := []string{"small: peak memory 6000 KiB is not above that of the process starting the trials (6000 KiB), which Linux counts as every child's floor; its true peak may be lower"}
	if diff := cmp.Diff(want, rssWarnings(out, 6000)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if got := rssWarnings(out, 0); got != nil {
		t.Errorf("unknown floor: warnings %q, want none", got)
	}
}

func TestSpawnerLowersRSSFloor(t *testing.T) {
	e := experiment(t, sub("exit=0"), sub("alloc=50"))
	// peaks[inProcess] is each strategy's highest MaxRSSKiB.
	peaks := map[bool][2]int64{}
	for _, inProcess := range []bool{false, true} {
		out, err := Run(context.Background(), e, Options{Runs: 3, Timeout: 10 * time.Second, InProcess: inProcess, Memory: spawn.MemoryRusage})
		if err != nil {
			t.Fatal(err)
		}
		var p [2]int64
		for _, tr := range out.Trials {
			p[tr.Strategy] = max(p[tr.Strategy], tr.MaxRSSKiB)
		}
		peaks[inProcess] = p
		t.Logf("InProcess=%v: idle %d KiB, alloc=50 %d KiB; warnings %q", inProcess, p[0], p[1], out.Warnings)
	}
	self := peakRSS(t, "/proc/self/status")
	// Started from this test binary, the idle subject cannot report less
	// than the binary's own peak; started from the spawner it reports its
	// own figure, a Go program's few MiB.
	if idle := peaks[false][0]; idle >= self || idle >= peaks[true][0] {
		t.Errorf("idle subject via the spawner: %d KiB; want below this process's %d KiB and the in-process figure %d KiB",
			idle, self, peaks[true][0])
	}
	// 50 MiB touched page by page, plus the runtime: the same either way.
	for inProcess, p := range peaks {
		if p[1] < 50<<10 || p[1] > 60<<10 {
			t.Errorf("InProcess=%v: alloc=50 peak %d KiB, want 51200 + a few MiB", inProcess, p[1])
		}
	}
}

// peakRSS reads VmHWM from a /proc/PID/status file.
func peakRSS(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kib int64
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			fmt.Sscanf(v, "%d", &kib)
		}
	}
	if kib == 0 {
		t.Fatalf("no VmHWM in %s", path)
	}
	return kib
}
