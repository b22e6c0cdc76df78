package exchange

import (
	"encoding/csv"
	"io"
	"strconv"

	"benchlab/results"
)

// CSVHeader is the first row of WriteCSV's output.
var CSVHeader = []string{"run", "experiment", "machine", "strategy", "round", "warmup",
	"wall_ns", "user_ns", "sys_ns", "max_rss_kib", "exit_code", "signal", "timed_out"}

// WriteCSV writes r as CSV: CSVHeader, then one row per trial (warm-ups
// included, flagged) in the order they ran, times in nanoseconds and memory
// in KiB. A value that was not measured (an imported trial's, see
// results.Unknown) is an empty cell, never 0. Names are quoted as CSV
// requires, so any strategy name is safe.
func WriteCSV(w io.Writer, r *results.Run) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, t := range r.Trials {
		known := func(f results.Unknown, v string) string {
			if !t.Known(f) {
				return ""
			}
			return v
		}
		row := []string{r.ID, r.Experiment, r.Machine.ID, r.Strategies[t.Strategy].Name,
			strconv.Itoa(t.Round), strconv.FormatBool(t.Warmup),
			strconv.FormatInt(t.WallNS, 10),
			known(results.UnknownUser, strconv.FormatInt(t.UserNS, 10)),
			known(results.UnknownSys, strconv.FormatInt(t.SysNS, 10)),
			known(results.UnknownRSS, strconv.FormatInt(t.MaxRSSKiB, 10)),
			strconv.Itoa(t.ExitCode),
			known(results.UnknownSignal, strconv.Itoa(t.Signal)),
			strconv.FormatBool(t.TimedOut)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
