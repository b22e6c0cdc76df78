package analysis

import (
	"fmt"
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
	// rounds to tell (NotJudged says why). Factors and Spread are set
	// whenever a table could be made, judged or not.
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
	// Q is Friedman's statistic (ties corrected) and P its p-value from
	// the χ² distribution with Rounds−1 degrees of freedom; BestP is the
	// lowest P a table of this size can give (every strategy ranking the
	// rounds alike).
	Q, P, BestP float64
}

// Least table RoundSpeedOf makes: with fewer strategies a round's factor
// is one strategy's noise.
const (
	MinSpeedStrategies = 3
	MinSpeedRounds     = 4
)

// Thresholds of RoundSpeed.Changed. The spread is what the reader should
// care about; the p-value keeps the strategies' own noise from passing
// for it. Runs of the quiet Intel guest (issue 12's first pass) reached
// spreads of 1.13 with p below 10⁻³⁰ (28 strategies of dispatch-crossover):
// a drift that interleaving is there to spread, not a warning. With few
// strategies the test cannot reach SpeedPLimit at all (3 that rank 6
// rounds alike give p = 0.0104): such a table is not judged.
const (
	SpeedSpreadLimit = 1.20
	SpeedPLimit      = 0.01
)

// Changed reports whether the rounds' speed changed beyond the noise, by
// more than SpeedSpreadLimit between the fastest and slowest round.
func (s RoundSpeed) Changed() bool {
	return s.Judged && s.Spread > SpeedSpreadLimit && s.P < SpeedPLimit
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
	counted := 0
	for s, m := range times {
		switch {
		case len(m) == 0:
		case len(m) < MinSpeedRounds:
			counted++
			out.LeftOut = append(out.LeftOut, run.Strategies[s].Name)
		default:
			counted++
			kept = append(kept, m)
		}
	}
	if len(kept) < MinSpeedStrategies {
		out.NotJudged = fmt.Sprintf("%s with counted trials in %d rounds or more; it takes %d", nOf(len(kept), "strategy", "strategies"), MinSpeedRounds, MinSpeedStrategies)
		if counted == 0 {
			out.NotJudged = "no strategy has counted trials"
		}
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
	out.Q, out.P = Friedman(table)
	n, k := float64(out.Strategies), float64(out.Rounds)
	out.BestP = distuv.ChiSquared{K: k - 1}.Survival(n * (k - 1))
	if out.BestP >= SpeedPLimit {
		out.NotJudged = fmt.Sprintf("with %d strategies in %d rounds Friedman's test cannot reach p < %g (at best p = %.3g)", out.Strategies, out.Rounds, SpeedPLimit, out.BestP)
		return out
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
// SciPy calls reliable from about 10 blocks and 6 treatments. Q is 0 and
// p 1 when every block ties all its treatments, and for a table without
// a block or with fewer than two treatments.
func Friedman(table [][]float64) (q, p float64) {
	if len(table) == 0 || len(table[0]) < 2 {
		return 0, 1
	}
	n, k := len(table), len(table[0])
	rankSums := make([]float64, k)
	ties := 0.0 // Σ (t³ − t) over the groups of ties
	idx := make([]int, k)
	for _, row := range table {
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
		for i := 0; i < k; {
			j := i
			for j+1 < k && row[idx[j+1]] == row[idx[i]] {
				j++
			}
			rank := float64(i+j)/2 + 1 // ranks i+1 … j+1, averaged
			for _, t := range idx[i : j+1] {
				rankSums[t] += rank
			}
			if t := float64(j - i + 1); t > 1 {
				ties += t*t*t - t
			}
			i = j + 1
		}
	}
	nf, kf := float64(n), float64(k)
	ssr := 0.0
	for _, r := range rankSums {
		ssr += r * r
	}
	q = 12/(nf*kf*(kf+1))*ssr - 3*nf*(kf+1)
	c := 1 - ties/(nf*kf*(kf*kf-1))
	if c <= 0 {
		return 0, 1
	}
	q /= c
	if q < 0 { // rounding at the null
		q = 0
	}
	return q, distuv.ChiSquared{K: kf - 1}.Survival(q)
}
