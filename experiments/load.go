package experiments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"benchlab/internal/safefile"
)

// namePattern is what experiment and strategy names must match: they become
// folder and file names in the archive and reports.
var namePattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// MaxExperimentFileSize bounds experiment.toml: a hand-written file is a
// few kilobytes.
const MaxExperimentFileSize = 1 << 20

// Load reads and validates the experiment in dir (a folder holding
// experiment.toml, or the file itself). Every problem is reported, each as
// "file:line: key: message".
func Load(dir string) (*Experiment, error) {
	path := dir
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		path = filepath.Join(dir, FileName)
	}
	// Regular files only, and bounded: a FIFO or a link to /dev/zero
	// named experiment.toml must not hang or exhaust memory.
	raw, _, err := safefile.ReadFile(path, MaxExperimentFileSize)
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
	if e.Trials.Timeout.Duration == 0 {
		e.Trials.Timeout.Duration = DefaultTimeout
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
	if e.Trials.Warmup < 0 {
		bad("trials.warmup", -1, "must not be negative")
	}
	errs = append(errs, e.validateTrials(path, idx)...)
	if e.Trials.Timeout.Duration < 0 {
		bad("trials.timeout", -1, "must be positive")
	}
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
			if f.Mean <= 0 {
				bad("strategy.reference.mean", i, "strategy %q: published mean must be positive", s.Name)
			}
			if f.Stddev < 0 || (f.Max != 0 && f.Min > f.Max) {
				bad("strategy.reference", i, "strategy %q: published stddev must be >= 0 and min <= max", s.Name)
			}
		}
	}
	errs = append(errs, e.validateParams(path, idx)...)
	errs = append(errs, e.validateQuestions(path, idx)...)
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
