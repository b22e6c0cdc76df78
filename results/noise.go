package results

// Noise is what could make this host's timings noisy, read just before the
// trials and over them: recorded with the numbers rather than hidden.
type Noise struct {
	// LoadAvg is the 1, 5 and 15 minute load averages.
	LoadAvg [3]float64 `json:"load_avg"`
	// Governors are the cpufreq governors in use ("performance",
	// "powersave"), each once; empty where the host has no cpufreq (VMs).
	Governors []string `json:"governors,omitempty"`
	// Turbo is "on" or "off" (intel_pstate/no_turbo or cpufreq/boost), or
	// "" where neither file exists.
	Turbo string `json:"turbo,omitempty"`
	// ASLR is /proc/sys/kernel/randomize_va_space (0 off, 2 full), or -1
	// when unreadable.
	ASLR int `json:"aslr"`
	// IsolatedCPUs is /sys/devices/system/cpu/isolated ("" for none).
	IsolatedCPUs string `json:"isolated_cpus,omitempty"`
	// PinnedBusy is, per CPU of Settings.Pin, the fraction of a
	// SampleMS-long sample it spent busy before the run; -1 when the CPU
	// could not be sampled.
	PinnedBusy []float64 `json:"pinned_busy,omitempty"`
	SampleMS   int       `json:"sample_ms,omitempty"`
	// Noisy is true when the host broke a limit of the experiment's [host]
	// noise gate before or during the trials; Reasons says which, with the
	// numbers. A noisy run is archived like any other, but its reports say
	// so at the top and withhold their answers to open questions.
	Noisy   bool     `json:"noisy,omitempty"`
	Reasons []string `json:"reasons,omitempty"`
	// OtherBusy is the fraction of the trials' span the watched CPUs (the
	// pinned ones, or all) spent on work other than the trials' own user
	// and system time; nil when not measured (older runs, or spans too
	// short to judge).
	OtherBusy *float64 `json:"other_busy,omitempty"`
	// Steal is the fraction of the watched CPUs' time during the trials
	// that the hypervisor ran something else while they were runnable
	// (/proc/stat's steal). It is counted in OtherBusy's busy time, but
	// can exceed OtherBusy, which subtracts the run's own CPU time (itself
	// partly stolen) and is at least 0. nil when not measured: as
	// OtherBusy, and also where /proc/stat has no steal column or it went
	// backwards.
	Steal *float64 `json:"steal,omitempty"`
	// MaxLoad (1-minute load average per CPU) and MaxBusy (fraction) are
	// the gate's limits the run was judged by; 0 for runs made before the
	// gate.
	MaxLoad float64 `json:"max_load,omitempty"`
	MaxBusy float64 `json:"max_busy,omitempty"`
}
