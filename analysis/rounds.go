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
// rounds of the seed experiment ran slower together, async-func and
// async-enum by up to 1.9×, function-pointer by 1.15×, in phases of a
// fraction of a second to seconds, with steal at 0.02%; a fixed loop of
// integer work run between the trials slowed by only 3 to 10% in those
// phases, so a probe of its own would have missed most of it. Every
// strategy is a fixed piece of work, though: when all of them, in the same
// rounds, run slower than their own medians, the host changed speed.
//
// A strategy's trials in a round (one, or a block's) give that round's
// time, its median; each is divided by the strategy's median over the
// rounds, and a round's factor is the median of those ratios over the
// strategies. Friedman's test (ranks of each strategy's rounds) asks
// whether the rounds differ alike for every strategy, which the
// strategies' own spread would not do.

// RoundSpeed is how the host's speed moved from round to round of a run.
type RoundSpeed struct {
	// Judged is false when the run has too few strategies or complete
	// rounds to tell (NotJudged says why); the rest is then zero.
	Judged    bool
	NotJudged string
	// Strategies and Rounds are the size of the table judged: the
	// strategies with counted trials, in the rounds where each has one.
	Strategies, Rounds int
	// Factors are the rounds' factors in round order: the median over the
	// strategies of the round's time over the strategy's median.
	Factors []float64
	// Spread is the highest factor over the lowest.
	Spread float64
	// Q is Friedman's statistic (ties corrected) and P its p-value from
	// the χ² distribution with Rounds−1 degrees of freedom.
	Q, P float64
}

// Least table RoundSpeedOf judges: with fewer strategies a round's
// factor is one strategy's noise, and Friedman's χ² approximation needs a
// few of each.
const (
	MinSpeedStrategies = 3
	MinSpeedRounds     = 4
)

// Thresholds of RoundSpeed.Changed. The spread is what the reader should
// care about; the p-value keeps the strategies' own noise from passing for
// it. (With few strategies Friedman's p cannot go low: 3 strategies that
// rank 10 rounds alike give p = 0.0014.) Runs of the quiet Intel guest (issue 12's first pass) reached spreads
// of 1.13 with p below 10⁻³⁰ (28 strategies of dispatch-crossover): a
// drift that interleaving is there to spread, not a warning.
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
	// times[s][round]: the strategy's counted trials in that round.
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
	times = slices.DeleteFunc(times, func(m map[int][]float64) bool { return len(m) == 0 })
	if len(times) < MinSpeedStrategies {
		return RoundSpeed{NotJudged: fmt.Sprintf("%d strategies with counted trials; it takes %d", len(times), MinSpeedStrategies)}
	}
	var rounds []int
	for r := range times[0] {
		if !slices.ContainsFunc(times[1:], func(m map[int][]float64) bool { return m[r] == nil }) {
			rounds = append(rounds, r)
		}
	}
	if len(rounds) < MinSpeedRounds {
		return RoundSpeed{NotJudged: fmt.Sprintf("%d rounds in which every strategy has counted trials; it takes %d", len(rounds), MinSpeedRounds)}
	}
	slices.Sort(rounds)
	table := make([][]float64, len(times)) // table[s][k]: round k's time over the strategy's median
	for s, m := range times {
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
	out := RoundSpeed{Judged: true, Strategies: len(table), Rounds: len(rounds), Factors: make([]float64, len(rounds))}
	col := make([]float64, len(table))
	for k := range rounds {
		for s := range table {
			col[s] = table[s][k]
		}
		out.Factors[k] = median(col)
	}
	out.Spread = slices.Max(out.Factors) / slices.Min(out.Factors)
	out.Q, out.P = Friedman(table)
	return out
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
// scipy.stats.friedmanchisquare computes them. Q is 0 and p 1 when every
// block ties all its treatments.
func Friedman(table [][]float64) (q, p float64) {
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
