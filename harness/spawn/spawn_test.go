package spawn

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestConfigRoundTrip(t *testing.T) {
	var pin, others unix.CPUSet
	pin.Set(1)
	pin.Set(70) // beyond the first word of the mask
	others.Set(0)
	cfg := &Config{
		Paths:            []string{"/usr/bin/a", "/x/b"},
		Argv:             [][]string{{"a", "--flag", ""}, {"./b", "é\x00z"}},
		Dir:              "/tmp/exp",
		Env:              []string{"A=1", "EMPTY="},
		Pin:              true,
		PinSet:           pin,
		Others:           others,
		Isolated:         true,
		Timeout:          1500 * time.Millisecond,
		Cgroup:           "/sys/fs/cgroup/memory/x/benchlab-1-2",
		CgroupV2:         true,
		ScratchStderr:    true,
		CgroupResetsPeak: true,
	}
	got, err := decodeConfig(cfg.encode())
	if err != nil {
		t.Fatal(err)
	}
	// The files are the spawner's own: they do not travel.
	if diff := cmp.Diff(*cfg, *got); diff != "" {
		t.Errorf("config round trip (-want +got):\n%s", diff)
	}
}

func TestDecodeConfigRejectsDamage(t *testing.T) {
	b := (&Config{Paths: []string{"/p"}, Argv: [][]string{{"p", "x"}}, Dir: "/d", Env: []string{"E=1"}, Timeout: time.Second}).encode()
	// Every truncation is an error, not a panic nor a shorter config.
	for n := range len(b) {
		if _, err := decodeConfig(b[:n]); err == nil {
			t.Errorf("decodeConfig of the first %d of %d bytes: no error", n, len(b))
		}
	}
	if _, err := decodeConfig(append(b, 0)); err == nil {
		t.Error("decodeConfig with a trailing byte: no error")
	}
}

func TestResultRoundTrip(t *testing.T) {
	for _, want := range []Result{
		{WallNS: 1234567, UserNS: 7, SysNS: 9, MaxRSSKiB: 2048, Status: 3 << 8},
		{WallNS: 300e6, Status: syscall.WaitStatus(syscall.SIGKILL), TimedOut: true},
		{Cancelled: true, Status: syscall.WaitStatus(syscall.SIGKILL)},
		{Stage: StagePin, Errno: syscall.EINVAL},
		{WallNS: 5, MaxRSSKiB: 9000, PeakKiB: 512},
		{CgroupErrno: syscall.EBUSY},
	} {
		var b [resultSize]byte
		want.encode(b[:])
		var got Result
		got.decode(b[:])
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("result round trip (-want +got):\n%s", diff)
		}
	}
}

func TestLaunchAfterSpawnerDied(t *testing.T) {
	// The spawner is this test binary; it needs no program to run here.
	l, err := Start(&Config{Paths: []string{"/nonexistent"}, Argv: [][]string{{"x"}}, Dir: "/", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s := l.(*spawner)
	if floor := l.FloorKiB(); floor <= 0 {
		t.Errorf("FloorKiB = %d, want the spawner's peak", floor)
	}
	var block [1]Result
	res := &block[0]
	l.Launch(0, block[:])
	if res.Stage != StageStart || res.Errno != syscall.ENOENT {
		t.Errorf("launch of a missing program = %+v, want StageStart with ENOENT", res)
	}
	// Each death fails one launch; the spawner is started again, and
	// after maxRestarts the launches run from this process.
	for k := range maxRestarts + 1 {
		syscall.Kill(s.pid, syscall.SIGKILL)
		l.Launch(0, block[:])
		if res.Stage != StageSpawner || res.Errno != syscall.EPIPE {
			t.Errorf("launch after the spawner died (%d) = %+v, want StageSpawner with EPIPE", k, res)
		}
		l.Launch(0, block[:])
		if res.Stage != StageStart || res.Errno != syscall.ENOENT {
			t.Errorf("launch after the spawner was restarted (%d) = %+v, want StageStart with ENOENT", k, res)
		}
	}
	if s.fallback == nil {
		t.Errorf("after %d deaths the spawner is still used", maxRestarts+1)
	}
	l.Interrupt() // harmless
}

// TestNewCgroupRemovesStale: a run cgroup left by a benchlab that died
// (its pid gone) is removed when the next run makes its own; one of a
// live process is kept.
func TestNewCgroupRemovesStale(t *testing.T) {
	c, err := NewCgroup()
	if err != nil {
		t.Fatalf("no memory cgroup can be made here: %v", err)
	}
	defer c.Remove()
	parent := filepath.Dir(c.Dir)
	// A pid that does not exist: above the kernel's pid_max.
	stale := filepath.Join(parent, "benchlab-99999999-1")
	live := filepath.Join(parent, fmt.Sprintf("benchlab-%d-1", os.Getpid()))
	for _, d := range []string{stale, live} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	defer syscall.Rmdir(live)
	c2, err := NewCgroup()
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Remove()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		syscall.Rmdir(stale)
		t.Errorf("stale %s: %v, want it removed", stale, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("live %s: %v, want it kept", live, err)
	}
}

// A stopped spawner is resumed by the watchdog, and that launch fails:
// its times include the stop.
func TestLaunchWhileSpawnerStopped(t *testing.T) {
	l, err := Start(&Config{Paths: []string{"/bin/sleep"}, Argv: [][]string{{"sleep", "0.5"}}, Dir: "/", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pid := l.(*spawner).pid
	time.AfterFunc(100*time.Millisecond, func() { syscall.Kill(pid, syscall.SIGSTOP) })
	var block [1]Result
	res := &block[0]
	l.Launch(0, block[:])
	if res.Stage != StageStopped {
		t.Errorf("launch while the spawner was stopped = %+v, want StageStopped", res)
	}
	l.Launch(0, block[:])
	if res.Stage != OK || res.Status.ExitStatus() != 0 {
		t.Errorf("the next launch = %+v, want a clean exit", res)
	}
}

// TestBlock: a launch runs its command as many times as its block asks,
// back to back after any priming runs, in one cgroup that measures each
// run's peak (TestBlockPeakPerRun), and the first run that fails ends the
// block; from the spawner and from this process alike.
func TestBlock(t *testing.T) {
	cg, err := NewCgroup()
	if err != nil {
		t.Fatalf("no memory cgroup can be made here: %v", err)
	}
	defer cg.Remove()
	// Each run appends a line to the file $1, and the run that finds
	// $2 lines there exits 3: the file counts the runs, priming ones
	// included.
	script := `n=$(wc -l < "$1"); echo x >> "$1"; [ "$n" -ne "$2" ] || exit 3`
	for _, tt := range []struct {
		name      string
		spawner   bool
		prime     bool
		block     int
		failAt    int // the run (from 0, priming included) that fails; -1: none
		wantN     int
		wantRuns  int
		wantLastX int // the last result's exit status
	}{
		{name: "block of one", block: 1, failAt: -1, wantN: 1, wantRuns: 1},
		{name: "block of five", block: 5, failAt: -1, wantN: 5, wantRuns: 5},
		{name: "primed block", prime: true, block: 3, failAt: -1, wantN: 3, wantRuns: PrimeRuns + 3},
		{name: "third run fails", block: 5, failAt: 2, wantN: 3, wantRuns: 3, wantLastX: 3},
		{name: "primed, second timed run fails", prime: true, block: 4, failAt: PrimeRuns + 1, wantN: 2, wantRuns: PrimeRuns + 2, wantLastX: 3},
		{name: "spawner: block of five", spawner: true, block: 5, failAt: -1, wantN: 5, wantRuns: 5},
		{name: "spawner: primed, fails", spawner: true, prime: true, block: 6, failAt: PrimeRuns + 3, wantN: 4, wantRuns: PrimeRuns + 4, wantLastX: 3},
		{name: "spawner: the largest block", spawner: true, block: MaxBlock, failAt: -1, wantN: MaxBlock, wantRuns: MaxBlock},
	} {
		t.Run(tt.name, func(t *testing.T) {
			count := runCounter(t)
			cfg := &Config{Paths: []string{"/bin/sh"}, Argv: [][]string{{"sh", "-c", script, "sh", count, strconv.Itoa(tt.failAt)}},
				Dir: "/", Timeout: 10 * time.Second, Cgroup: cg.Dir, CgroupV2: cg.V2, CgroupResetsPeak: cg.ResetsPeak}
			l := blockLauncher(t, cfg, tt.spawner, tt.prime)
			res := make([]Result, tt.block)
			n := l.Launch(0, res)
			b, _ := os.ReadFile(count)
			if runs := bytes.Count(b, []byte("\n")); n != tt.wantN || runs != tt.wantRuns {
				t.Fatalf("Launch = %d results after %d runs, want %d after %d", n, runs, tt.wantN, tt.wantRuns)
			}
			for k, r := range res[:n] {
				last := k == n-1
				want := 0
				if last {
					want = tt.wantLastX
				}
				if r.Stage != OK || r.Status.ExitStatus() != want || r.WallNS <= 0 || r.Succeeded() != (want == 0) {
					t.Errorf("run %d = %+v, want stage OK, exit status %d, a wall time", k, r, want)
				}
				if r.PeakKiB <= 0 || r.CgroupErrno != 0 || !cg.ResetsPeak && r.PeakKiB != res[0].PeakKiB {
					t.Errorf("run %d: peak %d KiB (errno %v), want one (without resets, the block's: %d KiB)", k, r.PeakKiB, r.CgroupErrno, res[0].PeakKiB)
				}
			}
			for k, r := range res[n:] {
				if r != (Result{}) {
					t.Errorf("result %d after the block ended = %+v, want it empty", n+k, r)
				}
			}
		})
	}
}

// runCounter returns an empty file for a test's script to count its runs
// in, a line a run.
func runCounter(t *testing.T) string {
	t.Helper()
	count := filepath.Join(t.TempDir(), "runs")
	if err := os.WriteFile(count, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return count
}

// blockLauncher returns a launcher for cfg, the spawner or this process,
// closed when the test ends, its next launch primed if asked.
func blockLauncher(t *testing.T, cfg *Config, spawner, prime bool) Launcher {
	t.Helper()
	var l Launcher = InProcess(cfg)
	if spawner {
		var err error
		if l, err = Start(cfg); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(l.Close)
	if prime {
		l.Prime()
	}
	return l
}

// TestBlockPeakPerRun: where the kernel resets a cgroup's peak (v1, and
// v2 since Linux 6.12), each timed run of a launch gets its own peak: a
// run that touches 40 MiB among runs that touch almost nothing has 40 MiB
// and more, the runs after it less than 20 MiB, and a priming run's
// 40 MiB leaves the timed runs' peaks alone. Where it cannot, every run
// has the launch's peak, priming runs included.
func TestBlockPeakPerRun(t *testing.T) {
	cg, err := NewCgroup()
	if err != nil {
		t.Fatalf("no memory cgroup can be made here: %v", err)
	}
	defer cg.Remove()
	t.Logf("cgroup v2 %v, peak reset %v", cg.V2, cg.ResetsPeak)
	// Each run counts itself in the file $1 (priming runs included); a
	// run whose number is among $2 has dd fill a buffer of 40 MiB.
	script := `n=$(wc -l < "$1"); echo x >> "$1"; case " $2 " in *" $n "*) dd if=/dev/zero of=/dev/null bs=40M count=1 2>/dev/null;; esac`
	const big, small = 40 << 10, 20 << 10 // KiB
	for _, tt := range []struct {
		name    string
		spawner bool
		prime   bool
		bigRuns string // the runs (from 0, priming included) that touch 40 MiB
		wantBig []bool // which timed runs' peaks are 40 MiB and more
	}{
		{name: "the second of four", bigRuns: "1", wantBig: []bool{false, true, false, false}},
		{name: "primed, a priming run", prime: true, bigRuns: "0", wantBig: []bool{false, false, false}},
		{name: "primed, the first and last timed", prime: true, bigRuns: fmt.Sprintf("%d %d", PrimeRuns, PrimeRuns+2), wantBig: []bool{true, false, true}},
		{name: "spawner: the third of four", spawner: true, bigRuns: "2", wantBig: []bool{false, false, true, false}},
		{name: "spawner: primed, a priming run", spawner: true, prime: true, bigRuns: "3", wantBig: []bool{false, false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{Paths: []string{"/bin/sh"}, Argv: [][]string{{"sh", "-c", script, "sh", runCounter(t), tt.bigRuns}},
				Dir: "/", Timeout: 10 * time.Second, Cgroup: cg.Dir, CgroupV2: cg.V2, CgroupResetsPeak: cg.ResetsPeak}
			l := blockLauncher(t, cfg, tt.spawner, tt.prime)
			res := make([]Result, len(tt.wantBig))
			if n := l.Launch(0, res); n != len(res) {
				t.Fatalf("Launch = %d results, want %d", n, len(res))
			}
			peaks := make([]int64, len(res))
			for k, r := range res {
				peaks[k] = r.PeakKiB
				if !r.Succeeded() || r.CgroupErrno != 0 {
					t.Fatalf("run %d = %+v, want a clean exit and a peak", k, r)
				}
			}
			t.Logf("peaks %v KiB", peaks)
			for k, p := range peaks {
				switch {
				case !cg.ResetsPeak:
					// Without the reset every run has the launch's peak,
					// which covers the 40 MiB run wherever it was.
					if p != peaks[0] || p < big {
						t.Errorf("run %d: peak %d KiB, want the launch's, at least %d KiB", k, p, big)
					}
				case tt.wantBig[k] && p < big, !tt.wantBig[k] && p >= small:
					t.Errorf("run %d: peak %d KiB, want %s", k, p, map[bool]string{true: "at least 40 MiB", false: "under 20 MiB"}[tt.wantBig[k]])
				}
			}
		})
	}
}

// TestBlockInterrupted: Interrupt during a block kills the running run,
// which is the block's last, Cancelled; the runs before it stand.
func TestBlockInterrupted(t *testing.T) {
	for _, spawner := range []bool{false, true} {
		cfg := &Config{Paths: []string{"/bin/sleep"}, Argv: [][]string{{"sleep", "0.2"}}, Dir: "/", Timeout: 10 * time.Second}
		var l Launcher = InProcess(cfg)
		if spawner {
			var err error
			if l, err = Start(cfg); err != nil {
				t.Fatal(err)
			}
		}
		time.AfterFunc(500*time.Millisecond, l.Interrupt)
		res := make([]Result, 20)
		n := l.Launch(0, res)
		if n < 1 || n == len(res) || !res[n-1].Cancelled {
			t.Errorf("spawner=%v: %d of %d runs, the last %+v; want the block cut short by a cancelled run", spawner, n, len(res), res[n-1])
		}
		for k, r := range res[:n-1] {
			if !r.Succeeded() {
				t.Errorf("spawner=%v: run %d before the cancelled one = %+v, want a clean exit", spawner, k, r)
			}
		}
		l.Close()
	}
}

// TestSpawnerRefusesBadBlock: the spawner answers a block it cannot hold
// with EINVAL, runs nothing, and drops the priming asked with it.
func TestSpawnerRefusesBadBlock(t *testing.T) {
	count := filepath.Join(t.TempDir(), "runs")
	cfg := &Config{Paths: []string{"/bin/sh"}, Argv: [][]string{{"sh", "-c", `echo x >> "$1"`, "sh", count}}, Dir: "/", Timeout: 10 * time.Second}
	l, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Prime()
	res := make([]Result, MaxBlock+1)
	if n := l.Launch(0, res); n != 1 || res[0].Stage != StageSpawner || res[0].Errno != syscall.EINVAL {
		t.Errorf("a block of %d = %d results, the first %+v; want one, StageSpawner with EINVAL", len(res), n, res[0])
	}
	if n := l.Launch(0, res[:2]); n != 2 || !res[0].Succeeded() || !res[1].Succeeded() {
		t.Errorf("the next block of 2 = %d results %+v, want 2 clean runs", n, res[:n])
	}
	b, _ := os.ReadFile(count)
	if runs := bytes.Count(b, []byte("\n")); runs != 2 {
		t.Errorf("%d runs in all, want 2: the refused block's priming must not carry over", runs)
	}
}
