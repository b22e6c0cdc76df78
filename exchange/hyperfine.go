package exchange

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"benchlab/results"

	"gonum.org/v1/gonum/stat"
)

// Hyperfine is the document hyperfine writes with --export-json, and that
// WriteHyperfine writes: times in seconds.
type Hyperfine struct {
	Results []HyperfineResult `json:"results"`
}

// HyperfineResult is one command's entry in a Hyperfine document, its
// fields in hyperfine's order. Mean, Stddev (null below 2 runs), Median,
// Min and Max describe Times; User and System are mean CPU times (null
// here when unknown; hyperfine always knows them). ExitCodes has one entry
// per time: hyperfine writes 128+signal for a run a signal ended, null
// where the platform gives neither. MemoryUsageByte (hyperfine 1.17 and
// later) is each run's peak memory. Parameters are the -L or
// --parameter-scan values the command was run with.
type HyperfineResult struct {
	Command         string            `json:"command"`
	Mean            float64           `json:"mean"`
	Stddev          *float64          `json:"stddev"`
	Median          float64           `json:"median"`
	User            *float64          `json:"user"`
	System          *float64          `json:"system"`
	Min             float64           `json:"min"`
	Max             float64           `json:"max"`
	Times           []float64         `json:"times"`
	MemoryUsageByte []int64           `json:"memory_usage_byte,omitempty"`
	ExitCodes       []*int            `json:"exit_codes"`
	Parameters      map[string]string `json:"parameters,omitempty"`
}

// ToHyperfine makes hyperfine's export of r. Each strategy becomes one
// result shaped as hyperfine --ignore-failure would have written it: every
// trial that is not a warm-up, failed ones included with their exit codes
// (a signal as 128+signal, as hyperfine writes it; an imported unknown
// signal as null), and mean, stddev, median, min and max over exactly
// those times. In a run made with --ignore-failure these are benchlab's
// own statistics; in one without, a strategy that failed has its failed
// trials in them, where benchlab's report leaves them out. User and System
// are the mean CPU times of those trials (an import's reported means when
// its trials have none); memory_usage_byte is written only when every
// trial's peak memory was measured. Parameters are the run's build
// parameters and the strategy's run-time parameters (which win a clash of
// names): hyperfine has no build step, so an import gives them all back as
// run-time parameters. The command is the strategy's Label when it was
// imported, else its name, as hyperfine writes a -n name. A strategy that
// failed in its warm-up, and so was stopped before any counted trial, is
// written with its warm-up trials, all it ran; one with no trial at all
// (an interrupted run) is left out: hyperfine writes only what it ran, and
// its scripts fail on an empty "times".
func ToHyperfine(r *results.Run) Hyperfine {
	counted := make([][]results.Trial, len(r.Strategies))
	warmups := make([][]results.Trial, len(r.Strategies))
	for _, t := range r.Trials {
		if t.Strategy < 0 || t.Strategy >= len(counted) {
			continue
		}
		if t.Warmup {
			warmups[t.Strategy] = append(warmups[t.Strategy], t)
		} else {
			counted[t.Strategy] = append(counted[t.Strategy], t)
		}
	}
	doc := Hyperfine{Results: []HyperfineResult{}}
	for i, s := range r.Strategies {
		ts := counted[i]
		if len(ts) == 0 {
			// Stopped by a failure in its warm-up (benchlab stops a
			// failing strategy unless --ignore-failure): those trials are
			// all it ran, and hyperfine -i would have counted them.
			ts = warmups[i]
		}
		if len(ts) == 0 {
			continue
		}
		res := HyperfineResult{Command: s.Name, Times: make([]float64, len(ts)), ExitCodes: make([]*int, len(ts))}
		if s.Label != "" {
			res.Command = s.Label
		}
		var user, sys []float64
		rss := true
		for j, t := range ts {
			res.Times[j] = seconds(t.WallNS)
			res.ExitCodes[j] = hyperfineExitCode(t)
			if t.Known(results.UnknownUser) {
				user = append(user, seconds(t.UserNS))
			}
			if t.Known(results.UnknownSys) {
				sys = append(sys, seconds(t.SysNS))
			}
			rss = rss && t.Known(results.UnknownRSS)
		}
		if rss {
			res.MemoryUsageByte = make([]int64, len(ts))
			for j, t := range ts {
				res.MemoryUsageByte[j] = t.MaxRSSKiB * 1024
			}
		}
		res.Mean, res.Stddev, res.Median, res.Min, res.Max = describe(res.Times)
		res.User, res.System = meanOrNil(user), meanOrNil(sys)
		if s.Reported != nil {
			if res.User == nil {
				res.User = ptr(seconds(s.Reported.UserMeanNS))
			}
			if res.System == nil {
				res.System = ptr(seconds(s.Reported.SysMeanNS))
			}
		}
		if len(r.Parameters)+len(s.Parameters) > 0 {
			res.Parameters = maps.Clone(r.Parameters)
			if res.Parameters == nil {
				res.Parameters = map[string]string{}
			}
			maps.Copy(res.Parameters, s.Parameters)
		}
		doc.Results = append(doc.Results, res)
	}
	return doc
}

// WriteHyperfine writes ToHyperfine(r) as JSON, indented as hyperfine
// indents it.
func WriteHyperfine(w io.Writer, r *results.Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ToHyperfine(r))
}

// hyperfineExitCode is t's exit code as hyperfine 1.15 records it: the
// status, or 128 + the signal that ended the run; nil for an imported run
// whose signal is unknown.
func hyperfineExitCode(t results.Trial) *int {
	switch {
	case !t.Known(results.UnknownSignal):
		return nil
	case t.Signal != 0:
		return ptr(128 + t.Signal)
	}
	return ptr(t.ExitCode)
}

// describe returns hyperfine's statistics of times: the mean, the sample
// (n−1) standard deviation (nil below two times), the median (the mean of
// the middle two for an even count, as hyperfine computes it), the
// minimum and the maximum.
func describe(times []float64) (mean float64, stddev *float64, median, lo, hi float64) {
	sorted := slices.Sorted(slices.Values(times))
	n := len(sorted)
	if n == 0 {
		return 0, nil, 0, 0, 0
	}
	mean = stat.Mean(times, nil)
	if n > 1 {
		stddev = ptr(stat.StdDev(times, nil))
	}
	median = sorted[n/2]
	if n%2 == 0 {
		median = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	return mean, stddev, median, sorted[0], sorted[n-1]
}

func meanOrNil(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	return ptr(stat.Mean(xs, nil))
}

func ptr[T any](v T) *T { return &v }

func seconds(ns int64) float64 { return float64(ns) / 1e9 }

// MaxImportSize bounds the export file FromHyperfine reads.
const MaxImportSize = 64 << 20

// maxSeconds bounds a time in an imported file: 1e9 s (31 years) is far
// beyond any benchmark and far inside int64 nanoseconds.
const maxSeconds = 1e9

// ImportOptions say what an imported run is filed as.
type ImportOptions struct {
	// Experiment names the archive folder; required.
	Experiment string
	// File is the imported file's name, kept in the record.
	File string
	// MachineNote describes the machine the export was measured on.
	MachineNote string
	// Modified is the file's modification time, the best knowledge of
	// when it was measured: it becomes the run's start and finish.
	Modified time.Time
	// Lab is the benchlab doing the import.
	Lab results.Lab
}

// ImportedMachineID is the machine folder of an imported run: hyperfine
// records no fingerprint, so the ID is "imported-" and 8 hex digits of the
// SHA-256 of the machine note, so that runs imported with the same note
// share a folder, or of the file itself when there is no note.
func ImportedMachineID(note string, file []byte) string {
	sum := sha256.Sum256(file)
	if note != "" {
		sum = sha256.Sum256([]byte(note))
	}
	return "imported-" + hex.EncodeToString(sum[:4])
}

// hyperfineFields are the fields of a hyperfine result; any other is
// reported as not kept.
var hyperfineFields = []string{"command", "mean", "stddev", "median", "user", "system", "min", "max",
	"times", "memory_usage_byte", "exit_codes", "parameters"}

// FromHyperfine makes a run of a hyperfine JSON export, keeping every value
// it holds. Each result becomes a strategy, each of its times a counted
// trial (the run is marked IgnoreFailure: hyperfine's statistics include
// every run it exports) with its exit code (null: ended by a signal the
// file does not name, results.UnknownSignal) and, when the file has
// memory_usage_byte, its peak memory (rounded up to KiB). Per-run CPU
// times are unknown (hyperfine exports only their means, kept as
// Strategy.Reported), and so is memory when the file has none; the trials
// mark them in Unknown. A result's parameters become the strategy's
// run-time Parameters. The strategy is named by hyperfine's command
// (its -n name or the command line) when that is a safe archive name,
// else by StrategyName; the command string itself is kept verbatim as the
// Label, and the argv is left empty, since the file does not say whether
// hyperfine ran it through a shell (-N) or whether it is a name.
//
// A file that is not such an export, or holds an impossible value (a
// negative or non-finite time, a count that does not match the times,
// trailing data), is refused with an error naming the file and the JSON
// path of the value.
func FromHyperfine(data []byte, opts ImportOptions) (*results.Run, error) {
	file := opts.File
	if len(data) > MaxImportSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a hyperfine export", file, MaxImportSize)
	}
	if err := results.CheckName("experiment", opts.Experiment); err != nil {
		return nil, err
	}
	bad := func(path, format string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", file, path, fmt.Sprintf(format, args...))
	}
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil || top == nil {
		if err == nil {
			err = errors.New("null")
		}
		return nil, fmt.Errorf("%s: not a hyperfine JSON export (hyperfine --export-json): %w", file, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: data after the JSON document at byte %d: not a hyperfine JSON export", file, dec.InputOffset())
	}
	raw, ok := top["results"]
	if !ok {
		return nil, fmt.Errorf("%s: no \"results\": not a hyperfine JSON export (hyperfine --export-json)", file)
	}
	var resultsRaw []json.RawMessage
	if err := json.Unmarshal(raw, &resultsRaw); err != nil || resultsRaw == nil {
		return nil, bad("results", "want an array of results")
	}
	if len(resultsRaw) == 0 {
		return nil, bad("results", "empty: nothing to import")
	}
	sum := sha256.Sum256(data)
	start := opts.Modified.UTC()
	r := &results.Run{
		Format:     results.FormatVersion,
		ID:         results.NewID(start),
		Experiment: opts.Experiment,
		Started:    start, Finished: start,
		Complete: true,
		Machine:  results.Machine{ID: ImportedMachineID(opts.MachineNote, data)},
		Lab:      opts.Lab,
		Settings: results.Settings{IgnoreFailure: true},
		Imported: &results.Import{Tool: "hyperfine", File: filepath.Base(file), SHA256: hex.EncodeToString(sum[:]), Note: opts.MachineNote},
		Warnings: []string{"imported from hyperfine: per-run user and system times are unknown (hyperfine exports each command's mean); the machine is known only by its note"},
	}
	var notKept []string
	for _, k := range slices.Sorted(maps.Keys(top)) {
		if k != "results" {
			notKept = append(notKept, k)
		}
	}
	names := newNamer()
	noMemory, noExitCodes := false, false
	for i, rawRes := range resultsRaw {
		at := fmt.Sprintf("results[%d]", i)
		var res map[string]json.RawMessage
		if err := json.Unmarshal(rawRes, &res); err != nil || res == nil {
			return nil, bad(at, "want an object")
		}
		for _, k := range slices.Sorted(maps.Keys(res)) {
			if !slices.Contains(hyperfineFields, k) {
				notKept = append(notKept, at+"."+k)
			}
		}
		var command *string
		if err := json.Unmarshal(res["command"], &command); err != nil || command == nil {
			return nil, bad(at+".command", "want the command, a string")
		}
		times, err := floats(res["times"], at+".times")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(times) == 0 {
			return nil, bad(at+".times", "missing, null or empty: hyperfine writes every run's time, and runs a command at least once")
		}
		for j, sec := range times {
			if err := checkSeconds(sec); err != nil {
				return nil, bad(fmt.Sprintf("%s.times[%d]", at, j), "%v", err)
			}
		}
		// The statistics are recomputed from times on export; they are
		// checked here so that an impossible file is refused whole.
		for _, k := range []string{"mean", "stddev", "median", "min", "max"} {
			if _, err := scalar(res[k], at+"."+k); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
		user, err := scalar(res["user"], at+".user")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		system, err := scalar(res["system"], at+".system")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		codes, err := exitCodes(res["exit_codes"], at+".exit_codes")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if codes != nil && len(codes) != len(times) {
			return nil, bad(at+".exit_codes", "%d exit codes for %d times", len(codes), len(times))
		}
		noExitCodes = noExitCodes || codes == nil
		memory, err := memoryBytes(res["memory_usage_byte"], at+".memory_usage_byte")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if memory != nil && len(memory) != len(times) {
			return nil, bad(at+".memory_usage_byte", "%d values for %d times", len(memory), len(times))
		}
		noMemory = noMemory || memory == nil
		var params map[string]string
		if p, ok := res["parameters"]; ok {
			if err := json.Unmarshal(p, &params); err != nil {
				return nil, bad(at+".parameters", "want an object of strings (hyperfine -L, --parameter-scan)")
			}
		}

		s := results.Strategy{
			Name:        names.unique(*command, i),
			Description: "imported from hyperfine",
			Parameters:  params,
		}
		if s.Name != *command {
			s.Label = *command
		}
		if user != nil && system != nil {
			s.Reported = &results.Reported{UserMeanNS: nanoseconds(*user), SysMeanNS: nanoseconds(*system)}
		}
		idx := len(r.Strategies)
		r.Settings.Runs = max(r.Settings.Runs, len(times))
		for j, sec := range times {
			t := results.Trial{Strategy: idx, Round: j, WallNS: nanoseconds(sec),
				Unknown: results.UnknownUser | results.UnknownSys}
			if codes != nil {
				if c := codes[j]; c == nil {
					t.ExitCode, t.Unknown = -1, t.Unknown|results.UnknownSignal
				} else {
					t.ExitCode = *c
				}
			}
			if memory != nil {
				t.MaxRSSKiB = (memory[j] + 1023) / 1024
			} else {
				t.Unknown |= results.UnknownRSS
			}
			if !t.OK() && s.Failure == "" {
				s.Failure = fmt.Sprintf("exit status %d (hyperfine's export)", t.ExitCode)
				if !t.Known(results.UnknownSignal) {
					s.Failure = "ended by a signal hyperfine's export does not name (exit code null)"
				}
			}
			r.Trials = append(r.Trials, t)
		}
		r.Strategies = append(r.Strategies, s)
	}
	if noMemory {
		r.Warnings = append(r.Warnings, "imported from hyperfine: peak memory is unknown (hyperfine 1.17 and later export memory_usage_byte; this file has none)")
	}
	if noExitCodes {
		r.Warnings = append(r.Warnings, "imported from hyperfine: the file has no exit_codes (hyperfine before 1.10): every run is taken as succeeded")
	}
	if len(notKept) > 0 {
		r.Warnings = append(r.Warnings, "imported from hyperfine: fields not kept: "+strings.Join(notKept, ", "))
	}
	return r, nil
}

// floats decodes a JSON array of numbers; nil for a missing or null
// array. A non-number is reported with its index in the path.
func floats(raw json.RawMessage, path string) ([]float64, error) {
	if raw == nil {
		return nil, nil
	}
	var vs []*float64
	if err := json.Unmarshal(raw, &vs); err == nil {
		out := make([]float64, len(vs))
		for j, v := range vs {
			if v == nil {
				return nil, fmt.Errorf("%s[%d]: null: want a time in seconds", path, j)
			}
			out[j] = *v
		}
		if vs == nil {
			return nil, nil
		}
		return out, nil
	}
	// Find the element that failed, to name it.
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s: want an array of times in seconds", path)
	}
	for j, it := range items {
		var v float64
		if err := json.Unmarshal(it, &v); err != nil {
			return nil, fmt.Errorf("%s[%d]: %.40s is not a time in seconds", path, j, it)
		}
	}
	return nil, fmt.Errorf("%s: want an array of times in seconds", path)
}

// scalar decodes an optional time in seconds (null or missing: nil) and
// checks it.
func scalar(raw json.RawMessage, path string) (*float64, error) {
	if raw == nil {
		return nil, nil
	}
	var v *float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%s: %.40s is not a time in seconds", path, raw)
	}
	if v != nil {
		if err := checkSeconds(*v); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return v, nil
}

func checkSeconds(sec float64) error {
	if math.IsNaN(sec) || math.IsInf(sec, 0) || sec < 0 || sec > maxSeconds {
		return fmt.Errorf("%v is not a time in seconds (0 to %g)", sec, maxSeconds)
	}
	return nil
}

// exitCodes decodes hyperfine's exit_codes: integers, null for a run
// whose status the platform did not give.
func exitCodes(raw json.RawMessage, path string) ([]*int, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s: want an array of exit codes", path)
	}
	out := make([]*int, len(items))
	for j, it := range items {
		if string(it) == "null" {
			continue
		}
		c, err := strconv.ParseInt(string(it), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %.40s is not an exit code", path, j, it)
		}
		out[j] = ptr(int(c))
	}
	return out, nil
}

// memoryBytes decodes memory_usage_byte: non-negative integers.
func memoryBytes(raw json.RawMessage, path string) ([]int64, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s: want an array of byte counts", path)
	}
	out := make([]int64, len(items))
	for j, it := range items {
		// A byte count fits int64 with room to round up to KiB.
		v, err := strconv.ParseInt(string(it), 10, 63)
		if err != nil || v < 0 || v > math.MaxInt64-1024 {
			return nil, fmt.Errorf("%s[%d]: %.40s is not a byte count", path, j, it)
		}
		out[j] = v
	}
	return out, nil
}

func nanoseconds(sec float64) int64 { return int64(math.Round(sec * 1e9)) }

// namer gives each imported result a unique strategy name.
type namer struct {
	used map[string]bool
	next map[string]int // the next suffix to try per base name
}

func newNamer() *namer { return &namer{used: map[string]bool{}, next: map[string]int{}} }

// unique names the i-th result: its command when that is a safe archive
// name, else StrategyName(command), with "-2", "-3", … for repeats. Each
// base name remembers its last suffix, so a million repeats take linear
// time.
func (n *namer) unique(command string, i int) string {
	base := command
	if results.CheckName("strategy", base) != nil {
		base = StrategyName(command, i)
	}
	name := base
	for k := max(2, n.next[base]); n.used[name]; k++ {
		name = fmt.Sprintf("%s-%d", base, k)
		n.next[base] = k + 1
	}
	n.used[name] = true
	return name
}

// StrategyName makes a strategy name of a command string: lower-case
// letters and digits, other runs of characters become '-', at most 40
// bytes; "command-<i+1>" when nothing is left.
func StrategyName(command string, i int) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(command) {
		if c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(c)
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return fmt.Sprintf("command-%d", i+1)
	}
	name := b.String()
	if len(name) > 40 {
		name = name[:40]
	}
	return strings.TrimRight(name, "-")
}
