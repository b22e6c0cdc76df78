package analysis

import (
	"math/rand/v2"
	"testing"

	"benchlab/results"
)

// benchRun is a run of 10 strategies × 100 rounds with log-normal-ish wall
// times around 10 ms to 100 ms, seeded: the shape of one archived run.
func benchRun() *results.Run {
	const strategies, rounds = 10, 100
	rng := rand.New(rand.NewPCG(7, 11))
	run := &results.Run{Settings: results.Settings{Runs: rounds}}
	for s := range strategies {
		run.Strategies = append(run.Strategies, results.Strategy{Name: string(rune('a' + s))})
	}
	for r := range rounds {
		for s := range strategies {
			wall := float64(s+1) * 1e7 * (1 + 0.02*rng.NormFloat64())
			run.Trials = append(run.Trials, results.Trial{Strategy: s, Round: r,
				WallNS: int64(wall), UserNS: int64(0.9 * wall), SysNS: 1e5, MaxRSSKiB: 2000})
		}
	}
	return run
}

// BenchmarkSummarize is the cost of summarising one run of 10 strategies ×
// 100 rounds. The archive benchmark (results.BenchmarkLoadArchive) does
// this 1,000 times within its 2 s budget, so the target here is well under
// 1 ms per run.
func BenchmarkSummarize(b *testing.B) {
	run := benchRun()
	for b.Loop() {
		if sums := Summarize(run); len(sums) != 10 || !sums[0].MeanCI.OK {
			b.Fatalf("got %d summaries, first %+v", len(sums), sums[0].MeanCI)
		}
	}
}

// BenchmarkRatioOf is the cost of one strategy's ratio to the baseline
// with its bootstrap interval (Resamples resamples of 100 runs each side):
// paid once per strategy of a report, never by Summarize.
func BenchmarkRatioOf(b *testing.B) {
	sums := Summarize(benchRun())
	for b.Loop() {
		if r, ok := RatioOf(sums[1], sums[0]); !ok || !r.CI.OK {
			b.Fatalf("no ratio: %+v", r)
		}
	}
}

// BenchmarkCompare2Exact is the costliest exact test: 50 + 50 runs that
// overlap completely (U at its mean, the whole distribution counted).
func BenchmarkCompare2Exact(b *testing.B) {
	a, c := make([]float64, ExactLimit), make([]float64, ExactLimit)
	for i := range a {
		a[i], c[i] = float64(2*i), float64(2*i+1)
	}
	for b.Loop() {
		Compare2(a, c)
	}
}
