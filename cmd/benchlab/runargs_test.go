package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"benchlab/harness"
)

// TestParseRunArgs: the arguments hyperfine's users type (hyperfine 1.15's
// --help, and --sort/--reference of later releases) read as hyperfine
// reads them.
func TestParseRunArgs(t *testing.T) {
	tests := []struct {
		why  string
		args []string
		want runArgs
	}{
		{"commands alone", []string{"sleep 0.1", "sleep 0.2"},
			runArgs{commands: []string{"sleep 0.1", "sleep 0.2"}}},
		{"short switches, a short flag with its value apart, and commands between flags",
			[]string{"-N", "sleep 0.1", "-r", "20", "-i", "sleep 0.2"},
			runArgs{shell: "none", runs: "20", ignoreFailure: true, commands: []string{"sleep 0.1", "sleep 0.2"},
				given: []string{"N", "runs", "ignore-failure"}}},
		{"a cluster of short switches ending in one that takes a value attached",
			[]string{"-Nir5", "true"},
			runArgs{shell: "none", ignoreFailure: true, runs: "5", commands: []string{"true"}, given: []string{"N", "ignore-failure", "runs"}}},
		{"a short flag's value after '='", []string{"-w=3", "true"},
			runArgs{warmup: "3", commands: []string{"true"}, given: []string{"warmup"}}},
		{"long flags with the value apart or after '='", []string{"--runs", "3", "--warmup=1", "--shell=none", "true"},
			runArgs{runs: "3", warmup: "1", shell: "none", commands: []string{"true"}, given: []string{"runs", "warmup", "shell"}}},
		{"-L takes NAME and VALUES, and is repeatable", []string{"-L", "d", "1,3", "--parameter-list", "opt", "O2,-O3", "x {d} {opt}"},
			runArgs{lists: []paramList{{"d", []string{"1", "3"}}, {"opt", []string{"O2", "-O3"}}}, commands: []string{"x {d} {opt}"},
				given: []string{"parameter-list", "parameter-list"}}},
		{"-L's values split on commas, '\\,' keeps one", []string{"-L", "s", `a\,b,c\\,d`, "echo {s}"},
			runArgs{lists: []paramList{{"s", []string{"a,b", `c\`, "d"}}}, commands: []string{"echo {s}"}, given: []string{"parameter-list"}}},
		{"--parameter-scan takes NAME MIN MAX, -D the step", []string{"-P", "d", "0.3", "0.7", "-D", "0.2", "sleep {d}"},
			runArgs{scan: []string{"d", "0.3", "0.7"}, step: "0.2", commands: []string{"sleep {d}"}, given: []string{"parameter-scan", "parameter-step-size"}}},
		{"values are taken as they are, even when they start with '-'", []string{"--prepare", "-x", "-n", "--weird", "a"},
			runArgs{prepare: []string{"-x"}, names: []string{"--weird"}, commands: []string{"a"}, given: []string{"prepare", "command-name"}}},
		{"prepare, cleanup and names are repeatable", []string{"-p", "a", "-p", "b", "-c", "x", "-n", "one", "-n", "two", "1", "2"},
			runArgs{prepare: []string{"a", "b"}, cleanup: []string{"x"}, names: []string{"one", "two"}, commands: []string{"1", "2"},
				given: []string{"prepare", "prepare", "cleanup", "command-name", "command-name"}}},
		{"'--' ends the flags: a command may start with '-'", []string{"-r", "2", "--", "-weird", "--runs"},
			runArgs{runs: "2", commands: []string{"-weird", "--runs"}, given: []string{"runs"}}},
		{"a single dash before a long name reads as two, as Go's flags", []string{"-results", "res", "-runs", "2", "exp"},
			runArgs{results: "res", runs: "2", commands: []string{"exp"}, given: []string{"results", "runs"}}},
		{"hyperfine reads -name as -n ame: only benchlab's earlier flags take one dash", []string{"-name", "x"},
			runArgs{names: []string{"ame"}, commands: []string{"x"}, given: []string{"command-name"}}},
		{"--wait-quiet alone or with a duration after '='", []string{"--wait-quiet", "a", "-wait-quiet=30s", "b"},
			runArgs{waitQuietArg: "30s", waitQuiet: harness.WaitFlag{D: 30 * time.Second}, commands: []string{"a", "b"}, given: []string{"wait-quiet", "wait-quiet"}}},
		{"output flags", []string{"--style", "basic", "--sort", "command", "-u", "millisecond", "--export-json", "a.json", "--export-markdown", "a.md", "true"},
			runArgs{style: "basic", sort: "command", timeUnit: "millisecond", exportJSON: "a.json", exportMarkdown: "a.md", commands: []string{"true"},
				given: []string{"style", "sort", "time-unit", "export-json", "export-markdown"}}},
		{"benchlab's own: --param, --no-build, --name, --save-experiment", []string{"--param", "n=2", "--no-build", "--name", "x", "--save-experiment", "d", "e"},
			runArgs{paramArgs: []string{"n=2"}, params: map[string]string{"n": "2"}, noBuild: true, name: "x", save: "d", commands: []string{"e"},
				given: []string{"param", "no-build", "name", "save-experiment"}}},
		{"min and max runs, reference and its name", []string{"-m", "3", "-M", "7", "--reference", "true", "--reference-name", "base", "false"},
			runArgs{minRuns: "3", maxRuns: "7", reference: "true", referenceName: "base", commands: []string{"false"},
				given: []string{"min-runs", "max-runs", "reference", "reference-name"}}},
	}
	for _, tt := range tests {
		got, err := parseRunArgs(tt.args)
		if err != nil {
			t.Errorf("%s: %v", tt.why, err)
			continue
		}
		if tt.want.results == "" {
			tt.want.results = "results"
		}
		if diff := cmp.Diff(&tt.want, got, cmp.AllowUnexported(runArgs{}, paramList{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

// TestParseRunArgsErrors: every mistake is a usage error that names the
// flag and says what it wants.
func TestParseRunArgsErrors(t *testing.T) {
	tests := []struct {
		why  string
		args []string
		want string
	}{
		{"an unknown long flag", []string{"--frobnicate", "x"}, "unknown flag --frobnicate; `benchlab run -h` lists the flags"},
		{"an unknown short flag inside a cluster", []string{"-Nq", "x"}, `unknown flag -q in "-Nq"`},
		{"hyperfine's flags benchlab does not take say what to do", []string{"--export-csv", "f", "x"}, "hyperfine's --export-csv is not supported: write the run's trials with `benchlab export --format csv`"},
		{"-V", []string{"-V"}, "use `benchlab version`"},
		{"a flag at the end without its value", []string{"true", "--runs"}, "--runs needs NUM"},
		{"-L short of its VALUES", []string{"-L", "d"}, "-L needs VAR VALUES"},
		{"--parameter-scan short of MAX", []string{"true", "--parameter-scan", "d", "1"}, "--parameter-scan needs VAR MIN MAX"},
		{"'=' on a flag of several values", []string{"--parameter-list=d", "1,2", "x"}, "--parameter-list takes 2 values"},
		{"'=' on a switch", []string{"--show-output=yes", "x"}, "--show-output takes no value"},
		{"runs below 1", []string{"-r", "0", "x"}, `--runs must be a number of at least 1 or "auto", not "0"`},
		{"runs not a number", []string{"--runs", "many", "x"}, `--runs must be a number of at least 1 or "auto", not "many"`},
		{"negative warm-up", []string{"-w", "-1", "x"}, `--warmup must be a number of at least 0, not "-1"`},
		{"min-runs below 2", []string{"-m", "1", "x"}, `--min-runs must be a number of at least 2`},
		{"runs with min-runs, as hyperfine refuses", []string{"-r", "3", "-m", "5", "x"}, "give one or the other"},
		{"max below min", []string{"-m", "5", "-M", "3", "x"}, "--max-runs 3 is below --min-runs 5"},
		{"an unknown style", []string{"--style", "fancy", "x"}, `--style "fancy": want auto, basic, full, nocolor, color, none`},
		{"an unknown sort", []string{"--sort", "name", "x"}, `--sort "name": want auto, command, mean-time`},
		{"an unknown unit", []string{"-u", "minute", "x"}, `--time-unit "minute": want microsecond, millisecond, second`},
		{"scan and list together", []string{"-P", "d", "1", "2", "-L", "e", "1", "x"}, "do not combine"},
		{"a step without a scan", []string{"-D", "2", "x"}, "--parameter-step-size needs --parameter-scan"},
		{"a list given twice", []string{"-L", "d", "1", "-L", "d", "2", "x"}, "--parameter-list d is given twice"},
		{"a reference name without a reference", []string{"--reference-name", "r", "x"}, "--reference-name needs --reference"},
		{"--param without '='", []string{"--param", "n", "e"}, "--param: parameter \"n\": want name=value"},
		{"--wait-quiet with no duration", []string{"--wait-quiet=soon", "e"}, `--wait-quiet: want a duration such as 30s or 2m, not "soon"`},
	}
	for _, tt := range tests {
		_, err := parseRunArgs(tt.args)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want a usage error containing %q", tt.why, err, tt.want)
		}
	}
	if _, err := parseRunArgs([]string{"-h"}); !errors.Is(err, errRunHelp) {
		t.Errorf("-h: error %v, want help", err)
	}
}

// TestRunMode: one experiment folder is an experiment; anything else is
// commands, and what could be either is refused.
func TestRunMode(t *testing.T) {
	dir := t.TempDir()
	exp := filepath.Join(dir, "exp")
	empty := filepath.Join(dir, "empty")
	for _, d := range []string{exp, empty} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(exp, "experiment.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		why      string
		commands []string
		adhoc    bool
		err      string
	}{
		{"a folder with experiment.toml", []string{exp}, false, ""},
		{"the experiment file itself", []string{filepath.Join(exp, "experiment.toml")}, false, ""},
		{"commands", []string{"sleep 0.1", "true"}, true, ""},
		{"one command", []string{"true"}, true, ""},
		{"nothing", nil, false, "want an experiment folder or commands to time"},
		{"an experiment among commands", []string{"true", exp}, false, "is an experiment: give it alone, or only commands"},
		{"a folder without experiment.toml", []string{empty}, false, "is a folder without experiment.toml"},
	}
	for _, tt := range tests {
		a := &runArgs{commands: tt.commands}
		adhoc, err := a.mode()
		if err != nil && strings.Contains(err.Error(), "/usr/bin/"+dir) {
			t.Errorf("%s: %v: names a path that does not exist", tt.why, err)
		}
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want one containing %q", tt.why, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.why, err)
		case tt.err == "" && adhoc != tt.adhoc:
			t.Errorf("%s: ad hoc %v, want %v", tt.why, adhoc, tt.adhoc)
		}
	}
}

// TestRunModeFolderNamedLikeCommand: a folder that shadows a command on
// PATH is refused with the command's real path, to give instead.
func TestRunModeFolderNamedLikeCommand(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.Mkdir("sh", 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = (&runArgs{commands: []string{"sh"}}).mode()
	if want := "give its path (" + sh + ")"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want one containing %q", err, want)
	}
}

// TestModeErr: a flag that defines commands is refused with an experiment
// folder, and one of an experiment's build with commands.
func TestModeErr(t *testing.T) {
	tests := []struct {
		why   string
		args  []string
		adhoc bool
		want  string
	}{
		{"-N with an experiment", []string{"-N", "x"}, false, "-N applies to commands timed ad hoc"},
		{"-L with an experiment", []string{"-L", "d", "1", "x"}, false, "--parameter-list applies to commands timed ad hoc"},
		{"--no-build with commands", []string{"--no-build", "x"}, true, "--no-build applies to an experiment folder"},
		{"output flags apply to both", []string{"--style", "none", "--export-json", "f", "-r", "2", "-i", "x"}, false, ""},
		{"output flags apply to both, ad hoc", []string{"--style", "none", "--export-json", "f", "-r", "2", "-i", "x"}, true, ""},
	}
	for _, tt := range tests {
		a, err := parseRunArgs(tt.args)
		if err != nil {
			t.Fatalf("%s: %v", tt.why, err)
		}
		err = a.modeErr(tt.adhoc)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: error %v, want %q", tt.why, err, tt.want)
		}
	}
}

// TestChooseStyle: --style as hyperfine's, and auto decided by the
// writers: a file or pipe is neither redrawn nor colored (the progress
// itself decides its redrawing from stderr, see TestRedraws).
func TestChooseStyle(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	tests := []struct {
		why  string
		name string
		want style
	}{
		{"auto on a file: plain progress lines, no color", "", style{progress: true}},
		{"auto named", "auto", style{progress: true}},
		{"basic never redraws nor colors", "basic", style{progress: true, redraw: -1}},
		{"full redraws and colors even on a file", "full", style{progress: true, redraw: 1, color: true}},
		{"nocolor redraws without color", "nocolor", style{progress: true, redraw: 1}},
		{"color colors without redrawing", "color", style{progress: true, redraw: -1, color: true}},
		{"none shows nothing", "none", style{none: true}},
	}
	for _, tt := range tests {
		if got := chooseStyle(tt.name, f, f, env(map[string]string{"TERM": "xterm"})); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.why, got, tt.want)
		}
	}
	if canDraw(f, env(map[string]string{"TERM": "xterm"})) {
		t.Error("a file is taken for a terminal")
	}
}
