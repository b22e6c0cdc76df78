package results

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// SyntheticRun returns a run shaped like a real one of the seed experiment:
// strategies × (1 warm-up + rounds) trials, interleaved in rotating order,
// wall times around 350 ms with 3 % noise at nanosecond resolution, user
// and system time at the microsecond resolution getrusage reports, peak
// memory near 9 MiB. seed makes it reproducible.
func SyntheticRun(seed uint64, strategies, rounds int, start time.Time) *Run {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	r := &Run{
		Format: FormatVersion, ID: fmt.Sprintf("%s-%08x", start.UTC().Format("20060102T150405Z"), uint32(seed)),
		Experiment: "synthetic", Title: "Synthetic",
		ExperimentFile: "name = \"synthetic\"\n[trials]\nwarmup = 1\nruns = 12\n",
		Started:        start.UTC(), Finished: start.UTC().Add(5 * time.Minute), Complete: true,
		Machine:  Machine{ID: "test-cpu-2c-0123abcd", Hostname: "h", CPUModel: "Test CPU", CPUs: 2, MemoryKiB: 8 << 20, Kernel: "6.1", OS: "Debian", Arch: "amd64"},
		Lab:      Lab{Version: "devel", Commit: "abc", GoVersion: "go1.26"},
		Settings: Settings{Warmup: 1, Runs: rounds, TimeoutNS: 600e9},
	}
	means := make([]float64, strategies)
	for i := range strategies {
		r.Strategies = append(r.Strategies, Strategy{Name: fmt.Sprintf("strategy-%d", i), Command: []string{fmt.Sprintf("./target/release/s%d", i)}})
		means[i] = 350e6 * (1 + 0.2*float64(i))
	}
	const warmup = 1
	for round := range warmup + rounds {
		for k := range strategies {
			i := (round + k) % strategies
			wall := means[i] * (1 + 0.03*rng.NormFloat64())
			user := wall * (0.97 + 0.01*rng.NormFloat64())
			sys := 2e6 * (1 + 0.25*rng.NormFloat64())
			r.Trials = append(r.Trials, Trial{
				Strategy: i, Round: round, Warmup: round < warmup,
				WallNS:    int64(wall),
				UserNS:    int64(math.Round(user/1e3)) * 1e3,
				SysNS:     max(0, int64(math.Round(sys/1e3))*1e3),
				MaxRSSKiB: 9216 + int64(rng.IntN(64)) + int64(8*i),
			})
		}
	}
	return r
}
