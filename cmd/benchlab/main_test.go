package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
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
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// Read once for every script: the committed archive must load.
	other, cited, err := otherMachine(filepath.Join(root, "results"), harness.Fingerprint().ID)
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		// $HYPERFINE_DATA holds real hyperfine exports
		// (exchange_script_test.go); $REPO is the repository's root, and
		// $OTHER_MACHINE a committed machine folder that is not this
		// host's, so that a script can copy another machine's archive into
		// its own; $OTHER_RUNS matches the IDs of that folder's
		// async-fn-pointers runs and sweeps, which a report of this host's
		// runs must never cite.
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", root)
			env.Setenv("OTHER_MACHINE", other)
			env.Setenv("OTHER_RUNS", cited)
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
// matching the IDs of its async-fn-pointers runs and of their sweeps.
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
		if e.Run.Sweep != "" {
			ids[m] = append(ids[m], regexp.QuoteMeta(e.Run.Sweep))
		}
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
// says nothing: it lost only output nobody reads. An EPIPE from anywhere
// else is an error like any other.
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
		t.Errorf("closed stdout: exit %d, stderr %q; want %d and nothing", code, stderr.String(), exitBrokenPipe)
	}

	// Standard output is fine; the command's error wraps an EPIPE of its
	// own (a pipe to a subject, say): an error like any other.
	commands = append(commands, command{name: "epipe", run: func(context.Context, []string, io.Writer, io.Writer) error {
		return fmt.Errorf("write to the subject's input: %w", syscall.EPIPE)
	}})
	t.Cleanup(func() { commands = commands[:len(commands)-1] })
	stderr.Reset()
	code = run(context.Background(), []string{"epipe"}, io.Discard, &stderr)
	if code != exitFail || !strings.Contains(stderr.String(), "write to the subject's input: broken pipe") {
		t.Errorf("an EPIPE not of standard output: exit %d, stderr %q; want %d and the error", code, stderr.String(), exitFail)
	}
}

// TestHelpOnStdout: `benchlab COMMAND -h` prints the command's help on
// standard output and exits 0, as `benchlab -h` does; a bad flag still
// gets its message and the flags on standard error, with exit 2.
func TestHelpOnStdout(t *testing.T) {
	for _, c := range commands {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{c.name, "-h"}, &stdout, &stderr)
		if code != 0 || stdout.Len() == 0 || stderr.Len() != 0 || !strings.Contains(stdout.String(), c.name) {
			t.Errorf("benchlab %s -h: exit %d, stdout %q, stderr %q; want 0, the help on stdout, nothing on stderr", c.name, code, stdout.String(), stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"ls", "-bogus"}, &stdout, &stderr)
	if code != exitUsage || stdout.Len() != 0 || !strings.Contains(stderr.String(), "flag provided but not defined: -bogus") || !strings.Contains(stderr.String(), "-results") {
		t.Errorf("benchlab ls -bogus: exit %d, stdout %q, stderr %q; want %d, the error and the flags on stderr", code, stdout.String(), stderr.String(), exitUsage)
	}
}
