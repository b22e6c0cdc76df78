package harness

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"benchlab/experiments"
	"benchlab/results"

	"golang.org/x/sys/unix"
)

// MeasureNoise reads what affects timing noise on this host (load, cpufreq
// governors and turbo, ASLR, isolated CPUs) and samples /proc/stat for
// sample to see how busy the pinned CPUs are. It returns the record and
// warnings about what the record could not measure or what no limit
// judges (a governor other than performance). How busy the host was is
// the noise gate's to judge (NoiseWatch.Judge), against the experiment's
// limits, and said once, in Noise.Reasons. Files a host lacks are left
// out, not errors.
func MeasureNoise(pin []int, sample time.Duration) (results.Noise, []string) {
	n := results.Noise{ASLR: -1}
	if f := strings.Fields(readText("/proc/loadavg")); len(f) >= 3 {
		for i := range 3 {
			n.LoadAvg[i], _ = strconv.ParseFloat(f[i], 64)
		}
	}
	govs, _ := filepath.Glob("/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor")
	for _, g := range govs {
		if v := strings.TrimSpace(readText(g)); v != "" && !slices.Contains(n.Governors, v) {
			n.Governors = append(n.Governors, v)
		}
	}
	slices.Sort(n.Governors)
	if v := strings.TrimSpace(readText("/sys/devices/system/cpu/intel_pstate/no_turbo")); v != "" {
		n.Turbo = map[bool]string{true: "off", false: "on"}[v == "1"]
	} else if v := strings.TrimSpace(readText("/sys/devices/system/cpu/cpufreq/boost")); v != "" {
		n.Turbo = map[bool]string{true: "on", false: "off"}[v == "1"]
	}
	if v, err := strconv.Atoi(strings.TrimSpace(readText("/proc/sys/kernel/randomize_va_space"))); err == nil {
		n.ASLR = v
	}
	n.IsolatedCPUs = strings.TrimSpace(readText("/sys/devices/system/cpu/isolated"))

	var warnings []string
	if len(pin) > 0 && sample > 0 {
		before := cpuTimes()
		time.Sleep(sample)
		after := cpuTimes()
		n.SampleMS = int(sample.Milliseconds())
		n.PinnedBusy, warnings = pinnedBusy(pin, before, after)
	}
	if len(n.Governors) > 0 && !slices.Equal(n.Governors, []string{"performance"}) {
		warnings = append(warnings, fmt.Sprintf("cpufreq governor %s, not performance: clock speed may vary during the run",
			strings.Join(n.Governors, ", ")))
	}
	return n, warnings
}

// pinnedBusy returns the busy fraction of each pinned CPU between two
// readings of /proc/stat, -1 with a warning for a CPU without counters.
// A busy CPU gets no warning here: the gate judges it.
func pinnedBusy(pin []int, before, after map[int]jiffies) ([]float64, []string) {
	var busy []float64
	var warnings []string
	for _, c := range pin {
		b, okB := before[c]
		a, okA := after[c]
		total := a.total - b.total
		if !okA || !okB || total == 0 {
			// Not measured: say so rather than record 0% busy.
			busy = append(busy, -1)
			warnings = append(warnings, fmt.Sprintf("pinned CPU %d: no counters in /proc/stat, its load was not sampled", c))
			continue
		}
		busy = append(busy, 1-float64(a.idle-b.idle)/float64(total))
	}
	return busy, warnings
}

// jiffies are one CPU's counters from /proc/stat; hasSteal says the line
// had a steal column (kernels since 2.6.11).
type jiffies struct {
	idle, steal, total uint64
	hasSteal           bool
}

// cpuTimes reads /proc/stat's per-CPU lines: idle (idle + iowait), steal
// (the time a hypervisor ran something else while this virtual CPU had
// work) and total time, by CPU number.
func cpuTimes() map[int]jiffies { return parseCPUTimes(readText("/proc/stat")) }

// parseCPUTimes parses the per-CPU lines of /proc/stat's text.
func parseCPUTimes(stat string) map[int]jiffies {
	out := map[int]jiffies{}
	for _, line := range strings.Split(stat, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		c, err := strconv.Atoi(f[0][3:])
		if err != nil {
			continue
		}
		var j jiffies
		// user nice system idle iowait irq softirq steal: the fields after
		// them (guest, guest_nice) are already counted in user and nice.
		for i, v := range f[1:min(len(f), 9)] {
			x, _ := strconv.ParseUint(v, 10, 64)
			j.total += x
			switch i {
			case 3, 4: // idle, iowait
				j.idle += x
			case 7:
				j.steal, j.hasSteal = x, true
			}
		}
		out[c] = j
	}
	return out
}

// The noise gate. An experiment's [host] sets two limits (defaults in
// experiments.DefaultMaxLoad and DefaultMaxBusy); a run that breaks either
// before or during its trials is still archived, with Noise.Noisy set and
// Noise.Reasons saying which limit, by how much. The judging is pure
// (NoiseLimits.Before, NoiseLimits.During); WatchNoise and WaitQuiet read
// the host.

// NoiseLimits are the noise gate's limits.
type NoiseLimits struct {
	// MaxLoad is the highest 1-minute load average per online CPU before
	// the trials.
	MaxLoad float64
	// MaxBusy is the highest fraction of time the watched CPUs (the pinned
	// ones, or all when none are pinned) may spend on work other than the
	// trials: sampled before them, and measured over them.
	MaxBusy float64
}

// LimitsOf returns the gate's limits of an experiment's [host], defaults
// applied.
func LimitsOf(h experiments.Host) NoiseLimits {
	l, b := h.NoiseLimits()
	return NoiseLimits{MaxLoad: l, MaxBusy: b}
}

// HostSample is one look at the host: the data the gate judges before the
// trials.
type HostSample struct {
	// Load1 is the 1-minute load average and CPUs the number of CPUs
	// online; CPUs 0 when unknown, and the load is then not judged.
	Load1 float64
	CPUs  int
	// Busy is the fraction of a short sample the watched CPUs were busy
	// (averaged over them), or -1 when it was not sampled.
	Busy float64
}

// Before returns the reasons sample breaks the limits before the trials,
// with the numbers; none when the host is quiet. watched names the CPUs
// Busy is over ("pinned CPU 1").
func (l NoiseLimits) Before(s HostSample, watched string) []string {
	var reasons []string
	if s.CPUs > 0 {
		if per := s.Load1 / float64(s.CPUs); per > l.MaxLoad {
			reasons = append(reasons, fmt.Sprintf(
				"before the trials the 1-minute load average was %.2f on %d CPUs, %.2f per CPU, above the limit of %g per CPU (host.max_load)",
				s.Load1, s.CPUs, per, l.MaxLoad))
		}
	}
	if s.Busy > l.MaxBusy {
		reasons = append(reasons, fmt.Sprintf(
			"before the trials %s %s %.0f%% busy with other work, above the limit of %.0f%% (host.max_busy)",
			watched, wasWere(watched), 100*s.Busy, 100*l.MaxBusy))
	}
	return reasons
}

// minJudgedJiffies is the least CPU time (in USER_HZ ticks, 1/100 s)
// across the watched CPUs over which the busy fraction during the trials is
// judged: /proc/stat counts in ticks, so over shorter spans a tick or two
// of rounding is already several percent.
const minJudgedJiffies = 100

// userHZ is the unit of /proc/stat, fixed at 100 per second by the kernel's
// ABI whatever its internal tick rate.
const userHZ = 100

// During judges the trials' span from the watched CPUs' busy and total
// ticks over it and the trials' own CPU time (user + system, ns): the
// time those CPUs spent on other work is the busy time minus the trials'
// own. It returns that fraction of their total time (−1 when the span was
// too short to judge, under minJudgedJiffies) and the reasons it breaks
// the limit. The trials' own time is all subtracted even if some of it ran
// elsewhere, so the estimate errs towards quiet; prepare and cleanup
// commands count as other work.
func (l NoiseLimits) During(busyJiffies, totalJiffies uint64, ownNS int64, watched string) (float64, []string) {
	if totalJiffies < minJudgedJiffies {
		return -1, nil
	}
	const nsPerJiffy = 1e9 / userHZ
	other := max(0, float64(busyJiffies)*nsPerJiffy-float64(ownNS)) / (float64(totalJiffies) * nsPerJiffy)
	if other > l.MaxBusy {
		return other, []string{fmt.Sprintf(
			"during the trials %s spent %.0f%% of the time on work other than the trials, above the limit of %.0f%% (host.max_busy)",
			watched, 100*other, 100*l.MaxBusy)}
	}
	return other, nil
}

func wasWere(watched string) string {
	if strings.HasPrefix(watched, "pinned CPUs") || strings.HasPrefix(watched, "all ") {
		return "were"
	}
	return "was"
}

// watchedCPUs returns the CPUs the gate watches: pin, or every CPU in
// stat when none is pinned; and how to name them.
func watchedCPUs(pin []int, stat map[int]jiffies) ([]int, string) {
	if len(pin) > 0 {
		name := "pinned CPU " + joinInts(pin)
		if len(pin) > 1 {
			name = "pinned CPUs " + joinInts(pin)
		}
		return pin, name
	}
	cpus := slices.Sorted(maps.Keys(stat))
	return cpus, fmt.Sprintf("all %d CPUs", len(cpus))
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// sumJiffies adds up the busy (steal included) and total ticks of cpus
// between two readings, and their steal; ok is false when a CPU is missing
// from either, stealOK when a CPU has no steal column or its steal count
// went backwards (it has jumped after a live migration), which leaves the
// rest a reading.
func sumJiffies(cpus []int, before, after map[int]jiffies) (busy, steal, total uint64, ok, stealOK bool) {
	stealOK = true
	for _, c := range cpus {
		b, okB := before[c]
		a, okA := after[c]
		if !okA || !okB || a.total < b.total || a.idle < b.idle {
			return 0, 0, 0, false, false
		}
		total += a.total - b.total
		busy += (a.total - b.total) - (a.idle - b.idle)
		if !a.hasSteal || !b.hasSteal || a.steal < b.steal {
			stealOK = false
			continue
		}
		steal += a.steal - b.steal
	}
	return busy, steal, total, true, stealOK
}

// NoiseWatch watches the host across a run's trials for the noise gate.
type NoiseWatch struct {
	limits  NoiseLimits
	cpus    []int
	watched string
	start   map[int]jiffies
	// self and children are benchlab's own CPU time and that of its
	// reaped children (ns) at the start.
	self, children int64
}

// rusageNS is the user + system time of getrusage(who), in ns; 0 when it
// fails.
func rusageNS(who int) int64 {
	var ru unix.Rusage
	if unix.Getrusage(who, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// WatchNoise starts watching for the gate just before the trials: it
// reads the watched CPUs' counters (pin, or all CPUs).
func WatchNoise(limits NoiseLimits, pin []int) *NoiseWatch {
	start := cpuTimes()
	cpus, watched := watchedCPUs(pin, start)
	return &NoiseWatch{limits: limits, cpus: cpus, watched: watched, start: start,
		self: rusageNS(unix.RUSAGE_SELF), children: rusageNS(unix.RUSAGE_CHILDREN)}
}

// Judge ends the watch after the trials and records the gate's verdict
// in n: the busy fraction of other work during the trials (OtherBusy),
// the hypervisor's steal over the same span (Steal),
// the limits, and Noisy with its Reasons when n's reading before the
// trials (load average, pinned CPUs busy) or the trials' span broke a
// limit. The work subtracted as the run's own is the trials' CPU time (or
// that of every child reaped meanwhile, prepare and cleanup included,
// when more) plus benchlab's own.
func (w *NoiseWatch) Judge(n *results.Noise, trials []results.Trial) {
	end := cpuTimes()
	n.MaxLoad, n.MaxBusy = w.limits.MaxLoad, w.limits.MaxBusy
	before := HostSample{Load1: n.LoadAvg[0], CPUs: len(end), Busy: meanBusy(n.PinnedBusy)}
	reasons := w.limits.Before(before, w.watched)
	// Our own work: the trials' CPU time, or all reaped children's since
	// the start (the trials, prepare and cleanup, the spawner) when that
	// is more, plus benchlab's own.
	var own int64
	for _, t := range trials {
		own += t.UserNS + t.SysNS
	}
	own = max(own, rusageNS(unix.RUSAGE_CHILDREN)-w.children) + rusageNS(unix.RUSAGE_SELF) - w.self
	if busy, steal, total, ok, stealOK := sumJiffies(w.cpus, w.start, end); ok {
		other, r := w.limits.During(busy, total, own, w.watched)
		if other >= 0 {
			n.OtherBusy = &other
			// Steal is counted in the other work; recorded on its own
			// because nothing on the guest can lower it, and because a
			// host that takes the CPU away can slow it down further in
			// ways no counter shows: on a 2-vCPU KVM guest a CPU-bound
			// program ran at half speed while steal was 13%
			// (bench/README.md, fourth pass).
			if stealOK {
				f := float64(steal) / float64(total)
				n.Steal = &f
			}
		}
		reasons = append(reasons, r...)
	}
	n.Reasons = append(n.Reasons, reasons...)
	n.Noisy = len(n.Reasons) > 0
}

// meanBusy is the mean of the sampled fractions, -1 when none was
// sampled.
func meanBusy(fs []float64) float64 {
	sum, n := 0.0, 0
	for _, f := range fs {
		if f >= 0 {
			sum += f
			n++
		}
	}
	if n == 0 {
		return -1
	}
	return sum / float64(n)
}

// SampleHost looks at the host over d: the load average, the CPUs online
// and how busy the watched CPUs (pin, or all) were.
func SampleHost(pin []int, d time.Duration) (HostSample, string) {
	before := cpuTimes()
	time.Sleep(d)
	after := cpuTimes()
	s := HostSample{CPUs: len(after), Busy: -1}
	if f := strings.Fields(readText("/proc/loadavg")); len(f) >= 1 {
		s.Load1, _ = strconv.ParseFloat(f[0], 64)
	}
	cpus, watched := watchedCPUs(pin, after)
	if busy, _, total, ok, _ := sumJiffies(cpus, before, after); ok && total > 0 {
		s.Busy = float64(busy) / float64(total)
	}
	return s, watched
}

// DefaultWaitQuiet is how long `run --wait-quiet` waits when no duration
// is given.
const DefaultWaitQuiet = 2 * time.Minute

// quietSample is how long each look at the host lasts while waiting.
const quietSample = time.Second

// Quiet waits for the host to settle below the gate's limits.
type Quiet struct {
	Limits NoiseLimits
	// Sample looks at the host for one interval (SampleHost over the
	// pinned CPUs in a run); tests replace it.
	Sample func() (HostSample, string)
	// Now is the clock; time.Now in a run.
	Now func() time.Time
	// Out receives what it waits for, once when it starts waiting, every
	// ten seconds after, and how it ended.
	Out io.Writer
}

// Wait looks at the host until it is within the limits, for at most max.
// It returns true when the host settled; false when it gave up (the run
// then goes ahead, and the gate marks it noisy if the host is still busy)
// or ctx was cancelled.
func (q Quiet) Wait(ctx context.Context, max time.Duration) bool {
	start := q.Now()
	var lastReport time.Time
	for {
		s, watched := q.Sample()
		reasons := q.Limits.Before(s, watched)
		elapsed := q.Now().Sub(start)
		if len(reasons) == 0 {
			fmt.Fprintf(q.Out, "host quiet after %v: %s\n", elapsed.Round(time.Second), describe(s, watched))
			return true
		}
		if elapsed >= max {
			fmt.Fprintf(q.Out, "gave up waiting for a quiet host after %v: %s; running anyway, and the run will be marked noisy if it stays so\n",
				max, describe(s, watched))
			return false
		}
		if lastReport.IsZero() || q.Now().Sub(lastReport) >= 10*time.Second {
			fmt.Fprintf(q.Out, "waiting up to %v for a quiet host (load at most %g per CPU, %s at most %.0f%% busy): %s\n",
				max, q.Limits.MaxLoad, watched, 100*q.Limits.MaxBusy, describe(s, watched))
			lastReport = q.Now()
		}
		if ctx.Err() != nil {
			return false
		}
	}
}

// describe says what a sample saw.
func describe(s HostSample, watched string) string {
	d := fmt.Sprintf("load %.2f on %d CPUs", s.Load1, s.CPUs)
	if s.Busy >= 0 {
		d += fmt.Sprintf(", %s %.0f%% busy", watched, 100*s.Busy)
	}
	return d
}

// WaitQuiet waits up to max for the host to settle below limits, looking
// at the pinned CPUs (all, when none is pinned) one second at a time and
// printing to out what it waits for. See Quiet.Wait.
func WaitQuiet(ctx context.Context, limits NoiseLimits, pin []int, max time.Duration, out io.Writer) bool {
	return Quiet{
		Limits: limits,
		Sample: func() (HostSample, string) { return SampleHost(pin, quietSample) },
		Now:    time.Now,
		Out:    out,
	}.Wait(ctx, max)
}

// WaitFlag is the value of `--wait-quiet[=DURATION]`: a boolean flag
// that may carry how long to wait (DefaultWaitQuiet without one).
type WaitFlag struct{ D time.Duration }

// String is the flag's current value.
func (f *WaitFlag) String() string {
	if f == nil || f.D == 0 {
		return ""
	}
	return f.D.String()
}

// Set takes "true" (the bare flag), "false", or a duration.
func (f *WaitFlag) Set(s string) error {
	switch s {
	case "true":
		f.D = DefaultWaitQuiet
		return nil
	case "false":
		f.D = 0
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("want a duration such as 30s or 2m, not %q", s)
	}
	f.D = d
	return nil
}

// IsBoolFlag lets the flag stand alone, without a value.
func (f *WaitFlag) IsBoolFlag() bool { return true }
