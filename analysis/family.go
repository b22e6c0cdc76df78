package analysis

// CompareFamily tests each pair of samples (Compare2: pair[0] the
// reference, pair[1] the one judged against it) as one table of tests:
// Holm's correction runs over the pairs that could be tested, so each
// verdict (AdjustedP) accounts for the others. tested[i] is false when
// pair i could not be tested (an empty sample); its Comparison is zero.
func CompareFamily(pairs [][2][]float64) (cs []Comparison, tested []bool) {
	cs, tested = make([]Comparison, len(pairs)), make([]bool, len(pairs))
	var family []Comparison
	var at []int
	for i, p := range pairs {
		if c, ok := Compare2(p[0], p[1]); ok {
			family, at = append(family, c), append(at, i)
			tested[i] = true
		}
	}
	Holm(family)
	for k, i := range at {
		cs[i] = family[k]
	}
	return cs, tested
}

// CompareStrategies tests each strategy of a against the same strategy in
// b (a the reference) as one family (CompareFamily), in a's order:
// tested[i] is false when a[i]'s strategy is not in b or either side has
// no counted runs.
func CompareStrategies(a, b []Summary) (cs []Comparison, tested []bool) {
	pairs := make([][2][]float64, len(a))
	for i, s := range a {
		for _, o := range b {
			if o.Strategy == s.Strategy {
				pairs[i] = [2][]float64{s.WallNS, o.WallNS}
				break
			}
		}
	}
	return CompareFamily(pairs)
}
