package results

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file converts runs to and from other tools' formats. Statistics
// (hyperfine's mean, median, …) are not computed here: the caller brings
// them from package analysis.

// CSVHeader is the first row of WriteCSV's output.
var CSVHeader = []string{"run", "experiment", "machine", "strategy", "round", "warmup",
	"wall_ns", "user_ns", "sys_ns", "max_rss_kib", "exit_code", "signal", "timed_out"}

// WriteCSV writes r as CSV: CSVHeader, then one row per trial (warm-ups
// included, flagged) in the order they ran, times in nanoseconds and memory
// in KiB. Names are quoted as CSV requires, so any strategy name is safe.
func WriteCSV(w io.Writer, r *Run) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, t := range r.Trials {
		row := []string{r.ID, r.Experiment, r.Machine.ID, r.Strategies[t.Strategy].Name,
			strconv.Itoa(t.Round), strconv.FormatBool(t.Warmup),
			strconv.FormatInt(t.WallNS, 10), strconv.FormatInt(t.UserNS, 10), strconv.FormatInt(t.SysNS, 10),
			strconv.FormatInt(t.MaxRSSKiB, 10), strconv.Itoa(t.ExitCode), strconv.Itoa(t.Signal),
			strconv.FormatBool(t.TimedOut)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteBenchfmt writes r in the Go benchmark format
// (golang.org/design/14313-benchmark-format), which benchstat compares:
// configuration lines that describe the machine and experiment ("goos:
// linux", "cpu: …", "machine: …", "experiment: …"), comment lines ("# run
// …") for what differs from run to run (benchstat splits its tables on
// every configuration value that differs, so the run ID must not be one),
// then one result line per counted trial that succeeded,
//
//	BenchmarkAsyncFnPointers/function-pointer 1 351234567 ns/op 343210000 user-ns/op 2013000 sys-ns/op 9437184 peak-RSS-bytes
//
// named Benchmark + the experiment name in CamelCase, then "/" and the
// strategy name. Warm-ups and failed trials are left out, as benchstat
// would count them. A strategy name ending in "-<digits>" gets "-1"
// appended, since benchstat reads a final "-N" as GOMAXPROCS.
func WriteBenchfmt(w io.Writer, r *Run) error {
	bw := bufio.NewWriter(w)
	goos := "linux"
	if r.Imported != nil {
		goos = "" // unknown
	}
	config := [][2]string{
		{"goos", goos}, {"goarch", r.Machine.Arch}, {"cpu", r.Machine.CPUModel},
		{"machine", r.Machine.ID}, {"os", r.Machine.OS}, {"experiment", r.Experiment},
	}
	for _, kv := range config {
		if v := oneLine(kv[1]); v != "" {
			fmt.Fprintf(bw, "%s: %s\n", kv[0], v)
		}
	}
	fmt.Fprintf(bw, "# run %s, started %s, complete %v, kernel %s, benchlab %s\n", r.ID,
		r.Started.UTC().Format(time.RFC3339), r.Complete, oneLine(r.Machine.Kernel), oneLine(r.Lab.Version+" "+r.Lab.Commit))
	if r.Imported != nil {
		fmt.Fprintf(bw, "# imported from %s %s\n", r.Imported.Tool, oneLine(r.Imported.File))
	}
	fmt.Fprintln(bw)
	prefix := "Benchmark" + camel(r.Experiment)
	names := make([]string, len(r.Strategies))
	for i, s := range r.Strategies {
		names[i] = prefix + "/" + benchName(s.Name)
	}
	for _, t := range r.Trials {
		if t.Warmup || !t.OK() {
			continue
		}
		// An imported trial's user and system times are its command's
		// means (hyperfine exports no more) and its memory may be unknown:
		// only what was measured per trial is written.
		fmt.Fprintf(bw, "%s 1 %d ns/op", names[t.Strategy], t.WallNS)
		if r.Imported == nil {
			fmt.Fprintf(bw, " %d user-ns/op %d sys-ns/op", t.UserNS, t.SysNS)
		}
		if t.MaxRSSKiB > 0 {
			fmt.Fprintf(bw, " %d peak-RSS-bytes", t.MaxRSSKiB*1024)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// oneLine joins the lines of s with spaces: a configuration value may not
// hold a newline.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// camel turns "async-fn-pointers" into "AsyncFnPointers".
func camel(name string) string {
	var b strings.Builder
	up := true
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			up = true
			continue
		}
		if up {
			c = unicode.ToUpper(c)
			up = false
		}
		b.WriteRune(c)
	}
	if b.Len() == 0 {
		return "Run"
	}
	return b.String()
}

// benchName makes a strategy name one benchmark-name field: no spaces or
// control characters, and no final "-<digits>" (see WriteBenchfmt).
func benchName(name string) string {
	s := strings.Map(func(c rune) rune {
		if unicode.IsSpace(c) || !unicode.IsPrint(c) {
			return '_'
		}
		return c
	}, name)
	if s == "" {
		s = "_"
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 && i < len(s)-1 && strings.Trim(s[i+1:], "0123456789") == "" {
		s += "-1"
	}
	return s
}

// Hyperfine is the document hyperfine writes with --export-json, and that
// benchlab export --format hyperfine writes: times in seconds.
type Hyperfine struct {
	Results []HyperfineResult `json:"results"`
}

// HyperfineResult is one command's entry in a Hyperfine document. Mean,
// Stddev, Median, Min and Max describe Times; User and System are mean CPU
// times. ExitCodes has one entry per time, null when a signal ended the
// run. MemoryUsageByte (newer hyperfine) is the peak memory of each run.
type HyperfineResult struct {
	Command         string            `json:"command"`
	Mean            float64           `json:"mean"`
	Stddev          *float64          `json:"stddev"`
	Median          float64           `json:"median"`
	User            float64           `json:"user"`
	System          float64           `json:"system"`
	Min             float64           `json:"min"`
	Max             float64           `json:"max"`
	Times           []float64         `json:"times"`
	MemoryUsageByte []int64           `json:"memory_usage_byte,omitempty"`
	ExitCodes       []*int            `json:"exit_codes"`
	Parameters      map[string]string `json:"parameters,omitempty"`
}

// MaxImportSize bounds the export file FromHyperfine reads.
const MaxImportSize = 64 << 20

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
	Lab Lab
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

// FromHyperfine makes a run of a hyperfine JSON export. Each result
// becomes a strategy named from its command (lower-cased, runs of other
// characters than letters and digits made '-', at most 40 bytes, made
// unique), each time a counted trial. What hyperfine does not export is
// not invented: per-trial user and system times are unknown, so every
// trial carries its command's mean (a warning says so), peak memory is 0
// unless memory_usage_byte is present, and the machine has only an ID (see
// ImportedMachineID). The run is marked Imported.
func FromHyperfine(data []byte, opts ImportOptions) (*Run, error) {
	if len(data) > MaxImportSize {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a hyperfine export", opts.File, MaxImportSize)
	}
	if err := CheckName("experiment", opts.Experiment); err != nil {
		return nil, err
	}
	var h Hyperfine
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%s: not a hyperfine JSON export (hyperfine --export-json): %w", opts.File, err)
	}
	if len(h.Results) == 0 {
		return nil, fmt.Errorf("%s: no \"results\": not a hyperfine JSON export (hyperfine --export-json)", opts.File)
	}
	sum := sha256.Sum256(data)
	start := opts.Modified.UTC()
	r := &Run{
		Format:     FormatVersion,
		ID:         NewID(start),
		Experiment: opts.Experiment,
		Started:    start, Finished: start,
		Complete: true,
		Machine:  Machine{ID: ImportedMachineID(opts.MachineNote, data)},
		Lab:      opts.Lab,
		Imported: &Import{Tool: "hyperfine", File: filepath.Base(opts.File), SHA256: hex.EncodeToString(sum[:]), Note: opts.MachineNote},
		Warnings: []string{"imported from hyperfine: per-trial user and system times are each command's mean (hyperfine exports no more); the machine is known only by its note"},
	}
	used := names{}
	for i, res := range h.Results {
		if res.ExitCodes != nil && len(res.ExitCodes) != len(res.Times) {
			return nil, fmt.Errorf("%s: results[%d]: %d exit_codes for %d times", opts.File, i, len(res.ExitCodes), len(res.Times))
		}
		if res.MemoryUsageByte != nil && len(res.MemoryUsageByte) != len(res.Times) {
			return nil, fmt.Errorf("%s: results[%d]: %d memory_usage_byte for %d times", opts.File, i, len(res.MemoryUsageByte), len(res.Times))
		}
		name := uniqueName(StrategyName(res.Command, i), used)
		r.Strategies = append(r.Strategies, Strategy{
			Name: name, Command: []string{"sh", "-c", res.Command},
			Description: "imported from hyperfine, which ran it through its shell",
		})
		r.Settings.Runs = max(r.Settings.Runs, len(res.Times))
		for j, sec := range res.Times {
			if math.IsNaN(sec) || math.IsInf(sec, 0) || sec < 0 || sec > 1e9 {
				return nil, fmt.Errorf("%s: results[%d].times[%d]: %v is not a time in seconds", opts.File, i, j, sec)
			}
			t := Trial{Strategy: i, Round: j, WallNS: secondsToNS(sec),
				UserNS: secondsToNS(res.User), SysNS: secondsToNS(res.System)}
			if res.ExitCodes != nil {
				if c := res.ExitCodes[j]; c == nil {
					t.ExitCode = -1
				} else {
					t.ExitCode = *c
				}
			}
			if res.MemoryUsageByte != nil {
				t.MaxRSSKiB = res.MemoryUsageByte[j] / 1024
			}
			if !t.OK() && r.Strategies[i].Failure == "" {
				r.Strategies[i].Failure = fmt.Sprintf("exit status %d (in hyperfine's export)", t.ExitCode)
			}
			r.Trials = append(r.Trials, t)
		}
		for k, v := range res.Parameters {
			if r.Parameters == nil {
				r.Parameters = map[string]string{}
			}
			r.Parameters[k] = v
		}
	}
	return r, nil
}

func secondsToNS(s float64) int64 {
	if math.IsNaN(s) || s < 0 {
		return 0
	}
	return int64(math.Round(s * 1e9))
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

// names are the strategy names taken so far, and for each name asked
// for, the next suffix to try: a million results of one command are named
// in linear time, not by trying every taken suffix again.
type names map[string]int

func uniqueName(name string, used names) string {
	n, k := name, max(used[name+"\x00"], 2)
	for ; used[n] != 0; k++ {
		n = fmt.Sprintf("%s-%d", name, k)
	}
	used[n] = 1
	used[name+"\x00"] = k // NUL is in no name: the counter's own key
	return n
}
