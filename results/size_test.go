package results

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRunSize encodes realistic synthetic runs and reports the bytes a
// trial costs in the compressed file (all trial fields; the file's size
// with its trials minus its size without them, per trial) and the whole
// file's size. The target is at most 16 bytes per trial.
func BenchmarkRunSize(b *testing.B) {
	for _, shape := range []struct {
		name               string
		strategies, rounds int
	}{
		{"6x12", 6, 12},
		{"10x100", 10, 100},
	} {
		b.Run(shape.name, func(b *testing.B) {
			r := SyntheticRun(1, shape.strategies, shape.rounds, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
			empty := *r
			empty.Trials = nil
			var full, base []byte
			var err error
			for b.Loop() {
				if full, err = Encode(r); err != nil {
					b.Fatal(err)
				}
			}
			if base, err = Encode(&empty); err != nil {
				b.Fatal(err)
			}
			perTrial := float64(len(full)-len(base)) / float64(len(r.Trials))
			fmt.Printf("target: at most %d bytes per trial at %s: %.1f %s\n", maxBytesPerTrial, shape.name, perTrial, checkMark(perTrial <= maxBytesPerTrial))
			b.ReportMetric(perTrial, "bytes/trial")
			b.ReportMetric(float64(len(full)), "file-bytes")
			b.ReportMetric(float64(len(r.Trials)), "trials")
		})
	}
}

// maxBytesPerTrial is the archive's size target per trial (#12).
const maxBytesPerTrial = 16

// checkMark is ✓ for a target met, ✗ for one missed.
func checkMark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}
