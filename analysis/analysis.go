// Package analysis is the statistics of benchlab: it turns the raw trials of
// an archived run into per-strategy summaries and ratios between strategies,
// in the spirit of hyperfine. It is deliberately small and pure: no I/O, no
// formatting of numbers for people, no knowledge of published figures beyond
// the (mean, σ) pairs it is handed.
//
// Its stance: a number never travels without its caveats. Degenerate
// samples (no runs, a single run, failures, outliers) still produce a
// Summary, with every statistic finite (never NaN) and a Warning that says
// why the number should be read with care. A renderer shows the warnings
// beside the numbers; it does not have to re-derive them.
//
// It is also where inference lives: which archived runs are evidence for a
// report (evidence.go: only runs comparable with the main run, every other
// one returned with the rule it broke), how a difference splits into fixed
// and per-call parts and which, if either, is its cause, and the answers to
// an experiment's open questions (answer.go). Reports only put these
// results into words.
//
// Times are in nanoseconds and memory in KiB; the unit is in each name.
package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"benchlab/results"

	"gonum.org/v1/gonum/stat"
)

// Summary describes the counted runs of one strategy: the trials that were
// not warm-ups and that succeeded.
type Summary struct {
	// Strategy is the strategy's name.
	Strategy string
	// N is the number of counted runs: non-warm-up trials that succeeded.
	N int
	// Failed is the number of trials that failed, warm-ups included.
	Failed int
	// Failure is the strategy's failure text from the archive, verbatim
	// (exit status and the tail of its standard error); empty if none.
	Failure string

	// MeanNS, StddevNS (sample standard deviation, n−1), MedianNS, MinNS
	// and MaxNS describe the wall times of the counted runs. All are 0
	// when N is 0; StddevNS is 0 when N is 1.
	MeanNS, StddevNS, MedianNS, MinNS, MaxNS float64
	// UserMeanNS and SysMeanNS are the mean CPU times of the counted runs
	// in user and kernel mode, over the runs that measured them; for an
	// import whose runs have none, the means its file reported. CPUKnown
	// is false, and both 0, when neither is known.
	UserMeanNS, SysMeanNS float64
	CPUKnown              bool
	// MaxRSSKiB is the largest peak resident set size of any counted run
	// that measured it; RSSKnown is false, and MaxRSSKiB 0, when none did
	// (hyperfine before 1.17 exports no memory).
	MaxRSSKiB int64
	RSSKnown  bool
	// Outliers classifies the counted runs by Tukey's fences (QuartileMethod).
	// Outliers are counted and shown, never dropped: every statistic
	// includes them.
	Outliers Outliers

	// WallNS are the wall times of the counted runs, in the order they ran.
	WallNS []float64
	// MeanCI is the 95% Student-t interval of the mean and MedianCI the
	// order-statistic interval of the median (see interval.go); neither is
	// OK when N is 0. Both are closed form: summarising is cheap enough for
	// a whole archive. The bootstrap is kept for ratios (RatioOf).
	MeanCI, MedianCI Interval

	// Warnings are caveats to present with the numbers, such as too few
	// runs, failures or outliers. They are sentences without a final
	// period, one line each.
	Warnings []string
}

// HasStddev reports whether StddevNS was measured, which takes two runs.
func (s Summary) HasStddev() bool { return s.N >= 2 }

// MildFence and OutlierFence are how many interquartile ranges beyond the
// quartiles a wall time must lie to be a mild outlier (Tukey's inner fence)
// or a severe one (his "far out" fence). Only severe outliers are warned
// about: the inner fence flags ordinary scheduling noise too often at the
// 10 or so runs a benchmark usually has.
const (
	MildFence    = 1.5
	OutlierFence = 3.0
)

// QuartileMethod names how the quartiles behind the fences are computed,
// for reports to state beside the outlier counts.
const QuartileMethod = "quartiles by linear interpolation, type 7 as in R and NumPy"

// ShortRunNS is the mean below which a warning says that process start-up
// is a large part of what was timed, as hyperfine warns under 5 ms.
const ShortRunNS = 5e6

// Summarize summarizes each strategy of run, in the run's strategy order.
// Trials naming no strategy of the run are ignored. Settings.Runs, when
// set, is the number of runs planned per strategy; fewer is warned about.
func Summarize(run *results.Run) []Summary {
	byStrategy := make([][]results.Trial, len(run.Strategies))
	for _, t := range run.Trials {
		if t.Strategy >= 0 && t.Strategy < len(byStrategy) {
			byStrategy[t.Strategy] = append(byStrategy[t.Strategy], t)
		}
	}
	out := make([]Summary, len(run.Strategies))
	for i, s := range run.Strategies {
		out[i] = summarize(s, byStrategy[i], run.Settings.Runs, run.Settings.IgnoreFailure)
	}
	return out
}

// summarize computes the Summary of one strategy from its trials, with
// planned the number of counted runs intended (0 if unknown). With
// ignoreFailure, a trial that exited non-zero is still counted (and still
// reported as failed), as hyperfine's --ignore-failure does.
func summarize(st results.Strategy, trials []results.Trial, planned int, ignoreFailure bool) Summary {
	s := Summary{Strategy: st.Name, Failure: st.Failure}
	var wall, user, sys []float64
	for _, t := range trials {
		if !t.OK() {
			s.Failed++
		}
		if !t.Counts(ignoreFailure) {
			continue
		}
		if t.Warmup {
			continue
		}
		wall = append(wall, float64(t.WallNS))
		s.WallNS = append(s.WallNS, float64(t.WallNS))
		// A value the trial did not measure (results.Unknown) is not a 0.
		if t.Known(results.UnknownUser) {
			user = append(user, float64(t.UserNS))
		}
		if t.Known(results.UnknownSys) {
			sys = append(sys, float64(t.SysNS))
		}
		if t.Known(results.UnknownRSS) {
			s.MaxRSSKiB = max(s.MaxRSSKiB, t.MaxRSSKiB)
			s.RSSKnown = true
		}
	}
	s.N = len(wall)

	if s.Failed > 0 {
		w := fmt.Sprintf("%d of %d trials failed", s.Failed, len(trials))
		if line := firstLine(st.Failure); line != "" {
			w += ": " + line
		}
		s.Warnings = append(s.Warnings, w)
	} else if st.Failure != "" {
		// A failure with no failed trial: keep the archive's word for it.
		s.Warnings = append(s.Warnings, "failed: "+firstLine(st.Failure))
	}
	switch {
	case s.N == 0:
		s.Warnings = append(s.Warnings, "no runs counted: no statistics")
		return s
	case s.N == 1 && planned > 1:
		s.Warnings = append(s.Warnings, fmt.Sprintf("only 1 of %d planned runs: no σ", planned))
	case s.N == 1:
		s.Warnings = append(s.Warnings, "only 1 run: no σ")
	case s.N < planned:
		s.Warnings = append(s.Warnings, fmt.Sprintf("only %d of %d planned runs counted", s.N, planned))
	}

	sorted := slices.Clone(wall)
	slices.Sort(sorted)
	s.MinNS, s.MaxNS = sorted[0], sorted[s.N-1]
	s.MedianNS = quantile(sorted, 0.5)
	s.MedianCI = MedianInterval(sorted)
	s.MeanCI = MeanInterval(wall)
	if s.N > 1 && s.N < MinBootstrapRuns {
		s.Warnings = append(s.Warnings, fmt.Sprintf(
			"only %d runs: the 95%% intervals are rough (the mean's assumes normal times and the ratio's bootstrap needs %d or more runs; the median's interval covers %.0f%%)",
			s.N, MinBootstrapRuns, 100*s.MedianCI.Confidence))
	}
	switch {
	case len(user) > 0 && len(sys) > 0:
		s.UserMeanNS, s.SysMeanNS, s.CPUKnown = stat.Mean(user, nil), stat.Mean(sys, nil), true
	case st.Reported != nil:
		s.UserMeanNS, s.SysMeanNS, s.CPUKnown = float64(st.Reported.UserMeanNS), float64(st.Reported.SysMeanNS), true
	}
	if s.N == 1 {
		s.MeanNS = wall[0]
	} else {
		// stat.StdDev is the sample (n−1) standard deviation.
		s.MeanNS, s.StddevNS = stat.MeanStdDev(wall, nil)
	}

	s.Outliers = ClassifyOutliers(sorted)
	if s.Outliers.Severe > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf(
			"%d of %d runs are statistical outliers (beyond Tukey's far-out fence, %g IQR from the quartiles; %s): "+
				"other programs or power management may have interfered; consider a quieter machine or more warm-up runs",
			s.Outliers.Severe, s.N, OutlierFence, QuartileMethod))
	}
	if s.MeanNS < ShortRunNS {
		s.Warnings = append(s.Warnings,
			fmt.Sprintf("mean below %g ms: process start-up is a large part of what was timed", ShortRunNS/1e6))
	}
	return s
}

// quantile returns the p-quantile of sorted, interpolating linearly between
// order statistics (Hyndman and Fan's type 7, the default of R and NumPy),
// so that the median of an even count is the mean of the middle two.
// gonum's stat.Quantile(LinInterp) interpolates differently and returns the
// lower middle value there.
func quantile(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// Outliers counts a sample's values by Tukey's fences: Mild ones lie
// beyond MildFence interquartile ranges from the quartiles but within
// OutlierFence; Severe ones beyond OutlierFence.
type Outliers struct {
	Mild, Severe int
	// Fences are the sample's fences; zero when it has under four values
	// or ZeroIQR.
	Fences Fences
	// ZeroIQR is true when the quartiles are equal: at least half the runs
	// took exactly the same time (a coarse clock, or times quantised by
	// the system). The fences would then call any other value an outlier,
	// however close, so none is counted.
	ZeroIQR bool
}

// Fences are Tukey's fences of a sample: a value below LowSevere or above
// HighSevere is a severe outlier; else below LowMild or above HighMild, a
// mild one.
type Fences struct {
	LowSevere, LowMild, HighMild, HighSevere float64
}

// Class is an outlier class.
type Class int

// The classes of Classify.
const (
	NotOutlier Class = iota
	Mild
	Severe
)

// Classify returns the class of v against the fences. Zero fences (too few
// values) classify nothing as an outlier.
func (f Fences) Classify(v float64) Class {
	switch {
	case f == Fences{}:
		return NotOutlier
	case v < f.LowSevere || v > f.HighSevere:
		return Severe
	case v < f.LowMild || v > f.HighMild:
		return Mild
	}
	return NotOutlier
}

// ClassifyOutliers counts the mild and severe outliers of sorted
// (ascending), with quartiles interpolated as in quantile (QuartileMethod).
// Fewer than four values have no meaningful quartiles, and a zero
// interquartile range no meaningful fences: none are counted.
func ClassifyOutliers(sorted []float64) Outliers {
	if len(sorted) < 4 {
		return Outliers{}
	}
	q1, q3 := quantile(sorted, 0.25), quantile(sorted, 0.75)
	iqr := q3 - q1
	if iqr <= 0 {
		return Outliers{ZeroIQR: true}
	}
	o := Outliers{Fences: Fences{
		LowSevere: q1 - OutlierFence*iqr, LowMild: q1 - MildFence*iqr,
		HighMild: q3 + MildFence*iqr, HighSevere: q3 + OutlierFence*iqr,
	}}
	for _, v := range sorted {
		switch o.Fences.Classify(v) {
		case Mild:
			o.Mild++
		case Severe:
			o.Severe++
		}
	}
	return o
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i]) + " …"
	}
	return s
}
