package experiments

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Report is the [report] section: which sweep and instruction counts
// belong to the experiment's report, so that `benchlab experiment` makes
// them on this machine and the report asks for them by name when the
// archive has none comparable:
//
//	[report]
//	sweep = "iterations"
//	sweep_values = ["0", "10000000", "50000000"]
//	sweep_runs = 5
//	count = true
//	count_values = ["1000000", "2000000"]
type Report struct {
	// Sweep names the build parameter whose sweep the report shows.
	Sweep string `toml:"sweep,omitempty"`
	// SweepValues are the values the sweep runs; default all the
	// parameter's declared values.
	SweepValues []string `toml:"sweep_values,omitempty"`
	// SweepRuns is the counted runs per sweep point; 0 means trials.runs.
	SweepRuns int `toml:"sweep_runs,omitempty"`
	// Count asks for instruction counts (`benchlab count`).
	Count bool `toml:"count,omitempty"`
	// CountParam is the build parameter the counts vary (default
	// DefaultCountParam) and CountValues its two values, smaller first.
	CountParam  string   `toml:"count_param,omitempty"`
	CountValues []string `toml:"count_values,omitempty"`
}

// DefaultCountParam is the parameter instruction counts vary when
// [report] does not say (`benchlab count --param-name`'s default).
const DefaultCountParam = "iterations"

// DefaultCountValues are the iteration counts counted by default: small,
// since the counter runs the subjects some 50 times slower.
var DefaultCountValues = []string{"1000000", "2000000"}

// CountParamOrDefault is the parameter the counts vary.
func (r *Report) CountParamOrDefault() string {
	if r.CountParam == "" {
		return DefaultCountParam
	}
	return r.CountParam
}

// CountValuesOrDefault are the two values counted, smaller first.
func (r *Report) CountValuesOrDefault() []string {
	if len(r.CountValues) == 0 {
		return DefaultCountValues
	}
	return r.CountValues
}

// SweepValuesOrDefault are the values the declared sweep runs.
func (e *Experiment) SweepValuesOrDefault() []string {
	if e.Report == nil || e.Report.Sweep == "" {
		return nil
	}
	if len(e.Report.SweepValues) > 0 {
		return e.Report.SweepValues
	}
	return e.ParamValues(e.Report.Sweep)
}

// validateReport checks [report]: the sweep and the count name declared
// build parameters, a sweep has two distinct values or more, and counts
// have two whole numbers, smaller first.
func (e *Experiment) validateReport(path string, idx keyIndex) []error {
	r := e.Report
	if r == nil {
		return nil
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Line: idx.line(key, -1), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	names := e.ParamNames()
	if r.Sweep == "" {
		for _, k := range []string{"sweep_values", "sweep_runs"} {
			if idx.has("report." + k) {
				bad("report."+k, "needs report.sweep, the parameter to sweep")
			}
		}
	} else if !slices.Contains(names, r.Sweep) {
		bad("report.sweep", "%q names no build parameter; declare it in [build.parameters] (it has %s)", r.Sweep, orNone(names))
	} else {
		values := e.SweepValuesOrDefault()
		seen := map[string]bool{}
		for _, v := range values {
			if v == "" || seen[v] {
				bad("report.sweep_values", "value %q is empty or listed twice", v)
			}
			seen[v] = true
		}
		if len(values) < 2 {
			bad("report.sweep_values", "a sweep needs at least two values")
		}
	}
	if r.SweepRuns < 0 {
		bad("report.sweep_runs", "must not be negative")
	}
	if !r.Count {
		for _, k := range []string{"count_param", "count_values"} {
			if idx.has("report." + k) {
				bad("report."+k, "needs count = true")
			}
		}
		return errs
	}
	if p := r.CountParamOrDefault(); !slices.Contains(names, p) {
		bad("report.count_param", "%q names no build parameter; declare it in [build.parameters] or name another with count_param (it has %s)", p, orNone(names))
	}
	vs := r.CountValuesOrDefault()
	var ns []int64
	for _, v := range vs {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			bad("report.count_values", "%q is not a whole number ≥ 0", v)
			return errs
		}
		ns = append(ns, n)
	}
	if len(ns) != 2 || ns[0] >= ns[1] {
		bad("report.count_values", "want two whole numbers, smaller first, such as [\"1000000\", \"2000000\"]")
	}
	return errs
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// has reports whether the file defines key itself (not only its table).
func (idx keyIndex) has(key string) bool {
	for _, kl := range idx {
		if kl.key == key {
			return true
		}
	}
	return false
}
