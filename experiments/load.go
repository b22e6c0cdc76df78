package experiments

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"
)

// namePattern is what experiment and strategy names must match: they become
// folder and file names in the archive and reports.
var namePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads and validates the experiment in dir (a folder holding
// experiment.toml, or the file itself). Every problem is reported, each as
// "file:line: key: message".
func Load(dir string) (*Experiment, error) {
	path := dir
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		path = filepath.Join(dir, FileName)
	}
	raw, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("read experiment: %w", err)
	}
	e, err := Parse(path, raw)
	if err != nil {
		return nil, err
	}
	e.Dir = filepath.Dir(path)
	return e, nil
}

// Parse decodes and validates an experiment file's bytes; path names the
// file in error messages only.
func Parse(path string, raw []byte) (*Experiment, error) {
	var e Experiment
	md, err := toml.Decode(string(raw), &e)
	if err != nil {
		return nil, decodeError(path, err)
	}
	idx := indexKeys(raw)
	var errs []error
	for _, k := range md.Undecoded() {
		// Undecoded lists a table and then each of its keys; the keys say more.
		if md.Type(k...) == "Hash" || md.Type(k...) == "ArrayHash" {
			continue
		}
		errs = append(errs, &Error{Path: path, Line: idx.line(k.String(), -1), Key: k.String(),
			Msg: "unknown key; see experiments/README.md for the schema"})
	}
	e.Path = path
	e.Raw = raw
	// A duration written as "0s" is a mistake, not a request for the
	// default: only an absent key is defaulted.
	for _, d := range []struct {
		key []string
		v   *Duration
		def time.Duration
	}{
		{[]string{"trials", "timeout"}, &e.Trials.Timeout, DefaultTimeout},
		{[]string{"build", "timeout"}, e.buildTimeout(), DefaultBuildTimeout},
	} {
		key := strings.Join(d.key, ".")
		switch {
		case d.v == nil:
		case !md.IsDefined(d.key...):
			d.v.Duration = d.def
		case d.v.Duration <= 0:
			errs = append(errs, &Error{Path: path, Line: idx.line(key, -1), Key: key,
				Msg: fmt.Sprintf("%v: must be positive, such as \"10m\"; remove the key for the default", d.v.Duration)})
		case d.v.Duration > MaxDuration:
			errs = append(errs, &Error{Path: path, Line: idx.line(key, -1), Key: key,
				Msg: fmt.Sprintf("%v is over the limit of %v", d.v.Duration, MaxDuration)})
		}
	}
	errs = append(errs, e.validate(path, idx)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := e.expandParams(path, idx); err != nil {
		return nil, err
	}
	return &e, nil
}

// readFile reads an experiment file: a regular file (not a FIFO or a
// device, which could block or never end) of at most MaxFileSize bytes.
func readFile(path string) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO must not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%v); name an experiment.toml", path, fi.Mode().Type())
	}
	raw, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxFileSize {
		return nil, fmt.Errorf("%s is over the limit of %d bytes", path, MaxFileSize)
	}
	return raw, nil
}

// buildTimeout returns build.timeout, or nil without [build].
func (e *Experiment) buildTimeout() *Duration {
	if e.Build == nil {
		return nil
	}
	return &e.Build.Timeout
}

// Error is a problem in an experiment file, located by line and key.
type Error struct {
	Path string
	Line int // 0 when the key is absent from the file
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	loc := e.Path
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", loc, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
}

func decodeError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		// The library's own messages start upper-case; ours do not.
		if msg != "" {
			msg = strings.ToLower(msg[:1]) + msg[1:]
		}
		return &Error{Path: path, Line: pe.Position.Line, Key: pe.LastKey, Msg: msg}
	}
	// Type mismatches come back as plain errors in the library's own format.
	if m := typeErrRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg := strings.Replace(m[3], "incompatible types: TOML value has type", "wrong type: the value is", 1)
		msg = strings.Replace(msg, "destination has type", "want", 1)
		return &Error{Path: path, Line: line, Key: m[2], Msg: msg}
	}
	return fmt.Errorf("%s: %w", path, err)
}

var typeErrRE = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`)

func (e *Experiment) validate(path string, idx keyIndex) []error {
	var errs []error
	bad := func(key string, i int, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Line: idx.line(key, i), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case e.Name == "":
		bad("name", -1, "required: lower-case words joined by '-', such as \"async-fn-pointers\"")
	case !namePattern.MatchString(e.Name):
		bad("name", -1, "%q is not lower-case words joined by '-'", e.Name)
	case len(e.Name) > MaxNameLength:
		bad("name", -1, "%d bytes is over the limit of %d: it names the archive's folder", len(e.Name), MaxNameLength)
	}
	if e.Build != nil && len(e.Build.Command) == 0 {
		bad("build.command", -1, "must name a program to run; remove [build] if nothing is built")
	}
	if e.Build != nil {
		for _, r := range e.Build.Record {
			if filepath.IsAbs(r) || strings.HasPrefix(filepath.Clean(r), "..") {
				bad("build.record", -1, "%q must be a path inside the experiment folder", r)
			}
		}
	}
	if e.Host.MinCPUs < 0 {
		bad("host.min_cpus", -1, "must not be negative")
	}
	if e.Host.MaxLoad < 0 || math.IsNaN(e.Host.MaxLoad) {
		bad("host.max_load", -1, "must be a load average per CPU above 0, such as 1.5 (0 or absent: the default %g)", DefaultMaxLoad)
	}
	if !(e.Host.MaxBusy >= 0 && e.Host.MaxBusy <= 1) {
		bad("host.max_busy", -1, "must be a fraction between 0 and 1, such as 0.2 (0 or absent: the default %g)", DefaultMaxBusy)
	}
	switch w := e.Trials.Warmup; {
	case w < 0:
		bad("trials.warmup", -1, "must not be negative")
	case w > MaxWarmup:
		bad("trials.warmup", -1, "%d is over the limit of %d warm-up rounds", w, MaxWarmup)
	}
	errs = append(errs, e.validateTrials(path, idx)...)
	seenCPU := map[int]bool{}
	for _, c := range e.Trials.Pin {
		if c < 0 || c >= 1024 {
			bad("trials.pin", -1, "CPU %d is out of range 0..1023", c)
		}
		if seenCPU[c] {
			bad("trials.pin", -1, "CPU %d is listed twice", c)
		}
		seenCPU[c] = true
	}
	if e.Reference.Unit != "" {
		if _, ok := units[e.Reference.Unit]; !ok {
			bad("reference.unit", -1, "unknown unit %q; use ns, us, ms or s", e.Reference.Unit)
		}
	}
	if len(e.Strategies) == 0 {
		bad("strategy", -1, "at least one [[strategy]] is required")
	}
	seen := map[string]bool{}
	for i := range e.Strategies {
		s := &e.Strategies[i]
		switch {
		case s.Name == "":
			bad("strategy.name", i, "strategy %d has no name", i+1)
		case !namePattern.MatchString(s.Name):
			bad("strategy.name", i, "%q is not lower-case words joined by '-'", s.Name)
		case seen[s.Name]:
			bad("strategy.name", i, "duplicate strategy %q", s.Name)
		}
		seen[s.Name] = true
		if len(s.Command) == 0 || s.Command[0] == "" {
			bad("strategy.command", i, "strategy %q needs a command (argv list, no shell)", s.Name)
		}
		if f := s.Reference; f != nil {
			if f.Unit == "" {
				f.Unit = e.Reference.Unit
			}
			if f.Runs == 0 {
				f.Runs = e.Reference.Runs
			}
			if f.Machine == "" {
				f.Machine = e.Reference.Machine
			}
			if _, ok := units[f.Unit]; !ok {
				bad("strategy.reference.unit", i, "strategy %q: unknown or missing unit %q; use ns, us, ms or s", s.Name, f.Unit)
			}
			for _, v := range []struct {
				key string
				v   float64
			}{{"mean", f.Mean}, {"stddev", f.Stddev}, {"min", f.Min}, {"max", f.Max}} {
				if !finite(v.v) || v.v < 0 {
					bad("strategy.reference."+v.key, i, "strategy %q: published %s %v must be a finite number of at least 0", s.Name, v.key, v.v)
				}
			}
			if f.Runs < 0 {
				bad("strategy.reference.runs", i, "strategy %q: published runs must not be negative", s.Name)
			}
			switch {
			case f.Mean == 0:
				bad("strategy.reference.mean", i, "strategy %q: published mean must be positive", s.Name)
			case f.Max != 0 && f.Min > f.Max:
				bad("strategy.reference", i, "strategy %q: published min must be <= max", s.Name)
			}
		}
	}
	if e.Reference.Runs < 0 {
		bad("reference.runs", -1, "must not be negative")
	}
	errs = append(errs, e.validateParams(path, idx)...)
	// Counted before anything is expanded: a few parameters with many
	// values each stand for more strategies than memory holds.
	if n := e.strategyCount(); n > MaxStrategies {
		bad("strategy.params", -1, "the strategies expand to %s, over the limit of %d; list fewer parameter values", countText(n), MaxStrategies)
		return errs
	}
	errs = append(errs, e.validateQuestions(path, idx)...)
	errs = append(errs, e.validateReport(path, idx)...)
	if len(errs) == 0 {
		if err := CheckCounts(e.strategyCount(), e.Trials.Warmup, e.Trials.PlannedRuns()); err != nil {
			key := "trials.runs"
			if e.Trials.Runs.Auto() {
				key = "trials.max_runs"
			}
			bad(key, -1, "%v", err)
		}
	}
	names := e.expandedNames()
	for i, s := range e.Strategies {
		switch w := s.CompareWith; {
		case w == "":
		case w == s.Name:
			bad("strategy.compare_with", i, "strategy %q is compared with itself; name another strategy", s.Name)
		case !names[w]:
			bad("strategy.compare_with", i, "strategy %q: %q names no strategy", s.Name, w)
		}
	}
	switch {
	case e.Trials.Baseline == "":
		// No baseline: reports take ratios to the fastest strategy.
	case !names[e.Trials.Baseline]:
		bad("trials.baseline", -1, "%q names no strategy", e.Trials.Baseline)
	}
	return errs
}

// countText shows a count that may have saturated at math.MaxInt.
func countText(n int) string {
	if n == math.MaxInt {
		return "more than " + strconv.Itoa(math.MaxInt)
	}
	return strconv.Itoa(n) + " strategies"
}

// keyIndex maps keys of a TOML file to the lines that define them, so that
// errors found after decoding can still point at a line. The library keeps
// key positions to itself.
type keyIndex []keyLine

type keyLine struct {
	key   string // dotted, array indices dropped: "strategy.reference.mean"
	index int    // which [[array]] element the key is in, or -1
	line  int
}

var (
	headerRE = regexp.MustCompile(`^\s*(\[\[?)\s*([A-Za-z0-9_.\- "]+?)\s*\]\]?`)
	keyRE    = regexp.MustCompile(`^\s*([A-Za-z0-9_\-."]+)\s*=`)
)

func indexKeys(raw []byte) keyIndex {
	var idx keyIndex
	table, index := "", -1
	arrays := map[string]int{}
	for n, l := range strings.Split(string(raw), "\n") {
		if m := headerRE.FindStringSubmatch(l); m != nil {
			table = strings.ReplaceAll(strings.ReplaceAll(m[2], " ", ""), `"`, "")
			if m[1] == "[[" {
				arrays[table]++
			}
			// A nested table belongs to the newest element of its array.
			root := strings.SplitN(table, ".", 2)[0]
			index = arrays[root] - 1
			idx = append(idx, keyLine{key: table, index: index, line: n + 1})
			continue
		}
		if m := keyRE.FindStringSubmatch(l); m != nil {
			k := strings.ReplaceAll(m[1], `"`, "")
			if table != "" {
				k = table + "." + k
			}
			idx = append(idx, keyLine{key: k, index: index, line: n + 1})
		}
	}
	return idx
}

// line finds the line of key (in array element index, or anywhere when index
// is -1), falling back to its nearest enclosing table; 0 if none.
func (idx keyIndex) line(key string, index int) int {
	for k := key; k != ""; {
		for _, kl := range idx {
			if kl.key == k && (index < 0 || kl.index == index) {
				return kl.line
			}
		}
		i := strings.LastIndex(k, ".")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}
