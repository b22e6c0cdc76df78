package exchange

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"benchlab/results"

	"golang.org/x/perf/benchfmt"
)

// The units of WriteBenchfmt, one per metric. Each is already in the base
// unit benchstat converts to (seconds, bytes), so benchstat keeps it as
// written: a value in ns that is 0 would stay "ns" while the others
// became "sec", which split one metric into two tables.
const (
	UnitWall = "sec/op"
	UnitUser = "user-sec/op"
	UnitSys  = "sys-sec/op"
	UnitRSS  = "peak-RSS-bytes"
)

// WriteBenchfmt writes r in the Go benchmark format
// (golang.org/design/14313-benchmark-format) with golang.org/x/perf's
// benchfmt.Writer, for benchstat: configuration lines that describe the
// machine and experiment ("goos: linux", "cpu: …", "machine: …",
// "experiment: …"), comment lines ("# run …") for what differs from run to
// run (benchstat splits its tables on every configuration value that
// differs, so the run ID must not be one), then one result line per
// counted trial,
//
//	BenchmarkAsyncFnPointers/function-pointer 1 0.351234567 sec/op 0.34321 user-sec/op 0.002013 sys-sec/op 9437184 peak-RSS-bytes
//
// named Benchmark + the experiment name in CamelCase, then "/" and the
// strategy name. Warm-ups and trials that do not count (failed ones,
// unless the run was made with --ignore-failure) are left out, as in
// benchlab's statistics; a value that was not measured (results.Unknown)
// is left off its line. A strategy name ending in "-<digits>" gets "-1"
// appended, since benchstat reads a final "-N" as GOMAXPROCS.
func WriteBenchfmt(w io.Writer, r *results.Run) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# run %s, started %s, complete %v, kernel %s, benchlab %s\n", r.ID,
		r.Started.UTC().Format(time.RFC3339), r.Complete, oneLine(r.Machine.Kernel), oneLine(r.Lab.Version+" "+r.Lab.Commit))
	if r.Imported != nil {
		fmt.Fprintf(bw, "# imported from %s %s\n", r.Imported.Tool, oneLine(r.Imported.File))
	}
	goos := "linux"
	if r.Imported != nil {
		goos = "" // unknown
	}
	var config []benchfmt.Config
	for _, kv := range [][2]string{
		{"goos", goos}, {"goarch", r.Machine.Arch}, {"cpu", r.Machine.CPUModel},
		{"machine", r.Machine.ID}, {"os", r.Machine.OS}, {"experiment", r.Experiment},
	} {
		if v := oneLine(kv[1]); v != "" {
			config = append(config, benchfmt.Config{Key: kv[0], Value: []byte(v), File: true})
		}
	}
	prefix := camel(r.Experiment)
	names := make([]benchfmt.Name, len(r.Strategies))
	for i, s := range r.Strategies {
		names[i] = benchfmt.Name(prefix + "/" + benchName(s.Name))
	}
	out := benchfmt.NewWriter(bw)
	res := &benchfmt.Result{Config: config, Iters: 1}
	for _, t := range r.Trials {
		if t.Warmup || !t.Counts(r.Settings.IgnoreFailure) {
			continue
		}
		res.Name = names[t.Strategy]
		res.Values = append(res.Values[:0], benchfmt.Value{Value: seconds(t.WallNS), Unit: UnitWall})
		if t.Known(results.UnknownUser) {
			res.Values = append(res.Values, benchfmt.Value{Value: seconds(t.UserNS), Unit: UnitUser})
		}
		if t.Known(results.UnknownSys) {
			res.Values = append(res.Values, benchfmt.Value{Value: seconds(t.SysNS), Unit: UnitSys})
		}
		if t.Known(results.UnknownRSS) {
			res.Values = append(res.Values, benchfmt.Value{Value: float64(t.MaxRSSKiB * 1024), Unit: UnitRSS})
		}
		if err := out.Write(res); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// oneLine joins the lines of s with spaces: a configuration value may not
// hold a newline.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// camel turns "async-fn-pointers" into "AsyncFnPointers".
func camel(name string) string {
	var b strings.Builder
	up := true
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			up = true
			continue
		}
		if up {
			c = unicode.ToUpper(c)
			up = false
		}
		b.WriteRune(c)
	}
	if b.Len() == 0 {
		return "Run"
	}
	return b.String()
}

// benchName makes a strategy name one benchmark-name field: no spaces or
// control characters, and no final "-<digits>" (see WriteBenchfmt).
func benchName(name string) string {
	s := strings.Map(func(c rune) rune {
		if unicode.IsSpace(c) || !unicode.IsPrint(c) {
			return '_'
		}
		return c
	}, name)
	if s == "" {
		s = "_"
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 && i < len(s)-1 && strings.Trim(s[i+1:], "0123456789") == "" {
		s += "-1"
	}
	return s
}
