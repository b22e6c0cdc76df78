package main

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"benchlab/experiments"
	"benchlab/results"
)

func mustAdhoc(t *testing.T, args ...string) *adhocRun {
	t.Helper()
	a, err := parseRunArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	ad, err := newAdhoc(a, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ad
}

// TestAdhocStrategies: what each command becomes, with the shell or
// without, named, parametrised, prepared.
func TestAdhocStrategies(t *testing.T) {
	type strategy struct {
		Name, Label      string
		Command, Prepare []string
		Values           map[string]string
	}
	tests := []struct {
		why  string
		args []string
		want []strategy
	}{
		{"through sh -c by default, named after the command", []string{"sleep 0.01", "true"}, []strategy{
			{Name: "sleep-0-01", Label: "sleep 0.01", Command: []string{"sh", "-c", "sleep 0.01"}},
			{Name: "true", Label: "true", Command: []string{"sh", "-c", "true"}},
		}},
		{"-N splits the words as a shell would", []string{"-N", `printf '%s\n' "a b"`}, []strategy{
			{Name: "printf-s-n-a-b", Label: `printf '%s\n' "a b"`, Command: []string{"printf", `%s\n`, "a b"}},
		}},
		{"another shell, with its arguments", []string{"--shell", "bash --norc", "echo"}, []strategy{
			{Name: "echo", Label: "echo", Command: []string{"bash", "--norc", "-c", "echo"}},
		}},
		{"the same command twice gets a second name", []string{"true", "true"}, []strategy{
			{Name: "true", Label: "true", Command: []string{"sh", "-c", "true"}},
			{Name: "true-2", Label: "true", Command: []string{"sh", "-c", "true"}},
		}},
		{"-n names a command; the others keep theirs", []string{"-n", "Fast One", "true", "false"}, []strategy{
			{Name: "fast-one", Label: "Fast One", Command: []string{"sh", "-c", "true"}},
			{Name: "false", Label: "false", Command: []string{"sh", "-c", "false"}},
		}},
		{"-L: one strategy per value, its values kept; the label says them", []string{"-N", "-L", "d", "0.001,O2", "sleep {d}"}, []strategy{
			{Name: "sleep-d-0-001", Label: "sleep 0.001", Command: []string{"sleep", "0.001"}, Values: map[string]string{"d": "0.001"}},
			{Name: "sleep-d-o2", Label: "sleep O2", Command: []string{"sleep", "O2"}, Values: map[string]string{"d": "O2"}},
		}},
		{"one -n with a parameter names every value", []string{"-L", "d", "1,3", "-n", "nap {d}", "sleep 0.0{d}"}, []strategy{
			{Name: "nap-d-1", Label: "nap 1", Command: []string{"sh", "-c", "sleep 0.01"}, Values: map[string]string{"d": "1"}},
			{Name: "nap-d-3", Label: "nap 3", Command: []string{"sh", "-c", "sleep 0.03"}, Values: map[string]string{"d": "3"}},
		}},
		{"a -n without the parameter gets its value said", []string{"-L", "d", "1,3", "-n", "nap", "sleep 0.0{d}"}, []strategy{
			{Name: "nap-d-1", Label: "nap (d = 1)", Command: []string{"sh", "-c", "sleep 0.01"}, Values: map[string]string{"d": "1"}},
			{Name: "nap-d-3", Label: "nap (d = 3)", Command: []string{"sh", "-c", "sleep 0.03"}, Values: map[string]string{"d": "3"}},
		}},
		{"a scan, a prepare for all and the parameter in it", []string{"-P", "n", "1", "2", "-p", "echo {n}", "sleep {n}"}, []strategy{
			{Name: "sleep-n-1", Label: "sleep 1", Command: []string{"sh", "-c", "sleep 1"}, Prepare: []string{"sh", "-c", "echo 1"}, Values: map[string]string{"n": "1"}},
			{Name: "sleep-n-2", Label: "sleep 2", Command: []string{"sh", "-c", "sleep 2"}, Prepare: []string{"sh", "-c", "echo 2"}, Values: map[string]string{"n": "2"}},
		}},
		{"a prepare per command; the reference goes first", []string{"-p", "a", "-p", "b", "--reference", "true", "x", "y"}, []strategy{
			{Name: "true", Label: "true", Command: []string{"sh", "-c", "true"}, Prepare: []string{"sh", "-c", "a"}},
			{Name: "x", Label: "x", Command: []string{"sh", "-c", "x"}, Prepare: []string{"sh", "-c", "a"}},
			{Name: "y", Label: "y", Command: []string{"sh", "-c", "y"}, Prepare: []string{"sh", "-c", "b"}},
		}},
		{"a command of no letters or digits", []string{":"}, []strategy{
			{Name: "cmd", Label: ":", Command: []string{"sh", "-c", ":"}},
		}},
	}
	for _, tt := range tests {
		ad := mustAdhoc(t, tt.args...)
		var got []strategy
		for _, s := range ad.exp.Strategies {
			got = append(got, strategy{s.Name, s.Label, s.Command, s.Prepare, s.Values})
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

// TestAdhocFile: the experiment.toml an ad-hoc run saves reads as one a
// person would write, and parses back to the strategies that were run.
func TestAdhocFile(t *testing.T) {
	ad := mustAdhoc(t, "--name", "naps", "-w", "1", "--setup", "make", "-L", "d", "1,3", "--reference", "sleep 0.01", "sleep 0.0{d}")
	want := `# Commands timed ad hoc by ` + "`benchlab run`" + ` (see experiments/README.md).
# ` + "`benchlab run FOLDER`" + ` runs them again, in FOLDER.

name = "naps"
title = "ad hoc: 'sleep 0.0{d}'"

[build]
command = ["sh", "-c", "make"]

[trials]
warmup = 1
runs = "auto"
baseline = "sleep-0-01"
min_runs = 10
max_time = "3s"

[[strategy]]
name = "sleep-0-01"
command = ["sh", "-c", "sleep 0.01"]
label = "sleep 0.01"

[[strategy]]
name = "sleep-0-0"
command = ["sh", "-c", "sleep 0.0{d}"]
label = "sleep 0.0{d}"
params = { d = [1, 3] }
`
	if diff := cmp.Diff(want, string(ad.file)); diff != "" {
		t.Errorf("experiment.toml (-want +got):\n%s", diff)
	}
	e, err := experiments.Parse("saved", ad.file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ad.exp.Strategies, e.Strategies); diff != "" {
		t.Errorf("the saved file's strategies (-ran +saved):\n%s", diff)
	}
}

// TestAdhocName: the derived name is safe and stable: the same commands
// give the same name whatever the runs; other commands another.
func TestAdhocName(t *testing.T) {
	name := func(args ...string) string { return mustAdhoc(t, args...).exp.Name }
	a := name("-N", "sleep 0.01", "sleep 0.02")
	if !strings.HasPrefix(a, "adhoc-sleep-0-01-sleep-0-02-") || len(a) != len("adhoc-sleep-0-01-sleep-0-02-")+8 {
		t.Errorf("name %q, want adhoc-sleep-0-01-sleep-0-02-<8 hex digits>", a)
	}
	if b := name("-N", "--runs", "20", "-w", "3", "sleep 0.01", "sleep 0.02"); b != a {
		t.Errorf("more runs changed the name: %q, then %q", a, b)
	}
	for _, other := range [][]string{
		{"sleep 0.01", "sleep 0.02"}, // through the shell
		{"-N", "sleep 0.02", "sleep 0.01"},
		{"-N", "-p", "true", "sleep 0.01", "sleep 0.02"},
	} {
		if b := name(other...); b == a {
			t.Errorf("%q: the same name %q as different commands", other, b)
		}
	}
	if got := name("--save-experiment", t.TempDir()+"/my-naps", "true"); got != "my-naps" {
		t.Errorf("--save-experiment DIR: name %q, want the folder's, my-naps", got)
	}
}

// TestAdhocErrors: commands that cannot make an experiment say why in
// the terms of the flags.
func TestAdhocErrors(t *testing.T) {
	tests := []struct {
		why  string
		args []string
		want string
	}{
		{"more names than commands", []string{"-n", "a", "-n", "b", "true"}, "2 --command-name for 1 commands"},
		{"prepare neither once nor per command", []string{"-p", "a", "-p", "b", "-p", "c", "x", "y"}, "--prepare is given 3 times: give it once for all commands or once per command (2)"},
		{"a parameter no command uses", []string{"-L", "d", "1,2", "true"}, "--parameter-list d: {d} appears in no command"},
		{"a value that cannot go into a name", []string{"-L", "f", "a b,c", "cat {f}"}, `--parameter-list f: value "a b": want letters, digits`},
		{"a value twice", []string{"-L", "d", "1,1", "sleep {d}"}, `value "1" is listed twice`},
		{"a parameter name that is no identifier", []string{"-L", "D", "1", "sleep {D}"}, "--parameter-list D: a parameter's name is a lower-case identifier"},
		{"decimal bounds without a step", []string{"-P", "d", "0.1", "0.3", "sleep {d}"}, "need a step: give --parameter-step-size"},
		{"a setup that would need to run per value", []string{"-L", "d", "1", "--setup", "make {d}", "x {d}"}, "--setup uses {d}"},
		{"an unterminated quote under -N", []string{"-N", "echo 'a"}, "unterminated single quote"},
		{"a name that is not safe", []string{"--name", "My Naps", "true"}, `--name "My Naps": want lower-case words joined by '-'`},
		{"a folder whose name is not safe", []string{"--save-experiment", "/tmp/My Naps", "true"}, "is not lower-case words joined by '-'; choose another folder"},
		{"--name unlike the saved folder's", []string{"--name", "a", "--save-experiment", "/tmp/b", "true"}, "name them alike"},
		{"max-runs 1 under auto", []string{"-M", "1", "true"}, "--max-runs must be at least 2 for automatic runs"},
	}
	for _, tt := range tests {
		a, err := parseRunArgs(tt.args)
		if err == nil {
			_, err = newAdhoc(a, t.TempDir())
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.why, err, tt.want)
		}
	}
}

// TestScanValues: hyperfine's --parameter-scan values: whole numbers, or
// decimals computed exactly and written as rust_decimal writes them (the
// first as given, the rest with the places of MIN or the step).
func TestScanValues(t *testing.T) {
	tests := []struct {
		why          string
		lo, hi, step string
		want         []string
		err          string
	}{
		{"whole numbers, step 1", "1", "3", "", []string{"1", "2", "3"}, ""},
		{"whole numbers with a step that overshoots MAX", "0", "10", "4", []string{"0", "4", "8"}, ""},
		{"hyperfine's own example", "0.3", "0.7", "0.2", []string{"0.3", "0.5", "0.7"}, ""},
		{"exact, where floats would miss the end: 0 to 1 by 0.1", "0", "1", "0.1",
			[]string{"0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"}, ""},
		{"negative bounds", "-1", "1", "", []string{"-1", "0", "1"}, ""},
		{"MIN above MAX", "3", "1", "", nil, "MIN 3 is above MAX 1"},
		{"a zero step", "1", "3", "0", nil, "want a step above 0"},
		{"not a number", "a", "3", "", nil, `MIN "a" is not a number`},
		{"no exponents, as hyperfine", "1e2", "3", "", nil, `MIN "1e2" is not a number`},
		{"too many values", "0", "100000", "", nil, "more than 1000 values"},
	}
	for _, tt := range tests {
		got, err := scanValues(tt.lo, tt.hi, tt.step)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.why, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.why, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"sleep 0.1", []string{"sleep", "0.1"}},
		{"  a \t b\n", []string{"a", "b"}},
		{`echo 'a b' "c d" e\ f`, []string{"echo", "a b", "c d", "e f"}},
		{`"a \"q\" \$x \n"`, []string{`a "q" $x \n`}},
		{`'it''s'`, []string{"its"}},
		{`''`, []string{""}},
		{``, nil},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.in)
		if err != nil {
			t.Errorf("splitWords(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("splitWords(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, bad := range []string{`'a`, `"a`, `a "b`} {
		if _, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q): no error for an unterminated quote", bad)
		}
	}
}

// TestAdhocRunArchivesParameters: an ad-hoc run with -L archives each
// strategy with its parameter values, as written (0.001, O2), and the
// experiment file it ran, which parses back to the same strategies.
func TestAdhocRunArchivesParameters(t *testing.T) {
	dir := t.TempDir()
	args := []string{"run", "--results", dir, "--style", "none", "--name", "params", "-N", "--runs", "1",
		"-L", "d", "0,0.001", "-L", "tag", "O2", "true {d} {tag}"}
	if code := run(context.Background(), args, devNull(t), devNull(t)); code != 0 {
		t.Fatalf("benchlab %v: exit %d", args, code)
	}
	entry, _, err := results.Archive{Dir: dir}.Latest("params")
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	for _, s := range entry.Run.Strategies {
		got = append(got, s.Parameters)
	}
	want := []map[string]string{{"d": "0", "tag": "O2"}, {"d": "0.001", "tag": "O2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("archived parameters (-want +got):\n%s", diff)
	}
	e, err := experiments.Parse("archived", []byte(entry.Run.ExperimentFile))
	if err != nil {
		t.Fatalf("the archived experiment file: %v", err)
	}
	if len(e.Strategies) != 2 || e.Strategies[1].Name != "true-d-0-001-tag-o2" {
		t.Errorf("the archived file's strategies: %+v", e.Strategies)
	}
}
