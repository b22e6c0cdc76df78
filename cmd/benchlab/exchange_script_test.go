package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"benchlab/exchange"

	"github.com/rogpeppe/go-internal/testscript"
)

// setupExchange points $HYPERFINE_DATA at the real hyperfine 1.15 exports
// the exchange package's tests use, so that scripts import the same files.
func setupExchange(env *testscript.Env) error {
	dir, err := filepath.Abs(filepath.Join("..", "..", "exchange", "testdata", "hyperfine"))
	if err != nil {
		return err
	}
	env.Setenv("HYPERFINE_DATA", dir)
	// The go command that runs benchstat needs the caches the test's own
	// build uses; testscript's HOME leads nowhere.
	goEnvOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
		if err != nil {
			goEnvErr = err
			return
		}
		goEnv = strings.Split(strings.TrimSpace(string(out)), "\n")
	})
	if goEnvErr != nil || len(goEnv) != 3 {
		return fmt.Errorf("go env: %v %q", goEnvErr, goEnv)
	}
	env.Setenv("GOCACHE", goEnv[0])
	env.Setenv("GOMODCACHE", goEnv[1])
	env.Setenv("GOPATH", goEnv[2])
	env.Setenv("GOPROXY", "off") // everything is in the module cache
	return nil
}

var (
	goEnvOnce sync.Once
	goEnv     []string
	goEnvErr  error
)

// cmdHFSame is the script command "hfsame WANT GOT": every field of the
// hyperfine JSON file WANT is in GOT with the same value (within the
// nanosecond an archive keeps), and GOT adds none.
func cmdHFSame(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: hfsame WANT.json GOT.json")
	}
	diffs, err := exchange.DiffHyperfine([]byte(ts.ReadFile(args[0])), []byte(ts.ReadFile(args[1])), 1e-9)
	ts.Check(err)
	switch {
	case neg && len(diffs) == 0:
		ts.Fatalf("%s and %s agree", args[0], args[1])
	case !neg && len(diffs) > 0:
		ts.Fatalf("%s → %s:\n%s", args[0], args[1], strings.Join(diffs, "\n"))
	}
}

// cmdBenchstat is the script command "benchstat ARGS…": the real
// benchstat at the version go.mod pins (its tool line), run with
// `go tool`, which builds it once from the module cache and keeps it in
// the build cache: nothing to install, and no installed copy to drift from
// the benchfmt writer it checks.
func cmdBenchstat(ts *testscript.TestScript, neg bool, args []string) {
	goTool, err := exec.LookPath("go")
	ts.Check(err)
	module, err := filepath.Abs(filepath.Join("..", ".."))
	ts.Check(err)
	argv := []string{"-C", module, "tool", "benchstat"}
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			a = ts.MkAbs(a)
		}
		argv = append(argv, a)
	}
	err = ts.Exec(goTool, argv...)
	if neg != (err != nil) {
		ts.Fatalf("benchstat: %v", err)
	}
}
