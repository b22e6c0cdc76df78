package results

import (
	"bytes"
	"encoding/json"
	"math"
)

// Loading an archive is mostly parsing the trial columns: a run of 1,000
// trials has 10,000 numbers and little else. encoding/json parses them
// through reflection, value by value, which made loading 1M trials take
// over a second. decodeV2Fast reads the layout that Encode writes (the
// record's other members, then "trials" as the last member, each column
// `{"scale": S, "values": [...]}`) directly into the trials, with one
// allocation for all of them. It accepts only a subset of what the
// general decoder accepts and gives the same result on it; anything else
// (other spacing, other member order, a number that is not a plain
// integer) is left to encoding/json, which also names the error.

// trialsMember opens the trials member as Encode writes it. A JSON string
// cannot hold a raw newline, so this can only occur between members, and
// one space of indentation puts it at the top level.
var trialsMember = []byte("\n \"trials\": ")

// decodeV2Fast decodes body, a format-2 record, into r. ok is false when
// body is not in the layout Encode writes; r is then to be discarded and
// body decoded by encoding/json.
func decodeV2Fast(body []byte, r *Run) (ok bool) {
	i := bytes.LastIndex(body, trialsMember)
	if i < 1 || body[i-1] != ',' {
		return false
	}
	// The comma must follow a member: "{," is not an object.
	if before := bytes.TrimRight(body[:i-1], " \n\t\r"); len(before) == 0 || before[len(before)-1] == '{' {
		return false
	}
	meta := make([]byte, 0, i+2)
	meta = append(append(meta, body[:i-1]...), "\n}"...)
	if json.Unmarshal(meta, (*runAlias)(r)) != nil {
		return false
	}
	s := scanner{b: body, i: i + len(trialsMember)}
	ts, ok := s.trials()
	if !ok {
		return false
	}
	s.space()
	if !s.lit('}') {
		return false
	}
	s.space()
	if s.i != len(s.b) {
		return false
	}
	r.Trials = ts
	return true
}

// scanner reads the restricted JSON of the trial columns.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\n', '\t', '\r':
			s.i++
		default:
			return
		}
	}
}

// lit consumes c after optional space.
func (s *scanner) lit(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// key consumes `"name":` for a name without escapes.
func (s *scanner) key() (string, bool) {
	if !s.lit('"') {
		return "", false
	}
	j := bytes.IndexByte(s.b[s.i:], '"')
	if j < 0 {
		return "", false
	}
	name := s.b[s.i : s.i+j]
	if bytes.IndexByte(name, '\\') >= 0 {
		return "", false
	}
	s.i += j + 1
	return string(name), s.lit(':')
}

// int reads a JSON integer: -?(0|[1-9][0-9]*), with no fraction or
// exponent, that fits an int64.
func (s *scanner) int() (int64, bool) {
	s.space()
	neg := s.i < len(s.b) && s.b[s.i] == '-'
	if neg {
		s.i++
	}
	start := s.i
	var u uint64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		d := uint64(s.b[s.i] - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
		s.i++
	}
	n := s.i - start
	if n == 0 || n > 1 && s.b[start] == '0' {
		return 0, false
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// setters store one column's value into a trial, in the order Encode
// writes the columns.
var setters = [...]struct {
	name string
	set  func(t *Trial, v int64)
}{
	{"strategy", func(t *Trial, v int64) { t.Strategy = int(v) }},
	{"round", func(t *Trial, v int64) { t.Round = int(v) }},
	{"warmup", func(t *Trial, v int64) { t.Warmup = v != 0 }},
	{"wall_ns", func(t *Trial, v int64) { t.WallNS = v }},
	{"user_ns", func(t *Trial, v int64) { t.UserNS = v }},
	{"sys_ns", func(t *Trial, v int64) { t.SysNS = v }},
	{"max_rss_kib", func(t *Trial, v int64) { t.MaxRSSKiB = v }},
	{"exit_code", func(t *Trial, v int64) { t.ExitCode = int(v) }},
	{"signal", func(t *Trial, v int64) { t.Signal = int(v) }},
	{"timed_out", func(t *Trial, v int64) { t.TimedOut = v != 0 }},
}

// trials reads `{"n": N, "strategy": {...}, ...}` with every column in
// Encode's order, each with exactly N values.
func (s *scanner) trials() ([]Trial, bool) {
	if !s.lit('{') {
		return nil, false
	}
	if k, ok := s.key(); !ok || k != "n" {
		return nil, false
	}
	n, ok := s.int()
	// Every value takes at least two bytes ("0,"): a larger n is a lie,
	// and must not size an allocation.
	if !ok || n < 0 || n > int64(len(s.b)-s.i)/2+1 {
		return nil, false
	}
	var ts []Trial
	if n > 0 {
		ts = make([]Trial, n)
	}
	for _, col := range setters {
		if !s.lit(',') {
			return nil, false
		}
		if k, ok := s.key(); !ok || k != col.name {
			return nil, false
		}
		if !s.lit('{') {
			return nil, false
		}
		if k, ok := s.key(); !ok || k != "scale" {
			return nil, false
		}
		scale, ok := s.int()
		if !ok || scale < 1 || !s.lit(',') {
			return nil, false
		}
		if k, ok := s.key(); !ok || k != "values" {
			return nil, false
		}
		if !s.lit('[') {
			return nil, false
		}
		for j := range ts {
			if j > 0 && !s.lit(',') {
				return nil, false
			}
			v, ok := s.int()
			if !ok {
				return nil, false
			}
			w := v * scale
			if scale != 1 && w/scale != v {
				return nil, false
			}
			col.set(&ts[j], w)
		}
		if !s.lit(']') || !s.lit('}') {
			return nil, false
		}
	}
	// The optional column of unknown fields (imported runs), at scale 1,
	// each value a set of known flags.
	if s.lit(',') {
		if k, ok := s.key(); !ok || k != "unknown" || !s.lit('{') {
			return nil, false
		}
		if k, ok := s.key(); !ok || k != "scale" {
			return nil, false
		}
		if scale, ok := s.int(); !ok || scale != 1 || !s.lit(',') {
			return nil, false
		}
		if k, ok := s.key(); !ok || k != "values" || !s.lit('[') {
			return nil, false
		}
		for j := range ts {
			if j > 0 && !s.lit(',') {
				return nil, false
			}
			v, ok := s.int()
			if !ok || v < 0 || v > int64(UnknownAll) {
				return nil, false
			}
			ts[j].Unknown = Unknown(v)
		}
		if !s.lit(']') || !s.lit('}') {
			return nil, false
		}
	}
	return ts, s.lit('}')
}
