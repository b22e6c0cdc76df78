package reports

import (
	"fmt"
	"strings"

	"benchlab/analysis"
	"benchlab/results"
)

// profileTop is how many functions per strategy the profile table names.
const profileTop = 4

// writeProfile writes "Where the time goes": for each strategy of the
// count run whose counts carry per-function profiles, its instructions per
// unit of the count's parameter, the share of them in the memory
// allocator, and the functions that execute them.
func (r *Report) writeProfile(b *strings.Builder) {
	c := r.Counts
	if c == nil {
		return
	}
	ps := analysis.IterationProfiles(c.Run.Counts, c.Param)
	if len(ps) == 0 {
		return
	}
	unit := "unit of " + literal(c.Param)
	if c.Param != "" {
		unit = literal(singular(c.Param))
	}
	b.WriteString("### Where the time goes\n\n")
	fmt.Fprintf(b, "Where each strategy's instructions per %s go, from the per-function profiles of the same counts: a function's own instructions (its callees' not included) in the build at %s = %s minus those at %s, over the difference; start-up cancels out. **allocator** is the part in malloc, free and their internals (glibc, Rust's and Go's allocators). Up to %d functions per strategy are named, with their share of its instructions per %s; **placed** is the share the archived profiles (each strategy's %d largest functions per build) account for. Instructions are not time: a function with few instructions can still stall (see the CPU time above).\n\n",
		unit, code(c.Param), paramValue(ps[0].High), paramValue(ps[0].Low), profileTop, unit, results.ProfileFunctions)
	writeRow(b, []string{"strategy", "instructions per " + unit, "allocator", "placed", "functions (instructions per " + unit + ", share)"})
	writeRow(b, []string{":--", "--:", "--:", "--:", ":--"})
	for _, p := range ps {
		var fns []string
		for _, f := range p.Functions[:min(profileTop, len(p.Functions))] {
			fns = append(fns, fmt.Sprintf("%s %.1f (%s)", codeCell(f.Function), f.PerUnit, percent(f.Share)))
		}
		if len(fns) == 0 {
			fns = []string{none}
		}
		writeRow(b, []string{cell(p.Strategy), fmt.Sprintf("%.2f", p.PerUnit), allocatorCell(p), percent(p.Covered), strings.Join(fns, "; ")})
	}
	b.WriteString("\n")
}

// allocatorCell shows a profile's instructions in the allocator and their
// share.
func allocatorCell(p analysis.IterationProfile) string {
	if p.Allocator == 0 {
		return "0"
	}
	return fmt.Sprintf("%.1f (%s)", p.Allocator, percent(p.Allocator/p.PerUnit))
}

// percent shows a fraction as a whole percentage, "62%", or "<1%".
func percent(f float64) string {
	if f > 0 && f < 0.005 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", 100*f)
}

// ProfileSentence says in one sentence what c found: how many more
// instructions per unit A executes than B, how many of them in the
// allocator, and the functions A runs per unit that B does not. unit is
// the count parameter's unit, e.g. "iteration". For the answers to open
// questions.
func ProfileSentence(c analysis.ProfileComparison, unit string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Per %s, %s executes %.1f instructions and %s %.1f", unit, code(c.A.Strategy), c.A.PerUnit, code(c.B.Strategy), c.B.PerUnit)
	switch {
	case c.A.Allocator == 0 && c.B.Allocator == 0:
		b.WriteString(", none of them in the allocator")
	default:
		fmt.Fprintf(&b, ", of which %.1f and %.1f in the allocator (malloc, free)", c.A.Allocator, c.B.Allocator)
	}
	if len(c.OnlyA) > 0 {
		var fns []string
		for _, f := range c.OnlyA[:min(3, len(c.OnlyA))] {
			fns = append(fns, fmt.Sprintf("%s (%.1f)", code(f.Function), f.PerUnit))
		}
		fmt.Fprintf(&b, "; %.1f of %s's are in functions %s does not run per %s: %s",
			c.OnlyAPerUnit, code(c.A.Strategy), code(c.B.Strategy), unit, strings.Join(fns, ", "))
		if len(c.OnlyA) > 3 {
			fmt.Fprintf(&b, " and %d more", len(c.OnlyA)-3)
		}
	}
	b.WriteString(".")
	return b.String()
}
