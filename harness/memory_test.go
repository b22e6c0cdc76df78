package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"benchlab/harness/spawn"
	"benchlab/results"
)

// TestCgroupPeakMemory measures real subjects in a cgroup per trial, through
// the spawner and from this process: two runs of the test subject that
// differ only in touching 10 or 100 MiB differ by 90 MiB (within 5%), and
// /bin/true comes out below 2 MiB, free of the floor of the process that
// started it. Where no memory cgroup can be made the run falls back to
// ru_maxrss, says so in a warning, and this test fails: the numbers it
// checks exist only with a cgroup.
func TestCgroupPeakMemory(t *testing.T) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	e := experiment(t, sub("alloc=10"), sub("alloc=100"), []string{truePath})
	for _, inProcess := range []bool{false, true} {
		out, err := Run(context.Background(), e, Options{Runs: 2, Timeout: 20 * time.Second, InProcess: inProcess})
		if err != nil {
			t.Fatal(err)
		}
		if out.Memory != spawn.MemoryCgroupV1 && out.Memory != spawn.MemoryCgroupV2 {
			t.Fatalf("InProcess=%v: memory measured by %q, want a cgroup; warnings %q", inProcess, out.Memory, out.Warnings)
		}
		if len(out.Warnings) > 0 {
			t.Errorf("InProcess=%v: warnings %q, want none", inProcess, out.Warnings)
		}
		// The highest peak of each strategy over its trials.
		var peak [3]int64
		for _, tr := range out.Trials {
			if !tr.OK() {
				t.Fatalf("trial %+v failed: %v", tr, out.Strategies[tr.Strategy].Failure)
			}
			peak[tr.Strategy] = max(peak[tr.Strategy], tr.MaxRSSKiB)
		}
		t.Logf("InProcess=%v (%s): alloc=10 %d KiB, alloc=100 %d KiB, true %d KiB", inProcess, out.Memory, peak[0], peak[1], peak[2])
		// 90 MiB = 92160 KiB, ±5%: 87552 to 96768.
		if d := peak[1] - peak[0]; d < 87552 || d > 96768 {
			t.Errorf("InProcess=%v: alloc=100 − alloc=10 = %d KiB, want 92160 ± 5%%", inProcess, d)
		}
		if peak[2] <= 0 || peak[2] >= 2048 {
			t.Errorf("InProcess=%v: /bin/true peak %d KiB, want above 0 and below 2048", inProcess, peak[2])
		}
	}
}

// TestMemoryRusageFallback forces ru_maxrss: the run says so, and the
// figure of /bin/true is floored at the starter's peak (a warning says so).
func TestMemoryRusageFallback(t *testing.T) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	e := experiment(t, []string{truePath})
	out, err := Run(context.Background(), e, Options{Runs: 1, Timeout: 10 * time.Second, Memory: spawn.MemoryRusage})
	if err != nil {
		t.Fatal(err)
	}
	if out.Memory != spawn.MemoryRusage {
		t.Errorf("memory method %q, want %q", out.Memory, spawn.MemoryRusage)
	}
	if len(out.Warnings) != 1 {
		t.Errorf("warnings %q, want one about the floor", out.Warnings)
	}
}

// TestCgroupEndsProcessTree: a daemon the trial started in a session of its
// own (out of its process group, which the harness kills) is still in the
// trial's cgroup, and is killed with it when the trial ends: it is gone
// when the trial's end is reported, before the next trial (the run's
// cgroup is emptied again when the run ends, which would hide a trial that
// left it running). The trials start from this process: the spawner, a
// child subreaper, would also sweep the daemon up (hostile_test.go), and
// hide whether the cgroup ended it.
func TestCgroupEndsProcessTree(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "daemon.pid")
	e := experiment(t, sub("daemon="+pidFile))
	checked := false
	events := func(ev Event) {
		if ev.Kind != TrialFinished || checked {
			return
		}
		checked = true
		b, err := os.ReadFile(pidFile)
		if err != nil {
			t.Error(err)
			return
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil {
			t.Error(err)
			return
		}
		// Killed, it is a zombie until init reaps it: not running in any
		// case. The cgroup is emptied before the trial is reported, so no
		// wait is needed.
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(st), ") Z ") {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("daemon %d still runs after its trial ended: %s", pid, st)
		}
	}
	out, err := Run(context.Background(), e, Options{Runs: 2, Timeout: 10 * time.Second, InProcess: true, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	if out.Memory == spawn.MemoryRusage {
		t.Fatalf("no cgroup: %q", out.Warnings)
	}
	if !checked {
		t.Fatal("no trial was reported")
	}
}

// cgroupLauncher answers every launch with result: a launch whose cgroup
// worked or failed, without a process, for what procRunner records of it.
type cgroupLauncher struct{ result spawn.Result }

func (l cgroupLauncher) Launch(_ int, res []spawn.Result) int { res[0] = l.result; return 1 }
func (cgroupLauncher) Prime()                                 {}
func (cgroupLauncher) Interrupt()                             {}
func (cgroupLauncher) FloorKiB() int64                        { return 0 }
func (cgroupLauncher) Close()                                 {}

// TestCgroupFailedTrialMemoryUnknown: in a run that measures memory in
// cgroups (Settings.Memory says so for every trial), a trial whose cgroup
// failed records its peak memory as unknown, not its ru_maxrss, which
// would pass for a cgroup's peak; a warning counts such trials.
func TestCgroupFailedTrialMemoryUnknown(t *testing.T) {
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	for _, tt := range []struct {
		why     string
		result  spawn.Result
		wantKiB int64
		known   bool
	}{
		{"the cgroup's peak is the trial's", spawn.Result{WallNS: 1e6, MaxRSSKiB: 9000, PeakKiB: 700}, 700, true},
		{"a failed cgroup leaves it unknown", spawn.Result{WallNS: 1e6, MaxRSSKiB: 9000, CgroupErrno: syscall.EBUSY}, 0, false},
	} {
		r := &procRunner{ctx: context.Background(), launcher: cgroupLauncher{tt.result}, cgroup: &spawn.Cgroup{}, stderr: stderr}
		var ms [1]measurement
		r.trials(0, false, ms[:])
		m := ms[0]
		if !m.record || m.trial.MaxRSSKiB != tt.wantKiB || m.trial.Known(results.UnknownRSS) != tt.known {
			t.Errorf("%s: trial %+v, want %d KiB, known %v", tt.why, m.trial, tt.wantKiB, tt.known)
		}
		w := r.memoryWarnings()
		if tt.known && len(w) > 0 || !tt.known && (len(w) != 1 || !strings.Contains(w[0], "peak memory is unknown")) {
			t.Errorf("%s: warnings %q", tt.why, w)
		}
	}
}

// TestPrimedTrialSharesCgroup: a primed trial's priming runs and timed run
// all run in the trial's cgroup (see spawn's Launch), as an unprimed
// trial's one run does, and a failed priming run changes nothing of that.
// Every run logs the memory cgroup it ran in.
func TestPrimedTrialSharesCgroup(t *testing.T) {
	// The second run (the second trial's first priming run) fails when
	// fail is set.
	script := `n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count; ` + logCgroup + `; [ -z "$fail" ] || [ $n -ne 2 ]`
	for _, tc := range []struct {
		inProcess bool
		fail      string
	}{{false, ""}, {true, ""}, {false, "1"}} {
		e := experiment(t, []string{"env", "fail=" + tc.fail, "sh", "-c", script})
		out, err := Run(context.Background(), e, Options{Runs: 2, Timeout: 10 * time.Second, InProcess: tc.inProcess, Prime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if out.Memory == spawn.MemoryRusage {
			t.Fatalf("no memory cgroup: %q", out.Warnings)
		}
		inTrial, b := cgroupLog(t, e.Dir)
		// The first trial (its length unknown: not primed), then the
		// second's priming runs and the second itself.
		want := []bool{true}
		for range spawn.PrimeRuns + 1 {
			want = append(want, true)
		}
		if !slices.Equal(inTrial, want) || out.Order.Primed != spawn.PrimeRuns || !out.Order.PrimedSharedCgroup {
			t.Errorf("%+v: runs in the trial's cgroup %v, want %v, with %d priming runs (got %d) and the order saying so (%+v); log:\n%s",
				tc, inTrial, want, spawn.PrimeRuns, out.Order.Primed, out.Order, b)
		}
		if len(out.Trials) != 2 {
			t.Fatalf("%+v: %d trials, want 2", tc, len(out.Trials))
		}
		for _, tr := range out.Trials {
			if !tr.OK() || tr.MaxRSSKiB <= 0 {
				t.Errorf("%+v: trial %+v failed or has no peak memory", tc, tr)
			}
		}
	}
}

// logCgroup is a shell command that appends the memory cgroup it runs in
// to the file log (cgroup v1's memory line, else v2's).
const logCgroup = `{ grep ':memory:' /proc/$$/cgroup || grep '^0::' /proc/$$/cgroup; } >> log`

// cgroupLog reads the log that runs of logCgroup wrote in dir: for each
// run, whether it ran in a trial's cgroup; and the log itself.
func cgroupLog(t *testing.T, dir string) ([]bool, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	var inTrial []bool
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		inTrial = append(inTrial, strings.HasSuffix(l, "/trial"))
	}
	return inTrial, b
}
