package results_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"benchlab/analysis"
	"benchlab/results"
)

// BenchmarkLoadArchive loads and summarises an archive of 1,000 runs of 10
// strategies × 100 rounds (1,010,000 trials, written once before timing):
// Archive.Runs decodes and verifies every file, analysis.Summarize
// summarises every run. The target (#12) is under 1 s per op, printed with
// its figure and ✓ or ✗; load-s/op and summarize-s/op split it between
// this package and analysis.
func BenchmarkLoadArchive(b *testing.B) {
	const runs, strategies, rounds = 1000, 10, 100
	a := results.Archive{Dir: b.TempDir()}
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				r := results.SyntheticRun(uint64(i), strategies, rounds, start.Add(time.Duration(i)*time.Minute))
				if _, err := a.Write(r); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range runs {
		next <- i
	}
	close(next)
	wg.Wait()
	b.ResetTimer()

	var trials int
	var load, summarize time.Duration
	for b.Loop() {
		t0 := time.Now()
		entries, errs := a.Runs("")
		if len(errs) != 0 || len(entries) != runs {
			b.Fatalf("loaded %d runs with errors %v; want %d and none", len(entries), errs, runs)
		}
		t1 := time.Now()
		trials = 0
		for _, e := range entries {
			if sums := analysis.Summarize(e.Run); len(sums) != strategies {
				b.Fatalf("%s: %d summaries, want %d", e.Path, len(sums), strategies)
			}
			trials += len(e.Run.Trials)
		}
		load += t1.Sub(t0)
		summarize += time.Since(t1)
	}
	total := (load + summarize).Seconds() / float64(b.N)
	fmt.Printf("target: load and summarise %d trials in under %.0f s: %.2f s (load %.2f s, summarise %.2f s) %s\n",
		trials, loadTarget.Seconds(), total, load.Seconds()/float64(b.N), summarize.Seconds()/float64(b.N), mark(total <= loadTarget.Seconds()))
	b.ReportMetric(load.Seconds()/float64(b.N), "load-s/op")
	b.ReportMetric(summarize.Seconds()/float64(b.N), "summarize-s/op")
	b.ReportMetric(float64(runs), "runs")
	b.ReportMetric(float64(trials), "trials")
}

// loadTarget is how long loading and summarising BenchmarkLoadArchive's
// million trials may take.
const loadTarget = time.Second

// mark is ✓ for a target met, ✗ for one missed.
func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}
