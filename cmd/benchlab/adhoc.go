package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"benchlab/experiments"
	"benchlab/internal/safefile"
)

// Commands timed ad hoc, as `benchlab run 'cmd a' 'cmd b'` (hyperfine's
// way), are made into an experiment: one strategy per command, written as
// the experiment.toml a person would write (see adhocFile) and read back by
// experiments.Parse, so that the ad-hoc run and a later `benchlab run DIR`
// of the saved file time exactly the same strategies.

// Defaults of an ad-hoc run without --runs, after hyperfine's: at least 10
// runs and about 3 seconds per command. benchlab's runs = "auto" also stops
// a command once its mean is known within ±1% (trials.precision).
const (
	adhocMinRuns = 10
	adhocMaxTime = 3 * time.Second
)

// maxScanValues bounds the values --parameter-scan makes, each a strategy.
const maxScanValues = 1000

// adhocRun is the experiment some commands make.
type adhocRun struct {
	// exp is the experiment, parsed from file; its folder is the working
	// directory, where the commands run.
	exp *experiments.Experiment
	// file is its experiment.toml.
	file []byte
}

// mode decides what the positional arguments of `benchlab run` are: one
// argument naming a folder that holds experiment.toml (or such a file) is
// an experiment; anything else is commands. A folder among several
// arguments, or a folder without experiment.toml, is refused rather than
// guessed at.
func (a *runArgs) mode() (adhoc bool, err error) {
	if len(a.commands) == 0 {
		return false, usageError{"want an experiment folder or commands to time"}
	}
	for _, c := range a.commands {
		fi, err := os.Stat(c)
		if err != nil {
			continue
		}
		_, ferr := os.Stat(filepath.Join(c, experiments.FileName))
		isExperiment := fi.IsDir() && ferr == nil || !fi.IsDir() && filepath.Base(c) == experiments.FileName
		switch {
		case isExperiment && len(a.commands) == 1:
			return false, nil
		case isExperiment:
			return false, usageError{fmt.Sprintf("%s is an experiment: give it alone, or only commands", c)}
		case fi.IsDir():
			msg := fmt.Sprintf("%s is a folder without %s: not an experiment (see experiments/README.md), and not taken as a command", c, experiments.FileName)
			// Name the command the folder shadows only where there is one.
			if path, err := exec.LookPath(filepath.Base(c)); err == nil && !strings.Contains(c, "/") {
				msg += fmt.Sprintf("; to time the command %s give its path (%s)", c, path)
			}
			return false, usageError{msg}
		}
	}
	return true, nil
}

// newAdhoc makes the experiment that a's commands stand for, its commands
// to run in dir.
func newAdhoc(a *runArgs, dir string) (*adhocRun, error) {
	prefix, err := shellPrefix(a.shell)
	if err != nil {
		return nil, err
	}
	argv := func(what, cmd string) ([]string, error) {
		if prefix != nil {
			return append(slices.Clone(prefix), cmd), nil
		}
		words, err := splitWords(cmd)
		if err != nil {
			return nil, usageError{fmt.Sprintf("%s %q: %v (with --shell=none the command is split into words as a shell would, without running one)", what, cmd, err)}
		}
		if len(words) == 0 {
			return nil, usageError{fmt.Sprintf("%s %q names no program", what, cmd)}
		}
		return words, nil
	}

	params, err := a.paramValues()
	if err != nil {
		return nil, err
	}
	commands, labels := a.commands, slices.Clone(a.commands)
	switch {
	case len(a.names) > len(commands):
		return nil, usageError{fmt.Sprintf("%d --command-name for %d commands: give at most one per command", len(a.names), len(commands))}
	case len(a.names) == 1 && len(params) > 0:
		// One name with parameters names every command, as hyperfine's.
		for i := range labels {
			labels[i] = a.names[0]
		}
	default:
		copy(labels, a.names)
	}
	per := func(flag string, cmds []string) ([]string, error) {
		switch len(cmds) {
		case 0, 1, len(commands):
			return cmds, nil
		}
		return nil, usageError{fmt.Sprintf("--%s is given %d times: give it once for all commands or once per command (%d)", flag, len(cmds), len(commands))}
	}
	prepare, err := per("prepare", a.prepare)
	if err != nil {
		return nil, err
	}
	cleanup, err := per("cleanup", a.cleanup)
	if err != nil {
		return nil, err
	}
	pick := func(cmds []string, i int) string {
		switch len(cmds) {
		case 0:
			return ""
		case 1:
			return cmds[0]
		}
		return cmds[i]
	}

	e := &experiments.Experiment{}
	if a.setup != "" {
		for name := range params {
			if strings.Contains(a.setup, "{"+name+"}") {
				return nil, usageError{fmt.Sprintf("--setup uses {%s}, but it runs once before all commands (their runs interleave), not once per value", name)}
			}
		}
		cmd, err := argv("--setup", a.setup)
		if err != nil {
			return nil, err
		}
		e.Build = &experiments.Build{Command: cmd}
	}
	used := map[string]bool{}
	taken := map[string]int{}
	add := func(label, command, prep, clean string) error {
		s := experiments.Strategy{Label: label}
		var err error
		if s.Command, err = argv("command", command); err != nil {
			return err
		}
		if prep != "" {
			if s.Prepare, err = argv("--prepare", prep); err != nil {
				return err
			}
		}
		if clean != "" {
			if s.Cleanup, err = argv("--cleanup", clean); err != nil {
				return err
			}
		}
		base := label
		for _, name := range slices.Sorted(maps.Keys(params)) {
			if !strings.Contains(command, "{"+name+"}") {
				continue
			}
			used[name] = true
			if s.Params == nil {
				s.Params = experiments.RunParams{}
			}
			s.Params[name] = params[name]
			base = strings.ReplaceAll(base, "{"+name+"}", "")
			if !strings.Contains(label, "{"+name+"}") {
				// Each expansion is named for its values: the label
				// must say them too.
				s.Label += " (" + name + " = {" + name + "})"
			}
		}
		s.Name = slug(base, 40)
		if s.Name == "" {
			s.Name = "cmd"
		}
		if taken[s.Name]++; taken[s.Name] > 1 {
			s.Name += "-" + strconv.Itoa(taken[s.Name])
		}
		e.Strategies = append(e.Strategies, s)
		return nil
	}
	if a.reference != "" {
		label := a.reference
		if a.referenceName != "" {
			label = a.referenceName
		}
		if err := add(label, a.reference, pick(prepare, 0), pick(cleanup, 0)); err != nil {
			return nil, err
		}
		e.Trials.Baseline = e.Strategies[0].Name
		if len(e.Strategies[0].Params) > 0 {
			return nil, usageError{"--reference uses a parameter: give it one command to compare the others with"}
		}
	}
	for i, c := range commands {
		if err := add(labels[i], c, pick(prepare, i), pick(cleanup, i)); err != nil {
			return nil, err
		}
	}
	for _, l := range a.lists {
		if !used[l.name] {
			return nil, usageError{fmt.Sprintf("--parameter-list %s: {%s} appears in no command", l.name, l.name)}
		}
	}
	if len(a.scan) > 0 && !used[a.scan[0]] {
		return nil, usageError{fmt.Sprintf("--parameter-scan %s: {%s} appears in no command", a.scan[0], a.scan[0])}
	}

	if err := a.setTrials(&e.Trials); err != nil {
		return nil, err
	}
	e.Title = "ad hoc: " + quoteAll(commands)
	name, err := a.experimentName(e)
	if err != nil {
		return nil, err
	}
	e.Name = name
	file, err := adhocFile(e)
	if err != nil {
		return nil, err
	}
	parsed, err := experiments.Parse("(commands)", file)
	if err != nil {
		// Everything in the file came from the flags: a usage error.
		return nil, usageError{"the flags and commands do not make a valid experiment: " + err.Error()}
	}
	parsed.Dir = dir
	return &adhocRun{exp: parsed, file: file}, nil
}

// setTrials sets [trials] from --runs, --warmup, --block, --min-runs and
// --max-runs; without --runs, runs = "auto" with hyperfine's bounds.
func (a *runArgs) setTrials(t *experiments.Trials) error {
	if a.warmup != "" {
		t.Warmup, _ = strconv.Atoi(a.warmup)
	}
	t.Block, _ = strconv.Atoi(a.block)
	if a.runs != "" && a.runs != "auto" {
		n, _ := strconv.Atoi(a.runs)
		t.Runs = experiments.RunCount(n)
		return nil
	}
	t.Runs = experiments.AutoRuns
	t.MinRuns = adhocMinRuns
	t.MaxTime = experiments.Duration{Duration: adhocMaxTime}
	if a.maxRuns != "" {
		hi, _ := strconv.Atoi(a.maxRuns)
		if hi < 2 {
			return usageError{"--max-runs must be at least 2 for automatic runs (a mean needs a spread); use --runs 1 for one run"}
		}
		t.MaxRuns = hi
		// As hyperfine: a maximum below the default minimum lowers it.
		t.MinRuns = min(t.MinRuns, hi)
	}
	if a.minRuns != "" {
		t.MinRuns, _ = strconv.Atoi(a.minRuns)
		if a.maxRuns == "" {
			t.MaxRuns = max(experiments.DefaultMaxRuns, t.MinRuns)
		}
	}
	return nil
}

// experimentName is --name; or the folder's name under --save-experiment,
// since an experiment's folder is named after it; or "adhoc-", a slug of
// the commands and eight hex digits of a hash of what is timed (commands,
// parameters, setup, prepare, cleanup), so that the same commands archive
// under the same name whatever the number of runs.
func (a *runArgs) experimentName(e *experiments.Experiment) (string, error) {
	saved := ""
	if a.save != "" {
		abs, err := filepath.Abs(a.save)
		if err != nil {
			return "", fmt.Errorf("--save-experiment %s: %w", a.save, err)
		}
		saved = filepath.Base(abs)
	}
	switch {
	case a.name != "" && saved != "" && a.name != saved:
		return "", usageError{fmt.Sprintf("--name %s and --save-experiment %s: an experiment's folder is named after it; name them alike", a.name, a.save)}
	case a.name != "" && slug(a.name, 200) != a.name:
		return "", usageError{fmt.Sprintf("--name %q: want lower-case words joined by '-', such as my-naps (it names archive and report folders)", a.name)}
	case a.name != "":
		return a.name, nil
	case saved != "":
		if slug(saved, 200) != saved {
			return "", usageError{fmt.Sprintf("--save-experiment %s: the folder's name is the experiment's, and %q is not lower-case words joined by '-'; choose another folder", a.save, saved)}
		}
		return saved, nil
	}
	what, err := experiments.Marshal(&experiments.Experiment{Build: e.Build, Strategies: e.Strategies})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(what)
	var parts []string
	for _, s := range e.Strategies {
		parts = append(parts, s.Name)
	}
	return "adhoc-" + slug(strings.Join(parts, "-"), 32) + "-" + hex.EncodeToString(sum[:4]), nil
}

// adhocFile writes e as experiment.toml, with a comment saying where it
// came from.
func adhocFile(e *experiments.Experiment) ([]byte, error) {
	body, err := experiments.Marshal(e)
	if err != nil {
		return nil, err
	}
	head := "# Commands timed ad hoc by `benchlab run` (see experiments/README.md).\n" +
		"# `benchlab run FOLDER` runs them again, in FOLDER.\n\n"
	return append([]byte(head), body...), nil
}

// save writes the experiment to dir/experiment.toml, creating dir; an
// existing file is never replaced.
func (ad *adhocRun) save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--save-experiment: %w", err)
	}
	path := filepath.Join(dir, experiments.FileName)
	// Linked into place, never replacing: two saves into one folder at
	// once leave one file, and the other fails.
	err := safefile.Write(path, ad.file, false)
	switch {
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("--save-experiment: %s exists; remove it or choose another folder", path)
	case err != nil:
		return fmt.Errorf("--save-experiment: %w", err)
	}
	return nil
}

// paramValues are the values of -L or --parameter-scan, by parameter: whole
// numbers as numbers, the rest as strings, each one safe in a name.
func (a *runArgs) paramValues() (map[string][]any, error) {
	out := map[string][]any{}
	check := func(flag, name string, values []string) error {
		if !paramNamePattern(name) {
			return usageError{fmt.Sprintf("%s %s: a parameter's name is a lower-case identifier (letters, digits, '_')", flag, name)}
		}
		seen := map[string]bool{}
		for _, v := range values {
			if err := experiments.CheckParamValue(v); err != nil {
				return usageError{fmt.Sprintf("%s %s: %v", flag, name, err)}
			}
			if seen[v] {
				return usageError{fmt.Sprintf("%s %s: value %q is listed twice", flag, name, v)}
			}
			seen[v] = true
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && strconv.FormatInt(n, 10) == v {
				out[name] = append(out[name], n)
			} else {
				out[name] = append(out[name], v)
			}
		}
		return nil
	}
	for _, l := range a.lists {
		if err := check("--parameter-list", l.name, l.values); err != nil {
			return nil, err
		}
	}
	if len(a.scan) > 0 {
		values, err := scanValues(a.scan[1], a.scan[2], a.step)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--parameter-scan %s: %v", a.scan[0], err)}
		}
		if err := check("--parameter-scan", a.scan[0], values); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func paramNamePattern(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	return strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// scanValues lists MIN, MIN+STEP, … up to MAX as hyperfine does: whole
// numbers when MIN, MAX and STEP (default 1) all are, else decimals, each
// written with as many decimal places as MIN or STEP has (the first, MIN,
// as written), computed exactly.
func scanValues(lo, hi, step string) ([]string, error) {
	given := step != ""
	if !given {
		step = "1"
	}
	a, aok := new(big.Rat).SetString(lo)
	b, bok := new(big.Rat).SetString(hi)
	d, dok := new(big.Rat).SetString(step)
	switch {
	case !aok || !decimal(lo):
		return nil, fmt.Errorf("MIN %q is not a number", lo)
	case !bok || !decimal(hi):
		return nil, fmt.Errorf("MAX %q is not a number", hi)
	case !dok || !decimal(step):
		return nil, fmt.Errorf("step %q is not a number", step)
	case d.Sign() <= 0:
		return nil, fmt.Errorf("step %s: want a step above 0", step)
	case a.Cmp(b) > 0:
		return nil, fmt.Errorf("MIN %s is above MAX %s", lo, hi)
	case !given && (decimals(lo) > 0 || decimals(hi) > 0):
		return nil, fmt.Errorf("decimal bounds %s and %s need a step: give --parameter-step-size", lo, hi)
	}
	places := max(decimals(lo), decimals(step))
	values := []string{lo}
	for v := new(big.Rat).Add(a, d); v.Cmp(b) <= 0; v.Add(v, d) {
		if len(values) == maxScanValues {
			return nil, fmt.Errorf("more than %d values from %s to %s in steps of %s; take a larger step", maxScanValues, lo, hi, step)
		}
		values = append(values, v.FloatString(places))
	}
	return values, nil
}

// decimal reports whether s is written as a plain decimal number
// (no exponent, no fraction bar), as hyperfine takes them.
func decimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || strings.Count(s, ".") > 1 {
		return false
	}
	return strings.Trim(s, "0123456789.") == "" && strings.Trim(s, ".") != ""
}

// decimals is the number of decimal places s is written with.
func decimals(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

// shellPrefix is the argv that runs a command string: [sh -c] by default,
// the words of --shell and -c, or nil for --shell=none.
func shellPrefix(shell string) ([]string, error) {
	switch shell {
	case "", "default":
		return []string{"sh", "-c"}, nil
	case "none":
		return nil, nil
	}
	words, err := splitWords(shell)
	if err != nil || len(words) == 0 {
		return nil, usageError{fmt.Sprintf("--shell %q: want a shell such as bash, a command line such as \"bash --norc\", or none", shell)}
	}
	return append(words, "-c"), nil
}

// splitWords splits s into words as a POSIX shell would, without
// expanding anything: blanks separate words, 'single quotes' keep
// everything, "double quotes" keep all but \" \\ \$ and \`, and a
// backslash outside quotes keeps the next character.
func splitWords(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, b.String())
				b.Reset()
				inWord = false
			}
		case c == '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				if s[i] != '\n' {
					b.WriteByte(s[i])
				}
			}
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote")
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0 {
					i++
					if s[i] == '\n' {
						continue
					}
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated double quote")
			}
		default:
			inWord = true
			b.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

// slug makes s a name (experiments.Slug) of at most n bytes, cut at a '-'.
func slug(s string, n int) string {
	out := experiments.Slug(s)
	if len(out) > n {
		out = out[:n]
		if i := strings.LastIndexByte(out, '-'); i > 0 {
			out = out[:i]
		}
	}
	return out
}

// quoteAll shows commands as a shell user would type them, each quoted.
func quoteAll(cmds []string) string {
	q := make([]string, len(cmds))
	for i, c := range cmds {
		q[i] = "'" + strings.ReplaceAll(c, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
