package harness

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"benchlab/experiments"
)

// BenchmarkNoopSpawnerVsInProcess times a no-op trial through both
// launchers, interleaved in one process (spawner, in-process, then the
// other order, and so on), and reports each path's mean and median trial
// wall time as the harness records it (WallNS), their ratio, and the cost
// of a whole trial seen from benchlab (request, launch, result). Run it
// with -benchtime=500x for 500 trials of each.
func BenchmarkNoopSpawnerVsInProcess(b *testing.B) {
	cases := []struct{ name string }{{"subject"}, {"true"}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cmd := []string{subject}
			if c.name == "true" {
				path, err := exec.LookPath("true")
				if err != nil {
					b.Skip("no true on PATH")
				}
				cmd = []string{path}
			}
			exp := benchExperiment(b, cmd)
			opts := Options{Runs: 1, Timeout: 10 * time.Second}
			var runners [2]*procRunner // spawner, in-process
			for i, inProcess := range []bool{false, true} {
				opts.InProcess = inProcess
				r, err := newProcRunner(context.Background(), exp, opts)
				if err != nil {
					b.Fatal(err)
				}
				defer r.close()
				// A spawner that failed to start falls back to this
				// process: the comparison would then be of one path
				// with itself.
				if !inProcess && len(r.warnings) > 0 {
					b.Fatalf("the spawner did not start: %v", r.warnings)
				}
				runners[i] = r
			}
			walls := [2][]int64{make([]int64, 0, b.N), make([]int64, 0, b.N)}
			trips := [2][]int64{make([]int64, 0, b.N), make([]int64, 0, b.N)}
			var ms [1]measurement
			b.ResetTimer()
			for n := range b.N {
				for k := range 2 {
					i := (n + k) % 2
					t0 := time.Now()
					runners[i].trials(0, false, ms[:])
					m := ms[0]
					trips[i] = append(trips[i], time.Since(t0).Nanoseconds())
					if !m.record || m.failure != "" {
						b.Fatalf("trial: %+v", m)
					}
					walls[i] = append(walls[i], m.trial.WallNS)
				}
			}
			b.StopTimer()
			meanS, meanI := mean(walls[0]), mean(walls[1])
			b.ReportMetric(meanS, "spawner-wall-ns")
			b.ReportMetric(meanI, "inproc-wall-ns")
			b.ReportMetric(meanS/meanI, "wall-ratio")
			b.ReportMetric(median(walls[0])/median(walls[1]), "median-wall-ratio")
			b.ReportMetric(mean(trips[0]), "spawner-trial-ns")
			b.ReportMetric(mean(trips[1]), "inproc-trial-ns")
			b.ReportMetric(0, "ns/op") // an op is two trials: not a useful figure
		})
	}
}

// benchExperiment is experiment for a benchmark: one strategy, cmd.
func benchExperiment(b *testing.B, cmd []string) *experiments.Experiment {
	dir := b.TempDir()
	e := &experiments.Experiment{Name: "bench", Dir: dir, Path: filepath.Join(dir, experiments.FileName)}
	e.Strategies = []experiments.Strategy{{Name: "noop", Command: cmd}}
	return e
}

func mean(xs []int64) float64 {
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return s / float64(len(xs))
}

func median(xs []int64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return float64(s[len(s)/2])
	}
	return float64(s[len(s)/2-1]+s[len(s)/2]) / 2
}
