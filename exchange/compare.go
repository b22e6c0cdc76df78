package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
)

// DiffHyperfine compares two hyperfine JSON documents field by field and
// returns one line per difference, nil when every field of want is in got
// with the same value. Numbers agree within tol (in seconds, or bytes for
// memory): an archive keeps whole nanoseconds, and hyperfine's times carry
// its shell-spawning correction to the picosecond. Fields of got that want
// lacks are differences too. It is how the tests check that an import and
// its export keep every field hyperfine wrote.
func DiffHyperfine(want, got []byte, tol float64) ([]string, error) {
	var a, b any
	for _, x := range []struct {
		data []byte
		v    *any
	}{{want, &a}, {got, &b}} {
		dec := json.NewDecoder(bytes.NewReader(x.data))
		dec.UseNumber()
		if err := dec.Decode(x.v); err != nil {
			return nil, err
		}
	}
	var diffs []string
	diffJSON("", a, b, tol, &diffs)
	return diffs, nil
}

func diffJSON(path string, a, b any, tol float64, diffs *[]string) {
	add := func(format string, args ...any) { *diffs = append(*diffs, path+": "+fmt.Sprintf(format, args...)) }
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok {
			add("want an object, got %v", b)
			return
		}
		for _, k := range slices.Sorted(maps.Keys(a)) {
			bv, ok := bm[k]
			if !ok {
				add("field %q missing", k)
				continue
			}
			diffJSON(path+"."+k, a[k], bv, tol, diffs)
		}
		for _, k := range slices.Sorted(maps.Keys(bm)) {
			if _, ok := a[k]; !ok {
				add("field %q added", k)
			}
		}
	case []any:
		bs, ok := b.([]any)
		if !ok || len(bs) != len(a) {
			add("want %d values, got %v", len(a), b)
			return
		}
		for i := range a {
			diffJSON(fmt.Sprintf("%s[%d]", path, i), a[i], bs[i], tol, diffs)
		}
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			add("want %v, got %v", a, b)
			return
		}
		x, _ := a.Float64()
		y, _ := bn.Float64()
		if math.Abs(x-y) > tol {
			add("want %v, got %v", a, bn)
		}
	default:
		if a != b {
			add("want %v, got %v", a, b)
		}
	}
}
