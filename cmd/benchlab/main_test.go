package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

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
		// (exchange_script_test.go); $REPO is the repository's root, so
		// that a script can copy the committed archive of another machine
		// into its own.
		Setup: func(env *testscript.Env) error {
			root, err := filepath.Abs(filepath.Join("..", ".."))
			if err != nil {
				return err
			}
			env.Setenv("REPO", root)
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
