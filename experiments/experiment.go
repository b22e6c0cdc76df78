// Package experiments holds experiment definitions: the schema of
// experiment.toml, its strict loading and validation. It runs nothing and
// knows nothing of hosts or archives; a loaded Experiment is plain data that
// the harness executes and the archive records verbatim.
package experiments

import (
	"fmt"
	"time"
)

// FileName is the name of the definition file inside an experiment folder.
const FileName = "experiment.toml"

// Experiment is one experiment.toml, decoded and validated.
type Experiment struct {
	Name       string     `toml:"name"`
	Title      string     `toml:"title,omitempty"`
	Source     string     `toml:"source,omitempty"`
	Question   string     `toml:"question,omitempty"`
	Build      *Build     `toml:"build,omitempty"`
	Host       Host       `toml:"host,omitempty"`
	Trials     Trials     `toml:"trials,omitempty"`
	Reference  Reference  `toml:"reference,omitempty"`
	Strategies []Strategy `toml:"strategy"`
	// OpenQuestions are questions the source left open, each comparing
	// two strategies; reports answer them from the data (questions.go).
	OpenQuestions []OpenQuestion `toml:"open_question,omitempty"`
	// Report declares the evidence the experiment's report shows beside
	// the main run (report.go); nil when it declares none.
	Report *Report `toml:"report,omitempty"`

	// Dir is the experiment folder; relative commands run from it.
	Dir string `toml:"-"`
	// Path is the experiment file as it was named when loaded.
	Path string `toml:"-"`
	// Raw is the file's exact bytes, archived with every run.
	Raw []byte `toml:"-"`
}

// Build is the command that builds the subjects, run once before the trials.
type Build struct {
	Command []string `toml:"command"`
	// Record lists files (relative to the experiment folder) whose contents
	// are archived after the build, such as Cargo.lock, so that the exact
	// dependency versions travel with the numbers.
	Record []string `toml:"record,omitempty"`
	// Parameters declares the build-time parameters (see params.go): each
	// name's values, as strings, in the order `benchlab sweep` runs them.
	Parameters map[string][]string `toml:"parameters,omitempty"`
	// Defaults is each parameter's value for `benchlab run`.
	Defaults map[string]string `toml:"defaults,omitempty"`
	// Timeout bounds the build: past it the build is killed and the run
	// stops. DefaultBuildTimeout when the file names none.
	Timeout Duration `toml:"timeout,omitempty"`
}

// Host is what the experiment requires of the machine.
type Host struct {
	MinCPUs int `toml:"min_cpus,omitzero"`
	// Tools must be on PATH; each one's version is archived.
	Tools []string `toml:"tools,omitempty"`
	// MaxLoad and MaxBusy are the noise gate's limits; 0 means the
	// default (DefaultMaxLoad, DefaultMaxBusy; see NoiseLimits). MaxLoad
	// bounds the 1-minute load average per online CPU before the trials;
	// MaxBusy the fraction of time the watched CPUs (the pinned ones, or
	// all) spent on work other than the trials, before and during them. A
	// run that breaks either is archived all the same, marked noisy.
	MaxLoad float64 `toml:"max_load,omitzero"`
	MaxBusy float64 `toml:"max_busy,omitzero"`
}

// The noise gate's defaults. A load of 1.5 per CPU means more runnable
// tasks than CPUs most of the last minute (load 3 on 2 CPUs), beyond the
// tail of a build that has just finished; 20% of a CPU taken by other work
// is more than daemons and the shell take on a quiet machine, and less
// than one other busy program.
const (
	DefaultMaxLoad = 1.5
	DefaultMaxBusy = 0.20
)

// NoiseLimits returns the gate's limits with the defaults applied.
func (h Host) NoiseLimits() (maxLoad, maxBusy float64) {
	maxLoad, maxBusy = h.MaxLoad, h.MaxBusy
	if maxLoad == 0 {
		maxLoad = DefaultMaxLoad
	}
	if maxBusy == 0 {
		maxBusy = DefaultMaxBusy
	}
	return maxLoad, maxBusy
}

// Trials are the measurement settings shared by all strategies.
type Trials struct {
	Warmup   int      `toml:"warmup,omitzero"`
	Runs     RunCount `toml:"runs"` // a count, or AutoRuns for "auto" (trials.go)
	Pin      []int    `toml:"pin,omitempty"`
	Timeout  Duration `toml:"timeout,omitempty"`
	Baseline string   `toml:"baseline,omitempty"`
	// MinRuns, MaxRuns, MaxTime and Precision bound runs = "auto"
	// (trials.go); they are defaulted when runs is "auto".
	MinRuns   int      `toml:"min_runs,omitzero"`
	MaxRuns   int      `toml:"max_runs,omitzero"`
	MaxTime   Duration `toml:"max_time,omitempty"`
	Precision float64  `toml:"precision,omitzero"`
	// Block, with runs = "auto" only, runs each short strategy's primed
	// counted trials in blocks of up to Block back to back
	// (harness.Options.Block); 1 runs one trial per strategy per round,
	// 0 is DefaultAutoBlock.
	Block int `toml:"block,omitzero"`
}

// Strategy is one command to time.
type Strategy struct {
	Name        string   `toml:"name"`
	Command     []string `toml:"command"`
	Description string   `toml:"description,omitempty"`
	// Label is how summaries and exports name the strategy when it was
	// made from a command line (an ad-hoc run's command as typed, or its
	// -n name, as hyperfine names it); "" for its name.
	Label string `toml:"label,omitempty"`
	// Reference is the published figure this strategy reproduces, if any.
	Reference *Figure `toml:"reference,omitempty"`
	// CompareWith names another strategy this one is paired with in
	// reports (its ratio, interval and significance test against it), for
	// experiments whose strategies only compare within a group, such as
	// one work level of a crossover.
	CompareWith string `toml:"compare_with,omitempty"`
	// Prepare runs, untimed, before every trial of the strategy; Cleanup
	// once after its last trial (argv lists, as Command).
	Prepare []string `toml:"prepare,omitempty"`
	Cleanup []string `toml:"cleanup,omitempty"`
	// Params are run-time parameters: the strategy is expanded into one
	// strategy per combination of values, "{name}" substituted (trials.go).
	Params RunParams `toml:"params,omitempty"`
	// Values are the run-time parameter values an expanded strategy was
	// made with, name → value as substituted; nil for one without params.
	// The archive keeps them per strategy (results.Strategy.Parameters).
	Values map[string]string `toml:"-"`
}

// Reference describes where the published figures came from; its Unit,
// Runs and Machine are the defaults for every strategy's Figure.
type Reference struct {
	Machine string `toml:"machine,omitempty"`
	Tool    string `toml:"tool,omitempty"`
	Runs    int    `toml:"runs,omitzero"`
	Unit    string `toml:"unit,omitempty"`
}

// Figure is a published measurement: mean, standard deviation and range
// in Unit, over Runs runs on Machine.
type Figure struct {
	Mean    float64 `toml:"mean"`
	Stddev  float64 `toml:"stddev,omitzero"`
	Min     float64 `toml:"min,omitzero"`
	Max     float64 `toml:"max,omitzero"`
	Runs    int     `toml:"runs,omitzero"`
	Unit    string  `toml:"unit,omitempty"`
	Machine string  `toml:"machine,omitempty"`
}

// units maps the accepted time units to their length in nanoseconds.
var units = map[string]float64{"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}

// Seconds converts v, in the figure's unit, to seconds.
func (f Figure) Seconds(v float64) float64 { return v * units[f.Unit] / 1e9 }

// Duration is a time.Duration written in TOML as a Go duration string ("120s").
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration such as "90s" or "2m".
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("want a duration such as \"120s\" or \"2m\": %w", err)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration back in Go's notation.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Strategy returns the strategy named name, or nil.
func (e *Experiment) Strategy(name string) *Strategy {
	for i := range e.Strategies {
		if e.Strategies[i].Name == name {
			return &e.Strategies[i]
		}
	}
	return nil
}

// DefaultTimeout bounds a trial when the experiment names no timeout.
const DefaultTimeout = 10 * time.Minute
