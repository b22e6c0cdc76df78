package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"benchlab/harness/spawn"
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
// trial's cgroup, and is killed with it when the trial ends.
func TestCgroupEndsProcessTree(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "daemon.pid")
	e := experiment(t, sub("daemon="+pidFile))
	out, err := Run(context.Background(), e, Options{Runs: 1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if out.Memory == spawn.MemoryRusage {
		t.Fatalf("no cgroup: %q", out.Warnings)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	// Killed, it is a zombie until init reaps it: not running in any case.
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || strings.Contains(string(st), ") Z ") {
			break
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("daemon %d still runs after its trial ended: %s", pid, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
