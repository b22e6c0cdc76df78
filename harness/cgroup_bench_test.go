package harness

import (
	"context"
	"testing"
	"time"
)

// BenchmarkNoopCgroupVsRusage times a no-op trial from the spawner with a
// memory cgroup per trial (the default) and with ru_maxrss alone,
// alternating trial by trial, and reports each path's mean wall time and
// their ratio: what the per-trial cgroup adds to the timed part. Run it
// with -benchtime=500x for 500 trials of each.
func BenchmarkNoopCgroupVsRusage(b *testing.B) {
	exp := benchExperiment(b, []string{subject})
	var runners [2]*procRunner // cgroup, rusage
	for i, memory := range []string{"", "rusage"} {
		r, err := newProcRunner(context.Background(), exp, Options{Runs: 1, Timeout: 10 * time.Second, Memory: memory})
		if err != nil {
			b.Fatal(err)
		}
		defer r.close()
		if len(r.warnings) > 0 {
			b.Fatalf("the runner fell back: %v", r.warnings)
		}
		runners[i] = r
	}
	if runners[0].cgroup == nil {
		b.Fatal("no memory cgroup here")
	}
	walls := [2][]int64{}
	b.ResetTimer()
	for n := range b.N {
		for k := range 2 {
			i := (n + k) % 2
			m := runners[i].trial(0)
			if !m.record || m.failure != "" {
				b.Fatalf("trial: %+v", m)
			}
			walls[i] = append(walls[i], m.trial.WallNS)
		}
	}
	b.StopTimer()
	b.ReportMetric(mean(walls[0]), "cgroup-wall-ns")
	b.ReportMetric(mean(walls[1]), "rusage-wall-ns")
	b.ReportMetric(mean(walls[0])/mean(walls[1]), "wall-ratio")
	b.ReportMetric(median(walls[0])/median(walls[1]), "median-wall-ratio")
	b.ReportMetric(0, "ns/op")
}
