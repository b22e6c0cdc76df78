package results_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"benchlab/analysis"
	"benchlab/exchange"
	"benchlab/reports"
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

// BenchmarkLargeImports times what took minutes or never finished before
// #14: naming 200,000 results of one command, and building the report
// (every statistic, no charts) of an import of 2 commands × 1,000,000
// times. Each target is printed with its figure and ✓ or ✗.
func BenchmarkLargeImports(b *testing.B) {
	same := hyperfineJSON(200000, 1, false)
	big := hyperfineJSON(2, 1000000, true)
	opts := exchange.ImportOptions{Experiment: "large", File: "large.json", Modified: time.Unix(0, 0)}
	var naming, report time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := exchange.FromHyperfine(same, opts); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		r, err := exchange.FromHyperfine(big, opts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := reports.Build(r); err != nil {
			b.Fatal(err)
		}
		naming += t1.Sub(t0)
		report += time.Since(t1)
	}
	n := float64(b.N)
	fmt.Printf("target: import 200000 results of one command in under 5 s: %.2f s %s\n", naming.Seconds()/n, mark(naming.Seconds()/n < 5))
	fmt.Printf("target: import and analyse 2 × 1000000 trials in under 5 s: %.2f s %s\n", report.Seconds()/n, mark(report.Seconds()/n < 5))
	b.ReportMetric(naming.Seconds()/n, "name-200k-s/op")
	b.ReportMetric(report.Seconds()/n, "report-2M-s/op")
}

// hyperfineJSON is a hyperfine export of commands results with times
// times each; the commands differ when distinct, else all are "true".
func hyperfineJSON(commands, times int, distinct bool) []byte {
	var sb strings.Builder
	sb.WriteString(`{"results": [`)
	for i := range commands {
		if i > 0 {
			sb.WriteString(",")
		}
		cmd := "true"
		if distinct {
			cmd = fmt.Sprintf("sleep 0.%03d", i)
		}
		fmt.Fprintf(&sb, `{"command": %q, "mean": 0.001, "median": 0.001, "user": 0.0005, "system": 0.0001, "min": 0.001, "max": 0.001, "times": [`, cmd)
		for j := range times {
			if j > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, "0.%06d", 1000+(i*7+j*13)%97)
		}
		sb.WriteString("]}")
	}
	sb.WriteString("]}")
	return []byte(sb.String())
}
