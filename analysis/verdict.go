package analysis

import "fmt"

// Negligible is the share of extra time below which a significant
// difference is called negligible: the ratio's 95% interval must lie
// within 1 ± Negligible.
const Negligible = 0.05

// RankDirection says whether the second sample of c is "faster" or
// "slower", from the sign of Cliff's δ: the direction the rank test judged.
func RankDirection(c Comparison) string {
	if c.CliffsDelta < 0 {
		return "faster"
	}
	return "slower"
}

// PairVerdict says in words what a strategy's ratio to its partner and the
// test of their difference show: no difference without significance (after
// the table's correction), "less than 5%" when the interval lies within
// ±Negligible, else the size and the direction. The direction is the rank
// test's, which judged the difference; the size is the means'. When the
// two disagree, it says so rather than print a size with the wrong sign.
func PairVerdict(r Ratio, c Comparison) string {
	ci := r.CI
	switch {
	case !c.Significant:
		return "no difference shown (within noise)"
	case ci.OK && ci.Hi < 1+Negligible && ci.Lo > 1-Negligible:
		return fmt.Sprintf("differs, but by less than %.0f%%", Negligible*100)
	}
	dir := RankDirection(c)
	if (dir == "slower") != (r.Value > 1) {
		return fmt.Sprintf("%s by rank, though its mean is %.3f× the partner's", dir, r.Value)
	}
	if dir == "slower" {
		return fmt.Sprintf("%.0f%% slower", (r.Value-1)*100)
	}
	return fmt.Sprintf("%.0f%% faster", (1-r.Value)*100)
}
