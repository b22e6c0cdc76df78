package analysis

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"benchlab/results"
)

// FunctionStep is what one function costs per unit of a count's parameter
// (per iteration, per call): the difference of its instructions between
// the builds at the lowest and the highest value, over the difference of
// the values. Start-up cancels out, as in FitCounts.
type FunctionStep struct {
	Function, Object string
	// PerUnit is its instructions per unit of the parameter.
	PerUnit float64
	// Share is PerUnit over the strategy's PerUnit.
	Share float64
}

// IterationProfile is where one strategy's instructions per unit of the
// parameter go.
type IterationProfile struct {
	Strategy string
	// Low and High are the parameter values of the two counted builds.
	Low, High float64
	// PerUnit is the strategy's instructions per unit, all functions.
	PerUnit float64
	// Functions are the functions with at least half an instruction per
	// unit, most first. Only functions in both builds' archived profiles
	// (the results.ProfileFunctions largest of each) can be placed.
	Functions []FunctionStep
	// Covered is the share of PerUnit that Functions account for.
	Covered float64
	// Allocator is the instructions per unit in the memory allocator's
	// functions (IsAllocator).
	Allocator float64
}

// IterationProfiles computes, for each strategy of counts with a profile
// at two or more values of param, where its instructions per unit go, in
// order of first appearance. Strategies without two profiled counts are
// left out.
func IterationProfiles(counts []results.InstructionCount, param string) []IterationProfile {
	type point struct {
		x     float64
		total int64
		fns   []results.FunctionCost
	}
	byStrategy := map[string][]point{}
	var order []string
	for _, c := range counts {
		x, err := strconv.ParseFloat(c.Parameters[param], 64)
		if c.Failure != "" || len(c.Profile) == 0 || err != nil {
			continue
		}
		if _, ok := byStrategy[c.Strategy]; !ok {
			order = append(order, c.Strategy)
		}
		byStrategy[c.Strategy] = append(byStrategy[c.Strategy], point{x, c.Instructions, c.Profile})
	}
	var out []IterationProfile
	for _, s := range order {
		pts := byStrategy[s]
		lo := slices.MinFunc(pts, func(a, b point) int { return cmp.Compare(a.x, b.x) })
		hi := slices.MaxFunc(pts, func(a, b point) int { return cmp.Compare(a.x, b.x) })
		if hi.x <= lo.x {
			continue
		}
		dx := hi.x - lo.x
		p := IterationProfile{Strategy: s, Low: lo.x, High: hi.x, PerUnit: float64(hi.total-lo.total) / dx}
		low := map[[2]string]int64{}
		for _, f := range lo.fns {
			low[[2]string{f.Function, f.Object}] = f.Instructions
		}
		var covered float64
		for _, f := range hi.fns {
			l, ok := low[[2]string{f.Function, f.Object}]
			if !ok {
				continue
			}
			per := float64(f.Instructions-l) / dx
			if per < 0.5 {
				continue
			}
			p.Functions = append(p.Functions, FunctionStep{Function: f.Function, Object: f.Object, PerUnit: per})
			covered += per
			if IsAllocator(f.Function) {
				p.Allocator += per
			}
		}
		slices.SortStableFunc(p.Functions, func(a, b FunctionStep) int { return cmp.Compare(b.PerUnit, a.PerUnit) })
		if p.PerUnit > 0 {
			for i := range p.Functions {
				p.Functions[i].Share = p.Functions[i].PerUnit / p.PerUnit
			}
			p.Covered = covered / p.PerUnit
		}
		out = append(out, p)
	}
	return out
}

// allocatorNames are the functions of glibc's malloc, Rust's global
// allocator shims and Go's allocator, by name.
var allocatorNames = []string{
	"malloc", "free", "realloc", "calloc", "cfree", "_int_malloc", "_int_free", "_int_realloc",
	"__libc_malloc", "__libc_free", "__libc_realloc", "__libc_calloc", "__GI___libc_malloc", "__GI___libc_free",
	"malloc_consolidate", "tcache_get", "tcache_put", "unlink_chunk",
	"__rust_alloc", "__rust_dealloc", "__rust_realloc", "__rust_alloc_zeroed",
	"__rdl_alloc", "__rdl_dealloc", "__rdl_realloc", "__rdl_alloc_zeroed",
	"__rust_no_alloc_shim_is_unstable", "__rust_no_alloc_shim_is_unstable_v2",
	"runtime.mallocgc", "runtime.newobject",
}

// IsAllocator reports whether the function named name is part of a memory
// allocator (glibc's malloc and free and their internals, Rust's
// allocation shims, Go's mallocgc). Names such as "_int_free.constprop.0"
// or "malloc@plt" count by their stem, and Rust's shims with or without
// the "__rustc::" path newer compilers give them.
func IsAllocator(name string) bool {
	stem, _, _ := strings.Cut(strings.TrimPrefix(name, "__rustc::"), "@")
	stem, _, _ = strings.Cut(stem, ".constprop")
	stem, _, _ = strings.Cut(stem, ".isra")
	stem, _, _ = strings.Cut(stem, ".part")
	return slices.Contains(allocatorNames, stem) || strings.HasPrefix(stem, "alloc::alloc::")
}

// ProfileComparison sets two strategies' iteration profiles side by side:
// what the first spends per unit that the second does not.
type ProfileComparison struct {
	A, B IterationProfile
	// Extra is A's instructions per unit minus B's.
	Extra float64
	// OnlyA are the functions A spends instructions in per unit and B does
	// not (none of B's placed functions has that name), most first; OnlyB
	// the other way round.
	OnlyA, OnlyB []FunctionStep
	// OnlyAPerUnit is the instructions per unit of OnlyA together.
	OnlyAPerUnit float64
}

// CompareProfiles compares a's iteration profile with b's.
func CompareProfiles(a, b IterationProfile) ProfileComparison {
	c := ProfileComparison{A: a, B: b, Extra: a.PerUnit - b.PerUnit}
	names := func(p IterationProfile) map[string]bool {
		m := map[string]bool{}
		for _, f := range p.Functions {
			m[f.Function] = true
		}
		return m
	}
	inA, inB := names(a), names(b)
	for _, f := range a.Functions {
		if !inB[f.Function] {
			c.OnlyA = append(c.OnlyA, f)
			c.OnlyAPerUnit += f.PerUnit
		}
	}
	for _, f := range b.Functions {
		if !inA[f.Function] {
			c.OnlyB = append(c.OnlyB, f)
		}
	}
	return c
}

// IterationProfileOf returns the profile of strategy among ps.
func IterationProfileOf(ps []IterationProfile, strategy string) (IterationProfile, bool) {
	for _, p := range ps {
		if p.Strategy == strategy {
			return p, true
		}
	}
	return IterationProfile{}, false
}
