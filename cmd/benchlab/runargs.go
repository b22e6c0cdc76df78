package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"benchlab/experiments"
	"benchlab/harness"
)

// The arguments of `benchlab run`, read the way hyperfine reads its own:
// short flags (-N, -r 5, -r5, -Ni), long ones (--runs 5, --runs=5), flags
// that take two or three values (-L NAME VALUES, --parameter-scan NAME MIN
// MAX), flags and commands in any order, and "--" before commands that
// start with '-'. Go's flag package takes one value per flag and stops at
// the first positional argument, which hyperfine's users do not expect.
// A single dash before one of the long names (-runs) is read as two, as
// Go's flags read it, for scripts written against the earlier flags: only
// for those flags (goStyle), since hyperfine reads -name as -n ame.

// runArgs is what the arguments of `benchlab run` say, checked for form
// but not yet against an experiment.
type runArgs struct {
	results                   string
	runs, warmup              string // "" when not given
	block                     string // "" when not given
	minRuns, maxRuns          string // "" when not given
	showOutput, ignoreFailure bool
	noBuild                   bool
	waitQuietArg              string // "true" for the bare flag
	waitQuiet                 harness.WaitFlag
	paramArgs                 []string          // each --param, as given
	params                    map[string]string // --param name=value

	shell          string   // "" for the default, "none" for no shell
	names          []string // -n, in order
	lists          []paramList
	scan           []string // --parameter-scan NAME MIN MAX
	step           string   // -D
	setup          string
	prepare        []string
	cleanup        []string
	reference      string
	referenceName  string
	name           string // --name
	save           string // --save-experiment
	exportJSON     string
	exportMarkdown string
	timeUnit       string
	sort           string
	style          string

	commands []string // the positional arguments
	// given lists the flags given, by their long name, for the check of
	// which mode they apply to.
	given []string
}

// paramList is one -L NAME VALUES.
type paramList struct {
	name   string
	values []string
}

// flagMode says which form of `benchlab run` a flag applies to.
type flagMode int

const (
	bothModes      flagMode = iota
	adhocOnly               // commands timed without an experiment file
	experimentOnly          // an experiment folder
)

// runFlag is one flag of `benchlab run`.
type runFlag struct {
	long    string
	short   byte // 0 for none
	metavar string
	// nargs is the values it takes; 0 for a switch, which takes one
	// after '=' when its metavar says so ("[=DURATION]", see optional).
	nargs int
	mode  flagMode
	help  string
	set   func(a *runArgs, v []string)
}

// runFlagSpecs lists the flags of `benchlab run` in the order -h shows them.
var runFlagSpecs = []runFlag{
	{"runs", 'r', "NUM", 1, bothModes, "perform exactly NUM counted runs per command, or `auto` (default: auto between --min-runs and --max-runs for commands; the experiment's trials.runs)",
		func(a *runArgs, v []string) { a.runs = v[0] }},
	{"warmup", 'w', "NUM", 1, bothModes, "perform NUM warm-up runs first (default 0; the experiment's trials.warmup)",
		func(a *runArgs, v []string) { a.warmup = v[0] }},
	{"block", 0, "NUM", 1, bothModes, "run a short command's primed runs in blocks of up to NUM back to back, so that its unmeasured priming runs are paid once per block (auto runs only; default 16, or the experiment's trials.block)",
		func(a *runArgs, v []string) { a.block = v[0] }},
	{"min-runs", 'm', "NUM", 1, adhocOnly, "under auto runs, at least NUM counted runs (default 10, at least 2)",
		func(a *runArgs, v []string) { a.minRuns = v[0] }},
	{"max-runs", 'M', "NUM", 1, adhocOnly, "under auto runs, at most NUM counted runs (default 200)",
		func(a *runArgs, v []string) { a.maxRuns = v[0] }},
	{"setup", 's', "CMD", 1, adhocOnly, "run CMD once before all timing runs (the trials of the commands interleave, so once, not once per command)",
		func(a *runArgs, v []string) { a.setup = v[0] }},
	{"prepare", 'p', "CMD", 1, adhocOnly, "run CMD untimed before every run; once for all commands or once per command",
		func(a *runArgs, v []string) { a.prepare = append(a.prepare, v[0]) }},
	{"cleanup", 'c', "CMD", 1, adhocOnly, "run CMD after a command's last run; once for all commands or once per command",
		func(a *runArgs, v []string) { a.cleanup = append(a.cleanup, v[0]) }},
	{"parameter-scan", 'P', "VAR MIN MAX", 3, adhocOnly, "time each command once per value of VAR from MIN to MAX (whole numbers, or decimals with -D); {VAR} in the commands is replaced",
		func(a *runArgs, v []string) { a.scan = v }},
	{"parameter-step-size", 'D', "DELTA", 1, adhocOnly, "the step of --parameter-scan (default 1)",
		func(a *runArgs, v []string) { a.step = v[0] }},
	{"parameter-list", 'L', "VAR VALUES", 2, adhocOnly, "time each command once per value of the comma-separated VALUES ('\\,' for a comma); repeatable, for every combination",
		func(a *runArgs, v []string) { a.lists = append(a.lists, paramList{v[0], splitValues(v[1])}) }},
	{"style", 0, "TYPE", 1, bothModes, "output style: auto (default: full on a terminal, basic elsewhere), basic, full, nocolor, color or none",
		func(a *runArgs, v []string) { a.style = v[0] }},
	{"shell", 'S', "SHELL", 1, adhocOnly, "the shell that runs the commands (default sh, as `sh -c CMD`; its start-up is timed with the command), a command line such as \"bash --norc\", or none",
		func(a *runArgs, v []string) { a.shell = v[0] }},
	{"", 'N', "", 0, adhocOnly, "--shell=none: split each command into words and run it without a shell",
		func(a *runArgs, v []string) { a.shell = "none" }},
	{"ignore-failure", 'i', "", 0, bothModes, "keep running a command whose runs exit non-zero; failed runs are counted",
		func(a *runArgs, v []string) { a.ignoreFailure = true }},
	{"time-unit", 'u', "UNIT", 1, bothModes, "time unit of the summary and the Markdown export: microsecond, millisecond or second (default: chosen per command)",
		func(a *runArgs, v []string) { a.timeUnit = v[0] }},
	{"sort", 0, "METHOD", 1, bothModes, "order of the summary: auto (by mean time, as mean-time), command (as given, relative speeds in a column) or mean-time",
		func(a *runArgs, v []string) { a.sort = v[0] }},
	{"export-json", 0, "FILE", 1, bothModes, "write the run as hyperfine's JSON to FILE (as `benchlab export --format hyperfine`)",
		func(a *runArgs, v []string) { a.exportJSON = v[0] }},
	{"export-markdown", 0, "FILE", 1, bothModes, "write the run as hyperfine's Markdown table to FILE",
		func(a *runArgs, v []string) { a.exportMarkdown = v[0] }},
	{"show-output", 0, "", 0, bothModes, "send the commands' standard output and error to the terminal instead of /dev/null",
		func(a *runArgs, v []string) { a.showOutput = true }},
	{"command-name", 'n', "NAME", 1, adhocOnly, "name a command, for the summary and the strategy name; once per command, or once for all with {VAR} of the parameters",
		func(a *runArgs, v []string) { a.names = append(a.names, v[0]) }},
	{"reference", 0, "CMD", 1, adhocOnly, "also time CMD, first, and give the other commands' speeds relative to it (default: relative to the fastest)",
		func(a *runArgs, v []string) { a.reference = v[0] }},
	{"reference-name", 0, "NAME", 1, adhocOnly, "name the --reference command",
		func(a *runArgs, v []string) { a.referenceName = v[0] }},
	{"name", 0, "NAME", 1, adhocOnly, "archive the commands under this experiment name (default: adhoc-<commands>-<hash of the definition>)",
		func(a *runArgs, v []string) { a.name = v[0] }},
	{"save-experiment", 0, "DIR", 1, adhocOnly, "also write the commands as DIR/experiment.toml, which `benchlab run DIR` runs again",
		func(a *runArgs, v []string) { a.save = v[0] }},
	{"results", 0, "DIR", 1, bothModes, "archive folder (default results)",
		func(a *runArgs, v []string) { a.results = v[0] }},
	{long: "wait-quiet", metavar: "[=DURATION]", mode: bothModes,
		help: "wait up to DURATION (--wait-quiet=2m; bare: 2m) for the host to settle below [host] max_load and max_busy before the trials",
		set: func(a *runArgs, v []string) {
			a.waitQuietArg = "true"
			if len(v) > 0 {
				a.waitQuietArg = v[0]
			}
		}},
	{"param", 0, "NAME=VALUE", 1, experimentOnly, "build-time parameter, repeatable (default: the experiment's [build.defaults])",
		func(a *runArgs, v []string) { a.paramArgs = append(a.paramArgs, v[0]) }},
	{"no-build", 0, "", 0, experimentOnly, "skip the experiment's build step (the artifacts are still hashed)",
		func(a *runArgs, v []string) { a.noBuild = true }},
}

// optional reports whether a switch may take a value after '='.
func (f *runFlag) optional() bool { return strings.HasPrefix(f.metavar, "[=") }

// unsupported are hyperfine's flags that `benchlab run` does not take,
// with what to do instead.
var unsupported = map[string]string{
	"export-csv":            "write the run's trials with `benchlab export --format csv` after the run",
	"export-asciidoc":       "--export-markdown and --export-json are supported",
	"export-orgmode":        "--export-markdown and --export-json are supported",
	"output":                "the commands' output goes to /dev/null, or to the terminal with --show-output",
	"conclude":              "use --cleanup, which runs after a command's last run",
	"input":                 "commands read /dev/null; give the input in the command (sh -c 'cmd < file')",
	"version":               "use `benchlab version`",
	"min-benchmarking-time": "use --min-runs, or --runs auto",
}

// goStyle are the flags `benchlab run` took through Go's flag package,
// which a single dash also names.
var goStyle = map[string]bool{"results": true, "runs": true, "warmup": true, "param": true,
	"no-build": true, "show-output": true, "ignore-failure": true, "wait-quiet": true}

// errRunHelp is returned when -h or --help was asked for; the help is
// already written.
var errRunHelp = flag.ErrHelp

// parseRunArgs reads the arguments of `benchlab run`. Errors are usage
// errors, saying which flag and what it wants.
func parseRunArgs(args []string) (*runArgs, error) {
	a := &runArgs{results: "results"}
	byLong := map[string]*runFlag{}
	byShort := map[byte]*runFlag{}
	for i := range runFlagSpecs {
		f := &runFlagSpecs[i]
		if f.long != "" {
			byLong[f.long] = f
		}
		if f.short != 0 {
			byShort[f.short] = f
		}
	}
	// take returns the n values of flag f from args after i, or the
	// attached value.
	take := func(f *runFlag, shown string, attached *string, i *int) ([]string, error) {
		if attached != nil {
			if f.nargs != 1 {
				return nil, usageError{fmt.Sprintf("%s takes %d values (%s %s), not one after '='", shown, f.nargs, shown, f.metavar)}
			}
			return []string{*attached}, nil
		}
		if *i+f.nargs >= len(args) {
			return nil, usageError{fmt.Sprintf("%s needs %s", shown, f.metavar)}
		}
		v := args[*i+1 : *i+1+f.nargs]
		*i += f.nargs
		return v, nil
	}
	apply := func(f *runFlag, shown string, attached *string, i *int) error {
		if f.nargs == 0 {
			switch {
			case attached != nil && f.optional():
				f.set(a, []string{*attached})
			case attached != nil:
				return usageError{fmt.Sprintf("%s takes no value", shown)}
			default:
				f.set(a, nil)
			}
		} else {
			v, err := take(f, shown, attached, i)
			if err != nil {
				return err
			}
			f.set(a, v)
		}
		name := f.long
		if name == "" {
			name = string(f.short)
		}
		a.given = append(a.given, name)
		return nil
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			a.commands = append(a.commands, args[i+1:]...)
			i = len(args)
		case arg == "-h" || arg == "--help" || arg == "-help":
			return nil, errRunHelp
		case strings.HasPrefix(arg, "--") || strings.HasPrefix(arg, "-") && goStyle[strings.SplitN(arg[1:], "=", 2)[0]]:
			name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
			f := byLong[name]
			if f == nil {
				if why, ok := unsupported[name]; ok {
					return nil, usageError{fmt.Sprintf("hyperfine's --%s is not supported: %s", name, why)}
				}
				return nil, usageError{fmt.Sprintf("unknown flag --%s; `benchlab run -h` lists the flags", name)}
			}
			var attached *string
			if hasValue {
				attached = &value
			}
			if err := apply(f, "--"+name, attached, &i); err != nil {
				return nil, err
			}
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			// A cluster of short flags: -Ni, -r5, -r=5, -L d 1,2.
			for j := 1; j < len(arg); j++ {
				f := byShort[arg[j]]
				if f == nil {
					if arg[j] == 'V' {
						return nil, usageError{"hyperfine's -V is not supported: use `benchlab version`"}
					}
					return nil, usageError{fmt.Sprintf("unknown flag -%c in %q; `benchlab run -h` lists the flags", arg[j], arg)}
				}
				var attached *string
				if f.nargs > 0 && j+1 < len(arg) {
					rest := strings.TrimPrefix(arg[j+1:], "=")
					attached = &rest
				}
				if err := apply(f, "-"+string(arg[j]), attached, &i); err != nil {
					return nil, err
				}
				if attached != nil {
					break
				}
			}
		default:
			a.commands = append(a.commands, arg)
		}
	}
	return a, a.check()
}

// check validates the values of the flags, each on its own; which mode
// they apply to is checked once the mode is known (modeErr).
func (a *runArgs) check() error {
	count := func(flag, v string, least int) error {
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < least {
			or := ""
			if flag == "runs" { // --runs also takes "auto", which the message must not hide
				or = ` or "auto"`
			}
			return usageError{fmt.Sprintf("--%s must be a number of at least %d%s, not %q", flag, least, or, v)}
		}
		return nil
	}
	var errs []error
	if a.runs != "auto" {
		errs = append(errs, count("runs", a.runs, 1))
	}
	errs = append(errs, count("warmup", a.warmup, 0), count("min-runs", a.minRuns, 2), count("max-runs", a.maxRuns, 1), count("block", a.block, 1))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if n, _ := strconv.Atoi(a.block); n > experiments.MaxBlock {
		return usageError{fmt.Sprintf("--block must be at most %d runs back to back, not %d", experiments.MaxBlock, n)}
	}
	if a.block != "" && a.runs != "" && a.runs != "auto" {
		return usageError{"--block applies only to automatic runs: a fixed --runs keeps one run per command per round; drop one of them"}
	}
	if a.runs != "" && a.runs != "auto" && (a.minRuns != "" || a.maxRuns != "") {
		return usageError{"--runs sets the number of runs; --min-runs and --max-runs bound automatic runs: give one or the other"}
	}
	if a.minRuns != "" && a.maxRuns != "" {
		lo, _ := strconv.Atoi(a.minRuns)
		hi, _ := strconv.Atoi(a.maxRuns)
		if hi < lo {
			return usageError{fmt.Sprintf("--max-runs %d is below --min-runs %d", hi, lo)}
		}
	}
	oneOf := func(flag, v string, allowed ...string) error {
		if v != "" && !slices.Contains(allowed, v) {
			return usageError{fmt.Sprintf("--%s %q: want %s", flag, v, strings.Join(allowed, ", "))}
		}
		return nil
	}
	if err := errors.Join(
		oneOf("style", a.style, "auto", "basic", "full", "nocolor", "color", "none"),
		oneOf("sort", a.sort, "auto", "command", "mean-time"),
		oneOf("time-unit", a.timeUnit, "microsecond", "millisecond", "second"),
	); err != nil {
		return err
	}
	if a.shell == "" && slices.Contains(a.given, "shell") {
		return usageError{"--shell needs a shell, \"default\" or \"none\""}
	}
	if a.waitQuietArg != "" {
		if err := a.waitQuiet.Set(a.waitQuietArg); err != nil {
			return usageError{"--wait-quiet: " + err.Error()}
		}
	}
	for _, p := range a.paramArgs {
		name, value, err := experiments.ParseParam(p)
		if err != nil {
			return usageError{"--param: " + err.Error()}
		}
		if a.params == nil {
			a.params = map[string]string{}
		}
		a.params[name] = value
	}
	if len(a.scan) > 0 && len(a.lists) > 0 {
		return usageError{"--parameter-scan and --parameter-list do not combine: give one of them"}
	}
	if a.step != "" && len(a.scan) == 0 {
		return usageError{"--parameter-step-size needs --parameter-scan"}
	}
	if a.referenceName != "" && a.reference == "" {
		return usageError{"--reference-name needs --reference"}
	}
	seen := map[string]bool{}
	for _, l := range a.lists {
		if seen[l.name] {
			return usageError{fmt.Sprintf("--parameter-list %s is given twice; give each parameter once", l.name)}
		}
		seen[l.name] = true
	}
	return nil
}

// modeErr says which flag given does not apply to the mode chosen: one
// that defines commands, with an experiment folder, or one of an
// experiment's build, with commands.
func (a *runArgs) modeErr(adhoc bool) error {
	for _, name := range a.given {
		i := slices.IndexFunc(runFlagSpecs, func(f runFlag) bool { return f.long == name || f.long == "" && string(f.short) == name })
		f := runFlagSpecs[i]
		shown := "--" + name
		if f.long == "" {
			shown = "-" + name
		}
		switch {
		case adhoc && f.mode == experimentOnly:
			return usageError{fmt.Sprintf("%s applies to an experiment folder, not to commands timed ad hoc", shown)}
		case !adhoc && f.mode == adhocOnly:
			return usageError{fmt.Sprintf("%s applies to commands timed ad hoc; an experiment folder says it in its experiment.toml (see experiments/README.md)", shown)}
		}
	}
	return nil
}

// splitValues splits -L's comma-separated list as hyperfine does: "\,"
// is a comma inside a value and "\\" a backslash.
func splitValues(list string) []string {
	var values []string
	var b strings.Builder
	for i := 0; i < len(list); i++ {
		c := list[i]
		switch {
		case c == '\\' && i+1 < len(list) && (list[i+1] == ',' || list[i+1] == '\\'):
			b.WriteByte(list[i+1])
			i++
		case c == ',':
			values = append(values, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(values, b.String())
}

// runUsage writes `benchlab run -h`.
func runUsage(w io.Writer) {
	fmt.Fprint(w, `usage: benchlab run [flags] EXPERIMENT_DIR
       benchlab run [flags] COMMAND...

With one argument that is a folder holding experiment.toml (or the file
itself), runs that experiment. Otherwise each argument is a command to
time, as hyperfine does: run through `+"`sh -c COMMAND`"+` (whose start-up is part
of the time; -N runs the command without a shell), archived as an
experiment named after the commands (or --name).

flags:
`)
	for _, f := range runFlagSpecs {
		var names []string
		if f.short != 0 {
			names = append(names, "-"+string(f.short))
		}
		if f.long != "" {
			names = append(names, "--"+f.long)
		}
		head := strings.Join(names, ", ")
		switch {
		case f.optional():
			head += f.metavar
		case f.metavar != "":
			head += " " + f.metavar
		}
		fmt.Fprintf(w, "  %s\n      %s%s\n", head, f.help, modeNote(f.mode))
	}
	fmt.Fprintf(w, "\nhyperfine's flags not taken: --%s\n", strings.Join(slices.Sorted(maps.Keys(unsupported)), ", --"))
}

func modeNote(m flagMode) string {
	switch m {
	case adhocOnly:
		return " [commands only]"
	case experimentOnly:
		return " [experiment folder only]"
	}
	return ""
}
