package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"benchlab/harness"
	"benchlab/results"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/history/*.golden from the current output")

// golden compares got with testdata/history/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "history", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/benchlab -run TestHistoryCompareGolden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is intended, rerun with -update:\n%s", path, diff)
	}
}

const demoExperiment = "name = \"demo\"\n[trials]\nruns = 8\n[[strategy]]\nname = \"fast\"\ncommand = [\"true\"]\n[[strategy]]\nname = \"slow\"\ncommand = [\"true\"]\n"

const sizedExperiment = "name = \"sized\"\n[build]\ncommand = [\"./build.sh\"]\n[build.parameters]\nn = [\"1\", \"2\"]\n[build.defaults]\nn = \"1\"\n[trials]\nruns = 8\n[[strategy]]\nname = \"fast\"\ncommand = [\"true\"]\n[[strategy]]\nname = \"slow\"\ncommand = [\"true\"]\n"

// fixedRun is a run of demo on machine, started at start, with 8 rounds
// of "fast" around fastMS and "slow" around slowMS (1% noise from seed).
func fixedRun(machine string, start time.Time, seed uint64, fastMS, slowMS float64, complete bool) *results.Run {
	rng := rand.New(rand.NewPCG(seed, 42))
	r := &results.Run{
		Format: results.FormatVersion, ID: fmt.Sprintf("%s-%08x", start.Format("20060102T150405Z"), seed),
		Experiment: "demo", ExperimentFile: demoExperiment, Started: start, Finished: start.Add(time.Minute), Complete: complete,
		Machine:    results.Machine{ID: machine, CPUModel: "Test CPU", CPUs: 2, MemoryKiB: 1 << 20, Kernel: "6.12.48-amd64", OS: "Linux", Arch: "amd64"},
		Lab:        results.Lab{Version: "devel", GoVersion: "go1.26.0"},
		Settings:   results.Settings{Runs: 8, TimeoutNS: 60e9, Baseline: "fast"},
		Strategies: []results.Strategy{{Name: "fast", Command: []string{"true"}}, {Name: "slow", Command: []string{"true"}}},
	}
	for round := range 8 {
		for s, ms := range []float64{fastMS, slowMS} {
			r.Trials = append(r.Trials, results.Trial{Strategy: s, Round: round, WallNS: int64(ms * 1e6 * (1 + 0.01*rng.NormFloat64()))})
		}
	}
	return r
}

// fixedArchive writes the runs of the golden tests to a new archive:
// on machine-a three complete runs a week apart, slow 20% slower in the
// second and back in the third, and an interrupted fourth (listed in the
// text, left out of the chart); on machine-b one run, 1.5 times slower
// throughout.
func fixedArchive(t *testing.T) string {
	dir := t.TempDir()
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	runs := []*results.Run{
		fixedRun("machine-a", day, 1, 10, 30, true),
		fixedRun("machine-a", day.AddDate(0, 0, 7), 2, 10, 36, true),
		fixedRun("machine-a", day.AddDate(0, 0, 14), 3, 10, 30, true),
		fixedRun("machine-a", day.AddDate(0, 0, 21), 4, 10, 30, false),
		fixedRun("machine-b", day.AddDate(0, 0, 2), 5, 15, 45, true),
	}
	// Experiment sized has a build parameter n: two runs at n=1, the
	// second built with another rustc, and one at n=2.
	for i, v := range []struct {
		n, rustc string
		slowMS   float64
	}{{"1", "rustc 1.95.0", 30}, {"1", "rustc 1.63.0", 33}, {"2", "rustc 1.95.0", 60}} {
		r := fixedRun("machine-a", day.AddDate(0, 1, i), uint64(10+i), 10, v.slowMS, true)
		r.Experiment, r.ExperimentFile = "sized", sizedExperiment
		r.Parameters = map[string]string{"n": v.n}
		r.Toolchains = map[string]string{"rustc": v.rustc}
		runs = append(runs, r)
	}
	for _, r := range runs {
		if _, err := (results.Archive{Dir: dir}).Write(r); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// benchlab runs the command in-process and returns its standard output,
// failing the test on a non-zero exit.
func benchlab(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("benchlab %v exited %d: %s", args, code, stderr.String())
	}
	return stdout.String()
}

// TestHistoryCompareGolden checks the exact output of `benchlab compare`
// (same machine, different machines) and `benchlab history --out` on a
// fixed archive, and that writing the history twice gives the same bytes.
func TestHistoryCompareGolden(t *testing.T) {
	arch := fixedArchive(t)
	tests := []struct {
		why, golden string
		args        []string
	}{
		{"one machine: medians compared directly, the 20% slowdown significant", "compare_same.golden",
			[]string{"compare", "--results", arch, "20260301T", "20260308T"}},
		{"two machines: ratios to each run's baseline side by side", "compare_machines.golden",
			[]string{"compare", "--results", arch, "20260301T", "20260303T"}},
		{"other build parameters: said first, then ratios only, no faster/slower verdict", "compare_params.golden",
			[]string{"compare", "--results", arch, "20260401T", "20260403T"}},
		{"another rustc, same parameters: said first, then the verdicts", "compare_toolchains.golden",
			[]string{"compare", "--results", arch, "20260401T", "20260402T"}},
	}
	for _, tt := range tests {
		golden(t, tt.golden, []byte(benchlab(t, tt.args...)))
	}

	out := t.TempDir()
	stdout := benchlab(t, "history", "--results", arch, "--out", out, "demo")
	golden(t, "history.golden", []byte(strings.ReplaceAll(stdout, out, "OUT")))
	page := filepath.Join(out, "demo", "history.md")
	first := readAll(t, page, filepath.Join(out, "demo", "history-machine-a.png"), filepath.Join(out, "demo", "history-machine-b.png"))
	golden(t, "history.md.golden", first[0])
	for i, data := range first[1:] {
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("chart %d is not a PNG: %v", i, err)
		}
		if w := img.Bounds().Dx(); w != 768 {
			t.Errorf("chart %d is %d pixels wide, want 768 (GitHub's column)", i, w)
		}
	}
	if *update {
		// A sample for people to look at; never compared byte for byte.
		if err := os.WriteFile(filepath.Join("testdata", "history", "history-machine-a.png"), first[1], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	benchlab(t, "history", "--results", arch, "--out", out, "demo")
	again := readAll(t, page, filepath.Join(out, "demo", "history-machine-a.png"), filepath.Join(out, "demo", "history-machine-b.png"))
	for i := range first {
		if !bytes.Equal(first[i], again[i]) {
			t.Errorf("file %d: regenerating from the same archive gave different bytes", i)
		}
	}
}

func readAll(t *testing.T, paths ...string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestHistoryRefusesUnsafeNames checks that the experiment name, which
// becomes a folder under --out, cannot leave it.
func TestHistoryRefusesUnsafeNames(t *testing.T) {
	arch := fixedArchive(t)
	out := t.TempDir()
	for _, tt := range []struct{ why, name string }{
		{"a parent folder", "../escape"},
		{"a nested path", "a/b"},
		{"an absolute path", "/tmp/x"},
		{"a glob", "de*"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"history", "--results", arch, "--out", out, tt.name}, &stdout, &stderr); code != exitFail {
			t.Errorf("%s: history %q exited %d, want %d", tt.why, tt.name, code, exitFail)
		}
		if !strings.Contains(stderr.String(), "not a safe archive name") {
			t.Errorf("%s: stderr %q does not say why", tt.why, stderr.String())
		}
		for _, rep := range []string{"report"} {
			if code := run(context.Background(), []string{rep, "--results", arch, "--out", out, tt.name}, &stdout, &stderr); code != exitFail {
				t.Errorf("%s: %s %q exited %d, want %d", tt.why, rep, tt.name, code, exitFail)
			}
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 || exists(filepath.Join(filepath.Dir(out), "escape")) {
		t.Errorf("an unsafe name wrote files: %v", entries)
	}
}

// TestHistoryNoRuns: an experiment without runs is an error that says
// how to make one.
func TestHistoryNoRuns(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"history", "--results", t.TempDir(), "nothing"}, &stdout, &stderr); code != exitFail {
		t.Errorf("history of an experiment without runs exited %d, want %d", code, exitFail)
	}
	if want := "run `benchlab run experiments/nothing` first"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q does not say %q", stderr.String(), want)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestNewestAtThisMachine: `benchlab experiment` reports on the run it
// just made, on this machine, even when another machine's run in a shared
// archive is newer.
func TestNewestAtThisMachine(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mine, theirs := fixedRun("machine-a", day, 1, 10, 30, true), fixedRun("machine-b", day.AddDate(0, 0, 1), 2, 10, 30, true)
	for _, r := range []*results.Run{mine, theirs} {
		if _, err := (results.Archive{Dir: dir}).Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if id, err := newestAt(dir, "demo", "machine-a", nil); err != nil || id != mine.ID {
		t.Errorf("newestAt = %q, %v; want machine-a's run %s", id, err, mine.ID)
	}
	if _, err := newestAt(dir, "demo", "machine-c", nil); err == nil || !strings.Contains(err.Error(), "benchlab report --run ID") {
		t.Errorf("no run on this machine: err %v, want one that says what to do", err)
	}
}

// TestChooseRunAtDefaults: report and export without --run take this
// machine's newest run at the default parameters, not a newer sweep point
// (export used to hand hyperfine's scripts a 100M-iteration point of a
// sweep instead of the experiment's run).
func TestChooseRunAtDefaults(t *testing.T) {
	dir := t.TempDir()
	here := harness.Fingerprint().ID
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var runs []*results.Run
	for i, n := range []string{"1", "2"} {
		r := fixedRun(here, day.Add(time.Duration(i)*time.Hour), uint64(i+1), 10, 30, true)
		r.Experiment, r.ExperimentFile = "sized", sizedExperiment
		r.Parameters = map[string]string{"n": n}
		if n == "2" {
			r.Sweep = "20260301T095959Z-00000009"
		}
		if _, err := (results.Archive{Dir: dir}).Write(r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	entry, main, infos, err := chooseRun(results.Archive{Dir: dir}, "sized", "", io.Discard)
	if err != nil || entry.Run.ID != runs[0].ID || main.Run.ID != runs[0].ID || len(infos) != 2 {
		t.Fatalf("chooseRun = %s, %s, %d runs, %v; want the run at n=1, %s", entry.Run.ID, main.Run.ID, len(infos), err, runs[0].ID)
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"export", "--results", dir, "--format", "hyperfine", "sized"}, &out, io.Discard); code != 0 {
		t.Fatalf("export exited %d", code)
	}
	var doc struct {
		Results []struct {
			Parameters map[string]string `json:"parameters"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Results) == 0 || doc.Results[0].Parameters["n"] != "1" {
		t.Errorf("export without --run: %+v (%v); want the run at n=1", doc.Results, err)
	}
}
