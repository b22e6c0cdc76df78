package analysis

import (
	"math"
	"strconv"
	"strings"

	"benchlab/results"
)

// Answers to an experiment's open questions: what the numbers say about
// one strategy against another (the totals and their test, the sweep's
// fixed and per-call parts, the instruction counts), as typed results
// that reports put into words. Nothing here is worded in advance: the
// verdicts follow the tests and intervals.

// Answer is the data's answer to an open question comparing strategy A
// with strategy C.
type Answer struct {
	A, C string
	// Withheld says why there is no answer ("the run was noisy (…)");
	// empty when the question is answered.
	Withheld string
	// NoRuns is set, with Withheld, when the run has no counted runs of
	// A or of C.
	NoRuns bool
	// SumA and SumC summarize each strategy in the main run; Ratio is
	// A's mean time over C's.
	SumA, SumC Summary
	Ratio      float64
	// Test compares A's wall times with C's (Tested false when it could
	// not be run).
	Test   Comparison
	Tested bool
	// Split is the sweep's decomposition into fixed and per-unit costs;
	// nil without a comparable sweep that fits both strategies.
	Split *Split
	// Instructions compares the instruction counts; nil without
	// comparable counts of both strategies.
	Instructions *InstructionAnswer
	// Profile sets the two strategies' per-function instruction profiles
	// side by side (where A's extra instructions per unit go, and how
	// many are in the allocator); nil without profiles of both.
	Profile *ProfileComparison
}

// Split is the fixed-versus-per-unit decomposition of A against C from a
// sweep over Param: differences of the fitted slopes and intercepts, each
// ± the half-width of its 95% interval (the two fits' half-widths
// combined in quadrature).
type Split struct {
	Sweep, Param string
	FitA, FitC   Fit
	// DSlope ± HSlope is A's slope minus C's, per unit of Param;
	// DFixed ± HFixed their intercepts' difference. SlopeCI and FixedCI
	// are false when a fit has no interval; SlopeClear and FixedClear are
	// true when a difference has one and it is clear of zero.
	DSlope, HSlope, DFixed, HFixed float64
	SlopeCI, FixedCI               bool
	SlopeClear, FixedClear         bool
	// StartUp is set when the sweep measured Param = 0: each strategy's
	// run there, better evidence of the fixed cost than the intercepts.
	StartUp *StartUp
	// Attribution splits the main run's difference in mean time at its
	// own value of Param; nil when that value is unknown or not positive.
	Attribution *Attribution
}

// StartUp is the start-up cost measured directly, at Param = 0.
type StartUp struct {
	A, C Summary
	// DiffNS is A's median minus C's; Clear is true when their
	// intervals do not overlap.
	DiffNS float64
	Clear  bool
}

// Attribution splits a difference in total time into parts (the per-unit
// and the fixed part) and says which, if any, is its cause.
type Attribution struct {
	// TotalNS ± TotalHalfNS (95%) is the difference to explain, A's mean
	// minus C's, and X the main run's value of the swept parameter.
	TotalNS, TotalHalfNS, X float64
	Parts                   []Part
	// TotalClear is false when zero is inside the total's interval: a
	// difference not shown is attributed to nothing.
	TotalClear bool
	// Cause indexes the part that is the cause, or is -1: the difference
	// is not attributable (or there is none: TotalNS == 0).
	Cause int
}

// The names of the parts of an Attribution.
const (
	PartPerUnit = "per-unit"
	PartFixed   = "fixed"
)

// Part is one part of a difference: ValueNS ± HalfNS (95%), its share of
// the total with the share's interval (from the part's interval alone),
// and how it fares against the rule of Attribute.
type Part struct {
	Name             string
	ValueNS, HalfNS  float64
	HasInterval      bool
	Share            float64
	ShareLo, ShareHi float64
	// SameSign: the part has the sign of the total. Most: it explains
	// more than MostShare of the total beyond both intervals. Exceeds: it
	// is larger than the whole total beyond both intervals (the other
	// parts must then pull the other way, and the parts do not add up to
	// a cause).
	SameSign, Most, Exceeds bool
}

// MostShare is the share of a difference a part must explain, beyond the
// intervals, to be called its cause.
const MostShare = 0.5

// Attribute splits totalNS ± totalHalfNS into parts and names the cause.
// A part is the cause only when it has the sign of the total, explains
// more than MostShare of it beyond the intervals (part − MostShare·total
// has the total's sign and clears its combined 95% interval) and is not
// shown to exceed the whole of it (part − total does not clear its
// combined interval in the total's direction). Exactly one part may be
// the cause; otherwise, or with no interval to judge by, the difference
// is not attributable and Cause is -1. So it is when the total itself is
// within its interval of zero.
func Attribute(totalNS, totalHalfNS float64, parts []Part) Attribution {
	a := Attribution{TotalNS: totalNS, TotalHalfNS: totalHalfNS, Cause: -1, TotalClear: math.Abs(totalNS) > totalHalfNS}
	causes := 0
	for _, p := range parts {
		if totalNS != 0 {
			p.Share = p.ValueNS / totalNS
			lo, hi := (p.ValueNS-p.HalfNS)/totalNS, (p.ValueNS+p.HalfNS)/totalNS
			p.ShareLo, p.ShareHi = min(lo, hi), max(lo, hi)
		}
		p.SameSign = p.ValueNS*totalNS > 0
		sign := math.Copysign(1, totalNS)
		if over := (p.ValueNS - MostShare*totalNS) * sign; p.SameSign {
			p.Most = over > math.Hypot(p.HalfNS, MostShare*totalHalfNS)
		}
		p.Exceeds = (p.ValueNS-totalNS)*sign > math.Hypot(p.HalfNS, totalHalfNS)
		if totalNS != 0 && p.HasInterval && p.SameSign && p.Most && !p.Exceeds {
			causes++
			a.Cause = len(a.Parts)
		}
		a.Parts = append(a.Parts, p)
	}
	if causes != 1 || !a.TotalClear {
		a.Cause = -1
	}
	return a
}

// InstructionAnswer compares the instructions per unit of Param.
type InstructionAnswer struct {
	Tool, Param string
	PerUnitA    float64
	PerUnitC    float64
	// SameOrder is set when the sweep shows which strategy costs less
	// per unit (their slopes' difference is clear of zero): true when the
	// one with fewer instructions per unit is also the faster per unit.
	// HasOrder is false otherwise: without a sweep, or when its slopes do
	// not differ beyond their intervals, the counts cannot be set against
	// an order of the times that was not measured.
	SameOrder, HasOrder bool
}

// AnswerInput is what an answer is computed from: the main run's
// summaries and, when comparable, the sweep and the counts.
type AnswerInput struct {
	Main *results.Run
	Sums []Summary
	// Sweep, with its fits and the summaries at its smallest value.
	Sweep     *SweepEvidence
	SweepFits []SweepFit
	// Counts with its fits.
	Counts    *CountEvidence
	CountFits []CountFit
}

// AnswerQuestion answers the question comparing strategy a with c.
func AnswerQuestion(in AnswerInput, a, c string) Answer {
	ans := Answer{A: a, C: c}
	if n := in.Main.Noise; n != nil && n.Noisy {
		ans.Withheld = "the run was noisy (" + strings.Join(n.Reasons, "; ") + ")"
		return ans
	}
	sa, okA := findSum(in.Sums, a)
	sc, okC := findSum(in.Sums, c)
	if !okA || !okC || sa.N == 0 || sc.N == 0 {
		ans.Withheld, ans.NoRuns = "this run has no counted runs of one of them", true
		return ans
	}
	ans.SumA, ans.SumC = sa, sc
	ans.Ratio = sa.MeanNS / sc.MeanNS
	ans.Test, ans.Tested = Compare2(sc.WallNS, sa.WallNS)

	fa, okA := sweepFit(in.SweepFits, a)
	fc, okC := sweepFit(in.SweepFits, c)
	if in.Sweep != nil && okA && okC {
		s := &Split{Sweep: in.Sweep.ID, Param: in.Sweep.Param, FitA: fa.Fit, FitC: fc.Fit}
		s.DSlope = fa.Fit.Slope - fc.Fit.Slope
		s.HSlope = math.Hypot(fa.Fit.SlopeCI.HalfWidth(), fc.Fit.SlopeCI.HalfWidth())
		s.SlopeCI = fa.Fit.SlopeCI.OK && fc.Fit.SlopeCI.OK
		s.DFixed = fa.Fit.Intercept - fc.Fit.Intercept
		s.HFixed = math.Hypot(fa.Fit.InterceptCI.HalfWidth(), fc.Fit.InterceptCI.HalfWidth())
		s.FixedCI = fa.Fit.InterceptCI.OK && fc.Fit.InterceptCI.OK
		s.SlopeClear = s.SlopeCI && math.Abs(s.DSlope) > s.HSlope
		s.FixedClear = s.FixedCI && math.Abs(s.DFixed) > s.HFixed
		fixed := Part{Name: PartFixed, ValueNS: s.DFixed, HalfNS: s.HFixed, HasInterval: s.FixedCI}
		// Start-up measured directly at 0 is better evidence of the
		// fixed cost than the intercepts: it replaces them.
		if at0 := startUpRun(in.Sweep); at0 != nil {
			sums := Summarize(at0)
			if za, ok := findSum(sums, a); ok && za.N > 0 {
				if zc, ok := findSum(sums, c); ok && zc.N > 0 {
					st := &StartUp{A: za, C: zc, DiffNS: za.MedianNS - zc.MedianNS}
					st.Clear = za.MedianCI.OK && zc.MedianCI.OK && (za.MedianCI.Lo > zc.MedianCI.Hi || zc.MedianCI.Lo > za.MedianCI.Hi)
					s.StartUp = st
					fixed = Part{Name: PartFixed, ValueNS: st.DiffNS,
						HalfNS:      math.Hypot(za.MedianCI.HalfWidth(), zc.MedianCI.HalfWidth()),
						HasInterval: za.MedianCI.OK && zc.MedianCI.OK}
				}
			}
		}
		if x, err := strconv.ParseFloat(in.Main.Parameters[s.Param], 64); err == nil && x > 0 {
			perUnit := Part{Name: PartPerUnit, ValueNS: s.DSlope * x, HalfNS: s.HSlope * x, HasInterval: s.SlopeCI}
			at := Attribute(sa.MeanNS-sc.MeanNS, math.Hypot(sa.MeanCI.HalfWidth(), sc.MeanCI.HalfWidth()), []Part{perUnit, fixed})
			at.X = x
			s.Attribution = &at
		}
		ans.Split = s
	}

	ia, okA := countFit(in.CountFits, a)
	ic, okC := countFit(in.CountFits, c)
	if in.Counts != nil && okA && okC {
		ins := &InstructionAnswer{Param: in.Counts.Param, PerUnitA: ia.Fit.Slope, PerUnitC: ic.Fit.Slope}
		for _, x := range in.Counts.Run.Counts {
			if x.Tool != "" {
				ins.Tool = x.Tool
				break
			}
		}
		if ans.Split != nil && ans.Split.SlopeClear {
			ins.HasOrder = true
			ins.SameOrder = (ia.Fit.Slope-ic.Fit.Slope)*ans.Split.DSlope > 0
		}
		ans.Instructions = ins
		ps := IterationProfiles(in.Counts.Run.Counts, in.Counts.Param)
		pa, okA := IterationProfileOf(ps, a)
		pc, okC := IterationProfileOf(ps, c)
		if okA && okC {
			cmp := CompareProfiles(pa, pc)
			ans.Profile = &cmp
		}
	}
	return ans
}

// startUpRun returns the sweep's run at a parameter value of 0, if any.
func startUpRun(s *SweepEvidence) *results.Run {
	for _, r := range s.Runs {
		if v, err := strconv.ParseFloat(r.Parameters[s.Param], 64); err == nil && v == 0 {
			return r
		}
	}
	return nil
}

func findSum(sums []Summary, name string) (Summary, bool) {
	for _, s := range sums {
		if s.Strategy == name {
			return s, true
		}
	}
	return Summary{}, false
}

func sweepFit(fits []SweepFit, name string) (SweepFit, bool) {
	for _, f := range fits {
		if f.Strategy == name && f.OK {
			return f, true
		}
	}
	return SweepFit{}, false
}

func countFit(fits []CountFit, name string) (CountFit, bool) {
	for _, f := range fits {
		if f.Strategy == name && f.OK {
			return f, true
		}
	}
	return CountFit{}, false
}
