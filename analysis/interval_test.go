package analysis

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMedianInterval(t *testing.T) {
	tests := []struct {
		why    string
		sorted []float64
		want   Interval
	}{
		{"n = 10: the 2nd and 9th values, 1 − 2·P(B ≤ 1) = 1 − 2·11/1024 = 0.978515625; the 3rd and 8th would cover only 1 − 2·56/1024 = 0.890625",
			[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Interval{Lo: 2, Hi: 9, Confidence: 0.978515625, OK: true}},
		{"n = 5 cannot reach 95%: [min, max] with 1 − 2/32 = 0.9375",
			[]float64{1, 2, 3, 4, 5}, Interval{Lo: 1, Hi: 5, Confidence: 0.9375, OK: true}},
		{"n = 6 reaches it with [min, max]: 1 − 2/64 = 0.96875",
			[]float64{1, 2, 3, 4, 5, 6}, Interval{Lo: 1, Hi: 6, Confidence: 0.96875, OK: true}},
		{"n = 20: the 6th and 15th, 1 − 2·P(B ≤ 5) = 1 − 2·21700/1048576 = 0.958610535",
			seq(20), Interval{Lo: 6, Hi: 15, Confidence: 0.958610535, OK: true}},
		{"one value: [v, v] covering nothing", []float64{7}, Interval{Lo: 7, Hi: 7, Confidence: 0, OK: true}},
		{"identical values: zero width", []float64{3, 3, 3, 3, 3, 3, 3}, Interval{Lo: 3, Hi: 3, Confidence: 0.984375, OK: true}},
		{"no values: no interval", nil, Interval{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, MedianInterval(tt.sorted), approx); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

func seq(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i + 1)
	}
	return v
}

// TestMeanInterval checks Student's t interval against hand-worked values
// and its degenerate cases.
func TestMeanInterval(t *testing.T) {
	for _, tt := range []struct {
		why    string
		sample []float64
		want   Interval
	}{
		{"ten values: mean ± t(0.975, 9)·s/√10",
			// 101 97 103 99 100 102 98 104 96 100: mean 100, squared
			// deviations 1+9+9+1+0+4+4+16+16+0 = 60, s = √(60/9) = 2.5819889,
			// s/√10 = 0.8164966, t(0.975, 9) = 2.2621572, half-width
			// 1.8470286.
			[]float64{101, 97, 103, 99, 100, 102, 98, 104, 96, 100},
			Interval{Lo: 98.1529714, Hi: 101.8470286, Confidence: Level, OK: true}},
		{"two values: t(0.975, 1) = 12.7062047 makes it wide",
			// 10 and 12: mean 11, s = √2, s/√2 = 1, half-width 12.7062047.
			[]float64{10, 12}, Interval{Lo: 11 - 12.7062047, Hi: 11 + 12.7062047, Confidence: Level, OK: true}},
		{"one value: [v, v] covering nothing, as the median's", []float64{5}, Interval{Lo: 5, Hi: 5, OK: true}},
		{"zero variance: zero width", []float64{5, 5, 5, 5}, Interval{Lo: 5, Hi: 5, Confidence: Level, OK: true}},
		{"no values: none", nil, Interval{}},
	} {
		if diff := cmp.Diff(tt.want, MeanInterval(tt.sample), approx); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

// TestMeanIntervalCoverage checks what the t interval is for: over many
// normal samples of 10 it brackets the true mean about 95% of the time.
// 2,000 seeded samples: the binomial σ of the coverage is
// √(0.95·0.05/2000) = 0.49%, so 93.5% to 96.5% is a ±3σ band.
func TestMeanIntervalCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const trials, n, mu = 2000, 10, 100.0
	hit := 0
	sample := make([]float64, n)
	for range trials {
		for i := range sample {
			sample[i] = mu + 5*rng.NormFloat64()
		}
		if MeanInterval(sample).Contains(mu) {
			hit++
		}
	}
	if got := float64(hit) / trials; got < 0.935 || got > 0.965 {
		t.Errorf("coverage %.4f over %d samples of %d, want 0.95 ± 0.015", got, trials, n)
	}
}

func TestRatioInterval(t *testing.T) {
	a := []float64{200, 202, 198, 201, 199}
	b := []float64{100, 101, 99, 100.5, 99.5}
	got := RatioInterval(a, b)
	// Both vary by about ±1%, so the ratio 2 is known to about ±1%.
	if !got.Contains(2) || got.Lo < 1.97 || got.Hi > 2.03 {
		t.Errorf("ratio interval %+v: want about [1.98, 2.02] around 2", got)
	}
	for _, tt := range []struct {
		why  string
		a, b []float64
		want Interval
	}{
		{"identical constant samples: exactly 1", []float64{3, 3}, []float64{3, 3}, Interval{Lo: 1, Hi: 1, Confidence: Level, OK: true}},
		{"an empty side: none", nil, b, Interval{}},
		{"a zero denominator: none", a, []float64{0, 0}, Interval{}},
	} {
		if diff := cmp.Diff(tt.want, RatioInterval(tt.a, tt.b)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestClassifyOutliers(t *testing.T) {
	// 10 11 12 13 14 15 16 17 18 and x: with x = 30 quartiles (h = 2.25
	// and 6.75) are 12.25 and 16.75, IQR 4.5; mild fences 5.5 and 23.5,
	// severe −1.25 and 30.25: 30 is mild. With x = 40 the quartiles are
	// the same and 40 is severe.
	mild := ClassifyOutliers([]float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 30})
	if mild.Mild != 1 || mild.Severe != 0 {
		t.Errorf("30: got %+v, want one mild", mild)
	}
	want := Fences{LowSevere: -1.25, LowMild: 5.5, HighMild: 23.5, HighSevere: 30.25}
	if diff := cmp.Diff(want, mild.Fences, approx); diff != "" {
		t.Errorf("fences (-want +got):\n%s", diff)
	}
	if severe := ClassifyOutliers([]float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 40}); severe.Mild != 0 || severe.Severe != 1 {
		t.Errorf("40: got %+v, want one severe", severe)
	}
	if few := ClassifyOutliers([]float64{1, 2, 100}); few != (Outliers{}) {
		t.Errorf("three values have no quartiles, got %+v", few)
	}
	// Times quantised to 1 ms: six of eight runs at 1 ms put both quartiles
	// (h = 1.75 and 5.25) on 1 ms, IQR 0. Fences on the value would call
	// the 2 ms run a severe outlier; with no spread to measure, none is.
	if q := ClassifyOutliers([]float64{1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 2e6}); q != (Outliers{ZeroIQR: true}) {
		t.Errorf("zero IQR: got %+v, want no outliers and ZeroIQR", q)
	}
	if (Fences{}).Classify(1e9) != NotOutlier {
		t.Error("zero fences classified a value as an outlier")
	}
}
