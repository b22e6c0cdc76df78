// Package results is the archive: the record of one run of an experiment
// (raw trials, the experiment file as it was, the machine and toolchains,
// the built artifacts), its on-disk encoding, and the append-only store of
// such records under results/<machine>/<experiment>/. It computes no
// statistics; analysis reads what this package loads.
package results

import "time"

// FormatVersion is the version of the run record written by this code.
// Readers accept every version up to it (see README.md for what changed).
const FormatVersion = 2

// Run is the complete record of one run of an experiment.
type Run struct {
	Format     int    `json:"format"`
	ID         string `json:"id"`
	Experiment string `json:"experiment"`
	Title      string `json:"title,omitempty"`
	// ExperimentFile is experiment.toml byte for byte as it was run.
	ExperimentFile string    `json:"experiment_file"`
	Started        time.Time `json:"started"`
	Finished       time.Time `json:"finished"`
	// Complete is false when the run was interrupted: the trials are the
	// ones finished before it stopped.
	Complete bool     `json:"complete"`
	Machine  Machine  `json:"machine"`
	Lab      Lab      `json:"lab"`
	Settings Settings `json:"settings"`
	// Parameters are the build-time parameter values this run was built
	// with (e.g. iterations=1000000); empty when the experiment has none.
	Parameters map[string]string `json:"parameters,omitempty"`
	// Sweep names the sweep this run is a point of (`benchlab sweep`): the
	// runs of one sweep share it and differ in one parameter. Empty for a
	// run of its own.
	Sweep string `json:"sweep,omitempty"`
	// Counts are instruction counts measured under an instruction counter
	// (`benchlab count`) instead of timed trials; empty for a timed run.
	Counts []InstructionCount `json:"counts,omitempty"`
	// Environment says whether the toolchains were pinned (Nix) and to what.
	Environment Environment `json:"environment"`
	// Toolchains maps each tool the experiment requires to its version line.
	Toolchains map[string]string `json:"toolchains,omitempty"`
	// Dependencies maps packages resolved by the build (from Cargo.lock and
	// the like) to their versions.
	Dependencies map[string]string `json:"dependencies,omitempty"`
	Artifacts    []Artifact        `json:"artifacts,omitempty"`
	Recorded     []RecordedFile    `json:"recorded,omitempty"`
	Strategies   []Strategy        `json:"strategies"`
	Trials       []Trial           `json:"-"` // encoded column by column
	// Warnings are caveats found while running (a noisy host, a failed
	// strategy) that travel with the numbers into every report.
	Warnings []string `json:"warnings,omitempty"`
	// Noise is what could make this host noisy, read before the trials
	// and over them (noise.go); nil in runs recorded before it existed.
	Noise *Noise `json:"noise,omitempty"`
	// Imported is set when the run was taken from another tool's export
	// (benchlab import) instead of measured by benchlab; nil otherwise.
	Imported *Import `json:"imported,omitempty"`
}

// Import says where an imported run came from. Such a run has no machine
// fingerprint: only what the export file holds is known.
type Import struct {
	// Tool is the program that wrote the file, e.g. "hyperfine".
	Tool string `json:"tool"`
	// File is the imported file's base name and SHA256 its content hash.
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	// Note is the user's description of the machine (--machine-note).
	Note string `json:"note,omitempty"`
}

// InstructionCount is the number of instructions one execution of one
// strategy retired, built with Parameters, as counted by Tool.
type InstructionCount struct {
	Strategy   string            `json:"strategy"`
	Parameters map[string]string `json:"parameters,omitempty"`
	// Tool is the counter and its version, e.g. "valgrind-3.24.0 callgrind".
	Tool         string `json:"tool"`
	Instructions int64  `json:"instructions"`
	// Failure is set, and Instructions 0, when the execution failed.
	Failure string `json:"failure,omitempty"`
	// Profile is where the instructions went: the functions that executed
	// the most instructions themselves (callees not included), most first,
	// at most ProfileFunctions of them; empty when the counter gives no
	// per-function figures (perf stat) or in runs recorded before it.
	Profile []FunctionCost `json:"profile,omitempty"`
}

// ProfileFunctions is the most functions an InstructionCount's Profile
// keeps.
const ProfileFunctions = 30

// FunctionCost is the instructions one function executed itself in one
// counted execution (all its processes).
type FunctionCost struct {
	// Function is the function's name as the counter shows it (demangled),
	// or its address where the binary has no symbol for it.
	Function string `json:"function"`
	// Object is the base name of the file the function is in (the program,
	// or a shared library such as libc.so.6).
	Object       string `json:"object,omitempty"`
	Instructions int64  `json:"instructions"`
}

// Machine fingerprints the host a run was measured on.
type Machine struct {
	// ID names the machine's folder in the archive; it is derived from the
	// hardware and OS, not the hostname, so it is stable across reinstalls.
	ID        string `json:"id"`
	Hostname  string `json:"hostname"`
	CPUModel  string `json:"cpu_model"`
	CPUs      int    `json:"cpus"`
	MemoryKiB int64  `json:"memory_kib"`
	Kernel    string `json:"kernel"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// Environment records how reproducible the run's toolchain is.
type Environment struct {
	// Pinned is true inside benchlab's Nix shell or app.
	Pinned bool `json:"pinned"`
	// Nixpkgs is the pinned nixpkgs revision, when pinned.
	Nixpkgs string `json:"nixpkgs,omitempty"`
	// StorePaths maps toolchain names to their Nix store paths, when pinned.
	StorePaths map[string]string `json:"store_paths,omitempty"`
}

// Lab identifies the benchlab build that made the run.
type Lab struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"go_version"`
}

// Settings are the trial settings in force (after command-line overrides).
type Settings struct {
	Warmup    int    `json:"warmup"`
	Runs      int    `json:"runs"`
	Pin       []int  `json:"pin,omitempty"`
	TimeoutNS int64  `json:"timeout_ns"`
	Baseline  string `json:"baseline,omitempty"`
	// IgnoreFailure is true for a run made with --ignore-failure: trials
	// that exited non-zero kept running and count in the statistics, as in
	// hyperfine; trials killed by a signal or a timeout never count.
	IgnoreFailure bool `json:"ignore_failure,omitempty"`
	// Memory is how each trial's MaxRSSKiB was measured: MemoryCgroupV1 or
	// MemoryCgroupV2 (the peak of the trial's own memory cgroup) or
	// MemoryRusage (wait4's ru_maxrss, an upper bound floored at the peak
	// of the process that started the child). Empty in runs recorded
	// before it existed, which measured with ru_maxrss.
	Memory string `json:"memory,omitempty"`
	// Order is how the trials were ordered; nil in runs recorded before it
	// existed (round-robin, never primed).
	Order *Order `json:"order,omitempty"`
}

// Memory methods (Settings.Memory).
const (
	MemoryCgroupV1 = "cgroup-v1"
	MemoryCgroupV2 = "cgroup-v2"
	MemoryRusage   = "rusage"
)

// Order is how a run ordered its trials, so that a reader knows what the
// wall times include.
type Order struct {
	// Policy is OrderRoundRobin: every round runs each strategy once (a
	// short one's block of trials, with Block), starting one strategy
	// later each round.
	Policy string `json:"policy"`
	// PrimeBelowNS, when positive, means each trial (each block's first,
	// see Block) of a strategy whose previous trial took less than this
	// was preceded, right before it,
	// by unmeasured runs of the same command (not archived), so that the
	// trial does not pay for waking the pinned CPU from the idle a sleeping
	// neighbour left it in. Zero: no trial was primed.
	PrimeBelowNS int64 `json:"prime_below_ns,omitempty"`
	// Primed is the number of such unmeasured runs asked for: PrimeRuns
	// per primed trial (fewer ran where one timed out or the run was
	// cancelled: that run is then the trial's, and the rest of the trial,
	// or of its block, does not run).
	Primed int `json:"primed,omitempty"`
	// PrimeRuns is how many unmeasured runs preceded each primed trial
	// (two, then four, since issue 12's third pass); 0 in older runs: one.
	PrimeRuns int `json:"prime_runs,omitempty"`
	// PrimeOwn says a trial was primed after a trial of its own strategy
	// too, not only after another strategy's (runs since issue 12's second
	// pass; the first of them recorded only PrimedPeak, which implies it).
	PrimeOwn bool `json:"prime_own,omitempty"`
	// PrimedPeak says the run took a primed trial's peak memory from its
	// priming run, measured in the trial's own cgroup, while the timed run
	// ran in none, unless the priming run failed (runs of issue 12's
	// second pass). False: see PrimedSharedCgroup, or each trial's own
	// cgroup measured it, or the run measured no cgroup peaks.
	PrimedPeak bool `json:"primed_peak,omitempty"`
	// PrimedSharedCgroup says a primed trial's priming runs and timed run
	// ran one after the other in the trial's own fresh cgroup, whose peak
	// is the trial's: at least a priming run's own peak, and above it only
	// by what the earlier runs left charged when a later one peaked (page
	// cache they wrote and kept), unless PeakPerRun. Runs since issue 12's
	// third pass, when they measure peak memory in cgroups; moving the
	// launching thread out of the cgroup before the timed run, as
	// PrimedPeak's runs did, cost a short command 2 to 3%.
	PrimedSharedCgroup bool `json:"primed_shared_cgroup,omitempty"`
	// Block, above 1, says each primed counted trial was the first of a
	// block of up to Block consecutive trials of its strategy in its
	// round, run back to back after the priming runs with nothing between
	// one run's end and the next start but the launcher's bookkeeping (as
	// hyperfine runs a command); warm-ups and trials not primed ran one
	// per round. A block's trials follow one another in Trials with the
	// same strategy and round; only its first was primed. They share the
	// block's cgroup, and each has its peak memory: its own run's with
	// PeakPerRun, else the highest of the block's runs, priming runs
	// included. A block ends early at a failed
	// trial (IgnoreFailure or not), and at the runs the strategy's spread
	// so far says it needs. Runs with runs = "auto"
	// only; zero: no blocks.
	Block int `json:"block,omitempty"`
	// PeakPerRun qualifies PrimedSharedCgroup and Block: the cgroup's peak
	// was reset before each timed run of a launch (after the priming runs,
	// between a block's runs), so each trial's peak memory is its own
	// run's highest, counted from what the earlier runs of the same
	// command left charged in the cgroup: the page cache they read (which
	// a first run's peak counts too) and what they wrote and kept (files,
	// tmpfs), by which it can exceed a single run's peak in a fresh cgroup
	// and grow through a block. Runs since issue 12's sixth
	// pass on kernels that allow the reset (cgroup v1; v2 since Linux
	// 6.12); false: each trial has the peak over its launch's runs.
	PeakPerRun bool `json:"peak_per_run,omitempty"`
}

// OrderRoundRobin is the round-robin trial order (Order.Policy).
const OrderRoundRobin = "round-robin"

// Artifact is a file the build produced, identified by content.
type Artifact struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// RecordedFile is a file the experiment asked to keep, such as Cargo.lock.
type RecordedFile struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// Strategy is a strategy as it was run.
type Strategy struct {
	Name        string   `json:"name"`
	Command     []string `json:"command"`
	Description string   `json:"description,omitempty"`
	// Failure describes the first failed trial, if any: exit status and the
	// tail of its standard error.
	Failure string `json:"failure,omitempty"`
	// Parameters are the run-time parameter values this strategy was
	// expanded with (experiment.toml's params), or an imported result's
	// hyperfine parameters (-L, --parameter-scan); nil when it has none.
	// Build-time parameters are the run's, in Run.Parameters.
	Parameters map[string]string `json:"parameters,omitempty"`
	// Label is how the tool that measured an imported strategy named it,
	// verbatim: hyperfine's "command", which is its -n name when one was
	// given and the command line otherwise; for a strategy benchlab ran,
	// its experiment's label (an ad-hoc run's command as typed, or its -n
	// name). Exports and summaries write it as it was; empty when the
	// name is the label.
	Label string `json:"label,omitempty"`
	// Reported holds statistics an imported file gave without the
	// per-trial values behind them; nil for strategies benchlab ran.
	Reported *Reported `json:"reported,omitempty"`
}

// Reported is what another tool exported about a strategy as a statistic
// only: hyperfine writes the mean user and system CPU time of a command,
// never the time of each run, so an imported trial's CPU times are
// unknown (Trial.Unknown) and these means stand for them.
type Reported struct {
	UserMeanNS int64 `json:"user_mean_ns"`
	SysMeanNS  int64 `json:"sys_mean_ns"`
}

// Unknown is a set of a trial's fields that were not measured, so that a
// value absent from an imported file is never read as a measured 0: the
// field holds 0 and its bit is set. Trials benchlab runs know every field.
type Unknown uint8

// The fields a trial may lack.
const (
	// UnknownUser and UnknownSys: per-trial CPU times (hyperfine exports
	// only their means).
	UnknownUser Unknown = 1 << iota
	UnknownSys
	// UnknownRSS: peak memory (hyperfine before 1.17 exports none).
	UnknownRSS
	// UnknownSignal: the run ended by a signal that the file does not name
	// (hyperfine's null exit code); ExitCode is -1 and Signal 0.
	UnknownSignal

	// UnknownAll is every bit defined; a file with others is corrupt.
	UnknownAll = UnknownUser | UnknownSys | UnknownRSS | UnknownSignal
)

// Trial is one timed execution of one strategy.
type Trial struct {
	Strategy int  `json:"strategy"` // index into Run.Strategies
	Round    int  `json:"round"`    // 0-based; warm-up rounds come first
	Warmup   bool `json:"warmup"`
	// WallNS is elapsed monotonic time from just before the start to just
	// after waitid reports that the child exited.
	WallNS    int64 `json:"wall_ns"`
	UserNS    int64 `json:"user_ns"`
	SysNS     int64 `json:"sys_ns"`
	MaxRSSKiB int64 `json:"max_rss_kib"`
	// ExitCode is the child's exit status, or -1 when a signal ended it.
	ExitCode int `json:"exit_code"`
	// Signal is the signal that ended the child, or 0.
	Signal   int  `json:"signal"`
	TimedOut bool `json:"timed_out"`
	// Unknown lists the fields above that were not measured (imported
	// trials only); each of them holds 0.
	Unknown Unknown `json:"unknown,omitempty"`
}

// Known reports whether every field of f was measured.
func (t Trial) Known(f Unknown) bool { return t.Unknown&f == 0 }

// OK reports whether the trial ran to a zero exit status in time.
func (t Trial) OK() bool { return t.ExitCode == 0 && t.Signal == 0 && !t.TimedOut }

// Counts reports whether a counted (non-warm-up) trial enters the
// statistics: one that succeeded, or with ignoreFailure (--ignore-failure,
// as in hyperfine) one that exited non-zero; a trial killed by a signal or
// its timeout never does. The harness's adaptive stop and analysis both
// use this rule, so the precision a run stopped at is the one reported.
func (t Trial) Counts(ignoreFailure bool) bool {
	return t.OK() || (ignoreFailure && t.Signal == 0 && !t.TimedOut)
}

// StrategyIndex returns the index of the named strategy, or -1.
func (r *Run) StrategyIndex(name string) int {
	for i, s := range r.Strategies {
		if s.Name == name {
			return i
		}
	}
	return -1
}
