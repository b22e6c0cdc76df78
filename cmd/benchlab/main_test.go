package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"benchlab/harness"
	"benchlab/results"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"benchlab": main,
	})
}

// TestScripts runs testdata/script/*.txtar: each is a user's session with
// the command, its files and the output expected.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		// $HYPERFINE_DATA holds real hyperfine exports
		// (exchange_script_test.go); $REPO is the repository's root, and
		// $OTHER_MACHINE a committed machine folder that is not this
		// host's, so that a script can copy another machine's archive into
		// its own; $OTHER_RUNS matches any of that folder's
		// async-fn-pointers run IDs.
		Setup: func(env *testscript.Env) error {
			root, err := filepath.Abs(filepath.Join("..", ".."))
			if err != nil {
				return err
			}
			env.Setenv("REPO", root)
			other, runs, err := otherMachine(filepath.Join(root, "results"), harness.Fingerprint().ID)
			if err != nil {
				return err
			}
			env.Setenv("OTHER_MACHINE", other)
			env.Setenv("OTHER_RUNS", runs)
			return setupExchange(env)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"hfsame":        cmdHFSame,    // exchange_script_test.go
			"benchstat":     cmdBenchstat, // exchange_script_test.go
			"slurm-cluster": slurmCluster, // submit_test.go
			// sleep lets a script act while a background command runs.
			"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				time.Sleep(d)
			},
		},
	})
}

// otherMachine returns the first committed machine folder under dir that
// is not this host's (the machines change between sessions, so no one
// folder is "the other machine" on every host), with a regular expression
// matching the IDs of its async-fn-pointers runs.
func otherMachine(dir, this string) (string, string, error) {
	entries, errs := (results.Archive{Dir: dir}).Runs("async-fn-pointers")
	if len(errs) > 0 {
		return "", "", fmt.Errorf("the committed archive: %w", errors.Join(errs...))
	}
	ids := map[string][]string{}
	var machines []string
	for _, e := range entries {
		m := e.Run.Machine.ID
		if m == this {
			continue
		}
		if ids[m] == nil {
			machines = append(machines, m)
		}
		ids[m] = append(ids[m], regexp.QuoteMeta(e.Run.ID))
	}
	if len(machines) == 0 {
		return "", "", fmt.Errorf("no committed machine other than %s has async-fn-pointers runs under %s", this, dir)
	}
	slices.Sort(machines)
	return machines[0], "(" + strings.Join(ids[machines[0]], "|") + ")", nil
}

// TestHelpAndUsage covers the exit codes without a process.
func TestHelpAndUsage(t *testing.T) {
	tests := []struct {
		why  string
		args []string
		want int
	}{
		{"no command is bad usage", nil, exitUsage},
		{"help is not an error", []string{"help"}, 0},
		{"an unknown command is bad usage", []string{"frobnicate"}, exitUsage},
		{"a command's -h is not an error", []string{"run", "-h"}, 0},
		{"an unknown flag is bad usage", []string{"run", "--nope", "x"}, exitUsage},
		{"a missing argument is bad usage", []string{"check"}, exitUsage},
		{"a missing experiment is a failure", []string{"check", "/nonexistent"}, exitFail},
	}
	for _, tt := range tests {
		if got := run(context.Background(), tt.args, devNull(t), devNull(t)); got != tt.want {
			t.Errorf("%s: benchlab %v exited %d, want %d", tt.why, tt.args, got, tt.want)
		}
	}
}

func devNull(t *testing.T) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestClosedStdoutExitsQuietly: a command that only prints, whose reader
// went away (benchlab ls | head), exits 141 as if killed by SIGPIPE, and
// says nothing: it lost only output nobody reads.
func TestClosedStdoutExitsQuietly(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	var stderr strings.Builder
	code := run(context.Background(), []string{"ls", "--results", filepath.Join("..", "..", "results")}, w, &stderr)
	if code != exitBrokenPipe || stderr.Len() > 0 {
		t.Errorf("exit %d, stderr %q; want %d and nothing", code, stderr.String(), exitBrokenPipe)
	}
}
