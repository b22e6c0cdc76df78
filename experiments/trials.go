package experiments

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Adaptive runs, per-strategy prepare and cleanup commands, and run-time
// parameters: the parts of [trials] and [[strategy]] that follow hyperfine's
// --runs/--min-runs/--max-runs, --prepare/--cleanup and --parameter-list.
//
//	[trials]
//	runs = "auto"       # stop each strategy once its mean is known well enough
//	min_runs = 5        # never fewer counted runs
//	max_runs = 200      # never more
//	max_time = "2m"     # nor more counted time per strategy
//	precision = 0.01    # the 95% interval of the mean within ±1% of it
//	block = 8           # a short strategy's primed trials in blocks of 8
//
//	[[strategy]]
//	name = "sum"
//	command = ["./sum", "{iterations}"]
//	prepare = ["sync"]
//	params = { iterations = [1000, 2000] }   # strategies sum-iterations-1000 and sum-iterations-2000

// WithAutoDefaults returns t with the bounds of runs = "auto" that the file
// leaves out set to their defaults.
func (t Trials) WithAutoDefaults() Trials {
	if t.MinRuns == 0 {
		t.MinRuns = DefaultMinRuns
	}
	if t.MaxRuns == 0 {
		t.MaxRuns = max(DefaultMaxRuns, t.MinRuns)
	}
	if t.MaxTime.Duration == 0 {
		t.MaxTime.Duration = DefaultMaxTime
	}
	if t.Precision == 0 {
		t.Precision = DefaultPrecision
	}
	return t
}

// RunCount is trials.runs: a number of counted rounds, or AutoRuns.
type RunCount int

// AutoRuns is runs = "auto": each strategy runs until the 95% confidence
// interval of its mean is within trials.precision of it, between
// trials.min_runs and trials.max_runs and within trials.max_time.
const AutoRuns RunCount = -1

// Auto reports whether runs is "auto".
func (r RunCount) Auto() bool { return r == AutoRuns }

// String is "auto" or the count, as written in experiment.toml.
func (r RunCount) String() string {
	if r.Auto() {
		return "auto"
	}
	return strconv.Itoa(int(r))
}

// UnmarshalTOML accepts a whole number or the string "auto".
func (r *RunCount) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		// Anything below 1 is kept as 0 for validateTrials to report with
		// the others; -1 must not read as AutoRuns.
		*r = RunCount(min(max(v, 0), 1<<31))
		return nil
	case string:
		if v == "auto" {
			*r = AutoRuns
			return nil
		}
		return fmt.Errorf("wrong type: the value is string %q; want integer or \"auto\"", v)
	}
	return fmt.Errorf("wrong type: the value is %T; want integer or \"auto\"", v)
}

// Defaults of the bounds of runs = "auto".
const (
	DefaultMinRuns   = 5
	DefaultMaxRuns   = 200
	DefaultMaxTime   = 2 * time.Minute
	DefaultPrecision = 0.01
	// DefaultAutoBlock is trials.block under runs = "auto" when the file
	// sets none: a short strategy's priming runs (four) are then paid
	// once per 16 trials, a quarter of a trial each, not four times a
	// trial (bench/README.md, fifth pass). Fixed counts keep one trial
	// per round: their few rounds are what interleaving spreads a
	// drift over.
	DefaultAutoBlock = 16
)

// validateTrials checks trials.runs and the bounds of runs = "auto", filling
// in the bounds' defaults, and each strategy's prepare, cleanup and params.
func (e *Experiment) validateTrials(path string, idx keyIndex) []error {
	var errs []error
	bad := func(key string, i int, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Line: idx.line(key, i), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	t := &e.Trials
	switch {
	case t.Runs.Auto():
		*t = t.WithAutoDefaults()
		if t.MinRuns < 2 {
			bad("trials.min_runs", -1, "must be at least 2: an interval needs a standard deviation")
		}
		switch {
		case t.MaxRuns < t.MinRuns:
			bad("trials.max_runs", -1, "%d is below trials.min_runs (%d); raise it", t.MaxRuns, t.MinRuns)
		case t.MaxRuns > MaxRuns:
			bad("trials.max_runs", -1, "%d is over the limit of %d runs per strategy", t.MaxRuns, MaxRuns)
		}
		switch {
		case t.MaxTime.Duration < 0:
			bad("trials.max_time", -1, "must be positive, such as \"2m\"")
		case t.MaxTime.Duration > MaxDuration:
			bad("trials.max_time", -1, "%v is over the limit of %v", t.MaxTime.Duration, MaxDuration)
		}
		if !(t.Precision > 0 && t.Precision < 1) {
			bad("trials.precision", -1, "%g: want a fraction of the mean between 0 and 1, such as 0.01 for ±1%%", t.Precision)
		}
	case t.Runs < 1:
		bad("trials.runs", -1, "must be at least 1")
	case t.Runs > MaxRuns:
		bad("trials.runs", -1, "%d is over the limit of %d runs per strategy; use fewer, or runs = \"auto\"", t.Runs, MaxRuns)
	default:
		for _, k := range []struct {
			key string
			set bool
		}{
			{"min_runs", t.MinRuns != 0}, {"max_runs", t.MaxRuns != 0},
			{"max_time", t.MaxTime.Duration != 0}, {"precision", t.Precision != 0},
			{"block", t.Block != 0},
		} {
			if k.set {
				bad("trials."+k.key, -1, "applies only with runs = \"auto\"; remove it or set runs = \"auto\"")
			}
		}
	}
	if t.Runs.Auto() && (t.Block < 0 || t.Block > MaxBlock) {
		bad("trials.block", -1, "%d: want 1 to %d trials run back to back (1: one per round)", t.Block, MaxBlock)
	}
	for i, s := range e.Strategies {
		for _, c := range []struct {
			key  string
			argv []string
		}{{"strategy.prepare", s.Prepare}, {"strategy.cleanup", s.Cleanup}} {
			if c.argv != nil && (len(c.argv) == 0 || c.argv[0] == "") {
				bad(c.key, i, "strategy %q: name a program to run (argv list, no shell) or remove the key", s.Name)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(s.Params)) {
			key := "strategy.params." + name
			if !runParamPattern.MatchString(name) {
				bad(key, i, "strategy %q: %q is not a lower-case identifier (letters, digits, '_')", s.Name, name)
				continue
			}
			values := s.Params[name]
			if len(values) == 0 {
				bad(key, i, "strategy %q: list at least one value", s.Name)
			}
			seen := map[string]bool{}
			for _, v := range values {
				text, err := paramText(v)
				switch {
				case err != nil:
					bad(key, i, "strategy %q: %v", s.Name, err)
				case seen[text]:
					bad(key, i, "strategy %q: value %s is listed twice", s.Name, text)
				}
				seen[text] = true
			}
			if !slices.ContainsFunc(s.Command, func(a string) bool { return strings.Contains(a, "{"+name+"}") }) {
				bad(key, i, "strategy %q: {%s} appears nowhere in its command; use it there or remove the parameter", s.Name, name)
			}
		}
	}
	return errs
}

// runParamPattern is what run-time parameter names must match.
var runParamPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// paramText returns a parameter value as it is substituted: a number, or a
// string safe in a name (letters of either case, digits, '.', '_',
// '+' and '-', at least one letter or digit), such as "0.001", "O2" or
// "-O3". The strategy name takes it in lower case, other characters made
// '-' (paramName), so that expanded names stay safe file names.
func paramText(v any) (string, error) {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		// As Go writes it shortest: 0.001, 2.5; write a string to keep
		// another form ("0.10").
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return "", fmt.Errorf("value %v: want a finite number", v)
		}
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case string:
		if err := CheckParamValue(v); err != nil {
			return "", err
		}
		return v, nil
	}
	return "", fmt.Errorf("value %v (%T): want a number or a string", v, v)
}

// paramValuePattern is what a run-time parameter's string value must
// match; paramName must find a letter or digit in it.
var paramValuePattern = regexp.MustCompile(`^[A-Za-z0-9._+-]*[A-Za-z0-9][A-Za-z0-9._+-]*$`)

// CheckParamValue says whether v may be a value of a run-time parameter:
// letters of either case, digits, '.', '_', '+' and '-', with at least one
// letter or digit. Anything else (a space, a '/', a quote) could not go
// into a strategy name.
func CheckParamValue(v string) error {
	if !paramValuePattern.MatchString(v) {
		return fmt.Errorf("value %q: want letters, digits, '.', '_', '+' or '-', such as 0.001 or O2 (it becomes part of a strategy name)", v)
	}
	return nil
}

// Slug is s as it appears in a name (of a strategy, an ad-hoc experiment):
// lower case, each run of characters other than letters and digits made
// one '-', none at either end ("0.001" → "0-001", "O2" → "o2", "-O3" →
// "o3").
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// expandParams replaces each strategy that has params with one strategy per
// combination of its values, in file order: the first parameter (by name)
// varies slowest, values in the order listed. "{name}" in command, prepare,
// cleanup and description is replaced by the value, and the strategy is
// named "<name>-<param>-<value>" for each parameter ('_' in a parameter
// name becomes '-'). An expanded name that clashes with another strategy's
// is an error.
func (e *Experiment) expandParams(path string, idx keyIndex) error {
	var out []Strategy
	owner := map[string]int{} // expanded name -> index of its [[strategy]]
	var errs []error
	for i, s := range e.Strategies {
		for _, x := range expand(s) {
			if j, dup := owner[x.Name]; dup {
				errs = append(errs, &Error{Path: path, Line: idx.line("strategy.name", i), Key: "strategy.name",
					Msg: fmt.Sprintf("strategy %d expands to %q, which strategy %d also names; rename one", i+1, x.Name, j+1)})
				continue
			}
			owner[x.Name] = i
			out = append(out, x)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	e.Strategies = out
	return nil
}

// expandedNames is the set of strategy names after params expansion: the
// names that trials.baseline, compare_with and open questions must use.
func (e *Experiment) expandedNames() map[string]bool {
	names := map[string]bool{}
	for _, s := range e.Strategies {
		for _, x := range expand(s) {
			names[x.Name] = true
		}
	}
	return names
}

// expand returns the strategies s stands for: s itself without params, one
// per combination of values with them. Values that paramText rejects are
// skipped (validation has reported them).
func expand(s Strategy) []Strategy {
	if len(s.Params) == 0 {
		return []Strategy{s}
	}
	out := []Strategy{s}
	out[0].Params = nil
	for _, name := range slices.Sorted(maps.Keys(s.Params)) {
		var next []Strategy
		for _, base := range out {
			for _, v := range s.Params[name] {
				text, err := paramText(v)
				if err != nil {
					continue
				}
				next = append(next, substitute(base, name, text))
			}
		}
		out = next
	}
	return out
}

// substitute returns s with "{name}" replaced by value and the parameter
// appended to its name.
func substitute(s Strategy, name, value string) Strategy {
	r := strings.NewReplacer("{"+name+"}", value)
	sub := func(argv []string) []string {
		if argv == nil {
			return nil
		}
		out := make([]string, len(argv))
		for i, a := range argv {
			out[i] = r.Replace(a)
		}
		return out
	}
	s.Name = s.Name + "-" + strings.ReplaceAll(name, "_", "-") + "-" + Slug(value)
	s.Values = maps.Clone(s.Values)
	if s.Values == nil {
		s.Values = map[string]string{}
	}
	s.Values[name] = value
	s.Command = sub(s.Command)
	s.Prepare = sub(s.Prepare)
	s.Cleanup = sub(s.Cleanup)
	s.Description = r.Replace(s.Description)
	s.Label = r.Replace(s.Label)
	return s
}
