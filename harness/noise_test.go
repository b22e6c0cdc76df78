package harness

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseCPUTimes(t *testing.T) {
	// Both ran a guest: guest (5) and guest_nice (2) are already inside
	// user and nice, so cpu0's total = 10+1+4+80+3+1+1+0 = 100, idle =
	// 80+3 = 83; cpu1's host stole 7 ticks, which count in its total;
	// cpu2's line is of a kernel without the steal column.
	stat := `cpu  20 2 8 160 6 2 2 7 10 4
cpu0 10 1 4 80 3 1 1 0 5 2
cpu1 10 1 4 80 3 1 1 7 5 2
cpu2 1 2 3 4 0 0 0
intr 12345
cpuX 1 2 3 4 5 6
`
	want := map[int]jiffies{0: {idle: 83, total: 100, hasSteal: true}, 1: {idle: 83, steal: 7, total: 107, hasSteal: true}, 2: {idle: 4, total: 10}}
	if diff := cmp.Diff(want, parseCPUTimes(stat), cmp.AllowUnexported(jiffies{})); diff != "" {
		t.Errorf("parseCPUTimes (-want +got):\n%s", diff)
	}
}

func TestNoiseGateBefore(t *testing.T) {
	l := NoiseLimits{MaxLoad: 1.5, MaxBusy: 0.2}
	for _, tt := range []struct {
		why  string
		s    HostSample
		want []string
	}{
		{"a quiet host passes", HostSample{Load1: 0.4, CPUs: 2, Busy: 0.03}, nil},
		{"issue #10: load 5 on 2 CPUs is 2.5 per CPU, above 1.5", HostSample{Load1: 5, CPUs: 2, Busy: 0.05},
			[]string{"before the trials the 1-minute load average was 5.00 on 2 CPUs, 2.50 per CPU, above the limit of 1.5 per CPU (host.max_load)"}},
		{"the same load on 8 CPUs is within the limit", HostSample{Load1: 5, CPUs: 8, Busy: -1}, nil},
		{"exactly at the limit passes", HostSample{Load1: 3, CPUs: 2, Busy: 0.2}, nil},
		{"a busy pinned CPU", HostSample{Load1: 1, CPUs: 2, Busy: 0.85},
			[]string{"before the trials pinned CPU 1 was 85% busy with other work, above the limit of 20% (host.max_busy)"}},
		{"both limits broken: both reasons", HostSample{Load1: 7, CPUs: 2, Busy: 0.9},
			[]string{"before the trials the 1-minute load average was 7.00 on 2 CPUs, 3.50 per CPU, above the limit of 1.5 per CPU (host.max_load)",
				"before the trials pinned CPU 1 was 90% busy with other work, above the limit of 20% (host.max_busy)"}},
		{"nothing known: nothing judged", HostSample{Load1: 9, CPUs: 0, Busy: -1}, nil},
	} {
		if diff := cmp.Diff(tt.want, l.Before(tt.s, "pinned CPU 1")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestNoiseGateDuring(t *testing.T) {
	l := NoiseLimits{MaxLoad: 1.5, MaxBusy: 0.2}
	const s = int64(1e9)
	for _, tt := range []struct {
		why         string
		busy, total uint64 // ticks of 10 ms
		ownNS       int64
		wantOther   float64
		wantNoisy   bool
	}{
		// 10 s span: 1000 ticks; the CPU was busy 960 of them, 9.5 s of
		// which were the trials': 0.1 s of other work, 1%.
		{"the trials kept the CPU busy themselves", 960, 1000, 9*s + s/2, 0.01, false},
		// Busy all 1000 ticks, the trials 5 s: 5 s of other work, 50%.
		{"another program took half the pinned CPU", 1000, 1000, 5 * s, 0.5, true},
		// The trials' own time is larger than the busy time (it partly ran
		// on other CPUs, or rounding): no other work, never negative.
		{"own time beyond the busy time counts as none", 500, 1000, 6 * s, 0, false},
		{"a span under a second is not judged", 50, 99, 0, -1, false},
	} {
		other, reasons := l.During(tt.busy, tt.total, tt.ownNS, "pinned CPU 1")
		if math.Abs(other-tt.wantOther) > 1e-9 || (len(reasons) > 0) != tt.wantNoisy {
			t.Errorf("%s: other %v, reasons %q; want %v, noisy %v", tt.why, other, reasons, tt.wantOther, tt.wantNoisy)
		}
	}
	_, reasons := l.During(1000, 1000, 5*s, "all 2 CPUs")
	if want := "during the trials all 2 CPUs spent 50% of the time on work other than the trials, above the limit of 20% (host.max_busy)"; len(reasons) != 1 || reasons[0] != want {
		t.Errorf("reason %q, want %q", reasons, want)
	}
}

func TestSumJiffies(t *testing.T) {
	before := map[int]jiffies{0: {idle: 100, total: 200, hasSteal: true}, 1: {idle: 50, steal: 5, total: 200, hasSteal: true}, 2: {idle: 10, total: 20}}
	after := map[int]jiffies{0: {idle: 180, total: 300, hasSteal: true}, 1: {idle: 60, steal: 35, total: 300, hasSteal: true}, 2: {idle: 15, total: 30}}
	// CPU 1: 100 ticks, 10 idle, 90 busy, 30 of them stolen.
	if busy, steal, total, ok, stealOK := sumJiffies([]int{1}, before, after); !ok || !stealOK || busy != 90 || steal != 30 || total != 100 {
		t.Errorf("CPU 1: busy %d steal %d total %d ok %v %v; want 90, 30, 100", busy, steal, total, ok, stealOK)
	}
	// Both: 200 ticks, 90 idle.
	if busy, steal, total, ok, stealOK := sumJiffies([]int{0, 1}, before, after); !ok || !stealOK || busy != 110 || steal != 30 || total != 200 {
		t.Errorf("CPUs 0, 1: busy %d steal %d total %d ok %v %v; want 110, 30, 200", busy, steal, total, ok, stealOK)
	}
	if _, _, _, ok, _ := sumJiffies([]int{7}, before, after); ok {
		t.Error("a CPU missing from /proc/stat was summed")
	}
	// A steal count that went backwards (it jumps after a live
	// migration), or a kernel without the column: the busy time is still
	// a reading, the steal is not.
	back := map[int]jiffies{1: {idle: 60, steal: 1, total: 300, hasSteal: true}}
	if busy, _, total, ok, stealOK := sumJiffies([]int{1}, before, back); !ok || stealOK || busy != 90 || total != 100 {
		t.Errorf("steal went backwards: busy %d total %d ok %v steal ok %v; want 90, 100, a reading without steal", busy, total, ok, stealOK)
	}
	if _, _, total, ok, stealOK := sumJiffies([]int{1, 2}, before, after); !ok || stealOK || total != 110 {
		t.Errorf("a CPU without steal: total %d ok %v steal ok %v; want 110, a reading without steal", total, ok, stealOK)
	}
}

// fakeClock advances by step each time it is read.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestWaitQuietGivesUp(t *testing.T) {
	var out strings.Builder
	clock := &fakeClock{t: time.Unix(0, 0), step: time.Second}
	looks := 0
	q := Quiet{
		// A limit no host meets: a tiny load per CPU, with load 2 on 2 CPUs.
		Limits: NoiseLimits{MaxLoad: 0.001, MaxBusy: 0.2},
		Sample: func() (HostSample, string) { looks++; return HostSample{Load1: 2, CPUs: 2, Busy: 0.1}, "pinned CPU 1" },
		Now:    clock.now,
		Out:    &out,
	}
	if q.Wait(context.Background(), 5*time.Second) {
		t.Fatalf("waited for an unreachable limit and said the host was quiet:\n%s", out.String())
	}
	if looks > 10 {
		t.Errorf("looked %d times within 5 s of 1 s looks", looks)
	}
	for _, want := range []string{
		"waiting up to 5s for a quiet host (load at most 0.001 per CPU, pinned CPU 1 at most 20% busy): load 2.00 on 2 CPUs, pinned CPU 1 10% busy\n",
		"gave up waiting for a quiet host after 5s: load 2.00 on 2 CPUs, pinned CPU 1 10% busy; running anyway, and the run will be marked noisy if it stays so\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestWaitQuietSettles(t *testing.T) {
	var out strings.Builder
	clock := &fakeClock{t: time.Unix(0, 0), step: time.Second}
	loads := []float64{6, 5, 4, 2.5}
	q := Quiet{
		Limits: NoiseLimits{MaxLoad: 1.5, MaxBusy: 0.2},
		Sample: func() (HostSample, string) {
			l := loads[0]
			if len(loads) > 1 {
				loads = loads[1:]
			}
			return HostSample{Load1: l, CPUs: 2, Busy: 0.05}, "pinned CPU 1"
		},
		Now: clock.now,
		Out: &out,
	}
	if !q.Wait(context.Background(), time.Minute) {
		t.Fatalf("the load fell to 1.25 per CPU, under 1.5, yet it gave up:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "host quiet after") || !strings.Contains(out.String(), "load 2.50 on 2 CPUs") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestWaitFlag(t *testing.T) {
	for _, tt := range []struct {
		set  string
		want time.Duration
		err  bool
	}{
		{"true", DefaultWaitQuiet, false},
		{"30s", 30 * time.Second, false},
		{"false", 0, false},
		{"soon", 0, true},
		{"-1s", 0, true},
	} {
		var f WaitFlag
		err := f.Set(tt.set)
		if (err != nil) != tt.err || (!tt.err && f.D != tt.want) {
			t.Errorf("Set(%q): %v, err %v; want %v, error %v", tt.set, f.D, err, tt.want, tt.err)
		}
	}
}

// WatchNoise and Judge read the real /proc: a run whose host sample broke
// the load limit is marked noisy with the reason, whatever the machine.
func TestJudgeRecordsBefore(t *testing.T) {
	w := WatchNoise(NoiseLimits{MaxLoad: 1.5, MaxBusy: 1}, nil)
	n := results.Noise{LoadAvg: [3]float64{1e6, 0, 0}}
	w.Judge(&n, nil)
	if !n.Noisy || len(n.Reasons) == 0 || !strings.Contains(n.Reasons[0], "1-minute load average was 1000000.00") {
		t.Errorf("noise after Judge: %+v", n)
	}
	if n.MaxLoad != 1.5 || n.MaxBusy != 1 {
		t.Errorf("limits not recorded: %+v", n)
	}
}

// Over a span long enough to judge, Judge records the other work and the
// host's steal, read from the real /proc/stat (a kernel of this century
// has the column): a fraction.
func TestJudgeRecordsSteal(t *testing.T) {
	w := WatchNoise(NoiseLimits{MaxLoad: 1e9, MaxBusy: 1}, nil)
	time.Sleep(1100 * time.Millisecond) // over minJudgedJiffies on one CPU
	var n results.Noise
	w.Judge(&n, nil)
	if n.OtherBusy == nil || n.Steal == nil {
		t.Fatalf("after 1.1 s: other work %v, steal %v; want both measured", n.OtherBusy, n.Steal)
	}
	if *n.Steal < 0 || *n.Steal > 1 {
		t.Errorf("steal %v is not a fraction", *n.Steal)
	}
}

// Ctrl-C while waiting stops the wait at once.
func TestWaitQuietCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clock := &fakeClock{t: time.Unix(0, 0), step: time.Millisecond}
	looks := 0
	q := Quiet{
		Limits: NoiseLimits{MaxLoad: 0.001, MaxBusy: 0.2},
		Sample: func() (HostSample, string) { looks++; return HostSample{Load1: 2, CPUs: 2, Busy: -1}, "all 2 CPUs" },
		Now:    clock.now,
		Out:    io.Discard,
	}
	if q.Wait(ctx, time.Hour) || looks != 1 {
		t.Errorf("cancelled: waited through %d looks", looks)
	}
}

// TestPinnedBusy: sampling the pinned CPUs records how busy each was and
// warns only about a CPU it could not sample. A busy CPU is the noise
// gate's to judge (its Reasons say it once); a warning here as well made
// the run summary and the report say it twice.
func TestPinnedBusy(t *testing.T) {
	before := map[int]jiffies{1: {idle: 1000, total: 2000}, 2: {idle: 500, total: 900}}
	// CPU 1: 100 ticks, 4 idle → 96% busy; CPU 2: 100 ticks, 99 idle → 1%;
	// CPU 3 has no counters.
	after := map[int]jiffies{1: {idle: 1004, total: 2100}, 2: {idle: 599, total: 1000}}
	busy, warnings := pinnedBusy([]int{1, 2, 3}, before, after)
	if diff := cmp.Diff([]float64{0.96, 0.01, -1}, busy, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("busy fractions (-want +got):\n%s", diff)
	}
	want := []string{"pinned CPU 3: no counters in /proc/stat, its load was not sampled"}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
