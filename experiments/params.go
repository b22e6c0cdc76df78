package experiments

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Build-time parameters.
//
// An experiment may declare parameters that change how its subjects are
// built, such as a loop bound that must be a compile-time constant:
//
//	[build.parameters]
//	iterations = ["0", "1000000", "50000000", "250000000"]
//	[build.defaults]
//	iterations = "250000000"
//
// The build command receives each value as the environment variable
// BENCHLAB_PARAM_<NAME in upper case>, and "{name}" in its arguments is
// replaced by the value. `benchlab run` builds with the defaults (or
// --param overrides); `benchlab sweep` builds and runs once per value.

// ParamEnvPrefix starts the name of the environment variable that carries
// a parameter's value to the build.
const ParamEnvPrefix = "BENCHLAB_PARAM_"

// paramPattern is what parameter names must match: they become environment
// variable names once upper-cased.
var paramPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// validateParams checks [build.parameters] and [build.defaults]: names are
// lower-case identifiers, each parameter lists at least one distinct,
// non-empty value and has a default, and every default names a declared
// parameter.
func (e *Experiment) validateParams(path string, idx keyIndex) []error {
	if e.Build == nil {
		return nil
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Line: idx.line(key, -1), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	for _, name := range slices.Sorted(maps.Keys(e.Build.Parameters)) {
		key := "build.parameters." + name
		if !paramPattern.MatchString(name) {
			bad(key, "%q is not a lower-case identifier (letters, digits, '_')", name)
		}
		values := e.Build.Parameters[name]
		if len(values) == 0 {
			bad(key, "list at least one value")
		}
		seen := map[string]bool{}
		for _, v := range values {
			switch {
			case strings.TrimSpace(v) == "":
				bad(key, "empty value")
			case seen[v]:
				bad(key, "value %q is listed twice", v)
			}
			seen[v] = true
		}
		if _, ok := e.Build.Defaults[name]; !ok {
			bad("build.defaults", "parameter %q has no default; add %s = %q", name, name, first(values))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(e.Build.Defaults)) {
		key := "build.defaults." + name
		if _, ok := e.Build.Parameters[name]; !ok {
			bad(key, "%q names no parameter of [build.parameters]", name)
		} else if strings.TrimSpace(e.Build.Defaults[name]) == "" {
			bad(key, "empty value")
		}
	}
	return errs
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// ParamNames returns the experiment's build-time parameters, sorted.
func (e *Experiment) ParamNames() []string {
	if e.Build == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(e.Build.Parameters))
}

// ParamValues returns the declared values of parameter name, in file
// order, or nil when there is no such parameter.
func (e *Experiment) ParamValues(name string) []string {
	if e.Build == nil {
		return nil
	}
	return e.Build.Parameters[name]
}

// ResolveParams returns the value of every parameter for one build: the
// defaults, replaced by overrides. An override naming no parameter is an
// error; an override may give a value that is not in the declared list.
// The result is nil when the experiment declares no parameters.
func (e *Experiment) ResolveParams(overrides map[string]string) (map[string]string, error) {
	names := e.ParamNames()
	for _, name := range slices.Sorted(maps.Keys(overrides)) {
		if !slices.Contains(names, name) {
			if len(names) == 0 {
				return nil, fmt.Errorf("parameter %q: %s declares no build parameters", name, e.Name)
			}
			return nil, fmt.Errorf("parameter %q: %s declares no such parameter (it has %s)", name, e.Name, strings.Join(names, ", "))
		}
		if strings.TrimSpace(overrides[name]) == "" {
			return nil, fmt.Errorf("parameter %q: empty value", name)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	values := make(map[string]string, len(names))
	for _, name := range names {
		values[name] = e.Build.Defaults[name]
		if v, ok := overrides[name]; ok {
			values[name] = v
		}
	}
	return values, nil
}

// IsDefault reports whether values are the experiment's defaults: every
// parameter at its default value (an experiment without parameters has
// only defaults).
func (e *Experiment) IsDefault(values map[string]string) bool {
	for _, name := range e.ParamNames() {
		if v, ok := values[name]; ok && v != e.Build.Defaults[name] {
			return false
		}
	}
	return true
}

// ParseParam splits a command-line "name=value" into its two halves.
func ParseParam(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return "", "", fmt.Errorf("parameter %q: want name=value, such as iterations=1000000", s)
	}
	return name, value, nil
}

// ParamEnv returns the environment variables that carry values to the
// build, "BENCHLAB_PARAM_<NAME>=<value>", sorted by name.
func ParamEnv(values map[string]string) []string {
	var env []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		env = append(env, ParamEnvPrefix+strings.ToUpper(name)+"="+values[name])
	}
	return env
}

// SubstituteParams returns argv with every "{name}" of a parameter replaced
// by its value; other braces are left alone.
func SubstituteParams(argv []string, values map[string]string) []string {
	if len(values) == 0 {
		return slices.Clone(argv)
	}
	pairs := make([]string, 0, 2*len(values))
	for _, name := range slices.Sorted(maps.Keys(values)) {
		pairs = append(pairs, "{"+name+"}", values[name])
	}
	r := strings.NewReplacer(pairs...)
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = r.Replace(a)
	}
	return out
}

// FormatParams formats values as "a=1 b=2", sorted by name; "" when empty.
func FormatParams(values map[string]string) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		parts = append(parts, name+"="+values[name])
	}
	return strings.Join(parts, " ")
}
