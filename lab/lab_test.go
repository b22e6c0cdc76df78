package lab

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"

	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/results"
)

// adhoc is an experiment made in memory, as `benchlab run 'cmd a' 'cmd b'`
// makes one: no file, no build, its folder the working directory.
func adhoc(t *testing.T) *experiments.Experiment {
	e := &experiments.Experiment{
		Name:   "adhoc",
		Dir:    t.TempDir(),
		Trials: experiments.Trials{Warmup: 1, Runs: 2, Timeout: experiments.Duration{Duration: 10 * time.Second}},
		Strategies: []experiments.Strategy{
			{Name: "true", Command: []string{"true"}},
			{Name: "sh-exit-0", Command: []string{"sh", "-c", "exit 0"}},
		},
	}
	raw, err := experiments.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	e.Raw = raw
	return e
}

func TestValidate(t *testing.T) {
	negative, zero := -1, 0
	withParams := func(t *testing.T) *experiments.Experiment {
		e := adhoc(t)
		e.Build = &experiments.Build{
			Command:    []string{"true"},
			Parameters: map[string][]string{"n": {"1", "2"}},
			Defaults:   map[string]string{"n": "1"},
		}
		return e
	}
	tests := []struct {
		why  string
		o    func(t *testing.T) Options
		want string // in the error; "" for none
	}{
		{"an in-memory experiment is enough", func(t *testing.T) Options {
			return Options{Experiment: adhoc(t), Results: "r"}
		}, ""},
		{"overrides within bounds are fine", func(t *testing.T) Options {
			return Options{Experiment: adhoc(t), Results: "r", Warmup: &zero, Runs: experiments.AutoRuns, Pin: []int{}}
		}, ""},
		{"build parameters resolve against the declared ones", func(t *testing.T) Options {
			return Options{Experiment: withParams(t), Results: "r", Params: map[string]string{"n": "2"}}
		}, ""},
		{"nothing to run", func(t *testing.T) Options {
			return Options{Results: "r"}
		}, "no experiment"},
		{"a run is archived under the experiment's name", func(t *testing.T) Options {
			e := adhoc(t)
			e.Name = ""
			return Options{Experiment: e, Results: "r"}
		}, "no name"},
		{"no strategies, nothing to time", func(t *testing.T) Options {
			e := adhoc(t)
			e.Strategies = nil
			return Options{Experiment: e, Results: "r"}
		}, "no strategies"},
		{"nowhere to archive", func(t *testing.T) Options {
			return Options{Experiment: adhoc(t)}
		}, "no results folder"},
		{"parameters without a build would be recorded but not built", func(t *testing.T) Options {
			return Options{Experiment: withParams(t), Results: "r", NoBuild: true, Params: map[string]string{"n": "2"}}
		}, "need a build"},
		{"negative warm-up", func(t *testing.T) Options {
			return Options{Experiment: adhoc(t), Results: "r", Warmup: &negative}
		}, "warm-up runs must not be negative"},
		{"runs below 1 that is not auto", func(t *testing.T) Options {
			return Options{Experiment: adhoc(t), Results: "r", Runs: -5}
		}, "runs must be at least 1"},
		{"a block over the limit", func(t *testing.T) Options {
			return Options{Experiment: adhoc(t), Results: "r", Block: experiments.MaxBlock + 1}
		}, "block must be 1 to 256"},
		{"an undeclared build parameter", func(t *testing.T) Options {
			return Options{Experiment: withParams(t), Results: "r", Params: map[string]string{"m": "2"}}
		}, `"m"`},
	}
	for _, tt := range tests {
		err := tt.o(t).Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Validate = %v, want nil", tt.why, err)
		case tt.want != "" && err == nil:
			t.Errorf("%s: Validate = nil, want an error with %q", tt.why, tt.want)
		case tt.want != "" && (!errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Validate = %v, want an ErrOptions with %q", tt.why, err, tt.want)
		}
	}
}

// TestPlanBlock: trials.block and --block reach the harness; runs = "auto"
// (from the file or the override) without either runs in blocks of
// experiments.DefaultAutoBlock, and a fixed count in none: a file's block
// goes with its auto runs, and --block with a fixed count is an error.
func TestPlanBlock(t *testing.T) {
	for _, tt := range []struct {
		why       string
		file      int
		fileRuns  experiments.RunCount
		override  int
		overRuns  experiments.RunCount
		wantBlock int
		wantErr   string
	}{
		{"fixed runs: none", 0, 3, 0, 0, 0, ""},
		{"auto: the default", 0, experiments.AutoRuns, 0, 0, experiments.DefaultAutoBlock, ""},
		{"auto by override: the default", 0, 3, 0, experiments.AutoRuns, experiments.DefaultAutoBlock, ""},
		{"auto, the file's block 1: none", 1, experiments.AutoRuns, 0, 0, 1, ""},
		{"auto, the file's block", 4, experiments.AutoRuns, 0, 0, 4, ""},
		{"--block over the file's", 4, experiments.AutoRuns, 8, 0, 8, ""},
		{"a fixed count by override drops the file's block", 4, experiments.AutoRuns, 0, 5, 0, ""},
		{"--block with a fixed count by override", 0, experiments.AutoRuns, 2, 5, 0, "apply only to adaptive runs"},
		{"--block with the file's fixed count", 0, 3, 2, 0, 0, "apply only to adaptive runs"},
	} {
		e := adhoc(t)
		e.Trials.Block, e.Trials.Runs = tt.file, tt.fileRuns
		if tt.fileRuns.Auto() {
			e.Trials = e.Trials.WithAutoDefaults()
		}
		p, err := Options{Experiment: e, Results: "r", Block: tt.override, Runs: tt.overRuns}.plan()
		switch {
		case tt.wantErr != "":
			if err == nil || !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want an ErrOptions with %q", tt.why, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.why, err)
		case p.trials.Block != tt.wantBlock:
			t.Errorf("%s: block %d, want %d", tt.why, p.trials.Block, tt.wantBlock)
		}
	}
}

// TestRunInMemory runs an experiment that exists only in memory into an
// archive and reads it back.
func TestRunInMemory(t *testing.T) {
	e := adhoc(t)
	dir := t.TempDir()
	var events []harness.Event
	zero := 0
	r, path, err := Run(context.Background(), Options{
		Experiment: e, Results: dir, NoBuild: true, Warmup: &zero,
		Warnings: []string{"made in memory"},
		Events:   func(ev harness.Event) { events = append(events, ev) },
		Lab:      results.Lab{Version: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, errs := results.Archive{Dir: dir}.Runs("adhoc")
	if len(errs) > 0 || len(entries) != 1 {
		t.Fatalf("archive holds %d runs (errors %v), want 1", len(entries), errs)
	}
	if entries[0].Path != path {
		t.Errorf("archived at %s, Run said %s", entries[0].Path, path)
	}
	got := entries[0].Run
	if diff := cmp.Diff(r, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("archived run differs from the one returned (-returned +archived):\n%s", diff)
	}
	// 2 strategies × 2 counted runs, the warm-up overridden to none.
	if len(got.Trials) != 4 || !got.Complete || got.Settings.Runs != 2 || got.Settings.Warmup != 0 {
		t.Errorf("run: %d trials, complete %v, settings %+v; want 4 trials of 2 runs, no warm-up, complete",
			len(got.Trials), got.Complete, got.Settings)
	}
	for _, tr := range got.Trials {
		if tr.ExitCode != 0 || tr.WallNS <= 0 {
			t.Errorf("trial %+v: want exit 0 and a measured time", tr)
		}
	}
	if got.ExperimentFile != string(e.Raw) || got.Lab.Version != "test" || got.Parameters != nil {
		t.Errorf("record: file %q, lab %+v, parameters %v; want the marshalled experiment, the given lab, none",
			got.ExperimentFile, got.Lab, got.Parameters)
	}
	if !strings.Contains(strings.Join(got.Warnings, "\n"), "made in memory") {
		t.Errorf("warnings %q lack the caller's", got.Warnings)
	}
	// How peak memory was measured and how the trials were ordered are
	// archived (#12).
	if got.Settings.Memory == "" || got.Settings.Order == nil || got.Settings.Order.Policy != results.OrderRoundRobin {
		t.Errorf("settings %+v: want the memory method and the trial order recorded", got.Settings)
	}
	// Each trial announced and finished, then the end.
	var kinds []harness.EventKind
	for _, ev := range events {
		kinds = append(kinds, ev.Kind)
	}
	s, f := harness.TrialStarted, harness.TrialFinished
	if diff := cmp.Diff([]harness.EventKind{s, f, s, f, s, f, s, f, harness.RunFinished}, kinds); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestRunInterrupted: a run stopped by its context is archived as
// incomplete, and the error says so.
func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	r, path, err := Run(ctx, Options{
		Experiment: adhoc(t), Results: dir, NoBuild: true,
		Events: func(ev harness.Event) {
			if ev.Kind == harness.TrialFinished {
				cancel()
			}
		},
	})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run = %v, want ErrInterrupted", err)
	}
	if r == nil || r.Complete || len(r.Trials) != 1 {
		t.Fatalf("run %+v: want the one trial done, incomplete", r)
	}
	if _, err := results.Load(path); err != nil {
		t.Errorf("the interrupted run is not archived: %v", err)
	}
}

// TestCountUnwritableArchive: counts that could not be archived are not
// made: with a file where the results folder should be, Count fails before
// it builds anything (the build would leave a mark) or looks for a counter.
func TestCountUnwritableArchive(t *testing.T) {
	e := adhoc(t)
	mark := filepath.Join(e.Dir, "built")
	e.Build = &experiments.Build{
		Command:    []string{"touch", mark},
		Parameters: map[string][]string{"n": {"1", "2"}},
		Defaults:   map[string]string{"n": "1"},
	}
	notDir := filepath.Join(t.TempDir(), "results")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	_, _, err := Count(context.Background(), CountOptions{Experiment: e, Results: notDir, Param: "n", Low: 1, High: 2, Log: &log})
	if err == nil || !strings.Contains(err.Error(), "is not a folder") || !strings.Contains(err.Error(), "nothing was counted") {
		t.Fatalf("Count = %v, want the archive refused before counting", err)
	}
	if _, err := os.Stat(mark); err == nil || log.Len() > 0 {
		t.Errorf("Count built before it found the archive unwritable (log %q)", log.String())
	}
}

// TestNoiseHasOneJudge: whether the host was too busy is the noise gate's
// verdict alone, against the experiment's limits. With limits no host
// breaks the run is not noisy, and then nothing else in its record calls
// it busy or noisy either: the host check once warned from a load of half
// a CPU and the pinned-CPU sample from 10% busy, so that a report said
// "numbers may be noisy" above a gate that "passed". (On a quiet host the
// old warnings stayed silent too; on a busy one, such as a CI machine
// running other tests, they fired.)
func TestNoiseHasOneJudge(t *testing.T) {
	e := adhoc(t)
	e.Host = experiments.Host{MaxLoad: 1e6, MaxBusy: 1}
	var cpus unix.CPUSet
	if err := unix.SchedGetaffinity(0, &cpus); err != nil {
		t.Fatal(err)
	}
	pin := 0
	for !cpus.IsSet(pin) {
		pin++
	}
	zero := 0
	r, _, err := Run(context.Background(), Options{Experiment: e, Results: t.TempDir(), NoBuild: true, Warmup: &zero, Pin: []int{pin}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Noise == nil || r.Noise.Noisy || len(r.Noise.PinnedBusy) != 1 {
		t.Fatalf("noise %+v: want a quiet verdict under limits no host breaks, with the pinned CPU sampled", r.Noise)
	}
	for _, w := range r.Warnings {
		if strings.Contains(w, "noisy") || strings.Contains(w, "busy") {
			t.Errorf("a run the gate passed carries the warning %q", w)
		}
	}
}
