package analysis

import "testing"

func TestPairVerdict(t *testing.T) {
	ci := func(lo, hi float64) Interval { return Interval{Lo: lo, Hi: hi, OK: true} }
	for _, tc := range []struct {
		why   string
		ratio Ratio
		cmp   Comparison
		want  string
	}{
		{"not significant after correction, however large", Ratio{Value: 2, CI: ci(1.5, 2.5)}, Comparison{Significant: false, CliffsDelta: 1}, "no difference shown (within noise)"},
		{"significant, interval within ±5%", Ratio{Value: 1.02, CI: ci(1.01, 1.04)}, Comparison{Significant: true, CliffsDelta: 0.8}, "differs, but by less than 5%"},
		{"interval reaching 5% is not negligible", Ratio{Value: 1.03, CI: ci(1.01, 1.05)}, Comparison{Significant: true, CliffsDelta: 0.8}, "3% slower"},
		{"slower", Ratio{Value: 1.25, CI: ci(1.2, 1.3)}, Comparison{Significant: true, CliffsDelta: 0.9}, "25% slower"},
		{"faster", Ratio{Value: 0.75, CI: ci(0.7, 0.8)}, Comparison{Significant: true, CliffsDelta: -0.9}, "25% faster"},
		{"no interval: size from the means", Ratio{Value: 1.01}, Comparison{Significant: true, CliffsDelta: 0.5}, "1% slower"},
		{"ranks and means disagree", Ratio{Value: 5.9, CI: ci(0.6, 10)}, Comparison{Significant: true, CliffsDelta: -0.8}, "faster by rank, though its mean is 5.900× the partner's"},
		{"ranks and means disagree the other way", Ratio{Value: 0.9, CI: ci(0.8, 1.0)}, Comparison{Significant: true, CliffsDelta: 0.4}, "slower by rank, though its mean is 0.900× the partner's"},
	} {
		if got := PairVerdict(tc.ratio, tc.cmp); got != tc.want {
			t.Errorf("%s: PairVerdict = %q, want %q", tc.why, got, tc.want)
		}
	}
}
