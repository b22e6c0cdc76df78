package harness

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"benchlab/results"
)

// BusyThreshold is the busy fraction of a pinned CPU, sampled before a run,
// above which MeasureNoise warns.
const BusyThreshold = 0.10

// MeasureNoise reads what affects timing noise on this host (load, cpufreq
// governors and turbo, ASLR, isolated CPUs) and samples /proc/stat for
// sample to see how busy the pinned CPUs are. It returns the record and
// warnings for a noisy host. Files a host lacks are left out, not errors.
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
		for _, c := range pin {
			b, okB := before[c]
			a, okA := after[c]
			total := a.total - b.total
			if !okA || !okB || total == 0 {
				// Not measured: say so rather than record 0% busy.
				n.PinnedBusy = append(n.PinnedBusy, -1)
				warnings = append(warnings, fmt.Sprintf("pinned CPU %d: no counters in /proc/stat, its load was not sampled", c))
				continue
			}
			busy := 1 - float64(a.idle-b.idle)/float64(total)
			n.PinnedBusy = append(n.PinnedBusy, busy)
			if busy > BusyThreshold {
				warnings = append(warnings, fmt.Sprintf(
					"pinned CPU %d was %.0f%% busy before the run (sampled %v): other work shares it with the subjects; numbers may be noisy",
					c, 100*busy, sample))
			}
		}
	}
	if len(n.Governors) > 0 && !slices.Equal(n.Governors, []string{"performance"}) {
		warnings = append(warnings, fmt.Sprintf("cpufreq governor %s, not performance: clock speed may vary during the run",
			strings.Join(n.Governors, ", ")))
	}
	return n, warnings
}

// jiffies are one CPU's counters from /proc/stat.
type jiffies struct{ idle, total uint64 }

// cpuTimes reads /proc/stat's per-CPU lines: idle (idle + iowait) and
// total time, by CPU number.
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
			if i == 3 || i == 4 { // idle, iowait
				j.idle += x
			}
		}
		out[c] = j
	}
	return out
}
