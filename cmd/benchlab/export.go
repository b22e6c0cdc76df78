package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"benchlab/analysis"
	"benchlab/results"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	resultsDir := fs.String("results", "results", "archive `folder`")
	format := fs.String("format", "", "`format` to write: hyperfine (JSON as hyperfine --export-json), csv (one row per trial) or benchfmt (Go benchmark format for benchstat)")
	runID := fs.String("run", "", "run `ID` (or a unique prefix); default: the newest complete run")
	rest, err := parse(fs, args, 1, "one experiment name")
	if err != nil {
		return err
	}
	write, ok := map[string]func(io.Writer, *results.Run) error{
		"hyperfine": writeHyperfine,
		"csv":       results.WriteCSV,
		"benchfmt":  results.WriteBenchfmt,
	}[*format]
	if !ok {
		return usageError{fmt.Sprintf("--format %q: want hyperfine, csv or benchfmt", *format)}
	}
	if err := results.CheckName("experiment", rest[0]); err != nil {
		return err
	}
	a := results.Archive{Dir: *resultsDir}
	var entry results.Entry
	var loadErrs []error
	if *runID != "" {
		entry, loadErrs, err = a.Find(rest[0], *runID)
	} else {
		entry, loadErrs, err = a.Latest(rest[0])
	}
	printLoadErrors(stderr, loadErrs)
	if err != nil {
		return err
	}
	if !entry.Run.Complete {
		fmt.Fprintf(stderr, "warning: %s is an incomplete run\n", entry.Run.ID)
	}
	if err := write(stdout, entry.Run); err != nil {
		return fmt.Errorf("export %s: %w", entry.Path, err)
	}
	return nil
}

// writeHyperfine writes r as hyperfine's --export-json does: per strategy,
// the statistics benchlab reports (analysis.Summarize: counted trials that
// succeeded) and those trials' times, in seconds.
func writeHyperfine(w io.Writer, r *results.Run) error {
	sums := analysis.Summarize(r)
	doc := results.Hyperfine{Results: []results.HyperfineResult{}}
	// Each strategy's trials, gathered in one pass: an imported run may
	// hold a million strategies.
	byStrategy := make([][]results.Trial, len(r.Strategies))
	for _, t := range r.Trials {
		if t.Strategy >= 0 && t.Strategy < len(byStrategy) {
			byStrategy[t.Strategy] = append(byStrategy[t.Strategy], t)
		}
	}
	for i, s := range r.Strategies {
		sum := sums[i]
		res := results.HyperfineResult{
			Command: commandLine(s), Mean: sec(sum.MeanNS), Median: sec(sum.MedianNS),
			User: sec(sum.UserMeanNS), System: sec(sum.SysMeanNS), Min: sec(sum.MinNS), Max: sec(sum.MaxNS),
			Times: []float64{}, ExitCodes: []*int{}, MemoryUsageByte: []int64{},
			Parameters: r.Parameters,
		}
		if sum.HasStddev() {
			sd := sec(sum.StddevNS)
			res.Stddev = &sd
		}
		for _, t := range byStrategy[i] {
			if t.Warmup || !t.OK() {
				continue
			}
			code := t.ExitCode
			res.Times = append(res.Times, sec(float64(t.WallNS)))
			res.ExitCodes = append(res.ExitCodes, &code)
			res.MemoryUsageByte = append(res.MemoryUsageByte, t.MaxRSSKiB*1024)
		}
		doc.Results = append(doc.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func sec(ns float64) float64 { return ns / 1e9 }

// commandLine shows a strategy's argv as one command string; an imported
// strategy's "sh -c CMD" gives back CMD, as hyperfine had it.
func commandLine(s results.Strategy) string {
	if len(s.Command) == 3 && s.Command[0] == "sh" && s.Command[1] == "-c" {
		return s.Command[2]
	}
	return shellQuote(s.Command)
}

// shellQuote joins argv so that a POSIX shell splits it back the same way.
func shellQuote(argv []string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@") == "" {
			quoted[i] = a
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}
