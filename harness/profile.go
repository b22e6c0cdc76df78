package harness

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"benchlab/results"
)

// Profile is the per-function instruction profile of one counted
// execution: callgrind's self cost (the instructions each function executed
// itself, its callees excluded) summed over the execution's processes.
type Profile struct {
	// Total is every instruction of the execution.
	Total int64
	// Functions are all functions that executed an instruction, most
	// first (ties by name).
	Functions []results.FunctionCost
}

// Top returns the n functions that executed the most instructions.
func (p *Profile) Top(n int) []results.FunctionCost {
	return slices.Clone(p.Functions[:min(n, len(p.Functions))])
}

// ParseCallgrindOut reads a callgrind profile (callgrind.out.PID, in
// callgrind's format 1 as valgrind writes it: compressed names, relative
// positions, any number of position columns) and adds each function's self
// cost of the first event, Ir (instructions), into fns, keyed by function
// and object. It returns the file's total ("totals:" or "summary:").
//
// The format (valgrind's docs/callgrind-format): "fn=" names the function
// that the following cost lines belong to, "ob=" its object; a cost line is
// the position columns (as many as "positions:" lists) then the events; the
// cost line right after a "calls=" line is the inclusive cost of that call,
// which belongs to the callee and is skipped here. "(N) name" defines a
// compressed name and "(N)" refers back to it, separately for objects,
// files and functions.
func ParseCallgrindOut(r io.Reader, name string, fns map[results.FunctionCost]int64) (total int64, err error) {
	var (
		npos      = 1
		obs       = map[string]string{}
		fnNames   = map[string]string{}
		ob, fn    string
		afterCall bool
		lineNo    int
		haveTotal bool
		sum       int64
		summary   int64 // the header's total, used where no part has totals
		haveSum   bool
	)
	// expand resolves a compressed name against table.
	expand := func(v string, table map[string]string) (string, error) {
		if !strings.HasPrefix(v, "(") {
			return v, nil
		}
		end := strings.IndexByte(v, ')')
		if end < 0 {
			return "", fmt.Errorf("%s:%d: bad compressed name %q", name, lineNo, v)
		}
		id, rest := v[:end+1], strings.TrimSpace(v[end+1:])
		if rest != "" {
			table[id] = rest
			return rest, nil
		}
		s, ok := table[id]
		if !ok {
			return "", fmt.Errorf("%s:%d: compressed name %s used before it is defined", name, lineNo, id)
		}
		return s, nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		c := line[0]
		if c >= '0' && c <= '9' || c == '+' || c == '-' || c == '*' {
			f := strings.Fields(line)
			if afterCall {
				afterCall = false
				continue
			}
			if len(f) <= npos {
				continue // no event column: zero cost
			}
			v, err := strconv.ParseInt(f[npos], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s:%d: cost %q: %w", name, lineNo, f[npos], err)
			}
			fns[results.FunctionCost{Function: fn, Object: ob}] += v
			sum += v
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || strings.ContainsAny(key, ": ") {
			// A header line, "key: value".
			hk, hv, _ := strings.Cut(line, ":")
			hv = strings.TrimSpace(hv)
			switch hk {
			case "positions":
				npos = len(strings.Fields(hv))
			case "events":
				if ev := strings.Fields(hv); len(ev) == 0 || ev[0] != "Ir" {
					return 0, fmt.Errorf("%s:%d: events %q: want Ir first (callgrind's default)", name, lineNo, hv)
				}
			case "totals", "summary":
				// One "totals:" ends each part (a file holds several
				// with --dump-every-bb and the like); they add up.
				f := strings.Fields(hv)
				if len(f) == 0 {
					break
				}
				v, err := strconv.ParseInt(f[0], 10, 64)
				if err != nil {
					return 0, fmt.Errorf("%s:%d: %s %q: %w", name, lineNo, hk, hv, err)
				}
				if hk == "totals" {
					total += v
					haveTotal = true
				} else {
					summary += v
					haveSum = true
				}
			}
			continue
		}
		switch key {
		case "ob":
			if ob, err = expand(val, obs); err != nil {
				return 0, err
			}
			ob = filepath.Base(ob)
		case "cob":
			if _, err = expand(val, obs); err != nil {
				return 0, err
			}
		case "fn":
			if fn, err = expand(val, fnNames); err != nil {
				return 0, err
			}
		case "cfn", "cfi", "cfl":
			if key == "cfn" {
				if _, err = expand(val, fnNames); err != nil {
					return 0, err
				}
			}
		case "calls":
			afterCall = true
		}
		// fl, fi, fe (files) and jump, jcnd do not change whose cost follows.
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if !haveTotal && haveSum {
		total, haveTotal = summary, true
	}
	if !haveTotal {
		return 0, fmt.Errorf("%s: no totals line: not a whole callgrind profile (did the program end?)", name)
	}
	if sum != total {
		return 0, fmt.Errorf("%s: the functions' costs add up to %d, the file's total is %d", name, sum, total)
	}
	return total, nil
}

// newProfile orders fns into a Profile with total.
func newProfile(total int64, fns map[results.FunctionCost]int64) *Profile {
	p := &Profile{Total: total}
	for f, n := range fns {
		if n != 0 {
			f.Instructions = n
			p.Functions = append(p.Functions, f)
		}
	}
	slices.SortFunc(p.Functions, func(a, b results.FunctionCost) int {
		return cmp.Or(cmp.Compare(b.Instructions, a.Instructions),
			cmp.Compare(a.Function, b.Function), cmp.Compare(a.Object, b.Object))
	})
	return p
}
