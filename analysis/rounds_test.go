package analysis

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"benchlab/results"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// speedRun builds a run from wall[s][r], one counted trial per strategy
// and round (0 leaves the trial out), after a warm-up round of 1 s trials
// that must not count.
func speedRun(wall [][]int64) *results.Run {
	run := &results.Run{}
	for s := range wall {
		run.Strategies = append(run.Strategies, results.Strategy{Name: string(rune('a' + s))})
		run.Trials = append(run.Trials, results.Trial{Strategy: s, Round: 0, Warmup: true, WallNS: 1e9})
	}
	for r := range wall[0] {
		for s := range wall {
			if wall[s][r] > 0 {
				run.Trials = append(run.Trials, results.Trial{Strategy: s, Round: r + 1, WallNS: wall[s][r]})
			}
		}
	}
	return run
}

func TestRoundSpeedOf(t *testing.T) {
	// Five strategies, seven rounds; rounds 2 and 3 (from 0) run 1.5×
	// slower for all, each strategy with a little noise of its own.
	slow := [][]int64{
		{100, 101, 150, 151, 99, 100, 102},
		{200, 199, 301, 300, 201, 200, 198},
		{50, 51, 75, 76, 50, 49, 50},
		{1000, 1002, 1500, 1498, 999, 1001, 1003},
		{400, 398, 603, 598, 401, 402, 400},
	}
	// The same strategies without the slow rounds: their noise ranks the
	// rounds differently for each.
	steady := [][]int64{
		{100, 101, 102, 99, 98, 100, 101},
		{200, 198, 201, 203, 199, 200, 202},
		{50, 51, 49, 50, 52, 50, 48},
		{1000, 1003, 998, 1001, 1000, 997, 1002},
		{400, 398, 401, 403, 399, 397, 400},
	}
	for _, tc := range []struct {
		name    string
		run     *results.Run
		judged  bool
		changed bool
		rounds  int
		factors []float64
	}{
		// Strategy medians 101, 200, 50, 1002, 401 (NumPy agrees): round
		// 0's ratios 100/101, 1, 1, 1000/1002, 400/401 have the median
		// 1000/1002; round 3's is 151/101.
		{"slow rounds", speedRun(slow), true, true, 7, []float64{1000.0 / 1002, 1, 1.5, 151.0 / 101, 1, 1001.0 / 1002, 1}},
		{"steady", speedRun(steady), true, false, 7, nil},
		{"two strategies", speedRun(slow[:2]), false, false, 0, nil},
		// 3 strategies in 5 rounds: Friedman's χ² could not go below
		// 0.0174 here; every order counted, p = 0.0022.
		{"a strategy missing from rounds: only the complete ones count", speedRun([][]int64{
			{100, 0, 150, 151, 0, 100, 101},
			{200, 199, 301, 300, 201, 200, 202},
			{50, 51, 75, 76, 50, 49, 50},
		}), true, true, 5, []float64{100.0 / 101, 301.0 / 202, 151.0 / 101, 100.0 / 101, 1}},
		// A strategy with counted trials in 2 rounds is left out, and
		// does not cut the others' 7 rounds to 2.
		{"a strategy in too few rounds is left out", speedRun(append(slices.Clone(slow), []int64{7, 0, 0, 0, 0, 0, 8})), true, true, 7, nil},
		// Two of three strategies slow in each of rounds 1 and 3, not the
		// same two: the factors spread 1.21×, but the strategies rank the
		// rounds differently (exact p = 88/576 = 0.153, as SciPy's
		// permutation_test): no change shown, none ruled out.
		{"crossed slow rounds", speedRun([][]int64{{100, 150, 100, 101}, {200, 300, 201, 300}, {50, 50, 51, 75}}), true, false, 4,
			[]float64{50.0 / 50.5, 300.0 / 250.5, 100.0 / 100.5, 300.0 / 250.5}},
		{"too few complete rounds", speedRun([][]int64{{1, 2, 3, 0}, {1, 2, 3, 4}, {0, 2, 3, 4}}), false, false, 0, nil},
		{"imported", func() *results.Run { r := speedRun(slow); r.Imported = &results.Import{Tool: "hyperfine"}; return r }(), false, false, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RoundSpeedOf(tc.run)
			notShown := tc.name == "crossed slow rounds"
			if got.Judged != tc.judged || got.Changed() != tc.changed || got.NotShown() != notShown || got.Rounds != tc.rounds {
				t.Fatalf("RoundSpeedOf = %+v; want judged %v, changed %v, not shown %v, %d rounds", got, tc.judged, tc.changed, notShown, tc.rounds)
			}
			if !got.Judged && got.NotJudged == "" {
				t.Error("not judged, and no reason given")
			}
			if wantLeft := tc.name == "a strategy in too few rounds is left out"; wantLeft != slices.Equal(got.LeftOut, []string{"f"}) {
				t.Errorf("left out %q", got.LeftOut)
			}
			if tc.factors != nil {
				if diff := cmp.Diff(tc.factors, got.Factors, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
					t.Errorf("factors (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestRoundSpeedBlocksAndFailures: a round's time is the median of the
// strategy's counted trials in it (a block's); a failed trial does not
// count unless failures are ignored, so a round whose only trial of a
// strategy failed is not complete.
func TestRoundSpeedBlocksAndFailures(t *testing.T) {
	run := speedRun([][]int64{
		{100, 100, 100, 100},
		{200, 200, 200, 200},
		{50, 50, 50, 50},
	})
	run.Trials = append(run.Trials,
		// Round 1 of strategy 0: with its trial of 100, a block whose
		// median is 200; its factor, 2, is not the round's median.
		results.Trial{Strategy: 0, Round: 1, WallNS: 300}, results.Trial{Strategy: 0, Round: 1, WallNS: 200},
		// Round 5: strategy 2's only trial failed.
		results.Trial{Strategy: 0, Round: 5, WallNS: 100}, results.Trial{Strategy: 1, Round: 5, WallNS: 200},
		results.Trial{Strategy: 2, Round: 5, WallNS: 50, ExitCode: 1})
	got := RoundSpeedOf(run)
	if want := []float64{1, 1, 1, 1}; !got.Judged || got.Rounds != 4 || !cmp.Equal(want, got.Factors) || got.Changed() {
		t.Errorf("%+v; want 4 complete rounds, factors %v", got, want)
	}
	run.Settings.IgnoreFailure = true
	if got := RoundSpeedOf(run); !got.Judged || got.Rounds != 5 {
		t.Errorf("with failures counted: %+v; want 5 complete rounds", got)
	}
}

// TestFriedmanExact checks Friedman's statistic by hand on tables small
// enough to rank by eye.
func TestFriedmanExact(t *testing.T) {
	for _, tc := range []struct {
		table [][]float64
		q     float64
	}{
		// Every block ranks the treatments 1, 2, 3: rank sums 3, 6, 9;
		// Q = 12/(3·3·4)·(9+36+81) − 3·3·4 = 42 − 36 = 6.
		{[][]float64{{1, 2, 3}, {10, 20, 30}, {5, 6, 7}}, 6},
		// Each block ties everything: no information.
		{[][]float64{{1, 1, 1}, {2, 2, 2}}, 0},
		// Opposite rankings cancel: rank sums 4, 4, 4.
		{[][]float64{{1, 2, 3}, {3, 2, 1}}, 0},
	} {
		q, p := Friedman(tc.table)
		if math.Abs(q-tc.q) > 1e-12 || p < 0 || p > 1 {
			t.Errorf("Friedman(%v) = %g, p %g; want Q = %g", tc.table, q, p, tc.q)
		}
	}
}

// TestFriedmanAgainstScipy compares Friedman's statistic and p-value with
// scipy.stats.friedmanchisquare on the same tables, ties included.
func TestFriedmanAgainstScipy(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 6))
	type tcase struct {
		Table [][]float64 `json:"table"`
	}
	var cases []tcase
	for range 40 {
		n, k := 3+rng.IntN(26), 4+rng.IntN(9)
		tied := rng.IntN(2) == 0
		table := make([][]float64, n)
		for i := range table {
			table[i] = make([]float64, k)
			for j := range table[i] {
				v := 100 + 5*rng.NormFloat64() + float64(j%3)*rng.Float64()*4
				if tied {
					v = math.Round(v / 4)
				}
				table[i][j] = v
			}
		}
		cases = append(cases, tcase{table})
	}
	type answer struct {
		Q float64 `json:"q"`
		P float64 `json:"p"`
	}
	want := runScipy[answer](t, `
import json, sys
from scipy import stats
out = []
for case in json.load(sys.stdin):
    cols = list(zip(*case["table"]))  # one sample per treatment (round)
    r = stats.friedmanchisquare(*cols)
    out.append({"q": float(r.statistic), "p": float(r.pvalue)})
json.dump(out, sys.stdout)
`, cases)
	approx := cmpopts.EquateApprox(1e-9, 1e-12)
	for i, tc := range cases {
		q, p := Friedman(tc.Table)
		if !cmp.Equal(want[i].Q, q, approx) || !cmp.Equal(want[i].P, p, approx) {
			t.Errorf("case %d (%d×%d): Q %.12g p %.12g; SciPy Q %.12g p %.12g", i, len(tc.Table), len(tc.Table[0]), q, p, want[i].Q, want[i].P)
		}
	}
}

// TestFriedmanPermutationAgainstScipy compares the permutation p-value
// with scipy.stats.permutation_test (permutation_type "samples", the
// statistic of friedmanchisquare): over every order on small tables, where
// both are exact and must agree; on larger ones both draw random orders,
// and must agree within four standard errors of the two estimates.
func TestFriedmanPermutationAgainstScipy(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 21))
	type tcase struct {
		Table [][]float64 `json:"table"`
		Exact bool        `json:"exact"`
	}
	var cases []tcase
	table := func(n, k int, tied bool, drift float64) [][]float64 {
		out := make([][]float64, n)
		for i := range out {
			out[i] = make([]float64, k)
			for j := range out[i] {
				v := 100 + 5*rng.NormFloat64() + drift*float64(j)
				if tied {
					v = math.Round(v / 5)
				}
				out[i][j] = v
			}
		}
		return out
	}
	for _, c := range []struct {
		n, k  int
		tied  bool
		drift float64
	}{
		// 4 strategies in 3 rounds: the enumeration carries over three
		// strategies' orders (SciPy's: 3!⁴ = 1,296).
		{3, 4, false, 0}, {3, 4, false, 4}, {3, 4, true, 3}, {4, 3, false, 3},
	} {
		cases = append(cases, tcase{table(c.n, c.k, c.tied, c.drift), true})
	}
	for _, c := range []struct {
		n, k  int
		tied  bool
		drift float64
	}{
		{5, 8, false, 1}, {4, 10, true, 1},
	} {
		cases = append(cases, tcase{table(c.n, c.k, c.tied, c.drift), false})
	}
	type answer struct {
		P float64 `json:"p"`
	}
	want := runScipy[answer](t, `
import json, sys
import numpy as np
from scipy import stats
def q(*rounds, axis=-1):
    # friedmanchisquare's statistic, over a batch of resamples at once:
    # each round is (..., strategies); rank the rounds of each strategy.
    assert axis == -1  # as permutation_test calls it, resamples first
    x = np.stack(rounds, axis=-2)  # (..., rounds, strategies)
    k, n = x.shape[-2], x.shape[-1]
    r = stats.rankdata(x, axis=-2)
    ssr = (r.sum(axis=-1) ** 2).sum(axis=-1)
    ties = np.zeros(x.shape[:-2])
    for j in range(n):
        col = np.sort(x[..., j], axis=-1)
        for start in range(k):
            t = (col == col[..., start:start + 1]).sum(axis=-1)
            # each group counted once per member: t³ − t over t members
            ties = ties + (t ** 3 - t) / np.maximum(t, 1)
    c = 1 - ties / (n * k * (k * k - 1))
    return (12 / (n * k * (k + 1)) * ssr - 3 * n * (k + 1)) / c
out = []
for case in json.load(sys.stdin):
    rounds = [np.array(c) for c in zip(*case["table"])]  # a sample per round, paired by strategy
    assert abs(q(*[c[None, :] for c in rounds])[0] - stats.friedmanchisquare(*rounds).statistic) < 1e-9
    r = stats.permutation_test(rounds, q, permutation_type="samples", alternative="greater", vectorized=True,
                               n_resamples=np.inf if case["exact"] else 9999,
                               random_state=np.random.default_rng(7))
    out.append({"p": float(r.pvalue)})
json.dump(out, sys.stdout)
`, cases)
	for i, tc := range cases {
		q, p, exact := FriedmanPermutation(tc.Table)
		wantQ, _ := Friedman(tc.Table)
		if exact != tc.Exact || math.Abs(q-wantQ) > 1e-9*math.Max(1, wantQ) {
			t.Errorf("case %d: Q %g (Friedman: %g), exact %v; want exact %v", i, q, wantQ, exact, tc.Exact)
		}
		tol := 1e-9
		if !tc.Exact {
			se := math.Sqrt(want[i].P * (1 - want[i].P) / PermutationDraws)
			tol = 4*math.Sqrt2*se + 2.0/PermutationDraws
		}
		if math.Abs(p-want[i].P) > tol {
			t.Errorf("case %d (%d×%d, exact %v): p %.6g, SciPy %.6g (tolerance %.2g)", i, len(tc.Table), len(tc.Table[0]), exact, p, want[i].P, tol)
		}
	}
}

// TestRoundSpeedMethod: the p-value is exact on the smallest tables, from
// random orders on the others, and from χ² above PermutationMaxCells
// strategies × rounds, where the draws would cost too much.
func TestRoundSpeedMethod(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	wall := func(n, k int) [][]int64 {
		w := make([][]int64, n)
		for i := range w {
			w[i] = make([]int64, k)
			for j := range w[i] {
				w[i][j] = 1e6 + rng.Int64N(1e4)
			}
		}
		return w
	}
	for _, tc := range []struct {
		n, k int
		want string
	}{
		{3, 4, SpeedExact},
		{4, 4, SpeedExact},
		{3, 7, SpeedPermutation},
		{10, 400, SpeedPermutation},
		{4, 1001, SpeedChiSquared},
	} {
		got := RoundSpeedOf(speedRun(wall(tc.n, tc.k)))
		if !got.Judged || got.Method != tc.want || got.P <= 0 || got.P > 1 {
			t.Errorf("%d strategies × %d rounds: judged %v, method %q, p %g; want %q", tc.n, tc.k, got.Judged, got.Method, got.P, tc.want)
		}
	}
}
