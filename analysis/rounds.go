package analysis

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"benchlab/results"

	"gonum.org/v1/gonum/stat/distuv"
)

// The host's speed from round to round, read from the trials themselves.
//
// Load, busy CPUs and steal do not show every way a host slows a guest:
// on a KVM guest of make bench's machine (issue 12's sixth pass) whole
// rounds of the seed experiment ran slower together, with steal at 0.02%;
// from the 10th to the 90th percentile async-func's and async-enum's times
// spread over ×1.9, function-pointer's over ×1.14, in phases of a fraction
// of a second to seconds. A fixed loop of integer work run between the
// trials slowed by only 3 to 10% in those phases, so a probe of its own
// would have missed most of it. Every strategy is a fixed piece of work,
// though: when all of them, in the same rounds, run slower than their own
// medians, the host changed speed.
//
// A strategy's trials in a round (one, or a block's) give that round's
// time, their median; each is divided by the strategy's median over the
// rounds, and a round's factor is the median of those ratios over the
// strategies. Friedman's test (ranks of each strategy's rounds) asks
// whether the rounds differ alike for every strategy, which the
// strategies' own spread would not do. The spread, the highest factor
// over the lowest, holds the strategies' own noise too, damped by the
// median; the test keeps that noise from passing for a change.

// RoundSpeed is how the host's speed moved from round to round of a run.
type RoundSpeed struct {
	// Judged is false when the run has too few strategies or complete
	// rounds to tell (NotJudged says why), and the rest is then zero but
	// LeftOut.
	Judged    bool
	NotJudged string
	// Strategies and Rounds are the size of the table: the strategies
	// with counted trials in at least MinSpeedRounds rounds, in the rounds
	// where each has one. LeftOut names the strategies with fewer, left
	// out so that they do not cut the others' rounds short.
	Strategies, Rounds int
	LeftOut            []string
	// Factors are the rounds' factors in round order: the median over the
	// strategies of the round's time over the strategy's median.
	Factors []float64
	// Spread is the highest factor over the lowest.
	Spread float64
	// Q is Friedman's statistic (ties corrected) and P its p-value, by
	// Method: SpeedExact or SpeedPermutation (FriedmanPermutation), or
	// SpeedChiSquared on tables above PermutationMaxCells.
	Q, P   float64
	Method string
}

// Least table RoundSpeedOf judges: with fewer strategies a round's
// factor is one strategy's noise. 3 strategies that rank 4 rounds alike,
// without ties, give p = 1/24² = 0.0017, so the test can reach
// SpeedPLimit on any table it judges (ties raise the lowest p).
const (
	MinSpeedStrategies = 3
	MinSpeedRounds     = 4
)

// Thresholds of RoundSpeed.Changed. The spread is what the reader should
// care about; the p-value keeps the strategies' own noise from passing
// for it. Runs of the quiet Intel guest (issue 12's first pass) reached
// spreads of 1.13 with χ² p below 10⁻³⁰ (28 strategies of dispatch-crossover):
// a drift that interleaving is there to spread, not a warning.
const (
	SpeedSpreadLimit = 1.20
	SpeedPLimit      = 0.01
)

// Changed reports whether the rounds' speed changed beyond the noise, by
// more than SpeedSpreadLimit between the fastest and slowest round.
func (s RoundSpeed) Changed() bool {
	return s.Judged && s.Spread > SpeedSpreadLimit && s.P < SpeedPLimit
}

// NotShown reports whether the spread is above SpeedSpreadLimit but the
// test does not set it apart from the strategies' own noise: no change is
// shown, and none is ruled out.
func (s RoundSpeed) NotShown() bool {
	return s.Judged && s.Spread > SpeedSpreadLimit && s.P >= SpeedPLimit
}

// RoundSpeedOf reads a run's rounds. Warm-ups and trials that do not
// count (see results.Trial.Counts) are left out; a strategy without
// counted trials is too. Imported runs have no rounds.
func RoundSpeedOf(run *results.Run) RoundSpeed {
	if run.Imported != nil {
		return RoundSpeed{NotJudged: "imported: the file has no rounds"}
	}
	// times[s][round]: strategy s's counted trials in that round.
	times := make([]map[int][]float64, len(run.Strategies))
	for _, t := range run.Trials {
		if t.Strategy < 0 || t.Strategy >= len(times) || t.Warmup || !t.Counts(run.Settings.IgnoreFailure) {
			continue
		}
		if times[t.Strategy] == nil {
			times[t.Strategy] = map[int][]float64{}
		}
		times[t.Strategy][t.Round] = append(times[t.Strategy][t.Round], float64(t.WallNS))
	}
	var out RoundSpeed
	var kept []map[int][]float64
	for s, m := range times {
		switch {
		case len(m) == 0:
		case len(m) < MinSpeedRounds:
			out.LeftOut = append(out.LeftOut, run.Strategies[s].Name)
		default:
			kept = append(kept, m)
		}
	}
	switch {
	case len(kept)+len(out.LeftOut) == 0:
		out.NotJudged = "no strategy has counted trials"
		return out
	case len(kept) < MinSpeedStrategies:
		out.NotJudged = fmt.Sprintf("%s with counted trials in %d rounds or more; it takes %d", nOf(len(kept), "strategy", "strategies"), MinSpeedRounds, MinSpeedStrategies)
		return out
	}
	var rounds []int
	for r := range kept[0] {
		if !slices.ContainsFunc(kept[1:], func(m map[int][]float64) bool { return m[r] == nil }) {
			rounds = append(rounds, r)
		}
	}
	if len(rounds) < MinSpeedRounds {
		out.NotJudged = fmt.Sprintf("%s in which every strategy has counted trials; it takes %d", nOf(len(rounds), "round", "rounds"), MinSpeedRounds)
		return out
	}
	slices.Sort(rounds)
	table := make([][]float64, len(kept)) // table[s][k]: round k's time over the strategy's median
	for s, m := range kept {
		row := make([]float64, len(rounds))
		for k, r := range rounds {
			row[k] = median(m[r])
		}
		mid := median(row)
		for k := range row {
			row[k] /= mid
		}
		table[s] = row
	}
	out.Strategies, out.Rounds, out.Factors = len(table), len(rounds), make([]float64, len(rounds))
	col := make([]float64, len(table))
	for k := range rounds {
		for s := range table {
			col[s] = table[s][k]
		}
		out.Factors[k] = median(col)
	}
	out.Spread = slices.Max(out.Factors) / slices.Min(out.Factors)
	if out.Strategies*out.Rounds > PermutationMaxCells {
		out.Q, out.P = Friedman(table)
		out.Method = SpeedChiSquared
	} else {
		var exact bool
		out.Q, out.P, exact = FriedmanPermutation(table)
		out.Method = SpeedPermutation
		if exact {
			out.Method = SpeedExact
		}
	}
	out.Judged = true
	return out
}

// nOf says n things, "1 strategy", "2 strategies".
func nOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// median returns the median of v (type 7, see quantile), sorting a copy.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return quantile(s, 0.5)
}

// Friedman returns Friedman's statistic for table[block][treatment] (each
// block ranks its treatments; ties get the mean of their ranks, and the
// statistic is corrected for them) and its p-value from the χ²
// distribution with treatments−1 degrees of freedom, as
// scipy.stats.friedmanchisquare computes them: an approximation that
// SciPy calls reliable from about 10 blocks and 6 treatments, and which
// with fewer blocks errs high (3 blocks ranking 7 treatments alike: 0.0062
// against an exact 3.9·10⁻⁸). Q is 0 and p 1 when every block ties all its
// treatments, and for a table without a block or with fewer than two
// treatments. FriedmanPermutation gives the p-value RoundSpeedOf uses.
func Friedman(table [][]float64) (q, p float64) {
	if len(table) == 0 || len(table[0]) < 2 {
		return 0, 1
	}
	ranks, ties := friedmanRanks(table)
	q = friedmanQ(ranks, ties)
	return q, distuv.ChiSquared{K: float64(len(table[0]) - 1)}.Survival(q)
}

// Permutation p-values of Friedman's statistic: under the hypothesis
// that the rounds do not differ, each block's values are as likely in any
// order of its treatments. Every order of every block but the first
// (whose order only relabels the treatments) is enumerated where there
// are at most ExactPermutations of them (3 or 4 strategies in 4 rounds,
// 3 in 5); else PermutationDraws random ones are drawn, from a fixed seed
// so that a report is the same each time it is made. Above
// PermutationMaxCells strategies × rounds RoundSpeedOf takes the χ²
// approximation instead, as the bootstrap gives way above BootstrapMaxN:
// the draws' cost grows with the table (about 10⁴ operations per cell:
// 0.17 s for 10 strategies × 400 rounds on make bench's machine), and
// such a table has the strategies or the rounds the approximation needs.
const (
	ExactPermutations   = 200_000
	PermutationDraws    = 9_999
	PermutationMaxCells = 4_000
)

// How RoundSpeed.P was computed.
const (
	SpeedExact       = "exact"       // every order counted
	SpeedPermutation = "permutation" // PermutationDraws random orders
	SpeedChiSquared  = "chi-squared" // Friedman's χ² approximation
)

// FriedmanPermutation returns Friedman's statistic (see Friedman) and the
// share of the orders of the blocks' values that give one at least as
// large: exact when there are at most ExactPermutations orders, else from
// PermutationDraws random ones, (hits + 1) / (draws + 1). As
// scipy.stats.permutation_test computes it with permutation_type
// "samples" and the statistic of friedmanchisquare.
func FriedmanPermutation(table [][]float64) (q, p float64, exact bool) {
	if len(table) == 0 || len(table[0]) < 2 {
		return 0, 1, true
	}
	ranks, ties := friedmanRanks(table)
	q = friedmanQ(ranks, ties)
	// Q grows with the sum of the squared rank sums, and nothing else
	// changes from one order to another: compare those. The rows are
	// added up one after the other, as they lie in memory.
	n, k := len(ranks), len(ranks[0])
	sums := make([]float64, k)
	ssr := func(rows [][]float64) float64 {
		clear(sums)
		for _, r := range rows {
			for j, v := range r {
				sums[j] += v
			}
		}
		v := 0.0
		for _, x := range sums {
			v += x * x
		}
		return v
	}
	observed := ssr(ranks)
	tol := observed * 1e-12 // orders that tie the observed sum count, rounding aside
	rows := make([][]float64, n)
	rows[0] = ranks[0]
	for i := 1; i < n; i++ {
		rows[i] = slices.Clone(ranks[i])
	}
	if orders, ok := permutationCount(k, n-1); ok && orders <= ExactPermutations {
		perms := permutations(k)
		choice := make([]int, n) // choice[i]: the order of block i; block 0 keeps its own
		hits := 0
		for {
			for i := 1; i < n; i++ {
				for j, from := range perms[choice[i]] {
					rows[i][j] = ranks[i][from]
				}
			}
			if ssr(rows) >= observed-tol {
				hits++
			}
			i := n - 1
			for ; i >= 1; i-- {
				if choice[i]++; choice[i] < len(perms) {
					break
				}
				choice[i] = 0
			}
			if i < 1 {
				break
			}
		}
		return q, float64(hits) / float64(orders), true
	}
	rng := rand.New(rand.NewPCG(0x62656e63, 0x686c6162)) // fixed: the same p each time
	hits := 0
	for range PermutationDraws {
		// A random order of a row in any order is a random order.
		for _, r := range rows[1:] {
			rng.Shuffle(k, func(a, b int) { r[a], r[b] = r[b], r[a] })
		}
		if ssr(rows) >= observed-tol {
			hits++
		}
	}
	return q, float64(hits+1) / float64(PermutationDraws+1), false
}

// permutationCount returns (k!)^blocks, and false when it exceeds the
// exact limit's range.
func permutationCount(k, blocks int) (int, bool) {
	f := 1
	for i := 2; i <= k; i++ {
		if f *= i; f > ExactPermutations {
			return 0, false
		}
	}
	total := 1
	for range blocks {
		if total *= f; total > ExactPermutations {
			return 0, false
		}
	}
	return total, true
}

// permutations returns every order of 0 … k−1 (k! of them; k is small
// here: permutationCount bounds it).
func permutations(k int) [][]int {
	if k == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(k - 1) {
		for pos := 0; pos <= len(p); pos++ {
			q := make([]int, 0, k)
			q = append(q, p[:pos]...)
			q = append(q, k-1)
			q = append(q, p[pos:]...)
			out = append(out, q)
		}
	}
	return out
}

// friedmanRanks ranks each block's treatments from 1 (ties get the mean
// of their ranks) and returns the ranks and Σ (t³ − t) over the groups of
// ties.
func friedmanRanks(table [][]float64) (ranks [][]float64, ties float64) {
	k := len(table[0])
	idx := make([]int, k)
	ranks = make([][]float64, len(table))
	for b, row := range table {
		for j := range idx {
			idx[j] = j
		}
		slices.SortFunc(idx, func(a, b int) int {
			switch {
			case row[a] < row[b]:
				return -1
			case row[a] > row[b]:
				return 1
			}
			return 0
		})
		ranks[b] = make([]float64, k)
		for i := 0; i < k; {
			j := i
			for j+1 < k && row[idx[j+1]] == row[idx[i]] {
				j++
			}
			rank := float64(i+j)/2 + 1 // ranks i+1 … j+1, averaged
			for _, t := range idx[i : j+1] {
				ranks[b][t] = rank
			}
			if t := float64(j - i + 1); t > 1 {
				ties += t*t*t - t
			}
			i = j + 1
		}
	}
	return ranks, ties
}

// friedmanQ is Friedman's statistic of ranked blocks, corrected for ties;
// 0 when every block ties all its treatments.
func friedmanQ(ranks [][]float64, ties float64) float64 {
	n, k := float64(len(ranks)), float64(len(ranks[0]))
	ssr := 0.0
	for j := range ranks[0] {
		sum := 0.0
		for _, r := range ranks {
			sum += r[j]
		}
		ssr += sum * sum
	}
	q := 12/(n*k*(k+1))*ssr - 3*n*(k+1)
	c := 1 - ties/(n*k*(k*k-1))
	if c <= 0 {
		return 0
	}
	q /= c
	if q < 0 { // rounding at the null
		q = 0
	}
	return q
}
