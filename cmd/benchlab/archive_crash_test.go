package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"benchlab/results"
)

// napExperiment is a small experiment whose trials take 50 ms each; with
// 1000 rounds a run lasts until it is stopped.
const napExperiment = `name = "nap"
[trials]
runs = 1000
timeout = "10s"
[[strategy]]
name = "nap-a"
command = ["sleep", "0.05"]
[[strategy]]
name = "nap-b"
command = ["sleep", "0.05"]
`

// crashLab is a folder with the nap experiment and an archive, res.
func crashLab(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("benchlab"); err != nil {
		t.Fatalf("benchlab is not on PATH (TestMain puts it there): %v", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "nap"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nap", "experiment.toml"), []byte(napExperiment), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func benchlabCmd(dir string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command("benchlab", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// archiveFiles maps every file of the archive to the SHA-256 of its bytes.
func archiveFiles(t *testing.T, archive string) map[string][32]byte {
	t.Helper()
	files := map[string][32]byte{}
	filepath.WalkDir(archive, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, rerr := os.ReadFile(p)
			if rerr != nil {
				t.Fatal(rerr)
			}
			files[p] = sha256.Sum256(b)
		}
		return err
	})
	return files
}

// checkArchive checks that every earlier file is byte-identical, that
// every run loads and that Verify finds no problem (a temporary file left
// by a kill -9 in the last instants is young, so pending, not stray).
// It returns the archive's files now.
func checkArchive(t *testing.T, archive string, earlier map[string][32]byte, what string) map[string][32]byte {
	t.Helper()
	now := archiveFiles(t, archive)
	for p, sum := range earlier {
		if got, ok := now[p]; !ok {
			t.Errorf("%s: %s is gone", what, p)
		} else if got != sum {
			t.Errorf("%s: %s changed", what, p)
		}
	}
	entries, errs := results.Archive{Dir: archive}.Runs("")
	if len(errs) != 0 {
		t.Errorf("%s: loading the archive: %v", what, errs)
	}
	runFiles := 0
	for p := range now {
		if strings.HasSuffix(p, results.Ext) {
			runFiles++
		}
	}
	if len(entries) != runFiles {
		t.Errorf("%s: %d runs loaded of %d run files", what, len(entries), runFiles)
	}
	v, err := results.Archive{Dir: archive}.Verify(time.Now())
	if err != nil || len(v.Problems) != 0 {
		t.Errorf("%s: verify: %v %v", what, err, v.Problems)
	}
	return now
}

func newRuns(before, after map[string][32]byte) []string {
	var added []string
	for p := range after {
		if _, ok := before[p]; !ok && strings.HasSuffix(p, results.Ext) {
			added = append(added, p)
		}
	}
	return added
}

// TestRunSurvivesSignals starts a real benchlab run and stops it at random
// (seeded) moments: Ctrl-C (SIGINT), kill -9 (SIGKILL), or Ctrl-C followed
// within 80 ms by kill -9, which can land while the interrupted run
// is being written. After each, every earlier run is byte-identical, every
// run loads and verify is clean; a run that exited 130 added exactly one
// incomplete run.
func TestRunSurvivesSignals(t *testing.T) {
	dir := crashLab(t)
	archive := filepath.Join(dir, "res")
	for range 2 {
		cmd, out := benchlabCmd(dir, "run", "--results", "res", "--runs", "1", "--warmup", "0", "nap")
		if err := cmd.Run(); err != nil {
			t.Fatalf("a first complete run: %v\n%s", err, out)
		}
	}
	files := checkArchive(t, archive, nil, "after two complete runs")

	const seed = 20261125
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range 12 {
		how := []string{"INT", "KILL", "INT+KILL"}[i%3]
		delay := time.Duration(rng.Int64N(int64(700 * time.Millisecond)))
		gap := time.Duration(rng.Int64N(int64(80 * time.Millisecond)))
		what := how + " after " + delay.Round(time.Millisecond).String()
		if how == "INT+KILL" {
			what += " + " + gap.Round(time.Millisecond).String()
		}
		cmd, out := benchlabCmd(dir, "run", "--results", "res", "nap")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		switch how {
		case "INT":
			cmd.Process.Signal(os.Interrupt)
		case "KILL":
			cmd.Process.Kill()
		case "INT+KILL":
			cmd.Process.Signal(os.Interrupt)
			time.Sleep(gap)
			cmd.Process.Kill()
		}
		err := cmd.Wait()
		code, signalled := exitOf(err)
		after := checkArchive(t, archive, files, what)
		added := newRuns(files, after)
		temps := 0
		for p := range after {
			if strings.HasPrefix(filepath.Base(p), results.TempPrefix) {
				temps++
			}
		}
		t.Logf("%s: exit %d (signalled %v), %d new runs, %d temporary files", what, code, signalled, len(added), temps)
		switch {
		case code == exitInterrupted:
			if len(added) != 1 {
				t.Errorf("%s: exit 130 with %d new runs, want 1\n%s", what, len(added), out)
				break
			}
			if r, err := results.Load(added[0]); err != nil || r.Complete {
				t.Errorf("%s: the interrupted run %s: %v, complete %v; want an incomplete run", what, added[0], err, r != nil && r.Complete)
			}
		case signalled:
			if how == "INT" && len(added) != 0 {
				t.Errorf("%s: killed by the signal before handling it, yet %d runs added", what, len(added))
			}
		default:
			t.Errorf("%s: exit %d, want 130 or death by signal\n%s", what, code, out)
		}
		files = after
	}
}

// exitOf returns a finished command's exit code, and whether a signal
// ended it.
func exitOf(err error) (code int, signalled bool) {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return 0, false
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, true
	}
	return ee.ExitCode(), false
}

// TestConcurrentRuns runs two benchlab runs at once into one archive,
// starting from an empty one (so both create the machine folder and
// machine.json), three times: each pair adds two complete runs and
// nothing earlier changes.
func TestConcurrentRuns(t *testing.T) {
	dir := crashLab(t)
	archive := filepath.Join(dir, "res")
	var files map[string][32]byte
	for pair := range 3 {
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				cmd, out := benchlabCmd(dir, "run", "--results", "res", "--runs", "2", "--warmup", "0", "nap")
				if err := cmd.Run(); err != nil {
					t.Errorf("pair %d: %v\n%s", pair, err, out)
				}
			})
		}
		wg.Wait()
		after := checkArchive(t, archive, files, "concurrent runs")
		if added := newRuns(files, after); len(added) != 2 {
			t.Errorf("pair %d added %d runs, want 2", pair, len(added))
		}
		files = after
	}
	entries, _ := results.Archive{Dir: archive}.Runs("nap")
	for _, e := range entries {
		if !e.Run.Complete || len(e.Run.Trials) != 4 {
			t.Errorf("%s: complete %v with %d trials; want a complete run of 4", e.Path, e.Run.Complete, len(e.Run.Trials))
		}
	}
}
