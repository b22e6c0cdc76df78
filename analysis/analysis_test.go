package analysis

import (
	"math"
	"testing"

	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// approx compares floats to a part in a million: the expectations below are
// worked by hand to six or more significant digits.
var approx = cmpopts.EquateApprox(1e-6, 1e-9)

const ms = 1e6 // nanoseconds

// counted returns successful counted trials of strategy 0 with the given
// wall times in milliseconds; user time is 90% of wall, system 1 ms, RSS
// 1000 KiB.
func counted(wallMS ...float64) []results.Trial {
	var ts []results.Trial
	for i, w := range wallMS {
		ts = append(ts, results.Trial{Round: i, WallNS: int64(w * ms), UserNS: int64(0.9 * w * ms),
			SysNS: int64(1 * ms), MaxRSSKiB: 1000})
	}
	return ts
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		why     string
		failure string
		trials  []results.Trial
		planned int
		want    Summary
	}{
		{
			why: "five runs: warm-ups are not counted, σ is the n−1 sample deviation",
			// Counted walls 100 102 98 101 99 ms: mean 500/5 = 100; deviations
			// 0 2 −2 1 −1 square to 10, 10/4 = 2.5, σ = √2.5 = 1.5811388.
			// Sorted 98 99 100 101 102: median 100. User 90 92 88 91 89 →
			// 90; sys 1..5 → 3; RSS max of counted runs 1200 (the warm-up's
			// 5000 is not counted). Quartiles 99 and 101, IQR 2, fences 93
			// and 107: no outlier.
			trials: []results.Trial{
				{Round: 0, Warmup: true, WallNS: 150 * ms, UserNS: 150 * ms, MaxRSSKiB: 5000},
				{Round: 1, WallNS: 100 * ms, UserNS: 90 * ms, SysNS: 1 * ms, MaxRSSKiB: 1000},
				{Round: 2, WallNS: 102 * ms, UserNS: 92 * ms, SysNS: 2 * ms, MaxRSSKiB: 1200},
				{Round: 3, WallNS: 98 * ms, UserNS: 88 * ms, SysNS: 3 * ms, MaxRSSKiB: 1100},
				{Round: 4, WallNS: 101 * ms, UserNS: 91 * ms, SysNS: 4 * ms, MaxRSSKiB: 900},
				{Round: 5, WallNS: 99 * ms, UserNS: 89 * ms, SysNS: 5 * ms, MaxRSSKiB: 1000},
			},
			planned: 5,
			want: Summary{Strategy: "s", N: 5, MeanNS: 100 * ms, StddevNS: 1.5811388 * ms,
				MedianNS: 100 * ms, MinNS: 98 * ms, MaxNS: 102 * ms,
				UserMeanNS: 90 * ms, SysMeanNS: 3 * ms, MaxRSSKiB: 1200},
		},
		{
			why: "an even count's median is the mean of the middle two",
			// 10 20 30 40: mean 25, squares 225+25+25+225 = 500, 500/3 =
			// 166.667, σ = 12.909944; median (20+30)/2 = 25.
			trials:  counted(10, 20, 30, 40),
			planned: 4,
			want: Summary{Strategy: "s", N: 4, MeanNS: 25 * ms, StddevNS: 12.909944 * ms,
				MedianNS: 25 * ms, MinNS: 10 * ms, MaxNS: 40 * ms,
				UserMeanNS: 22.5 * ms, SysMeanNS: 1 * ms, MaxRSSKiB: 1000,
				// The median's interval at n = 4 is [min, max]: 1 − 2·(1/16) = 87.5%.
				Warnings: []string{"only 4 runs: the 95% intervals are rough (the mean's assumes normal times and the ratio's bootstrap needs 5 or more runs; the median's interval covers 88%)"}},
		},
		{
			why:     "one run has no σ: it is 0, not NaN, and a warning says so",
			trials:  counted(50),
			planned: 10,
			want: Summary{Strategy: "s", N: 1, MeanNS: 50 * ms, MedianNS: 50 * ms,
				MinNS: 50 * ms, MaxNS: 50 * ms, UserMeanNS: 45 * ms, SysMeanNS: 1 * ms, MaxRSSKiB: 1000,
				Warnings: []string{"only 1 of 10 planned runs: no σ"}},
		},
		{
			why:     "one run when one was planned still warns of the missing σ",
			trials:  counted(50),
			planned: 1,
			want: Summary{Strategy: "s", N: 1, MeanNS: 50 * ms, MedianNS: 50 * ms,
				MinNS: 50 * ms, MaxNS: 50 * ms, UserMeanNS: 45 * ms, SysMeanNS: 1 * ms, MaxRSSKiB: 1000,
				Warnings: []string{"only 1 run: no σ"}},
		},
		{
			why:     "a strategy failing in warm-up has no statistics, all zero, and the failure's first line",
			failure: "exit status 3: boom\nstack trace",
			trials:  []results.Trial{{Warmup: true, WallNS: 3 * ms, ExitCode: 3}},
			planned: 10,
			want: Summary{Strategy: "s", Failed: 1, Failure: "exit status 3: boom\nstack trace",
				Warnings: []string{"1 of 1 trials failed: exit status 3: boom …", "no runs counted: no statistics"}},
		},
		{
			why:     "no trials at all (interrupted before the strategy's turn)",
			planned: 3,
			want:    Summary{Strategy: "s", Warnings: []string{"no runs counted: no statistics"}},
		},
		{
			why:     "a timeout after two good runs: the good runs are summarized",
			failure: "timed out after 300ms",
			trials:  append(counted(100, 100), results.Trial{Round: 2, WallNS: 300 * ms, ExitCode: -1, Signal: 9, TimedOut: true}),
			planned: 3,
			want: Summary{Strategy: "s", N: 2, Failed: 1, Failure: "timed out after 300ms",
				MeanNS: 100 * ms, MedianNS: 100 * ms, MinNS: 100 * ms, MaxNS: 100 * ms,
				UserMeanNS: 90 * ms, SysMeanNS: 1 * ms, MaxRSSKiB: 1000,
				Warnings: []string{"1 of 3 trials failed: timed out after 300ms", "only 2 of 3 planned runs counted",
					// n = 2: 1 − 2·(1/4) = 50%.
					"only 2 runs: the 95% intervals are rough (the mean's assumes normal times and the ratio's bootstrap needs 5 or more runs; the median's interval covers 50%)"}},
		},
		{
			why:     "identical samples: σ is exactly 0 and none is an outlier (IQR 0: no fences)",
			trials:  counted(200, 200, 200, 200),
			planned: 4,
			want: Summary{Strategy: "s", N: 4, MeanNS: 200 * ms, MedianNS: 200 * ms,
				MinNS: 200 * ms, MaxNS: 200 * ms, UserMeanNS: 180 * ms, SysMeanNS: 1 * ms, MaxRSSKiB: 1000, Outliers: Outliers{ZeroIQR: true},
				Warnings: []string{"only 4 runs: the 95% intervals are rough (the mean's assumes normal times and the ratio's bootstrap needs 5 or more runs; the median's interval covers 88%)"}},
		},
		{
			why: "a far outlier is counted and warned about",
			// 100..108 and 200: sum 936+200 = 1136, mean 113.6; squared
			// deviations sum to 8354.4, /9 = 928.2667, σ = 30.467469.
			// Median (104+105)/2 = 104.5. Q1 at h = 0.25·9 = 2.25: 102.25;
			// Q3 at h = 6.75: 106.75; IQR 4.5; upper fence 106.75 + 3·4.5 =
			// 120.25 < 200; lower fence 88.75 < 100.
			trials:  counted(100, 101, 102, 103, 104, 105, 106, 107, 108, 200),
			planned: 10,
			want: Summary{Strategy: "s", N: 10, MeanNS: 113.6 * ms, StddevNS: 30.467469 * ms,
				MedianNS: 104.5 * ms, MinNS: 100 * ms, MaxNS: 200 * ms,
				UserMeanNS: 0.9 * 113.6 * ms, SysMeanNS: 1 * ms, MaxRSSKiB: 1000, Outliers: Outliers{Severe: 1},
				Warnings: []string{"1 of 10 runs are statistical outliers (beyond Tukey's far-out fence, 3 IQR from the quartiles; " +
					"quartiles by linear interpolation, type 7 as in R and NumPy): " +
					"other programs or power management may have interfered; consider a quieter machine or more warm-up runs"}},
		},
		{
			why:     "a command under 5 ms is mostly process start-up, as hyperfine warns",
			trials:  counted(1, 1),
			planned: 2,
			want: Summary{Strategy: "s", N: 2, MeanNS: 1 * ms, MedianNS: 1 * ms, MinNS: 1 * ms, MaxNS: 1 * ms,
				UserMeanNS: 0.9 * ms, SysMeanNS: 1 * ms, MaxRSSKiB: 1000,
				Warnings: []string{"only 2 runs: the 95% intervals are rough (the mean's assumes normal times and the ratio's bootstrap needs 5 or more runs; the median's interval covers 50%)",
					"mean below 5 ms: process start-up is a large part of what was timed"}},
		},
	}
	for _, tt := range tests {
		run := &results.Run{
			Settings:   results.Settings{Runs: tt.planned},
			Strategies: []results.Strategy{{Name: "s", Failure: tt.failure}},
			Trials:     tt.trials,
		}
		got := Summarize(run)
		if len(got) != 1 {
			t.Fatalf("%s: got %d summaries, want 1", tt.why, len(got))
		}
		// Every trial here measured its CPU time and memory: they are known
		// once a run counts.
		want := tt.want
		want.CPUKnown, want.RSSKnown = want.N > 0, want.N > 0
		// The intervals and the sample are checked in interval_test.go.
		ignore := cmpopts.IgnoreFields(Summary{}, "WallNS", "MeanCI", "MedianCI")
		if diff := cmp.Diff(want, got[0], approx, ignore, cmpopts.IgnoreFields(Outliers{}, "Fences")); diff != "" {
			t.Errorf("%s: summary (-want +got):\n%s", tt.why, diff)
		}
		if hasNaN(got[0]) {
			t.Errorf("%s: a statistic is NaN or infinite: %+v", tt.why, got[0])
		}
	}
}

func hasNaN(s Summary) bool {
	for _, v := range []float64{s.MeanNS, s.StddevNS, s.MedianNS, s.MinNS, s.MaxNS, s.UserMeanNS, s.SysMeanNS} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return true
		}
	}
	return false
}

// TestSummarizeOrder checks that interleaved rounds are split by strategy,
// summaries come in the run's strategy order, and a trial naming no
// strategy is ignored rather than crashing.
func TestSummarizeOrder(t *testing.T) {
	run := &results.Run{
		Strategies: []results.Strategy{{Name: "b"}, {Name: "a"}},
		Trials: []results.Trial{
			{Strategy: 1, WallNS: 10}, {Strategy: 0, WallNS: 20},
			{Strategy: 0, WallNS: 40}, {Strategy: 1, WallNS: 30},
			{Strategy: 7, WallNS: 1}, {Strategy: -1, WallNS: 1},
		},
	}
	got := Summarize(run)
	var names []string
	var means []float64
	for _, s := range got {
		names = append(names, s.Strategy)
		means = append(means, s.MeanNS)
	}
	if diff := cmp.Diff([]string{"b", "a"}, names); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	// b: (20+40)/2 = 30; a: (10+30)/2 = 20.
	if diff := cmp.Diff([]float64{30, 20}, means, approx); diff != "" {
		t.Errorf("means (-want +got):\n%s", diff)
	}
}

func TestRatioOf(t *testing.T) {
	base := Summary{Strategy: "base", N: 10, MeanNS: 429.1 * ms, StddevNS: 7.0 * ms}
	tests := []struct {
		why    string
		s      Summary
		base   Summary
		want   Ratio
		wantOK bool
	}{
		{
			why: "hyperfine's propagation",
			// 537.9/429.1 = 1.2535540; relative σ 2.5/537.9 = 0.0046477 and
			// 7.0/429.1 = 0.0163132, √(0.0046477² + 0.0163132²) = 0.0169624,
			// σ_r = 1.2535540 · 0.0169624 = 0.0212632.
			s:    Summary{Strategy: "boxed", N: 10, MeanNS: 537.9 * ms, StddevNS: 2.5 * ms},
			base: base, want: Ratio{Value: 1.25355395, Stddev: 0.02126325}, wantOK: true,
		},
		{
			why:  "a strategy against itself is exactly 1 ± 0, not 1 ± √2·(σ/μ)",
			s:    base,
			base: base, want: Ratio{Value: 1, Stddev: 0, CI: Interval{Lo: 1, Hi: 1, Confidence: 1, OK: true}}, wantOK: true,
		},
		{
			why: "a single run contributes no σ",
			// 200/100 = 2; only the base's 10/100 = 0.1 counts: σ = 0.2.
			s:    Summary{Strategy: "one", N: 1, MeanNS: 200 * ms},
			base: Summary{Strategy: "b", N: 5, MeanNS: 100 * ms, StddevNS: 10 * ms},
			want: Ratio{Value: 2, Stddev: 0.2}, wantOK: true,
		},
		{
			why:  "no runs of the strategy: no ratio",
			s:    Summary{Strategy: "failed"},
			base: base,
		},
		{
			why:  "no runs of the baseline: no ratio",
			s:    base,
			base: Summary{Strategy: "failed"},
		},
	}
	for _, tt := range tests {
		got, ok := RatioOf(tt.s, tt.base)
		if ok != tt.wantOK {
			t.Errorf("%s: ok = %v, want %v", tt.why, ok, tt.wantOK)
		}
		if diff := cmp.Diff(tt.want, got, approx); diff != "" {
			t.Errorf("%s: ratio (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestRatioOfMeans(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		why                     string
		mean, sd, baseMean, bsd float64
		want                    Ratio
		wantOK                  bool
	}{
		// 4985/429.1 = 11.617339; √((90/4985)² + (7/429.1)²) =
		// √(0.0180542² + 0.0163132²) = √0.000592075 = 0.0243326;
		// σ = 11.617339 · 0.0243326 = 0.2826796.
		{"published figures in one unit", 4985, 90, 429.1, 7, Ratio{Value: 11.617339, Stddev: 0.2826796}, true},
		{"equal means without σ", 5, 0, 5, 0, Ratio{Value: 1, Stddev: 0}, true},
		{"a zero baseline mean has no ratio", 5, 1, 0, 0, Ratio{}, false},
		{"a negative mean has no ratio", -5, 1, 5, 0, Ratio{}, false},
		{"a negative σ is not accepted", 5, -1, 5, 0, Ratio{}, false},
		{"NaN in is no ratio out", nan, 1, 5, 0, Ratio{}, false},
		{"an infinite σ is no ratio", 5, math.Inf(1), 5, 0, Ratio{}, false},
	}
	for _, tt := range tests {
		got, ok := RatioOfMeans(tt.mean, tt.sd, tt.baseMean, tt.bsd)
		if ok != tt.wantOK {
			t.Errorf("%s: ok = %v, want %v", tt.why, ok, tt.wantOK)
		}
		if diff := cmp.Diff(tt.want, got, approx); diff != "" {
			t.Errorf("%s: ratio (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestInverse(t *testing.T) {
	tests := []struct {
		why  string
		r    Ratio
		want Ratio
	}{
		// 1/2 = 0.5; relative σ 0.2/2 = 10% kept: 0.05.
		{"relative σ is kept", Ratio{Value: 2, Stddev: 0.2}, Ratio{Value: 0.5, Stddev: 0.05}},
		{"a zero ratio has no inverse, and no infinity either", Ratio{Value: 0, Stddev: 1}, Ratio{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.r.Inverse(), approx); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.why, diff)
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		why                   string
		reproduced, published Ratio
		want                  Delta
	}{
		{
			// Δ 0.15, σ √(0.02² + 0.03²) = 0.0360555, 3σ = 0.108 < 0.15;
			// 0.15/1.10 = 13.6% > 10%.
			"clear and large", Ratio{Value: 1.25, Stddev: 0.02}, Ratio{Value: 1.10, Stddev: 0.03},
			Delta{Value: 0.15, Stddev: 0.0360555, Relative: 0.1363636, Notable: true},
		},
		{
			// σ = √0.0002 = 0.01414214; Δ 0.05 is 3.5σ but only 5%.
			"clear but small is not notable", Ratio{Value: 1.05, Stddev: 0.01}, Ratio{Value: 1.0, Stddev: 0.01},
			Delta{Value: 0.05, Stddev: 0.01414214, Relative: 0.05},
		},
		{
			// Δ 0.5 is 50% but σ √(0.04 + 0.01) = 0.2236, 3σ = 0.67.
			"large but within the noise is not notable", Ratio{Value: 1.5, Stddev: 0.2}, Ratio{Value: 1.0, Stddev: 0.1},
			Delta{Value: 0.5, Stddev: 0.2236068, Relative: 0.5},
		},
		{"the baseline against itself", Ratio{Value: 1, Stddev: 0}, Ratio{Value: 1, Stddev: 0}, Delta{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Compare(tt.reproduced, tt.published), approx); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.why, diff)
		}
	}
}

// With --ignore-failure (Settings.IgnoreFailure), trials that exited
// non-zero count in the statistics, as hyperfine counts them; trials killed
// by a signal or a timeout never do, and failures are reported either way.
func TestSummarizeIgnoreFailure(t *testing.T) {
	run := &results.Run{
		Strategies: []results.Strategy{{Name: "a", Failure: "exit status 1"}},
		Trials: []results.Trial{
			{Round: 0, WallNS: 100, ExitCode: 1},
			{Round: 1, WallNS: 200},
			{Round: 2, WallNS: 300, ExitCode: -1, Signal: 9, TimedOut: true},
		},
	}
	tests := []struct {
		why        string
		ignore     bool
		wantN      int
		wantMeanNS float64
		wantFailed int
	}{
		{"by default a failed trial is not counted", false, 1, 200, 2},
		// (100 + 200) / 2 = 150: the exit-1 trial counts, the timed-out one not.
		{"with ignore_failure the exit-1 trial counts", true, 2, 150, 2},
	}
	for _, tt := range tests {
		run.Settings.IgnoreFailure = tt.ignore
		s := Summarize(run)[0]
		if s.N != tt.wantN || s.MeanNS != tt.wantMeanNS || s.Failed != tt.wantFailed {
			t.Errorf("%s: N %d mean %v failed %d; want %d, %v, %d", tt.why, s.N, s.MeanNS, s.Failed, tt.wantN, tt.wantMeanNS, tt.wantFailed)
		}
	}
}

// TestSummarizeUnknown: values a trial did not measure (an import's) are
// not zeros: they are left out of the means, and with none measured the
// summary says unknown, or takes the means the import reported.
func TestSummarizeUnknown(t *testing.T) {
	const ms = 1e6
	cpu := results.UnknownUser | results.UnknownSys
	tests := []struct {
		why                string
		reported           *results.Reported
		trials             []results.Trial
		user               float64
		cpuKnown, rssKnown bool
		rss                int64
	}{
		{"nothing measured, nothing reported: unknown", nil,
			[]results.Trial{{WallNS: 10 * ms, Unknown: cpu | results.UnknownRSS}}, 0, false, false, 0},
		{"nothing measured, means reported: the reported means", &results.Reported{UserMeanNS: 3 * ms, SysMeanNS: 1 * ms},
			[]results.Trial{{WallNS: 10 * ms, Unknown: cpu | results.UnknownRSS}}, 3 * ms, true, false, 0},
		{"one of two measured: the measured one only", nil,
			[]results.Trial{{WallNS: 10 * ms, UserNS: 4 * ms, MaxRSSKiB: 100}, {WallNS: 10 * ms, Unknown: cpu | results.UnknownRSS}}, 4 * ms, true, true, 100},
	}
	for _, tt := range tests {
		got := Summarize(&results.Run{Strategies: []results.Strategy{{Name: "s", Reported: tt.reported}}, Trials: tt.trials})[0]
		if got.UserMeanNS != tt.user || got.CPUKnown != tt.cpuKnown || got.RSSKnown != tt.rssKnown || got.MaxRSSKiB != tt.rss {
			t.Errorf("%s: user %v known %v, rss %v known %v", tt.why, got.UserMeanNS, got.CPUKnown, got.MaxRSSKiB, got.RSSKnown)
		}
	}
}
