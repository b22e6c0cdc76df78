package reports

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"benchlab/analysis"
	"benchlab/exchange"
	"benchlab/results"
)

// The runs below are the fixed inputs of the golden tests. Their trials
// come from a seeded generator, so they never change.

var started = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// trials makes warmup+runs rounds of normally distributed wall times for
// each strategy, rounds interleaved as the harness runs them.
func trials(rng *rand.Rand, warmup, runs int, meanMS, sdMS []float64) []results.Trial {
	var ts []results.Trial
	for round := range warmup + runs {
		for s := range meanMS {
			wall := (meanMS[s] + sdMS[s]*rng.NormFloat64()) * 1e6
			ts = append(ts, results.Trial{
				Strategy: s, Round: round, Warmup: round < warmup,
				WallNS: int64(wall), UserNS: int64(0.997 * wall), SysNS: int64(0.8e6 + 0.3e6*rng.Float64()),
				MaxRSSKiB: 1900 + int64(rng.IntN(200)),
			})
		}
	}
	return ts
}

// asyncRun is a complete run of the async-fn-pointers experiment, close to
// the published figures except async-boxed-naive, which is slower than
// published (a notable Δ), and async-enum, which has one far outlier.
func asyncRun(t *testing.T) *results.Run {
	rng := rand.New(rand.NewPCG(1, 2))
	ts := trials(rng, 2, 10,
		[]float64{431, 541, 409, 5610, 319, 528},
		[]float64{5, 3, 4, 40, 1.5, 1})
	for i := range ts {
		if ts[i].Strategy == 5 && ts[i].Round == 7 {
			ts[i].WallNS = 590e6
		}
	}
	return &results.Run{
		Format: results.FormatVersion, ID: "20260102T030405Z-1a2b3c4d",
		Experiment: "async-fn-pointers", Title: "Performance pitfalls of async function pointers",
		ExperimentFile: readFile(t, "testdata/experiment.toml"),
		Started:        started, Finished: started.Add(2*time.Minute + 31400*time.Millisecond),
		Complete: true,
		Machine: results.Machine{ID: "3f9a2c71d0e4", Hostname: "bench1",
			CPUModel: "AMD Ryzen 7 5800X 8-Core Processor", CPUs: 16, MemoryKiB: 32_768_000,
			Kernel: "6.12.48-1", OS: "Debian GNU/Linux 13 (trixie)", Arch: "amd64"},
		Lab: results.Lab{Version: "v0.1.0", Commit: "0123456789ab", GoVersion: "go1.26.0"},
		Settings: results.Settings{Warmup: 2, Runs: 10, Pin: []int{1}, TimeoutNS: int64(120 * time.Second),
			Baseline: "function-pointer", Memory: results.MemoryCgroupV1,
			Order: &results.Order{Policy: results.OrderRoundRobin, PrimeBelowNS: int64(50 * time.Millisecond), Primed: 17}},
		Toolchains:   map[string]string{"rustc": "rustc 1.85.0 (4d91de4e4 2025-02-17)", "cargo": "cargo 1.85.0 (d73d2caf9 2024-12-31)"},
		Dependencies: map[string]string{"tokio": "1.43.0", "pin-project-lite": "0.2.16"},
		Artifacts: []results.Artifact{
			{Path: "target/release/function-pointer", Size: 456_512, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
			{Path: "target/release/async-enum", Size: 1_234_568, SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"},
		},
		Recorded: []results.RecordedFile{{Path: "Cargo.lock", Content: "# lock\n"}},
		Environment: results.Environment{Pinned: true, Nixpkgs: "d3498f78b4e1c5b2a6f0e9d8c7b6a5f4e3d2c1b0",
			StorePaths: map[string]string{
				"cargo": "/nix/store/2a6x0bq3l8c1m9d4f5g7h8j0k1l2m3n4-cargo-1.85.0",
				"rustc": "/nix/store/9z8y7x6w5v4u3t2s1r0q9p8o7n6m5l4k-rustc-1.85.0",
			}},
		Noise: &results.Noise{LoadAvg: [3]float64{0.31, 0.42, 0.5}, Governors: []string{"performance"}, Turbo: "off",
			ASLR: 2, IsolatedCPUs: "1", PinnedBusy: []float64{0.004}, SampleMS: 200},
		Strategies: []results.Strategy{
			{Name: "function-pointer", Command: []string{"target/release/function-pointer"}, Description: "`fn(i32) -> i32` called in a loop"},
			{Name: "boxed-function-pointer", Command: []string{"target/release/boxed-function-pointer"}, Description: "`Box<dyn Fn(i32) -> i32>` called in a loop"},
			{Name: "async-func", Command: []string{"target/release/async-func"}, Description: "plain `async fn` awaited in the loop"},
			{Name: "async-boxed-naive", Command: []string{"target/release/async-boxed-naive"}, Description: "`fn(i32) -> Pin<Box<dyn Future<Output = i32>>>`: one Box::pin per call"},
			{Name: "async-boxed-invert", Command: []string{"target/release/async-boxed-invert"}, Description: "the generic loop itself boxed once: `Box::pin(load_test(foo))`"},
			{Name: "async-enum", Command: []string{"target/release/async-enum"}, Description: "an enum naming each async fn, `match` in an async `run()`"},
		},
		Trials: ts,
	}
}

// degenerateRun is an interrupted run whose baseline failed in warm-up,
// with a strategy that ran once, one whose runs are identical, one that
// timed out, and a description full of pipes and newlines.
func degenerateRun(t *testing.T) *results.Run {
	ts := []results.Trial{
		{Strategy: 0, Round: 0, Warmup: true, WallNS: 2e6, ExitCode: 101},
		{Strategy: 1, Round: 0, Warmup: true, WallNS: 21e6, UserNS: 20e6, SysNS: 1e6, MaxRSSKiB: 800},
		{Strategy: 2, Round: 0, Warmup: true, WallNS: 6e6, UserNS: 5e6, SysNS: 1e6, MaxRSSKiB: 900},
		{Strategy: 3, Round: 0, Warmup: true, WallNS: 2e9, ExitCode: -1, Signal: 9, TimedOut: true},
		{Strategy: 1, Round: 1, WallNS: 20.5e6, UserNS: 19.5e6, SysNS: 1e6, MaxRSSKiB: 812},
		{Strategy: 2, Round: 1, WallNS: 6e6, UserNS: 5e6, SysNS: 1e6, MaxRSSKiB: 900},
		{Strategy: 2, Round: 2, WallNS: 6e6, UserNS: 5e6, SysNS: 1e6, MaxRSSKiB: 900},
	}
	return &results.Run{
		Format: results.FormatVersion, ID: "20260102T030405Z-deadbeef",
		Experiment: "degenerate", Title: "Degenerate | cases",
		ExperimentFile: readFile(t, "testdata/degenerate.toml"),
		Started:        started, Finished: started.Add(4 * time.Second),
		Complete: false,
		Machine:  results.Machine{ID: "m1", CPUModel: "Some | CPU", CPUs: 2, MemoryKiB: 2_000_000, Kernel: "6.1", OS: "Linux", Arch: "arm64"},
		Lab:      results.Lab{Version: "devel", GoVersion: "go1.26.0"},
		Settings: results.Settings{Warmup: 1, Runs: 5, TimeoutNS: int64(2 * time.Second), Baseline: "fp", Memory: results.MemoryRusage,
			Order: &results.Order{Policy: results.OrderRoundRobin}},
		Strategies: []results.Strategy{
			{Name: "fp", Command: []string{"./fp"}, Description: "`fn(i32) | i32`, first line\nsecond line",
				Failure: "exit status 101\nthread 'main' panicked at src/main.rs:3:5:\n``` not a fence | not a cell\n"},
			{Name: "one", Command: []string{"./one"}, Description: "runs once"},
			{Name: "same", Command: []string{"./same"}},
			{Name: "hangs", Command: []string{"./hangs"}, Failure: "timed out after 2s"},
		},
		Trials:   ts,
		Warnings: []string{"load average 3.2 on 2 CPUs: the host is busy"},
		Noise:    &results.Noise{LoadAvg: [3]float64{3.2, 2.9, 2.5}, ASLR: -1},
	}
}

// fastestRun has no baseline, microsecond times, and an experiment file
// that no longer decodes.
func fastestRun(t *testing.T) *results.Run {
	rng := rand.New(rand.NewPCG(3, 4))
	return &results.Run{
		Format: results.FormatVersion, ID: "20260102T030405Z-00c0ffee",
		Experiment: "tiny", ExperimentFile: "name = \"tiny\"\n[trials]\nruns = 3\nretired_key = 1\n[[strategy]]\nname = \"a\"\ncommand = [\"true\"]\n",
		Started: started, Finished: started.Add(1500 * time.Millisecond), Complete: true,
		Machine:    results.Machine{ID: "m2", CPUModel: "cpu", CPUs: 1, MemoryKiB: 512},
		Lab:        results.Lab{Version: "v0.1.0"},
		Settings:   results.Settings{Runs: 3, TimeoutNS: int64(10 * time.Minute)},
		Strategies: []results.Strategy{{Name: "slowish", Command: []string{"true"}}, {Name: "quick", Command: []string{"true"}}},
		Trials:     trials(rng, 0, 3, []float64{0.9, 0.45}, []float64{0.02, 0.01}),
	}
}

// paperRun is asyncRun with the evidence a full report shows, chosen from
// an archive by analysis.SelectEvidence: a sweep over iterations (0, 50M,
// 250M; 5 runs each) whose strategies cost exactly 1 ms +
// perCall·iterations plus seeded noise, async-boxed-naive failing at 250M,
// instruction counts at 0 and 1M, and three earlier runs; all on the run's
// machine with its toolchains.
func paperRun(t *testing.T) *Report {
	run := asyncRun(t)
	run.Parameters = map[string]string{"iterations": "250000000"}
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	// Oldest first, as the archive lists them: the sweep and the counts
	// were made the day after the run.
	archive := append(append(earlierRuns(t), run), evidenceRuns(run)...)
	rep.AddEvidence(analysis.SelectEvidence(analysis.Describe(run), analysis.DescribeAll(archive)))
	return rep
}

// evidenceRuns are the sweep and the instruction counts of paperRun, made
// on main's machine with its toolchains and experiment file.
func evidenceRuns(main *results.Run) []*results.Run {
	perCallNS := []float64{1.7, 2.1, 1.6, 22, 1.27, 2.1}
	fixedMS := []float64{0.8, 0.8, 1.1, 1.1, 1.1, 1.1}
	rng := rand.New(rand.NewPCG(5, 6))
	setup := func(r *results.Run) *results.Run {
		r.Experiment, r.ExperimentFile, r.Complete = main.Experiment, main.ExperimentFile, true
		r.Machine, r.Toolchains, r.Dependencies, r.Environment = main.Machine, main.Toolchains, main.Dependencies, main.Environment
		return r
	}
	var out []*results.Run
	for k, it := range []float64{0, 50e6, 250e6} {
		r := setup(&results.Run{ID: fmt.Sprintf("20260103T00000%dZ-5eed0000", k), Sweep: "20260103T000000Z-5eed",
			Started:    time.Date(2026, 1, 3, 0, 0, k, 0, time.UTC),
			Parameters: map[string]string{"iterations": strconv.FormatFloat(it, 'f', -1, 64)},
			Strategies: main.Strategies, Settings: results.Settings{Runs: 5}})
		for round := range 5 {
			for s := range perCallNS {
				if s == 3 && it == 250e6 {
					if round == 0 {
						r.Trials = append(r.Trials, results.Trial{Strategy: s, Round: round, WallNS: 120e9, ExitCode: -1, Signal: 9, TimedOut: true})
					}
					continue
				}
				wall := (fixedMS[s]*1e6 + perCallNS[s]*it) * (1 + 0.01*rng.NormFloat64())
				r.Trials = append(r.Trials, results.Trial{Strategy: s, Round: round, WallNS: int64(wall)})
			}
		}
		out = append(out, r)
	}
	counts := setup(&results.Run{ID: "20260104T000000Z-c0c0c0c0", Strategies: main.Strategies})
	for s, st := range main.Strategies {
		for _, it := range []int64{0, 1000000} {
			counts.Counts = append(counts.Counts, results.InstructionCount{Strategy: st.Name,
				Parameters: map[string]string{"iterations": strconv.FormatInt(it, 10)}, Tool: "valgrind-3.24.0 callgrind",
				Instructions: 180000 + int64(s)*1000 + it*int64(5+s)})
		}
	}
	return append(out, counts)
}

// borrowedRun is paperRun's run in an archive whose sweep, counts and
// earlier runs were all made on another machine: the report may use none
// of them.
func borrowedRun(t *testing.T) *Report {
	run := asyncRun(t)
	run.Parameters = map[string]string{"iterations": "250000000"}
	rep, err := Build(run)
	if err != nil {
		t.Fatal(err)
	}
	other := results.Machine{ID: "amd-epyc-family-25-model-17-2c-d4294c06", CPUModel: "AMD EPYC (family 25, model 17)",
		CPUs: 2, MemoryKiB: 24684084, Kernel: "6.18.44-fc-v669", OS: "Debian GNU/Linux 12 (bookworm)", Arch: "amd64"}
	archive := append(earlierRuns(t), evidenceRuns(run)...)
	for _, r := range archive {
		r.Machine = other
	}
	archive = append(archive, run)
	rep.AddEvidence(analysis.SelectEvidence(analysis.Describe(run), analysis.DescribeAll(archive)))
	return rep
}

// earlierRuns are three complete runs of the seed experiment before
// asyncRun, on its machine and at its parameters, a week apart:
// async-boxed-naive is 10% faster in the second (a significant ▼ there
// and ▲ back in the third), and the third lacks async-enum.
func earlierRuns(t *testing.T) []*results.Run {
	var runs []*results.Run
	for k := range 3 {
		rng := rand.New(rand.NewPCG(7, uint64(k)))
		naive := 5610.0
		if k == 1 {
			naive = 5050
		}
		run := asyncRun(t)
		run.ID = fmt.Sprintf("20251%d01T030405Z-0000000%d", k, k)
		run.Started = time.Date(2025, time.Month(10+k), 1, 3, 4, 5, 0, time.UTC)
		run.Finished = run.Started.Add(2 * time.Minute)
		run.Parameters = map[string]string{"iterations": "250000000"}
		run.Trials = trials(rng, 2, 10, []float64{431, 541, 409, naive, 319, 528}, []float64{5, 3, 4, 40, 1.5, 1})
		if k == 2 {
			run.Strategies = run.Strategies[:5]
			run.Trials = slices.DeleteFunc(run.Trials, func(tr results.Trial) bool { return tr.Strategy == 5 })
		}
		runs = append(runs, run)
	}
	return runs
}

// importedRun is a hyperfine export taken in by `benchlab import`.
func importedRun(t *testing.T) *results.Run {
	data := []byte(`{"results": [
	  {"command": "sleep 0.1", "mean": 0.1021, "stddev": 0.0011, "median": 0.1019, "user": 0.0009, "system": 0.0012,
	   "min": 0.1009, "max": 0.1035, "times": [0.1009, 0.1019, 0.1035, 0.1021, 0.1012], "exit_codes": [0, 0, 0, 0, 0]},
	  {"command": "sleep 0.2", "mean": 0.2018, "stddev": 0.001, "median": 0.2017, "user": 0.0009, "system": 0.0013,
	   "min": 0.2008, "max": 0.2031, "times": [0.2008, 0.2017, 0.2031, 0.2016, 0.2018], "exit_codes": [0, 0, 0, 0, 1]}]}`)
	run, err := exchange.FromHyperfine(data, exchange.ImportOptions{File: "/home/someone/bench.json", Experiment: "sleeps",
		MachineNote: "a laptop on battery", Modified: started, Lab: results.Lab{Version: "v0.1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	run.ID = "20260102T030405Z-1a1a1a1a" // NewID draws random bits
	return run
}
